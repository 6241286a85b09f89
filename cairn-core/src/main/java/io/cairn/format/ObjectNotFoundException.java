package io.cairn.format;

/** A referenced object does not exist in the store. */
public class ObjectNotFoundException extends CairnException {
  private final String resource;

  public ObjectNotFoundException(String resource, String detail) {
    super(resource + ": " + detail);
    this.resource = resource;
  }

  public String resource() {
    return resource;
  }
}
