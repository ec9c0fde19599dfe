package io.xlb.cli;

import io.xlb.dataplane.DesiredState;
import io.xlb.dataplane.Real;
import io.xlb.dataplane.Scheduler;
import io.xlb.dataplane.Service;
import io.xlb.dataplane.abi.ConnState;
import io.xlb.dataplane.abi.DirectorConfig;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.VipKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** ipvsadm's changing commands as pure edits of a desired state; failures as ipvsadm words them. */
final class AdmEdits {
    private AdmEdits() {}

    static final class AdmException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AdmException(String message) {
            super(message);
        }
    }

    static DesiredState addService(DesiredState s, VipKey vip, Scheduler sched, Service.Persistence persistence) {
        if (find(s, vip) != null) {
            throw new AdmException("Service already exists");
        }
        List<Service> out = new ArrayList<>(s.services());
        out.add(new Service(vip, sched, Method.DR, List.of(), persistence));
        return s.withServices(out);
    }

    /** -E: scheduler and persistence as given (-E without -p turns persistence off, as ipvsadm). */
    static DesiredState editService(DesiredState s, VipKey vip, Scheduler sched, Service.Persistence persistence) {
        Service old = require(s, vip);
        return replace(s, vip, (sched != null ? old.withScheduler(sched) : old).withPersistence(persistence));
    }

    /** -E -b without -s: the service's scheduler with these flags (none given: none kept). */
    static DesiredState editServiceFlags(DesiredState s, VipKey vip, List<String> flags, Service.Persistence persistence) {
        Service old = require(s, vip);
        return editService(s, vip, Scheduler.named(old.scheduler().ipvsName(), flags), persistence);
    }

    static DesiredState deleteService(DesiredState s, VipKey vip) {
        require(s, vip);
        return s.withServices(s.services().stream().filter(x -> !x.vip().equals(vip)).toList());
    }

    static DesiredState clear(DesiredState s) {
        return s.withServices(List.of());
    }

    static DesiredState addReal(DesiredState s, VipKey vip, Real real) {
        Service old = require(s, vip);
        if (findReal(old, real) != null) {
            throw new AdmException("Destination already exists");
        }
        List<Real> rs = new ArrayList<>(old.reals());
        rs.add(real);
        return replace(s, vip, old.withReals(rs));
    }

    /** -e: weight, method and thresholds as given (null: unchanged); the MAC is kept. */
    static DesiredState editReal(DesiredState s, VipKey vip, Real real, Integer weight, Method method, Integer upper,
                                 Integer lower) {
        Service old = require(s, vip);
        Real r = findReal(old, real);
        if (r == null) {
            throw new AdmException("No such destination");
        }
        Real.Thresholds t = new Real.Thresholds(upper != null ? upper : r.thresholds().upper(),
                lower != null ? lower : r.thresholds().lower());
        Real edited = r.withWeight(weight != null ? weight : r.weight()).withMethod(method != null ? method : r.method())
                .withThresholds(t);
        List<Real> rs = old.reals().stream().map(x -> x == r ? edited : x).toList();
        return replace(s, vip, old.withReals(rs));
    }

    static DesiredState deleteReal(DesiredState s, VipKey vip, Real real) {
        Service old = require(s, vip);
        Real r = findReal(old, real);
        if (r == null) {
            throw new AdmException("No such destination");
        }
        return replace(s, vip, old.withReals(old.reals().stream().filter(x -> x != r).toList()));
    }

    /** --set tcp tcpfin udp (0 keeps a value). */
    static DesiredState setTimeouts(DesiredState s, int tcp, int tcpfin, int udp) {
        DirectorConfig c = s.config();
        return s.withConfig(c.withTimeouts(tcp != 0 ? tcp : c.timeoutSeconds(ConnState.ESTABLISHED),
                tcpfin != 0 ? tcpfin : c.timeoutSeconds(ConnState.FIN_WAIT), udp != 0 ? udp : c.timeoutSeconds(ConnState.UDP)));
    }

    static Real real(java.net.InetAddress address, int port, int weight, Method method) {
        return new Real(address, port, weight, method, MacAddress.ZERO, 0);
    }

    private static Service find(DesiredState s, VipKey vip) {
        return s.services().stream().filter(x -> x.vip().equals(vip)).findFirst().orElse(null);
    }

    private static Service require(DesiredState s, VipKey vip) {
        Service svc = find(s, vip);
        if (svc == null) {
            throw new AdmException("No such service");
        }
        return svc;
    }

    private static Real findReal(Service s, Real r) {
        return s.reals().stream().filter(x -> x.address().equals(r.address()) && x.port() == r.port()).findFirst().orElse(null);
    }

    private static DesiredState replace(DesiredState s, VipKey vip, Service next) {
        return s.mapServices(x -> x.vip().equals(vip) ? next : x);
    }

    static Map<String, Integer> timeouts(DirectorConfig c) {
        return Map.of("tcp", c.timeoutSeconds(ConnState.ESTABLISHED), "tcpfin", c.timeoutSeconds(ConnState.FIN_WAIT),
                "udp", c.timeoutSeconds(ConnState.UDP));
    }
}
