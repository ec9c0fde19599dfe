package io.xlb.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The language around the keywords: includes, comments, quotes, braces, definitions. */
class LexerTest {
    @Test
    void includesAreGlobbedRelativeToTheIncludingFile() {
        ConfigParser.Result r = ConfigParser.parse(SeedConfigTest.resource("include/main.conf"));
        assertFalse(r.hasErrors(true), r.diagnostics().toString());
        Config c = r.config();
        assertEquals("INC", c.global().routerId(), "a brace attached to its keyword");
        assertEquals(7, c.vrrpInstances().getFirst().virtualRouterId(), "a brace on the next line; a comment after a value");
        assertEquals("192.0.2.7", Addresses.text(c.vrrpInstances().getFirst().virtualIpaddress().getFirst().address()), "a block on one line");
        assertEquals("wrr", c.virtualServers().getFirst().scheduler(), "a quoted value");
        assertEquals(9, c.virtualServers().getFirst().realServers().getFirst().weight());
        assertTrue(c.virtualServers().getFirst().realServers().getFirst().pos().file().endsWith("conf.d/20-vs.conf"),
                "positions name the included file");
    }

    @Test
    void anIncludeCycleIsAnErrorAtTheInclude() {
        Path a = SeedConfigTest.resource("include/cycle-a.conf");
        ConfigParser.Result r = ConfigParser.parse(a);
        assertTrue(r.diagnostics().stream().anyMatch(d -> d.toString().matches(
                ".*cycle-b\\.conf:1:9: error: include cycle: .*cycle-a\\.conf is already being read")), r.diagnostics().toString());
    }

    @Test
    void definitionsAreSubstitutedInWordsAndBraces() {
        ConfigParser.Result r = ConfigParser.parse("t.conf", """
                $IF=eth7
                $PORT=8443
                vrrp_instance VI_1 {
                    interface ${IF}
                    virtual_router_id 9
                    virtual_ipaddress { 192.0.2.1 }
                }
                virtual_server 192.0.2.1 $PORT {
                    lb_kind DR
                    protocol TCP
                }
                """);
        assertFalse(r.hasErrors(false), r.diagnostics().toString());
        assertEquals("eth7", r.config().vrrpInstances().getFirst().interfaceName());
        assertEquals(new VirtualServer.AddressPort(Addresses.parse("192.0.2.1"), 8443), r.config().virtualServers().getFirst().key());
    }

    @Test
    void commentsStartWithHashOrBangAnywhereOutsideQuotes() {
        ConfigParser.Result r = ConfigParser.parse("t.conf", """
                ! bang comment, 中文, ελληνικά
                vrrp_script chk { # hash comment
                    script "/bin/check --flag=#1" ! the hash inside quotes is kept
                    interval 3 # after a value
                }
                """);
        assertFalse(r.hasErrors(true), r.diagnostics().toString());
        assertEquals("/bin/check --flag=#1", r.config().vrrpScripts().getFirst().script());
        assertEquals(3, r.config().vrrpScripts().getFirst().interval().toSeconds());
    }

    @Test
    void ipv6AddressesAreNormalised() {
        ConfigParser.Result r = ConfigParser.parse("t.conf", """
                virtual_server 2001:0db8:0000::0010 80 {
                    lb_kind DR
                    protocol TCP
                    real_server 2001:DB8:0:0:1:0:0:11 80 {
                    }
                }
                """);
        assertFalse(r.hasErrors(true), r.diagnostics().toString());
        assertEquals(new VirtualServer.AddressPort(Addresses.parse("2001:db8::10"), 80), r.config().virtualServers().getFirst().key());
        assertEquals("2001:db8::1:0:0:11", Addresses.text(r.config().virtualServers().getFirst().realServers().getFirst().address()));
    }

    @Test
    void strictTurnsWarningsIntoErrors() {
        ConfigParser.Result r = ConfigParser.parse("t.conf", """
                global_defs {
                    frobnicate yes
                }
                """);
        assertFalse(r.hasErrors(false));
        assertTrue(r.hasErrors(true));
        assertEquals(List.of("t.conf:2:5: error: unknown keyword 'frobnicate' in global_defs: ignored"),
                r.shown(true).stream().map(Diagnostic::toString).toList());
    }

    @Test
    void aQuoteOrABraceIsLookedForOnItsOwnLineOnly() {
        // The lexer reads the file's text in place: a search past the line's end would find the next line's.
        ConfigParser.Result r = ConfigParser.parse("t.conf", """
                vrrp_script chk {
                    script "/bin/check
                    interval 3 ${UNCLOSED
                }
                """);
        // An unclosed ${ is no reference: its brace opens a block, and the } below closes that one.
        assertEquals(List.of("t.conf:1:1: error: block of 'vrrp_script' is not closed: missing '}'",
                        "t.conf:2:12: error: unterminated quoted string",
                        "t.conf:3:5: error: interval takes no block",
                        "t.conf:3:16: warning: extra words after interval ignored: '$'"),
                r.diagnostics().stream().map(Diagnostic::toString).toList());
        assertEquals("/bin/check", r.config().vrrpScripts().getFirst().script());
        assertEquals(3, r.config().vrrpScripts().getFirst().interval().toSeconds());
    }
}
