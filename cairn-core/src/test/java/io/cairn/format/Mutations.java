package io.cairn.format;

import java.util.Arrays;

/**
 * Structure-blind edits of valid encodings, plus the checksum repairs that let a mutant reach
 * the body parser instead of dying at the integrity check.
 */
public final class Mutations {
  /** Values that tend to hit boundary checks when they land on a length or count field. */
  private static final long[] INTERESTING_U32 = {0, 1, 2, 0x1f, 0x20, 0x7f, 0x80, 0xff, 0x100,
      0x7fff, 0xffff, 0x10000, 0x7fffffffL, 0x80000000L, 0xfffffffeL, 0xffffffffL};
  private static final int MAX_EDITS = 8;

  private Mutations() {}

  /** A copy of {@code base} with 0 to 8 edits; no edits when {@code c} only yields zeros. */
  public static byte[] mutate(byte[] base, Choices c) {
    int edits = c.pick(MAX_EDITS + 1);
    byte[] b = base.clone();
    for (int i = 0; i < edits; i++) {
      b = edit(b, c);
    }
    return b;
  }

  private static byte[] edit(byte[] b, Choices c) {
    if (b.length == 0) {
      return insert(b, 0, c);
    }
    int pos = c.pick(b.length);
    switch (c.pick(9)) {
      case 0, 1 -> b[pos] ^= (byte) (1 << c.pick(8));
      case 2 -> b[pos] = (byte) c.pick(256);
      case 3 -> putU32Clipped(b, pos, c.pick(3) == 0 ? b.length - pos : INTERESTING_U32[c.pick(INTERESTING_U32.length)]);
      case 4 -> {
        return insert(b, c.pick(b.length + 1), c);
      }
      case 5 -> {
        int n = Math.min(1 + c.pick(64), b.length - pos);
        byte[] out = new byte[b.length - n];
        System.arraycopy(b, 0, out, 0, pos);
        System.arraycopy(b, pos + n, out, pos, b.length - pos - n);
        return out;
      }
      case 6 -> {
        return Arrays.copyOf(b, pos);
      }
      case 7 -> {
        // Copying a region elsewhere duplicates ids and entries, which sortedness checks must catch.
        int n = Math.min(1 + c.pick(64), b.length - pos);
        System.arraycopy(b, pos, b, c.pick(b.length - n + 1), n);
      }
      default -> {
        // Runs of continuation bytes make overlong or overflowing varints.
        int n = Math.min(1 + c.pick(11), b.length - pos);
        int fill = c.pick(2) == 0 ? 0xff : 0x80;
        Arrays.fill(b, pos, pos + n, (byte) fill);
      }
    }
    return b;
  }

  private static byte[] insert(byte[] b, int pos, Choices c) {
    int n = 1 + c.pick(16);
    byte[] out = new byte[b.length + n];
    System.arraycopy(b, 0, out, 0, pos);
    for (int i = 0; i < n; i++) {
      out[pos + i] = (byte) c.pick(256);
    }
    System.arraycopy(b, pos, out, pos + n, b.length - pos);
    return out;
  }

  private static void putU32Clipped(byte[] b, int pos, long v) {
    for (int i = 0; i < 4 && pos + i < b.length; i++) {
      b[pos + i] = (byte) (v >>> (8 * i));
    }
  }

  static void putU32(byte[] b, int pos, long v) {
    for (int i = 0; i < 4; i++) {
      b[pos + i] = (byte) (v >>> (8 * i));
    }
  }

  static long u32(byte[] b, int pos) {
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v |= (long) (b[pos + i] & 0xff) << (8 * i);
    }
    return v;
  }

  /** Rewrites the CRC32C footer of a frame (magic, version, flags, body, crc) in place. */
  public static byte[] resealFrame(byte[] b) {
    if (b.length >= Frame.FOOTER_LENGTH) {
      int end = b.length - Frame.FOOTER_LENGTH;
      putU32(b, end, Frame.crc32c(b, 0, end));
    }
    return b;
  }

  /**
   * Rewrites a pack's header checksum over the section its (possibly mutated) trailer points
   * at; leaves the pack alone when the trailer's length cannot be followed.
   */
  public static byte[] resealPack(byte[] b) {
    int trailerAt = b.length - PackFormat.TRAILER_LENGTH;
    if (trailerAt < 0) {
      return b;
    }
    long sectionLength = u32(b, trailerAt);
    if (sectionLength <= trailerAt) {
      int sectionAt = trailerAt - (int) sectionLength;
      putU32(b, trailerAt + 4, Frame.crc32c(b, sectionAt, (int) sectionLength));
    }
    return b;
  }

  /** A frame with the given magic and version around an arbitrary body, with a valid footer. */
  public static byte[] frame(String magic, int version, byte[] body) {
    ByteWriter w = Frame.begin(magic, version);
    w.bytes(body);
    return Frame.finish(w);
  }

  /**
   * A pack whose integrity checks pass around arbitrary content: the first byte of
   * {@code payload} sizes a zero-filled blob region, the rest is the header section.
   */
  public static byte[] pack(byte[] payload) {
    int dataLength = payload.length == 0 ? 0 : payload[0] & 0xff;
    byte[] section = payload.length == 0 ? payload : Arrays.copyOfRange(payload, 1, payload.length);
    ByteWriter w = new ByteWriter();
    w.bytes(PackFormat.preamble()).bytes(new byte[dataLength]).bytes(section);
    w.u32(section.length).u32(Frame.crc32c(section, 0, section.length));
    w.bytes(Frame.magicBytes(PackFormat.TRAILER_MAGIC));
    return w.toByteArray();
  }
}
