package io.cairn.server;

/**
 * A request the server refuses, answered as {@code {"error": code, "message": message}} with
 * the HTTP status. Messages say what to do next; they never reveal another tenant's data.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String code;
  private final long retryAfterSeconds;

  public ApiException(int status, String code, String message) {
    this(status, code, message, 0);
  }

  private ApiException(int status, String code, String message, long retryAfterSeconds) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 429 with a Retry-After header: the client may try again after that many seconds. */
  public static ApiException rateLimited(String message, long retryAfterSeconds) {
    return new ApiException(429, "rate_limited", message, retryAfterSeconds);
  }

  /** Seconds for a Retry-After header; 0 for none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
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
