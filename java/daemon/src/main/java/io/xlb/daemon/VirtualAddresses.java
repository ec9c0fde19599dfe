package io.xlb.daemon;

import io.xlb.config.GlobalDefs;
import io.xlb.config.VrrpInstance;
import io.xlb.sys.GratuitousArp;
import io.xlb.sys.InterfaceAddresses;
import io.xlb.sys.NeighbourAdvert;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The addresses a VRRP master holds: put on their interfaces (with label, scope and broadcast)
 * and announced by gratuitous ARP or unsolicited neighbour advertisements — {@code
 * garp_master_repeat} of them, {@code vrrp_garp_interval} apart, again after {@code
 * garp_master_delay}, and every {@code garp_master_refresh} while master — and taken off again
 * in any other state.
 */
final class VirtualAddresses implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.xlb.daemon");
    private static final Duration DEFAULT_GARP_DELAY = Duration.ofSeconds(5);
    private static final int DEFAULT_GARP_REPEAT = 5;

    private final ScheduledExecutorService scheduler;
    private final Supplier<GlobalDefs> global;
    private final Predicate<String> isMaster;
    private final Map<String, ScheduledFuture<?>> refreshes = new ConcurrentHashMap<>();

    /** @param isMaster whether the instance of that name is master now (announcements stop when it is not) */
    VirtualAddresses(ScheduledExecutorService scheduler, Supplier<GlobalDefs> global, Predicate<String> isMaster) {
        this.scheduler = scheduler;
        this.global = global;
        this.isMaster = isMaster;
    }

    /** The addresses the master holds: the advertised ones, then virtual_ipaddress_excluded (held, not advertised). */
    static List<VrrpInstance.VirtualAddress> held(VrrpInstance i) {
        List<VrrpInstance.VirtualAddress> all = new ArrayList<>(i.virtualIpaddress());
        all.addAll(i.virtualIpaddressExcluded());
        return all;
    }

    /** A master holds and announces the instance's addresses; any other state gives them up. */
    void move(VrrpInstance i, boolean master) {
        try (InterfaceAddresses addrs = InterfaceAddresses.open()) {
            for (VrrpInstance.VirtualAddress vip : held(i)) {
                NetworkInterface nif = NetworkInterface.getByName(vip.dev() != null ? vip.dev() : i.interfaceName());
                if (nif == null) {
                    LOG.log(System.Logger.Level.ERROR, "{0}: no interface {1} for {2}", i.name(),
                            vip.dev() != null ? vip.dev() : i.interfaceName(), io.xlb.config.Addresses.text(vip.address()));
                    continue;
                }
                InetAddress a = vip.address();
                if (master) {
                    if (addrs.add(nif.getIndex(), a, vip.prefixLength(), vip.label(),
                            vip.scope() == null ? 0 : io.xlb.config.Addresses.scopeCode(vip.scope()), broadcast(vip, a))) {
                        LOG.log(System.Logger.Level.INFO, "{0}: added {1}/{2} to {3}", i.name(), io.xlb.config.Addresses.text(vip.address()), vip.prefixLength(), nif.getName());
                    }
                } else if (addrs.remove(nif.getIndex(), a, vip.prefixLength())) {
                    LOG.log(System.Logger.Level.INFO, "{0}: removed {1}/{2} from {3}", i.name(), io.xlb.config.Addresses.text(vip.address()), vip.prefixLength(), nif.getName());
                }
            }
        } catch (SocketException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, i.name() + ": virtual addresses", e);
        }
        ScheduledFuture<?> refresh = refreshes.remove(i.name());
        if (refresh != null) {
            refresh.cancel(false);
        }
        if (master) {
            announce(i);
            GlobalDefs g = global.get();
            Duration delay = Optional.ofNullable(i.garpMasterDelay())
                    .or(() -> Optional.ofNullable(g == null ? null : g.vrrpGarpMasterDelay())).orElse(DEFAULT_GARP_DELAY);
            if (!delay.isZero()) {
                scheduler.schedule(() -> announceIfMaster(i), delay.toMillis(), TimeUnit.MILLISECONDS);
            }
            // garp_master_refresh: keep switches' and neighbours' caches fresh while master.
            Duration every = Optional.ofNullable(i.garpMasterRefresh())
                    .or(() -> Optional.ofNullable(g == null ? null : g.vrrpGarpMasterRefresh())).orElse(Duration.ZERO);
            if (!every.isZero()) {
                refreshes.put(i.name(), scheduler.scheduleAtFixedRate(() -> announceIfMaster(i), every.toMillis(),
                        every.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
    }

    /** {@code brd B}: the address given, {@code +} computed from the prefix, {@code -} or absent none. */
    private static Inet4Address broadcast(VrrpInstance.VirtualAddress vip, InetAddress address) {
        if (vip.broadcast() == null || vip.broadcast().equals("-") || !(address instanceof Inet4Address a)) {
            return null;
        }
        return vip.broadcast().equals("+") ? InterfaceAddresses.broadcastOf(a, vip.prefixLength())
                : (Inet4Address) InetAddress.ofLiteral(vip.broadcast());
    }

    private void announceIfMaster(VrrpInstance i) {
        announceIfMaster(i, this::announce);
    }

    private void announceIfMaster(VrrpInstance i, java.util.function.Consumer<VrrpInstance> announcement) {
        if (isMaster.test(i.name())) {
            announcement.accept(i);
        }
    }

    private void announce(VrrpInstance i) {
        GlobalDefs g = global.get();
        int repeat = Optional.ofNullable(i.garpMasterRepeat())
                .or(() -> Optional.ofNullable(g == null ? null : g.vrrpGarpMasterRepeat())).orElse(DEFAULT_GARP_REPEAT);
        // vrrp_garp_interval: the gap between gratuitous ARPs (keepalived's default: none).
        Duration gap = g == null || g.vrrpGarpInterval() == null ? Duration.ZERO : g.vrrpGarpInterval();
        for (int n = 0; n < repeat; n++) {
            if (gap.isZero() || n == 0) {
                announceOnce(i);
            } else {
                scheduler.schedule(() -> announceIfMaster(i, this::announceOnce), gap.toMillis() * n, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** One gratuitous ARP (IPv4) or unsolicited neighbour advertisement (IPv6) for each held address. */
    private void announceOnce(VrrpInstance i) {
        for (VrrpInstance.VirtualAddress vip : held(i)) {
            try {
                NetworkInterface nif = NetworkInterface.getByName(vip.dev() != null ? vip.dev() : i.interfaceName());
                byte[] mac = nif == null ? null : nif.getHardwareAddress();
                if (mac == null) {
                    continue;
                }
                switch (vip.address()) {
                    case Inet4Address a -> GratuitousArp.send(nif.getIndex(), mac, a);
                    case Inet6Address a -> NeighbourAdvert.send(nif.getName(), nif.getIndex(), mac, a);
                    default -> throw new IllegalStateException("not an IP address: " + io.xlb.config.Addresses.text(vip.address()));
                }
            } catch (SocketException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, i.name() + ": gratuitous ARP for " + io.xlb.config.Addresses.text(vip.address()), e);
            }
        }
    }

    @Override
    public void close() {
        refreshes.values().forEach(f -> f.cancel(false));
    }
}
