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
  /**
   * The packs being filled, under {@link #packLock}: data, trees, and the ditto copies of the
   * trees in packs of their own (docs/format.md, "Ditto copies of trees").
   */
  private final Packer[] packers = new Packer[3];
  /** Trees this session wrote both copies of, or the second copy of a tree stored once before. */
  private final java.util.Set<Id> dittoClaimed = ConcurrentHashMap.newKeySet();
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
    // A blob may be adopted from several packs: a tree and its ditto copy.
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
          // A tree indexed once (its session died between its two packs) gets its ditto copy back.
          boolean wanted = !repo.index().contains(pe.id())
              || (pe.type() == BlobType.TREE && repo.index().lookupAll(pe.id()).size() < 2);
          // Condemned blobs are not adopted: their pack may be one a prune is sweeping right now
          // (its entries already gone from the index, the pack itself not yet deleted).
          if (wanted && !condemned.contains(pe.id())) {
            adopted.add(new IndexEntry(pe.id(), pe.type(), pack, pe.offset(), pe.length()));
          }
        }
      } catch (io.cairn.format.CairnException ex) {
        // Damaged or vanished (a prune swept it): not adopted; check reports damage.
      }
    }
    writeSegment(adopted);
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
    boolean dittoOnly = false;
    if (isStored(id)) {
      // A tree stored once (by a version before ditto copies, or whose other copy was lost)
      // gets its second copy from the first backup that still needs it.
      if (type != BlobType.TREE || repo.index().lookupAll(id).size() >= 2 || !dittoClaimed.add(id)) {
        return false;
      }
      dittoOnly = true;
    } else if (claimed.putIfAbsent(id, Boolean.TRUE) != null) {
      return false;
    } else if (type == BlobType.TREE) {
      // Both copies are this session's: none is added later, when only one may be indexed yet.
      dittoClaimed.add(id);
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
    List<Packer.Finished> full = new ArrayList<>(2);
    synchronized (packLock) {
      long stored = 0;
      try {
        if (type == BlobType.TREE) {
          // A tree goes into two packs, so that no single damaged pack can cost a directory.
          java.nio.ByteBuffer second = sealed.duplicate();
          if (!dittoOnly) {
            stored += add(TREE, id, sealed, plainLength, full);
          }
          stored += add(DITTO, id, second, plainLength, full);
        } else {
          stored += add(DATA, id, sealed, plainLength, full);
        }
      } catch (RuntimeException ex) {
        // A write that failed half-way leaves the spool file out of step with the pack's
        // entries: nothing more goes into it, and the session can no longer commit.
        failure = ex;
        throw ex;
      }
      if (!dittoOnly) {
        newBlobs.incrementAndGet();
        newPlainBytes.addAndGet(plainLength);
      }
      newStoredBytes.addAndGet(stored);
    }
    for (Packer.Finished f : full) {
      uploadAsync(f);
    }
    return !dittoOnly;
  }

  /** Serializes and stores a tree; returns its id. */
  public Id saveTree(byte[] encodedTree) {
    Id id = repo.blobId(encodedTree);
    saveBlob(BlobType.TREE, id, encodedTree);
    return id;
  }

  /** Which of {@link #packers} a blob goes into. */
  private static final int DATA = 0;
  private static final int TREE = 1;
  private static final int DITTO = 2;

  /**
   * Appends a sealed blob to packer {@code which} (opened first if need be), and when that
   * fills the pack, finishes it into {@code full}. Called under {@link #packLock}; returns the
   * bytes stored.
   */
  private long add(int which, Id id, java.nio.ByteBuffer sealed, int plainLength, List<Packer.Finished> full) {
    if (closed) {
      // A chunk task still running when the session was abandoned: no new spool file.
      throw new io.cairn.format.CairnException("the write session is closed");
    }
    Packer p = packers[which];
    if (p == null) {
      p = packers[which] = new Packer(which == DATA ? BlobType.DATA : BlobType.TREE, repo.store(),
          which == DITTO ? io.cairn.format.PackFormat.DITTO : 0);
    }
    long stored = p.add(id, sealed, plainLength).length();
    if (p.size() >= repo.config().packSize()) {
      packers[which] = null;
      full.add(p.finish());
    }
    return stored;
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
    // Rule 2: index segments only name packs that are already stored.
    for (ContentAddressed.Segment seg : ContentAddressed.putIndex(repo.store(), entries, ENTRIES_PER_SEGMENT)) {
      repo.index().addWritten(seg.id(), seg.data());
    }
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
    List<Packer.Finished> finished = new ArrayList<>(3);
    synchronized (packLock) {
      for (int i = 0; i < packers.length; i++) {
        Packer.Finished f = finishOrDiscard(packers[i]);
        packers[i] = null;
        if (f != null) {
          finished.add(f);
        }
      }
    }
    for (Packer.Finished f : finished) {
      uploadAsync(f);
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
      for (int i = 0; i < packers.length; i++) {
        if (packers[i] != null) {
          packers[i].close();
          packers[i] = null;
        }
      }
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
