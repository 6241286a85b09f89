package io.cairn.repository;

import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local copies of the packs that hold a remote repository's trees (docs/format.md, "Local
 * cache"). Every backup reads the trees of the snapshot it compares with, one range request per
 * directory; through a server or from a bucket those round trips made a backup of 2,473
 * unchanged directories take seconds. A tree pack is fetched whole once, checked against its
 * name (the SHA-256 of its bytes), and read from the local file after that. Blobs read from here
 * are still authenticated and checked against their ids like any other.
 *
 * <p>A pack is fetched by one thread while others that need it wait on a plain lock (never on a
 * future, whose wait in a fork-join pool runs other tasks on the waiting thread). A pack not
 * used for {@link #UNUSED} is removed when the cache is first used: packs that garbage
 * collection removed from the repository stop being used and age out.
 */
final class TreePackCache {
  /** How long an unused pack is kept. */
  static final Duration UNUSED = Duration.ofDays(30);

  private final BlobStore store;
  private final Path dir;
  private final ConcurrentHashMap<Id, Object> fetching = new ConcurrentHashMap<>();
  private final Set<Id> touched = ConcurrentHashMap.newKeySet();
  /** Packs this run could not copy (missing, refused whole, damaged): read by range instead. */
  private final Set<Id> uncacheable = ConcurrentHashMap.newKeySet();
  private volatile boolean swept;
  private volatile boolean broken;

  TreePackCache(BlobStore store, Path dir) {
    this.store = store;
    this.dir = dir;
  }

  /**
   * The local copy of the pack, fetched first when there is none; null when the pack cannot be
   * cached (the caller reads from the store instead): the cache directory is not writable, or the
   * pack is missing, damaged, or refused whole (a write-only agent may read whole packs of trees
   * only).
   */
  Path local(Id pack) {
    if (broken || uncacheable.contains(pack)) {
      return null;
    }
    sweepOnce();
    Path file = path(pack);
    if (Files.isRegularFile(file)) {
      touch(pack, file);
      return file;
    }
    return fetch(pack, file);
  }

  /**
   * Reads {@code dst.remaining()} bytes at {@code offset} of a pack's local copy (from {@link
   * #local}); false, with the copy removed, when it cannot be read or is shorter than that.
   */
  boolean read(Id pack, Path file, long offset, ByteBuffer dst) {
    int start = dst.position();
    try (FileChannel ch = FileChannel.open(file)) {
      long at = offset;
      while (dst.hasRemaining()) {
        int n = ch.read(dst, at);
        if (n < 0) {
          throw new IOException("the cached pack " + file + " is shorter than the index says");
        }
        at += n;
      }
      return true;
    } catch (IOException e) {
      dst.position(start);
      evict(pack);
      return false;
    }
  }

  /** Removes a cached pack (its blob failed its checks): the next read fetches it again. */
  void evict(Id pack) {
    try {
      Files.deleteIfExists(path(pack));
    } catch (IOException e) {
      broken = true;
    }
    touched.remove(pack);
  }

  private Path path(Id pack) {
    String hex = pack.hex();
    return dir.resolve(hex.substring(0, 2)).resolve(hex);
  }

  private Path fetch(Id pack, Path file) {
    Object lock = fetching.computeIfAbsent(pack, k -> new Object());
    synchronized (lock) {
      try {
        if (Files.isRegularFile(file)) {
          return file;
        }
        byte[] bytes;
        try {
          bytes = ContentAddressed.get(store, StoreKeys.pack(pack));
        } catch (CairnException e) {
          // Missing, refused whole (a write-only agent's mixed pack), or damaged: the blob is read
          // from the repository instead, which reports what is wrong with it; not fetched again.
          uncacheable.add(pack);
          return null;
        }
        Files.createDirectories(file.getParent());
        CacheFiles.write(file, bytes);
        touched.add(pack);
        return file;
      } catch (IOException e) {
        broken = true;
        return null;
      } finally {
        fetching.remove(pack, lock);
      }
    }
  }

  /** Marks a pack used, once per run and at most once a day. */
  private void touch(Id pack, Path file) {
    if (!touched.add(pack)) {
      return;
    }
    try {
      Instant now = Instant.now();
      if (Files.getLastModifiedTime(file).toInstant().isBefore(now.minus(Duration.ofDays(1)))) {
        Files.setLastModifiedTime(file, FileTime.from(now));
      }
    } catch (IOException e) {
      // an unmarked pack may age out early and is fetched again then
    }
  }

  private void sweepOnce() {
    if (swept) {
      return;
    }
    synchronized (this) {
      if (swept) {
        return;
      }
      swept = true;
      Instant cutoff = Instant.now().minus(UNUSED);
      try (DirectoryStream<Path> tops = Files.newDirectoryStream(dir)) {
        for (Path top : tops) {
          try (DirectoryStream<Path> files = Files.newDirectoryStream(top)) {
            for (Path f : files) {
              if (Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)) {
                Files.deleteIfExists(f);
              }
            }
          }
        }
      } catch (IOException e) {
        // no cache yet, or an unreadable one: nothing to sweep
      }
    }
  }
}
