package io.ipop.nat;

import io.ipop.underlay.Endpoint;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The part of STUN (RFC 8489) ipop-node speaks: Binding requests and their success responses with
 * XOR-MAPPED-ADDRESS (MAPPED-ADDRESS accepted from RFC 3489 servers). Pure; no I/O.
 *
 * <pre>
 *  0                   1                   2                   3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |0 0|     STUN Message Type     |         Message Length        |   length: of the attributes, multiple of 4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Magic Cookie = 0x2112A442                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Transaction ID (96 bits)                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | attributes: type (16) | length (16) | value, padded to 4 bytes  ...
 *
 * XOR-MAPPED-ADDRESS (0x0020) value: 0x00 | family (1 = IPv4, 2 = IPv6) | port ^ 0x2112 |
 *                                    address ^ cookie (IPv4) or ^ cookie||transaction id (IPv6)
 * </pre>
 *
 * Demultiplexing (RFC 7983 and RFC 8489 section 6.3): a STUN message starts with two zero bits and
 * carries the magic cookie at bytes 4..7; ipop-node frames start with 0xA1..0xA4, so the first byte
 * alone tells them apart on the shared underlay port.
 *
 * @param type          message type (method and class), e.g. {@link #BINDING_REQUEST}
 * @param transactionId 12 bytes
 * @param mapped        the (XOR-)MAPPED-ADDRESS of a response, or {@code null}
 */
public record StunMessage(int type, byte[] transactionId, Endpoint mapped) {
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int HEADER = 20;
    public static final int TRANSACTION_ID = 12;
    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_SUCCESS = 0x0101;
    public static final int BINDING_ERROR = 0x0111;
    public static final int BINDING_INDICATION = 0x0011;
    static final int MAPPED_ADDRESS = 0x0001;
    static final int XOR_MAPPED_ADDRESS = 0x0020;
    /** The largest message this node parses; a Binding exchange needs far less. */
    public static final int MAX_LENGTH = 548;

    public StunMessage {
        if (transactionId.length != TRANSACTION_ID) {
            throw new IllegalArgumentException("a STUN transaction id has 12 bytes, not " + transactionId.length);
        }
        transactionId = transactionId.clone();
    }

    @Override
    public byte[] transactionId() {
        return transactionId.clone();
    }

    /** True if the datagram is shaped like STUN: first two bits zero and the magic cookie. Cheap; no parse. */
    public static boolean looksLikeStun(byte[] b, int length) {
        return length >= HEADER && (b[0] & 0xC0) == 0 && readInt(b, 4) == MAGIC_COOKIE;
    }

    /**
     * Parses a STUN message; attributes other than (XOR-)MAPPED-ADDRESS are skipped.
     *
     * @throws StunException if it is not a well-formed STUN message
     */
    public static StunMessage parse(byte[] b, int length) throws StunException {
        if (!looksLikeStun(b, length)) {
            throw new StunException("not a STUN message");
        }
        if (length > MAX_LENGTH || length > b.length) {
            throw new StunException("STUN message of " + length + " bytes is longer than " + MAX_LENGTH);
        }
        int type = readShort(b, 0);
        int bodyLength = readShort(b, 2);
        if (bodyLength % 4 != 0 || HEADER + bodyLength != length) {
            throw new StunException("STUN length field " + bodyLength + " disagrees with the datagram of " + length + " bytes");
        }
        byte[] tid = Arrays.copyOfRange(b, 8, HEADER);
        Endpoint xorMapped = null;
        Endpoint mapped = null;
        int at = HEADER;
        while (at < length) {
            if (length - at < 4) {
                throw new StunException("truncated attribute header at byte " + at);
            }
            int attr = readShort(b, at);
            int attrLength = readShort(b, at + 2);
            int value = at + 4;
            if (attrLength > length - value) {
                throw new StunException("attribute 0x" + Integer.toHexString(attr) + " of " + attrLength
                        + " bytes runs past the message");
            }
            if (attr == XOR_MAPPED_ADDRESS && xorMapped == null) {
                xorMapped = address(b, value, attrLength, tid, true);
            } else if (attr == MAPPED_ADDRESS && mapped == null) {
                mapped = address(b, value, attrLength, tid, false);
            }
            at = value + ((attrLength + 3) & ~3);
        }
        if (at != length) {
            throw new StunException("attribute padding runs past the message");
        }
        return new StunMessage(type, tid, xorMapped != null ? xorMapped : mapped);
    }

    /** A Binding request (no attributes). */
    public static byte[] bindingRequest(byte[] transactionId) {
        byte[] b = new byte[HEADER];
        header(b, BINDING_REQUEST, 0, transactionId);
        return b;
    }

    /** A Binding success response telling the requester {@code mapped}, its address as this node saw it. */
    public static byte[] bindingSuccess(byte[] transactionId, Endpoint mapped) {
        byte[] ip = mapped.address().getAddress().getAddress();
        int valueLength = 4 + ip.length;
        byte[] b = new byte[HEADER + 4 + valueLength];
        header(b, BINDING_SUCCESS, 4 + valueLength, transactionId);
        writeShort(b, HEADER, XOR_MAPPED_ADDRESS);
        writeShort(b, HEADER + 2, valueLength);
        int v = HEADER + 4;
        b[v] = 0;
        b[v + 1] = (byte) (ip.length == 4 ? 1 : 2);
        writeShort(b, v + 2, mapped.address().getPort() ^ (MAGIC_COOKIE >>> 16));
        byte[] mask = mask(transactionId);
        for (int i = 0; i < ip.length; i++) {
            b[v + 4 + i] = (byte) (ip[i] ^ mask[i]);
        }
        return b;
    }

    private static Endpoint address(byte[] b, int at, int length, byte[] tid, boolean xor) throws StunException {
        if (length < 4) {
            throw new StunException("address attribute of " + length + " bytes");
        }
        int family = b[at + 1] & 0xFF;
        int ipLength = family == 1 ? 4 : family == 2 ? 16 : -1;
        if (ipLength < 0 || length != 4 + ipLength) {
            throw new StunException("address attribute with family " + family + " and " + length + " bytes");
        }
        int port = readShort(b, at + 2);
        byte[] ip = Arrays.copyOfRange(b, at + 4, at + 4 + ipLength);
        if (xor) {
            port ^= MAGIC_COOKIE >>> 16;
            byte[] mask = mask(tid);
            for (int i = 0; i < ip.length; i++) {
                ip[i] ^= mask[i];
            }
        }
        if (port == 0) {
            throw new StunException("mapped port 0");
        }
        try {
            InetAddress address = InetAddress.getByAddress(ip);
            if (family == 1 != address instanceof Inet4Address) {
                throw new StunException("address family mismatch");
            }
            return Endpoint.of(address, port);
        } catch (UnknownHostException e) {
            throw new StunException("bad address: " + e.getMessage());
        }
    }

    /** The XOR mask of an address: the cookie followed by the transaction id (RFC 8489 section 14.2). */
    private static byte[] mask(byte[] tid) {
        byte[] m = new byte[16];
        writeInt(m, 0, MAGIC_COOKIE);
        System.arraycopy(tid, 0, m, 4, TRANSACTION_ID);
        return m;
    }

    private static void header(byte[] b, int type, int bodyLength, byte[] tid) {
        if (tid.length != TRANSACTION_ID) {
            throw new IllegalArgumentException("a STUN transaction id has 12 bytes, not " + tid.length);
        }
        writeShort(b, 0, type);
        writeShort(b, 2, bodyLength);
        writeInt(b, 4, MAGIC_COOKIE);
        System.arraycopy(tid, 0, b, 8, TRANSACTION_ID);
    }

    private static int readShort(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static int readInt(byte[] b, int at) {
        return (readShort(b, at) << 16) | readShort(b, at + 2);
    }

    private static void writeShort(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static void writeInt(byte[] b, int at, int v) {
        writeShort(b, at, v >>> 16);
        writeShort(b, at + 2, v);
    }
}
