package io.xlb.dataplane;

import io.xlb.bpf.Bpf;
import io.xlb.bpf.BpfObject;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The director's object loaded (maps created at given sizes, program verified) on a thread of its
 * own while the caller does other work: the daemon reads its file meanwhile, so that the kernel's
 * part of a start (seconds, with maps for a million reals) overlaps the parse instead of following
 * it. Only an object: nothing is pinned or attached until {@link DataplaneLoader#loadOrUpgrade}
 * takes it, and {@link #close} drops one nobody took (a refused file changes nothing).
 */
public final class DirectorPreload implements AutoCloseable {
    private final Bpf bpf;
    /** The sizes being loaded; null until {@link #start}. */
    private MapSizes sizes;
    private CompletableFuture<BpfObject> loading;

    public DirectorPreload(Bpf bpf) {
        this.bpf = bpf;
    }

    /**
     * Starts loading with {@code sizes}, unless started already (the first sizes told are loaded: a
     * file naming others later is loaded again, once its sizes are final, by {@link #take}).
     */
    public synchronized void start(MapSizes sizes) {
        if (loading != null) {
            return;
        }
        this.sizes = sizes;
        loading = new CompletableFuture<>();
        CompletableFuture<BpfObject> result = loading;
        Thread.ofPlatform().name("xlb-preload").daemon(true).start(() -> {
            try {
                result.complete(DataplaneLoader.loadObject(bpf, sizes));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
    }

    /**
     * The object loaded with {@code wanted}, waiting for it; empty when none was started or it was
     * started with other sizes (then closed). A failed load throws what loading threw.
     */
    synchronized Optional<BpfObject> take(MapSizes wanted) {
        if (loading == null) {
            return Optional.empty();
        }
        BpfObject object = await();
        loading = null;
        if (!sizes.equals(wanted)) {
            object.close();
            return Optional.empty();
        }
        return Optional.of(object);
    }

    private BpfObject await() {
        try {
            return loading.join();
        } catch (CompletionException e) {
            loading = null;
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** Drops an object loaded and not taken (waiting for it to be done). */
    @Override
    public synchronized void close() {
        if (loading == null) {
            return;
        }
        try {
            await().close();
        } catch (RuntimeException e) {
            // Nobody took it: its failure is nobody's news.
        }
        loading = null;
    }
}
