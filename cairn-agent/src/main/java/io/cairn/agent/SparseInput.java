package io.cairn.agent;

import io.cairn.chunker.ChunkReader;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a file through its own descriptor and a native buffer per thread. For a large file it
 * asks the file system where its data is (lseek(2) with SEEK_DATA and SEEK_HOLE): holes read as
 * zeros without a system call, and {@link ChunkReader} skips whole chunks of them without
 * reading at all, instead of the kernel zero-filling every page of every hole (1.6 GiB of the
 * benchmark's 2 GiB disk image).
 *
 * <p>The answer is the same as reading the file byte by byte would give: a hole reads as zeros by
 * definition. A file system without SEEK_DATA support reports the whole file as data. Where this
 * platform has no such calls (not Linux on x86-64 or AArch64), {@link #open} falls back to the
 * JDK's stream.
 */
final class SparseInput extends InputStream implements ChunkReader.Holes {
  private static final MethodHandle OPEN;
  private static final MethodHandle LSEEK;
  private static final MethodHandle PREAD;
  private static final MethodHandle CLOSE;
  /** O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, whose values differ between architectures. */
  private static final int OPEN_FLAGS;
  private static final int SEEK_END = 2;
  private static final int SEEK_DATA = 3;
  private static final int SEEK_HOLE = 4;
  private static final int EPERM = 1;
  private static final int ENOENT = 2;
  private static final int EINTR = 4;
  private static final int ENXIO = 6;
  private static final int EACCES = 13;
  private static final int ESPIPE = 29;
  private static final int ELOOP = 40;
  private static final int BUFFER = ChunkReader.READ_SIZE;
  /** One native read buffer per reader thread, freed with the thread. */
  private static final ThreadLocal<MemorySegment> BUFFERS =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(BUFFER, 4096));

  static {
    String arch = System.getProperty("os.arch", "");
    boolean linux = System.getProperty("os.name", "").startsWith("Linux");
    int nofollow = switch (arch) {
      case "amd64", "x86_64" -> 0400000;
      case "aarch64" -> 0100000;
      default -> -1;
    };
    MethodHandle open = null;
    MethodHandle lseek = null;
    MethodHandle pread = null;
    MethodHandle close = null;
    if (linux && nofollow > 0) {
      open = Posix.find("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
          ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
      lseek = Posix.find("lseek", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
          ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
      pread = Posix.find("pread", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
          ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
      close = Posix.find("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }
    boolean all = open != null && lseek != null && pread != null && close != null;
    OPEN = all ? open : null;
    LSEEK = all ? lseek : null;
    PREAD = all ? pread : null;
    CLOSE = all ? close : null;
    OPEN_FLAGS = nofollow | 04000 | 02000000;
  }

  private final Path path;
  private final int fd;
  private final MemorySegment state;
  private final Arena arena;
  private final MemorySegment buffer;
  private long pos;
  /** The data extent at or after {@link #pos}: [dataStart, dataEnd); before it, a hole. */
  private long dataStart;
  private long dataEnd;
  private boolean closed;

  private SparseInput(Path path, int fd, Arena arena, MemorySegment state, boolean holes) {
    this.path = path;
    this.fd = fd;
    this.arena = arena;
    this.state = state;
    this.buffer = BUFFERS.get();
    if (!holes) {
      dataEnd = Long.MAX_VALUE; // all data: no lseek calls
    }
  }

  /** Whether reads here skip holes (false: {@link #open} returns the JDK's stream). */
  static boolean supported() {
    return OPEN != null;
  }

  /**
   * Opens a regular file for reading without following a symlink and without blocking should it
   * have been replaced by a FIFO since it was scanned. With {@code holes} false the file is read
   * as all data, without asking where its holes are (small files, where the two extra system
   * calls would cost more than a hole could save). Either way reads go through the thread's one
   * native buffer: the JDK's stream would copy through a temporary direct buffer of its own
   * ({@code sun.nio.ch.Util}), kept per thread, so a reader thread that met both kinds of file
   * would hold two.
   */
  static InputStream open(Path p, boolean holes) throws IOException {
    if (OPEN == null) {
      return Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS);
    }
    Arena arena = Arena.ofConfined();
    try {
      MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
      MemorySegment name = Posix.cString(arena, p);
      int fd;
      do {
        fd = (int) OPEN.invokeExact(state, name, OPEN_FLAGS, 0);
      } while (fd < 0 && Posix.errno(state) == EINTR);
      if (fd < 0) {
        throw failure(p, "open", Posix.errno(state));
      }
      return new SparseInput(p, fd, arena, state, holes);
    } catch (IOException | RuntimeException | Error e) {
      arena.close();
      throw e;
    } catch (Throwable t) {
      arena.close();
      throw new IOException("open " + p + " failed: " + t, t);
    }
  }

  private static IOException failure(Path p, String op, int errno) {
    return switch (errno) {
      case ENOENT -> new NoSuchFileException(p.toString());
      case EACCES, EPERM -> new AccessDeniedException(p.toString());
      case ELOOP -> new FileSystemException(p.toString(), null, "became a symbolic link");
      case ESPIPE -> new FileSystemException(p.toString(), null, "is no longer a regular file");
      default -> new IOException(op + " " + p + " failed: errno " + errno);
    };
  }

  private long seek(long offset, int whence) throws IOException {
    try {
      return (long) LSEEK.invokeExact(state, fd, offset, whence);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("lseek " + path + " failed: " + t, t);
    }
  }

  /** Makes [dataStart, dataEnd) the data extent at or after {@link #pos}. */
  private void locate() throws IOException {
    if (pos < dataEnd) {
      return;
    }
    long d = seek(pos, SEEK_DATA);
    if (d < 0) {
      int e = Posix.errno(state);
      if (e != ENXIO) {
        // No SEEK_DATA here after all: the rest is data.
        dataStart = pos;
        dataEnd = Long.MAX_VALUE;
        return;
      }
      // Only a hole up to the end of the file remains.
      long end = seek(0, SEEK_END);
      if (end < 0) {
        throw failure(path, "lseek", Posix.errno(state));
      }
      dataStart = Math.max(end, pos);
      dataEnd = dataStart;
      return;
    }
    long h = seek(d, SEEK_HOLE);
    dataStart = d;
    dataEnd = h < 0 ? Long.MAX_VALUE : h;
  }

  @Override
  public long holeAhead() throws IOException {
    ensureOpen();
    locate();
    return Math.max(0, dataStart - pos);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    ensureOpen();
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    locate();
    if (pos < dataStart) {
      int n = (int) Math.min(len, dataStart - pos);
      Arrays.fill(b, off, off + n, (byte) 0);
      pos += n;
      return n;
    }
    long want = Math.min(Math.min(len, BUFFER), dataEnd == dataStart ? len : dataEnd - pos);
    long r;
    try {
      do {
        r = (long) PREAD.invokeExact(state, fd, buffer, want, pos);
      } while (r < 0 && Posix.errno(state) == EINTR);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("read " + path + " failed: " + t, t);
    }
    if (r < 0) {
      throw failure(path, "read", Posix.errno(state));
    }
    if (r == 0) {
      return -1;
    }
    MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, b, off, (int) r);
    pos += r;
    return (int) r;
  }

  @Override
  public long skip(long n) throws IOException {
    ensureOpen();
    if (n <= 0) {
      return 0;
    }
    locate();
    if (pos < dataStart) {
      long k = Math.min(n, dataStart - pos);
      pos += k;
      return k;
    }
    return super.skip(n);
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException(path + ": stream closed");
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      int rc = (int) CLOSE.invokeExact(state, fd);
      if (rc != 0) {
        throw failure(path, "close", Posix.errno(state));
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("close " + path + " failed: " + t, t);
    } finally {
      arena.close();
    }
  }
}
