package io.cairn.maintenance;

import io.cairn.format.CairnException;
import io.cairn.format.CorruptObjectException;
import io.cairn.format.Id;
import io.cairn.format.SnapshotCodec;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreKeys;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Reads snapshot objects without a key: envelope and reference list only. */
public final class SnapshotEnvelopes {
  private SnapshotEnvelopes() {}

  public static List<RetentionPlanner.Candidate> list(BlobStore store, Consumer<CairnException> onError) {
    List<RetentionPlanner.Candidate> out = new ArrayList<>();
    for (StoreEntry e : store.list(StoreKeys.SNAPSHOTS)) {
      try {
        SnapshotCodec.Decoded d = load(store, StoreKeys.idOf(e.key()));
        out.add(new RetentionPlanner.Candidate(StoreKeys.idOf(e.key()), d.envelope()));
      } catch (CairnException ex) {
        onError.accept(ex);
      } catch (IllegalArgumentException ex) {
        // not a snapshot name; ignored
      }
    }
    return out;
  }

  public static SnapshotCodec.Decoded load(BlobStore store, Id id) {
    String key = StoreKeys.snapshot(id);
    byte[] data = store.get(key);
    try {
      if (!Id.of(MessageDigest.getInstance("SHA-256").digest(data)).equals(id)) {
        throw new CorruptObjectException(key, "content does not match its name (SHA-256)");
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return SnapshotCodec.decode(data, key);
  }
}
