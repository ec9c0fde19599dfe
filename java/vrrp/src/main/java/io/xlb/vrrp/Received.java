package io.xlb.vrrp;

import java.net.InetAddress;

/** What decoding a received VRRP packet gave: an advertisement, or a reason to drop it. */
public sealed interface Received {
    /** A well-formed advertisement from {@code source} (the sender's primary address). */
    record Advert(VrrpAdvert advert, InetAddress source) implements Received {}

    record Dropped(DropReason reason, String detail) implements Received {}
}
