package io.ipop.tap.linux;

import java.util.function.Consumer;

/**
 * Userspace TSO: turns what the kernel hands a TAP with offloads on (a TCP super-frame of up to 64 KB,
 * or a frame whose checksum is left to us) into ordinary Ethernet frames no larger than the MTU, each
 * with correct IPv4/IPv6 and TCP/UDP checksums, as the NIC would have put on the wire.
 *
 * <p>Per segment of a TCP super-frame (RFC 793 / 7414 semantics of TSO): the headers are copied, the
 * sequence number advances by the bytes before it, FIN and PSH stay on the last segment only, CWR on
 * the first only; IPv4 gets its total length, an incremented identification and a new header
 * checksum; IPv6 its payload length; TCP a new checksum over its pseudo-header.
 */
final class Segmenter {
    private static final int ETH = 14;
    private static final int IPV4 = 0x0800;
    private static final int IPV6 = 0x86DD;
    private static final int TCP = 6;
    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;

    private Segmenter() {
    }

    /**
     * Emits the frames for {@code buf[offset, offset + length)} (an Ethernet frame after its vnet
     * header). Each emitted array is a new, exactly sized frame.
     *
     * @return false if the frame cannot be handled (not TCP over IPv4/IPv6 with plain headers); nothing was emitted
     */
    static boolean emit(byte[] buf, int offset, int length, VnetHeader h, Consumer<byte[]> out) {
        if (h.isGso()) {
            return segment(buf, offset, length, h.gsoSize(), out);
        }
        byte[] frame = new byte[length];
        System.arraycopy(buf, offset, frame, 0, length);
        if (!completeChecksum(frame, h)) {
            return false;
        }
        out.accept(frame);
        return true;
    }

    /**
     * Completes the checksum the kernel left to us in a frame that is not a super-frame ({@code h} says
     * where, if at all). False if the place {@code h} names lies outside the frame.
     */
    static boolean completeChecksum(byte[] frame, VnetHeader h) {
        if (!h.needsChecksum()) {
            return true;
        }
        int start = h.csumStart();
        int at = start + h.csumOffset();
        if (start >= frame.length || at + 2 > frame.length) {
            return false;
        }
        // the field holds the pseudo-header sum; summing over it completes the checksum (virtio spec)
        int c = InetChecksum.finish(InetChecksum.add(0, frame, start, frame.length - start));
        InetChecksum.put(frame, at, c == 0 ? 0xFFFF : c);
        return true;
    }

    private static boolean segment(byte[] b, int off, int length, int mss, Consumer<byte[]> out) {
        if (length < ETH + 20 || mss <= 0) {
            return false;
        }
        int etherType = InetChecksum.get(b, off + 12);
        int ip = off + ETH;
        int ipHeader;
        boolean v4 = etherType == IPV4;
        if (v4) {
            ipHeader = (b[ip] & 0x0F) * 4;
            if ((b[ip + 9] & 0xFF) != TCP || ipHeader < 20) {
                return false;
            }
        } else if (etherType == IPV6) {
            ipHeader = 40;
            if ((b[ip + 6] & 0xFF) != TCP) {
                return false;                           // extension headers: not produced for TSO here
            }
        } else {
            return false;
        }
        int tcp = ip + ipHeader;
        if (tcp + 20 > off + length) {
            return false;
        }
        int tcpHeader = ((b[tcp + 12] >> 4) & 0x0F) * 4;
        int headers = ETH + ipHeader + tcpHeader;
        int payload = length - headers;
        if (tcpHeader < 20 || payload <= 0) {
            return false;
        }
        long seq = readInt(b, tcp + 4) & 0xFFFF_FFFFL;
        int id = v4 ? InetChecksum.get(b, ip + 4) : 0;
        int flags = b[tcp + 13] & 0xFF;
        for (int done = 0, i = 0; done < payload; done += mss, i++) {
            int chunk = Math.min(mss, payload - done);
            byte[] f = new byte[headers + chunk];
            System.arraycopy(b, off, f, 0, headers);
            System.arraycopy(b, off + headers + done, f, headers, chunk);
            int fip = ETH;
            int ftcp = ETH + ipHeader;
            boolean last = done + chunk >= payload;
            int segFlags = flags;
            if (!last) {
                segFlags &= ~(TCP_FIN | TCP_PSH);
            }
            if (i > 0) {
                segFlags &= ~TCP_CWR;
            }
            f[ftcp + 13] = (byte) segFlags;
            writeInt(f, ftcp + 4, (int) (seq + done));
            int tcpLength = tcpHeader + chunk;
            long pseudo;
            if (v4) {
                InetChecksum.put(f, fip + 2, ipHeader + tcpLength);
                InetChecksum.put(f, fip + 4, (id + i) & 0xFFFF);
                InetChecksum.put(f, fip + 10, 0);
                InetChecksum.put(f, fip + 10, InetChecksum.finish(InetChecksum.add(0, f, fip, ipHeader)));
                pseudo = InetChecksum.add(0, f, fip + 12, 8) + TCP + tcpLength;
            } else {
                InetChecksum.put(f, fip + 4, tcpLength);
                pseudo = InetChecksum.add(0, f, fip + 8, 32) + TCP + tcpLength;
            }
            InetChecksum.put(f, ftcp + 16, 0);
            InetChecksum.put(f, ftcp + 16, InetChecksum.finish(InetChecksum.add(pseudo, f, ftcp, tcpLength)));
            out.accept(f);
        }
        return true;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
