package io.xlb.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xlb.testing.Privileged;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A port here reaches a server on a namespace's own loopback, which nothing here reaches otherwise. */
@Privileged(tools = {"ip", "nsenter"})
class NamespaceRelayTest {
    @Test
    void aConnectionHereReachesTheNamespacesLoopback() throws Exception {
        try (Netns ns = Netns.create("xlbt");
             ServerSocket inside = ns.namespace().call(() -> new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))) {
            // Upper-cases what it reads, until the client ends its side.
            Thread server = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket s = inside.accept()) {
                        byte[] all = s.getInputStream().readAllBytes();
                        s.getOutputStream().write(new String(all, StandardCharsets.US_ASCII).toUpperCase().getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            try (NamespaceRelay relay = NamespaceRelay.to(ns, "127.0.0.1", inside.getLocalPort())) {
                for (String word : new String[] {"hello", "again"}) {
                    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
                        OutputStream out = s.getOutputStream();
                        out.write(word.getBytes(StandardCharsets.US_ASCII));
                        s.shutdownOutput();
                        InputStream in = s.getInputStream();
                        assertEquals(word.toUpperCase(), new String(in.readAllBytes(), StandardCharsets.US_ASCII));
                    }
                }
            }
            server.join();
        }
    }
}
