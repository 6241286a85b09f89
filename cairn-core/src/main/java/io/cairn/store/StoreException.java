package io.cairn.store;

import io.cairn.format.CairnException;

/** A store operation failed for a reason outside Cairn's control (I/O, disk full, network). */
public class StoreException extends CairnException {
  private final String key;

  public StoreException(String key, String message, Throwable cause) {
    super(key + ": " + message, cause);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
