package io.cairn.bench;

import io.cairn.crypto.KdfParams;
import io.cairn.format.BlobType;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.IndexSegment;
import io.cairn.format.PackEntry;
import io.cairn.format.SnapshotCodec;
import io.cairn.format.SnapshotEnvelope;
import io.cairn.format.SnapshotSummary;
import io.cairn.maintenance.CheckReport;
import io.cairn.maintenance.Checker;
import io.cairn.maintenance.Pruner;
import io.cairn.repository.Packer;
import io.cairn.repository.Repository;
import io.cairn.repository.RepositoryOptions;
import io.cairn.store.BlobStore;
import io.cairn.store.ForwardingStore;
import io.cairn.store.Stores;
import io.cairn.store.StoreKeys;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Peak heap of keyless prune (plan) and check over a synthetic repository of N blobs (default
 * one million): packs with real headers, index segments, and snapshots whose reference lists
 * cover 90% of the blobs. Run it with a small heap to show the bound, e.g.
 *
 * <pre>java -Xmx160m -cp 'cairn-bench/target/cairn-bench.jar:cairn-bench/target/lib/*' \
 *     io.cairn.bench.MaintenanceMemory /tmp/mm 1000000 prune [LOCATION]</pre>
 *
 * <p>LOCATION is where the repository is made and read (default a directory under the first
 * argument), such as a bucket {@code s3:http://127.0.0.1:PORT/BUCKET} with the keys in
 * AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; the store requests of the run are counted.
 */
public final class MaintenanceMemory {
  private MaintenanceMemory() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    String what = args.length > 2 ? args[2] : "prune";
    String location = args.length > 3 ? args[3] : dir.resolve("repo-" + n).toString();
    Counting store = new Counting(Stores.open(location, Stores.Access.of(Duration.ofMinutes(2))));
    if (store.size(StoreKeys.CONFIG).isEmpty()) {
      long t = System.nanoTime();
      generate(store, dir, n);
      System.out.printf("generated %d blobs in %.1f s%n", n, (System.nanoTime() - t) / 1e9);
    }
    store.reset();
    resetPeaks();
    long t = System.nanoTime();
    if (what.equals("prune")) {
      Pruner.Plan plan = new Pruner(store, Clock.systemUTC(), Pruner.Options.DEFAULT, "bench").plan();
      System.out.printf("prune plan: %d snapshots, %d referenced, %d condemned in %.1f s%n", plan.snapshots(),
          plan.referencedBlobs(), plan.condemn().size(), (System.nanoTime() - t) / 1e9);
    } else {
      CheckReport r = new Checker(store, null).run(0, 1);
      System.out.printf("check: %d packs, %d blobs, %d errors in %.1f s%n", r.packs(), r.blobs(), r.errors().size(),
          (System.nanoTime() - t) / 1e9);
    }
    System.out.printf("peak heap used: %.1f MiB (max heap %.0f MiB)%n", peakHeap() / 1048576.0,
        Runtime.getRuntime().maxMemory() / 1048576.0);
    System.out.printf("store requests: %s%n", store.counts());
  }

  /**
   * Counts a store's requests by kind; a listing counts as one request per 1,000 keys (started),
   * as S3's ListObjectsV2 pages them.
   */
  static final class Counting extends ForwardingStore {
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> counts =
        new java.util.concurrent.ConcurrentHashMap<>();

    Counting(BlobStore inner) {
      super(inner);
    }

    private void count(String kind, long n) {
      counts.computeIfAbsent(kind, k -> new java.util.concurrent.atomic.LongAdder()).add(n);
    }

    void reset() {
      counts.clear();
    }

    java.util.Map<String, Long> counts() {
      java.util.Map<String, Long> out = new java.util.TreeMap<>();
      counts.forEach((k, v) -> out.put(k, v.sum()));
      out.put("total", out.values().stream().mapToLong(Long::longValue).sum());
      return out;
    }

    @Override
    public byte[] get(String key) {
      count("get", 1);
      return inner.get(key);
    }

    @Override
    public byte[] getRange(String key, long offset, int length) {
      count("get-range", 1);
      return inner.getRange(key, offset, length);
    }

    @Override
    public void readRange(String key, long offset, java.nio.ByteBuffer dst) {
      count("get-range", 1);
      inner.readRange(key, offset, dst);
    }

    @Override
    public java.util.Optional<Long> size(String key) {
      count("head", 1);
      return inner.size(key);
    }

    @Override
    public List<io.cairn.store.StoreEntry> list(String prefix) {
      List<io.cairn.store.StoreEntry> l = inner.list(prefix);
      count("list-page", Math.max(1, (l.size() + 999) / 1000));
      return l;
    }

    @Override
    public boolean putIfAbsent(String key, byte[] data, int length) {
      count("put", 1);
      return inner.putIfAbsent(key, data, length);
    }

    @Override
    public boolean putIfAbsent(String key, byte[] data) {
      count("put", 1);
      return inner.putIfAbsent(key, data);
    }

    @Override
    public boolean putIfAbsent(String key, Path file) {
      count("put", 1);
      return inner.putIfAbsent(key, file);
    }

    @Override
    public boolean delete(String key) {
      count("delete", 1);
      return inner.delete(key);
    }

    @Override
    public java.util.Optional<java.time.Instant> lockedUntil(String key) {
      count("get-lock", 1);
      return inner.lockedUntil(key);
    }

    @Override
    public boolean lockUntil(String key, java.time.Instant until) {
      count("put-lock", 1);
      return inner.lockUntil(key, until);
    }
  }

  static void generate(BlobStore store, Path dir, int n) throws Exception {
    // The repository is closed at once, the store it was given is not: it is written on below.
    BlobStore kept = new ForwardingStore(store) {
      @Override
      public void close() {}
    };
    Repository.init(kept, "bench".toCharArray(), Repository.InitSettings.DEFAULT,
        new RepositoryOptions(dir.resolve("cache"), Clock.systemUTC(), new KdfParams(1024, 1, 1), 3, "bench", "bench"))
        .close();
    Random rnd = new Random(1);
    List<IndexEntry> segment = new ArrayList<>();
    byte[] ct = new byte[40];
    int perPack = 10_000;
    List<Id> all = new ArrayList<>(n);
    for (int start = 0; start < n; start += perPack) {
      Packer p = new Packer(BlobType.DATA, store);
      for (int i = start; i < Math.min(n, start + perPack); i++) {
        byte[] b = new byte[32];
        rnd.nextBytes(b);
        Id id = Id.of(b);
        all.add(id);
        rnd.nextBytes(ct);
        p.add(id, ct, 0);
      }
      Packer.Finished f = p.finish();
      f.putTo(store);
      for (PackEntry e : f.entries()) {
        segment.add(new IndexEntry(e.id(), e.type(), f.id(), e.offset(), e.length()));
      }
      if (segment.size() >= 500_000) {
        byte[] seg = IndexSegment.encode(segment);
        store.putIfAbsent(StoreKeys.index(Id.of(io.cairn.crypto.Sha256.digest(seg))), seg);
        segment.clear();
      }
    }
    if (!segment.isEmpty()) {
      byte[] seg = IndexSegment.encode(segment);
      store.putIfAbsent(StoreKeys.index(Id.of(io.cairn.crypto.Sha256.digest(seg))), seg);
    }
    SnapshotSummary sum = new SnapshotSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    for (int s = 0; s < 3; s++) {
      List<Id> refs = all.subList(s * (n / 10), s * (n / 10) + (int) (n * 0.7));
      SnapshotEnvelope env = new SnapshotEnvelope(Instant.now().minus(Duration.ofDays(3 - s)), "bench", List.of(),
          null, "0123456789abcdef0123456789abcdef", null, false, "bench", sum);
      byte[] data = SnapshotCodec.encode(env.toJsonBytes(), new byte[28], refs);
      store.putIfAbsent(StoreKeys.snapshot(Id.of(io.cairn.crypto.Sha256.digest(data))), data);
    }
  }

  static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
