package io.cairn.format;

/** A persisted object failed a structural, checksum or authentication check. */
public class CorruptObjectException extends CairnException {
  private final String resource;

  public CorruptObjectException(String resource, String detail) {
    super(resource + ": " + detail);
    this.resource = resource;
  }

  public CorruptObjectException(String resource, String detail, Throwable cause) {
    super(resource + ": " + detail, cause);
    this.resource = resource;
  }

  /** The object (store key, blob id, ...) that is damaged. */
  public String resource() {
    return resource;
  }
}
