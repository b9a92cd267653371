package io.ipop.frame;

/**
 * What the identity check and the firewall need to know of one Ethernet frame, read in one pass and
 * without allocating: the protocol under up to two VLAN tags (802.1Q, 802.1ad), the ARP sender, the IPv4
 * or IPv6 source and destination, the upper protocol after IPv6 extension headers, ports, the ICMP type,
 * and for IPv6 neighbor discovery (RFC 4861) the target address and link-layer address option.
 *
 * <p>Not thread-safe and reused: one instance is owned by the one inbound thread and overwritten by
 * every {@link #parse}. Fields not applicable to the frame's kind are left at their last value; read
 * only those that {@link #kind} and {@link #hasPorts} say are set.
 *
 * <pre>
 * Ethernet | [802.1Q/802.1ad tag]{0,2} | ARP (Ethernet/IPv4 only)
 *                                      | IPv4 header (IHL) | TCP/UDP ports, ICMP type+id (first fragment only)
 *                                      | IPv6 header | ext headers (0, 43, 44, 60, 51; at most 8) | same, ICMPv6
 * </pre>
 */
public final class FrameView {
    /** What a frame carries. */
    public enum Kind { ARP, IPV4, IPV6, OTHER }

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int ETHERTYPE_VLAN = 0x8100;
    public static final int ETHERTYPE_QINQ = 0x88A8;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_ICMPV6 = 58;
    /** ICMPv6 types of RFC 4861. */
    public static final int ROUTER_ADVERTISEMENT = 134;
    public static final int NEIGHBOR_SOLICITATION = 135;
    public static final int NEIGHBOR_ADVERTISEMENT = 136;
    public static final int REDIRECT = 137;
    private static final int MAX_EXTENSION_HEADERS = 8;

    public Kind kind;
    public int etherType;
    // ARP
    public long arpSenderMac;
    public int arpSenderIp;
    // IPv4 (v4Src, v4Dst) or IPv6 (v6 halves)
    public int v4Src;
    public int v4Dst;
    public long v6SrcHi;
    public long v6SrcLo;
    public long v6DstHi;
    public long v6DstLo;
    /** Upper protocol: IPv4 protocol or the IPv6 next header after the extension headers. */
    public int protocol;
    /** False for a non-first fragment: then no ports, no ICMP type. */
    public boolean firstFragment;
    /** True if the packet is a fragment (first or not). */
    public boolean fragment;
    public boolean hasPorts;
    public int srcPort;
    public int dstPort;
    /** ICMP or ICMPv6 type; -1 when the packet is not ICMP or carries no header. */
    public int icmpType;
    /** ICMP echo identifier (request and reply), else 0. */
    public int icmpId;
    // IPv6 neighbor discovery: the target of NS/NA/Redirect and the link-layer address option (-1: none)
    public long ndTargetHi;
    public long ndTargetLo;
    public long ndLinkLayer;

    /**
     * Reads the frame of {@code length} bytes at {@code offset}.
     *
     * @return false if a header the frame claims is cut short or inconsistent (the frame is malformed)
     */
    public boolean parse(byte[] b, int offset, int length) {
        kind = Kind.OTHER;
        hasPorts = false;
        icmpType = -1;
        icmpId = 0;
        ndLinkLayer = -1;
        fragment = false;
        firstFragment = true;
        int end = offset + length;
        int p = offset + EthernetHeader.ETHER_TYPE;
        if (p + 2 > end) {
            return false;
        }
        int type = u16(b, p);
        for (int tags = 0; (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && tags < 2; tags++) {
            p += 4;
            if (p + 2 > end) {
                return false;
            }
            type = u16(b, p);
        }
        if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) {
            return false;                               // a third tag: no legitimate overlay frame has one
        }
        etherType = type;
        p += 2;
        return switch (type) {
            case ETHERTYPE_ARP -> arp(b, p, end);
            case ETHERTYPE_IPV4 -> ipv4(b, p, end);
            case ETHERTYPE_IPV6 -> ipv6(b, p, end);
            default -> true;
        };
    }

    /** RFC 826 for Ethernet and IPv4 only (htype 1, ptype 0x0800, hlen 6, plen 4). */
    private boolean arp(byte[] b, int p, int end) {
        if (p + 28 > end || u16(b, p) != 1 || u16(b, p + 2) != ETHERTYPE_IPV4 || b[p + 4] != 6 || b[p + 5] != 4) {
            return false;
        }
        kind = Kind.ARP;
        arpSenderMac = MacAddress.bitsAt(b, p + 8);
        arpSenderIp = i32(b, p + 14);
        return true;
    }

    private boolean ipv4(byte[] b, int p, int end) {
        if (p + 20 > end || (b[p] & 0xF0) != 0x40) {
            return false;
        }
        int headerLength = (b[p] & 0x0F) * 4;
        int total = u16(b, p + 2);
        if (headerLength < 20 || total < headerLength || p + headerLength > end) {
            return false;
        }
        kind = Kind.IPV4;
        int flagsOffset = u16(b, p + 6);
        fragment = (flagsOffset & 0x3FFF) != 0;         // MF set or offset non-zero
        firstFragment = (flagsOffset & 0x1FFF) == 0;
        protocol = b[p + 9] & 0xFF;
        v4Src = i32(b, p + 12);
        v4Dst = i32(b, p + 16);
        int payloadEnd = Math.min(end, p + total);
        return !firstFragment || upper(b, p + headerLength, payloadEnd, PROTO_ICMP);
    }

    /** RFC 8200: the fixed header, then extension headers up to the upper-layer header. */
    private boolean ipv6(byte[] b, int p, int end) {
        if (p + 40 > end || (b[p] & 0xF0) != 0x60) {
            return false;
        }
        kind = Kind.IPV6;
        v6SrcHi = i64(b, p + 8);
        v6SrcLo = i64(b, p + 16);
        v6DstHi = i64(b, p + 24);
        v6DstLo = i64(b, p + 32);
        int payloadEnd = Math.min(end, p + 40 + u16(b, p + 4));
        int next = b[p + 6] & 0xFF;
        int q = p + 40;
        for (int n = 0; ; n++) {
            if (next != 0 && next != 43 && next != 44 && next != 60 && next != 51) {
                break;
            }
            if (n == MAX_EXTENSION_HEADERS || q + 8 > payloadEnd) {
                return false;
            }
            int size;
            if (next == 44) {
                fragment = true;
                firstFragment = (u16(b, q + 2) & 0xFFF8) == 0;
                size = 8;
            } else if (next == 51) {
                size = ((b[q + 1] & 0xFF) + 2) * 4;     // RFC 4302: in 4-octet units, minus 2
            } else {
                size = ((b[q + 1] & 0xFF) + 1) * 8;
            }
            next = b[q] & 0xFF;
            q += size;
            if (q > payloadEnd) {
                return false;
            }
            if (!firstFragment) {
                break;
            }
        }
        protocol = next;
        return !firstFragment || upper(b, q, payloadEnd, PROTO_ICMPV6);
    }

    /** The upper-layer header of a first fragment: ports, or the ICMP type and what ND needs. */
    private boolean upper(byte[] b, int q, int end, int icmp) {
        if (protocol == PROTO_TCP || protocol == PROTO_UDP) {
            if (q + 4 > end) {
                return false;
            }
            hasPorts = true;
            srcPort = u16(b, q);
            dstPort = u16(b, q + 2);
            return true;
        }
        if (protocol != icmp) {
            return true;
        }
        if (q + 4 > end) {
            return false;
        }
        icmpType = b[q] & 0xFF;
        boolean echo = icmp == PROTO_ICMP ? icmpType == 0 || icmpType == 8 : icmpType == 128 || icmpType == 129;
        if (echo && q + 8 <= end) {
            icmpId = u16(b, q + 4);
        }
        if (icmp == PROTO_ICMPV6 && icmpType >= NEIGHBOR_SOLICITATION && icmpType <= REDIRECT) {
            return neighborDiscovery(b, q, end);
        }
        return true;
    }

    /** RFC 4861 4.3-4.5: target at +8; options after it (Redirect: after the destination at +24). */
    private boolean neighborDiscovery(byte[] b, int q, int end) {
        int options = icmpType == REDIRECT ? q + 40 : q + 24;
        if (options > end) {
            return false;
        }
        ndTargetHi = i64(b, q + 8);
        ndTargetLo = i64(b, q + 16);
        int wanted = icmpType == NEIGHBOR_SOLICITATION ? 1 : 2;   // source / target link-layer address
        for (int o = options; o < end; ) {
            if (o + 2 > end || b[o + 1] == 0) {
                return false;                           // RFC 4861 4.6: a zero length option is invalid
            }
            int size = (b[o + 1] & 0xFF) * 8;
            if (o + size > end) {
                return false;
            }
            if ((b[o] & 0xFF) == wanted && size >= 8) {
                ndLinkLayer = MacAddress.bitsAt(b, o + 2);
            }
            o += size;
        }
        return true;
    }

    static int u16(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    static int i32(byte[] b, int p) {
        return (u16(b, p) << 16) | u16(b, p + 2);
    }

    static long i64(byte[] b, int p) {
        return ((long) i32(b, p) << 32) | (i32(b, p + 4) & 0xFFFF_FFFFL);
    }
}
