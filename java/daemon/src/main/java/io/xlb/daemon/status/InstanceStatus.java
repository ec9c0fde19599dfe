package io.xlb.daemon.status;

import io.xlb.vrrp.VrrpSpeaker;

/** A running vrrp_instance: its name, interface and VRID, and its speaker's state and counters. */
public record InstanceStatus(String name, String interfaceName, int vrid, VrrpSpeaker.Status status) {}
