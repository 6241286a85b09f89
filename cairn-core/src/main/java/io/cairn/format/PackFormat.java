package io.cairn.format;

import java.util.ArrayList;
import java.util.List;

/**
 * Pack layout (docs/format.md, "Packs"):
 *
 * <pre>
 * "CRPK" | version u16 | flags u16               8-byte preamble
 * blob ciphertexts, back to back
 * header section: count u32, count x (type u8, id[32], offset u32, length u32)
 * trailer: sectionLength u32 | crc32c(section) u32 | "CRPE"
 * </pre>
 *
 * The header is deliberately not encrypted: the server needs ids, types and extents for GC,
 * repack and verification without any tenant key. The pack's name is the SHA-256 of all its bytes.
 */
public final class PackFormat {
  public static final String MAGIC = "CRPK";
  public static final String TRAILER_MAGIC = "CRPE";
  public static final int VERSION = 1;
  public static final int PREAMBLE_LENGTH = 8;
  public static final int TRAILER_LENGTH = 12;
  public static final int ENTRY_LENGTH = 1 + Id.LENGTH + 4 + 4;
  /** Largest pack a reader accepts; writers stay far below. */
  public static final long MAX_PACK_LENGTH = 1L << 32;

  private PackFormat() {}

  /**
   * The preamble's flag bits that say which copy of its blobs a pack holds: 0 for the first,
   * 1 for the ditto copy of trees (docs/format.md, "Ditto copies of trees"). Two packs with the
   * same blobs but different copy numbers differ in their bytes, and so in their names.
   */
  public static final int COPY_MASK = 0x3;
  /** Copy number of a pack that holds the second copy of tree blobs. */
  public static final int DITTO = 1;

  public static byte[] preamble() {
    return preamble(0);
  }

  /** The preamble of a pack holding copy {@code copy} (0 or {@link #DITTO}) of its blobs. */
  public static byte[] preamble(int copy) {
    if ((copy & ~COPY_MASK) != 0) {
      throw new IllegalArgumentException("copy number " + copy + " does not fit the preamble");
    }
    ByteWriter w = new ByteWriter(PREAMBLE_LENGTH);
    w.bytes(Frame.magicBytes(MAGIC)).u16(VERSION).u16(copy);
    return w.toByteArray();
  }

  /** The copy number in a pack's preamble ({@code pack} holds at least the preamble; checked by the caller). */
  public static int copy(byte[] pack) {
    return (pack[6] & 0xff | (pack[7] & 0xff) << 8) & COPY_MASK;
  }

  /** The header section followed by the trailer, appended after the last blob. */
  public static byte[] headerAndTrailer(List<PackEntry> entries) {
    ByteWriter w = new ByteWriter(4 + entries.size() * ENTRY_LENGTH + TRAILER_LENGTH);
    w.u32(entries.size());
    for (PackEntry e : entries) {
      w.u8(e.type().code()).id(e.id()).u32(e.offset()).u32(e.length());
    }
    int sectionLength = w.length();
    long crc = Frame.crc32c(w.array(), 0, sectionLength);
    w.u32(sectionLength).u32(crc).bytes(Frame.magicBytes(TRAILER_MAGIC));
    return w.toByteArray();
  }

  /** Reads the header section length from the last {@link #TRAILER_LENGTH} bytes. */
  public static int sectionLength(byte[] trailer, long packLength, String resource) {
    if (trailer.length != TRAILER_LENGTH) {
      throw new CorruptObjectException(resource, "trailer must be " + TRAILER_LENGTH + " bytes");
    }
    checkMagic(trailer, 8, TRAILER_MAGIC, resource, "trailer");
    ByteReader r = new ByteReader(trailer, resource);
    long len = r.u32();
    if (len < 4 || len + TRAILER_LENGTH + PREAMBLE_LENGTH > packLength) {
      throw new CorruptObjectException(resource, "header length " + len
          + " does not fit a pack of " + packLength + " bytes");
    }
    return (int) len;
  }

  /**
   * Parses the header section plus trailer ({@code tail} is exactly those bytes) of a pack that
   * is {@code packLength} bytes long, validating every extent.
   */
  public static List<PackEntry> parseTail(byte[] tail, long packLength, String resource) {
    if (packLength > MAX_PACK_LENGTH) {
      throw new CorruptObjectException(resource, "pack of " + packLength + " bytes is too large");
    }
    if (tail.length < TRAILER_LENGTH + 4) {
      throw new CorruptObjectException(resource, "pack tail too short");
    }
    byte[] trailer = java.util.Arrays.copyOfRange(tail, tail.length - TRAILER_LENGTH, tail.length);
    int sectionLength = sectionLength(trailer, packLength, resource);
    if (sectionLength + TRAILER_LENGTH != tail.length) {
      throw new CorruptObjectException(resource, "header length " + sectionLength
          + " disagrees with the tail read (" + tail.length + " bytes)");
    }
    long storedCrc = new ByteReader(trailer, 4, 4, resource).u32();
    if (Frame.crc32c(tail, 0, sectionLength) != storedCrc) {
      throw new CorruptObjectException(resource, "pack header checksum mismatch");
    }
    ByteReader r = new ByteReader(tail, 0, sectionLength, resource);
    long count = r.u32();
    if (count * ENTRY_LENGTH != sectionLength - 4) {
      throw new CorruptObjectException(resource, "pack header claims " + count
          + " blobs but holds " + (sectionLength - 4) + " bytes of entries");
    }
    long dataEnd = packLength - TRAILER_LENGTH - sectionLength;
    List<PackEntry> out = new ArrayList<>((int) count);
    long expectedOffset = PREAMBLE_LENGTH;
    for (int i = 0; i < count; i++) {
      BlobType type = BlobType.fromCode(r.u8(), resource);
      Id id = r.id();
      long offset = r.u32();
      long length = r.u32();
      if (offset != expectedOffset || length == 0 || length > Integer.MAX_VALUE || offset + length > dataEnd) {
        throw new CorruptObjectException(resource, "blob " + i + " (" + id.shortHex()
            + ") has a bad extent " + offset + "+" + length);
      }
      expectedOffset = offset + length;
      out.add(new PackEntry(type, id, offset, (int) length));
    }
    if (expectedOffset != dataEnd) {
      throw new CorruptObjectException(resource, "pack has " + (dataEnd - expectedOffset)
          + " bytes not covered by its header");
    }
    return out;
  }

  /** Parses a whole pack held in memory: preamble, then header. */
  public static List<PackEntry> parse(byte[] pack, String resource) {
    if (pack.length < PREAMBLE_LENGTH + TRAILER_LENGTH + 4) {
      throw new CorruptObjectException(resource, "too short (" + pack.length + " bytes) to be a pack");
    }
    checkPreamble(pack, resource);
    byte[] trailer = java.util.Arrays.copyOfRange(pack, pack.length - TRAILER_LENGTH, pack.length);
    int sectionLength = sectionLength(trailer, pack.length, resource);
    byte[] tail = java.util.Arrays.copyOfRange(pack, pack.length - TRAILER_LENGTH - sectionLength,
        pack.length);
    return parseTail(tail, pack.length, resource);
  }

  /**
   * Parses a pack in a file of {@code length} bytes as {@link #parse(byte[], String)} does,
   * reading only its preamble and its header section: the blobs stay on disk.
   */
  public static List<PackEntry> parse(java.nio.channels.FileChannel file, long length, String resource)
      throws java.io.IOException {
    if (length < PREAMBLE_LENGTH + TRAILER_LENGTH + 4) {
      throw new CorruptObjectException(resource, "too short (" + length + " bytes) to be a pack");
    }
    checkPreamble(read(file, 0, PREAMBLE_LENGTH, resource), resource);
    byte[] trailer = read(file, length - TRAILER_LENGTH, TRAILER_LENGTH, resource);
    int sectionLength = sectionLength(trailer, length, resource);
    return parseTail(read(file, length - TRAILER_LENGTH - sectionLength, TRAILER_LENGTH + sectionLength, resource),
        length, resource);
  }

  private static byte[] read(java.nio.channels.FileChannel file, long at, int n, String resource)
      throws java.io.IOException {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (file.read(b, at + b.position()) < 0) {
        throw new CorruptObjectException(resource, "ends before byte " + (at + n));
      }
    }
    return b.array();
  }

  public static void checkPreamble(byte[] preamble, String resource) {
    checkMagic(preamble, 0, MAGIC, resource, "preamble");
    int version = new ByteReader(preamble, 4, 2, resource).u16();
    if (version > VERSION) {
      throw new FormatTooNewException(resource, version, VERSION);
    }
    if (version < 1) {
      throw new CorruptObjectException(resource, "pack version " + version + " is invalid");
    }
  }

  private static void checkMagic(byte[] b, int at, String magic, String resource, String where) {
    byte[] m = Frame.magicBytes(magic);
    for (int i = 0; i < 4; i++) {
      if (b[at + i] != m[i]) {
        throw new CorruptObjectException(resource, "bad " + where + " magic, expected " + magic);
      }
    }
  }
}
