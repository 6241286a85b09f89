package io.cairn.format;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable little-endian byte buffer for encoding repository objects. */
public final class ByteWriter {
  private byte[] buf;
  private int len;

  public ByteWriter() {
    this(256);
  }

  public ByteWriter(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      long want = Math.max((long) buf.length * 2, (long) len + extra);
      if (want > Integer.MAX_VALUE - 16) {
        throw new IllegalStateException("object too large to encode");
      }
      buf = Arrays.copyOf(buf, (int) want);
    }
  }

  public ByteWriter u8(int v) {
    ensure(1);
    buf[len++] = (byte) v;
    return this;
  }

  public ByteWriter u16(int v) {
    ensure(2);
    buf[len++] = (byte) v;
    buf[len++] = (byte) (v >>> 8);
    return this;
  }

  public ByteWriter u32(long v) {
    ensure(4);
    for (int i = 0; i < 4; i++) {
      buf[len++] = (byte) (v >>> (8 * i));
    }
    return this;
  }

  public ByteWriter i64(long v) {
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[len++] = (byte) (v >>> (8 * i));
    }
    return this;
  }

  /** Unsigned LEB128. */
  public ByteWriter varint(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("varint must be non-negative: " + v);
    }
    ensure(varintSize(v));
    while ((v & ~0x7FL) != 0) {
      buf[len++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[len++] = (byte) v;
    return this;
  }

  /** How many bytes {@link #varint} writes for {@code v}. */
  public static int varintSize(long v) {
    return v == 0 ? 1 : (64 - Long.numberOfLeadingZeros(v) + 6) / 7;
  }

  /** How many bytes {@link #lengthPrefixed} writes for {@code n} bytes. */
  public static int lengthPrefixedSize(int n) {
    return varintSize(n) + n;
  }

  public ByteWriter bytes(byte[] b) {
    return bytes(b, 0, b.length);
  }

  public ByteWriter bytes(byte[] b, int off, int n) {
    ensure(n);
    System.arraycopy(b, off, buf, len, n);
    len += n;
    return this;
  }

  /** A varint length followed by the bytes. */
  public ByteWriter lengthPrefixed(byte[] b) {
    varint(b.length);
    return bytes(b);
  }

  public ByteWriter string(String s) {
    return lengthPrefixed(s.getBytes(StandardCharsets.UTF_8));
  }

  public ByteWriter id(Id id) {
    ensure(Id.LENGTH);
    id.copyTo(buf, len);
    len += Id.LENGTH;
    return this;
  }

  public int length() {
    return len;
  }

  /** The bytes written: the internal array itself when it is exactly full, else a copy. */
  public byte[] toByteArray() {
    return len == buf.length ? buf : Arrays.copyOf(buf, len);
  }

  /** The internal array; valid up to {@link #length()}. */
  public byte[] array() {
    return buf;
  }
}
