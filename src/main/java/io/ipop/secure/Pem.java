package io.ipop.secure;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemGenerationException;

/**
 * PEM files of the overlay PKI: one X.509 certificate ({@code CERTIFICATE}) or one unencrypted private key
 * ({@code PRIVATE KEY}, PKCS#8; {@code EC PRIVATE KEY} is also read). Every error names the file.
 * Stateless and thread-safe.
 */
public final class Pem {
    /** PKI files are small; anything larger is not one of ours. */
    private static final long MAX_FILE = 64 * 1024;
    private static final FileAttribute<?> PRIVATE = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<?> PUBLIC = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

    private Pem() {
    }

    public static X509Certificate readCertificate(Path file) throws PkiException {
        if (!(readSingle(file) instanceof X509CertificateHolder holder)) {
            throw new PkiException(file + ": not a PEM CERTIFICATE");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new PkiException(file + ": unreadable certificate: " + e.getMessage(), e);
        }
    }

    public static PrivateKey readPrivateKey(Path file) throws PkiException {
        Object o = readSingle(file);
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
        } catch (IOException e) {
            throw new PkiException(file + ": unreadable private key: " + e.getMessage(), e);
        }
        throw new PkiException(file + ": not an unencrypted PEM PRIVATE KEY");
    }

    /** Writes with mode 0644. Without {@code replace}, fails if the file exists (checked atomically on create). */
    public static void writeCertificate(Path file, X509Certificate certificate, boolean replace) throws PkiException {
        write(file, encode(certificate), PUBLIC, replace);
    }

    /**
     * Writes PKCS#8 PEM with mode 0600, set when the file is created so the key is never readable by others,
     * even briefly. Without {@code replace}, fails if the file exists; with it, replaces it by an atomic rename.
     */
    public static void writePrivateKey(Path file, PrivateKey key, boolean replace) throws PkiException {
        try {
            write(file, encode(new JcaPKCS8Generator(key, null)), PRIVATE, replace);
        } catch (PemGenerationException e) {
            throw new PkiException(file + ": cannot encode private key: " + e.getMessage(), e);
        }
    }

    /** The one PEM object in {@code file}. */
    private static Object readSingle(Path file) throws PkiException {
        String text;
        try {
            if (Files.size(file) > MAX_FILE) {
                throw new PkiException(file + ": too large for a PEM certificate or key");
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new PkiException(file + ": no such file");
        } catch (IOException e) {
            throw new PkiException(file + ": cannot read: " + e, e);
        }
        try (PEMParser parser = new PEMParser(new StringReader(text))) {
            Object first = parser.readObject();
            if (first == null) {
                throw new PkiException(file + ": no PEM object found");
            }
            if (parser.readObject() != null) {
                throw new PkiException(file + ": holds more than one PEM object");
            }
            return first;
        } catch (IOException | RuntimeException e) {
            // Bouncy Castle reports bad base64 and bad ASN.1 with several unchecked exception types.
            throw new PkiException(file + ": garbled PEM: " + e.getMessage(), e);
        }
    }

    private static String encode(Object pemObject) throws PkiException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(pemObject);
        } catch (IOException e) {
            throw new PkiException("cannot PEM-encode " + pemObject.getClass().getSimpleName(), e);
        }
        return text.toString();
    }

    private static void write(Path file, String text, FileAttribute<?> mode, boolean replace) throws PkiException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        Path target = file.toAbsolutePath();
        Path temp = null;
        try {
            if (replace) {
                temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp", mode);
                writeAll(temp, bytes, Set.of(StandardOpenOption.WRITE));
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                temp = null;
            } else {
                writeAll(target, bytes, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), mode);
            }
        } catch (FileAlreadyExistsException e) {
            throw new PkiException(file + " exists; use --force to replace it");
        } catch (IOException | UnsupportedOperationException e) {
            throw new PkiException(file + ": cannot write: " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: a failed write already reported the real cause
                }
            }
        }
    }

    private static void writeAll(Path path, ByteBuffer bytes, Set<StandardOpenOption> options, FileAttribute<?>... mode)
            throws IOException {
        boolean created = options.contains(StandardOpenOption.CREATE_NEW);
        try (FileChannel ch = FileChannel.open(path, options, mode)) {
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        } catch (IOException e) {
            if (created && !(e instanceof FileAlreadyExistsException)) {
                Files.deleteIfExists(path);
            }
            throw e;
        }
    }
}
