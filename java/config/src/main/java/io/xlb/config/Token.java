package io.xlb.config;

/** A word, a brace or the end of a line, with where it started. */
record Token(Kind kind, String text, SourcePos pos) {
    enum Kind { WORD, OPEN, CLOSE, EOL }
}
