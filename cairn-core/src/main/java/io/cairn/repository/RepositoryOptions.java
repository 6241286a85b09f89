package io.cairn.repository;

import io.cairn.crypto.KdfParams;
import java.nio.file.Path;
import java.time.Clock;

/**
 * How this process uses a repository.
 *
 * @param cacheDir where index segments are cached and memory-mapped
 * @param compressionLevel zstd level for new blobs
 */
public record RepositoryOptions(Path cacheDir, Clock clock, KdfParams kdf, int compressionLevel,
    String host, String username) {

  public static RepositoryOptions defaults(Path cacheDir) {
    return new RepositoryOptions(cacheDir, Clock.systemUTC(), KdfParams.fromEnvironment(), 3,
        localHost(), System.getProperty("user.name", "unknown"));
  }

  public RepositoryOptions withHost(String h) {
    return new RepositoryOptions(cacheDir, clock, kdf, compressionLevel, h, username);
  }

  public RepositoryOptions withClock(Clock c) {
    return new RepositoryOptions(cacheDir, c, kdf, compressionLevel, host, username);
  }

  public static String localHost() {
    String h = System.getenv("HOSTNAME");
    if (h != null && !h.isBlank()) {
      return h;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }
}
