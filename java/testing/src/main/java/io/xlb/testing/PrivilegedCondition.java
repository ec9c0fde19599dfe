package io.xlb.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Skips, or under XLB_REQUIRE_PRIVILEGED=1 fails, a {@link Privileged} class lacking root or tools. */
public final class PrivilegedCondition implements ExecutionCondition, BeforeAllCallback {
    public static final String REQUIRE = "XLB_REQUIRE_PRIVILEGED";

    private static boolean required() {
        return "1".equals(System.getenv(REQUIRE));
    }

    /** Disables the class with the reason, unless skipping is forbidden (then beforeAll fails it). */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> missing = missing(context);
        if (missing.isEmpty() || required()) {
            return ConditionEvaluationResult.enabled("privileges present or required");
        }
        System.err.println("SKIPPED " + missing.get());
        return ConditionEvaluationResult.disabled(missing.get());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Optional<String> missing = missing(context);
        if (missing.isPresent()) {
            throw new AssertionError(missing.get() + " and " + REQUIRE + "=1 forbids skipping");
        }
    }

    private static Optional<String> missing(ExtensionContext context) {
        Privileged p = context.getRequiredTestClass().getAnnotation(Privileged.class);
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root (run as root: sudo tools/test)");
        }
        for (String tool : p == null ? new String[0] : p.tools()) {
            if (!onPath(tool)) {
                missing.add("the tool '" + tool + "' (sudo tools/setup installs it)");
            }
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(context.getRequiredTestClass().getSimpleName() + " needs " + String.join(", ", missing));
    }

    /** Effective uid 0. */
    public static boolean isRoot() {
        return io.xlb.ffi.Privileges.isRoot();
    }

    static boolean onPath(String tool) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
