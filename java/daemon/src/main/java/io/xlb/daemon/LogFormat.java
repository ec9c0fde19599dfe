package io.xlb.daemon;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The daemon's log lines on stderr: plain ({@code time level logger: message}) or one JSON object a line. */
public final class LogFormat {
    private LogFormat() {}

    public static void install(boolean json) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler h = new ConsoleHandler();
        h.setLevel(Level.INFO);
        h.setFormatter(json ? new Json() : new Plain());
        root.addHandler(h);
        root.setLevel(Level.INFO);
    }

    private static String message(LogRecord r) {
        String m = r.getMessage();
        Object[] params = r.getParameters();
        if (params != null && params.length > 0 && m != null) {
            m = java.text.MessageFormat.format(m, params);
        }
        if (r.getThrown() != null) {
            m = m + ": " + r.getThrown();
        }
        return m;
    }

    static final class Plain extends Formatter {
        @Override
        public String format(LogRecord r) {
            return Instant.ofEpochMilli(r.getMillis()) + " " + r.getLevel().getName() + " " + shortName(r.getLoggerName())
                    + ": " + message(r) + System.lineSeparator();
        }
    }

    static final class Json extends Formatter {
        @Override
        public String format(LogRecord r) {
            return "{\"time\":\"" + Instant.ofEpochMilli(r.getMillis()) + "\",\"level\":\"" + r.getLevel().getName()
                    + "\",\"logger\":\"" + escape(r.getLoggerName()) + "\",\"message\":\"" + escape(message(r)) + "\"}"
                    + System.lineSeparator();
        }
    }

    private static String shortName(String logger) {
        return logger == null ? "" : logger.substring(logger.lastIndexOf('.') + 1);
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
