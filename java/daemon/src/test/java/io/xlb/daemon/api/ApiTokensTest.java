package io.xlb.daemon.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokensTest {
    @TempDir
    Path dir;

    @Test
    void theFirstStartCreatesARootOnlyFileWithOneReadWriteToken() throws Exception {
        Path file = dir.resolve("etc/xlb/api-tokens");
        ApiTokens tokens = ApiTokens.load(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String token = ApiTokens.firstReadWrite(file).orElseThrow();
        assertTrue(token.matches("[0-9a-f]{48}"), token);
        assertEquals(Optional.of(ApiTokens.Scope.READ_WRITE), tokens.scope(token));
        assertEquals(Optional.empty(), tokens.scope(token + "x"));
        assertEquals(Optional.empty(), tokens.scope(""));
        ApiTokens again = ApiTokens.load(file);
        assertEquals(Optional.of(ApiTokens.Scope.READ_WRITE), again.scope(token), "a second start keeps the token");
    }

    @Test
    void aFileOthersCanReadOrAMalformedLineIsRefused() throws Exception {
        Path open = dir.resolve("open");
        Files.writeString(open, "0123456789abcdef0123 rw\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ApiTokens.load(open)).getMessage().contains("chmod 600"));
        Path bad = dir.resolve("bad");
        Files.createFile(bad, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(bad, "# comment\n0123456789abcdef0123 ro viewer\nshort rw\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ApiTokens.load(bad)).getMessage().startsWith(bad + ":3:"));
        Files.writeString(bad, "0123456789abcdef0123 ro viewer # a reader\n");
        assertEquals(Optional.of(ApiTokens.Scope.READ_ONLY), ApiTokens.load(bad).scope("0123456789abcdef0123"));
    }
}
