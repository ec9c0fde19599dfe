package io.xlb.config;

/** One message about a configuration: {@code file:line:col: error|warning: text}. */
public record Diagnostic(Severity severity, SourcePos pos, String message) {
    public enum Severity {
        ERROR, WARNING;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
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
