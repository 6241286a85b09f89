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

  private record Item(Path path, Path rel, Node node, int depth) {}

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
    Thread.ofPlatform().daemon().name("cairn-warm-up").start(io.cairn.crypto.BlobCipher::warmUp);
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
      return new RestoreResult(files, dirs, others, bytes, 0, List.of(), List.of(), true);
    }
    long verified = execute(plan);
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
        walk(repo.loadTree(n.subtree()), p, r, depth + 1, plan);
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
    Map<List<Long>, Path> firstOfInode = new HashMap<>();
    List<Item> fileJobs = new ArrayList<>();
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
            fileJobs.add(i);
          }
          case SYMLINK -> {
            clear(i.path());
            Files.createSymbolicLink(i.path(), RawPaths.of(n.linkTarget()));
            applyMetadata(i.path(), n, true);
          }
          case FIFO -> {
            clear(i.path());
            Posix.mkfifo(i.path(), n.mode() & 0777);
            applyMetadata(i.path(), n, false);
          }
          case CHAR_DEVICE, BLOCK_DEVICE -> {
            if (!root) {
              warnings.add(i.path() + ": device nodes can only be restored as root (skipped)");
              continue;
            }
            clear(i.path());
            Posix.mknod(i.path(), n.kind() == NodeKind.CHAR_DEVICE ? Posix.S_IFCHR : Posix.S_IFBLK,
                n.mode() & 07777, n.rdev());
            applyMetadata(i.path(), n, false);
          }
          case SOCKET -> warnings.add(i.path() + ": sockets are recreated by the program that owns them (skipped)");
        }
      } catch (IOException | RuntimeException e) {
        errors.add(i.path() + ": " + e.getMessage());
      }
    }
    AtomicLong verified = new AtomicLong();
    int threads = req.threads() > 0 ? req.threads() : Math.max(2, 2 * Runtime.getRuntime().availableProcessors());
    try (ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("cairn-restore-", 0).factory())) {
      List<Future<?>> fs = new ArrayList<>();
      for (Item i : fileJobs) {
        fs.add(pool.submit(() -> {
          try {
            progress.current(i.path().toString());
            List<Integer> lengths = writeFile(i.path(), i.node());
            applyMetadata(i.path(), i.node(), false);
            if (req.verify()) {
              verify(i.path(), i.node(), lengths);
              verified.incrementAndGet();
            }
          } catch (IOException | RuntimeException e) {
            errors.add(i.path() + ": " + e.getMessage());
          }
          progress.filesDone.incrementAndGet();
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
        applyMetadata(d.path(), d.node(), false);
      } catch (IOException | RuntimeException e) {
        errors.add(d.path() + ": " + e.getMessage());
      }
    }
    return verified.get();
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

  private List<Integer> writeFile(Path p, Node n) throws IOException {
    clear(p);
    List<Integer> lengths = new ArrayList<>(n.content().size());
    long pos = 0;
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS)) {
      for (Id id : n.content()) {
        byte[] data = repo.loadBlob(BlobType.DATA, id);
        lengths.add(data.length);
        writeSparse(ch, data, pos);
        pos += data.length;
        progress.bytesDone.addAndGet(data.length);
      }
      if (ch.size() < pos) {
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
   * Writes {@code data} at {@code pos}, skipping every file-system block that would hold only
   * zeros, so holes in the original come back as holes even inside a chunk.
   */
  static void writeSparse(FileChannel ch, byte[] data, long pos) throws IOException {
    int i = 0;
    while (i < data.length) {
      // Block boundaries are aligned to the file offset, not to the chunk.
      int blockEnd = (int) Math.min(data.length, i + (BLOCK - ((pos + i) % BLOCK)));
      if (isZero(data, i, blockEnd)) {
        i = blockEnd;
        continue;
      }
      int runEnd = blockEnd;
      while (runEnd < data.length) {
        int next = Math.min(data.length, runEnd + BLOCK);
        if (isZero(data, runEnd, next)) {
          break;
        }
        runEnd = next;
      }
      ByteBuffer b = ByteBuffer.wrap(data, i, runEnd - i);
      long at = pos + i;
      while (b.hasRemaining()) {
        at += ch.write(b, at);
      }
      i = runEnd;
    }
  }

  private static boolean isZero(byte[] b, int from, int to) {
    for (int off = from; off < to; off += ZEROS.length) {
      int n = Math.min(ZEROS.length, to - off);
      if (java.util.Arrays.mismatch(b, off, off + n, ZEROS, 0, n) != -1) {
        return false;
      }
    }
    return true;
  }

  private static final byte[] ZEROS = new byte[1 << 16];

  static boolean isZero(byte[] b) {
    for (int off = 0; off < b.length; off += ZEROS.length) {
      int n = Math.min(ZEROS.length, b.length - off);
      if (java.util.Arrays.mismatch(b, off, off + n, ZEROS, 0, n) != -1) {
        return false;
      }
    }
    return true;
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

  private void applyMetadata(Path p, Node n, boolean symlink) throws IOException {
    LinkOption nf = LinkOption.NOFOLLOW_LINKS;
    if (root) {
      Files.setAttribute(p, "unix:uid", (int) n.uid(), nf);
      Files.setAttribute(p, "unix:gid", (int) n.gid(), nf);
    }
    if (!symlink) {
      // After chown, which clears setuid/setgid.
      Posix.chmod(p, n.mode() & 07777);
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
