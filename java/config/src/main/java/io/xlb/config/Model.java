package io.xlb.config;

/** Marker for the configuration's records; see {@link Config}. */
public sealed interface Model permits Config, GlobalDefs, VrrpScript, SyncGroup, VrrpInstance, VirtualServerGroup,
        VirtualServer, RealServer, Checker {
    SourcePos pos();
}
