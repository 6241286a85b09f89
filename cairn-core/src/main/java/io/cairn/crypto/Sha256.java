package io.cairn.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 of a byte range: libcrypto when it is there (see {@link NativeCrypto}), else the JDK. */
public final class Sha256 {
  private Sha256() {}

  public static byte[] digest(byte[] data) {
    return digest(data, 0, data.length);
  }

  /** SHA-256 of the first {@code length} bytes of a file, read through a memory mapping. */
  public static byte[] digest(java.nio.file.Path file, long length) throws java.io.IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ);
        java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
      if (ch.size() < length) {
        throw new java.io.IOException(file + " holds " + ch.size() + " bytes, expected " + length);
      }
      if (length == 0) {
        return digest(new byte[0]);
      }
      java.lang.foreign.MemorySegment m = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, length, arena);
      if (NativeCrypto.available()) {
        byte[] out = new byte[32];
        NativeCrypto.sha256(m, length, out);
        return out;
      }
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (long p = 0; p < length; p += 1 << 30) {
        md.update(m.asSlice(p, Math.min(1L << 30, length - p)).asByteBuffer());
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
