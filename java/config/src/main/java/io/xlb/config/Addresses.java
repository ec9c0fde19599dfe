package io.xlb.config;

import java.net.Inet4Address;
import java.net.InetAddress;

/** IP address literals: validated and normalised without any name lookup. */
public final class Addresses {
    private Addresses() {}


    public static boolean isLiteral(String s) {
        if (isDottedQuad(s)) {
            return true;
        }
        if (s.indexOf(':') < 0) {
            return false;
        }
        try {
            InetAddress.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Four decimal parts of 1 to 3 ASCII digits, each at most 255, separated by dots; no regex: a file of a million reals has millions. */
    private static boolean isDottedQuad(String s) {
        int parts = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            int value = 0;
            int digits = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                digits++;
                i++;
            }
            if (digits == 0 || digits > 3 || value > 255) {
                return false;
            }
            parts++;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return false;
            }
            i++;
            if (i == n) {
                return false;
            }
        }
        return parts == 4;
    }

    /** IPv4 dotted quad; IPv6 in RFC 5952's canonical form (2001:db8::1). */
    public static String normalize(String s) {
        return text(InetAddress.ofLiteral(s));
    }

    /** A literal as an address (an IPv4-mapped IPv6 literal is IPv4; a scope is dropped). */
    public static InetAddress parse(String literal) {
        try {
            return InetAddress.getByAddress(InetAddress.ofLiteral(literal).getAddress());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e); // never: the bytes are 4 or 16
        }
    }

    /** An address as the configuration writes it: IPv4 dotted quad, IPv6 as RFC 5952 (2001:db8::1). */
    public static String text(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(words[i]));
        }
        return out.toString();
    }

    static boolean isV4(InetAddress a) {
        return a instanceof Inet4Address;
    }

    static boolean isV4(String literal) {
        return InetAddress.ofLiteral(literal) instanceof Inet4Address;
    }

    /**
     * An address scope as {@code ip addr add ... scope S} reads it (rtnetlink's rt_scope_t): host
     * 254, link 253, site 200, global/universe 0, nowhere 255, or a number 0..255; -1 if neither.
     */
    public static int scopeCode(String scope) {
        return switch (scope) {
            case "global", "universe" -> 0;
            case "site" -> 200;
            case "link" -> 253;
            case "host" -> 254;
            case "nowhere" -> 255;
            default -> scope.matches("\\d{1,3}") && Integer.parseInt(scope) <= 255 ? Integer.parseInt(scope) : -1;
        };
    }
}
