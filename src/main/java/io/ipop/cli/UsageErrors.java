package io.ipop.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Reports a bad command line the way ipop-node always has: one line on standard error naming the option,
 * then exit {@link #USAGE}, e.g. {@code ipop-node ca: --dir is required (see ipop-node ca sign --help)}.
 * The prefix is the top-level command ({@code ipop-node}, {@code ipop-node ca}, {@code ipop-node status}).
 * A command's own check of a value throws a {@link ParameterException} with its message, which is printed
 * as it is.
 */
public final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    /** Exit status of a bad command line or configuration: nothing on the system was touched. */
    public static final int USAGE = 2;

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        cmd.getErr().println(prefix(cmd) + ": " + describe(ex, cmd) + " (see " + cmd.getCommandSpec().qualifiedName() + " --help)");
        cmd.getErr().flush();
        return USAGE;
    }

    /** {@code ipop-node} or {@code ipop-node SUBCOMMAND}: the name before every line the command prints. */
    public static String prefix(CommandLine cmd) {
        CommandLine top = cmd;
        while (top.getParent() != null && top.getParent().getParent() != null) {
            top = top.getParent();
        }
        return top.getParent() == null ? top.getCommandName() : top.getParent().getCommandName() + " " + top.getCommandName();
    }

    static String describe(ParameterException ex, CommandLine cmd) {
        if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            if (arg.startsWith("-")) {
                String where = cmd.getParent() == null ? "" : " for " + cmd.getCommandSpec().qualifiedName().replaceFirst("^\\S+ ", "");
                return "unknown option " + arg + where;
            }
            List<String> names = List.copyOf(cmd.getSubcommands().keySet());
            return names.isEmpty() ? "unexpected argument \"" + arg + "\""
                    : "unknown subcommand \"" + arg + "\" (expected " + alternatives(names) + ")";
        }
        if (ex instanceof OverwrittenOptionException o) {
            return name(o.getOverwritten()) + " given twice";
        }
        if (ex instanceof MissingParameterException m && !m.getMissing().isEmpty()) {
            String names = String.join(", ", m.getMissing().stream().map(UsageErrors::name).toList());
            return ex.getMessage().startsWith("Missing required option") ? names + " is required" : names + " needs a value";
        }
        if (ex.getArgSpec() != null && ex.getValue() != null && ex.getMessage().startsWith("Invalid value")) {
            String why = ex.getMessage().replaceFirst("^Invalid value for (option|positional parameter) '[^']*'( \\([^)]*\\))?: ", "");
            return "bad " + name(ex.getArgSpec()) + " \"" + ex.getValue() + "\": " + why;
        }
        return ex.getMessage().replace('\n', ' ');
    }

    private static String name(ArgSpec arg) {
        return arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel();
    }

    private static String alternatives(List<String> names) {
        return names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }
}
