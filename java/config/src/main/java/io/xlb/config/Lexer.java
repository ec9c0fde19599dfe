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
 *
 * <p>Tokens are pulled one at a time ({@link #peek}, {@link #next}), a line at a time from the
 * text: a file of millions of lines is never held as tokens, only the line being read is. An
 * include is read where it stands, before the rest of the including file, as if pasted there.
 */
final class Lexer {
    private static final Pattern DEFINITION = Pattern.compile("^\\s*\\$([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.*?)\\s*$");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");
    /** Slots of the table of recent words (a power of two). */
    private static final int RECENT_WORDS = 1024;

    /** A file (or a text) being read: where its next line starts, and the includes of its last line still to read. */
    private static final class Source {
        final String name;
        final Path dir;
        final String text;
        final boolean included;
        int next;
        int lineNo = 1;
        /** The include line's patterns not yet expanded, in order. */
        final Deque<Token> patterns = new ArrayDeque<>();
        /** The files one pattern matched, not yet read, and where that pattern was written. */
        final Deque<Path> files = new ArrayDeque<>();
        SourcePos filesFrom;

        Source(String name, Path dir, String text, boolean included) {
            this.name = name;
            this.dir = dir;
            this.text = text;
            this.included = included;
        }
    }

    private final List<Diagnostic> diagnostics;
    private final Map<String, String> definitions = new HashMap<>();
    private final Deque<Path> including = new ArrayDeque<>();
    private final Deque<Source> open = new ArrayDeque<>();
    private final ConfigFiles files;
    /** The tokens of the line being read, and the next one to hand out. */
    private final List<Token> line = new ArrayList<>();
    private int at;
    /**
     * The words read last, by hash: the same keywords and values ("weight", "1", "80") come back on
     * most lines, and a node keeps its values' text, so a file of a million reals keeps one copy of
     * each instead of a million. A slot is overwritten by the next word that hashes to it.
     */
    private final String[] recent = new String[RECENT_WORDS];

    private Lexer(List<Diagnostic> diagnostics, ConfigFiles files) {
        this.diagnostics = diagnostics;
        this.files = files;
    }

    /** The tokens of {@code file} and what it includes; errors and warnings go to {@code diagnostics} as they are found. */
    static Lexer ofFile(Path file, ConfigFiles files, List<Diagnostic> diagnostics) {
        Lexer l = new Lexer(diagnostics, files);
        l.file(file, null);
        return l;
    }

    /** The tokens of a text that is not in a file: {@code name} stands for its file name. */
    static Lexer ofText(String name, String text, List<Diagnostic> diagnostics) {
        Lexer l = new Lexer(diagnostics, ConfigFiles.DISK);
        l.open.push(new Source(name, Path.of(name).toAbsolutePath().getParent(), text, false));
        return l;
    }

    /** The next token without taking it; null at the end of everything. */
    Token peek() {
        return at < line.size() || fill() ? line.get(at) : null;
    }

    /** The next token; null at the end of everything. */
    Token next() {
        return at < line.size() || fill() ? line.get(at++) : null;
    }

    /** Reads on until a line yields tokens (true) or every file is read (false). */
    private boolean fill() {
        line.clear();
        at = 0;
        while (!open.isEmpty()) {
            Source s = open.peek();
            if (!s.files.isEmpty()) {
                file(s.files.poll(), s.filesFrom);
            } else if (!s.patterns.isEmpty()) {
                include(s, s.patterns.poll());
            } else if (s.next < 0) {
                open.pop();
                if (s.included) {
                    including.pop();
                }
            } else {
                readLine(s);
                if (!line.isEmpty()) {
                    return true;
                }
            }
        }
        return false;
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
        open.push(new Source(file.toString(), canonical.getParent(), text, true));
    }

    private static String reason(IOException e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e instanceof java.nio.charset.CharacterCodingException ? "not UTF-8 text"
                : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The source's next line into {@link #line}. Lines end at \n (a \r before it is dropped). */
    private void readLine(Source s) {
        String text = s.text;
        int start = s.next;
        int end = text.indexOf('\n', start);
        int stop = end < 0 ? text.length() : end;
        if (end >= 0 && stop > start && text.charAt(stop - 1) == '\r') {
            stop--;
        }
        s.next = end < 0 ? -1 : end + 1;
        line(s, s.lineNo++, start, stop);
    }

    /** The line of {@code s.text} from {@code start} to {@code stop} (its end, without the newline). */
    private void line(Source s, int lineNo, int start, int stop) {
        String text = s.text;
        // A definition starts with $: most lines have none, and need no regular expression.
        // (Every search is bounded by the line's end: the text is the whole file.)
        if (text.indexOf('$', start, stop) >= 0) {
            Matcher def = DEFINITION.matcher(stripComment(text.substring(start, stop)));
            if (def.matches()) {
                definitions.put(def.group(1), def.group(2));
                return;
            }
        }
        words(s.name, lineNo, text, start, stop);
        if (line.isEmpty()) {
            return;
        }
        Token first = line.getFirst();
        if (first.kind() == Token.Kind.WORD && first.text().equals("include")) {
            if (line.size() < 2) {
                error(first.pos(), "include needs a file or a glob");
            } else {
                s.patterns.addAll(line.subList(1, line.size()));
            }
            line.clear();
            return;
        }
        line.add(new Token(Token.Kind.EOL, "", s.name, lineNo, stop - start + 1));
    }

    /** Expands one pattern of {@code s}'s include line into the files to read next. */
    private void include(Source s, Token pattern) {
        Path base;
        try {
            Path p = Path.of(pattern.text());
            base = p.isAbsolute() ? p : s.dir.resolve(p);
        } catch (InvalidPathException e) {
            error(pattern.pos(), "include " + pattern.text() + ": not a file name: " + e.getReason());
            return;
        }
        s.filesFrom = pattern.pos();
        String glob = base.getFileName() == null ? "" : base.getFileName().toString();
        if (!glob.contains("*") && !glob.contains("?") && !glob.contains("[")) {
            s.files.add(base);
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
        s.files.addAll(matches);
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

    /** The tokens of the line {@code raw[start, n)} into {@link #line}; columns count from {@code start}. */
    private void words(String file, int lineNo, String raw, int start, int n) {
        int i = start;
        while (i < n) {
            char c = raw.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#' || c == '!') {
                break;
            } else if (c == '{' || c == '}') {
                line.add(new Token(c == '{' ? Token.Kind.OPEN : Token.Kind.CLOSE, c == '{' ? "{" : "}", file, lineNo, i - start + 1));
                i++;
            } else if (c == '"') {
                int end = raw.indexOf('"', i + 1, n);
                if (end < 0) {
                    error(new SourcePos(file, lineNo, i - start + 1), "unterminated quoted string");
                    end = n;
                }
                line.add(new Token(Token.Kind.WORD, substitute(raw.substring(i + 1, end)), file, lineNo, i - start + 1));
                i = end + 1;
            } else {
                int from = i;
                boolean dollar = false;
                while (i < n) {
                    char w = raw.charAt(i);
                    if (Character.isWhitespace(w) || w == '{' || w == '}' || w == '#' || w == '!' || w == '"') {
                        break;
                    }
                    if (w == '$') {
                        dollar = true;
                        // ${NAME} is part of the word, not a block.
                        if (i + 1 < n && raw.charAt(i + 1) == '{') {
                            int close = raw.indexOf('}', i + 2, n);
                            if (close > 0) {
                                i = close + 1;
                                continue;
                            }
                        }
                    }
                    i++;
                }
                int column = from - start + 1;
                if (!dollar) {
                    line.add(new Token(Token.Kind.WORD, word(raw, from, i), file, lineNo, column)); // nothing to substitute
                    continue;
                }
                String word = substitute(raw.substring(from, i));
                // A definition may hold several words: they count as separate values.
                for (String part : WHITESPACE.split(word.trim())) {
                    if (!part.isEmpty()) {
                        line.add(new Token(Token.Kind.WORD, part, file, lineNo, column));
                    }
                }
            }
        }
    }

    /** {@code raw[from, to)}, the copy kept in {@link #recent} if it holds the same word. */
    private String word(String raw, int from, int to) {
        int h = 0;
        for (int k = from; k < to; k++) {
            h = 31 * h + raw.charAt(k);
        }
        int slot = (h ^ (h >>> 16)) & (RECENT_WORDS - 1);
        String known = recent[slot];
        int length = to - from;
        if (known != null && known.length() == length && raw.regionMatches(from, known, 0, length)) {
            return known;
        }
        String w = raw.substring(from, to);
        recent[slot] = w;
        return w;
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
