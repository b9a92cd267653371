package io.ipop;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The layering of docs/architecture.md ("Packages and floors"), checked on the production classes so
 * that it keeps holding: the build fails when a lower package imports a higher one, when packages form
 * a cycle, or when Pekko, JNR or Bouncy Castle leak out of the places that adapt them.
 */
class LayeringTest {
    /** Floors, lowest first. A package may import its own floor and the floors below, never one above. */
    static final List<List<String>> FLOORS = List.of(
            List.of("io.ipop.frame", "io.ipop.config", "io.ipop.counters"),
            List.of("io.ipop.wire", "io.ipop.underlay", "io.ipop.tap"),
            List.of("io.ipop.secure", "io.ipop.tap.linux"),
            List.of("io.ipop.route", "io.ipop.topology"),
            List.of("io.ipop.firewall"),
            List.of("io.ipop.dataplane"),
            List.of("io.ipop.peer"),
            List.of("io.ipop.nat", "io.ipop.discovery"),
            List.of("io.ipop.node"),
            List.of("io.ipop.management", "io.ipop.status", "io.ipop.cli", "io.ipop"));

    /** Packages of plain Java (sans-IO where they speak a protocol): no actors, no streams. */
    static final String[] PEKKO_FREE = {"io.ipop.frame", "io.ipop.config", "io.ipop.counters", "io.ipop.wire",
            "io.ipop.underlay", "io.ipop.tap", "io.ipop.tap.linux", "io.ipop.secure", "io.ipop.route", "io.ipop.topology", "io.ipop.firewall"};

    /**
     * The pure core of {@code secure}: the data path's AEAD, replay window and keys, and the decisions on
     * identities and nonces. No Bouncy Castle, no files or sockets: they take bytes and a time, return bytes
     * or a verdict. The rest of {@code secure} adapts Bouncy Castle (DTLS: DtlsHandshake, DtlsPeer, DtlsClient,
     * DtlsServer, DatagramQueue; X.509 and PEM: OverlayCa, PeerCertificates, Pem, GroupsExtension, HelloSigning)
     * or reads files and builds JSSE contexts (NodeIdentityLoader, NodeTls, TlsCredentials).
     */
    static final String[] SECURE_CORE = {"ReplayWindow", "SessionKeys", "Sealer", "Opener", "LinkCipher", "NonceCache",
            "AddressGrants", "SecureChannel", "PeerIdentity", "NodeIdentity", "Revocations", "VerifiedCertificates",
            "DtlsException", "PkiException"};

    /** The classes that adapt Bouncy Castle (see {@link #SECURE_CORE}). */
    static final String[] BOUNCY_CASTLE_ADAPTERS = {"DtlsHandshake", "DtlsPeer", "DtlsClient", "DtlsServer",
            "DatagramQueue", "OverlayCa", "PeerCertificates", "Pem", "GroupsExtension", "HelloSigning"};

    private static JavaClasses production;

    @BeforeAll
    static void importProduction() {
        // ArchUnit's own test filter expects target/test-classes; the build directory may be elsewhere (-Dipop.build.dir)
        production = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("/test-classes/"))
                .importPackages("io.ipop");
    }

    @Test
    void checksTheProductionClassesOnly() {
        assertTrue(production.contain(Main.class) && production.contain("io.ipop.secure.ReplayWindow"), "production classes imported");
        assertFalse(production.contain(LayeringTest.class), "test classes left out");
    }

    static List<ArchRule> floorRules() {
        List<ArchRule> rules = new ArrayList<>();
        for (int i = 0; i < FLOORS.size() - 1; i++) {
            List<String> lower = new ArrayList<>();
            FLOORS.subList(0, i + 1).forEach(lower::addAll);
            List<String> higher = new ArrayList<>();
            FLOORS.subList(i + 1, FLOORS.size()).forEach(higher::addAll);
            rules.add(noClasses().that().resideInAnyPackage(FLOORS.get(i).toArray(String[]::new))
                    .should().dependOnClassesThat().resideInAnyPackage(higher.toArray(String[]::new))
                    .as("floor " + i + " " + FLOORS.get(i) + " imports nothing above it")
                    .because("docs/architecture.md: a lower package never imports a higher one"));
        }
        return rules;
    }

    @TestFactory
    List<DynamicTest> noPackageImportsAHigherFloor() {
        return floorRules().stream().map(r -> DynamicTest.dynamicTest(r.getDescription(), () -> r.check(production))).toList();
    }

    static final ArchRule NO_CYCLES = slices().matching("io.ipop.(*)..").should().beFreeOfCycles()
            .as("the packages under io.ipop form no cycle");

    @Test
    void packagesFormNoCycle() {
        NO_CYCLES.check(production);
    }

    static final ArchRule NO_PEKKO = noClasses().that().resideInAnyPackage(PEKKO_FREE)
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko..", "scala..")
            .because("the per-packet logic and the protocol cores run and are tested without an ActorSystem");

    @Test
    void thePlainPackagesUseNoPekko() {
        NO_PEKKO.check(production);
    }

    static final ArchRule JNR_ONLY_IN_ADAPTERS = noClasses().that().resideOutsideOfPackage("io.ipop.tap.linux")
            .and(DescribedPredicate.describe("are not in underlay.UdpOffload",
                    (JavaClass c) -> !outer(c).equals("io.ipop.underlay.UdpOffload")))
            .should().dependOnClassesThat().resideInAnyPackage("jnr..")
            .because("JNR-FFI stays in the Linux bindings (tap.linux, underlay.UdpOffload); no JNR type leaks out");

    @Test
    void jnrStaysInTheLinuxBindings() {
        JNR_ONLY_IN_ADAPTERS.check(production);
    }

    static final ArchRule BOUNCY_CASTLE_ONLY_IN_ADAPTERS = noClasses()
            .that().resideOutsideOfPackage("io.ipop.secure")
            .or(DescribedPredicate.describe("a secure class that is no Bouncy Castle adapter",
                    (JavaClass c) -> c.getPackageName().equals("io.ipop.secure")
                            && Arrays.stream(BOUNCY_CASTLE_ADAPTERS).noneMatch(a -> outer(c).equals("io.ipop.secure." + a))))
            .should().dependOnClassesThat().resideInAnyPackage("org.bouncycastle..")
            .because("Bouncy Castle is adapted in secure's DTLS and X.509/PEM classes; the rest sees JDK types");

    @Test
    void bouncyCastleStaysInItsAdapters() {
        BOUNCY_CASTLE_ONLY_IN_ADAPTERS.check(production);
    }

    static final ArchRule SECURE_CORE_IS_PURE = noClasses()
            .that(DescribedPredicate.describe("are in the pure core of secure",
                    (JavaClass c) -> Arrays.stream(SECURE_CORE)
                            .anyMatch(a -> outer(c).equals("io.ipop.secure." + a))))
            .should().dependOnClassesThat().resideInAnyPackage("org.bouncycastle..", "org.apache.pekko..", "jnr..",
                    "java.nio.file..", "java.net..", "java.nio.channels..")
            .because("the AEAD framing, replay window and identity decisions take bytes and a time and do no I/O");

    @Test
    void theSecureCoreIsPure() {
        SECURE_CORE_IS_PURE.check(production);
    }

    /** The top-level class a (possibly nested or anonymous) class belongs to. */
    private static String outer(JavaClass c) {
        String name = c.getName();
        int dollar = name.indexOf('$');
        return dollar < 0 ? name : name.substring(0, dollar);
    }
}
