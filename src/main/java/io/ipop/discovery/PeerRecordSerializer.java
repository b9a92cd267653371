package io.ipop.discovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.underlay.Endpoint;
import java.io.IOException;
import java.io.NotSerializableException;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * {@link PeerRecord}s between cluster members (inside Distributed Data's gossip) as small JSON documents,
 * never with Java serialization. Bound in {@code ipop-pekko.conf}.
 *
 * <p>Input from the network: a document that does not parse, or whose values are invalid, is refused
 * with {@link NotSerializableException}; Pekko then drops the message that carried it and logs it.
 * Endpoints must be IP literals, so a record never makes this node resolve a name.
 */
public final class PeerRecordSerializer extends SerializerWithStringManifest {
    /** Unique among the serializers of the ActorSystem (Pekko's own stay below 100). */
    static final int IDENTIFIER = 771_205;
    static final String MANIFEST = "PeerRecord.v1";
    private static final int MAX_BYTES = 8192;
    private static final Pattern IP_ENDPOINT = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}:[0-9]{1,5}|\\[[0-9A-Fa-f:.]+\\]:[0-9]{1,5}");

    private final JsonMapper json = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    /** The JSON form. */
    record Wire(String name, String instance, String address, String mac, List<String> endpoints, List<String> groups,
                String certificate, String member, String signature) {
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        return MANIFEST;
    }

    @Override
    public byte[] toBinary(Object o) {
        PeerRecord r = (PeerRecord) o;
        Wire w = new Wire(r.name(), r.instance(), r.address().toString(), r.mac().toString(),
                r.endpoints().stream().map(Endpoint::toString).toList(), r.groups(), r.certificate(), r.member(),
                r.signature());
        try {
            return json.writeValueAsBytes(w);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode the peer record of " + r.name(), e);
        }
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        if (!MANIFEST.equals(manifest)) {
            throw new NotSerializableException("unknown peer record manifest \"" + manifest + "\"");
        }
        if (bytes.length > MAX_BYTES) {
            throw new NotSerializableException("peer record of " + bytes.length + " bytes");
        }
        try {
            Wire w = json.readValue(bytes, Wire.class);
            if (w == null || w.endpoints() == null || w.groups() == null || w.address() == null || w.mac() == null) {
                throw new NotSerializableException("peer record without address, mac, endpoints or groups");
            }
            for (String e : w.endpoints()) {
                if (e == null || !IP_ENDPOINT.matcher(e).matches()) {
                    throw new NotSerializableException("peer record endpoint is not ip:port: " + e);
                }
            }
            return new PeerRecord(w.name(), w.instance(), OverlayAddress.parse(w.address(), true),
                    MacAddress.parse(w.mac()), w.endpoints().stream().map(Endpoint::parse).toList(), w.groups(),
                    w.certificate(), w.member(), w.signature());
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            NotSerializableException n = new NotSerializableException("bad peer record: " + e.getMessage());
            n.initCause(e);
            throw n;
        }
    }
}
