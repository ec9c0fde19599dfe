package io.xlb.config;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * keepalived.conf's words: whitespace-separated, {@code "quoted strings"}, braces attached or
 * spaced, comments from {@code #} or {@code !} to the end of the line, {@code $NAME=value}
 * definitions and {@code $NAME} / {@code ${NAME}} substitution, and {@code include GLOB}
 * relative to the including file, with cycles reported. The end of each line is a token: a
 * keyword's values are the words on its line.
 */
final class Lexer {
    private static final Pattern DEFINITION = Pattern.compile("^\\s*\\$([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*?)\\s*$");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    private final List<Token> tokens = new ArrayList<>();
    private final List<Diagnostic> diagnostics;
    private final Map<String, String> definitions = new HashMap<>();
    private final Deque<Path> including = new ArrayDeque<>();
    private final ConfigFiles files;

    private Lexer(List<Diagnostic> diagnostics, ConfigFiles files) {
        this.diagnostics = diagnostics;
        this.files = files;
    }

    static List<Token> lexFile(Path file, ConfigFiles files, List<Diagnostic> diagnostics) {
        Lexer l = new Lexer(diagnostics, files);
        l.file(file, null);
        return l.tokens;
    }

    static List<Token> lexText(String name, String text, List<Diagnostic> diagnostics) {
        Lexer l = new Lexer(diagnostics, ConfigFiles.DISK);
        l.text(name, Path.of(name).toAbsolutePath().getParent(), text);
        return l.tokens;
    }

    private void file(Path file, SourcePos includedFrom) {
        Path canonical;
        String text;
        try {
            canonical = files.canonical(file);
            text = files.read(canonical);
        } catch (IOException e) {
            SourcePos at = includedFrom != null ? includedFrom : new SourcePos(file.toString(), 1, 1);
            error(at, "cannot read " + file + ": " + reason(e));
            return;
        }
        if (including.contains(canonical)) {
            error(includedFrom, "include cycle: " + file + " is already being read");
            return;
        }
        including.push(canonical);
        try {
            text(file.toString(), canonical.getParent(), text);
        } finally {
            including.pop();
        }
    }

    private static String reason(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof java.nio.charset.CharacterCodingException ? "not UTF-8 text"
                : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private void text(String name, Path dir, String text) {
        // Lines end at \n (a \r before it is dropped), as text.split("\r?\n", -1) cuts them, without the regex.
        int lineNo = 1;
        int start = 0;
        while (true) {
            int end = text.indexOf('\n', start);
            int stop = end < 0 ? text.length() : end;
            if (end >= 0 && stop > start && text.charAt(stop - 1) == '\r') {
                stop--;
            }
            line(name, dir, lineNo++, text.substring(start, stop));
            if (end < 0) {
                return;
            }
            start = end + 1;
        }
    }

    private void line(String file, Path dir, int lineNo, String raw) {
        // A definition starts with $: most lines have none, and need no regular expression.
        Matcher def = raw.indexOf('$') < 0 ? null : DEFINITION.matcher(stripComment(raw));
        if (def != null && def.matches()) {
            definitions.put(def.group(1), def.group(2));
            return;
        }
        List<Token> words = words(file, lineNo, raw);
        if (words.isEmpty()) {
            return;
        }
        Token first = words.getFirst();
        if (first.kind() == Token.Kind.WORD && first.text().equals("include")) {
            if (words.size() < 2) {
                error(first.pos(), "include needs a file or a glob");
                return;
            }
            for (Token pattern : words.subList(1, words.size())) {
                include(dir, pattern);
            }
            return;
        }
        tokens.addAll(words);
        tokens.add(new Token(Token.Kind.EOL, "", new SourcePos(file, lineNo, raw.length() + 1)));
    }

    private void include(Path dir, Token pattern) {
        Path base;
        try {
            Path p = Path.of(pattern.text());
            base = p.isAbsolute() ? p : dir.resolve(p);
        } catch (InvalidPathException e) {
            error(pattern.pos(), "include " + pattern.text() + ": not a file name: " + e.getReason());
            return;
        }
        String glob = base.getFileName() == null ? "" : base.getFileName().toString();
        if (!glob.contains("*") && !glob.contains("?") && !glob.contains("[")) {
            file(base, pattern.pos());
            return;
        }
        Path parent = base.getParent();
        PathMatcher matcher;
        try {
            matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (PatternSyntaxException e) {
            error(pattern.pos(), "include " + pattern.text() + ": not a valid glob: " + e.getDescription());
            return;
        }
        List<Path> matches = new ArrayList<>();
        if (parent != null) {
            try {
                files.list(parent).stream().filter(e -> matcher.matches(e.getFileName())).forEach(matches::add);
            } catch (IOException e) {
                error(pattern.pos(), "cannot list " + parent + ": " + reason(e));
                return;
            }
        }
        if (matches.isEmpty()) {
            warning(pattern.pos(), "include " + pattern.text() + " matches no file");
        }
        matches.forEach(m -> file(m, pattern.pos()));
    }

    /** The line up to its first comment character outside quotes. */
    private static String stripComment(String raw) {
        boolean quoted = false;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && (c == '#' || c == '!')) {
                return raw.substring(0, i);
            }
        }
        return raw;
    }

    private List<Token> words(String file, int lineNo, String raw) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = raw.length();
        while (i < n) {
            char c = raw.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#' || c == '!') {
                break;
            } else if (c == '{' || c == '}') {
                out.add(new Token(c == '{' ? Token.Kind.OPEN : Token.Kind.CLOSE, String.valueOf(c), new SourcePos(file, lineNo, i + 1)));
                i++;
            } else if (c == '"') {
                int end = raw.indexOf('"', i + 1);
                if (end < 0) {
                    error(new SourcePos(file, lineNo, i + 1), "unterminated quoted string");
                    end = n;
                }
                out.add(new Token(Token.Kind.WORD, substitute(raw.substring(i + 1, Math.min(end, n))), new SourcePos(file, lineNo, i + 1)));
                i = end + 1;
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(raw.charAt(i)) && raw.charAt(i) != '{' && raw.charAt(i) != '}'
                        && raw.charAt(i) != '#' && raw.charAt(i) != '!' && raw.charAt(i) != '"') {
                    // ${NAME} is part of the word, not a block.
                    if (raw.charAt(i) == '$' && i + 1 < n && raw.charAt(i + 1) == '{') {
                        int close = raw.indexOf('}', i + 2);
                        if (close > 0) {
                            i = close + 1;
                            continue;
                        }
                    }
                    i++;
                }
                String text = raw.substring(start, i);
                SourcePos pos = new SourcePos(file, lineNo, start + 1);
                if (text.indexOf('$') < 0) {
                    out.add(new Token(Token.Kind.WORD, text, pos)); // nothing to substitute: one word, no space in it
                    continue;
                }
                String word = substitute(text);
                // A definition may hold several words: they count as separate values.
                for (String part : WHITESPACE.split(word.trim())) {
                    if (!part.isEmpty()) {
                        out.add(new Token(Token.Kind.WORD, part, pos));
                    }
                }
            }
        }
        return out;
    }

    private String substitute(String word) {
        if (word.indexOf('$') < 0) {
            return word;
        }
        Matcher m = REFERENCE.matcher(word);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = definitions.get(name);
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private void error(SourcePos pos, String message) {
        diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, pos, message));
    }

    private void warning(SourcePos pos, String message) {
        diagnostics.add(new Diagnostic(Diagnostic.Severity.WARNING, pos, message));
    }
}
