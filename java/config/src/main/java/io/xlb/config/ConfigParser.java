package io.xlb.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a keepalived.conf into a {@link Config}, with every problem as a {@link Diagnostic}.
 * A configuration with errors (or, under {@code strict}, warnings) must not be applied.
 */
public final class ConfigParser {
    private ConfigParser() {}

    /** The outcome: the configuration as far as it could be read, and the messages in file order. */
    public record Result(Config config, List<Diagnostic> diagnostics) {
        public Result {
            diagnostics = List.copyOf(diagnostics);
        }

        public boolean hasErrors(boolean strict) {
            return Diagnostic.anyError(diagnostics, strict);
        }

        /** The messages as shown: under {@code strict} a warning is an error. */
        public List<Diagnostic> shown(boolean strict) {
            return Diagnostic.shown(diagnostics, strict);
        }

        /** The configuration, only if it has no error. */
        public Config valid(boolean strict) {
            if (hasErrors(strict)) {
                throw new IllegalStateException("configuration has errors:\n" + String.join("\n",
                        shown(strict).stream().map(Diagnostic::toString).toList()));
            }
            return config;
        }
    }

    public static Result parse(Path file) {
        return parse(file, ConfigFiles.DISK);
    }

    /** The file and what it includes, read from {@code files}. */
    public static Result parse(Path file, ConfigFiles files) {
        return parse(file, files, g -> {});
    }

    /**
     * The same, telling {@code globalDefsRead} each global_defs block as soon as it is read, before
     * the rest of the file: what a caller can start on early (the daemon loads the dataplane with its
     * map sizes meanwhile). The last one told is the one in force; the file may still be refused.
     */
    public static Result parse(Path file, ConfigFiles files, Consumer<GlobalDefs> globalDefsRead) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        return interpret(Lexer.ofFile(file, files, diagnostics), diagnostics, new SourcePos(file.toString(), 1, 1),
                globalDefsRead);
    }

    /** For text that is not in a file (tests, the API): {@code name} stands for the file name. */
    public static Result parse(String name, String text) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        return interpret(Lexer.ofText(name, text, diagnostics), diagnostics, new SourcePos(name, 1, 1), g -> {});
    }

    /** Lexing, parsing and reading in one pass: each top-level block is read into records as soon as it is parsed. */
    private static Result interpret(Lexer tokens, List<Diagnostic> diagnostics, SourcePos filePos,
                                    Consumer<GlobalDefs> globalDefsRead) {
        Interpreter interpreter = new Interpreter(new Diagnostics(diagnostics), filePos, globalDefsRead);
        TreeParser.parse(tokens, diagnostics, interpreter::read);
        Config config = interpreter.config();
        List<Diagnostic> sorted = new ArrayList<>(diagnostics);
        sorted.sort(Comparator.comparing((Diagnostic x) -> x.pos().file()).thenComparingInt(x -> x.pos().line())
                .thenComparingInt(x -> x.pos().column()));
        return new Result(config, sorted);
    }
}
