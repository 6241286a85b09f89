package io.cairn.agent;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/** The few POSIX calls the JDK lacks (mkfifo, mknod), through the foreign-function API. */
public final class Posix {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final MethodHandle MKFIFO = find("mkfifo",
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
  private static final MethodHandle MKNOD = find("mknod",
      FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
  private static final MethodHandle GETEUID = LINKER.defaultLookup().find("geteuid")
      .map(a -> LINKER.downcallHandle(a, FunctionDescriptor.of(ValueLayout.JAVA_INT))).orElse(null);
  static final int S_IFCHR = 0020000;
  static final int S_IFBLK = 0060000;

  private Posix() {}

  private static MethodHandle find(String name, FunctionDescriptor d) {
    return LINKER.defaultLookup().find(name).map(a -> LINKER.downcallHandle(a, d,
        Linker.Option.captureCallState("errno"))).orElse(null);
  }

  public static boolean isRoot() {
    try {
      return GETEUID != null && (int) GETEUID.invokeExact() == 0;
    } catch (Throwable t) {
      return false;
    }
  }

  public static void mkfifo(Path p, int mode) throws IOException {
    call(MKFIFO, p, mode, -1L);
  }

  public static void mknod(Path p, int type, int mode, long dev) throws IOException {
    call(MKNOD, p, type | mode, dev);
  }

  private static void call(MethodHandle h, Path p, int mode, long dev) throws IOException {
    if (h == null) {
      throw new IOException("this platform offers no " + (dev < 0 ? "mkfifo" : "mknod"));
    }
    byte[] raw = RawPaths.bytes(p);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(Linker.Option.captureStateLayout());
      MemorySegment path = a.allocate(raw.length + 1);
      path.copyFrom(MemorySegment.ofArray(raw));
      path.set(ValueLayout.JAVA_BYTE, raw.length, (byte) 0);
      int rc = dev < 0 ? (int) h.invokeExact(state, path, mode) : (int) h.invokeExact(state, path, mode, dev);
      if (rc != 0) {
        int errno = state.get(ValueLayout.JAVA_INT,
            Linker.Option.captureStateLayout().byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno")));
        throw new IOException((dev < 0 ? "mkfifo" : "mknod") + " " + p + " failed: errno " + errno);
      }
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed for " + p + ": " + t, t);
    }
  }
}
