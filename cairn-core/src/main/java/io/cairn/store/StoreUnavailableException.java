package io.cairn.store;

/**
 * A remote store kept failing transiently ({@link TransientStoreException}) for as long as
 * {@link RetryingStore} was allowed to retry: it is not answering now, and asking later may work.
 * The vault server answers it with 503 and Retry-After; the CLI says to run the command again.
 */
public final class StoreUnavailableException extends StoreException {
  StoreUnavailableException(String key, String message, TransientStoreException last) {
    super(key, message, last);
  }
}
