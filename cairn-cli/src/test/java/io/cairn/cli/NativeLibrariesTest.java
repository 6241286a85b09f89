package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibrariesTest {
  @TempDir
  Path dir;

  private Path unpacked(String arch, String version) throws Exception {
    Path lib = dir.resolve("linux").resolve(arch).resolve("libzstd-jni-" + version + ".so");
    Files.createDirectories(lib.getParent());
    Files.write(lib, new byte[] {0x7f, 'E', 'L', 'F'});
    return lib;
  }

  @Test
  void findsTheLibraryOfThisVersionAndArchitecture() throws Exception {
    Path lib = unpacked("amd64", "1.5.7-6");
    assertThat(NativeLibraries.zstdLibrary(dir, "Linux", "amd64", "1.5.7-6")).isEqualTo(lib);
  }

  @Test
  void ignoresAnotherVersionAnotherArchitectureAndOtherSystems() throws Exception {
    unpacked("amd64", "1.5.7-4");
    unpacked("aarch64", "1.5.7-6");
    assertThat(NativeLibraries.zstdLibrary(dir, "Linux", "amd64", "1.5.7-6")).isNull();
    assertThat(NativeLibraries.zstdLibrary(dir, "Mac OS X", "aarch64", "1.5.7-6")).isNull();
    assertThat(NativeLibraries.zstdLibrary(dir, "Linux", "aarch64", "1.5.7-6")).isNotNull();
  }

  @Test
  void anArchitectureIsNeverAPath() throws Exception {
    // From DIR/x, "../../linux/amd64" would lead to the library unpacked under DIR.
    Path lib = unpacked("amd64", "1.5.7-6");
    Path outside = dir.resolve("x");
    Files.createDirectories(outside.resolve("linux"));
    assertThat(outside.resolve("linux").resolve("../../linux/amd64").resolve(lib.getFileName())).isRegularFile();
    assertThat(NativeLibraries.zstdLibrary(outside, "Linux", "../../linux/amd64", "1.5.7-6")).isNull();
    assertThat(NativeLibraries.zstdLibrary(dir, "Linux", null, "1.5.7-6")).isNull();
  }

  @Test
  void aDirectoryInPlaceOfTheLibraryIsNotTaken() throws Exception {
    Files.createDirectories(dir.resolve("linux/amd64/libzstd-jni-1.5.7-6.so"));
    assertThat(NativeLibraries.zstdLibrary(dir, "Linux", "amd64", "1.5.7-6")).isNull();
  }
}
