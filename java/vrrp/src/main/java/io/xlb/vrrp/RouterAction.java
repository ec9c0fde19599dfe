package io.xlb.vrrp;

/** What the state machine asks its driver to do: send, or act on a change of state (VIPs, GARP, notify). */
public sealed interface RouterAction {
    record Send(VrrpAdvert advert) implements RouterAction {}

    record Transition(RouterState from, RouterState to) implements RouterAction {}
}
