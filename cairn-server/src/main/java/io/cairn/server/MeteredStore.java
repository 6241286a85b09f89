package io.cairn.server;

import io.cairn.store.BlobStore;
import io.cairn.store.StoreEntry;
import java.util.List;
import java.util.Optional;

/**
 * A repository's store as every part of the server reaches it: each object written or removed,
 * by an agent or by maintenance, moves the repository's physical byte count, so that metering
 * is what is on disk (recounted at every start; {@code ServerFlowTest} and
 * {@code ConcurrentAgentsTest} compare it with the bytes on disk).
 */
final class MeteredStore implements BlobStore {
  private final BlobStore inner;
  private RepoHandle handle;

  MeteredStore(BlobStore inner) {
    this.inner = inner;
  }

  void attach(RepoHandle h) {
    this.handle = h;
  }

  @Override
  public boolean putIfAbsent(String key, byte[] data) {
    return counted(inner.putIfAbsent(key, data), data.length);
  }

  private boolean counted(boolean wrote, long bytes) {
    if (wrote) {
      handle.physicalBytes.addAndGet(bytes);
      handle.objects.incrementAndGet();
    }
    return wrote;
  }

  @Override
  public java.nio.file.Path createSpoolFile() throws java.io.IOException {
    return inner.createSpoolFile();
  }

  @Override
  public boolean putIfAbsent(String key, java.nio.file.Path file) {
    long size;
    try {
      size = java.nio.file.Files.size(file);
    } catch (java.io.IOException e) {
      throw new io.cairn.store.StoreException(key, "cannot read the file to store: " + e.getMessage(), e);
    }
    return counted(inner.putIfAbsent(key, file), size);
  }

  @Override
  public byte[] get(String key) {
    return inner.get(key);
  }

  @Override
  public byte[] getRange(String key, long offset, int length) {
    return inner.getRange(key, offset, length);
  }

  @Override
  public List<Scratch> abandonedScratch(java.time.Instant before) {
    return inner.abandonedScratch(before);
  }

  @Override
  public boolean deleteScratch(Scratch s, java.time.Instant before) {
    return inner.deleteScratch(s, before);
  }

  @Override
  public void readRange(String key, long offset, java.nio.ByteBuffer dst) {
    inner.readRange(key, offset, dst);
  }

  @Override
  public Optional<Long> size(String key) {
    return inner.size(key);
  }

  @Override
  public List<StoreEntry> list(String prefix) {
    return inner.list(prefix);
  }

  @Override
  public boolean delete(String key) {
    Optional<Long> size = inner.size(key);
    boolean removed = inner.delete(key);
    if (removed) {
      handle.physicalBytes.addAndGet(-size.orElse(0L));
      handle.objects.decrementAndGet();
    }
    return removed;
  }

  @Override
  public String location() {
    return inner.location();
  }

  @Override
  public void close() {
    inner.close();
  }
}
