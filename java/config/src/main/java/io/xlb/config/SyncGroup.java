package io.xlb.config;

import java.util.List;

/** {@code vrrp_sync_group NAME}: instances that change state together. */
public record SyncGroup(String name, List<String> group, Notify notifyScripts, Boolean smtpAlert, SourcePos pos) implements Model {
    public SyncGroup {
        group = List.copyOf(group);
    }
}
