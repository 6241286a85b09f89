package io.cairn.cli;

import io.cairn.format.CairnException;
import io.cairn.format.Node;
import io.cairn.format.NodeKind;
import io.cairn.repository.Repository;
import java.util.Arrays;
import java.util.List;
import java.nio.charset.StandardCharsets;

/** Visits the nodes of a snapshot tree depth-first with their paths. */
final class TreeWalker {
  interface Visitor {
    void visit(String path, Node node);
  }

  private TreeWalker() {}

  /** The nodes at {@code path} ("/" for the root) — the directory's children, or one file. */
  static List<Node> at(Repository repo, io.cairn.format.Id root, String path, String[] prefixOut) {
    List<Node> nodes = repo.loadTree(root);
    StringBuilder prefix = new StringBuilder();
    for (String comp : path.split("/")) {
      if (comp.isEmpty()) {
        continue;
      }
      byte[] want = comp.getBytes(StandardCharsets.UTF_8);
      Node n = nodes.stream().filter(x -> Arrays.equals(x.name(), want)).findFirst()
          .orElseThrow(() -> new CairnException("'" + path + "' is not in the snapshot"));
      prefix.append('/').append(comp);
      if (n.kind() != NodeKind.DIRECTORY) {
        prefixOut[0] = prefix.substring(0, prefix.length() - comp.length() - 1);
        return List.of(n);
      }
      nodes = repo.loadTree(n.subtree());
    }
    prefixOut[0] = prefix.toString();
    return nodes;
  }

  static void walk(Repository repo, String prefix, List<Node> nodes, boolean recursive, Visitor v) {
    for (Node n : nodes) {
      String p = prefix + "/" + n.displayName();
      v.visit(p, n);
      if (recursive && n.kind() == NodeKind.DIRECTORY) {
        walk(repo, p, repo.loadTree(n.subtree()), true, v);
      }
    }
  }
}
