package io.cairn.agent;

import io.cairn.format.BlobType;
import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.format.Node;
import io.cairn.format.NodeKind;
import io.cairn.format.TreeCodec;
import io.cairn.format.Xattr;
import io.cairn.repository.Repository;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Restores a snapshot (or a path inside it) into a directory. First a plan is made by walking
 * the trees; then directories are created, files are written in parallel (all-zero chunks
 * become holes, so sparse files stay sparse), hard links, special files and finally directory
 * metadata, deepest first, so that restoring children does not disturb their parents' mtimes.
 *
 * <p>Safety: names are checked when trees are decoded and again here; every path must stay
 * below the target; nothing is ever written through a symlink, whether restored or pre-existing.
 */
public final class Restore {
  private final Repository repo;
  private final RestoreRequest req;
  private final Progress progress;
  private final boolean root = Posix.isRoot();
  private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
  private final List<PathMatcher> includes = new ArrayList<>();
  private Path target;

  record Item(Path path, Path rel, Node node, int depth) {}

  public Restore(Repository repo, RestoreRequest req, Progress progress) {
    this.repo = repo;
    this.req = req;
    this.progress = progress;
    for (String inc : req.includes()) {
      String g = inc.startsWith("/") ? inc.substring(1) : inc;
      includes.add(FileSystems.getDefault().getPathMatcher("glob:" + g));
    }
  }

  public RestoreResult run() {
    io.cairn.crypto.BlobCipher.warmUpInBackground();
    target = req.target().toAbsolutePath().normalize();
    List<Item> plan = new ArrayList<>();
    Node start = resolveStart();
    if (start == null) {
      walk(repo.loadTree(req.snapshot().content().tree()), target, Path.of(""), 0, plan);
    } else if (start.kind() == NodeKind.DIRECTORY) {
      walk(repo.loadTree(start.subtree()), target, Path.of(""), 0, plan);
    } else {
      plan.add(new Item(RawPaths.resolve(target, start.name()), RawPaths.of(start.name()), start, 1));
    }
    if (!includes.isEmpty()) {
      plan = filter(plan);
    }
    io.cairn.trace.Trace.mark("restore: planned " + plan.size() + " entries");
    long files = 0;
    long dirs = 0;
    long others = 0;
    long bytes = 0;
    for (Item i : plan) {
      switch (i.node().kind()) {
        case FILE -> {
          files++;
          bytes += i.node().size();
        }
        case DIRECTORY -> dirs++;
        default -> others++;
      }
    }
    progress.totalBytes.set(bytes);
    progress.totalFiles.set(files);
    progress.totalsKnown(true);
    if (req.dryRun()) {
      warnings.addAll(repo.damagedCopies());
      return new RestoreResult(files, dirs, others, bytes, 0, List.copyOf(errors), List.copyOf(warnings), true);
    }
    long verified = execute(plan);
    warnings.addAll(repo.damagedCopies());
    return new RestoreResult(files, dirs, others, bytes, verified, List.copyOf(errors), List.copyOf(warnings), false);
  }

  /** The node named by the request's subpath, or null for the snapshot root. */
  private Node resolveStart() {
    String sub = req.subpath() == null ? "/" : req.subpath();
    List<Node> tree = repo.loadTree(req.snapshot().content().tree());
    Node found = null;
    for (String comp : sub.split("/")) {
      if (comp.isEmpty() || comp.equals(".")) {
        continue;
      }
      if (found != null) {
        if (found.kind() != NodeKind.DIRECTORY) {
          throw new CairnException("'" + sub + "' is not in the snapshot: " + found.displayName() + " is not a directory");
        }
        tree = repo.loadTree(found.subtree());
      }
      byte[] want = comp.getBytes(StandardCharsets.UTF_8);
      found = tree.stream().filter(n -> java.util.Arrays.equals(n.name(), want)).findFirst()
          .orElseThrow(() -> new CairnException("'" + sub + "' is not in the snapshot; browse it with 'cairn ls'"));
    }
    return found;
  }

  private void walk(List<Node> nodes, Path dir, Path rel, int depth, List<Item> plan) {
    for (Node n : nodes) {
      try {
        TreeCodec.checkName(n.name(), "snapshot " + req.snapshot().id().shortHex());
      } catch (IllegalArgumentException e) {
        throw new CairnException("refusing to restore: " + e.getMessage());
      }
      Path p = RawPaths.resolve(dir, n.name());
      if (!p.normalize().startsWith(target) || p.equals(target)) {
        throw new CairnException("refusing to restore: entry " + n.displayName() + " would escape " + target);
      }
      Path r = rel.resolve(RawPaths.of(n.name()));
      plan.add(new Item(p, r, n, depth + 1));
      if (n.kind() == NodeKind.DIRECTORY) {
        List<Node> sub;
        try {
          sub = repo.loadTree(n.subtree());
        } catch (CairnException e) {
          // Both copies of the tree are damaged or gone: everything else is still restored.
          errors.add(p + ": directory created empty, its contents could not be restored (" + e.getMessage() + ")");
          continue;
        }
        walk(sub, p, r, depth + 1, plan);
      }
    }
  }

  private List<Item> filter(List<Item> plan) {
    java.util.Set<Path> keepDirs = new java.util.HashSet<>();
    List<Item> kept = new ArrayList<>();
    List<Path> matchedDirs = new ArrayList<>();
    for (Item i : plan) {
      boolean under = matchedDirs.stream().anyMatch(d -> i.rel().startsWith(d));
      boolean match = under || includes.stream().anyMatch(m -> m.matches(i.rel()) || (i.rel().getFileName() != null
          && m.matches(i.rel().getFileName())));
      if (match) {
        if (i.node().kind() == NodeKind.DIRECTORY) {
          matchedDirs.add(i.rel());
        }
        for (Path a = i.rel().getParent(); a != null; a = a.getParent()) {
          keepDirs.add(a);
        }
      }
    }
    for (Item i : plan) {
      boolean under = matchedDirs.stream().anyMatch(d -> i.rel().startsWith(d));
      boolean match = under || includes.stream().anyMatch(m -> m.matches(i.rel()) || (i.rel().getFileName() != null
          && m.matches(i.rel().getFileName())));
      if (match || keepDirs.contains(i.rel())) {
        kept.add(i);
      }
    }
    return kept;
  }

  private long execute(List<Item> plan) {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new CairnException("target " + target + " exists and is not a directory; choose another --target");
    }
    try {
      fresh = !Files.exists(target, LinkOption.NOFOLLOW_LINKS) || isEmptyDirectory(target);
      ensureDirectory(target);
    } catch (IOException e) {
      throw new CairnException("cannot create target " + target + ": " + e.getMessage(), e);
    }
    ownership();
    Map<List<Long>, Path> firstOfInode = new HashMap<>();
    List<Item> jobs = new ArrayList<>();
    List<Item[]> links = new ArrayList<>();
    List<Item> dirs = new ArrayList<>();
    for (Item i : plan) {
      Node n = i.node();
      try {
        switch (n.kind()) {
          case DIRECTORY -> {
            if (fresh) {
              Files.createDirectory(i.path());
            } else {
              ensureDirectory(i.path());
            }
            dirs.add(i);
          }
          case FILE -> {
            if (n.links() > 1 && n.inode() != 0) {
              List<Long> key = List.of(n.device(), n.inode());
              Path first = firstOfInode.putIfAbsent(key, i.path());
              if (first != null) {
                links.add(new Item[] {i, new Item(first, null, n, 0)});
                continue;
              }
            }
            jobs.add(i);
          }
          case SYMLINK -> jobs.add(i);
          case FIFO -> {
            clear(i.path());
            Posix.mkfifo(i.path(), n.mode() & 0777);
            applyMetadata(i.path(), n, false, false);
          }
          case CHAR_DEVICE, BLOCK_DEVICE -> {
            if (!root) {
              warnings.add(i.path() + ": device nodes can only be restored as root (skipped)");
              continue;
            }
            clear(i.path());
            Posix.mknod(i.path(), n.kind() == NodeKind.CHAR_DEVICE ? Posix.S_IFCHR : Posix.S_IFBLK,
                n.mode() & 07777, n.rdev());
            applyMetadata(i.path(), n, false, false);
          }
          case SOCKET -> warnings.add(i.path() + ": sockets are recreated by the program that owns them (skipped)");
        }
      } catch (IOException | RuntimeException e) {
        errors.add(i.path() + ": " + e.getMessage());
      }
    }
    io.cairn.trace.Trace.mark("restore: directories and special files created");
    AtomicLong verified = new AtomicLong();
    int threads = req.threads() > 0 ? req.threads() : Math.max(2, 2 * Runtime.getRuntime().availableProcessors());
    try (ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("cairn-restore-", 0).factory())) {
      List<Future<?>> fs = new ArrayList<>();
      for (Batch b : batches(jobs)) {
        fs.add(pool.submit(() -> {
          for (Item i : b.items()) {
            restoreEntry(i, b.dirLock(), verified);
          }
        }));
      }
      for (Future<?> f : fs) {
        try {
          f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CairnException("restore interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
          errors.add(String.valueOf(e.getCause()));
        }
      }
    }
    io.cairn.trace.Trace.mark("restore: files written");
    for (Item[] l : links) {
      try {
        clear(l[0].path());
        Files.createLink(l[0].path(), l[1].path());
        progress.filesDone.incrementAndGet();
        progress.bytesDone.addAndGet(l[0].node().size());
      } catch (IOException | RuntimeException e) {
        errors.add(l[0].path() + ": hard link to " + l[1].path() + " failed: " + e.getMessage());
      }
    }
    for (int k = dirs.size() - 1; k >= 0; k--) {
      Item d = dirs.get(k);
      try {
        applyMetadata(d.path(), d.node(), false, false);
      } catch (IOException | RuntimeException e) {
        errors.add(d.path() + ": " + e.getMessage());
      }
    }
    io.cairn.trace.Trace.mark("restore: metadata set");
    return verified.get();
  }

  /** Regular files and symlinks of one directory, restored one after the other by one thread. */
  record Batch(List<Item> items, ReentrantLock dirLock) {}

  /** Entries per batch: enough to amortise scheduling, few enough to spread big directories. */
  static final int BATCH = 32;

  /**
   * Cuts the entries into batches of one directory each and orders them so that every
   * directory's batches are spread evenly over the queue (a stratified order: batch b of a
   * directory with n batches gets the key (b + u) / n, with u a fixed offset per directory).
   * Creating entries in one directory is serialised by the kernel's lock on that directory, and
   * a thread waiting for it there spins; with the entries of the big directories mixed among the
   * others, the threads mostly create in different directories, and the few that meet wait on
   * the directory's {@link ReentrantLock} instead, which leaves the CPU to the others.
   */
  static List<Batch> batches(List<Item> entries) {
    Map<Path, List<Item>> byDir = new java.util.LinkedHashMap<>();
    for (Item i : entries) {
      byDir.computeIfAbsent(i.path().getParent(), k -> new ArrayList<>()).add(i);
    }
    record Keyed(Batch batch, double key, int seq) {}
    List<Keyed> keyed = new ArrayList<>();
    int dir = 0;
    for (List<Item> items : byDir.values()) {
      ReentrantLock lock = new ReentrantLock();
      int n = (items.size() + BATCH - 1) / BATCH;
      double u = (dir++ * 0.6180339887498949) % 1.0;
      for (int b = 0; b < n; b++) {
        List<Item> part = items.subList(b * BATCH, Math.min(items.size(), (b + 1) * BATCH));
        keyed.add(new Keyed(new Batch(part, lock), (b + u) / n, keyed.size()));
      }
    }
    keyed.sort(java.util.Comparator.comparingDouble(Keyed::key).thenComparingInt(Keyed::seq));
    return keyed.stream().map(Keyed::batch).toList();
  }

  private void restoreEntry(Item i, ReentrantLock dirLock, AtomicLong verified) {
    try {
      Node n = i.node();
      if (n.kind() == NodeKind.SYMLINK) {
        dirLock.lock();
        try {
          clear(i.path());
          Files.createSymbolicLink(i.path(), RawPaths.of(n.linkTarget()));
        } finally {
          dirLock.unlock();
        }
        applyMetadata(i.path(), n, true, false);
        return;
      }
      progress.current(i.path().toString());
      List<Integer> lengths = writeFile(i.path(), n, dirLock);
      applyMetadata(i.path(), n, false, modeAtCreation(n));
      if (req.verify()) {
        verify(i.path(), n, lengths);
        verified.incrementAndGet();
      }
    } catch (IOException | RuntimeException e) {
      errors.add(i.path() + ": " + e.getMessage());
    }
    if (i.node().kind() == NodeKind.FILE) {
      progress.filesDone.incrementAndGet();
    }
  }

  /**
   * Owner and group that entries created in a fresh target get without any chown (-1: unknown,
   * always chown), and the creation mask when it alone decides a new file's mode (-1: unknown,
   * always chmod). In a fresh target every entry is created by this restore, below a target that
   * is not set-group-id and whose group is ours, so each gets our effective ids; with no
   * extended attributes on the target there is no default ACL to mask modes either.
   */
  private int newUid = -1;
  private int newGid = -1;
  private int umask = -1;

  private void ownership() {
    if (!fresh) {
      return;
    }
    try {
      Map<String, Object> a = Files.readAttributes(target, "unix:mode,gid", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) a.get("mode");
      int gid = (Integer) a.get("gid");
      int egid = Posix.egid();
      if ((mode & 02000) == 0 && egid >= 0 && gid == egid) {
        newUid = Posix.euid();
        newGid = egid;
      }
      if (Posix.xattrListSize(target) == 0) {
        umask = Posix.umask();
      }
    } catch (IOException | RuntimeException e) {
      // unknown: chown and chmod every entry
    }
  }

  /** True when creating a file with its permission bits gives it exactly its mode, so no chmod is needed. */
  private boolean modeAtCreation(Node n) {
    return umask >= 0 && (n.mode() & 07000) == 0 && (n.mode() & 0777 & umask) == 0;
  }

  /** Creation-time permission attributes by mode, made once each. */
  private static final java.nio.file.attribute.FileAttribute<?>[] PERMS = new java.nio.file.attribute.FileAttribute<?>[512];

  private static java.nio.file.attribute.FileAttribute<?> perms(int mode) {
    int m = mode & 0777;
    java.nio.file.attribute.FileAttribute<?> a = PERMS[m];
    if (a == null) {
      java.util.Set<java.nio.file.attribute.PosixFilePermission> set =
          java.util.EnumSet.noneOf(java.nio.file.attribute.PosixFilePermission.class);
      java.nio.file.attribute.PosixFilePermission[] all = java.nio.file.attribute.PosixFilePermission.values();
      for (int bit = 0; bit < 9; bit++) {
        // values() runs OWNER_READ .. OTHERS_EXECUTE, i.e. from bit 8 down to bit 0
        if ((m & (1 << (8 - bit))) != 0) {
          set.add(all[bit]);
        }
      }
      a = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(set);
      PERMS[m] = a;
    }
    return a;
  }

  /**
   * True when the target did not exist or was empty: then nothing can be in the way of any
   * entry, and the existence checks (two or three system calls per entry) are skipped.
   */
  private boolean fresh;

  private static boolean isEmptyDirectory(Path p) throws IOException {
    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (var s = Files.newDirectoryStream(p)) {
      return !s.iterator().hasNext();
    }
  }

  /** Makes {@code p} a real directory, replacing a file or symlink that is in the way. */
  private static void ensureDirectory(Path p) throws IOException {
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(p);
    }
    Files.createDirectories(p);
  }

  /** Removes a non-directory entry in the way; never follows a symlink. */
  private void clear(Path p) throws IOException {
    if (fresh) {
      return;
    }
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("a directory is in the way");
    }
    Files.deleteIfExists(p);
  }

  private List<Integer> writeFile(Path p, Node n, ReentrantLock dirLock) throws IOException {
    List<Integer> lengths = new ArrayList<>(n.content().size());
    long pos = 0;
    long end = 0;
    FileChannel ch;
    dirLock.lock();
    try {
      clear(p);
      ch = FileChannel.open(p, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS), perms(n.mode()));
    } finally {
      dirLock.unlock();
    }
    try (ch) {
      for (Id id : n.content()) {
        // The thread's own buffer, valid until its next load: written out before that.
        ByteBuffer data = repo.loadBlobBuffer(BlobType.DATA, id);
        int len = data.remaining();
        lengths.add(len);
        end = Math.max(end, writeSparse(ch, data, pos));
        pos += len;
        progress.bytesDone.addAndGet(len);
      }
      if (end < pos) {
        // A trailing hole: one zero byte at the end sets the length and allocates one block.
        ch.write(ByteBuffer.wrap(new byte[1]), pos - 1);
      }
    }
    if (pos != n.size()) {
      warnings.add(p + ": restored " + pos + " bytes, the snapshot recorded " + n.size());
    }
    return lengths;
  }

  private static final int BLOCK = 4096;

  /**
   * Writes the bytes between {@code data}'s position and limit at {@code pos}, skipping every
   * file-system block that would hold only zeros, so holes in the original come back as holes
   * even inside a chunk. Returns the file offset just past the last byte written, or {@code pos}
   * when all of it was a hole. The buffer's position is left where it was.
   */
  static long writeSparse(FileChannel ch, ByteBuffer data, long pos) throws IOException {
    java.lang.foreign.MemorySegment seg = java.lang.foreign.MemorySegment.ofBuffer(data);
    int base = data.position();
    int length = data.remaining();
    long written = pos;
    int i = 0;
    while (i < length) {
      // Block boundaries are aligned to the file offset, not to the chunk.
      int blockEnd = (int) Math.min(length, i + (BLOCK - ((pos + i) % BLOCK)));
      if (isZero(seg, i, blockEnd)) {
        i = blockEnd;
        continue;
      }
      int runEnd = blockEnd;
      while (runEnd < length) {
        int next = Math.min(length, runEnd + BLOCK);
        if (isZero(seg, runEnd, next)) {
          break;
        }
        runEnd = next;
      }
      ByteBuffer b = data.duplicate().limit(base + runEnd).position(base + i);
      long at = pos + i;
      while (b.hasRemaining()) {
        at += ch.write(b, at);
      }
      written = at;
      i = runEnd;
    }
    return written;
  }

  private static boolean isZero(java.lang.foreign.MemorySegment seg, int from, int to) {
    return io.cairn.format.ZeroRuns.allZero(seg, from, to - from);
  }

  private void verify(Path p, Node n, List<Integer> lengths) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long pos = 0;
      for (int k = 0; k < lengths.size(); k++) {
        ByteBuffer b = ByteBuffer.allocate(lengths.get(k));
        while (b.hasRemaining()) {
          if (ch.read(b, pos + b.position()) < 0) {
            throw new IOException("verification failed: file is shorter than the snapshot says");
          }
        }
        if (!repo.blobId(b.array()).equals(n.content().get(k))) {
          throw new IOException("verification failed: chunk " + k + " differs from the snapshot");
        }
        pos += lengths.get(k);
      }
      if (ch.size() != pos) {
        throw new IOException("verification failed: size " + ch.size() + " != " + pos);
      }
    }
  }

  /**
   * Sets owner, mode, extended attributes and times, skipping the owner when the entry was
   * created with it already ({@link #ownership}) and the mode when {@code modeSet} (the file was
   * created with exactly that mode).
   */
  private void applyMetadata(Path p, Node n, boolean symlink, boolean modeSet) throws IOException {
    if (root && !(newUid >= 0 && n.uid() == newUid && n.gid() == newGid)) {
      Posix.lchown(p, (int) n.uid(), (int) n.gid());
    }
    if (!symlink) {
      // After chown, which clears setuid/setgid.
      if (!modeSet) {
        Posix.chmod(p, n.mode() & 07777);
      }
      if (!n.xattrs().isEmpty() && (n.kind() == NodeKind.FILE || n.kind() == NodeKind.DIRECTORY)) {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        for (Xattr x : n.xattrs()) {
          String name = new String(x.name(), StandardCharsets.UTF_8);
          if (name.startsWith("user.") && name.length() > 5) {
            v.write(name.substring(5), ByteBuffer.wrap(x.value()));
          } else {
            warnings.add(p + ": extended attribute " + name + " is outside the user namespace (skipped)");
          }
        }
      }
    }
    Posix.setTimes(p, n.mtimeSeconds(), n.mtimeNanos(), n.atimeSeconds(), n.atimeNanos());
  }
}
