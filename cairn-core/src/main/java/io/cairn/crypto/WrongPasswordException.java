package io.cairn.crypto;

import io.cairn.format.CairnException;

/** No key file of the repository opens with the password given. */
public class WrongPasswordException extends CairnException {
  public WrongPasswordException(String message) {
    super(message);
  }
}
