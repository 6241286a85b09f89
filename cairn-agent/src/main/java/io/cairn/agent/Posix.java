package io.cairn.agent;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * POSIX calls the JDK lacks (mkfifo, mknod) or makes unusable for special files (its
 * no-follow chmod and utimes open the file, which blocks forever on a FIFO), through the
 * foreign-function API.
 */
public final class Posix {
  private static final Linker LINKER = Linker.nativeLinker();

  /*
   * Each call is linked when first used, through a holder class of its own: linking one makes
   * the JDK generate and load code for it (a downcall stub, method handles), and a backup, which
   * needs only llistxattr, would otherwise link all eight at start-up.
   */
  private static final class Mkfifo {
    static final MethodHandle H = find("mkfifo", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
        ValueLayout.JAVA_INT));
  }

  private static final class Mknod {
    static final MethodHandle H = find("mknod", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
  }

  private static final class Ids {
    static final MethodHandle GETEUID = plain("geteuid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    static final MethodHandle GETEGID = plain("getegid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
  }

  private static final class Lchown {
    static final MethodHandle H = find("lchown", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
  }

  private static final class Chmod {
    static final MethodHandle H = find("chmod", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
        ValueLayout.JAVA_INT));
  }

  private static final class Utimensat {
    static final MethodHandle H = find("utimensat", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
  }

  private static final class Llistxattr {
    static final MethodHandle H = plain("llistxattr", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
  }

  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  static final int S_IFCHR = 0020000;
  static final int S_IFBLK = 0060000;

  private Posix() {}

  private static final long ERRNO_OFFSET = Linker.Option.captureStateLayout()
      .byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

  /** A downcall to the C library's {@code name} that captures errno, or null where there is none. */
  static MethodHandle find(String name, FunctionDescriptor d, Linker.Option... more) {
    Linker.Option[] options = java.util.Arrays.copyOf(more, more.length + 1);
    options[more.length] = Linker.Option.captureCallState("errno");
    return LINKER.defaultLookup().find(name).map(a -> LINKER.downcallHandle(a, d, options)).orElse(null);
  }

  /** A downcall to the C library's {@code name} without errno, or null where there is none. */
  private static MethodHandle plain(String name, FunctionDescriptor d) {
    return LINKER.defaultLookup().find(name).map(a -> LINKER.downcallHandle(a, d)).orElse(null);
  }

  /** The errno a call made with a handle from {@link #find} left in {@code state}. */
  static int errno(MemorySegment state) {
    return state.get(ValueLayout.JAVA_INT, ERRNO_OFFSET);
  }

  public static boolean isRoot() {
    return euid() == 0;
  }

  /** The effective user id, or -1 when unknown. */
  public static int euid() {
    try {
      return Ids.GETEUID == null ? -1 : (int) Ids.GETEUID.invokeExact();
    } catch (Throwable t) {
      return -1;
    }
  }

  /** The effective group id, or -1 when unknown. */
  public static int egid() {
    try {
      return Ids.GETEGID == null ? -1 : (int) Ids.GETEGID.invokeExact();
    } catch (Throwable t) {
      return -1;
    }
  }

  /**
   * The process's file-creation mask as Linux reports it in /proc/self/status (reading it that
   * way does not change it, unlike umask(2)), or -1 when unknown.
   */
  public static int umask() {
    try {
      for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Umask:")) {
          return Integer.parseInt(line.substring(6).trim(), 8);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or too old to say
    }
    return -1;
  }

  /** Sets owner and group with one lchown(2) call; never follows a symlink. */
  public static void lchown(Path p, int uid, int gid) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(Linker.Option.captureStateLayout());
      int rc = (int) Lchown.H.invokeExact(state, cString(a, p), uid, gid);
      check(rc, state, "lchown", p);
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("lchown " + p + " failed: " + t, t);
    }
  }

  public static void mkfifo(Path p, int mode) throws IOException {
    call(Mkfifo.H, p, mode, -1L);
  }

  public static void mknod(Path p, int type, int mode, long dev) throws IOException {
    call(Mknod.H, p, type | mode, dev);
  }

  /**
   * chmod(2) by path. The JDK's NOFOLLOW variant opens the file first, which blocks forever on a
   * FIFO; callers only use this on entries that are not symlinks.
   */
  public static void chmod(Path p, int mode) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(Linker.Option.captureStateLayout());
      int rc = (int) Chmod.H.invokeExact(state, cString(a, p), mode);
      check(rc, state, "chmod", p);
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("chmod " + p + " failed: " + t, t);
    }
  }

  /** Sets atime and mtime to the nanosecond without following symlinks and without opening the file. */
  public static void setTimes(Path p, long mtimeSeconds, int mtimeNanos, long atimeSeconds, int atimeNanos)
      throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(Linker.Option.captureStateLayout());
      MemorySegment times = a.allocate(ValueLayout.JAVA_LONG, 4);
      times.setAtIndex(ValueLayout.JAVA_LONG, 0, atimeSeconds);
      times.setAtIndex(ValueLayout.JAVA_LONG, 1, atimeNanos);
      times.setAtIndex(ValueLayout.JAVA_LONG, 2, mtimeSeconds);
      times.setAtIndex(ValueLayout.JAVA_LONG, 3, mtimeNanos);
      int rc = (int) Utimensat.H.invokeExact(state, AT_FDCWD, cString(a, p), times, AT_SYMLINK_NOFOLLOW);
      check(rc, state, "utimensat", p);
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("utimensat " + p + " failed: " + t, t);
    }
  }

  /**
   * The size of the entry's extended-attribute name list (0: none) by one llistxattr(2) call
   * without following symlinks, or -1 when unknown (no such call here, or it failed). The JDK's
   * own view opens the file to ask, which costs two more system calls for every file.
   */
  public static long xattrListSize(Path p) {
    MethodHandle h = Llistxattr.H;
    if (h == null) {
      return -1;
    }
    try (Arena a = Arena.ofConfined()) {
      return (long) h.invokeExact(cString(a, p), MemorySegment.NULL, 0L);
    } catch (Throwable t) {
      return -1;
    }
  }

  /** The path's raw bytes, NUL-terminated, in {@code a}. */
  static MemorySegment cString(Arena a, Path p) {
    byte[] raw = RawPaths.bytes(p);
    MemorySegment path = a.allocate(raw.length + 1);
    path.copyFrom(MemorySegment.ofArray(raw));
    path.set(ValueLayout.JAVA_BYTE, raw.length, (byte) 0);
    return path;
  }

  private static void check(int rc, MemorySegment state, String op, Path p) throws IOException {
    if (rc != 0) {
      throw new IOException(op + " " + p + " failed: errno " + errno(state));
    }
  }

  private static void call(MethodHandle h, Path p, int mode, long dev) throws IOException {
    if (h == null) {
      throw new IOException("this platform offers no " + (dev < 0 ? "mkfifo" : "mknod"));
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(Linker.Option.captureStateLayout());
      MemorySegment path = cString(a, p);
      int rc = dev < 0 ? (int) h.invokeExact(state, path, mode) : (int) h.invokeExact(state, path, mode, dev);
      check(rc, state, dev < 0 ? "mkfifo" : "mknod", p);
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed for " + p + ": " + t, t);
    }
  }
}
