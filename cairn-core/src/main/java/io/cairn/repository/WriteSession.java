package io.cairn.repository;

import io.cairn.format.BlobType;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.IndexSegment;
import io.cairn.format.PackEntry;
import io.cairn.format.SnapshotCodec;
import io.cairn.format.SnapshotContent;
import io.cairn.format.SnapshotEnvelope;
import io.cairn.store.StoreKeys;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Adds blobs and at most one snapshot to a repository. Thread-safe: the backup pipeline's
 * workers call {@link #saveBlob} concurrently.
 *
 * <p>Write ordering (docs/design.md, "Write ordering"): a blob becomes part of a pack that is
 * stored before any index segment names it; index segments are stored before the snapshot that
 * references their blobs. A crash at any point therefore leaves only unreferenced packs or
 * segments, never a snapshot pointing at something missing.
 */
public final class WriteSession implements AutoCloseable {
  /** Index entries are flushed as a segment after this many packs, bounding heap and lost work. */
  static final int PACKS_PER_SEGMENT = 64;
  /** ...or after this many entries, whichever comes first (many tiny blobs fill few packs). */
  static final int ENTRIES_PER_SEGMENT = 50_000;

  private final Repository repo;
  private final ConcurrentHashMap<Id, Boolean> claimed = new ConcurrentHashMap<>();
  private final Object packLock = new Object();
  private Packer dataPacker;
  private Packer treePacker;
  /** Set under {@link #packLock} by {@link #close}: no packer is opened afterwards. */
  private boolean closed;
  private final List<IndexEntry> pending = new ArrayList<>();
  private int packsSinceFlush;
  private final AtomicLong newBlobs = new AtomicLong();
  private final AtomicLong newPlainBytes = new AtomicLong();
  private final AtomicLong newStoredBytes = new AtomicLong();
  private final AtomicLong packsWritten = new AtomicLong();
  private final Object uploadLock = new Object();
  private volatile RuntimeException failure;
  /** Finished packs are written by this thread so that compression never waits for the disk. */
  private final java.util.concurrent.ExecutorService uploader = java.util.concurrent.Executors.newSingleThreadExecutor(
      Thread.ofPlatform().daemon().name("cairn-upload").factory());
  /** At most this many finished packs wait (in their spool files) for the uploader. */
  private final java.util.concurrent.Semaphore uploadSlots = new java.util.concurrent.Semaphore(1);
  private final List<java.util.concurrent.Future<?>> uploads = java.util.Collections.synchronizedList(new ArrayList<>());

  private final Id sessionId;
  /** Blobs a prune has condemned: not deduplicated against (docs/design.md, "Garbage collection"). */
  private final java.util.Set<Id> condemned;

  WriteSession(Repository repo) {
    this.repo = repo;
    byte[] rid = new byte[Id.LENGTH];
    new java.security.SecureRandom().nextBytes(rid);
    this.sessionId = Id.of(rid);
    // GC rule 1: the marker is stored before this session looks at the condemned lists or the
    // index, so a prune either sees this session or condemned its blobs before it started.
    repo.store().putIfAbsent(StoreKeys.session(sessionId), new io.cairn.format.SessionMarker(
        repo.options().clock().instant(), repo.options().host(), ProcessHandle.current().pid()).encode());
    Repository.Condemned c = repo.condemned();
    this.condemned = c.blobs();
    repo.refreshIndex();
    adoptOrphanPacks(c.wholePacks());
  }

  /**
   * Indexes packs that an interrupted session stored but never indexed, so that a backup
   * resumed after a crash does not upload them again. Safe: a pack that is listed is complete
   * (put-if-absent is atomic); packs a prune condemned are left alone.
   */
  private void adoptOrphanPacks(Set<Id> condemnedPacks) {
    Set<Id> indexedPacks = new java.util.HashSet<>();
    for (IndexSegment seg : repo.index().segments()) {
      for (int i = 0; i < seg.packCount(); i++) {
        indexedPacks.add(seg.pack(i));
      }
    }
    List<IndexEntry> adopted = new ArrayList<>();
    for (StoreKeys.Named e : StoreKeys.listNamed(repo.store(), StoreKeys.DATA)) {
      Id pack = e.id();
      if (indexedPacks.contains(pack) || condemnedPacks.contains(pack)) {
        continue;
      }
      try {
        // Only the pack's header is read (checksummed): a resumed backup over the network does
        // not download what it uploaded, and a write-only credential may read headers.
        for (PackEntry pe : PackHeader.read(repo.store(), e.key(), e.entry().size()).entries()) {
          // Condemned blobs are not adopted: their pack may be one a prune is sweeping right now
          // (its entries already gone from the index, the pack itself not yet deleted).
          if (!repo.index().contains(pe.id()) && !condemned.contains(pe.id())) {
            adopted.add(new IndexEntry(pe.id(), pe.type(), pack, pe.offset(), pe.length()));
          }
        }
      } catch (io.cairn.format.CairnException ex) {
        // Damaged or vanished (a prune swept it): not adopted; check reports damage.
      }
    }
    java.util.Map<Id, IndexEntry> unique = new java.util.LinkedHashMap<>();
    for (IndexEntry ie : adopted) {
      unique.putIfAbsent(ie.blob(), ie);
    }
    List<IndexEntry> all = new ArrayList<>(unique.values());
    for (int from = 0; from < all.size(); from += ENTRIES_PER_SEGMENT) {
      writeSegment(new ArrayList<>(all.subList(from, Math.min(all.size(), from + ENTRIES_PER_SEGMENT))));
    }
  }

  /** True when a blob can be referenced without storing it again: indexed and not condemned. */
  public boolean isStored(Id id) {
    return repo.index().contains(id) && !condemned.contains(id);
  }

  public Repository repository() {
    return repo;
  }

  /** True if the repository or this session already holds the blob. */
  public boolean has(Id id) {
    return claimed.containsKey(id) || isStored(id);
  }

  /**
   * Stores a blob whose id the caller computed with {@link Repository#blobId}, unless it is
   * already stored. Returns true when this call added it.
   */
  public boolean saveBlob(BlobType type, Id id, byte[] plaintext) {
    return save(type, id, plaintext.length, () -> repo.codec().sealDirect(type, id, plaintext));
  }

  /** As {@link #saveBlob(BlobType, Id, byte[])} for the bytes between a direct buffer's position and limit. */
  public boolean saveBlob(BlobType type, Id id, java.nio.ByteBuffer plaintext) {
    return save(type, id, plaintext.remaining(), () -> repo.codec().sealDirect(type, id, plaintext));
  }

  private boolean save(BlobType type, Id id, int plainLength, java.util.function.Supplier<java.nio.ByteBuffer> seal) {
    checkHealthy();
    if (isStored(id) || claimed.putIfAbsent(id, Boolean.TRUE) != null) {
      return false;
    }
    java.nio.ByteBuffer sealed;
    try {
      sealed = seal.get();
    } catch (RuntimeException | Error ex) {
      // Another caller may already have taken the claim as "stored" and referenced the blob:
      // the session can no longer commit a snapshot that is sure to be whole.
      failure = ex instanceof RuntimeException r ? r
          : new io.cairn.format.CairnException("sealing blob " + id.shortHex() + " failed: " + ex, ex);
      throw ex;
    }
    Packer.Finished full = null;
    synchronized (packLock) {
      Packer p = packerFor(type);
      PackEntry e;
      try {
        e = p.add(id, sealed, plainLength);
      } catch (RuntimeException ex) {
        // A write that failed half-way leaves the spool file out of step with the pack's
        // entries: nothing more goes into it, and the session can no longer commit.
        failure = ex;
        throw ex;
      }
      if (p.size() >= repo.config().packSize()) {
        full = p.finish();
        resetPacker(type);
      }
      newBlobs.incrementAndGet();
      newPlainBytes.addAndGet(plainLength);
      newStoredBytes.addAndGet(e.length());
    }
    if (full != null) {
      uploadAsync(full);
    }
    return true;
  }

  /** Serializes and stores a tree; returns its id. */
  public Id saveTree(byte[] encodedTree) {
    Id id = repo.blobId(encodedTree);
    saveBlob(BlobType.TREE, id, encodedTree);
    return id;
  }

  private Packer packerFor(BlobType type) {
    if (closed) {
      // A chunk task still running when the session was abandoned: no new spool file.
      throw new io.cairn.format.CairnException("the write session is closed");
    }
    if (type == BlobType.DATA) {
      if (dataPacker == null) {
        dataPacker = new Packer(type, repo.store());
      }
      return dataPacker;
    }
    if (treePacker == null) {
      treePacker = new Packer(type, repo.store());
    }
    return treePacker;
  }

  private void resetPacker(BlobType type) {
    if (type == BlobType.DATA) {
      dataPacker = null;
    } else {
      treePacker = null;
    }
  }

  private void uploadAsync(Packer.Finished f) {
    uploadSlots.acquireUninterruptibly();
    try {
      uploads.add(uploader.submit(() -> {
        try {
          upload(f);
        } finally {
          uploadSlots.release();
        }
      }));
    } catch (RuntimeException e) {
      uploadSlots.release();
      f.close();
      throw e;
    }
  }

  private void awaitUploads() {
    List<java.util.concurrent.Future<?>> pendingUploads;
    synchronized (uploads) {
      pendingUploads = new ArrayList<>(uploads);
      uploads.clear();
    }
    for (java.util.concurrent.Future<?> u : pendingUploads) {
      try {
        u.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new io.cairn.format.CairnException("interrupted while writing packs");
      } catch (java.util.concurrent.ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException r ? r
              : new io.cairn.format.CairnException("writing a pack failed: " + e.getCause(), e.getCause());
        }
      }
    }
  }

  private void upload(Packer.Finished f) {
    // Rule 1: the pack is durable before any index names its blobs.
    Id packId = f.id();
    try {
      f.putTo(repo.store());
    } catch (RuntimeException e) {
      // The blobs of this pack are claimed but not stored: the session can no longer commit.
      failure = e;
      throw e;
    }
    packsWritten.incrementAndGet();
    List<IndexEntry> flushNow = null;
    synchronized (uploadLock) {
      for (PackEntry e : f.entries()) {
        pending.add(new IndexEntry(e.id(), e.type(), packId, e.offset(), e.length()));
      }
      if (++packsSinceFlush >= PACKS_PER_SEGMENT || pending.size() >= ENTRIES_PER_SEGMENT) {
        flushNow = new ArrayList<>(pending);
        pending.clear();
        packsSinceFlush = 0;
      }
    }
    if (flushNow != null) {
      writeSegment(flushNow);
    }
  }

  private void writeSegment(List<IndexEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    byte[] seg = IndexSegment.encode(entries);
    Id id = Id.of(io.cairn.crypto.Sha256.digest(seg));
    // Rule 2: index segments only name packs that are already stored.
    repo.store().putIfAbsent(StoreKeys.index(id), seg);
    repo.index().addWritten(id, seg);
    for (IndexEntry e : entries) {
      claimed.remove(e.blob());
    }
  }

  private void checkHealthy() {
    RuntimeException f = failure;
    if (f != null) {
      throw new io.cairn.format.CairnException("an earlier write of this session failed (" + f.getMessage()
          + "); nothing more is written and no snapshot is committed", f);
    }
  }

  /**
   * Finishes open packs and writes the index for everything saved so far. Callers must not
   * call it while {@link #saveBlob} calls are still running.
   */
  public void flush() {
    checkHealthy();
    Packer.Finished d = null;
    Packer.Finished t = null;
    synchronized (packLock) {
      d = finishOrDiscard(dataPacker);
      t = finishOrDiscard(treePacker);
      dataPacker = null;
      treePacker = null;
    }
    if (d != null) {
      uploadAsync(d);
    }
    if (t != null) {
      uploadAsync(t);
    }
    awaitUploads();
    checkHealthy();
    List<IndexEntry> rest;
    synchronized (uploadLock) {
      rest = new ArrayList<>(pending);
      pending.clear();
      packsSinceFlush = 0;
    }
    writeSegment(rest);
  }

  private static Packer.Finished finishOrDiscard(Packer p) {
    if (p == null) {
      return null;
    }
    if (p.isEmpty()) {
      p.close();
      return null;
    }
    return p.finish();
  }

  /**
   * Flushes, then writes the snapshot (rule 3: last). Every blob in {@code refs} must be stored.
   */
  public Id commitSnapshot(SnapshotEnvelope envelope, SnapshotContent content, Collection<Id> refs) {
    flush();
    checkHealthy();
    byte[] env = envelope.toJsonBytes();
    byte[] aad = new byte[Repository.SNAPSHOT_AAD.length + env.length];
    System.arraycopy(Repository.SNAPSHOT_AAD, 0, aad, 0, Repository.SNAPSHOT_AAD.length);
    System.arraycopy(env, 0, aad, Repository.SNAPSHOT_AAD.length, env.length);
    byte[] plain = content.toJsonBytes();
    byte[] sealed = repo.cipher().encrypt(aad, new byte[0], plain, 0, plain.length);
    byte[] data = SnapshotCodec.encode(env, sealed, refs);
    Id id = Id.of(io.cairn.crypto.Sha256.digest(data));
    repo.store().putIfAbsent(StoreKeys.snapshot(id), data);
    return id;
  }

  public long newBlobs() {
    return newBlobs.get();
  }

  public long newPlaintextBytes() {
    return newPlainBytes.get();
  }

  public long newStoredBytes() {
    return newStoredBytes.get();
  }

  public long packsWritten() {
    return packsWritten.get();
  }

  /** Abandons unflushed data: nothing is referenced by a snapshot yet, so nothing is lost. */
  @Override
  public void close() {
    synchronized (packLock) {
      closed = true;
      // Unfinished packs are abandoned: their spool files go.
      if (dataPacker != null) {
        dataPacker.close();
      }
      if (treePacker != null) {
        treePacker.close();
      }
      dataPacker = null;
      treePacker = null;
    }
    uploader.shutdown();
    try {
      if (!uploader.awaitTermination(10, java.util.concurrent.TimeUnit.MINUTES)) {
        uploader.shutdownNow();
      }
    } catch (InterruptedException e) {
      uploader.shutdownNow();
      Thread.currentThread().interrupt();
    }
    // Last: the marker goes only when this session can write nothing more.
    repo.store().delete(StoreKeys.session(sessionId));
  }
}
