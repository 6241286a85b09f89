package io.cairn.format;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A bounds-checked little-endian reader. Every malformed input ends in a
 * {@link CorruptObjectException} naming the resource, never in an unchecked runtime error, so
 * parsers built on it can be fuzzed.
 */
public final class ByteReader {
  private final byte[] buf;
  private final int end;
  private final String resource;
  private int pos;

  public ByteReader(byte[] buf, String resource) {
    this(buf, 0, buf.length, resource);
  }

  public ByteReader(byte[] buf, int offset, int length, String resource) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new CorruptObjectException(resource, "range out of bounds");
    }
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
    this.resource = resource;
  }

  public String resource() {
    return resource;
  }

  public int position() {
    return pos;
  }

  public int remaining() {
    return end - pos;
  }

  private void need(long n) {
    if (n < 0 || n > end - pos) {
      throw new CorruptObjectException(resource, "truncated: need " + n + " bytes at offset " + pos
          + ", have " + (end - pos));
    }
  }

  public int u8() {
    need(1);
    return buf[pos++] & 0xff;
  }

  public int u16() {
    need(2);
    int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8;
    pos += 2;
    return v;
  }

  public long u32() {
    need(4);
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v |= (long) (buf[pos + i] & 0xff) << (8 * i);
    }
    pos += 4;
    return v;
  }

  /** A u32 that must fit the given bound (used for counts and lengths). */
  public int u32Bounded(long max, String what) {
    long v = u32();
    if (v > max) {
      throw new CorruptObjectException(resource, what + " " + v + " exceeds limit " + max);
    }
    return (int) v;
  }

  public long i64() {
    need(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v |= (long) (buf[pos + i] & 0xff) << (8 * i);
    }
    pos += 8;
    return v;
  }

  public long varint() {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = u8();
      if (shift == 63 && (b & 0x7E) != 0) {
        throw new CorruptObjectException(resource, "varint overflow at offset " + pos);
      }
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (v < 0) {
          throw new CorruptObjectException(resource, "varint overflow at offset " + pos);
        }
        return v;
      }
    }
    throw new CorruptObjectException(resource, "varint too long at offset " + pos);
  }

  public int varintBounded(long max, String what) {
    long v = varint();
    if (v > max) {
      throw new CorruptObjectException(resource, what + " " + v + " exceeds limit " + max);
    }
    return (int) v;
  }

  public byte[] bytes(int n) {
    need(n);
    byte[] out = Arrays.copyOfRange(buf, pos, pos + n);
    pos += n;
    return out;
  }

  public byte[] lengthPrefixed(int max, String what) {
    int n = varintBounded(max, what + " length");
    return bytes(n);
  }

  public String string(int max, String what) {
    byte[] b = lengthPrefixed(max, what);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      throw new CorruptObjectException(resource, what + " is not valid UTF-8", e);
    }
  }

  public Id id() {
    need(Id.LENGTH);
    Id id = Id.of(buf, pos);
    pos += Id.LENGTH;
    return id;
  }

  public void expectEnd() {
    if (pos != end) {
      throw new CorruptObjectException(resource, (end - pos) + " unexpected trailing bytes");
    }
  }
}
