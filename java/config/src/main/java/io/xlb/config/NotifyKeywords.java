package io.xlb.config;

/** notify_master, notify_backup, notify_fault, notify_stop, notify: shared by sync groups and instances. */
final class NotifyKeywords {
    String master, backup, fault, stop, any;

    static KeywordTable<NotifyKeywords> table(Diagnostics d) {
        return new KeywordTable<NotifyKeywords>("notify", d)
                .command("notify_master", (b, x) -> b.master = x)
                .command("notify_backup", (b, x) -> b.backup = x)
                .command("notify_fault", (b, x) -> b.fault = x)
                .command("notify_stop", (b, x) -> b.stop = x)
                .command("notify", (b, x) -> b.any = x);
    }

    Notify build() {
        return new Notify(master, backup, fault, stop, any);
    }
}
