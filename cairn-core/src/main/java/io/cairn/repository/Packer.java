package io.cairn.repository;

import io.cairn.format.BlobType;
import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.format.PackEntry;
import io.cairn.format.PackFormat;
import io.cairn.store.BlobStore;
import io.cairn.store.FileSystemStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects sealed blobs of one type into a pack (sessions, and repacking without a key). The
 * pack is built in a spool file ({@link BlobStore#createSpoolFile}), not in memory: a pack is
 * 16 MiB and more, and the file costs no heap however many packs are being built or stored.
 * For a local repository the spool file is in the repository's own scratch directory, and
 * storing the pack is a link. Not thread-safe.
 */
public final class Packer implements AutoCloseable {
  private final BlobType type;
  private final Path spool;
  private FileChannel ch;
  private int len;
  private final List<PackEntry> entries = new ArrayList<>();
  private long plaintextBytes;

  /** A packer whose spool file comes from {@code store}, where its pack will be stored. */
  public Packer(BlobType type, BlobStore store) {
    this(type, store, 0);
  }

  /**
   * As {@link #Packer(BlobType, BlobStore)} for a pack that holds copy {@code copy} of its blobs
   * ({@link PackFormat#DITTO} for the second copy of trees; docs/format.md, "Ditto copies of trees").
   */
  public Packer(BlobType type, BlobStore store, int copy) {
    this.type = type;
    try {
      this.spool = store.createSpoolFile();
    } catch (IOException e) {
      throw new CairnException("cannot create a scratch file for a new pack: " + FileSystemStore.describe(e), e);
    }
    try {
      this.ch = FileChannel.open(spool, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      write(ByteBuffer.wrap(PackFormat.preamble(copy)));
    } catch (IOException e) {
      close();
      deleteQuietly(spool); // also when it could not be opened
      throw failed(e);
    }
  }

  BlobType type() {
    return type;
  }

  public int size() {
    return len;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public PackEntry add(Id id, byte[] ciphertext, int plaintextLength) {
    return add(id, ByteBuffer.wrap(ciphertext), plaintextLength);
  }

  /** Appends the sealed blob between {@code sealed}'s position and limit; the position moves to the limit. */
  public PackEntry add(Id id, ByteBuffer sealed, int plaintextLength) {
    int n = sealed.remaining();
    if ((long) len + n > Integer.MAX_VALUE - (1 << 20)) {
      throw new IllegalStateException("pack too large");
    }
    PackEntry e = new PackEntry(type, id, len, n);
    try {
      write(sealed);
    } catch (IOException ex) {
      throw failed(ex);
    }
    entries.add(e);
    plaintextBytes += plaintextLength;
    return e;
  }

  private static final int HEAP_SLICE = 1 << 20;
  private static final int PAGE = 4096;
  private static final int STAGE = 256 << 10;

  /**
   * Bytes waiting to be written so that every write to the spool file starts at a multiple of
   * the page size and covers whole pages (except the last one of the pack). A blob written as
   * it came, at any offset, made the file system zero the rest of each page it started (ext4:
   * {@code zero_user_segments}, 2.5% of a first backup's CPU samples in {@code perf}), and cost
   * a system call per blob.
   */
  private final ByteBuffer stage = ByteBuffer.allocateDirect(STAGE + PAGE).alignedSlice(PAGE).limit(STAGE);

  private void write(ByteBuffer b) throws IOException {
    if (ch == null) {
      throw new IllegalStateException("pack already finished");
    }
    int n = b.remaining();
    int end = b.limit();
    while (b.hasRemaining()) {
      if (stage.position() == 0 && b.remaining() >= PAGE) {
        // Whole pages straight from the blob.
        b.limit(b.position() + (b.remaining() & -PAGE));
        writeOut(b);
        b.limit(end);
      } else {
        int k = Math.min(stage.remaining(), b.remaining());
        stage.put(stage.position(), b, b.position(), k);
        stage.position(stage.position() + k);
        b.position(b.position() + k);
        if (!stage.hasRemaining()) {
          flushStage();
        }
      }
    }
    len += n;
  }

  private void flushStage() throws IOException {
    stage.flip();
    writeOut(stage);
    stage.clear().limit(STAGE);
  }

  private void writeOut(ByteBuffer b) throws IOException {
    int end = b.limit();
    while (b.hasRemaining()) {
      // Heap buffers go in slices: the JDK copies each write through a per-thread direct
      // buffer the size of the request (see FileSystemStore.IO_SLICE).
      b.limit(b.isDirect() ? end : Math.min(end, b.position() + HEAP_SLICE));
      ch.write(b);
      b.limit(end);
    }
  }

  private CairnException failed(IOException e) {
    return new CairnException("writing a new pack to " + spool + " failed: " + FileSystemStore.describe(e), e);
  }

  /**
   * A finished pack in its spool file. Its name (the SHA-256 of the file) is computed on first
   * use, by the thread that stores it, not under the lock that {@link #finish} is called with.
   */
  public static final class Finished implements AutoCloseable {
    private final Path spool;
    private final int length;
    private final List<PackEntry> entries;
    private final long plaintextBytes;
    private Id id;

    Finished(Path spool, int length, List<PackEntry> entries, long plaintextBytes) {
      this.spool = spool;
      this.length = length;
      this.entries = entries;
      this.plaintextBytes = plaintextBytes;
    }

    public synchronized Id id() {
      if (id == null) {
        try {
          id = Id.of(io.cairn.crypto.Sha256.digest(spool, length));
        } catch (IOException e) {
          throw new CairnException("reading back the new pack " + spool + " failed: " + FileSystemStore.describe(e), e);
        }
      }
      return id;
    }

    /** Stores the pack under its name, unless it is there already; true when this call wrote it. The spool file is gone afterwards. */
    public boolean putTo(BlobStore store) {
      String key = io.cairn.store.StoreKeys.pack(id());
      try {
        return store.putIfAbsent(key, spool);
      } finally {
        close();
      }
    }

    public List<PackEntry> entries() {
      return entries;
    }

    public long plaintextBytes() {
      return plaintextBytes;
    }

    public int length() {
      return length;
    }

    /** Removes the spool file if it is still there (a pack abandoned without being stored). */
    @Override
    public void close() {
      deleteQuietly(spool);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a leftover scratch file is never read; FileSystemStore's scratch directory is swept
    }
  }

  /** Appends the header and trailer and closes the spool file, which the result now owns. */
  public Finished finish() {
    try {
      write(ByteBuffer.wrap(PackFormat.headerAndTrailer(entries)));
      flushStage();
      ch.close();
      ch = null;
    } catch (IOException e) {
      close();
      throw failed(e);
    }
    return new Finished(spool, len, List.copyOf(entries), plaintextBytes);
  }

  /** Abandons an unfinished pack: its spool file is removed. Does nothing after {@link #finish}. */
  @Override
  public void close() {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // the file is removed next
      }
      ch = null;
      deleteQuietly(spool);
    }
  }
}
