package io.xlb.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where the configuration's files are read from: the disk, or the disk with one directory's
 * files replaced, which is how a change the API is about to write is checked before it is written.
 */
public interface ConfigFiles {
    /** The file's canonical path (symbolic links resolved); it must exist. */
    Path canonical(Path file) throws IOException;

    /** The text of a file named by its canonical path. */
    String read(Path canonical) throws IOException;

    /** The regular files in {@code dir}, sorted by name; none if it is not a directory. */
    List<Path> list(Path dir) throws IOException;

    ConfigFiles DISK = new ConfigFiles() {
        @Override
        public Path canonical(Path file) throws IOException {
            return file.toRealPath();
        }

        @Override
        public String read(Path canonical) throws IOException {
            return Files.readString(canonical, StandardCharsets.UTF_8);
        }

        @Override
        public List<Path> list(Path dir) throws IOException {
            if (!Files.isDirectory(dir)) {
                return List.of();
            }
            try (Stream<Path> entries = Files.list(dir)) {
                return entries.filter(Files::isRegularFile).sorted().toList();
            }
        }
    };

    /**
     * The disk, except that {@code dir} (which must exist) holds exactly {@code files}, by name.
     */
    static ConfigFiles replacing(Path dir, Map<String, String> files) throws IOException {
        Path real = dir.toRealPath();
        Map<String, String> sorted = new TreeMap<>(files);
        return new ConfigFiles() {
            @Override
            public Path canonical(Path file) throws IOException {
                Path abs = file.toAbsolutePath().normalize();
                Path parent = abs.getParent();
                if (parent != null && Files.isDirectory(parent) && parent.toRealPath().equals(real)) {
                    Path p = real.resolve(abs.getFileName());
                    if (!sorted.containsKey(abs.getFileName().toString())) {
                        throw new NoSuchFileException(file.toString());
                    }
                    return p;
                }
                return DISK.canonical(file);
            }

            @Override
            public String read(Path canonical) throws IOException {
                if (real.equals(canonical.getParent())) {
                    String text = sorted.get(canonical.getFileName().toString());
                    if (text == null) {
                        throw new NoSuchFileException(canonical.toString());
                    }
                    return text;
                }
                return DISK.read(canonical);
            }

            @Override
            public List<Path> list(Path d) throws IOException {
                if (Files.isDirectory(d) && d.toRealPath().equals(real)) {
                    List<Path> out = new ArrayList<>();
                    sorted.keySet().forEach(name -> out.add(d.resolve(name)));
                    return out;
                }
                return DISK.list(d);
            }
        };
    }
}
