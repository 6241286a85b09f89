package io.cairn.maintenance;

import java.util.List;

/**
 * What {@link Checker} found. {@code errors} are damage (something committed cannot be read);
 * {@code notices} are harmless leftovers such as unreferenced packs from an interrupted backup.
 */
public record CheckReport(long packs, long blobs, long indexSegments, long snapshots, long trees,
    long blobsRead, List<String> errors, List<String> notices) {

  public boolean clean() {
    return errors.isEmpty();
  }
}
