package io.cairn.cli;

import io.cairn.format.Node;
import io.cairn.format.NodeKind;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ls", mixinStandardHelpOptions = true, description = "List files in a snapshot.")
final class LsCommand extends RepoCommand {
  @Parameters(index = "0", paramLabel = "SNAPSHOT[:PATH]", description = "Snapshot id, prefix, or 'latest'; optional path inside it.")
  String ref;

  @Option(names = {"-l", "--long"}, description = "Show mode, owner, size and time.")
  boolean longFormat;

  @Option(names = "--no-recursive", description = "List only the given directory.")
  boolean noRecursive;

  @Override
  public Integer call() {
    SnapshotPath sp = SnapshotPath.parse(ref);
    try (Repository repo = open()) {
      Snapshot s = repo.findSnapshot(sp.snapshot(), null);
      String[] prefix = new String[1];
      List<Node> nodes = TreeWalker.at(repo, s.content().tree(), sp.path(), prefix);
      TreeWalker.walk(repo, prefix[0], nodes, !noRecursive, (path, n) -> {
        if (json()) {
          printJson(nodeJson(path, n));
        } else if (longFormat) {
          out().printf("%s %-8s %-8s %12d %s %s%s%n", modeString(n), n.user().isEmpty() ? n.uid() : n.user(),
              n.group().isEmpty() ? n.gid() : n.group(), n.size(),
              SnapshotsCommand.TIME.format(Instant.ofEpochSecond(n.mtimeSeconds(), n.mtimeNanos())), path,
              n.kind() == NodeKind.SYMLINK ? " -> " + new String(n.linkTarget(), java.nio.charset.StandardCharsets.UTF_8) : "");
        } else {
          out().println(path);
        }
      });
    }
    return ExitCodes.OK;
  }

  static Map<String, Object> nodeJson(String path, Node n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", path);
    m.put("name", n.displayName());
    m.put("type", n.kind().name().toLowerCase(java.util.Locale.ROOT));
    m.put("mode", Integer.toOctalString(n.mode()));
    m.put("uid", n.uid());
    m.put("gid", n.gid());
    m.put("user", n.user());
    m.put("group", n.group());
    m.put("size", n.size());
    m.put("mtime", Instant.ofEpochSecond(n.mtimeSeconds(), n.mtimeNanos()).toString());
    if (n.kind() == NodeKind.SYMLINK) {
      m.put("link_target", new String(n.linkTarget(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return m;
  }

  static String modeString(Node n) {
    char t = switch (n.kind()) {
      case DIRECTORY -> 'd';
      case SYMLINK -> 'l';
      case FIFO -> 'p';
      case CHAR_DEVICE -> 'c';
      case BLOCK_DEVICE -> 'b';
      case SOCKET -> 's';
      case FILE -> '-';
    };
    int m = n.mode();
    StringBuilder b = new StringBuilder().append(t);
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      b.append((m & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
    }
    if ((m & 04000) != 0) b.setCharAt(3, (m & 0100) != 0 ? 's' : 'S');
    if ((m & 02000) != 0) b.setCharAt(6, (m & 010) != 0 ? 's' : 'S');
    if ((m & 01000) != 0) b.setCharAt(9, (m & 01) != 0 ? 't' : 'T');
    return b.toString();
  }
}
