package io.xlb.config;

import java.time.Duration;

/** {@code vrrp_script NAME}: a command run every interval, changing priority by weight. */
public record VrrpScript(String name, String script, Duration interval, Duration timeout, int weight,
                         boolean weightReverse, int rise, int fall, String user, String group, SourcePos pos) implements Model {}
