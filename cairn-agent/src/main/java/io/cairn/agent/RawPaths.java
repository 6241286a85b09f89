package io.cairn.agent;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * Exact bytes of Unix paths. Unix file names are byte strings and need not be valid UTF-8;
 * {@code Path.toString()} would replace invalid bytes, so names are read and rebuilt from the
 * JDK's own byte representation ({@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED}, which
 * the launcher passes). Without that access only valid UTF-8 names round-trip, and the
 * failure is reported instead of silently renaming files.
 */
public final class RawPaths {
  private static final Method AS_BYTES;
  private static final Constructor<?> FROM_BYTES;
  private static final FileSystem FS = FileSystems.getDefault();

  static {
    Method m = null;
    Constructor<?> c = null;
    try {
      Class<?> unixPath = Class.forName("sun.nio.fs.UnixPath");
      m = unixPath.getDeclaredMethod("asByteArray");
      m.setAccessible(true);
      c = unixPath.getDeclaredConstructor(Class.forName("sun.nio.fs.UnixFileSystem"), byte[].class);
      c.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      m = null;
      c = null;
    }
    AS_BYTES = m;
    FROM_BYTES = c;
  }

  private RawPaths() {}

  public static boolean exact() {
    return AS_BYTES != null && FROM_BYTES != null;
  }

  /** The bytes of a path as the kernel sees them. */
  public static byte[] bytes(Path p) {
    if (AS_BYTES != null) {
      try {
        return ((byte[]) AS_BYTES.invoke(p)).clone();
      } catch (ReflectiveOperationException e) {
        // fall through
      }
    }
    return p.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The file name of a path as raw bytes. */
  public static byte[] name(Path p) {
    Path f = p.getFileName();
    return f == null ? new byte[0] : bytes(f);
  }

  /** A path made from raw bytes (relative unless it starts with '/'). */
  public static Path of(byte[] raw) {
    if (FROM_BYTES != null) {
      try {
        return (Path) FROM_BYTES.newInstance(FS, raw.clone());
      } catch (ReflectiveOperationException e) {
        // fall through
      }
    }
    String s = new String(raw, StandardCharsets.UTF_8);
    if (!java.util.Arrays.equals(s.getBytes(StandardCharsets.UTF_8), raw)) {
      throw new IllegalStateException("file name is not valid UTF-8 and exact byte paths are not "
          + "available in this JVM (run with --add-opens java.base/sun.nio.fs=ALL-UNNAMED)");
    }
    return Path.of(s);
  }

  /** {@code dir} joined with one raw name. */
  public static Path resolve(Path dir, byte[] name) {
    return dir.resolve(of(name));
  }
}
