package io.cairn.format;

/** An object was written by a newer format version than this build understands. */
public class FormatTooNewException extends CorruptObjectException {
  public FormatTooNewException(String resource, int version, int maxSupported) {
    super(resource, "format version " + version + " is newer than the newest this build reads ("
        + maxSupported + "); upgrade cairn");
  }
}
