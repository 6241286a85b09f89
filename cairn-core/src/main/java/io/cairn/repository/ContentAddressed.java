package io.cairn.repository;

import io.cairn.format.CorruptObjectException;
import io.cairn.format.Id;
import io.cairn.format.SnapshotCodec;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreKeys;

/**
 * Reading objects whose name is the SHA-256 of their bytes (packs, index segments, snapshots,
 * condemned lists): the one place that checks a name against the content, with and without a key.
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

  /** A snapshot's keyless parts: envelope and reference list. */
  public static SnapshotCodec.Decoded snapshot(BlobStore store, Id id) {
    String key = StoreKeys.snapshot(id);
    return SnapshotCodec.decode(get(store, key), key);
  }
}
