package io.xlb.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs root (BPF syscalls, namespaces, XDP) and optionally tools on
 * PATH. Without them the tests are skipped with the reason; with XLB_REQUIRE_PRIVILEGED=1 (as in
 * CI) they fail instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PrivilegedCondition.class)
public @interface Privileged {
    /** Executables the tests run, e.g. "ip", "ping". */
    String[] tools() default {};
}
