import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * zstd alone over a corpus cut as a backup cuts it: each file in pieces of at most 1 MiB (the
 * chunker's average), each compressed on its own with one reused context, on one thread. For
 * each setting it prints the bytes a backup would store (a piece that zstd does not shrink by
 * 1/32 is stored as it is) and the median time over the rounds, settings alternating; and how
 * much of the time and of the savings came from pieces that begin with a gzip or zip signature.
 *
 * <p>Usage (bench/zstd-corpus.sh runs it with the build's zstd-jni):
 * {@code java -cp zstd-jni.jar bench/ZstdCorpus.java DIR ROUNDS SETTING...}, where a setting is
 * {@code LEVEL[,HASHLOG,CHAINLOG]}, e.g. {@code 3 3,17,14 2}.
 */
public class ZstdCorpus {
  private static final int PIECE = 1 << 20;

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: ZstdCorpus DIR ROUNDS LEVEL[,HASHLOG,CHAINLOG]...");
      System.exit(2);
    }
    List<ByteBuffer> pieces = load(Path.of(args[0]));
    long total = pieces.stream().mapToLong(ByteBuffer::remaining).sum();
    System.out.printf("%d pieces, %d bytes%n", pieces.size(), total);
    int rounds = Integer.parseInt(args[1]);
    List<String> settings = Arrays.asList(args).subList(2, args.length);
    ByteBuffer out = ByteBuffer.allocateDirect((int) Zstd.compressBound(PIECE));
    Map<String, List<Long>> millis = new LinkedHashMap<>();
    for (int r = 0; r < rounds; r++) {
      for (String setting : settings) {
        Result res = run(setting, pieces, out);
        millis.computeIfAbsent(setting, k -> new ArrayList<>()).add(res.nanos / 1_000_000);
        if (r == 0) {
          System.out.printf("%-10s stores %d bytes; signed pieces: %d ms of %d, saved %d bytes%n", setting,
              res.stored, res.signedNanos / 1_000_000, res.nanos / 1_000_000, res.signedSaved);
        }
      }
    }
    millis.forEach((k, v) -> {
      List<Long> s = new ArrayList<>(v);
      Collections.sort(s);
      System.out.printf("%-10s median %d ms %s%n", k, s.get(s.size() / 2), v);
    });
  }

  private record Result(long nanos, long stored, long signedNanos, long signedSaved) {}

  private static Result run(String setting, List<ByteBuffer> pieces, ByteBuffer out) {
    String[] f = setting.split(",");
    try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
      ctx.setLevel(Integer.parseInt(f[0]));
      if (f.length > 2) {
        ctx.setHashLog(Integer.parseInt(f[1]));
        ctx.setChainLog(Integer.parseInt(f[2]));
      }
      ctx.setContentSize(true);
      long stored = 0;
      long signedNanos = 0;
      long signedSaved = 0;
      long t0 = System.nanoTime();
      for (ByteBuffer p : pieces) {
        int len = p.remaining();
        if (len < 64) {
          stored += len;
          continue;
        }
        long t1 = System.nanoTime();
        int n = ctx.compressDirectByteBuffer(out, 0, out.capacity(), p, 0, len);
        long kept = n > len - len / 32 ? len : n;
        stored += kept;
        if (signed(p)) {
          signedNanos += System.nanoTime() - t1;
          signedSaved += len - kept;
        }
      }
      return new Result(System.nanoTime() - t0, stored, signedNanos, signedSaved);
    }
  }

  /** gzip (deflate) or a zip local file header. */
  private static boolean signed(ByteBuffer p) {
    int b0 = p.get(0) & 0xff;
    int b1 = p.get(1) & 0xff;
    return (b0 == 0x1f && b1 == 0x8b && p.get(2) == 8)
        || (b0 == 'P' && b1 == 'K' && p.get(2) == 3 && p.get(3) == 4);
  }

  private static List<ByteBuffer> load(Path dir) throws Exception {
    List<ByteBuffer> pieces = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted()::iterator) {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        byte[] b = Files.readAllBytes(p);
        for (int off = 0; off < b.length; off += PIECE) {
          int n = Math.min(PIECE, b.length - off);
          ByteBuffer d = ByteBuffer.allocateDirect(n);
          d.put(b, off, n).flip();
          pieces.add(d);
        }
      }
    }
    return pieces;
  }
}
