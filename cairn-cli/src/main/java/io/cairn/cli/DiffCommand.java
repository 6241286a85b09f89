package io.cairn.cli;

import io.cairn.text.Units;
import io.cairn.format.Id;
import io.cairn.format.Node;
import io.cairn.format.NodeKind;
import io.cairn.repository.Repository;
import io.cairn.repository.Snapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "diff", mixinStandardHelpOptions = true,
    description = {"Show what changed between two snapshots.",
        "+ added, - removed, M contents modified, T type changed, U metadata only."})
final class DiffCommand extends RepoCommand {
  @Parameters(index = "0", paramLabel = "FROM") String from;
  @Parameters(index = "1", paramLabel = "TO") String to;

  private final Map<String, Long> counts = new TreeMap<>();
  private final List<Map<String, String>> changes = new ArrayList<>();
  private long addedBytes;
  private long removedBytes;

  @Override
  public Integer call() {
    try (Repository repo = open()) {
      Snapshot a = repo.findSnapshot(from, null);
      Snapshot b = repo.findSnapshot(to, null);
      compare(repo, "", a.content().tree(), b.content().tree());
      if (json()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", a.id().hex());
        m.put("to", b.id().hex());
        m.put("changes", changes);
        m.put("counts", counts);
        m.put("added_bytes", addedBytes);
        m.put("removed_bytes", removedBytes);
        printJson(m);
      } else {
        out().printf("%nadded %d, removed %d, modified %d, type changed %d, metadata changed %d%n",
            counts.getOrDefault("+", 0L), counts.getOrDefault("-", 0L), counts.getOrDefault("M", 0L),
            counts.getOrDefault("T", 0L), counts.getOrDefault("U", 0L));
        out().printf("file bytes added %s, removed %s%n", Units.bytes(addedBytes), Units.bytes(removedBytes));
      }
    }
    return ExitCodes.OK;
  }

  private void compare(Repository repo, String prefix, Id ta, Id tb) {
    if (Objects.equals(ta, tb)) {
      return;
    }
    Map<String, Node> left = byName(ta == null ? List.of() : repo.loadTree(ta));
    Map<String, Node> right = byName(tb == null ? List.of() : repo.loadTree(tb));
    java.util.TreeSet<String> names = new java.util.TreeSet<>(left.keySet());
    names.addAll(right.keySet());
    for (String name : names) {
      Node l = left.get(name);
      Node r = right.get(name);
      String path = prefix + "/" + (l != null ? l.displayName() : r.displayName());
      if (l == null) {
        emit("+", path, r);
        addedBytes += r.size();
        if (r.kind() == NodeKind.DIRECTORY) {
          compare(repo, path, null, r.subtree());
        }
      } else if (r == null) {
        emit("-", path, l);
        removedBytes += l.size();
        if (l.kind() == NodeKind.DIRECTORY) {
          compare(repo, path, l.subtree(), null);
        }
      } else if (l.kind() != r.kind()) {
        emit("T", path, r);
      } else if (l.kind() == NodeKind.DIRECTORY) {
        if (!sameMeta(l, r)) {
          emit("U", path, r);
        }
        compare(repo, path, l.subtree(), r.subtree());
      } else if (!l.content().equals(r.content()) || !Arrays.equals(l.linkTarget(), r.linkTarget())) {
        emit("M", path, r);
        addedBytes += Math.max(0, r.size() - l.size());
        removedBytes += Math.max(0, l.size() - r.size());
      } else if (!sameMeta(l, r)) {
        emit("U", path, r);
      }
    }
  }

  private static boolean sameMeta(Node a, Node b) {
    return a.mode() == b.mode() && a.uid() == b.uid() && a.gid() == b.gid()
        && a.mtimeSeconds() == b.mtimeSeconds() && a.mtimeNanos() == b.mtimeNanos();
  }

  private void emit(String kind, String path, Node n) {
    counts.merge(kind, 1L, Long::sum);
    String p = n.kind() == NodeKind.DIRECTORY ? path + "/" : path;
    if (json()) {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("change", kind);
      m.put("path", p);
      changes.add(m);
    } else {
      out().println(kind + "    " + p);
    }
  }

  private static Map<String, Node> byName(List<Node> nodes) {
    Map<String, Node> m = new LinkedHashMap<>();
    for (Node n : nodes) {
      m.put(new String(n.name(), java.nio.charset.StandardCharsets.ISO_8859_1), n);
    }
    return m;
  }
}
