package io.xlb.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns tokens into a tree of nodes: a line is a keyword and its values; a {@code {} opens the
 * block of the keyword before it (on the same line or the line above), {@code }} closes it.
 * Unbalanced braces are errors at the brace (or at the keyword whose block never closes).
 */
final class TreeParser {
    /** keepalived's deepest blocks are four levels down (virtual_server, real_server, HTTP_GET, url). */
    static final int MAX_DEPTH = 64;

    private final List<Token> tokens;
    private final List<Diagnostic> diagnostics;
    private int at;
    private int depth;

    private TreeParser(List<Token> tokens, List<Diagnostic> diagnostics) {
        this.tokens = tokens;
        this.diagnostics = diagnostics;
    }

    static List<Node> parse(List<Token> tokens, List<Diagnostic> diagnostics) {
        TreeParser p = new TreeParser(tokens, diagnostics);
        List<Node> top = p.nodes(null);
        return top;
    }

    /** Nodes until the matching close brace (or the end when {@code owner} is null). */
    private List<Node> nodes(Node owner) {
        List<Node> out = new ArrayList<>();
        while (at < tokens.size()) {
            Token t = tokens.get(at);
            switch (t.kind()) {
                case EOL -> at++;
                case CLOSE -> {
                    at++;
                    if (owner == null) {
                        diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, t.pos(), "'}' without a block to close"));
                        continue;
                    }
                    return out;
                }
                case OPEN -> {
                    // A brace on a line of its own opens the block of the keyword just above.
                    at++;
                    if (out.isEmpty() || out.getLast().block()) {
                        diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, t.pos(), "'{' without a keyword before it"));
                        block(new Node("", List.of(), List.of(), true, t.pos()), t);
                    } else {
                        Node last = out.removeLast();
                        Node shell = new Node(last.keyword(), last.values(), List.of(), true, last.pos());
                        out.add(new Node(last.keyword(), last.values(), block(shell, t), true, last.pos()));
                    }
                }
                case WORD -> out.add(statement());
            }
        }
        if (owner != null) {
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, owner.pos(),
                    "block of '" + owner.keyword() + "' is not closed: missing '}'"));
        }
        return out;
    }

    /**
     * The nodes of the block that {@code open} (already consumed) starts. Past {@link #MAX_DEPTH}
     * levels the block is an error and skipped to its closing brace, without recursing further.
     */
    private List<Node> block(Node owner, Token open) {
        if (depth >= MAX_DEPTH) {
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, open.pos(),
                    "blocks nested more than " + MAX_DEPTH + " deep: this block is ignored"));
            for (int nested = 0; at < tokens.size(); at++) {
                Token.Kind k = tokens.get(at).kind();
                if (k == Token.Kind.OPEN) {
                    nested++;
                } else if (k == Token.Kind.CLOSE && nested-- == 0) {
                    at++;
                    return List.of();
                }
            }
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, owner.pos(),
                    "block of '" + owner.keyword() + "' is not closed: missing '}'"));
            return List.of();
        }
        depth++;
        try {
            return nodes(owner);
        } finally {
            depth--;
        }
    }

    /** A keyword, its values to the end of the line, and its block if a brace follows on the line. */
    private Node statement() {
        Token keyword = tokens.get(at++);
        List<Token> values = new ArrayList<>();
        while (at < tokens.size()) {
            Token t = tokens.get(at);
            if (t.kind() == Token.Kind.WORD) {
                values.add(t);
                at++;
            } else if (t.kind() == Token.Kind.OPEN) {
                at++;
                Node shell = new Node(keyword.text(), values, List.of(), true, keyword.pos());
                return new Node(keyword.text(), values, block(shell, t), true, keyword.pos());
            } else {
                break; // EOL or CLOSE: the statement ends; a CLOSE is left for the caller
            }
        }
        return new Node(keyword.text(), values, List.of(), false, keyword.pos());
    }
}
