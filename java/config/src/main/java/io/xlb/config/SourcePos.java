package io.xlb.config;

/** Where something was written: file, line and column, both 1-based. */
public record SourcePos(String file, int line, int column) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
