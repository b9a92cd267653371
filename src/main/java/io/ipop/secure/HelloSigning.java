package io.ipop.secure;

import io.ipop.wire.ControlMessage;
import io.ipop.wire.ControlMessage.ConReq;
import io.ipop.wire.ControlMessage.Hello;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Signs and verifies {@code con_req}/{@code con_resp}. The signature (SHA256withECDSA, by the key of
 * the certificate in the hello) covers every field but {@code sig} itself, in a fixed text form:
 *
 * <pre>
 * ipop-hello/1 \n type \n v \n node \n instance \n ip \n mac \n groups joined by ',' \n nonce \n index \n ts \n
 * secure ("true" | "false" | "-") \n echo (or "-") \n cert \n to (the receiver's name, or "-")
 * [\n "cands:" candidates joined by ','   -- only when the hello has candidates]
 * [\n "birthday:true"                    -- only in a con_req that asks for birthday probing]
 * </pre>
 *
 * A hello without candidates (or without {@code birthday}) signs exactly the bytes older builds sign, so they verify
 * each other.
 *
 * Names, instances, groups, nonces and {@code to} are tokens of {@code A-Z a-z 0-9 . _ -}: checked when the
 * message is built or decoded, and again here (a hello that breaks it is neither signed nor verified), so no
 * separator ({@code \n}, {@code ,}, {@code :}) can occur inside a field and the form is unambiguous: no two
 * different hellos sign the same bytes. Thread-safe.
 */
public final class HelloSigning {
    private static final String ALGORITHM = "SHA256withECDSA";
    /**
     * Bouncy Castle's ECDSA, not the JDK's: a P-256 verification costs about a quarter of the JDK 17 one here
     * (200 against 900 µs on this machine), and every hello that passes the cheap checks costs one
     * (docs/security.md, "Attacks and defences: link setup"). Not registered globally.
     */
    private static final Provider PROVIDER = new BouncyCastleProvider();

    private HelloSigning() {
    }

    /**
     * The bytes the signature covers.
     *
     * @throws IllegalArgumentException if a field that must be a token is not one
     */
    public static byte[] canonical(Hello h) {
        tokens(h);
        String text = String.join("\n",
                "ipop-hello/1",
                h instanceof ConReq ? "con_req" : "con_resp",
                Integer.toString(h.v()), h.node(), h.instance(), h.ip(), h.mac(), String.join(",", h.groups()),
                h.nonce(), Integer.toString(h.index()), Long.toString(h.ts()),
                h.secure() == null ? "-" : h.secure().toString(),
                h.echo() == null ? "-" : h.echo(),
                h.cert() == null ? "-" : h.cert(),
                h.to() == null ? "-" : h.to());
        if (h.cands() != null) {
            text = text + "\ncands:" + String.join(",", h.cands());
        }
        if (h instanceof ConReq req && req.asksBirthday()) {
            text = text + "\nbirthday:true";
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void tokens(Hello h) {
        boolean ok = ControlMessage.isToken(h.node()) && ControlMessage.isToken(h.instance())
                && ControlMessage.isToken(h.nonce()) && h.groups().stream().allMatch(ControlMessage::isToken)
                && (h.echo() == null || ControlMessage.isToken(h.echo())) && (h.to() == null || ControlMessage.isToken(h.to()))
                && noSeparator(h.ip()) && noSeparator(h.mac()) && (h.cert() == null || noSeparator(h.cert()))
                && (h.cands() == null || h.cands().stream().allMatch(HelloSigning::noSeparator));
        if (!ok) {
            throw new IllegalArgumentException("a hello field holds a character outside its token set");
        }
    }

    private static boolean noSeparator(String s) {
        return s.indexOf('\n') < 0 && s.indexOf(',') < 0;
    }

    /** The same hello with its {@code sig} set. */
    public static Hello sign(Hello h, PrivateKey key) {
        try {
            Signature s = Signature.getInstance(ALGORITHM, PROVIDER);
            s.initSign(key);
            s.update(canonical(h));
            return h.withSig(Base64.getEncoder().encodeToString(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a hello with this node's key", e);
        }
    }

    /** True if {@code h.sig()} is a valid signature of {@code h} by {@code key}. Never throws. */
    public static boolean verify(Hello h, PublicKey key) {
        if (h.sig() == null) {
            return false;
        }
        try {
            Signature s = Signature.getInstance(ALGORITHM, PROVIDER);
            s.initVerify(key);
            s.update(canonical(h));
            return s.verify(Base64.getDecoder().decode(h.sig()));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
