package io.xlb.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The keywords of one block, as keepalived's {@code install_keyword("virtual_router_id", &handler)}
 * declares them: each keyword with the number of values it takes, their type and what it sets on
 * the builder {@code B}. {@link #read} dispatches a block's children to their entries: a keyword
 * that takes no block is refused one, an unknown keyword is warned about and ignored, and words past
 * a keyword's arity are warned about once, here, after its handler has read its values.
 */
final class KeywordTable<B> {
    /** The arity of a keyword whose handler checks its values itself (a command line, a boolean). */
    static final int ANY = -1;

    /** The general form: the handler reads the node's values and sets the builder. */
    interface Handler<B> {
        void read(B builder, Node node, Values values);
    }

    private record Entry<B>(int arity, boolean block, Handler<B> handler) {
    }

    private final String where;
    private final Diagnostics d;
    private final Map<String, Entry<B>> entries = new HashMap<>();
    private Predicate<String> unknownMayHaveBlock = k -> false;

    /** {@code where} names the block in the unknown keyword's warning ("global_defs", "url", ...). */
    KeywordTable(String where, Diagnostics d) {
        this.where = where;
        this.d = d;
    }

    // --- the common shapes ---

    /** {@code keyword WORD}. */
    KeywordTable<B> word(String name, String what, BiConsumer<B, String> set) {
        return keyword(name, 1, (b, n, v) -> set.accept(b, v.word(0, what)));
    }

    /** {@code keyword N}, N in min..max. */
    KeywordTable<B> integer(String name, long min, long max, String what, BiConsumer<B, Integer> set) {
        return keyword(name, 1, (b, n, v) -> set.accept(b, v.integer(0, min, max, what)));
    }

    /** {@code keyword SECONDS}, fractions allowed; zero too with {@code zeroAllowed}. */
    KeywordTable<B> seconds(String name, boolean zeroAllowed, BiConsumer<B, Duration> set) {
        return keyword(name, 1, (b, n, v) -> set.accept(b, v.seconds(0, zeroAllowed)));
    }

    /** {@code keyword ADDRESS}, an IPv4 or IPv6 literal. */
    KeywordTable<B> address(String name, BiConsumer<B, InetAddress> set) {
        return keyword(name, 1, (b, n, v) -> set.accept(b, v.address(0, "an address")));
    }

    /** {@code keyword PORT}. */
    KeywordTable<B> port(String name, BiConsumer<B, Integer> set) {
        return keyword(name, 1, (b, n, v) -> set.accept(b, v.port(0)));
    }

    /** {@code keyword WORD}, WORD one of {@code allowed}. */
    KeywordTable<B> oneOf(String name, Set<String> allowed, String what, BiConsumer<B, String> set) {
        return keyword(name, 1, (b, n, v) -> set.accept(b, v.oneOf(0, allowed, what)));
    }

    /** {@code keyword COMMAND LINE...}: every word after the keyword. */
    KeywordTable<B> command(String name, BiConsumer<B, String> set) {
        return keyword(name, ANY, (b, n, v) -> set.accept(b, v.rest(0, "a command")));
    }

    /** {@code keyword}, alone. */
    KeywordTable<B> flag(String name, Consumer<B> set) {
        return keyword(name, 0, (b, n, v) -> set.accept(b));
    }

    /** keepalived's {@code keyword [<BOOL>]}. */
    KeywordTable<B> bool(String name, BiConsumer<B, Boolean> set) {
        return keyword(name, ANY, (b, n, v) -> set.accept(b, v.bool()));
    }

    /** {@code keyword { ITEM ... }}: one item a line, each given to {@code item}. */
    KeywordTable<B> list(String name, BiConsumer<B, Node> item) {
        return block(name, (b, n, v) -> listBlock(n, d).forEach(i -> item.accept(b, i)));
    }

    /** {@code keyword ... { ... }}: a sub-block, read whole by its handler. */
    KeywordTable<B> block(String name, Handler<B> handler) {
        return put(name, new Entry<>(ANY, true, handler));
    }

    /** The general form: {@code arity} values at the most ({@link #ANY}: the handler checks). */
    KeywordTable<B> keyword(String name, int arity, Handler<B> handler) {
        return put(name, new Entry<>(arity, false, handler));
    }

    /** A second name for a keyword already declared. */
    KeywordTable<B> alias(String name, String of) {
        return put(name, entries.get(of));
    }

    /** Every keyword of {@code shared}, setting the part of this builder that {@code part} gives. */
    <S> KeywordTable<B> include(KeywordTable<S> shared, Function<B, S> part) {
        shared.entries.forEach((name, e) -> put(name, new Entry<>(e.arity(), e.block(),
                (b, n, v) -> e.handler().read(part.apply(b), n, v))));
        return this;
    }

    /** Unknown keywords whose block is not refused before the warning (keepalived's sub-blocks). */
    KeywordTable<B> unknownMayHaveBlock(Predicate<String> which) {
        unknownMayHaveBlock = which;
        return this;
    }

    private KeywordTable<B> put(String name, Entry<B> e) {
        if (entries.putIfAbsent(name, e) != null) {
            throw new IllegalStateException(name + " is declared twice in " + where);
        }
        return this;
    }

    // --- reading ---

    /** {@code keyword { ... }}: a new builder filled from the block, or null (said) when there is no block. */
    B readBlock(Node n, Supplier<B> builder) {
        if (!needsBlock(n, d)) {
            return null;
        }
        B b = builder.get();
        read(n, b);
        return b;
    }

    /**
     * {@code keyword NAME { ... }}: a builder made for the name, filled from the block and given to
     * {@code build} with the name; null (said) when there is no name or no block.
     */
    <R> R readNamed(Node n, Function<String, B> builder, BiFunction<String, B, R> build) {
        String name = blockName(n, d);
        if (name == null) {
            return null;
        }
        B b = builder.apply(name);
        read(n, b);
        return build.apply(name, b);
    }

    /** Reads the children of {@code block} into {@code builder}. */
    void read(Node block, B builder) {
        for (Node c : block.children()) {
            read(c, builder, entries.get(c.keyword()));
        }
    }

    private void read(Node c, B builder, Entry<B> e) {
        if (e == null ? !unknownMayHaveBlock.test(c.keyword()) : !e.block()) {
            noBlock(c, d);
        }
        if (e == null) {
            unknown(c, where, d);
            return;
        }
        Values v = new Values(c, d);
        e.handler().read(builder, c, v);
        if (e.arity() != ANY) {
            v.noMoreThan(e.arity());
        }
    }

    // --- what every block shares ---

    static void unknown(Node n, String where, Diagnostics d) {
        d.warning(n.pos(), "unknown keyword '" + n.keyword() + "' in " + where + ": ignored");
    }

    static boolean needsBlock(Node n, Diagnostics d) {
        if (!n.block()) {
            d.error(n.pos(), n.keyword() + " needs a block { ... }");
            return false;
        }
        return true;
    }

    static void noBlock(Node n, Diagnostics d) {
        if (n.block()) {
            d.error(n.pos(), n.keyword() + " takes no block");
        }
    }

    /** The values of a list block ({@code notification_email}, {@code unicast_peer}, ...): one per line. */
    static List<Node> listBlock(Node n, Diagnostics d) {
        if (!needsBlock(n, d)) {
            return List.of();
        }
        new Values(n, d).noMoreThan(0);
        return n.children();
    }

    /** {@code NAME { ... }}: the name of a named block, or null (said) when it has none or no block. */
    static String blockName(Node n, Diagnostics d) {
        Values head = new Values(n, d);
        String name = head.word(0, "a name");
        head.noMoreThan(1);
        return !needsBlock(n, d) || name == null ? null : name;
    }

    static <T> T orElse(T v, T fallback) {
        return v != null ? v : fallback;
    }

    static <T> void add(List<T> list, T item) {
        if (item != null) {
            list.add(item);
        }
    }
}
