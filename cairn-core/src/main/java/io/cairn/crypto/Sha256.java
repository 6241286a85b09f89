package io.cairn.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of a byte range: libcrypto when it is there (see {@link NativeCrypto}), else the JDK. */
public final class Sha256 {
  private Sha256() {}

  public static byte[] digest(byte[] data) {
    return digest(data, 0, data.length);
  }

  public static byte[] digest(byte[] data, int off, int len) {
    byte[] out = new byte[32];
    if (NativeCrypto.available()) {
      NativeCrypto.sha256(data, off, len, out, 0);
      return out;
    }
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(data, off, len);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
