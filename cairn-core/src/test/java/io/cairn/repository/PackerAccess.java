package io.cairn.repository;

/** Test access to package-private helpers. */
public final class PackerAccess {
  private PackerAccess() {}

  public static byte[] sha256(byte[] b) {
    return Packer.sha256(b);
  }
}
