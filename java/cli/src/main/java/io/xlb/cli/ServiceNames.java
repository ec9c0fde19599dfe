package io.xlb.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Port names, as ipvsadm-save prints them without {@code -n} ({@code -A -t 192.168.1.10:http}):
 * the names and aliases of {@code /etc/services}, whatever their protocol, and where that file is
 * missing (a minimal system without netbase) the best-known ones.
 */
final class ServiceNames {
    private ServiceNames() {}

    static final Path SERVICES = Path.of("/etc/services");

    private static final Map<String, Integer> WELL_KNOWN = Map.ofEntries(
            Map.entry("ftp", 21), Map.entry("ssh", 22), Map.entry("telnet", 23), Map.entry("smtp", 25),
            Map.entry("mail", 25), Map.entry("domain", 53), Map.entry("tftp", 69), Map.entry("http", 80),
            Map.entry("www", 80), Map.entry("kerberos", 88), Map.entry("pop3", 110), Map.entry("ntp", 123),
            Map.entry("imap2", 143), Map.entry("imap", 143), Map.entry("snmp", 161), Map.entry("bgp", 179),
            Map.entry("ldap", 389), Map.entry("https", 443), Map.entry("syslog", 514), Map.entry("submission", 587),
            Map.entry("ldaps", 636), Map.entry("imaps", 993), Map.entry("pop3s", 995), Map.entry("mysql", 3306),
            Map.entry("postgresql", 5432), Map.entry("sip", 5060), Map.entry("http-alt", 8080));

    private static final class Loaded {
        static final Map<String, Integer> NAMES = read(SERVICES);
    }

    /** The port named {@code name}, if /etc/services (or, without it, the built-in list) has it. */
    static OptionalInt port(String name) {
        Integer p = Loaded.NAMES.get(name);
        return p != null ? OptionalInt.of(p) : OptionalInt.empty();
    }

    /** {@code name port/proto [aliases…] [# comment]} lines; the built-in list when the file cannot be read. */
    static Map<String, Integer> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return WELL_KNOWN;
        }
        Map<String, Integer> out = new HashMap<>();
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            String[] words = (hash >= 0 ? line.substring(0, hash) : line).strip().split("\\s+");
            if (words.length < 2 || !words[1].matches("\\d{1,5}/\\w+")) {
                continue;
            }
            int port = Integer.parseInt(words[1].substring(0, words[1].indexOf('/')));
            if (port < 1 || port > 65535) {
                continue;
            }
            out.putIfAbsent(words[0], port);
            for (int i = 2; i < words.length; i++) {
                out.putIfAbsent(words[i], port);
            }
        }
        return Map.copyOf(out);
    }
}
