package io.xlb.vrrp;

import java.net.InetAddress;
import java.time.Instant;

/** The RFC 5798 §6 states; each carries the one timer that runs in it. */
public sealed interface RouterState {
    String name();

    record Initialize() implements RouterState {
        public String name() {
            return "INIT";
        }
    }

    /**
     * @param masterDownAt     when, without a further advert, this router becomes master
     * @param masterIntervalCs the master's advert interval (learnt from its adverts in VRRPv3)
     * @param master           the current master's address, once one was heard
     */
    record Backup(Instant masterDownAt, int masterIntervalCs, InetAddress master) implements RouterState {
        public String name() {
            return "BACKUP";
        }
    }

    record Master(Instant nextAdvertAt) implements RouterState {
        public String name() {
            return "MASTER";
        }
    }

    record Fault() implements RouterState {
        public String name() {
            return "FAULT";
        }
    }
}
