package io.cairn.store;

import io.cairn.format.ObjectNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A store in a local directory. Writes go to {@code tmp/}, are fsynced, then hard-linked into
 * place (which fails rather than replaces when the key exists), then the directory is fsynced:
 * the object appears whole or not at all.
 */
public final class FileSystemStore implements BlobStore {
  /** Scratch directory; a leading dot keeps it out of the key space. */
  private static final String TMP = ".tmp";
  private final Path root;
  private final Path tmp;

  public FileSystemStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.tmp = this.root.resolve(TMP);
  }

  public Path root() {
    return root;
  }

  private Path path(String key) {
    return root.resolve(StoreKeys.check(key));
  }

  @Override
  public boolean putIfAbsent(String key, byte[] data) {
    Path target = path(key);
    if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    Path t = null;
    try {
      t = scratchPath();
      try (FileChannel ch = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
          b.limit(Math.min(data.length, b.position() + IO_SLICE));
          ch.write(b);
          b.limit(data.length);
        }
        ch.force(true);
      }
      return link(target, t);
    } catch (IOException e) {
      throw new StoreException(key, describe(e) + " while writing to " + root, e);
    } finally {
      deleteQuietly(t);
    }
  }

  /**
   * The JDK reads and writes heap arrays through a temporary direct buffer the size of the
   * request, cached per thread and replaced by a fresh allocation whenever a larger request
   * comes ({@code sun.nio.ch.Util}); packs vary in size around 17 MiB. In 1 MiB slices the
   * buffer stays at 1 MiB; three alternating first backups measured system time 3.5–3.8 s with
   * whole writes and 2.4–2.6 s with slices (docs/benchmarks.md).
   */
  private static final int IO_SLICE = 1 << 20;

  /** A scratch file in {@code .tmp/}, on the repository's own file system, so that storing it is a link. */
  @Override
  public Path createSpoolFile() throws IOException {
    return Files.createFile(scratchPath());
  }

  @Override
  public List<Scratch> abandonedScratch(java.time.Instant before) {
    List<Scratch> found = new ArrayList<>();
    try (var ds = Files.newDirectoryStream(tmp, "*.tmp")) {
      for (Path f : ds) {
        try {
          BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (abandoned(a, before)) {
            found.add(new Scratch(f.getFileName().toString(), a.size()));
          }
        } catch (NoSuchFileException gone) {
          // stored or removed meanwhile
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new StoreException(TMP, describe(e), e);
    }
    return found;
  }

  @Override
  public boolean deleteScratch(Scratch s, java.time.Instant before) {
    String n = s.name();
    if (n.isEmpty() || n.contains("/") || n.startsWith(".") || !n.endsWith(".tmp")) {
      throw new IllegalArgumentException("not a scratch file name: " + n);
    }
    Path f = tmp.resolve(n);
    try {
      BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!abandoned(a, before)) {
        return false;
      }
      return Files.deleteIfExists(f);
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new StoreException(TMP + "/" + n, describe(e), e);
    }
  }

  /** A scratch file nobody has written since {@code before}. */
  private static boolean abandoned(BasicFileAttributes a, java.time.Instant before) {
    return a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(before);
  }

  private Path scratchPath() throws IOException {
    Files.createDirectories(tmp);
    return tmp.resolve(UUID.randomUUID() + ".tmp");
  }

  /** A file from {@link #createSpoolFile} is made durable and linked into place without a copy. */
  @Override
  public boolean putIfAbsent(String key, Path file) {
    Path target = path(key);
    Path t = file;
    try {
      if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      if (!tmp.equals(file.toAbsolutePath().normalize().getParent())) {
        // Not ours (another file system, perhaps): copied into the scratch directory first.
        t = createSpoolFile();
        Files.copy(file, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      try (FileChannel ch = FileChannel.open(t, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      return link(target, t);
    } catch (IOException e) {
      throw new StoreException(key, describe(e) + " while writing to " + root, e);
    } finally {
      deleteQuietly(t);
      deleteQuietly(file);
    }
  }

  private static void deleteQuietly(Path p) {
    if (p == null) {
      return;
    }
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // A leftover temporary file is harmless: it is never read.
    }
  }

  /** Links the durable scratch file {@code t} into place as {@code target}; false when the key exists. */
  private boolean link(Path target, Path t) throws IOException {
    if (!Files.isDirectory(target.getParent())) {
      Files.createDirectories(target.getParent());
      // Make the new directory's own entry durable too, not only the file inside it.
      for (Path d = target.getParent(); d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
        fsyncDirectory(d.getParent());
      }
    }
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      // Left over from deleted keys below this one; fails (not empty) if any remain.
      Files.delete(target);
    }
    try {
      Files.createLink(target, t);
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException e) {
      if (Files.exists(target)) {
        return false;
      }
      Files.move(t, target);
    }
    fsyncDirectory(target.getParent());
    return true;
  }

  /** An I/O error as a sentence for the user; a full disk says what to do. */
  public static String describe(IOException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("No space left")) {
      return "the disk is full (No space left on device); free space or move the repository, "
          + "then run the command again";
    }
    return e.getClass().getSimpleName() + ": " + m;
  }

  private static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // Some file systems do not allow opening directories; the rename is still atomic there.
    }
  }

  @Override
  public byte[] get(String key) {
    Path p = path(key);
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new ObjectNotFoundException(key, "missing from " + root);
    }
    try {
      return Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      throw new ObjectNotFoundException(key, "missing from " + root);
    } catch (IOException e) {
      throw new StoreException(key, describe(e), e);
    }
  }

  /**
   * Open read channels of recently read objects. Objects never change once written, so a
   * cached channel always reads the object's bytes; one deleted meanwhile stays readable
   * through it until evicted, like a file a reader had already opened.
   */
  private final java.util.Map<String, FileChannel> channels = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, FileChannel> e) {
          if (size() > 32) {
            closeQuietly(e.getValue());
            return true;
          }
          return false;
        }
      });

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // read-only channel; nothing to lose
    }
  }

  /**
   * The open channel of an object. The key is checked (and the path made) only when the object
   * is not open yet: a restore reads each pack many times, and checking its key against the
   * pattern every time was one part in forty of the restore's CPU time.
   */
  private FileChannel reader(String key) throws IOException {
    FileChannel ch = channels.get(key);
    if (ch != null && ch.isOpen()) {
      return ch;
    }
    Path p = path(key);
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(p.toString());
    }
    FileChannel opened = FileChannel.open(p, StandardOpenOption.READ);
    FileChannel prev = channels.putIfAbsent(key, opened);
    if (prev != null && prev.isOpen()) {
      closeQuietly(opened);
      return prev;
    }
    channels.put(key, opened);
    return opened;
  }

  @Override
  public byte[] getRange(String key, long offset, int length) {
    if (length < 0) {
      throw new IllegalArgumentException("negative range");
    }
    byte[] out = new byte[length];
    readRange(key, offset, ByteBuffer.wrap(out));
    return out;
  }

  @Override
  public void readRange(String key, long offset, ByteBuffer dst) {
    if (offset < 0) {
      throw new IllegalArgumentException("negative range");
    }
    int start = dst.position();
    int end = dst.limit();
    // A heap buffer is read through a temporary direct buffer of the JDK's as large as each read:
    // slices keep that small. A direct buffer is read into in one call.
    int slice = dst.isDirect() ? Integer.MAX_VALUE : IO_SLICE;
    try {
      FileChannel ch = reader(key);
      // The object's size is asked for only when a read comes up short (or reads nothing): an
      // fstat before each read was one system call in six of a restore.
      if (start == end && offset > ch.size()) {
        throw beyondTheEnd(key, offset, 0, ch);
      }
      long pos = offset;
      while (dst.position() < end) {
        dst.limit((int) Math.min(end, (long) dst.position() + slice));
        int r = ch.read(dst, pos);
        dst.limit(end);
        if (r < 0) {
          throw beyondTheEnd(key, offset, end - start, ch);
        }
        pos += r;
      }
    } catch (java.nio.channels.ClosedByInterruptException e) {
      channels.remove(key);
      throw new StoreException(key, "interrupted while reading", e);
    } catch (java.nio.channels.ClosedChannelException e) {
      // Evicted and closed by another thread between lookup and read: read again.
      channels.remove(key);
      dst.limit(end).position(start);
      readRange(key, offset, dst);
    } catch (NoSuchFileException e) {
      throw new ObjectNotFoundException(key, "missing from " + root);
    } catch (IOException e) {
      throw new StoreException(key, describe(e), e);
    }
  }

  private static StoreException beyondTheEnd(String key, long offset, int length, FileChannel ch) throws IOException {
    return new StoreException(key, "range " + offset + "+" + length + " is beyond the end (" + ch.size()
        + " bytes); the object is truncated", null);
  }

  @Override
  public Optional<Long> size(String key) {
    Path p = path(key);
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return a.isRegularFile() ? Optional.of(a.size()) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StoreException(key, describe(e), e);
    }
  }

  @Override
  public List<StoreEntry> list(String prefix) {
    StoreKeys.checkPrefix(prefix);
    Path dir = prefix.isEmpty() ? root : root.resolve(prefix);
    List<StoreEntry> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.filter(Files::isRegularFile).forEach(p -> {
        String key = root.relativize(p).toString();
        if (!StoreKeys.isValid(key)) {
          return; // scratch files in .tmp/, foreign files
        }
        try {
          out.add(new StoreEntry(key, Files.size(p)));
        } catch (NoSuchFileException e) {
          // deleted concurrently
        } catch (IOException e) {
          throw new StoreException(key, describe(e), e);
        }
      });
    } catch (IOException e) {
      throw new StoreException(prefix, describe(e), e);
    } catch (java.io.UncheckedIOException e) {
      if (e.getCause() instanceof NoSuchFileException) {
        return list(prefix);
      }
      throw new StoreException(prefix, describe(e.getCause()), e);
    }
    return out;
  }

  @Override
  public boolean delete(String key) {
    Path p = path(key);
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    FileChannel cached = channels.remove(key);
    if (cached != null) {
      closeQuietly(cached);
    }
    try {
      boolean existed = Files.deleteIfExists(p);
      if (existed) {
        fsyncDirectory(p.getParent());
      }
      return existed;
    } catch (DirectoryNotEmptyException e) {
      throw new StoreException(key, "is a directory", e);
    } catch (IOException e) {
      throw new StoreException(key, describe(e), e);
    }
  }

  @Override
  public String location() {
    return root.toString();
  }

  @Override
  public void close() {
    synchronized (channels) {
      channels.values().forEach(FileSystemStore::closeQuietly);
      channels.clear();
    }
  }
}
