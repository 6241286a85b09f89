package io.cairn.maintenance;

import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.format.SnapshotCodec;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreKeys;
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
    return io.cairn.repository.ContentAddressed.snapshot(store, id);
  }

  /**
   * Adds a snapshot's references to a set, each by its first {@link SnapshotCodec#REF_WIDTH}
   * bytes (whole ids of version-1 snapshots too): a blob that shares that prefix with a referenced
   * one counts as referenced.
   */
  static void addReferences(SnapshotCodec.Decoded d, IdSetFile into) {
    for (int at = 0; at < d.refs().length; at += d.refWidth()) {
      into.add(SnapshotCodec.refKey(d.refs(), at));
    }
  }
}
