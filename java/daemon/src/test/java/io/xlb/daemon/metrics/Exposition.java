package io.xlb.daemon.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A scrape parsed by the rules of Prometheus's text format 0.0.4, failing on any line that breaks
 * them: {@code # HELP name text} and {@code # TYPE name type} once per family, before its samples;
 * each sample {@code name{label="value",...} value} with a valid metric name, label names,
 * escaped label values ({@code \\ \" \n}) and a float value, its name the family's (or, for a
 * histogram, the family's {@code _bucket}, {@code _count}, {@code _sum}); no series twice.
 */
final class Exposition {
    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile("[+-]?(Inf|NaN|[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]+)?|\\.[0-9]+([eE][+-]?[0-9]+)?)");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    record Sample(String name, Map<String, String> labels, String value, String line) {}

    private final Map<String, String> types = new TreeMap<>();
    private final Map<String, String> help = new TreeMap<>();
    private final Map<String, List<Sample>> samples = new LinkedHashMap<>();

    private Exposition() {}

    static Exposition parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new AssertionError("the last line does not end with a line feed");
        }
        Exposition e = new Exposition();
        String family = null;
        Set<String> series = new HashSet<>();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + n + ": " + line;
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", 2);
                check(METRIC.matcher(parts[0]).matches(), "metric name", where);
                if (line.startsWith("# HELP ")) {
                    check(e.help.put(parts[0], parts.length > 1 ? parts[1] : "") == null, "a second HELP", where);
                } else {
                    check(parts.length == 2 && TYPES.contains(parts[1]), "type", where);
                    check(!e.samples.containsKey(parts[0]), "TYPE after samples or twice", where);
                    e.types.put(parts[0], parts[1]);
                    e.samples.put(parts[0], new ArrayList<>());
                    family = parts[0];
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            Sample s = sample(line, where);
            check(family != null && belongs(s, family, e.types.get(family)), "a sample of the family " + family, where);
            check(series.add(s.name() + s.labels()), "a new series", where);
            e.samples.get(family).add(s);
        }
        return e;
    }

    private static boolean belongs(Sample s, String family, String type) {
        if (type.equals("histogram")) {
            return s.name().equals(family + "_count") || s.name().equals(family + "_sum")
                    || s.name().equals(family + "_bucket") && s.labels().containsKey("le");
        }
        return s.name().equals(family);
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        check(METRIC.matcher(name).matches(), "metric name", where);
        Map<String, String> labels = new TreeMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                check(eq > 0, "label=", where);
                String label = line.substring(i, eq);
                check(LABEL.matcher(label).matches(), "label name", where);
                check(line.charAt(eq + 1) == '"', "a quoted label value", where);
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        check(next == '\\' || next == '"' || next == 'n', "an escape \\\\ \\\" or \\n", where);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                check(labels.put(label, value.toString()) == null, "each label once", where);
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        check(i < line.length() && line.charAt(i) == ' ', "a space before the value", where);
        String[] rest = line.substring(i + 1).split(" ");
        check(rest.length <= 2 && FLOAT.matcher(rest[0]).matches(), "a float value (and no more than a timestamp)", where);
        return new Sample(name, labels, rest[0], line);
    }

    private static void check(boolean ok, String expected, String where) {
        if (!ok) {
            throw new AssertionError("not the text exposition format: expected " + expected + " at " + where);
        }
    }

    /** Each family's TYPE. */
    Map<String, String> types() {
        return types;
    }

    String help(String family) {
        return help.get(family);
    }

    /** A family's sample lines as written, in order; empty for an absent family. */
    List<String> samples(String family) {
        return samples.getOrDefault(family, List.of()).stream().map(Sample::line).toList();
    }

    /** The values a label takes in a family, unescaped. */
    Set<String> labelValues(String family, String label) {
        Set<String> out = new HashSet<>();
        samples.getOrDefault(family, List.of()).forEach(s -> out.add(s.labels().get(label)));
        return out;
    }
}
