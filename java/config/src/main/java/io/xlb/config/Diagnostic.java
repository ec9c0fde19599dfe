package io.xlb.config;

/** One message about a configuration: {@code file:line:col: error|warning: text}. */
public record Diagnostic(Severity severity, SourcePos pos, String message) {
    public enum Severity {
        ERROR, WARNING;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Override
    public String toString() {
        return pos + ": " + severity.label() + ": " + message;
    }
}
