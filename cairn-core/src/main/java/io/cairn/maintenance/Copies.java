package io.cairn.maintenance;

import io.cairn.format.BlobType;
import io.cairn.format.Id;
import io.cairn.repository.Packer;
import io.cairn.store.BlobStore;

/**
 * How prune and repair keep a blob's copies apart when they copy blobs into new packs
 * (docs/format.md, "Ditto copies of trees"): by the copy number of the pack a copy comes from
 * or goes to, so that a tree's two copies never end up in one pack.
 */
final class Copies {
  private Copies() {}

  /** A blob in packs of one copy number. */
  record Blob(Id id, int copy) {}

  /** Where copied blobs go: one new pack per blob type and copy number. */
  record Slot(BlobType type, int copy) {
    Packer open(BlobStore store) {
      return new Packer(type, store, copy);
    }
  }
}
