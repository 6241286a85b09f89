package io.cairn.cli;

import io.cairn.maintenance.CheckReport;
import io.cairn.maintenance.Checker;
import io.cairn.repository.Repository;
import io.cairn.store.BlobStore;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Verify the repository: framing and checksums of every object, index against packs, "
        + "snapshots against the index, and every snapshot's trees.",
        "--read-data also reads every pack, checks its SHA-256 name and decrypts and verifies every blob.",
        "--no-key checks only what needs no password (what the provider's server can check)."})
final class CheckCommand extends RepoCommand {
  @Option(names = "--read-data", description = "Read and verify all data.")
  boolean readData;

  @Option(names = "--read-data-subset", paramLabel = "N%", description = "Read and verify a random N%% of packs.")
  String subset;

  @Option(names = "--no-key", description = "Check without the password (structure and ciphertext checksums only).")
  boolean noKey;

  @Override
  public Integer call() {
    int percent = readData ? 100 : 0;
    if (subset != null) {
      String s = subset.endsWith("%") ? subset.substring(0, subset.length() - 1) : subset;
      try {
        percent = Integer.parseInt(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--read-data-subset takes a percentage such as 10%, got '" + subset + "'");
      }
    }
    CheckReport r;
    if (noKey) {
      BlobStore store = store();
      r = new Checker(store, null).run(percent, System.nanoTime());
    } else {
      try (Repository repo = open()) {
        r = new Checker(repo.store(), repo).run(percent, System.nanoTime());
      }
    }
    if (json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("clean", r.clean());
      m.put("report", r);
      printJson(m);
    } else {
      for (String n : r.notices()) {
        err().println("notice: " + n);
      }
      for (String e : r.errors()) {
        err().println("error: " + e);
      }
      out().printf("checked %d packs (%d blobs), %d index segments, %d snapshots, %d trees%s%n", r.packs(), r.blobs(),
          r.indexSegments(), r.snapshots(), r.trees(), r.blobsRead() > 0 ? ", read " + r.blobsRead() + " blobs" : "");
      out().println(r.clean() ? "no errors were found" : r.errors().size() + " errors found: the repository is damaged");
    }
    return r.clean() ? ExitCodes.OK : ExitCodes.ERROR;
  }
}
