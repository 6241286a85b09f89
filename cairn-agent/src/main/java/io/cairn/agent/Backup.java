package io.cairn.agent;

import io.cairn.chunker.ChunkReader;
import io.cairn.chunker.ChunkSink;
import io.cairn.chunker.Chunker;
import io.cairn.chunker.FixedChunker;
import io.cairn.format.BlobType;
import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.format.Node;
import io.cairn.format.NodeKind;
import io.cairn.format.SnapshotContent;
import io.cairn.format.SnapshotEnvelope;
import io.cairn.format.SnapshotSummary;
import io.cairn.format.TreeCodec;
import io.cairn.repository.Repository;
import io.cairn.repository.WriteSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The backup pipeline. A walker thread visits the file system depth-first; regular files are
 * read and chunked on a pool of reader threads (two per worker); every chunk is hashed,
 * compressed, encrypted and packed on a pool with one platform thread per core, and full packs
 * are written by the session's uploader thread. A directory's tree is stored as soon
 * as all its children are done. Files unchanged since the parent snapshot (same size, mtime,
 * ctime and inode) are not read.
 */
public final class Backup {
  /** Chunk bytes read but not yet packed: the size of the {@link ChunkRing} (or one maximum chunk if larger). */
  private static final int MAX_IN_FLIGHT_BYTES = 24 << 20;
  /** Files up to this size are read with the reader thread's own small buffer. */
  private static final int SMALL_BUFFER = 2 << 20;
  /** Files up to this size are sealed on the reader thread (see {@link #chunkAll}). */
  private static final long INLINE_MAX = 256 << 10;

  private final Repository repo;
  private final BackupRequest req;
  private final Progress progress;
  private final Chunker chunker;
  private final FileMetadata metadata = new FileMetadata();
  /** Every blob the snapshot references: sized for the parent's, so that it seldom has to grow. */
  private final Set<Id> refs;
  private final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong files = new AtomicLong();
  private final AtomicLong dirs = new AtomicLong();
  private final AtomicLong others = new AtomicLong();
  private final AtomicLong logical = new AtomicLong();
  private final AtomicLong newFiles = new AtomicLong();
  private final AtomicLong changedFiles = new AtomicLong();
  private final AtomicLong unchangedFiles = new AtomicLong();
  private final Excludes excludes;
  private ExecutorService chunkPool;
  /**
   * Lists directories and reads metadata, several directories at once. A fork-join pool takes
   * a worker's newest task first, so each worker walks depth-first and the directories open at
   * once stay few; idle workers steal the oldest (shallowest) ones.
   */
  private java.util.concurrent.ForkJoinPool walkPool;
  /** The cipher is warmed up once a file must actually be read (not for a backup that reads nothing). */
  private final java.util.concurrent.atomic.AtomicBoolean warmedUp = new java.util.concurrent.atomic.AtomicBoolean();
  private ExecutorService fileThreads;
  private Semaphore fileSlots;
  private ChunkRing ring;
  private WriteSession session;

  public Backup(Repository repo, BackupRequest req, Progress progress) {
    this.repo = repo;
    this.req = req;
    this.progress = progress;
    this.chunker = req.fixedChunkSize() > 0 ? new FixedChunker(req.fixedChunkSize()) : repo.chunker();
    this.excludes = new Excludes(req.excludes());
    this.refs = ConcurrentHashMap.newKeySet(req.parent() == null ? 1024 : req.parent().refCount() + 1024);
  }

  /** Backs up the request's paths. */
  /**
   * The newest snapshot of {@code host} of exactly these paths: the parent a backup of them
   * compares with, so that unchanged files are not read again; null when there is none.
   */
  public static io.cairn.repository.Snapshot latestOf(Repository repo, String host, List<Path> paths) {
    String tag = repo.pathsTag(paths.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList());
    io.cairn.repository.Snapshot best = null;
    for (io.cairn.repository.Snapshot s : repo.listSnapshots(e -> { })) {
      if (s.envelope().host().equals(host) && s.envelope().pathsTag().equals(tag)) {
        best = s;
      }
    }
    return best;
  }

  public BackupResult run() {
    if (req.paths().isEmpty()) {
      throw new IllegalArgumentException("nothing to back up: give at least one path");
    }
    List<Path> abs = new ArrayList<>();
    for (Path p : req.paths()) {
      Path a = p.toAbsolutePath().normalize();
      if (!Files.exists(a, LinkOption.NOFOLLOW_LINKS)) {
        throw new CairnException("path " + p + " does not exist");
      }
      abs.add(a);
    }
    // The estimate walks the tree a second time: only worth it when someone watches the progress.
    Thread scanner = progress.wantsTotals()
        ? Thread.ofVirtual().name("cairn-scan").start(() -> Scanner.estimate(abs, excludes, progress)) : null;
    try {
      return execute(abs.stream().map(Path::toString).toList(), () -> {
        VDir root = new VDir();
        for (Path a : abs) {
          root.add(a, 0);
        }
        return root.save(Path.of("/"), oldChildren(rootTree()));
      });
    } finally {
      if (scanner != null) {
        scanner.interrupt();
      }
    }
  }

  /**
   * Backs up one stream (stdin or a command's output) as a single file named {@code name}.
   * {@code sourceFailure} is asked after the stream ends; a non-null answer aborts the backup
   * before anything is committed.
   */
  public BackupResult runStream(String name, InputStream in, Supplier<String> sourceFailure) {
    TreeCodec.checkName(name.getBytes(java.nio.charset.StandardCharsets.UTF_8), "--stdin-name");
    return execute(List.of("/" + name), () -> {
      Instant now = repo.options().clock().instant();
      long uid = 0;
      long gid = 0;
      try {
        uid = Integer.toUnsignedLong((Integer) Files.getAttribute(Path.of("."), "unix:uid"));
        gid = Integer.toUnsignedLong((Integer) Files.getAttribute(Path.of("."), "unix:gid"));
      } catch (IOException | RuntimeException ignored) {
        // owner unknown: recorded as root
      }
      Node meta = new Node(NodeKind.FILE, name.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0644,
          uid, gid, "", "", now.getEpochSecond(), now.getNano(), now.getEpochSecond(), now.getNano(),
          now.getEpochSecond(), now.getNano(), 0, 0, 1, 0, 0, List.of(), List.of(), null, null);
      CompletableFuture<Node> f = new CompletableFuture<>();
      warmUpOnce();
      try {
        progress.current(name);
        f.complete(readContent(meta, in, name, true)); // a stream of unknown length
        newFiles.incrementAndGet();
        files.incrementAndGet();
      } catch (IOException e) {
        throw new CairnException("reading " + name + " failed: " + e.getMessage(), e);
      }
      String failure = sourceFailure.get();
      if (failure != null) {
        throw new CairnException(failure + "; no snapshot was written");
      }
      return CompletableFuture.completedFuture(saveTree(List.of(f.join())));
    });
  }

  private interface RootJob {
    CompletableFuture<Id> start() throws IOException;
  }

  private BackupResult execute(List<String> paths, RootJob job) {
    long started = System.nanoTime();
    int threads = req.effectiveThreads();
    walkPool = new java.util.concurrent.ForkJoinPool(threads);
    chunkPool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("cairn-chunk-", 0).factory());
    // Platform threads read files: the JDK caches its temporary direct I/O buffers per platform
    // thread, while virtual threads would allocate one for every read.
    int readers = Math.max(2, threads * 2);
    fileThreads = Executors.newFixedThreadPool(readers, Thread.ofPlatform().daemon().name("cairn-read-", 0).factory());
    fileSlots = new Semaphore(readers * 2);
    ring = new ChunkRing(Math.max(MAX_IN_FLIGHT_BYTES, chunker.maxSize()));
    try (WriteSession s = repo.newSession()) {
      session = s;
      io.cairn.trace.Trace.mark("backup: session open");
      Id root;
      try {
        root = job.start().join();
      } catch (CompletionException e) {
        throw unwrap(e);
      } catch (IOException e) {
        throw new CairnException("backup failed: " + e.getMessage(), e);
      }
      io.cairn.trace.Trace.mark("backup: tree saved");
      long millis = (System.nanoTime() - started) / 1_000_000;
      SnapshotSummary summary = new SnapshotSummary(files.get(), dirs.get(), others.get(), logical.get(),
          newFiles.get(), changedFiles.get(), unchangedFiles.get(), refs.size(), s.newBlobs(),
          s.newPlaintextBytes(), s.newStoredBytes(), errors.size(), millis);
      boolean partial = !errors.isEmpty();
      SnapshotEnvelope env = new SnapshotEnvelope(repo.options().clock().instant(), req.host(), req.tags(),
          req.parent() == null ? null : req.parent().id(), repo.pathsTag(paths), req.lockedUntil(),
          partial, "cairn " + Version.VERSION, summary);
      SnapshotContent content = new SnapshotContent(paths, root, repo.options().username(), req.excludes());
      Id id = s.commitSnapshot(env, content, refs);
      io.cairn.trace.Trace.mark("backup: snapshot committed");
      return new BackupResult(id, summary, List.copyOf(errors), List.copyOf(warnings), partial);
    } finally {
      chunkPool.shutdownNow();
      fileThreads.shutdownNow();
      walkPool.shutdownNow();
    }
  }

  private static RuntimeException unwrap(Throwable e) {
    Throwable c = e;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof RuntimeException r) {
      return r;
    }
    return new CairnException("backup failed: " + c, c);
  }

  private List<Node> rootTree() {
    if (req.parent() == null) {
      return List.of();
    }
    try {
      return repo.loadTree(req.parent().content().tree());
    } catch (CairnException e) {
      warnings.add("parent snapshot " + req.parent().id().shortHex() + " is unreadable (" + e.getMessage()
          + "); reading every file");
      return List.of();
    }
  }

  private Map<Key, Node> oldChildren(List<Node> nodes) {
    Map<Key, Node> m = new HashMap<>();
    for (Node n : nodes) {
      m.put(new Key(n.name()), n);
    }
    return m;
  }

  private Map<Key, Node> oldChildrenOf(Node oldDir) {
    if (oldDir == null || oldDir.kind() != NodeKind.DIRECTORY) {
      return Map.of();
    }
    try {
      return oldChildren(repo.loadTree(oldDir.subtree()));
    } catch (CairnException e) {
      return Map.of();
    }
  }

  /** Byte-array key with value semantics. */
  private record Key(byte[] b) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(b, k.b);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(b);
    }
  }

  /** The virtual directories above the backed-up paths (e.g. "home" and "alice" for /home/alice/docs). */
  private final class VDir {
    final TreeMap<String, Object> children = new TreeMap<>();
    final Map<String, byte[]> rawNames = new HashMap<>();
    final Map<String, Path> realPaths = new HashMap<>();

    void add(Path abs, int depth) {
      if (abs.getNameCount() == 0) {
        throw new CairnException("backing up '/' as a whole is not supported yet; list its directories");
      }
      Path comp = abs.getName(depth);
      String k = new String(RawPaths.bytes(comp), java.nio.charset.StandardCharsets.ISO_8859_1);
      rawNames.put(k, RawPaths.bytes(comp));
      if (depth == abs.getNameCount() - 1) {
        children.put(k, abs);
        realPaths.put(k, abs);
        return;
      }
      Object existing = children.get(k);
      if (existing instanceof Path) {
        return; // an ancestor is backed up whole
      }
      VDir sub = existing instanceof VDir v ? v : new VDir();
      children.put(k, sub);
      realPaths.put(k, abs.getRoot().resolve(abs.subpath(0, depth + 1)));
      sub.add(abs, depth + 1);
    }

    CompletableFuture<Id> save(Path here, Map<Key, Node> old) throws IOException {
      List<CompletableFuture<Node>> parts = new ArrayList<>();
      for (Map.Entry<String, Object> e : children.entrySet()) {
        byte[] name = rawNames.get(e.getKey());
        Node oldNode = old.get(new Key(name));
        Path real = realPaths.get(e.getKey());
        if (e.getValue() instanceof Path p) {
          CompletableFuture<Node> f = entry(p, name, oldNode, -1, null);
          if (f != null) {
            parts.add(f);
          }
        } else {
          VDir sub = (VDir) e.getValue();
          Node meta = metadata.read(real, name, oldNode);
          dirs.incrementAndGet();
          parts.add(sub.save(real, oldChildrenOf(oldNode)).thenApply(meta::withSubtree));
        }
      }
      return gather(parts).thenApply(Backup.this::saveTree);
    }
  }

  /**
   * The nodes of {@code parts} (those not null), in order, once every part is done. Most parts
   * of a backup that finds few changes are done when made (unchanged files); only the others go
   * through {@code allOf}, which makes a future of its own for every two it waits for.
   */
  private static CompletableFuture<List<Node>> gather(List<CompletableFuture<Node>> parts) {
    List<CompletableFuture<Node>> pending = null;
    for (CompletableFuture<Node> f : parts) {
      if (!f.isDone()) {
        if (pending == null) {
          pending = new ArrayList<>();
        }
        pending.add(f);
      }
    }
    CompletableFuture<Void> all = pending == null ? CompletableFuture.completedFuture(null)
        : CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
    return all.thenApply(v -> {
      List<Node> nodes = new ArrayList<>(parts.size());
      for (CompletableFuture<Node> f : parts) {
        Node n = f.join();
        if (n != null) {
          nodes.add(n);
        }
      }
      return nodes;
    });
  }

  private Id saveTree(List<Node> nodes) {
    Id id = session.saveTree(TreeCodec.encode(nodes));
    refs.add(id);
    return id;
  }

  /**
   * Starts backing up one entry; null when it is excluded or unreadable (then reported). A small
   * file to read joins {@code smallFiles} when that is given, for its directory to hand over in groups.
   */
  private CompletableFuture<Node> entry(Path p, byte[] name, Node old, long rootDevice, List<ToRead> smallFiles) {
    if (excludes.matches(p)) {
      return null;
    }
    Node meta;
    try {
      meta = metadata.read(p, name, old);
    } catch (IOException e) {
      error(p, e);
      return null;
    }
    switch (meta.kind()) {
      case DIRECTORY -> {
        long dev = rootDevice < 0 ? meta.device() : rootDevice;
        if (req.oneFileSystem() && meta.device() != dev) {
          return null;
        }
        dirs.incrementAndGet();
        return CompletableFuture.supplyAsync(() -> directory(p, meta, old, dev), walkPool).thenCompose(f -> f);
      }
      case FILE -> {
        files.incrementAndGet();
        return file(p, meta, old, smallFiles);
      }
      default -> {
        others.incrementAndGet();
        return CompletableFuture.completedFuture(meta);
      }
    }
  }

  private CompletableFuture<Node> directory(Path dir, Node meta, Node old, long rootDevice) {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path c : ds) {
        entries.add(c);
      }
    } catch (IOException e) {
      error(dir, e);
      // Keep the directory itself so the tree still shows it existed.
      return CompletableFuture.completedFuture(meta.withSubtree(saveTree(List.of())));
    }
    Map<Key, Node> oldKids = oldChildrenOf(old);
    List<CompletableFuture<Node>> parts = new ArrayList<>(entries.size());
    List<ToRead> smallFiles = new ArrayList<>();
    for (Path c : entries) {
      byte[] name = RawPaths.name(c);
      CompletableFuture<Node> f = entry(c, name, oldKids.get(new Key(name)), rootDevice, smallFiles);
      if (f != null) {
        parts.add(f);
      }
    }
    readInGroups(smallFiles);
    return gather(parts).thenApply(nodes -> meta.withSubtree(saveTree(nodes)));
  }

  private CompletableFuture<Node> file(Path p, Node meta, Node old, List<ToRead> smallFiles) {
    logical.addAndGet(meta.size());
    if (old != null && unchanged(meta, old) && allStored(old.content())) {
      unchangedFiles.incrementAndGet();
      refs.addAll(old.content());
      progress.bytesDone.addAndGet(meta.size());
      progress.filesDone.incrementAndGet();
      return CompletableFuture.completedFuture(meta.withContent(old.content(), old.size()));
    }
    if (old == null) {
      newFiles.incrementAndGet();
    } else {
      changedFiles.incrementAndGet();
    }
    warmUpOnce();
    ToRead r = new ToRead(p, meta, new CompletableFuture<>());
    if (smallFiles != null && meta.size() <= INLINE_MAX) {
      smallFiles.add(r);
    } else {
      submit(List.of(r));
    }
    return r.done();
  }

  /** A file to read, and its node once read (null when it could not be). */
  private record ToRead(Path path, Node meta, CompletableFuture<Node> done) {}

  /** Small files of one directory go to the readers this many at most per hand-over... */
  private static final int GROUP_FILES = 64;
  /** ...and about this many bytes. */
  private static final long GROUP_BYTES = 2 << 20;

  /**
   * Hands a directory's small files to the reader threads in groups. Each hand-over to an idle
   * reader is a thread wake-up: a first backup of the benchmark corpus (40,631 files) made about
   * 41,000 voluntary context switches with a hand-over per file and about 6,000 with groups, and
   * took 18% less time with groups (docs/benchmarks.md).
   */
  private void readInGroups(List<ToRead> smallFiles) {
    int from = 0;
    long bytes = 0;
    for (int i = 0; i < smallFiles.size(); i++) {
      bytes += smallFiles.get(i).meta().size();
      if (i + 1 - from == GROUP_FILES || bytes >= GROUP_BYTES || i == smallFiles.size() - 1) {
        submit(List.copyOf(smallFiles.subList(from, i + 1)));
        from = i + 1;
        bytes = 0;
      }
    }
  }

  /** Reads files one after the other on a reader thread. */
  private void submit(List<ToRead> group) {
    fileSlots.acquireUninterruptibly();
    try {
      fileThreads.execute(() -> {
        try {
          for (ToRead r : group) {
            read(r);
          }
        } finally {
          fileSlots.release();
        }
      });
    } catch (RuntimeException e) {
      fileSlots.release();
      throw e;
    }
  }

  private void read(ToRead r) {
    Path p = r.path();
    Node meta = r.meta();
    try {
      progress.current(p.toString());
      Node n;
      boolean large = meta.size() > SMALL_BUFFER;
      // Large files are read around their holes (sparse files, disk images, VM disks).
      try (InputStream in = SparseInput.open(p, large)) {
        n = readContent(meta, in, p.toString(), large);
      }
      if (FileMetadata.changedSince(p, meta)) {
        warnings.add(p + ": file changed while it was being read; the snapshot holds what was read");
      }
      if (n.size() != meta.size()) {
        logical.addAndGet(n.size() - meta.size());
      }
      r.done().complete(n);
    } catch (IOException e) {
      error(p, e);
      files.decrementAndGet();
      logical.addAndGet(-meta.size());
      r.done().complete(null);
    } catch (Throwable t) {
      r.done().completeExceptionally(t);
    }
  }

  private boolean allStored(List<Id> ids) {
    for (Id id : ids) {
      if (!session.isStored(id)) {
        return false;
      }
    }
    return true;
  }

  private void warmUpOnce() {
    if (warmedUp.compareAndSet(false, true)) {
      io.cairn.crypto.BlobCipher.warmUpInBackground();
    }
  }

  private static boolean unchanged(Node now, Node old) {
    return old.kind() == NodeKind.FILE && now.size() == old.size()
        && now.mtimeSeconds() == old.mtimeSeconds() && now.mtimeNanos() == old.mtimeNanos()
        && now.ctimeSeconds() == old.ctimeSeconds() && now.ctimeNanos() == old.ctimeNanos()
        && now.inode() == old.inode();
  }

  /**
   * Read buffers: each reader thread keeps a small one for the many small files; buffers of two
   * maximum chunks (16 MiB) for large files and streams are shared: one large file is read at a
   * time (its chunks keep all chunk workers busy), so memory does not grow with the reader threads.
   */
  private final ThreadLocal<byte[]> readBuffers = new ThreadLocal<>();
  private final java.util.concurrent.atomic.AtomicReference<byte[]> largeBuffer = new java.util.concurrent.atomic.AtomicReference<>();
  /** One large file at a time is enough: its chunks already keep every chunk worker busy. */
  private final Semaphore largeReads = new Semaphore(1);

  /** Chunks a stream; chunk work runs on the pool while this thread keeps reading. */
  private Node readContent(Node meta, InputStream in, String what, boolean large) throws IOException {
    if (large) {
      largeReads.acquireUninterruptibly();
    }
    try {
      return readBuffered(meta, in, what, large);
    } finally {
      if (large) {
        largeReads.release();
      }
    }
  }

  private Node readBuffered(Node meta, InputStream in, String what, boolean large) throws IOException {
    ChunkReader reader = new ChunkReader(chunker);
    byte[] buf = large ? largeBuffer.getAndSet(null) : readBuffers.get();
    if (buf == null) {
      buf = large ? reader.newBuffer() : new byte[SMALL_BUFFER];
    }
    try {
      return chunkAll(reader, meta, in, what, buf);
    } finally {
      byte[] after = reader.buffer(); // grown when a small file turned out long
      if (after.length > SMALL_BUFFER) {
        largeBuffer.compareAndSet(null, after);
      } else {
        readBuffers.set(after);
      }
    }
  }

  private Node chunkAll(ChunkReader reader, Node meta, InputStream in, String what, byte[] buf) throws IOException {
    List<Future<Id>> ids = new ArrayList<>();
    long read;
    // A small file is one chunk: it is sealed right here on the reader thread. Handing it to
    // the chunk pool and waiting for the result cost two thread wake-ups per file, which on a
    // tree of many small files took more time than hashing and compressing them.
    boolean inline = meta.size() <= INLINE_MAX;
    try {
      read = reader.split(in, new ChunkSink() {
        @Override
        public void accept(byte[] zeros) {
          // A shared all-zero chunk: its id is cached and it is sealed once, so it is done here.
          ids.add(CompletableFuture.completedFuture(saveChunk(zeros)));
        }

        @Override
        public void accept(byte[] b, int off, int len) throws InterruptedException {
          if (inline) {
            ids.add(CompletableFuture.completedFuture(saveInline(b, off, len)));
            return;
          }
          ChunkRing.Slot slot = ring.acquire(b, off, len);
          try {
            ids.add(chunkPool.submit(() -> {
              try {
                return saveChunk(slot.buffer());
              } finally {
                slot.release();
              }
            }));
          } catch (RuntimeException e) {
            slot.release();
            throw e;
          }
        }
      }, buf);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CairnException("backup interrupted while reading " + what);
    } catch (IOException e) {
      for (Future<Id> f : ids) {
        try {
          f.get();
        } catch (InterruptedException | ExecutionException ignored) {
          // the read error is what gets reported
        }
      }
      throw e;
    }
    List<Id> content = new ArrayList<>(ids.size());
    for (Future<Id> f : ids) {
      try {
        Id id = f.get();
        content.add(id);
        refs.add(id);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CairnException("backup interrupted");
      } catch (ExecutionException e) {
        throw unwrap(e);
      }
    }
    progress.filesDone.incrementAndGet();
    return meta.withContent(content, read);
  }

  private Id saveChunk(byte[] chunk) {
    Id id = repo.blobId(chunk);
    session.saveBlob(BlobType.DATA, id, chunk);
    progress.bytesDone.addAndGet(chunk.length);
    return id;
  }

  private Id saveChunk(java.nio.ByteBuffer chunk) {
    Id id = repo.blobId(chunk);
    session.saveBlob(BlobType.DATA, id, chunk);
    progress.bytesDone.addAndGet(chunk.remaining());
    return id;
  }

  /**
   * A small file's only chunk, on the reader thread: hashed where it was read, and copied into
   * the ring only when it has to be stored.
   */
  private Id saveInline(byte[] b, int off, int len) throws InterruptedException {
    Id id = repo.blobId(b, off, len);
    if (!session.has(id)) {
      ChunkRing.Slot slot = ring.acquire(b, off, len);
      try {
        session.saveBlob(BlobType.DATA, id, slot.buffer());
      } finally {
        slot.release();
      }
    }
    progress.bytesDone.addAndGet(len);
    return id;
  }

  private void error(Path p, IOException e) {
    String msg = p + ": " + describe(e) + " (skipped)";
    errors.add(msg);
    progress.errors.incrementAndGet();
  }

  static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "vanished during the backup";
    }
    return io.cairn.text.IoErrors.reason(e);
  }
}
