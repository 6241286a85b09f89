package io.cairn.bench;

import com.github.luben.zstd.ZstdCompressCtx;
import io.cairn.chunker.FastCdc;
import io.cairn.crypto.BlobCipher;
import io.cairn.crypto.ChunkIdHasher;
import io.cairn.crypto.MasterKey;
import io.cairn.format.BlobType;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.IndexSegment;
import io.cairn.repository.BlobCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The backup pipeline's stages, one benchmark each, on 1 MiB of real text (the JDK's own
 * sources when available, else a generated mix) so a regression shows up here before it shows
 * up end to end. Throughput is reported as operations per second on 1 MiB inputs, i.e. MiB/s.
 *
 * <pre>java -jar cairn-bench/target/cairn-bench.jar -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class HotPaths {
  static final int MIB = 1 << 20;

  byte[] text;
  byte[] random;
  byte[] big;
  FastCdc cdc;
  ChunkIdHasher hasher;
  BlobCipher cipher;
  BlobCodec codec;
  ZstdCompressCtx zstd;
  byte[] aad;
  Id id;
  byte[] sealed;
  IndexSegment index;
  io.cairn.repository.Repository repo;
  io.cairn.repository.WriteSession session;
  Path repoDir;
  long counter;
  List<Id> present;
  int probe;

  @Setup
  public void setup() {
    text = sampleText(MIB);
    random = new byte[MIB];
    new Random(1).nextBytes(random);
    big = new byte[16 * MIB];
    for (int i = 0; i < 16; i++) {
      System.arraycopy(i % 2 == 0 ? text : random, 0, big, i * MIB, MIB);
    }
    MasterKey key = MasterKey.generate();
    cdc = new FastCdc(key.gearTable(), 512 << 10, MIB, 8 * MIB);
    hasher = key.idHasher();
    cipher = key.cipher();
    codec = new BlobCodec(cipher, 3);
    zstd = new ZstdCompressCtx();
    zstd.setLevel(3);
    id = hasher.id(text);
    aad = BlobCipher.blobAad(BlobType.DATA, id);
    sealed = codec.seal(BlobType.DATA, id, text).ciphertext();
    Random r = new Random(2);
    List<IndexEntry> entries = new ArrayList<>();
    present = new ArrayList<>();
    Id pack = Id.of(new byte[32]);
    for (int i = 0; i < 1_000_000; i++) {
      byte[] b = new byte[32];
      r.nextBytes(b);
      Id bid = Id.of(b);
      entries.add(new IndexEntry(bid, BlobType.DATA, pack, i, 1000));
      if (i % 1000 == 0) {
        present.add(bid);
      }
    }
    index = IndexSegment.open(IndexSegment.encode(entries), "bench");
    try {
      Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
      repoDir = Files.createTempDirectory(base, "cairn-jmh");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    repo = io.cairn.repository.Repository.init(new io.cairn.store.FileSystemStore(repoDir.resolve("repo")),
        "bench".toCharArray(), io.cairn.repository.Repository.InitSettings.DEFAULT,
        new io.cairn.repository.RepositoryOptions(repoDir.resolve("cache"), java.time.Clock.systemUTC(),
            new io.cairn.crypto.KdfParams(1024, 1, 1), 3, "bench", "bench"));
    session = repo.newSession();
  }

  @org.openjdk.jmh.annotations.TearDown
  public void tearDown() throws IOException {
    session.close();
    repo.close();
    try (var s = Files.walk(repoDir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A new 1 MiB text chunk through the repository: id, compress, encrypt, pack, write (tmpfs). */
  @Benchmark
  public boolean packWriting() {
    long c = counter++;
    for (int i = 0; i < 8; i++) {
      text[i] = (byte) (c >>> (8 * i));
    }
    return session.saveBlob(BlobType.DATA, repo.blobId(text), text);
  }

  static byte[] sampleText(int n) {
    byte[] out = new byte[n];
    int at = 0;
    Path src = Path.of(System.getProperty("java.home"), "lib", "src.zip");
    if (Files.exists(src)) {
      try (var zip = new java.util.zip.ZipFile(src.toFile())) {
        var it = zip.entries().asIterator();
        while (at < n && it.hasNext()) {
          var e = it.next();
          if (e.getName().endsWith(".java")) {
            byte[] b = zip.getInputStream(e).readAllBytes();
            int k = Math.min(b.length, n - at);
            System.arraycopy(b, 0, out, at, k);
            at += k;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Random r = new Random(3);
    String[] words = {"backup ", "cairn ", "restore ", "public ", "final ", "class ", "{\n", "}\n", "return "};
    while (at < n) {
      byte[] w = words[r.nextInt(words.length)].getBytes();
      int k = Math.min(w.length, n - at);
      System.arraycopy(w, 0, out, at, k);
      at += k;
    }
    return out;
  }

  /** FastCDC over 16 MiB (half text, half random); one op = 16 MiB. */
  @Benchmark
  public int chunk16MiB() {
    int off = 0;
    int n = 0;
    while (off < big.length) {
      off += cdc.cut(big, off, big.length - off, true);
      n++;
    }
    return n;
  }

  @Benchmark
  public Id hmacSha256() {
    return hasher.id(text);
  }

  @Benchmark
  public byte[] zstd3Text() {
    return zstd.compress(text);
  }

  @Benchmark
  public byte[] aesGcmEncrypt() {
    return cipher.encrypt(aad, new byte[0], text, 0, text.length);
  }

  /** The whole per-chunk path: compress (or skip) and encrypt. */
  @Benchmark
  public byte[] sealText() {
    return codec.seal(BlobType.DATA, id, text).ciphertext();
  }

  @Benchmark
  public byte[] sealRandom() {
    return codec.seal(BlobType.DATA, id, random).ciphertext();
  }

  @Benchmark
  public byte[] openText() {
    return codec.open(BlobType.DATA, id, sealed, "bench");
  }

  /** One lookup in a segment of a million entries (ops/s = lookups/s). */
  @Benchmark
  public void indexLookup(Blackhole bh) {
    Id q = present.get(probe++ % present.size());
    bh.consume(index.lookup(q));
  }
}
