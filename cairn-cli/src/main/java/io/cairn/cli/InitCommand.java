package io.cairn.cli;

import io.cairn.text.Units;
import io.cairn.repository.Repository;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "init", mixinStandardHelpOptions = true, description = "Create a new repository.")
final class InitCommand extends RepoCommand {
  @Option(names = "--chunk-min", paramLabel = "SIZE", description = "Smallest chunk (default 512KiB).")
  String chunkMin = "512KiB";

  @Option(names = "--chunk-avg", paramLabel = "SIZE", description = "Average chunk, a power of two (default 1MiB).")
  String chunkAvg = "1MiB";

  @Option(names = "--chunk-max", paramLabel = "SIZE", description = "Largest chunk (default 8MiB).")
  String chunkMax = "8MiB";

  @Option(names = "--pack-size", paramLabel = "SIZE", description = "Target pack size (default 16MiB).")
  String packSize = "16MiB";

  @Override
  public Integer call() {
    Repository.InitSettings s = new Repository.InitSettings((int) Units.parseSize(chunkMin),
        (int) Units.parseSize(chunkAvg), (int) Units.parseSize(chunkMax), (int) Units.parseSize(packSize));
    io.cairn.format.RepositoryConfig.checkChunkSizes(s.chunkMin(), s.chunkAvg(), s.chunkMax());
    char[] pw = password("enter password for the new repository");
    try (Repository r = Repository.init(store(), pw, s, options())) {
      if (json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.config().id().hex());
        m.put("location", r.store().location());
        printJson(m);
      } else {
        out().println("created repository " + r.config().id().shortHex() + " at " + r.store().location());
        out().println("Keep the password safe: without it the data cannot be read by anyone.");
      }
    }
    return ExitCodes.OK;
  }
}
