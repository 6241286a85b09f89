package io.cairn.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.crypto.MasterKey;
import io.cairn.format.BlobType;
import io.cairn.format.FormatSamples;
import io.cairn.format.Id;
import io.cairn.format.PackEntry;
import io.cairn.format.PackFormat;
import io.cairn.store.FileSystemStore;
import io.cairn.store.StoreKeys;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packs built in spool files, and blobs sealed from direct buffers. */
class SpooledPackTest {
  @TempDir
  Path dir;

  private long spoolFiles() throws Exception {
    Path tmp = dir.resolve(".tmp");
    if (!Files.isDirectory(tmp)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(tmp)) {
      return s.count();
    }
  }

  @Test
  void aFinishedPackIsStoredUnderItsHashAndItsSpoolFileGoes() throws Exception {
    FileSystemStore store = new FileSystemStore(dir);
    Random r = new Random(1);
    Packer p = new Packer(BlobType.DATA, store);
    assertThat(spoolFiles()).isEqualTo(1);
    byte[] a = new byte[3 << 20];
    r.nextBytes(a);
    Id ida = FormatSamples.id(r);
    Id idb = FormatSamples.id(r);
    byte[] b = new byte[1000];
    r.nextBytes(b);
    ByteBuffer direct = ByteBuffer.allocateDirect(2000).put(10, b).position(10).limit(1010);
    p.add(ida, a, 5);
    p.add(idb, direct, 7);
    assertThat(direct.hasRemaining()).isFalse();
    Packer.Finished f = p.finish();
    assertThat(f.plaintextBytes()).isEqualTo(12);
    assertThat(f.putTo(store)).isTrue();
    assertThat(spoolFiles()).isZero();
    byte[] pack = store.get(StoreKeys.pack(f.id()));
    assertThat(ContentAddressed.matches(StoreKeys.pack(f.id()), pack)).isTrue();
    assertThat(pack.length).isEqualTo(f.length());
    List<PackEntry> entries = PackFormat.parse(pack, "p");
    assertThat(entries).hasSize(2);
    assertThat(java.util.Arrays.copyOfRange(pack, (int) entries.get(0).offset(),
        (int) entries.get(0).offset() + entries.get(0).length())).isEqualTo(a);
    assertThat(java.util.Arrays.copyOfRange(pack, (int) entries.get(1).offset(),
        (int) entries.get(1).offset() + entries.get(1).length())).isEqualTo(b);
  }

  /**
   * Blobs of every awkward size, from heap and direct buffers, land byte for byte where their
   * entries say, however the packer stages them into whole-page writes.
   */
  @Test
  void blobsOfAnySizeLandWhereTheirEntriesSay() throws Exception {
    FileSystemStore store = new FileSystemStore(dir);
    Random r = new Random(4);
    Packer p = new Packer(BlobType.DATA, store);
    int[] sizes = {1, 4095, 4096, 4097, 100, (256 << 10) - 7, 256 << 10, (256 << 10) + 1, 3, (1 << 20) + 4093,
        8191, 65_536, (3 << 20) + 1, 17};
    List<byte[]> blobs = new java.util.ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      byte[] b = new byte[sizes[i]];
      r.nextBytes(b);
      blobs.add(b);
      if (i % 2 == 0) {
        p.add(FormatSamples.id(r), b, 1);
      } else {
        ByteBuffer d = ByteBuffer.allocateDirect(b.length + 3).put(3, b).position(3);
        p.add(FormatSamples.id(r), d, 1);
        assertThat(d.hasRemaining()).isFalse();
      }
    }
    Packer.Finished f = p.finish();
    assertThat(f.putTo(store)).isTrue();
    byte[] pack = store.get(StoreKeys.pack(f.id()));
    assertThat(pack.length).isEqualTo(f.length());
    assertThat(ContentAddressed.matches(StoreKeys.pack(f.id()), pack)).isTrue();
    List<PackEntry> entries = PackFormat.parse(pack, "p");
    assertThat(entries).hasSize(sizes.length);
    for (int i = 0; i < sizes.length; i++) {
      PackEntry e = entries.get(i);
      assertThat(java.util.Arrays.copyOfRange(pack, (int) e.offset(), (int) (e.offset() + e.length())))
          .as("blob %d of %d bytes", i, sizes[i]).isEqualTo(blobs.get(i));
    }
  }

  @Test
  void anAbandonedPackLeavesNoSpoolFile() throws Exception {
    FileSystemStore store = new FileSystemStore(dir);
    Packer p = new Packer(BlobType.TREE, store);
    p.add(FormatSamples.id(new Random(2)), new byte[100], 1);
    assertThat(spoolFiles()).isEqualTo(1);
    p.close();
    assertThat(spoolFiles()).isZero();
    Packer.Finished f = new Packer(BlobType.TREE, store).finish();
    assertThat(spoolFiles()).isEqualTo(1);
    f.close();
    assertThat(spoolFiles()).isZero();
    assertThat(store.list("data/")).isEmpty();
  }

  @Test
  void blobsSealedFromDirectBuffersOpenToTheSamePlaintext() {
    BlobCodec codec = new BlobCodec(MasterKey.generate().cipher(), 3);
    Random r = new Random(3);
    byte[] text = "compressible text ".repeat(20_000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] noise = new byte[(1 << 20) + 5];
    r.nextBytes(noise);
    // The last is larger than the kept per-thread buffers: sealed in buffers of its own.
    byte[] huge = "a huge tree's worth of text ".repeat(400_000).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (byte[] plain : new byte[][] {text, noise, new byte[10], new byte[0], huge}) {
      Id id = FormatSamples.id(r);
      ByteBuffer direct = ByteBuffer.allocateDirect(plain.length + 64).put(32, plain).position(32)
          .limit(32 + plain.length);
      ByteBuffer sealed = codec.sealDirect(BlobType.DATA, id, direct);
      byte[] s = new byte[sealed.remaining()];
      sealed.get(s);
      assertThat(codec.open(BlobType.DATA, id, s, "b")).isEqualTo(plain);
      byte[] viaArray = codec.seal(BlobType.DATA, id, plain).ciphertext();
      assertThat(viaArray.length).isEqualTo(s.length);
      assertThat(codec.open(BlobType.DATA, id, viaArray, "b")).isEqualTo(plain);
      if (plain == text) {
        assertThat(s.length).as("compressed").isLessThan(plain.length / 10);
      }
    }
  }
}
