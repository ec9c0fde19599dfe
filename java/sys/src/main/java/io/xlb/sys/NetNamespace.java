package io.xlb.sys;

import io.xlb.ffi.Native;
import io.xlb.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code inside another network namespace. setns(2) moves only the calling OS thread, so the
 * work runs on a fresh platform thread that enters the namespace and then ends: no thread of the
 * caller ever changes namespace. Sockets, netlink and XDP attachment made there belong to it.
 */
public final class NetNamespace {
    private final Path file;

    private NetNamespace(Path file) {
        this.file = file;
    }

    /** A namespace by its bind-mount file, e.g. {@code /run/netns/NAME} as {@code ip netns add} makes. */
    public static NetNamespace at(Path file) {
        return new NetNamespace(file);
    }

    public static NetNamespace named(String name) {
        return at(Path.of("/run/netns", name));
    }

    public Path file() {
        return file;
    }

    public <T> T call(Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + file.getFileName()).unstarted(() -> {
            try {
                enter();
                result.set(work.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        Throwable e = failure.get();
        if (e instanceof Exception ex) {
            throw ex;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return result.get();
    }

    public void run(Runnable work) throws Exception {
        call(() -> {
            work.run();
            return null;
        });
    }

    /** The index of {@code ifname} in this namespace. */
    public int ifindex(String ifname) throws Exception {
        return call(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = Native.callState(arena);
                int index;
                try {
                    index = (int) LibC.if_nametoindex.invokeExact(state, arena.allocateFrom(ifname));
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
                if (index == 0) {
                    throw new SysException("if_nametoindex", Native.errno(state), ifname + " in " + file);
                }
                return index;
            }
        });
    }

    private void enter() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.callState(arena);
            int fd = (int) LibC.open.invokeExact(state, arena.allocateFrom(file.toString()), LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (fd < 0) {
                throw new SysException("open", Native.errno(state), file.toString());
            }
            try {
                int rc = (int) LibC.setns.invokeExact(state, fd, LibC.CLONE_NEWNET);
                if (rc < 0) {
                    throw new SysException("setns", Native.errno(state), file.toString());
                }
            } finally {
                int ignored = (int) LibC.close.invokeExact(state, fd);
            }
        }
    }

    @Override
    public String toString() {
        return "netns " + file;
    }
}
