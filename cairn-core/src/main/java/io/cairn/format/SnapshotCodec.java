package io.cairn.format;

import java.util.Arrays;
import java.util.Collection;

/**
 * Snapshot object layout (docs/format.md, "Snapshots"):
 *
 * <pre>
 * frame header "CRSN" v2
 * envelopeLength u32, envelope JSON (plaintext)
 * sealedLength u32, sealed content (AEAD, associated data = "cairn-snapshot-v1" || envelope)
 * refWidth u8 (8, 16, 24 or 32)
 * refCount u32, refCount x the first refWidth bytes of a blob id, strictly ascending: every blob
 *   the snapshot references, by prefix
 * crc32c u32
 * </pre>
 *
 * Version 1, still read, has no refWidth byte and lists whole ids (width 32). Writers use
 * {@link #REF_WIDTH} bytes: a quarter of the size, and a prefix shared by another blob only ever
 * keeps that blob too (maintenance treats every blob matching a listed prefix as referenced).
 */
public final class SnapshotCodec {
  public static final String MAGIC = "CRSN";
  public static final int VERSION = 2;
  /** Bytes of each blob id that version-2 writers list. */
  public static final int REF_WIDTH = Long.BYTES;
  static final int MAX_ENVELOPE = 1 << 20;
  static final int MAX_SEALED = 16 << 20;

  private SnapshotCodec() {}

  /**
   * A decoded snapshot object. {@code refs} holds the sorted id prefixes of {@code refWidth}
   * bytes back to back (whole ids when the width is 32).
   */
  public record Decoded(SnapshotEnvelope envelope, byte[] envelopeBytes, byte[] sealed, byte[] refs, int refWidth) {
    public int refCount() {
      return refs.length / refWidth;
    }

    /** Whether the list names a prefix of {@code id}: the blob is (or may be) referenced. */
    public boolean mayReference(Id id) {
      return SortedIds.containsPrefix(java.lang.foreign.MemorySegment.ofArray(refs), refCount(), refWidth,
          id.bytes(), 0, refWidth);
    }
  }

  /**
   * The key under which maintenance compares references of any width: the id's first
   * {@link #REF_WIDTH} bytes followed by zeros. Two ids with the same key count as one.
   */
  public static Id refKey(byte[] ids, int offset) {
    byte[] k = new byte[Id.LENGTH];
    System.arraycopy(ids, offset, k, 0, REF_WIDTH);
    return Id.of(k);
  }

  public static Id refKey(Id id) {
    return refKey(id.bytes(), 0);
  }

  public static byte[] encode(byte[] envelopeJson, byte[] sealed, Collection<Id> refs) {
    // Each id's first eight bytes (REF_WIDTH) as a number with the sign bit flipped, so that the
    // plain signed sort of a long[] orders them as unsigned bytes; prefixes that several ids
    // share are listed once. (Sorting the ids themselves took 50-80 ms of a backup of 40,000
    // files.)
    long[] keys = new long[refs.size()];
    int k = 0;
    for (Id id : refs) {
      keys[k++] = id.leading() ^ Long.MIN_VALUE;
    }
    Arrays.sort(keys);
    byte[] prefixes = new byte[keys.length * REF_WIDTH];
    java.lang.foreign.MemorySegment out = java.lang.foreign.MemorySegment.ofArray(prefixes);
    int n = 0;
    for (int i = 0; i < keys.length; i++) {
      if (i == 0 || keys[i] != keys[i - 1]) {
        out.set(SortedIds.BE64, (long) n++ * REF_WIDTH, keys[i] ^ Long.MIN_VALUE);
      }
    }
    ByteWriter w = Frame.begin(MAGIC, VERSION);
    w.u32(envelopeJson.length).bytes(envelopeJson);
    w.u32(sealed.length).bytes(sealed);
    w.u8(REF_WIDTH);
    w.u32(n);
    w.bytes(prefixes, 0, n * REF_WIDTH);
    return Frame.finish(w);
  }

  public static Decoded decode(byte[] data, String resource) {
    Frame.Opened f = Frame.open(data, MAGIC, 1, VERSION, resource);
    ByteReader r = f.body();
    int el = r.u32Bounded(MAX_ENVELOPE, "envelope length");
    byte[] env = r.bytes(el);
    int sl = r.u32Bounded(MAX_SEALED, "sealed length");
    byte[] sealed = r.bytes(sl);
    int width = Id.LENGTH;
    if (f.version() >= 2) {
      width = r.u8();
      if (width == 0 || width % 8 != 0 || width > Id.LENGTH) {
        throw new CorruptObjectException(resource, "reference width " + width + " is not 8, 16, 24 or 32");
      }
    }
    int rc = r.u32Bounded(r.remaining() / width, "reference count");
    byte[] refs = r.bytes(rc * width);
    r.expectEnd();
    for (int i = 1; i < rc; i++) {
      if (Arrays.compareUnsigned(refs, (i - 1) * width, i * width, refs, i * width, (i + 1) * width) >= 0) {
        throw new CorruptObjectException(resource, "references not strictly sorted at " + i);
      }
    }
    SnapshotEnvelope envelope = SnapshotEnvelope.fromJsonBytes(env, resource);
    return new Decoded(envelope, env, sealed, refs, width);
  }
}
