package io.cairn.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.chunker.ChunkReader;
import io.cairn.chunker.FastCdc;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SparseInputTest {
  @TempDir Path tmp;

  private Path sparseFile() throws Exception {
    Path f = tmp.resolve("disk.img");
    Random r = new Random(11);
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(40L << 20);
      byte[] a = new byte[(1 << 20) + 123];
      r.nextBytes(a);
      raf.seek(8L << 20);
      raf.write(a);
      raf.seek(30L << 20);
      raf.write(new byte[] {1, 2, 3, 4, 5});
    }
    return f;
  }

  @Test
  void readsWhatTheFileHoldsAndKnowsItsHoles() throws Exception {
    assertThat(SparseInput.supported()).as("Linux on this architecture has SEEK_DATA").isTrue();
    Path f = sparseFile();
    byte[] expected = Files.readAllBytes(f);
    try (InputStream in = SparseInput.open(f, true)) {
      ChunkReader.Holes h = (ChunkReader.Holes) in;
      assertThat(h.holeAhead()).isEqualTo(8L << 20);
      assertThat(in.skip(5L << 20)).isEqualTo(5L << 20);
      assertThat(h.holeAhead()).isEqualTo(3L << 20);
      byte[] head = in.readNBytes(4 << 20);
      assertThat(head).isEqualTo(java.util.Arrays.copyOfRange(expected, 5 << 20, 9 << 20));
      byte[] rest = in.readAllBytes();
      assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(expected, 9 << 20, expected.length));
      assertThat(in.read()).isEqualTo(-1);
    }
    try (InputStream in = SparseInput.open(f, true)) {
      assertThat(in.readAllBytes()).isEqualTo(expected);
    }
  }

  @Test
  void withoutHoleLookupsTheSameBytesAreReadAndNoHoleIsReported() throws Exception {
    Path f = sparseFile();
    try (InputStream in = SparseInput.open(f, false)) {
      assertThat(((ChunkReader.Holes) in).holeAhead()).isZero();
      assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(f));
    }
  }

  @Test
  void chunksMatchAPlainReadOfTheSameFile() throws Exception {
    Path f = sparseFile();
    FastCdc cdc = new FastCdc(gear(), 256 << 10, 1 << 20, 4 << 20);
    List<byte[]> plain = new ArrayList<>();
    List<byte[]> sparse = new ArrayList<>();
    try (InputStream in = Files.newInputStream(f)) {
      new ChunkReader(cdc).split(in, plain::add);
    }
    long n;
    try (InputStream in = SparseInput.open(f, true)) {
      n = new ChunkReader(cdc).split(in, sparse::add);
    }
    assertThat(n).isEqualTo(Files.size(f));
    assertThat(sparse).hasSameSizeAs(plain);
    for (int i = 0; i < plain.size(); i++) {
      assertThat(sparse.get(i)).as("chunk %d", i).isEqualTo(plain.get(i));
    }
  }

  @Test
  void aDenseFileHasNoHoles() throws Exception {
    Path f = tmp.resolve("dense.bin");
    byte[] data = new byte[3 << 20];
    new Random(5).nextBytes(data);
    Files.write(f, data);
    try (InputStream in = SparseInput.open(f, true)) {
      assertThat(((ChunkReader.Holes) in).holeAhead()).isZero();
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
  }

  @Test
  void missingFilesAndSymlinksAreClearErrors() throws Exception {
    assertThatThrownBy(() -> SparseInput.open(tmp.resolve("gone"), true)).isInstanceOf(NoSuchFileException.class);
    Path target = Files.writeString(tmp.resolve("target"), "x");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
    assertThatThrownBy(() -> SparseInput.open(link, true)).hasMessageContaining("symbolic link");
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(target, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("x");
    assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isTrue();
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void aFifoInPlaceOfTheFileDoesNotBlock() throws Exception {
    Path fifo = tmp.resolve("fifo");
    Posix.mkfifo(fifo, 0600);
    try (InputStream in = SparseInput.open(fifo, true)) {
      assertThatThrownBy(() -> in.read(new byte[16], 0, 16)).hasMessageContaining("no longer a regular file");
    }
  }

  private static long[] gear() {
    long[] g = new long[256];
    Random r = new Random(9);
    for (int i = 0; i < 256; i++) {
      g[i] = r.nextLong();
    }
    return g;
  }
}
