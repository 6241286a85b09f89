package io.cairn.crypto;

import java.security.MessageDigest;

/** SHA-256 of a byte range: libcrypto when it is there (see {@link NativeCrypto}), else the JDK. */
public final class Sha256 {
  private Sha256() {}

  public static byte[] digest(byte[] data) {
    return digest(data, 0, data.length);
  }

  /** A SHA-256 over bytes that arrive in pieces (a request body as it is received). */
  public static final class Incremental {
    private final NativeCrypto.Sha256Stream nat = NativeCrypto.available() ? new NativeCrypto.Sha256Stream() : null;
    private final MessageDigest md;

    public Incremental() {
      try {
        md = nat == null ? MessageDigest.getInstance("SHA-256", "SUN") : null;
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }

    public Incremental update(byte[] b, int off, int len) {
      if (nat != null) {
        nat.update(java.lang.foreign.MemorySegment.ofArray(b).asSlice(off, len));
      } else {
        md.update(b, off, len);
      }
      return this;
    }

    public byte[] digest() {
      return nat != null ? nat.digest() : md.digest();
    }
  }

  /**
   * SHA-256 of the first {@code length} bytes of a file, read through memory mappings of
   * {@link #FILE_SLICE} bytes, each unmapped before the next: a whole mapping would put the
   * whole file (a 16 MiB pack) into the process's resident memory while it is hashed.
   */
  public static byte[] digest(java.nio.file.Path file, long length) throws java.io.IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
      if (ch.size() < length) {
        throw new java.io.IOException(file + " holds " + ch.size() + " bytes, expected " + length);
      }
      NativeCrypto.Sha256Stream nat = NativeCrypto.available() ? new NativeCrypto.Sha256Stream() : null;
      MessageDigest md = nat == null ? MessageDigest.getInstance("SHA-256", "SUN") : null;
      for (long p = 0; p < length; p += FILE_SLICE) {
        long n = Math.min(FILE_SLICE, length - p);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
          java.lang.foreign.MemorySegment m = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, p, n, arena);
          if (nat != null) {
            nat.update(m);
          } else {
            md.update(m.asByteBuffer());
          }
        }
      }
      return nat != null ? nat.digest() : md.digest();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How much of a file {@link #digest(java.nio.file.Path, long)} maps at a time. */
  static final long FILE_SLICE = 1 << 20;

  public static byte[] digest(byte[] data, int off, int len) {
    byte[] out = new byte[32];
    if (NativeCrypto.available()) {
      NativeCrypto.sha256(data, off, len, out, 0);
      return out;
    }
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256", "SUN");
      md.update(data, off, len);
      return md.digest();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
