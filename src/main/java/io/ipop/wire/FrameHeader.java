package io.ipop.wire;

/**
 * The fixed 8-byte header that starts every ipop-node datagram (see docs/protocol.md).
 *
 * <pre>
 *  0        1        2        3        4        5        6        7
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * |  type  |version |    reserved (0)  |        receiver index (u32, BE)     |
 * +--------+--------+--------+--------+--------+--------+--------+--------+
 * | body: JSON control message (CONTROL) or one Ethernet frame (DATA) ...
 * +--------+-----
 * </pre>
 *
 * <p>The receiver index is the number the <em>receiving</em> node handed out for this link in its
 * {@code con_req}/{@code con_resp}; it lets the receiver find the link without trusting the source
 * address. Control frames carry 0 there until the index is known.
 */
public final class FrameHeader {
    public static final int LENGTH = 8;
    public static final int VERSION = 1;

    private static final int TYPE = 0;
    private static final int VERSION_AT = 1;
    private static final int INDEX = 4;

    private FrameHeader() {
    }

    /** Writes a header at {@code offset}. */
    public static void write(byte[] buf, int offset, FrameType type, int receiverIndex) {
        buf[offset + TYPE] = (byte) type.code();
        buf[offset + VERSION_AT] = (byte) VERSION;
        buf[offset + 2] = 0;
        buf[offset + 3] = 0;
        buf[offset + INDEX] = (byte) (receiverIndex >>> 24);
        buf[offset + INDEX + 1] = (byte) (receiverIndex >>> 16);
        buf[offset + INDEX + 2] = (byte) (receiverIndex >>> 8);
        buf[offset + INDEX + 3] = (byte) receiverIndex;
    }

    /**
     * Checks a received datagram's header.
     *
     * @return the frame type
     * @throws WireException (with a {@link WireException.Reason}) if the datagram is not a frame we accept
     */
    public static FrameType check(byte[] buf, int offset, int length) throws WireException {
        if (length < LENGTH) {
            throw new WireException(WireException.Reason.TRUNCATED, "datagram of " + length + " bytes is shorter than the header");
        }
        FrameType type = FrameType.of(buf[offset + TYPE]);
        if (type == null) {
            throw new WireException(WireException.Reason.UNKNOWN_TYPE, "unknown frame type 0x" + Integer.toHexString(buf[offset] & 0xFF));
        }
        if ((buf[offset + VERSION_AT] & 0xFF) != VERSION) {
            throw new WireException(WireException.Reason.BAD_VERSION, "unsupported frame version " + (buf[offset + VERSION_AT] & 0xFF));
        }
        return type;
    }

    public static int receiverIndex(byte[] buf, int offset) {
        return ((buf[offset + INDEX] & 0xFF) << 24) | ((buf[offset + INDEX + 1] & 0xFF) << 16)
                | ((buf[offset + INDEX + 2] & 0xFF) << 8) | (buf[offset + INDEX + 3] & 0xFF);
    }
}
