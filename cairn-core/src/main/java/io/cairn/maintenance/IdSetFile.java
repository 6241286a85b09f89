package io.cairn.maintenance;

import io.cairn.format.Id;
import io.cairn.format.SortedIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A set of ids kept in a memory-mapped temporary file instead of the heap: append, then
 * {@link #seal()} (sort in place and drop duplicates), then {@link #contains}. Maintenance over
 * millions of blobs uses it so that the heap does not grow with the repository: the set costs
 * 32 bytes per id of disk and page cache, and a few hundred bytes of heap in all.
 */
public final class IdSetFile implements AutoCloseable {
  private static final ValueLayout.OfLong BE64 = SortedIds.BE64;
  private static final int BUFFER = 1 << 16;

  private final Path file;
  private final FileChannel channel;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
  private final Arena arena = Arena.ofShared();
  private MemorySegment seg;
  private long count;
  private long written;

  public IdSetFile(Path dir) {
    try {
      this.file = Files.createTempFile(dir, "ids", ".tmp");
      this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary id file in " + dir, e);
    }
  }

  public void add(Id id) {
    if (seg != null) {
      throw new IllegalStateException("sealed");
    }
    if (buffer.remaining() < Id.LENGTH) {
      flush();
    }
    buffer.put(id.bytes());
    written++;
  }

  private void flush() {
    buffer.flip();
    try {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    buffer.clear();
  }

  /** Sorts and deduplicates; afterwards only lookups are allowed. */
  public IdSetFile seal() {
    flush();
    try {
      seg = written == 0 ? MemorySegment.NULL : channel.map(FileChannel.MapMode.READ_WRITE, 0, written * Id.LENGTH, arena);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot map " + file, e);
    }
    if (written > 1) {
      heapSort(written);
    }
    long out = 0;
    for (long i = 0; i < written; i++) {
      if (out == 0 || compare(out - 1, i) != 0) {
        if (out != i) {
          MemorySegment.copy(seg, i * Id.LENGTH, seg, out * Id.LENGTH, Id.LENGTH);
        }
        out++;
      }
    }
    count = out;
    return this;
  }

  public long size() {
    return count;
  }

  public boolean contains(Id id) {
    return containsPrefix(id.bytes(), 0, Id.LENGTH);
  }

  /**
   * Whether some id in the set starts with the {@code width} bytes of {@code k} from
   * {@code off}; {@code width} is a multiple of 8 up to {@link Id#LENGTH}.
   */
  public boolean containsPrefix(byte[] k, int off, int width) {
    if (seg == null) {
      throw new IllegalStateException("not sealed");
    }
    return io.cairn.format.SortedIds.containsPrefix(seg, count, Id.LENGTH, k, off, width);
  }

  private int compare(long a, long b) {
    long x = a * Id.LENGTH;
    long y = b * Id.LENGTH;
    for (int k = 0; k < Id.LENGTH; k += 8) {
      int c = Long.compareUnsigned(seg.get(BE64, x + k), seg.get(BE64, y + k));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private final byte[] tmp = new byte[Id.LENGTH];

  private void swap(long a, long b) {
    MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, a * Id.LENGTH, tmp, 0, Id.LENGTH);
    MemorySegment.copy(seg, b * Id.LENGTH, seg, a * Id.LENGTH, Id.LENGTH);
    MemorySegment.copy(tmp, 0, seg, ValueLayout.JAVA_BYTE, b * Id.LENGTH, Id.LENGTH);
  }

  /** In-place heapsort: O(n log n), no extra memory, works on any mapped size. */
  private void heapSort(long n) {
    for (long i = n / 2 - 1; i >= 0; i--) {
      siftDown(i, n);
    }
    for (long end = n - 1; end > 0; end--) {
      swap(0, end);
      siftDown(0, end);
    }
  }

  private void siftDown(long i, long n) {
    while (true) {
      long l = 2 * i + 1;
      if (l >= n) {
        return;
      }
      long big = l + 1 < n && compare(l + 1, l) > 0 ? l + 1 : l;
      if (compare(big, i) <= 0) {
        return;
      }
      swap(i, big);
      i = big;
    }
  }

  @Override
  public void close() {
    arena.close();
    try {
      channel.close();
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover temporary file is harmless
    }
  }
}
