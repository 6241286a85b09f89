package io.cairn.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A decorator that passes every call to the store it wraps; subclasses override what they change. */
public abstract class ForwardingStore implements BlobStore {
  protected final BlobStore inner;

  protected ForwardingStore(BlobStore inner) {
    this.inner = inner;
  }

  @Override
  public boolean putIfAbsent(String key, byte[] data) {
    return inner.putIfAbsent(key, data);
  }

  @Override
  public boolean putIfAbsent(String key, byte[] data, int length) {
    return inner.putIfAbsent(key, data, length);
  }

  @Override
  public Path createSpoolFile() throws IOException {
    return inner.createSpoolFile();
  }

  @Override
  public boolean putIfAbsent(String key, Path file) {
    return inner.putIfAbsent(key, file);
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
  public void readRange(String key, long offset, ByteBuffer dst) {
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
    return inner.delete(key);
  }

  @Override
  public List<Scratch> abandonedScratch(Instant before) {
    return inner.abandonedScratch(before);
  }

  @Override
  public boolean deleteScratch(Scratch s, Instant before) {
    return inner.deleteScratch(s, before);
  }

  @Override
  public Optional<Instant> lockedUntil(String key) {
    return inner.lockedUntil(key);
  }

  @Override
  public boolean lockUntil(String key, Instant until) {
    return inner.lockUntil(key, until);
  }

  @Override
  public void init() {
    inner.init();
  }

  @Override
  public String location() {
    return inner.location();
  }

  @Override
  public boolean remote() {
    return inner.remote();
  }

  @Override
  public void close() {
    inner.close();
  }
}
