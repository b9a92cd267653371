package io.ipop.netns;

import io.ipop.secure.SecureChannel;
import io.ipop.wire.FrameHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the UDP datagrams and TCP segments out of a classic pcap file of an Ethernet interface (as tcpdump -w writes it). */
final class Pcap {
    private static final int ETHERNET = 1;

    record Udp(String src, String dst, byte[] payload) {
    }

    /**
     * One TCP segment with data (segments without payload are left out); {@code seq} is its sequence number (unsigned
     * 32 bits), so a retransmission shows.
     */
    record Tcp(String src, int srcPort, String dst, int dstPort, long seq, byte[] payload) {
    }

    private Pcap() {
    }

    static List<Udp> udp(Path file) throws IOException {
        List<Udp> out = new ArrayList<>();
        for (byte[] frame : frames(file)) {
            Udp u = parse(frame, 0, frame.length);
            if (u != null) {
                out.add(u);
            }
        }
        return out;
    }

    static List<Tcp> tcp(Path file) throws IOException {
        List<Tcp> out = new ArrayList<>();
        for (byte[] f : frames(file)) {
            if (f.length < 14 + 20 + 20 || (f[12] & 0xFF) != 0x08 || f[13] != 0x00 || f[14 + 9] != 6) {
                continue;                               // not IPv4 TCP
            }
            int ip = 14;
            int ihl = (f[ip] & 0x0F) * 4;
            int total = ((f[ip + 2] & 0xFF) << 8) | (f[ip + 3] & 0xFF);
            int tcp = ip + ihl;
            int dataOffset = ((f[tcp + 12] & 0xF0) >> 4) * 4;
            int start = tcp + dataOffset;
            int end = Math.min(f.length, ip + total);   // Ethernet pads short frames
            if (start >= end) {
                continue;
            }
            byte[] payload = new byte[end - start];
            System.arraycopy(f, start, payload, 0, payload.length);
            long seq = ((long) (f[tcp + 4] & 0xFF) << 24) | ((f[tcp + 5] & 0xFF) << 16) | ((f[tcp + 6] & 0xFF) << 8)
                    | (f[tcp + 7] & 0xFF);
            out.add(new Tcp(address(f, ip + 12), port(f, tcp), address(f, ip + 16), port(f, tcp + 2), seq, payload));
        }
        return out;
    }

    private static String address(byte[] f, int at) {
        return (f[at] & 0xFF) + "." + (f[at + 1] & 0xFF) + "." + (f[at + 2] & 0xFF) + "." + (f[at + 3] & 0xFF);
    }

    private static int port(byte[] f, int at) {
        return ((f[at] & 0xFF) << 8) | (f[at + 1] & 0xFF);
    }

    /** Each captured frame, as captured (from the Ethernet header). */
    private static List<byte[]> frames(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        if (b.remaining() < 24) {
            throw new AssertionError("pcap too short: " + file);
        }
        int magic = b.getInt(0);
        if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
            b.order(ByteOrder.LITTLE_ENDIAN);
        } else if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            throw new AssertionError("not a pcap file: " + file);
        }
        if (b.getInt(20) != ETHERNET) {
            throw new AssertionError("capture is not of an Ethernet interface: link type " + b.getInt(20));
        }
        List<byte[]> out = new ArrayList<>();
        int at = 24;
        while (at + 16 <= b.limit()) {
            int captured = b.getInt(at + 8);
            int start = at + 16;
            if (start + captured > b.limit()) {
                break;                                  // last record cut short when tcpdump stopped
            }
            byte[] frame = new byte[captured];
            System.arraycopy(b.array(), start, frame, 0, captured);
            out.add(frame);
            at = start + captured;
        }
        return out;
    }

    private static Udp parse(byte[] f, int off, int len) {
        if (len < 14 + 20 + 8 || (f[off + 12] & 0xFF) != 0x08 || f[off + 13] != 0x00) {
            return null;                                // not IPv4
        }
        int ip = off + 14;
        int ihl = (f[ip] & 0x0F) * 4;
        if (f[ip + 9] != 17 || 14 + ihl + 8 > len) {
            return null;                                // not UDP
        }
        String src = (f[ip + 12] & 0xFF) + "." + (f[ip + 13] & 0xFF) + "." + (f[ip + 14] & 0xFF) + "." + (f[ip + 15] & 0xFF);
        String dst = (f[ip + 16] & 0xFF) + "." + (f[ip + 17] & 0xFF) + "." + (f[ip + 18] & 0xFF) + "." + (f[ip + 19] & 0xFF);
        int payload = ip + ihl + 8;
        byte[] p = new byte[off + len - payload];
        System.arraycopy(f, payload, p, 0, p.length);
        return new Udp(src, dst, p);
    }

    /**
     * Whether {@code u} is a data datagram carrying one Ethernet frame of {@code frameLength} bytes: DATA
     * (the 8-byte header) or SECURE_DATA (header, counter and tag). Keepalives and control are other sizes.
     */
    static boolean carriesFrameOf(Udp u, int frameLength) {
        int n = u.payload().length;
        return n == frameLength + FrameHeader.LENGTH || n == frameLength + SecureChannel.OVERHEAD;
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
