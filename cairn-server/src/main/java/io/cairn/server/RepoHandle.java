package io.cairn.server;

import io.cairn.store.BlobStore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One tenant repository as the server runs it: its store (metered), its live byte counts and the
 * lock that lets only one maintenance job at a time work on it.
 */
public final class RepoHandle {
  final long id;
  final long tenantId;
  final String tenantSlug;
  final String name;
  final BlobStore store;
  final AtomicLong physicalBytes = new AtomicLong();
  final AtomicLong objects = new AtomicLong();
  final ReentrantLock maintenance = new ReentrantLock();

  /** What this server has locked in the object store, and until when (ObjectLocks). */
  final java.util.Map<String, java.time.Instant> locks = new java.util.concurrent.ConcurrentHashMap<>();
  /** Snapshots stored since the last lock pass of this repository took them (ObjectLocks). */
  final java.util.Set<io.cairn.format.Id> lockQueue = java.util.concurrent.ConcurrentHashMap.newKeySet();

  RepoHandle(long id, long tenantId, String tenantSlug, String name, BlobStore store) {
    this.id = id;
    this.tenantId = tenantId;
    this.tenantSlug = tenantSlug;
    this.name = name;
    this.store = store;
  }

  public long id() {
    return id;
  }

  public long tenantId() {
    return tenantId;
  }

  public String label() {
    return tenantSlug + "/" + name;
  }

  public BlobStore store() {
    return store;
  }

  public long physicalBytes() {
    return physicalBytes.get();
  }
}
