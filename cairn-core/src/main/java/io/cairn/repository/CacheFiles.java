package io.cairn.repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Files of the local cache (docs/format.md, "Local cache"), written whole or not at all. */
final class CacheFiles {
  private CacheFiles() {}

  /**
   * Writes {@code data} to a temporary file of this process and thread beside {@code file}, then
   * renames it over {@code file} atomically: a reader sees the old file or the new one, never a
   * part. The temporary file does not outlive a failure.
   */
  static void write(Path file, byte[] data) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + ProcessHandle.current().pid() + "-"
        + Thread.currentThread().threadId());
    try {
      Files.write(tmp, data);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
