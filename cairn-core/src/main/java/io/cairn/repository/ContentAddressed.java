package io.cairn.repository;

import io.cairn.format.CorruptObjectException;
import io.cairn.format.Id;
import io.cairn.format.SnapshotCodec;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreKeys;

/**
 * Objects whose name is the SHA-256 of their bytes (packs, index segments, snapshots, condemned
 * lists): the one place that checks a name against the content, with and without a key, and that
 * names the index segments writers store.
 */
public final class ContentAddressed {
  private ContentAddressed() {}

  /** True when {@code data} is what an object named {@code key} must hold. */
  public static boolean matches(String key, byte[] data) {
    return Id.of(io.cairn.crypto.Sha256.digest(data)).equals(StoreKeys.idOf(key));
  }

  /**
   * The object's bytes, checked against its name.
   *
   * @throws CorruptObjectException when they differ (bit rot or tampering)
   */
  public static byte[] get(BlobStore store, String key) {
    byte[] data = store.get(key);
    if (!matches(key, data)) {
      throw new CorruptObjectException(key, "content does not match its name (SHA-256)");
    }
    return data;
  }

  /** An index segment as stored: its name and its bytes. */
  public record Segment(Id id, byte[] data) {}

  /**
   * Encodes index entries as segments of at most {@code maxEntries} ({@link
   * io.cairn.format.IndexSegment#encodeAll}: a blob's copies in different segments) and stores
   * each under its name; returns them in the order stored.
   */
  public static java.util.List<Segment> putIndex(BlobStore store, java.util.List<io.cairn.format.IndexEntry> entries,
      int maxEntries) {
    java.util.List<Segment> out = new java.util.ArrayList<>();
    for (byte[] seg : io.cairn.format.IndexSegment.encodeAll(entries, maxEntries)) {
      Segment s = new Segment(Id.of(io.cairn.crypto.Sha256.digest(seg)), seg);
      store.putIfAbsent(StoreKeys.index(s.id()), seg);
      out.add(s);
    }
    return out;
  }

  /** A snapshot's keyless parts: envelope and reference list. */
  public static SnapshotCodec.Decoded snapshot(BlobStore store, Id id) {
    String key = StoreKeys.snapshot(id);
    return SnapshotCodec.decode(get(store, key), key);
  }
}
