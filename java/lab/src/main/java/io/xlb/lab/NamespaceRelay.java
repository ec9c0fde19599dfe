package io.xlb.lab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP port on this process's own loopback that relays each connection to an address inside a
 * lab namespace, e.g. a chromedriver listening on the director's {@code 127.0.0.1:9515}, which
 * nothing outside that namespace can reach: a namespace's loopback is its own, and the lab routes
 * no address of this namespace there. A client here (a test's WebDriver) then connects to
 * {@code 127.0.0.1:PORT} and talks to the server inside as if it were local.
 *
 * <p>Each accepted connection's other end is opened by a thread that entered the namespace
 * (setns(2), {@link io.xlb.sys.NetNamespace}): a socket belongs to the namespace it was created
 * in, whichever thread uses it later. No process is started and nothing listens beyond this
 * loopback; {@link #close()} closes the port and every relayed connection.
 */
public final class NamespaceRelay implements AutoCloseable {
    private final Netns ns;
    private final InetSocketAddress target;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private final int port;

    private NamespaceRelay(Netns ns, InetSocketAddress target, ServerSocketChannel server) throws IOException {
        this.ns = ns;
        this.target = target;
        this.server = server;
        this.port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        this.acceptor = Thread.ofVirtual().name("relay-" + ns.name()).unstarted(this::accept);
    }

    /** Listens on a free port of 127.0.0.1 here, relaying to {@code host}:{@code port} inside {@code ns}. */
    public static NamespaceRelay to(Netns ns, String host, int port) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        NamespaceRelay relay;
        try {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            relay = new NamespaceRelay(ns, new InetSocketAddress(InetAddress.ofLiteral(host), port), server);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        relay.acceptor.start();
        return relay;
    }

    /** The port on this namespace's 127.0.0.1. */
    public int port() {
        return port;
    }

    private void accept() {
        while (server.isOpen()) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            open.add(client);
            Thread.ofVirtual().start(() -> relay(client));
        }
    }

    private void relay(SocketChannel client) {
        SocketChannel upstream = null;
        try {
            upstream = ns.namespace().call(() -> SocketChannel.open(target));
            open.add(upstream);
            SocketChannel up = upstream;
            Thread back = Thread.ofVirtual().start(() -> pump(up, client));
            pump(client, upstream);
            back.join();
        } catch (Exception e) {
            // the server inside refused or the relay is closing: the client sees its connection end
        } finally {
            close(client);
            if (upstream != null) {
                close(upstream);
            }
        }
    }

    /** Copies until end of stream, then half-closes the other side (HTTP clients may shut down writes early). */
    private static void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        try {
            while (from.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    to.write(buf);
                }
                buf.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // One side went away: close both, which also ends the pump the other way.
            quietly(from);
            quietly(to);
        }
    }

    private void close(SocketChannel c) {
        open.remove(c);
        quietly(c);
    }

    private static void quietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        acceptor.join();
        for (SocketChannel c : open) {
            close(c);
        }
    }

    @Override
    public String toString() {
        return "relay 127.0.0.1:" + port() + " -> " + ns.name() + " " + target;
    }
}
