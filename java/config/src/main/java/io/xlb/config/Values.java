package io.xlb.config;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Typed reading of a node's values. Each failure is reported at the offending value (or at the
 * keyword when the value is missing) and yields null, so reading goes on and every problem of a
 * file is reported at once.
 */
final class Values {
    private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d+)?");

    private final Node node;
    private final Diagnostics d;

    Values(Node node, Diagnostics d) {
        this.node = node;
        this.d = d;
    }

    int count() {
        return node.values().size();
    }

    Token token(int i) {
        return i < node.values().size() ? node.values().get(i) : null;
    }

    SourcePos pos(int i) {
        Token t = token(i);
        return t != null ? t.pos() : node.pos();
    }

    /** The i-th value, or an error naming what is missing. */
    String word(int i, String what) {
        Token t = token(i);
        if (t == null) {
            d.error(node.pos(), node.keyword() + " needs " + what);
            return null;
        }
        return t.text();
    }

    /** All values from i on, joined by spaces (an unquoted command line). */
    String rest(int i, String what) {
        if (count() <= i) {
            d.error(node.pos(), node.keyword() + " needs " + what);
            return null;
        }
        return node.values().subList(i, count()).stream().map(Token::text).collect(Collectors.joining(" "));
    }

    Integer integer(int i, long min, long max, String what) {
        String w = word(i, what);
        if (w == null) {
            return null;
        }
        if (!isInteger(w)) {
            d.error(pos(i), node.keyword() + " must be a whole number, got '" + w + "'");
            return null;
        }
        long v;
        try {
            v = Long.parseLong(w);
        } catch (NumberFormatException e) {
            v = Long.MAX_VALUE;
        }
        if (v < min || v > max) {
            d.error(pos(i), node.keyword() + " must be " + min + ".." + max + ", got " + w);
            return null;
        }
        return (int) v;
    }

    /**
     * {@code -?[0-9]+}, as the regular expression it replaces said: weights and ports are read on
     * every line of a large file, and a matcher per value was a tenth of its parse.
     */
    static boolean isInteger(String w) {
        int i = w.startsWith("-") ? 1 : 0;
        if (i == w.length()) {
            return false;
        }
        for (; i < w.length(); i++) {
            char c = w.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    Integer port(int i) {
        String w = word(i, "a port");
        if (w == null) {
            return null;
        }
        if (!isInteger(w)) {
            d.error(pos(i), "port must be a number 1..65535, got '" + w + "'");
            return null;
        }
        long v = w.length() > 6 ? Long.MAX_VALUE : Long.parseLong(w);
        if (v < 1 || v > 65535) {
            d.error(pos(i), "port must be 1..65535, got " + w);
            return null;
        }
        return (int) v;
    }

    /** Seconds, fractions allowed: positive, or zero too with {@code zeroAllowed}. */
    Duration seconds(int i, boolean zeroAllowed) {
        String w = word(i, "a number of seconds");
        if (w == null) {
            return null;
        }
        if (!DECIMAL.matcher(w).matches()) {
            d.error(pos(i), node.keyword() + " must be a number of seconds, got '" + w + "'");
            return null;
        }
        BigDecimal s = new BigDecimal(w);
        if (s.signum() == 0 && !zeroAllowed) {
            d.error(pos(i), node.keyword() + " must be positive, got " + w);
            return null;
        }
        if (s.compareTo(BigDecimal.valueOf(365L * 24 * 3600)) > 0) {
            d.error(pos(i), node.keyword() + " is more than a year: " + w);
            return null;
        }
        BigDecimal nanos = s.movePointRight(9);
        if (nanos.stripTrailingZeros().scale() > 0) {
            d.error(pos(i), node.keyword() + " is finer than a nanosecond (at most 9 decimal places): " + w);
            return null;
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    /** An IPv4 or IPv6 literal (never a name to look up). */
    InetAddress address(int i, String what) {
        String w = word(i, what);
        if (w == null) {
            return null;
        }
        if (!Addresses.isLiteral(w)) {
            d.error(pos(i), "not an IP address: '" + w + "'");
            return null;
        }
        return Addresses.parse(w);
    }

    String oneOf(int i, Set<String> allowed, String what) {
        String w = word(i, what);
        if (w == null) {
            return null;
        }
        if (!allowed.contains(w)) {
            d.error(pos(i), "unknown " + what + " '" + w + "' (" + String.join(", ", allowed.stream().sorted().toList()) + ")");
            return null;
        }
        return w;
    }

    /** Words past those a keyword takes: keepalived ignores them silently; xlb says so. */
    void noMoreThan(int n) {
        if (count() > n) {
            d.warning(pos(n), "extra words after " + node.keyword() + " ignored: '"
                    + node.values().subList(n, count()).stream().map(Token::text).collect(Collectors.joining(" ")) + "'");
        }
    }

    /** A flag keyword takes no value. */
    boolean flag() {
        noMoreThan(0);
        return true;
    }

    /** keepalived's {@code keyword [<BOOL>]}: alone means true; else true/false, yes/no, on/off. */
    Boolean bool() {
        noMoreThan(1);
        if (count() == 0) {
            return true;
        }
        Token t = node.values().getFirst();
        return switch (lower(t.text())) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> {
                d.error(t.pos(), "expected true or false (or nothing), got '" + t.text() + "'");
                yield null;
            }
        };
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    List<Token> all() {
        return node.values();
    }
}
