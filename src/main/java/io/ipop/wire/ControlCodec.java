package io.ipop.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Encodes control messages into complete {@link FrameType#CONTROL} datagrams and decodes them back.
 * Thread-safe.
 */
public final class ControlCodec {
    /**
     * Largest control frame we build or accept. A signed hello with its certificate is about 1.3 KB;
     * many or long group names can push it past the path MTU, where IP fragments it.
     */
    public static final int MAX_CONTROL_FRAME = 4096;

    /** Strict where it matters (types, trailing bytes), lenient with unknown fields for forward compatibility. */
    private final ObjectMapper json = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    /** A whole datagram: header (receiver index {@code 0}) then the JSON body. */
    public byte[] encode(ControlMessage message) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message, e);
        }
        if (FrameHeader.LENGTH + body.length > MAX_CONTROL_FRAME) {
            throw new IllegalArgumentException("control message of " + body.length + " bytes is too large");
        }
        byte[] frame = new byte[FrameHeader.LENGTH + body.length];
        FrameHeader.write(frame, 0, FrameType.CONTROL, 0);
        System.arraycopy(body, 0, frame, FrameHeader.LENGTH, body.length);
        return frame;
    }

    /** Decodes the body of a control frame whose header was already checked. */
    public ControlMessage decode(byte[] buf, int offset, int length) throws WireException {
        int bodyLength = length - FrameHeader.LENGTH;
        if (bodyLength <= 0 || length > MAX_CONTROL_FRAME) {
            throw new WireException(WireException.Reason.MALFORMED_CONTROL, "control frame body of " + bodyLength + " bytes");
        }
        try {
            ControlMessage m = json.readValue(buf, offset + FrameHeader.LENGTH, bodyLength, ControlMessage.class);
            if (m == null) {
                throw new WireException(WireException.Reason.MALFORMED_CONTROL, "control frame body is null");
            }
            return m;
        } catch (IOException | IllegalArgumentException e) {
            // Jackson wraps the records' own checks; both mean the sender spoke garbage.
            throw new WireException(WireException.Reason.MALFORMED_CONTROL, "bad control message: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
