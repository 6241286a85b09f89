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
import io.cairn.store.FileSystemStore;
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
 *     io.cairn.bench.MaintenanceMemory /tmp/mm 1000000 prune</pre>
 */
public final class MaintenanceMemory {
  private MaintenanceMemory() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    String what = args.length > 2 ? args[2] : "prune";
    Path repoDir = dir.resolve("repo-" + n);
    FileSystemStore store = new FileSystemStore(repoDir);
    if (!Files.exists(repoDir.resolve("config"))) {
      long t = System.nanoTime();
      generate(store, dir, n);
      System.out.printf("generated %d blobs in %.1f s%n", n, (System.nanoTime() - t) / 1e9);
    }
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
  }

  static void generate(FileSystemStore store, Path dir, int n) throws Exception {
    Repository.init(store, "bench".toCharArray(), Repository.InitSettings.DEFAULT,
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
