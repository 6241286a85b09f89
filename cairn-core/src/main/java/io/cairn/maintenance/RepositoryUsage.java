package io.cairn.maintenance;

import io.cairn.format.BlobType;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.IndexSegment;
import io.cairn.format.SnapshotCodec;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreKeys;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Iterator;

/**
 * What a repository holds, measured from what is stored now, without a key: the blobs some
 * snapshots reference (by their reference lists) and their stored sizes (from the index), the
 * blobs indexed, the packs and everything else. Unlike the figures a snapshot records when it is
 * made ("new data"), these stay true after snapshots are forgotten and packs pruned.
 *
 * @param referencedEntries index entries whose blob the snapshots reference (a blob stored in two
 *     packs counts twice, as it takes room twice)
 * @param referencedBytes their stored sizes: compressed and encrypted, without pack headers
 * @param referencedTreeBytes the part of {@code referencedBytes} in tree blobs
 */
public record RepositoryUsage(long referencedEntries, long referencedBytes, long referencedTreeBytes,
    long indexedEntries, long indexedBytes, long packs, long packBytes, long repositoryBytes) {

  /**
   * Measures the repository for the given snapshots.
   *
   * @param index the repository's index segments, as the repository holds them (mapped from its
   *     local cache): not fetched again
   */
  public static RepositoryUsage measure(BlobStore store, Collection<Id> snapshotIds, Collection<IndexSegment> index,
      Path tempDir) {
    try (IdSetFile referenced = new IdSetFile(tempDir)) {
      for (Id id : snapshotIds) {
        SnapshotEnvelopes.addReferences(SnapshotEnvelopes.load(store, id), referenced);
      }
      referenced.seal();
      long refEntries = 0;
      long refBytes = 0;
      long refTreeBytes = 0;
      long indexed = 0;
      long indexedBytes = 0;
      for (IndexSegment seg : index) {
        for (Iterator<IndexEntry> it = seg.iterator(); it.hasNext(); ) {
          IndexEntry ie = it.next();
          indexed++;
          indexedBytes += ie.length();
          if (referenced.contains(SnapshotCodec.refKey(ie.blob()))) {
            refEntries++;
            refBytes += ie.length();
            if (ie.type() == BlobType.TREE) {
              refTreeBytes += ie.length();
            }
          }
        }
      }
      // One listing of the whole store: the packs are the entries under data/.
      long packs = 0;
      long packBytes = 0;
      long total = 0;
      for (StoreEntry e : store.list("")) {
        total += e.size();
        if (e.key().startsWith(StoreKeys.DATA)) {
          packs++;
          packBytes += e.size();
        }
      }
      return new RepositoryUsage(refEntries, refBytes, refTreeBytes, indexed, indexedBytes, packs, packBytes, total);
    }
  }
}
