package io.xlb.config;

import java.time.Duration;

/** {@code vrrp_script NAME { ... }}. */
final class VrrpScriptReader {
    private static final class Builder {
        String script, user, group;
        Duration interval = Duration.ofSeconds(1), timeout;
        int weight, rise = 1, fall = 1;
        boolean reverse;
    }

    private final Diagnostics d;
    private final KeywordTable<Builder> table;

    VrrpScriptReader(Diagnostics d) {
        this.d = d;
        this.table = new KeywordTable<Builder>("vrrp_script", d)
                .command("script", (b, x) -> b.script = x)
                .seconds("interval", false, (b, x) -> b.interval = KeywordTable.orElse(x, b.interval))
                .seconds("timeout", false, (b, x) -> b.timeout = x)
                .keyword("weight", 2, (b, n, v) -> {
                    b.weight = KeywordTable.orElse(v.integer(0, -253, 253, "a weight"), 0);
                    if (v.count() > 1) {
                        if (v.word(1, "reverse").equals("reverse")) {
                            b.reverse = true;
                        } else {
                            d.error(v.pos(1), "weight takes 'reverse' after the number, not '" + v.word(1, "") + "'");
                        }
                    }
                })
                .integer("rise", 1, 1000, "a count", (b, x) -> b.rise = KeywordTable.orElse(x, 1))
                .integer("fall", 1, 1000, "a count", (b, x) -> b.fall = KeywordTable.orElse(x, 1))
                .keyword("user", 2, (b, n, v) -> {
                    b.user = v.word(0, "a user");
                    b.group = v.count() > 1 ? v.word(1, "a group") : null;
                });
    }

    VrrpScript read(Node n) {
        return table.readNamed(n, name -> new Builder(), (name, b) -> build(name, b, n));
    }

    private VrrpScript build(String name, Builder b, Node n) {
        if (b.script == null) {
            d.error(n.pos(), "vrrp_script " + name + " has no script");
        }
        return new VrrpScript(name, b.script, b.interval, b.timeout != null ? b.timeout : b.interval, b.weight,
                b.reverse, b.rise, b.fall, b.user, b.group, n.pos());
    }
}
