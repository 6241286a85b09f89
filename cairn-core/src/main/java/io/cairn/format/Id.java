package io.cairn.format;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 32-byte identifier: a keyed chunk ID (HMAC-SHA-256), or the SHA-256 of a stored object.
 * Immutable; ordered by unsigned bytes, which is the order of index segments and reference lists.
 */
public final class Id implements Comparable<Id> {
  public static final int LENGTH = 32;
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;

  private Id(byte[] bytes) {
    this.bytes = bytes;
  }

  public static Id of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("an id has 32 bytes, got " + bytes.length);
    }
    return new Id(bytes.clone());
  }

  public static Id of(byte[] src, int offset) {
    return new Id(Arrays.copyOfRange(src, offset, offset + LENGTH));
  }

  /** Parses 64 lowercase or uppercase hex digits. */
  public static Id parse(String hex) {
    if (hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException("an id is 64 hex digits, got '" + hex + "'");
    }
    try {
      return new Id(HEX.parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("an id is 64 hex digits, got '" + hex + "'", e);
    }
  }

  public static boolean isHex(String s) {
    if (s.length() != 2 * LENGTH) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * The first eight bytes as one big-endian number ({@link SortedIds#BE64}): ordering these
   * unsigned ({@link Long#compareUnsigned}) orders the ids by their first eight bytes.
   */
  public long leading() {
    return java.lang.foreign.MemorySegment.ofArray(bytes).get(SortedIds.BE64, 0);
  }

  public void copyTo(byte[] dst, int offset) {
    System.arraycopy(bytes, 0, dst, offset, LENGTH);
  }

  public int byteAt(int i) {
    return bytes[i] & 0xff;
  }

  public String hex() {
    return HEX.formatHex(bytes);
  }

  /** The first eight hex digits, as shown to users. */
  public String shortHex() {
    return hex().substring(0, 8);
  }

  @Override
  public int compareTo(Id o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Id other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
  }

  @Override
  public String toString() {
    return hex();
  }
}
