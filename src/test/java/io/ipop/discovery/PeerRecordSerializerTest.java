package io.ipop.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ipop.RandomInput;
import io.ipop.frame.MacAddress;
import io.ipop.frame.OverlayAddress;
import io.ipop.underlay.Endpoint;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PeerRecordSerializerTest {
    private final PeerRecordSerializer serializer = new PeerRecordSerializer();

    private static PeerRecord record(String certificate) {
        return new PeerRecord("b", "0123456789abcdef", OverlayAddress.parse("10.77.0.2/24", true),
                MacAddress.parse("02:00:00:00:00:02"),
                List.of(Endpoint.parse("192.0.2.2:5800"), Endpoint.parse("[2001:db8::2]:5800")), List.of("red", "blue"),
                certificate, "pekko://ipop@192.0.2.2:17355#42", certificate == null ? null : "MEUCIQ==");
    }

    @Test
    void aRecordSurvivesTheTripWithAndWithoutCertificate() throws Exception {
        for (PeerRecord r : List.of(record(null), record("MIIBszCCAVmgAwIBAgI="))) {
            byte[] bytes = serializer.toBinary(r);
            assertEquals(r, serializer.fromBinary(bytes, serializer.manifest(r)));
        }
        assertEquals(List.of("blue", "red"), record(null).groups(), "groups are kept sorted");
    }

    private static String json(String endpoints, String name) {
        return "{\"name\":" + name + ",\"instance\":\"i\",\"address\":\"10.77.0.2/24\",\"mac\":\"02:00:00:00:00:02\","
                + "\"endpoints\":" + endpoints + ",\"groups\":[],\"member\":\"pekko://ipop@192.0.2.2:17355#1\"}";
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "null",
            "[]",
            "{}",
            "{\"name\":\"b\"}",
            "not json",
    })
    void malformedDocumentsAreRefused(String doc) {
        assertThrows(NotSerializableException.class,
                () -> serializer.fromBinary(doc.getBytes(StandardCharsets.UTF_8), PeerRecordSerializer.MANIFEST));
    }

    @Test
    void invalidValuesAreRefusedAndNamesAreNeverResolved() {
        List<String> bad = List.of(
                json("[]", "\"b\""),                                  // no endpoint
                json("[\"example.org:5800\"]", "\"b\""),             // a name: would need DNS
                json("[\"192.0.2.2:5800\"]", "\"../etc\""),          // bad node name
                json("[\"192.0.2.2:99999\"]", "\"b\""),              // port out of range
                json("[\"192.0.2.2:5800\"]", "\"b\"") + "x",         // trailing bytes
                json("[\"192.0.2.2:5800\"]", "\"b\"").replace("10.77.0.2/24", "10.77.0.2"));
        for (String doc : bad) {
            assertThrows(NotSerializableException.class,
                    () -> serializer.fromBinary(doc.getBytes(StandardCharsets.UTF_8), PeerRecordSerializer.MANIFEST), doc);
        }
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[20_000], PeerRecordSerializer.MANIFEST));
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(serializer.toBinary(record(null)), "Other.v9"));
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButNotSerializable() {
        byte[] valid = serializer.toBinary(record(null));
        int tries = 2000;
        for (int i = 0; i < tries; i++) {
            long seed = RandomInput.seed(0x5eedL, 1, i);
            Random random = new Random(seed);
            byte[] mutated = valid.clone();
            int flips = RandomInput.between(random, 1, 8);
            for (int f = 0; f < flips; f++) {
                mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
            }
            RandomInput.check(RandomInput.trial(i, tries, seed), () -> new String(mutated, StandardCharsets.ISO_8859_1), () -> {
                try {
                    Object r = serializer.fromBinary(mutated, PeerRecordSerializer.MANIFEST);
                    assertEquals(PeerRecord.class, r.getClass());
                } catch (NotSerializableException expected) {
                    // refused: Pekko drops the gossip that carried it
                }
            });
        }
    }
}
