package io.cairn.format;

import java.util.Arrays;
import java.util.Collection;

/**
 * Snapshot object layout (docs/format.md, "Snapshots"):
 *
 * <pre>
 * frame header "CRSN" v1
 * envelopeLength u32, envelope JSON (plaintext)
 * sealedLength u32, sealed content (AEAD, associated data = "cairn-snapshot-v1" || envelope)
 * refCount u32, refCount x blobId[32] sorted ascending: every blob the snapshot references
 * crc32c u32
 * </pre>
 */
public final class SnapshotCodec {
  public static final String MAGIC = "CRSN";
  public static final int VERSION = 1;
  static final int MAX_ENVELOPE = 1 << 20;
  static final int MAX_SEALED = 16 << 20;

  private SnapshotCodec() {}

  /** A decoded snapshot object. {@code refs} holds the sorted ids back to back. */
  public record Decoded(SnapshotEnvelope envelope, byte[] envelopeBytes, byte[] sealed, byte[] refs) {
    public int refCount() {
      return refs.length / Id.LENGTH;
    }

    public Id ref(int i) {
      return Id.of(refs, i * Id.LENGTH);
    }
  }

  public static byte[] encode(byte[] envelopeJson, byte[] sealed, Collection<Id> refs) {
    Id[] sorted = refs.stream().distinct().sorted().toArray(Id[]::new);
    ByteWriter w = Frame.begin(MAGIC, VERSION);
    w.u32(envelopeJson.length).bytes(envelopeJson);
    w.u32(sealed.length).bytes(sealed);
    w.u32(sorted.length);
    for (Id id : sorted) {
      w.id(id);
    }
    return Frame.finish(w);
  }

  public static Decoded decode(byte[] data, String resource) {
    Frame.Opened f = Frame.open(data, MAGIC, 1, VERSION, resource);
    ByteReader r = f.body();
    int el = r.u32Bounded(MAX_ENVELOPE, "envelope length");
    byte[] env = r.bytes(el);
    int sl = r.u32Bounded(MAX_SEALED, "sealed length");
    byte[] sealed = r.bytes(sl);
    int rc = r.u32Bounded(r.remaining() / Id.LENGTH, "reference count");
    byte[] refs = r.bytes(rc * Id.LENGTH);
    r.expectEnd();
    for (int i = 1; i < rc; i++) {
      if (Arrays.compareUnsigned(refs, (i - 1) * Id.LENGTH, i * Id.LENGTH, refs, i * Id.LENGTH,
          (i + 1) * Id.LENGTH) >= 0) {
        throw new CorruptObjectException(resource, "references not strictly sorted at " + i);
      }
    }
    SnapshotEnvelope envelope = SnapshotEnvelope.fromJsonBytes(env, resource);
    return new Decoded(envelope, env, sealed, refs);
  }
}
