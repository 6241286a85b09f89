package io.cairn.server;

/**
 * A request the server refuses, answered as {@code {"error": code, "message": message}} with
 * the HTTP status. Messages say what to do next; they never reveal another tenant's data.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String code;

  public ApiException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "bad_request", message);
  }

  public static ApiException unauthenticated() {
    return new ApiException(401, "unauthenticated",
        "this request needs credentials: an 'Authorization: Bearer TOKEN' header (log in, or enroll the agent)");
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, "forbidden", message);
  }

  /** Also used for things that exist but belong to someone else, so that existence does not leak. */
  public static ApiException notFound(String what) {
    return new ApiException(404, "not_found", what + " does not exist");
  }

  public static ApiException conflict(String message) {
    return new ApiException(409, "conflict", message);
  }
}
