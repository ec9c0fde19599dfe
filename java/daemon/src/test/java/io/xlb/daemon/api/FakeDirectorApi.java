package io.xlb.daemon.api;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The API server as the daemon starts it, over a {@link FakeDirector} (no dataplane), on 127.0.0.1
 * and a port of the system's choosing. Its files are in a directory of the test's: the main file
 * ({@code mainText}, then the include of the managed directory), the managed directory, and the
 * token file, readable by its owner only as the server requires.
 */
record FakeDirectorApi(Path conf, Path managed, Vertx vertx, FakeDirector director, ApiServer api) implements AutoCloseable {
    static FakeDirectorApi start(Path dir, String mainText, String tokenLines) throws IOException {
        Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, mainText + "include xlb-api.d/*.conf\n");
        Path managed = Files.createDirectories(dir.resolve("xlb-api.d"));
        Path tokens = dir.resolve("tokens");
        Files.createFile(tokens, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokens, tokenLines);
        Vertx vertx = Vertx.vertx();
        FakeDirector director = new FakeDirector(conf);
        try {
            ApiServer api = ApiServer.start(vertx, director, new ApiServer.Options("127.0.0.1", 0, tokens, null, null, null, managed,
                    64 * 1024, "test"), null);
            return new FakeDirectorApi(conf, managed, vertx, director, api);
        } catch (RuntimeException e) {
            director.close();
            vertx.close().await();
            throw e;
        }
    }

    @Override
    public void close() {
        api.close();
        director.close();
        vertx.close().await();
    }
}
