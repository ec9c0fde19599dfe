package io.xlb.dataplane;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfProgram;
import io.xlb.bpf.TestRunResult;
import io.xlb.dataplane.abi.MacAddress;
import io.xlb.dataplane.abi.Method;
import io.xlb.dataplane.abi.Protocol;
import io.xlb.dataplane.abi.Reason;
import io.xlb.dataplane.abi.VipKey;
import io.xlb.testing.Frame;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The director loaded from the jar, a small connection table, and helpers to run frames through it.
 * As a test's {@code @RegisterExtension} field it is closed after each test.
 */
class DirectorFixture implements AutoCloseable, AfterEachCallback {
    static final MacAddress RS1_MAC = MacAddress.parse("02:00:00:00:01:01");
    static final MacAddress RS2_MAC = MacAddress.parse("02:00:00:00:01:02");
    static final MacAddress RS3_MAC = MacAddress.parse("02:00:00:00:01:03");
    static final VipKey WEB = new VipKey(Frame.addr("192.0.2.10"), 80, Protocol.TCP);
    static final Real RS1 = Real.of(Frame.addr("10.0.0.11"), 80, 1, RS1_MAC);
    static final Real RS2 = Real.of(Frame.addr("10.0.0.12"), 80, 2, RS2_MAC);
    static final Real RS3 = Real.of(Frame.addr("10.0.0.13"), 80, 3, RS3_MAC);

    final Bpf bpf;
    final Dataplane dataplane;
    final BpfProgram program;

    DirectorFixture() {
        this(65536);
    }

    /** With a connection table of {@code maxConnections} entries (split between the CPUs' LRU lists). */
    DirectorFixture(int maxConnections) {
        bpf = Bpf.open();
        try {
            dataplane = DataplaneLoader.load(bpf, new DataplaneLoader.Options(maxConnections));
            program = dataplane.program();
        } catch (RuntimeException e) {
            bpf.close();
            throw e;
        }
    }

    static Service service(VipKey vip, String sched, Method method, Real... reals) {
        return new Service(vip, Scheduler.named(sched), method, List.of(reals));
    }

    TestRunResult run(Frame f) {
        return program.testRun(f.bytes());
    }

    /** Which of RS1..RS3 a forwarded frame went to, by its destination MAC. */
    static int realNumber(TestRunResult r) {
        byte[] dst = Arrays.copyOfRange(r.packet(), 0, 6);
        for (int i = 0; i < 3; i++) {
            if (Arrays.equals(dst, List.of(RS1_MAC, RS2_MAC, RS3_MAC).get(i).bytes())) {
                return i + 1;
            }
        }
        throw new AssertionError("frame went to no known real: " + java.util.HexFormat.of().formatHex(dst));
    }

    long reason(Reason r) {
        return dataplane.reasons().get(r);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        bpf.close();
    }
}
