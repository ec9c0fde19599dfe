package io.xlb.config;

import java.util.List;

/** Collects messages while reading; the order is the order found. */
final class Diagnostics {
    private final List<Diagnostic> list;

    Diagnostics(List<Diagnostic> list) {
        this.list = list;
    }

    void error(SourcePos pos, String message) {
        list.add(new Diagnostic(Diagnostic.Severity.ERROR, pos, message));
    }

    void warning(SourcePos pos, String message) {
        list.add(new Diagnostic(Diagnostic.Severity.WARNING, pos, message));
    }
}
