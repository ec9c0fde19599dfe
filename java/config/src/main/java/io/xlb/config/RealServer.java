package io.xlb.config;

import java.net.InetAddress;
import java.util.List;

/**
 * {@code real_server ADDR PORT}: weight (default 1), method (null: the service's), checkers;
 * smtpAlert null: the service's.
 */
public record RealServer(InetAddress address, int port, int weight, String method, boolean inhibitOnFailure,
                         String notifyUp, String notifyDown, Integer uthreshold, Integer lthreshold,
                         Boolean smtpAlert, List<Checker> checkers, SourcePos pos) implements Model {
    public RealServer {
        checkers = List.copyOf(checkers);
    }
}
