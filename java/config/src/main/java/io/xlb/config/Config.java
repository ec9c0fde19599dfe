package io.xlb.config;

import java.util.List;

/** A parsed and validated keepalived.conf: every element keeps the position it was written at. */
public record Config(GlobalDefs global, List<VrrpScript> vrrpScripts, List<SyncGroup> syncGroups,
                     List<VrrpInstance> vrrpInstances, List<VirtualServerGroup> virtualServerGroups,
                     List<VirtualServer> virtualServers, SourcePos pos) implements Model {
    public Config {
        vrrpScripts = List.copyOf(vrrpScripts);
        syncGroups = List.copyOf(syncGroups);
        vrrpInstances = List.copyOf(vrrpInstances);
        virtualServerGroups = List.copyOf(virtualServerGroups);
        virtualServers = List.copyOf(virtualServers);
    }
}
