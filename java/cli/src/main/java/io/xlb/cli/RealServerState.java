package io.xlb.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code xlb realserver start} changed on this host, so that {@code stop} can put it back: the
 * VIPs it added to lo (and those it found there, which stop leaves), each sysctl with the value it
 * had before the first start, and the interfaces it attached the decapsulation program to. Kept as
 * JSON in a small file (by default under /run, which a reboot empties along with what it describes).
 */
record RealServerState(String netns, String source, String started, List<Vip> vips, List<Sysctl> sysctls,
                       List<Decap> decaps) {
    static final Path DEFAULT_FILE = Path.of("/run/xlb/realserver.json");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** A VIP on lo: {@code added} when start put it there (stop removes it), false when it was there already. */
    record Vip(String address, int prefixLength, String modes, boolean added) {}

    /** A sysctl by its path under /proc/sys, the value start set and the one it found before. */
    record Sysctl(String path, String value, String original) {}

    /** The decapsulation program on an interface, accepting tunnels to these addresses. */
    record Decap(String ifname, List<String> tunnelsTo) {
        Decap {
            tunnelsTo = List.copyOf(tunnelsTo);
        }
    }

    RealServerState {
        vips = new ArrayList<>(vips == null ? List.of() : vips);
        sysctls = new ArrayList<>(sysctls == null ? List.of() : sysctls);
        decaps = new ArrayList<>(decaps == null ? List.of() : decaps);
    }

    static RealServerState empty(String netns, String source, String started) {
        return new RealServerState(netns, source, started, List.of(), List.of(), List.of());
    }

    RealServerState withSource(String newSource) {
        return new RealServerState(netns, newSource, started, vips, sysctls, decaps);
    }

    boolean isEmpty() {
        return vips.isEmpty() && sysctls.isEmpty() && decaps.isEmpty();
    }

    Optional<Vip> vip(String address) {
        return vips.stream().filter(v -> v.address().equals(address)).findFirst();
    }

    Optional<Sysctl> sysctl(String path) {
        return sysctls.stream().filter(s -> s.path().equals(path)).findFirst();
    }

    static Optional<RealServerState> load(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), RealServerState.class));
        } catch (IOException e) {
            throw new RealServerException("cannot read " + file + " (" + e.getMessage().lines().findFirst().orElse("")
                    + "): remove it if this host is not a real server any more");
        }
    }

    /** Writes the file whole (a temporary file renamed over it): a crash leaves the old or the new one. */
    void save(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
