package io.xlb.config;

/**
 * A word, a brace or the end of a line, with where it started. The position is kept as its parts
 * rather than as a {@link SourcePos}: a large file has tens of millions of tokens, and one object
 * less per token is a third less to allocate; {@link #pos()} builds the position when it is needed.
 */
record Token(Kind kind, String text, String file, int line, int column) {
    enum Kind { WORD, OPEN, CLOSE, EOL }

    SourcePos pos() {
        return new SourcePos(file, line, column);
    }
}
