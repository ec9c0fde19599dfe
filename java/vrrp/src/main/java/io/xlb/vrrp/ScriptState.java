package io.xlb.vrrp;

/**
 * A {@code vrrp_script}'s verdict with keepalived's {@code rise} and {@code fall}: the first result
 * decides; after that {@code rise} successes in a row make a failed script ok, {@code fall}
 * failures in a row make an ok one failed. Until its first result a script counts as failed.
 *
 * @param ok     null before the first result
 * @param streak results in a row that went against {@code ok}
 */
public record ScriptState(Boolean ok, int streak) {
    public static final ScriptState UNKNOWN = new ScriptState(null, 0);

    public boolean isOk() {
        return Boolean.TRUE.equals(ok);
    }

    public ScriptState next(boolean success, int rise, int fall) {
        if (ok == null) {
            return new ScriptState(success, 0);
        }
        if (success == ok) {
            return new ScriptState(ok, 0);
        }
        int against = streak + 1;
        return against >= (ok ? fall : rise) ? new ScriptState(success, 0) : new ScriptState(ok, against);
    }
}
