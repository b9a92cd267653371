package io.ipop.secure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTest {
    @TempDir
    Path tmp;

    private String fails(Path file, boolean key) {
        return assertThrows(PkiException.class,
                () -> {
                    if (key) {
                        Pem.readPrivateKey(file);
                    } else {
                        Pem.readCertificate(file);
                    }
                }).getMessage();
    }

    @Test
    void errorsNameTheFile() throws Exception {
        Path missing = tmp.resolve("missing.crt");
        assertEquals(missing + ": no such file", fails(missing, false));

        Path empty = Files.writeString(tmp.resolve("empty.pem"), "");
        assertEquals(empty + ": no PEM object found", fails(empty, true));

        Path garbled = Files.writeString(tmp.resolve("garbled.crt"), "-----BEGIN CERTIFICATE-----\n!!!not base64\n-----END CERTIFICATE-----\n");
        assertTrue(fails(garbled, false).startsWith(garbled + ": garbled PEM"));

        Path notDer = Files.writeString(tmp.resolve("notder.crt"), "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n");
        assertTrue(fails(notDer, false).startsWith(notDer + ": "));
    }

    @Test
    void certificateIsNotAKeyAndViceVersa() throws Exception {
        OverlayCa.init(tmp, false);
        assertEquals(tmp.resolve("ca.crt") + ": not an unencrypted PEM PRIVATE KEY", fails(tmp.resolve("ca.crt"), true));
        assertEquals(tmp.resolve("ca.key") + ": not a PEM CERTIFICATE", fails(tmp.resolve("ca.key"), false));
    }

    @Test
    void rejectsTwoObjectsInOneFile() throws Exception {
        OverlayCa.init(tmp, false);
        String crt = Files.readString(tmp.resolve("ca.crt"));
        Path both = Files.writeString(tmp.resolve("both.crt"), crt + crt);
        assertEquals(both + ": holds more than one PEM object", fails(both, false));
    }

    @Test
    void readsBackWhatItWrote() throws Exception {
        OverlayCa.init(tmp, false);
        var cert = Pem.readCertificate(tmp.resolve("ca.crt"));
        var key = Pem.readPrivateKey(tmp.resolve("ca.key"));
        Pem.writeCertificate(tmp.resolve("copy.crt"), cert, false);
        Pem.writePrivateKey(tmp.resolve("copy.key"), key, false);

        assertEquals(cert, Pem.readCertificate(tmp.resolve("copy.crt")));
        assertEquals(key, Pem.readPrivateKey(tmp.resolve("copy.key")));
        assertEquals("rw-------", OverlayCaTest.mode(tmp.resolve("copy.key")));
        assertEquals("rw-r--r--", OverlayCaTest.mode(tmp.resolve("copy.crt")));
    }
}
