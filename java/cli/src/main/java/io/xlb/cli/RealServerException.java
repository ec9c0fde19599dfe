package io.xlb.cli;

/** A mistake the user can fix (bad address, unknown interface, not root): one line, exit 1. */
final class RealServerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RealServerException(String message) {
        super(message);
    }
}
