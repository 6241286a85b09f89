package io.cairn.format;

/**
 * Root of every error Cairn reports on purpose. Each subclass names the resource it is about so
 * that a message can tell the user which object is affected and what to do next.
 */
public class CairnException extends RuntimeException {
  public CairnException(String message) {
    super(message);
  }

  public CairnException(String message, Throwable cause) {
    super(message, cause);
  }
}
