package io.cairn.server;

import io.cairn.store.BlobStore;
import io.cairn.store.ForwardingStore;
import java.util.Optional;

/**
 * A repository's store as every part of the server reaches it: each object written or removed,
 * by an agent or by maintenance, moves the repository's physical byte count, so that metering
 * is what is on disk (recounted at every start; {@code ServerFlowTest} and
 * {@code ConcurrentAgentsTest} compare it with the bytes on disk).
 */
final class MeteredStore extends ForwardingStore {
  private RepoHandle handle;

  MeteredStore(BlobStore inner) {
    super(inner);
  }

  void attach(RepoHandle h) {
    this.handle = h;
  }

  @Override
  public boolean putIfAbsent(String key, byte[] data) {
    return counted(inner.putIfAbsent(key, data), data.length);
  }

  @Override
  public boolean putIfAbsent(String key, byte[] data, int length) {
    return counted(inner.putIfAbsent(key, data, length), length);
  }

  private boolean counted(boolean wrote, long bytes) {
    if (wrote) {
      handle.physicalBytes.addAndGet(bytes);
      handle.objects.incrementAndGet();
    }
    return wrote;
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
  public boolean delete(String key) {
    Optional<Long> size = inner.size(key);
    boolean removed = inner.delete(key);
    if (removed) {
      handle.physicalBytes.addAndGet(-size.orElse(0L));
      handle.objects.decrementAndGet();
    }
    return removed;
  }
}
