package io.xlb.config;

import java.util.List;

/** A keyword with the values on its line and, when a block follows, its children. */
record Node(String keyword, List<Token> values, List<Node> children, boolean block, SourcePos pos) {
    Node {
        values = List.copyOf(values);
        children = List.copyOf(children);
    }
}
