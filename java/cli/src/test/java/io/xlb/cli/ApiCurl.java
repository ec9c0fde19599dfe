package io.xlb.cli;

import io.xlb.lab.Netns;

/** curl against a lab daemon's API, run in the director's namespace with a token: what an operator would type. */
record ApiCurl(Netns ns, String base, String token) {
    static final String DEFAULT_BASE = "http://127.0.0.1:9180";

    static ApiCurl of(Netns ns, String token) {
        return new ApiCurl(ns, DEFAULT_BASE, token);
    }

    /** The status code, after the body (both from curl's output). */
    String call(String method, String path, String body, String ifMatch) {
        StringBuilder cmd = new StringBuilder("curl -sS -g -o /dev/stderr -w '%{http_code}' -X " + method
                + " -H 'Authorization: Bearer " + token + "'");
        if (ifMatch != null) {
            cmd.append(" -H 'If-Match: ").append(ifMatch).append("'");
        }
        if (body != null) {
            cmd.append(" -H 'Content-Type: application/json' --data '").append(body).append("'");
        }
        cmd.append(" '").append(base).append(path).append("' 2>&1");
        return ns.command("bash", "-c", cmd.toString()).run();
    }

    /** The configuration's ETag, from a GET of the services. */
    String etag() {
        String headers = ns.command("curl", "-sS", "-g", "-D", "-", "-o", "/dev/null", "-H", "Authorization: Bearer " + token,
                base + "/api/v1/services").run();
        return headers.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("etag:")).findFirst().orElseThrow()
                .substring(5).strip();
    }
}
