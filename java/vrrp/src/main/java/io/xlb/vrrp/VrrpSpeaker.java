package io.xlb.vrrp;

import io.xlb.sys.RawIp6Socket;
import io.xlb.sys.RawIpSocket;
import io.xlb.sys.RawSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one {@link VirtualRouter} on the wire: IPv4 multicast to 224.0.0.18 on its interface through
 * a raw protocol-112 socket. The router is only touched on one thread (the speaker's scheduler);
 * a receiver thread decodes datagrams and hands them over. State changes go to the listener on
 * that thread, in order.
 */
public final class VrrpSpeaker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.xlb.vrrp");
    private static final Duration RECEIVE_POLL = Duration.ofMillis(200);

    /** Told of every state change (VIPs, gratuitous ARP, notify scripts). */
    public interface Listener {
        void changed(RouterSettings settings, RouterState from, RouterState to);
    }

    /** What {@code xlb status} shows of an instance. */
    public record Status(String name, String state, int priority, Optional<InetAddress> master, long advertsSent,
            long advertsReceived, long becameMaster, Map<DropReason, Long> drops) {}

    private final VirtualRouter router;
    private final InstantSource clock;
    private final Listener listener;
    private final RawSocket socket;
    private final InetAddress primary;
    /** The multicast group, or each unicast peer. */
    private final List<InetAddress> destinations;
    private final ScheduledExecutorService loop;
    private final ExecutorService receiver;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private volatile boolean running = true;
    private volatile Status status;
    private ScheduledFuture<?> timer;

    private VrrpSpeaker(RouterSettings settings, RawSocket socket, InstantSource clock, Listener listener,
                        List<InetAddress> destinations) {
        this.destinations = destinations;
        this.router = new VirtualRouter(settings);
        this.socket = socket;
        this.primary = settings.primary();
        this.clock = clock;
        this.listener = listener;
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("vrrp-" + settings.name()).daemon(true).unstarted(r));
        this.receiver = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("vrrp-rx-" + settings.name()).daemon(true).unstarted(r));
        this.status = snapshot();
    }

    /** Opens the socket on {@code ifname} and starts the router (as backup, unless it owns the addresses). */
    public static VrrpSpeaker start(RouterSettings settings, String ifname, int ifindex, InstantSource clock, Listener listener) {
        return start(settings, ifname, ifindex, List.of(), clock, listener);
    }

    /**
     * As above; with {@code unicastPeers} (keepalived's unicast_peer) adverts go to each peer instead of
     * the multicast group, from the primary address, and are received on it.
     */
    public static VrrpSpeaker start(RouterSettings settings, String ifname, int ifindex, List<Inet4Address> unicastPeers,
                                    InstantSource clock, Listener listener) {
        boolean v6 = settings.addresses().getFirst() instanceof Inet6Address;
        if (v6 != settings.primary() instanceof Inet6Address) {
            throw new IllegalArgumentException(settings.name() + ": the primary address and the virtual addresses differ in family");
        }
        if (v6 && !unicastPeers.isEmpty()) {
            throw new IllegalArgumentException(settings.name() + ": unicast peers over IPv6 are not implemented yet");
        }
        RawSocket socket;
        List<InetAddress> destinations;
        if (v6) {
            // The kernel sends from the interface's link-local address, as RFC 5798 §5.1.2.1 asks.
            socket = RawIp6Socket.open(VrrpCodec.IP_PROTOCOL, ifname, ifindex, Optional.of((Inet6Address) VrrpCodec.GROUP_V6),
                    RECEIVE_POLL);
            destinations = List.of(VrrpCodec.GROUP_V6);
        } else {
            socket = RawIpSocket.open(VrrpCodec.IP_PROTOCOL, ifname, ifindex, (Inet4Address) settings.primary(),
                    unicastPeers.isEmpty() ? Optional.of((Inet4Address) VrrpCodec.GROUP_V4) : Optional.empty(), RECEIVE_POLL);
            destinations = unicastPeers.isEmpty() ? List.of(VrrpCodec.GROUP_V4) : List.copyOf(unicastPeers);
        }
        VrrpSpeaker s = new VrrpSpeaker(settings, socket, clock, listener, destinations);
        s.loop.execute(() -> s.handle(s.router.start(clock.instant())));
        s.receiver.execute(s::receiveLoop);
        return s;
    }

    public Status status() {
        return status;
    }

    public RouterSettings settings() {
        return router.settings();
    }

    /** Tracked interfaces and scripts changed: fault, recover, or a new priority (see {@link Tracking}). */
    public void track(Tracking.Effect effect) {
        loop.execute(() -> {
            Instant now = clock.instant();
            if (effect.fault()) {
                handle(router.fault(now));
            } else {
                handle(router.setPriority(now, effect.priority()));
                handle(router.recover(now));
            }
        });
    }

    /** A sync-group peer became master. */
    public void forceMaster() {
        loop.execute(() -> handle(router.forceMaster(clock.instant())));
    }

    /** A sync-group peer fell back to backup. */
    public void forceBackup() {
        loop.execute(() -> handle(router.forceBackup(clock.instant())));
    }

    /** A sync-group peer went to fault. */
    public void fault() {
        loop.execute(() -> handle(router.fault(clock.instant())));
    }

    private void receiveLoop() {
        while (running) {
            try {
                Optional<RawSocket.Datagram> d = socket.receive();
                if (d.isEmpty()) {
                    continue;
                }
                RawSocket.Datagram g = d.get();
                if (g.source().equals(primary)) {
                    continue; // our own advert looped back by another socket on this host
                }
                Received r = VrrpCodec.decode(g.payload(), g.ttl(), g.source(), g.destination());
                loop.execute(() -> {
                    switch (r) {
                        case Received.Advert a when a.advert().vrid() != router.settings().vrid() -> { }
                        case Received.Advert a -> {
                            received.incrementAndGet();
                            handle(router.receive(clock.instant(), a));
                        }
                        case Received.Dropped dropped -> {
                            LOG.log(System.Logger.Level.WARNING, "{0}: dropped a VRRP packet from {1}: {2}",
                                    router.settings().name(), g.source().getHostAddress(), dropped.detail());
                            router.dropped(dropped.reason());
                        }
                    }
                    status = snapshot();
                });
            } catch (RuntimeException e) {
                if (running) {
                    LOG.log(System.Logger.Level.ERROR, router.settings().name() + ": receiving", e);
                }
            }
        }
    }

    private void handle(List<RouterAction> actions) {
        for (RouterAction a : actions) {
            switch (a) {
                case RouterAction.Send s -> {
                    for (InetAddress to : destinations) {
                        try {
                            // VRRPv3's checksum covers the destination: encoded per destination.
                            socket.send(VrrpCodec.encode(s.advert(), primary, to), to);
                            sent.incrementAndGet();
                        } catch (RuntimeException e) {
                            LOG.log(System.Logger.Level.WARNING, router.settings().name() + ": sending an advert to "
                                    + to.getHostAddress(), e);
                        }
                    }
                }
                case RouterAction.Transition t -> {
                    LOG.log(System.Logger.Level.INFO, "{0}: {1} -> {2}", router.settings().name(), t.from().name(), t.to().name());
                    try {
                        listener.changed(router.settings(), t.from(), t.to());
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.ERROR, router.settings().name() + ": acting on " + t.to().name(), e);
                    }
                }
            }
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        Optional<Instant> deadline = router.deadline();
        if (deadline.isPresent() && running) {
            long delay = Math.max(0, Duration.between(clock.instant(), deadline.get()).toNanos());
            timer = loop.schedule(() -> handle(router.tick(clock.instant())), delay, TimeUnit.NANOSECONDS);
        }
        status = snapshot();
    }

    private Status snapshot() {
        Optional<InetAddress> master = switch (router.state()) {
            case RouterState.Master m -> Optional.of(primary);
            case RouterState.Backup b -> Optional.ofNullable(b.master());
            default -> Optional.empty();
        };
        return new Status(router.settings().name(), router.state().name(), router.priority(), master,
                sent.get(), received.get(), router.timesBecameMaster(), router.drops());
    }

    /** Stops as keepalived does: a master sends priority 0 and gives its addresses up. */
    @Override
    public void close() {
        try {
            loop.submit(() -> {
                running = false;
                handle(router.shutdown(clock.instant()));
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, router.settings().name() + ": stopping", e);
        }
        running = false;
        loop.shutdownNow();
        receiver.shutdown();
        try {
            receiver.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
    }
}
