package io.xlb.testing;

/** keepalived.conf text for tests that need many services or reals. */
public final class KeepalivedConf {
    private KeepalivedConf() {}

    /**
     * {@code virtual_server ADDRESS 80} (DR, TCP, {@code lb_algo algo}) with {@code extra} lines and
     * {@code reals} reals 10.0.0.0, 10.0.0.1, … on port 80: four lines of header, then those of
     * {@code extra}, two lines per real and the closing brace (tests compute positions from that).
     */
    public static String service(String address, String algo, int reals, String extra) {
        StringBuilder b = new StringBuilder("virtual_server " + address + " 80 {\n    lb_algo " + algo
                + "\n    lb_kind DR\n    protocol TCP\n" + extra);
        for (int i = 0; i < reals; i++) {
            b.append("    real_server 10.").append(i / 65536 % 256).append('.').append(i / 256 % 256).append('.')
                    .append(i % 256).append(" 80 {\n    }\n");
        }
        return b.append("}\n").toString();
    }
}
