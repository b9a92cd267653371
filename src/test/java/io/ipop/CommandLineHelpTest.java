package io.ipop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@code --help} of every command, {@code --version}, the completion script, and the one-line errors. */
class CommandLineHelpTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "run", "status", "ca", "ca init", "ca sign", "ca revoke", "init"})
    void everyCommandHasHelpWithAnExample(String command) {
        String[] args = (command + " --help").trim().split(" ");
        assertEquals(0, run(args), err());
        assertTrue(out().startsWith("usage: ipop-node " + command), out());
        assertTrue(out().contains("Example"), out());
        assertTrue(out().substring(out().indexOf("Example")).contains("ipop-node " + command), "the example uses the command: " + out());
        assertEquals("", err());
    }

    @Test
    void rootHelpListsEveryCommandAndTheCheckAndVersionExamples() {
        assertEquals(0, run("-h"));
        for (String s : new String[] {"run", "status", "ca", "init", "--check-config", "--version"}) {
            assertTrue(out().contains(s), s + " in " + out());
        }
        assertTrue(out().contains("ipop-node --config /etc/ipop-node/a.conf --check-config"), out());
    }

    @Test
    void versionNamesTheProgramAndTheJavaRuntime() {
        assertEquals(0, run("--version"));
        assertTrue(out().startsWith("ipop-node "), out());
        assertTrue(out().contains("Java " + Runtime.version().feature()), out());
    }

    @Test
    void bashCompletionCoversTheCommandsAndTheirOptions() {
        assertEquals(0, run("generate-completion"));
        assertTrue(out().contains("complete -F _complete_ipop-node"), out().lines().limit(5).toList().toString());
        for (String s : new String[] {"status", "init", "--check-config", "--peer", "--cacert", "revoke"}) {
            assertTrue(out().contains(s), s);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--config                          | ipop-node: --config needs a value",
        "--check-config                    | ipop-node: --config is required",
        "--bogus                           | ipop-node: unknown option --bogus",
        "frobnicate                        | ipop-node: unknown subcommand \"frobnicate\" (expected run, status, ca, init",
        "run --check-config                | ipop-node run: --config is required (see ipop-node run --help)",
        "run --config a --config b         | ipop-node run: --config given twice",
        "status --url                      | ipop-node status: --url needs a value (see ipop-node status --help)",
        "status --url 127.0.0.1:8558       | ipop-node status: --url must start with http:// or https://",
        "status --cacert /nonexistent/ca   | ipop-node status: --cacert /nonexistent/ca",
        "status --verbose                  | ipop-node status: unknown option --verbose for status",
        "ca sign --dir d --name a --ip x   | ipop-node ca: bad --ip \"x\"",
        "init --name a                     | ipop-node init: --ip is required (see ipop-node init --help)",
    })
    void badCommandLinesExitTwoWithOneLineNamingTheOption(String command, String expected) {
        assertEquals(2, run(command.trim().split(" +")), err());
        assertTrue(err().startsWith(expected), err());
        assertEquals(1, err().lines().count(), err());
        assertEquals("", out());
    }
}
