package io.xlb.config;

import java.util.ArrayList;
import java.util.List;

/** {@code vrrp_sync_group NAME { group { ... } notify... smtp_alert }}. */
final class SyncGroupReader {
    private static final class Builder {
        final List<String> members = new ArrayList<>();
        final NotifyKeywords notify = new NotifyKeywords();
        Boolean smtp;
    }

    private final KeywordTable<Builder> table;

    SyncGroupReader(Diagnostics d) {
        this.table = new KeywordTable<Builder>("vrrp_sync_group", d)
                .list("group", (b, m) -> {
                    b.members.add(m.keyword());
                    m.values().forEach(t -> b.members.add(t.text()));
                })
                .include(NotifyKeywords.table(d), b -> b.notify)
                .bool("smtp_alert", (b, x) -> b.smtp = x);
    }

    SyncGroup read(Node n) {
        return table.readNamed(n, name -> new Builder(),
                (name, b) -> new SyncGroup(name, b.members, b.notify.build(), b.smtp, n.pos()));
    }
}
