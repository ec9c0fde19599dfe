package io.xlb.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Each file under resources/malformed/ says on its first line the exact message it must produce,
 * as {@code # expect: LINE:COL: SEVERITY: TEXT} ({file} stands for the file's path).
 */
class MalformedConfigTest {
    private static final String EXPECT = "# expect: ";

    @TestFactory
    Stream<DynamicTest> everyFileGivesItsExactMessage() throws IOException {
        Path dir = SeedConfigTest.resource("malformed");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
        }
        assertTrue(files.size() >= 40, "at least 40 malformed files, found " + files.size());
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
            String first = Files.readAllLines(f).getFirst();
            assertTrue(first.startsWith(EXPECT), f + " has no expectation line");
            String expected = f + ":" + first.substring(EXPECT.length()).replace("{file}", f.toString());
            ConfigParser.Result r = ConfigParser.parse(f);
            List<String> got = r.diagnostics().stream().map(Diagnostic::toString).toList();
            assertTrue(got.contains(expected), "expected\n  " + expected + "\ngot\n  " + String.join("\n  ", got));
        }));
    }
}
