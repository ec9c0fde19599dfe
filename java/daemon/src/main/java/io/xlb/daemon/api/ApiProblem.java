package io.xlb.daemon.api;

import java.util.List;

/**
 * A request the API refuses: an HTTP status and what is wrong, each problem at a JSON pointer
 * into the request body ("" for the whole body or for the request itself).
 */
public final class ApiProblem extends RuntimeException {
    /** One thing wrong: where in the body (RFC 6901 pointer) and why. */
    public record Item(String pointer, String message) {}

    private final int status;
    private final List<Item> items;

    public ApiProblem(int status, List<Item> items) {
        super(items.isEmpty() ? "status " + status : items.getFirst().pointer() + ": " + items.getFirst().message(), null, false, false);
        this.status = status;
        this.items = List.copyOf(items);
    }

    public ApiProblem(int status, String pointer, String message) {
        this(status, List.of(new Item(pointer, message)));
    }

    public int status() {
        return status;
    }

    public List<Item> items() {
        return items;
    }

    static ApiProblem badRequest(String pointer, String message) {
        return new ApiProblem(400, pointer, message);
    }

    static ApiProblem invalid(String pointer, String message) {
        return new ApiProblem(422, pointer, message);
    }

    static ApiProblem notFound(String message) {
        return new ApiProblem(404, "", message);
    }

    static ApiProblem conflict(String message) {
        return new ApiProblem(409, "", message);
    }
}
