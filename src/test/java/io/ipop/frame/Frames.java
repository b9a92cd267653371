package io.ipop.frame;

import java.nio.ByteBuffer;

/** Builds Ethernet frames for tests: ARP, IPv4 and IPv6 packets with the headers the checks read. Checksums are not filled in. */
public final class Frames {
    private Frames() {
    }

    private static ByteBuffer ethernet(int size, long dst, long src, int... etherTypes) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * (etherTypes.length - 1) + size);
        put48(b, dst);
        put48(b, src);
        for (int t : etherTypes) {
            b.putShort((short) t);
            if (t == FrameView.ETHERTYPE_VLAN || t == FrameView.ETHERTYPE_QINQ) {
                b.putShort((short) 5);               // the tag's TCI; the next type follows
            }
        }
        return b;
    }

    private static void put48(ByteBuffer b, long v) {
        for (int i = 5; i >= 0; i--) {
            b.put((byte) (v >>> (8 * i)));
        }
    }

    /** An ARP packet (request or reply) from {@code src} claiming {@code senderMac}/{@code senderIp}. */
    public static byte[] arp(long src, long senderMac, int senderIp, int targetIp, int op) {
        ByteBuffer b = ethernet(28, MacAddress.BROADCAST.bits(), src, FrameView.ETHERTYPE_ARP);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op);
        put48(b, senderMac);
        b.putInt(senderIp);
        put48(b, 0);
        b.putInt(targetIp);
        return b.array();
    }

    /** An IPv4 packet, optionally under VLAN tags: {@code etherTypes} ends with 0x0800. */
    public static byte[] ipv4(long dst, long src, int srcIp, int dstIp, int protocol, byte[] l4, int... etherTypes) {
        int[] types = etherTypes.length == 0 ? new int[] {FrameView.ETHERTYPE_IPV4} : etherTypes;
        ByteBuffer b = ethernet(20 + l4.length, dst, src, types);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) protocol).putShort((short) 0).putInt(srcIp).putInt(dstIp).put(l4);
        return b.array();
    }

    /** A TCP or UDP header start (ports, then zeros): 20 bytes. */
    public static byte[] ports(int srcPort, int dstPort) {
        return ByteBuffer.allocate(20).putShort((short) srcPort).putShort((short) dstPort).array();
    }

    /** An ICMP (or ICMPv6) header: type, code 0, checksum 0, identifier, sequence 1. */
    public static byte[] icmp(int type, int id) {
        return ByteBuffer.allocate(16).put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) id)
                .putShort((short) 1).array();
    }

    /**
     * An IPv6 packet with {@code extensions} (each: next-header value, then the header's bytes, a multiple of 8)
     * before the upper-layer {@code l4} of protocol {@code protocol}.
     */
    public static byte[] ipv6(long dst, long src, long[] srcIp, long[] dstIp, int protocol, byte[] l4, byte[]... extensions) {
        int extLength = 0;
        for (byte[] e : extensions) {
            extLength += e.length;
        }
        ByteBuffer b = ethernet(40 + extLength + l4.length, dst, src, FrameView.ETHERTYPE_IPV6);
        int first = extensions.length == 0 ? protocol : extensions[0][0] & 0xFF;
        b.putInt(0x6000_0000).putShort((short) (extLength + l4.length)).put((byte) first).put((byte) 255)
                .putLong(srcIp[0]).putLong(srcIp[1]).putLong(dstIp[0]).putLong(dstIp[1]);
        for (int i = 0; i < extensions.length; i++) {
            byte[] e = extensions[i].clone();
            int next = i + 1 < extensions.length ? extensions[i + 1][0] & 0xFF : protocol;
            e[0] = (byte) next;                      // the next-header field of this extension
            b.put(e);
        }
        b.put(l4);
        return b.array();
    }

    /** An extension header of {@code type} (0, 43, 60): 8 bytes; byte 0 is replaced by the next header. */
    public static byte[] extension(int type) {
        return new byte[] {(byte) type, 0, 0, 0, 0, 0, 0, 0};
    }

    /** A fragment header (44) at {@code offset} (in 8-byte units). */
    public static byte[] fragment(int offset, boolean more) {
        int v = (offset << 3) | (more ? 1 : 0);
        return new byte[] {44, 0, (byte) (v >>> 8), (byte) v, 0, 0, 0, 1};
    }

    /** An ICMPv6 neighbor advertisement (or solicitation) for {@code target}, with a link-layer option of {@code lla} (-1: none). */
    public static byte[] neighbor(int type, long[] target, long lla) {
        ByteBuffer b = ByteBuffer.allocate(24 + (lla == -1 ? 0 : 8));
        b.put((byte) type).put((byte) 0).putShort((short) 0).putInt(0x6000_0000).putLong(target[0]).putLong(target[1]);
        if (lla != -1) {
            b.put((byte) (type == FrameView.NEIGHBOR_SOLICITATION ? 1 : 2)).put((byte) 1);
            put48(b, lla);
        }
        return b.array();
    }

    /** An IPv6 address as two longs. */
    public static long[] v6(String literal) {
        Ipv6Prefix p = Ipv6Prefix.parse(literal, true);
        return new long[] {p.hi(), p.lo()};
    }

    /** An IPv4 address as an int. */
    public static int v4(String dotted) {
        return OverlayAddress.parse(dotted, false).address();
    }

    /**
     * {@code frame} with real checksums, as a kernel would accept it: the IPv4 header's, and ICMP's (IPv4)
     * or ICMPv6's (RFC 4443 2.3, over the pseudo-header). Untagged frames, no IPv6 extension headers.
     */
    public static byte[] checksummed(byte[] frame) {
        byte[] f = frame.clone();
        int type = ((f[12] & 0xFF) << 8) | (f[13] & 0xFF);
        if (type == FrameView.ETHERTYPE_IPV4) {
            int ihl = (f[14] & 0x0F) * 4;
            f[24] = 0;
            f[25] = 0;
            put16(f, 24, sum(f, 14, ihl, 0));
            if (f[23] == FrameView.PROTO_ICMP) {
                int at = 14 + ihl;
                f[at + 2] = 0;
                f[at + 3] = 0;
                put16(f, at + 2, sum(f, at, f.length - at, 0));
            }
        } else if (type == FrameView.ETHERTYPE_IPV6 && f[20] == FrameView.PROTO_ICMPV6) {
            int at = 54;
            int length = f.length - at;
            f[at + 2] = 0;
            f[at + 3] = 0;
            long pseudo = partial(f, 22, 32) + length + FrameView.PROTO_ICMPV6;
            put16(f, at + 2, sum(f, at, length, pseudo));
        }
        return f;
    }

    private static long partial(byte[] b, int at, int length) {
        long s = 0;
        for (int i = 0; i < length; i += 2) {
            s += ((b[at + i] & 0xFF) << 8) | (i + 1 < length ? b[at + i + 1] & 0xFF : 0);
        }
        return s;
    }

    private static int sum(byte[] b, int at, int length, long initial) {
        long s = initial + partial(b, at, length);
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }
}
