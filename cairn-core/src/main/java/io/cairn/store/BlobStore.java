package io.cairn.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.cairn.format.ObjectNotFoundException;
import java.util.List;
import java.util.Optional;

/**
 * Where a repository's objects live: a directory, an S3 bucket, a server. The contract below is
 * what the repository's crash-safety argument (docs/design.md, "Write ordering") relies on, and
 * {@code BlobStoreConformanceTest} checks it for every implementation ({@code RawStoreConformanceTest}
 * adds what stores beneath a repository do with any key and any bytes).
 *
 * <ul>
 *   <li>Keys are validated by {@link StoreKeys#check}: lowercase segments separated by '/'.
 *   <li>{@link #putIfAbsent} is atomic and durable: once it returns, the whole object is visible
 *       to every reader and survives a crash; before that, no reader sees any part of it. It never
 *       replaces an existing object.
 *   <li>Objects are immutable; only {@link #delete} removes them.
 *   <li>Missing objects raise {@link ObjectNotFoundException}; other failures raise
 *       {@link StoreException} naming the key.
 *   <li>Implementations are thread-safe.
 * </ul>
 */
public interface BlobStore extends AutoCloseable {

  /** Stores {@code data} under {@code key} unless the key exists; true when this call wrote it. */
  boolean putIfAbsent(String key, byte[] data);

  /**
   * As {@link #putIfAbsent(String, byte[])} for the first {@code length} bytes of {@code data}
   * (a pack in its build buffer). Stores that can write a prefix without copying override it.
   */
  default boolean putIfAbsent(String key, byte[] data, int length) {
    return putIfAbsent(key, length == data.length ? data : java.util.Arrays.copyOf(data, length));
  }

  /**
   * A new, empty local file in which an object can be built before {@link #putIfAbsent(String,
   * Path)} stores it. Stores on a local disk put it next to their objects, so that storing it is a
   * link; others use the system's temporary directory.
   */
  default Path createSpoolFile() throws IOException {
    return Files.createTempFile("cairn-", ".spool");
  }

  /**
   * As {@link #putIfAbsent(String, byte[])} with the content of {@code file} (from {@link
   * #createSpoolFile}), which this call consumes: it is gone afterwards, whatever the outcome.
   */
  default boolean putIfAbsent(String key, Path file) {
    try {
      byte[] data;
      try {
        data = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new StoreException(key, "cannot read the file to store, " + file + ": " + e.getMessage(), e);
      }
      return putIfAbsent(key, data);
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a leftover spool file is never read
      }
    }
  }

  /** The whole object. */
  byte[] get(String key);

  /**
   * {@code length} bytes starting at {@code offset}.
   *
   * @throws StoreException when the range extends beyond the object
   */
  byte[] getRange(String key, long offset, int length);

  /**
   * Reads the {@code dst.remaining()} bytes starting at {@code offset} into {@code dst}, from its
   * position on, which it advances to its limit. A store that reads from files reads straight
   * into the buffer; a direct buffer then takes the bytes without a copy through the heap.
   *
   * @throws StoreException when the range extends beyond the object
   */
  default void readRange(String key, long offset, java.nio.ByteBuffer dst) {
    dst.put(getRange(key, offset, dst.remaining()));
  }

  /**
   * For stores whose reads cannot express an empty range (an HTTP Range header cannot): fails as
   * a read of it must when the object is missing or {@code offset} lies beyond its end.
   */
  static void checkEmptyRange(BlobStore store, String key, long offset) {
    long size = store.size(key).orElseThrow(() -> new io.cairn.format.ObjectNotFoundException(key,
        "not stored in " + store.location()));
    if (offset < 0 || offset > size) {
      throw new StoreException(key, "an empty range at " + offset + " is beyond the end of " + size + " bytes", null);
    }
  }

  /** The object's size, or empty when it does not exist. */
  Optional<Long> size(String key);

  /** All objects whose key starts with {@code prefix} (a directory such as "data/"), any order. */
  List<StoreEntry> list(String prefix);

  /** Removes the object; false when it did not exist. */
  boolean delete(String key);

  /** A scratch file of the store: a spool file or a half-written upload. */
  record Scratch(String name, long size) {}

  /**
   * Scratch files last written before {@code before}: left by processes that died while writing
   * (a kill between creating a spool file and storing it). None for stores without scratch files.
   */
  default List<Scratch> abandonedScratch(java.time.Instant before) {
    return List.of();
  }

  /**
   * Removes a scratch file listed by {@link #abandonedScratch}, unless it has been written since
   * {@code before}; false when it was not removed.
   */
  default boolean deleteScratch(Scratch s, java.time.Instant before) {
    return false;
  }

  /**
   * Until when the store itself refuses to delete or replace the object (S3 Object Lock
   * retention); empty when it is not locked or the store has no such lock.
   */
  default Optional<java.time.Instant> lockedUntil(String key) {
    return Optional.empty();
  }

  /**
   * Has the store refuse to delete or replace the object until {@code until}, extending a shorter
   * lock and never shortening one. False when the store cannot lock objects (a directory, a bucket
   * without Object Lock, a server), true when the object is locked until then or later.
   *
   * @throws io.cairn.format.ObjectNotFoundException when a store that locks has no such object
   */
  default boolean lockUntil(String key, java.time.Instant until) {
    return false;
  }

  /**
   * Makes the container the objects go in, when the store has one that may be missing (an S3
   * bucket); a repository's {@code init} calls it before writing anything. Does nothing when it
   * exists already, or for stores that make what they need as they write (a directory).
   */
  default void init() {}

  /** Where the store is, for messages. */
  String location();

  /**
   * Whether each read crosses a network (a server, a bucket): worth keeping a local copy of what
   * is read again and again, such as the packs of trees that every backup compares with.
   */
  default boolean remote() {
    return false;
  }

  @Override
  default void close() {}
}
