package io.cairn.store;

/**
 * A store operation failed in a way that asking again may cure: the network, a server that is
 * restarting, throttling (429, 503 SlowDown), a 500 from an object store. {@link RetryingStore}
 * retries these and nothing else; a store that is not wrapped lets them through as the {@link
 * StoreException} they are.
 */
public class TransientStoreException extends StoreException {
  private final String reason;

  public TransientStoreException(String key, String reason, Throwable cause) {
    super(key, reason, cause);
    this.reason = reason;
  }

  /** What went wrong, without the key: "HTTP 503", "cannot connect (...)". */
  public String reason() {
    return reason;
  }
}
