package io.xlb.config;

/** One message about a configuration: {@code file:line:col: error|warning: text}. */
public record Diagnostic(Severity severity, SourcePos pos, String message) {
    public enum Severity {
        ERROR, WARNING;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Whether {@code all} holds an error (under {@code strict}, a warning too). */
    public static boolean anyError(java.util.List<Diagnostic> all, boolean strict) {
        return all.stream().anyMatch(x -> x.severity == Severity.ERROR || (strict && x.severity == Severity.WARNING));
    }

    /** The messages as shown: under {@code strict} a warning is an error. */
    public static java.util.List<Diagnostic> shown(java.util.List<Diagnostic> all, boolean strict) {
        return all.stream().map(x -> strict && x.severity == Severity.WARNING
                ? new Diagnostic(Severity.ERROR, x.pos, x.message) : x).toList();
    }

    /** One line: control characters and line separators quoted from the file (a CR, a NUL) are written as escapes. */
    @Override
    public String toString() {
        return pos + ": " + severity.label() + ": " + printable(message);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                b.append("\\r");
            } else if (c == '\n') {
                b.append("\\n");
            } else if ((Character.isISOControl(c) && c != '\t') || c == '\u2028' || c == '\u2029') {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
