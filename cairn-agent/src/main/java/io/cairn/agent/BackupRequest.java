package io.cairn.agent;

import io.cairn.repository.Snapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What to back up and how.
 *
 * @param parent the snapshot to compare against for change detection (null: read everything)
 * @param fixedChunkSize use fixed-size chunks of this many bytes (disk images); 0 = FastCDC
 * @param threads workers for hashing, compression and encryption (0 = one per core)
 */
public record BackupRequest(List<Path> paths, List<String> excludes, boolean oneFileSystem,
    List<String> tags, String host, Snapshot parent, int fixedChunkSize, Instant lockedUntil,
    int threads) {

  public BackupRequest {
    paths = List.copyOf(paths);
    excludes = List.copyOf(excludes);
    tags = List.copyOf(tags);
  }

  public int effectiveThreads() {
    return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
  }
}
