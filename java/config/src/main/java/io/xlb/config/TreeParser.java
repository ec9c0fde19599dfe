package io.xlb.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns tokens into a tree of nodes: a line is a keyword and its values; a {@code {} opens the
 * block of the keyword before it (on the same line or the line above), {@code }} closes it.
 * Unbalanced braces are errors at the brace (or at the keyword whose block never closes).
 *
 * <p>The top level is handed on node by node as each is complete (once the next line shows no
 * {@code {} for it), so a file's tree is never whole in memory: a large file is mostly
 * virtual_servers, each read into its record and dropped before the next is parsed.
 */
final class TreeParser {
    /** keepalived's deepest blocks are four levels down (virtual_server, real_server, HTTP_GET, url). */
    static final int MAX_DEPTH = 64;

    private final Lexer tokens;
    private final List<Diagnostic> diagnostics;
    private int depth;
    /** The values of the statement being read: a statement's values are all read before its block is. */
    private final List<Token> words = new ArrayList<>();

    private TreeParser(Lexer tokens, List<Diagnostic> diagnostics) {
        this.tokens = tokens;
        this.diagnostics = diagnostics;
    }

    /** Every top-level node of {@code tokens}, in order, to {@code top}. */
    static void parse(Lexer tokens, List<Diagnostic> diagnostics, Consumer<Node> top) {
        new TreeParser(tokens, diagnostics).nodes(null, top);
    }

    /**
     * Nodes until the matching close brace (or the end when {@code owner} is null), each to
     * {@code out}. The last one is held back until the next token: a brace on the next line may
     * still open its block.
     */
    private void nodes(Node owner, Consumer<Node> out) {
        Node last = null;
        for (Token t = tokens.peek(); t != null; t = tokens.peek()) {
            switch (t.kind()) {
                case EOL -> tokens.next();
                case CLOSE -> {
                    tokens.next();
                    if (owner == null) {
                        diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, t.pos(), "'}' without a block to close"));
                        continue;
                    }
                    if (last != null) {
                        out.accept(last);
                    }
                    return;
                }
                case OPEN -> {
                    // A brace on a line of its own opens the block of the keyword just above.
                    tokens.next();
                    if (last == null || last.block()) {
                        diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, t.pos(), "'{' without a keyword before it"));
                        block(new Node("", List.of(), List.of(), true, t.pos()), t);
                    } else {
                        Node shell = new Node(last.keyword(), last.values(), List.of(), true, last.pos());
                        last = new Node(last.keyword(), last.values(), block(shell, t), true, last.pos());
                    }
                }
                case WORD -> {
                    if (last != null) {
                        out.accept(last);
                    }
                    last = statement();
                }
            }
        }
        if (last != null) {
            out.accept(last);
        }
        if (owner != null) {
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, owner.pos(),
                    "block of '" + owner.keyword() + "' is not closed: missing '}'"));
        }
    }

    /**
     * The nodes of the block that {@code open} (already consumed) starts. Past {@link #MAX_DEPTH}
     * levels the block is an error and skipped to its closing brace, without recursing further.
     */
    private List<Node> block(Node owner, Token open) {
        if (depth >= MAX_DEPTH) {
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, open.pos(),
                    "blocks nested more than " + MAX_DEPTH + " deep: this block is ignored"));
            int nested = 0;
            for (Token t = tokens.next(); t != null; t = tokens.next()) {
                if (t.kind() == Token.Kind.OPEN) {
                    nested++;
                } else if (t.kind() == Token.Kind.CLOSE && nested-- == 0) {
                    return List.of();
                }
            }
            diagnostics.add(new Diagnostic(Diagnostic.Severity.ERROR, owner.pos(),
                    "block of '" + owner.keyword() + "' is not closed: missing '}'"));
            return List.of();
        }
        depth++;
        try {
            List<Node> children = new ArrayList<>();
            nodes(owner, children::add);
            return children;
        } finally {
            depth--;
        }
    }

    /** A keyword, its values to the end of the line, and its block if a brace follows on the line. */
    private Node statement() {
        Token keyword = tokens.next();
        SourcePos pos = keyword.pos();
        words.clear();
        for (Token t = tokens.peek(); t != null; t = tokens.peek()) {
            if (t.kind() == Token.Kind.WORD) {
                words.add(t);
                tokens.next();
            } else if (t.kind() == Token.Kind.OPEN) {
                tokens.next();
                List<Token> values = List.copyOf(words);
                Node shell = new Node(keyword.text(), values, List.of(), true, pos);
                return new Node(keyword.text(), values, block(shell, t), true, pos);
            } else {
                break; // EOL or CLOSE: the statement ends; a CLOSE is left for the caller
            }
        }
        return new Node(keyword.text(), List.copyOf(words), List.of(), false, pos);
    }
}
