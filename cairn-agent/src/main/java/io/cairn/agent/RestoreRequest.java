package io.cairn.agent;

import io.cairn.repository.Snapshot;
import java.nio.file.Path;
import java.util.List;

/**
 * What to restore and where.
 *
 * @param subpath a path inside the snapshot ("/" for all)
 * @param includes globs on the path relative to the restored root; empty = everything
 * @param verify read every restored file back and check it against the snapshot
 */
public record RestoreRequest(Snapshot snapshot, String subpath, Path target, List<String> includes,
    boolean dryRun, boolean verify, int threads) {

  public RestoreRequest {
    includes = List.copyOf(includes);
  }
}
