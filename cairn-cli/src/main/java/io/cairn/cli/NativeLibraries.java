package io.cairn.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Points zstd-jni at its native library as the build unpacked it beside the jars
 * ({@code target/native}), so that a command loads it in place. Otherwise zstd-jni copies the
 * library out of its jar into a new temporary file and loads that copy, in every command that
 * compresses or decompresses: 33–41 ms each time on the benchmark machine
 * (docs/benchmarks.md). Where nothing was unpacked for this platform, zstd-jni does as before.
 */
final class NativeLibraries {
  /** zstd-jni's own setting: the path of a library to load instead of the one in its jar. */
  static final String ZSTD_PATH = "ZstdNativePath";

  private NativeLibraries() {}

  /** Sets {@link #ZSTD_PATH} when it is unset and the unpacked library is there; before any zstd class loads. */
  static void locateZstd() {
    if (System.getProperty(ZSTD_PATH) != null) {
      return;
    }
    try {
      Path jar = Path.of(NativeLibraries.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path lib = zstdLibrary(jar.resolveSibling("native"), System.getProperty("os.name"),
          System.getProperty("os.arch"), com.github.luben.zstd.util.ZstdVersion.VERSION);
      if (lib != null) {
        System.setProperty(ZSTD_PATH, lib.toString());
      }
    } catch (java.net.URISyntaxException | RuntimeException e) {
      // No usable location: zstd-jni finds its library the usual way.
    }
  }

  /**
   * The library zstd-jni {@code version} would take from its jar for this platform
   * ({@code linux/ARCH/libzstd-jni-VERSION.so}), if it lies unpacked under {@code dir}; else null.
   * The version is part of the name, so a library left from another version is never loaded.
   */
  static Path zstdLibrary(Path dir, String osName, String osArch, String version) {
    if (osName == null || osArch == null || !osName.toLowerCase(java.util.Locale.ROOT).startsWith("linux")
        || !osArch.matches("[A-Za-z0-9_]+")) {
      return null;
    }
    Path lib = dir.resolve("linux").resolve(osArch).resolve("libzstd-jni-" + version + ".so");
    return Files.isRegularFile(lib) ? lib : null;
  }
}
