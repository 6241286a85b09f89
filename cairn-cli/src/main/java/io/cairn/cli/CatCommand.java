package io.cairn.cli;

import io.cairn.format.BlobType;
import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.IndexSegment;
import io.cairn.format.KeyFile;
import io.cairn.format.Node;
import io.cairn.format.PackEntry;
import io.cairn.format.PackFormat;
import io.cairn.repository.Repository;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreKeys;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "cat", mixinStandardHelpOptions = true,
    description = {"Print a repository object, decoded, as JSON (blob: raw bytes).",
        "TYPE is one of: config, keys, key, snapshot, index, pack, tree, blob."})
final class CatCommand extends RepoCommand {
  @Parameters(index = "0", paramLabel = "TYPE") String type;
  @Parameters(index = "1", arity = "0..1", paramLabel = "ID") String id;

  @Override
  public Integer call() throws Exception {
    try (Repository repo = open()) {
      switch (type) {
        case "config" -> {
          var c = repo.config();
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("repositoryVersion", c.version());
          m.put("id", c.id().hex());
          m.put("created", c.created().toString());
          m.put("chunkMin", c.chunkMin());
          m.put("chunkAvg", c.chunkAvg());
          m.put("chunkMax", c.chunkMax());
          m.put("packSize", c.packSize());
          out().println(io.cairn.format.Json.pretty(m));
        }
        case "keys" -> {
          List<Map<String, Object>> rows = new ArrayList<>();
          for (var k : repo.listKeys()) {
            rows.add(KeyCommand.toJson(k));
          }
          out().println(io.cairn.format.Json.pretty(rows));
        }
        case "key" -> {
          Id k = repo.findKey(need());
          KeyFile kf = KeyFile.decode(repo.store().get(StoreKeys.key(k)), StoreKeys.key(k));
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("kdf", kf.kdf());
          m.put("memoryKiB", kf.memoryKiB());
          m.put("iterations", kf.iterations());
          m.put("parallelism", kf.parallelism());
          m.put("created", kf.created().toString());
          m.put("host", kf.host());
          m.put("username", kf.username());
          out().println(io.cairn.format.Json.pretty(m));
        }
        case "snapshot" -> {
          var s = repo.findSnapshot(need(), null);
          Map<String, Object> m = SnapshotsCommand.toJson(s);
          m.put("referenced_blobs", s.refCount());
          out().println(io.cairn.format.Json.pretty(m));
        }
        case "index" -> {
          Id i = resolve(repo, StoreKeys.INDEX, need());
          IndexSegment seg = IndexSegment.open(repo.store().get(StoreKeys.index(i)), StoreKeys.index(i));
          List<Map<String, Object>> rows = new ArrayList<>();
          for (Iterator<IndexEntry> it = seg.iterator(); it.hasNext(); ) {
            IndexEntry e = it.next();
            rows.add(entry(e.blob(), e.type(), e.offset(), e.length(), e.pack()));
          }
          out().println(io.cairn.format.Json.pretty(rows));
        }
        case "pack" -> {
          Id p = resolve(repo, StoreKeys.DATA, need());
          byte[] data = repo.store().get(StoreKeys.pack(p));
          List<Map<String, Object>> rows = new ArrayList<>();
          for (PackEntry e : PackFormat.parse(data, StoreKeys.pack(p))) {
            rows.add(entry(e.id(), e.type(), e.offset(), e.length(), null));
          }
          out().println(io.cairn.format.Json.pretty(rows));
        }
        case "tree" -> {
          List<Map<String, Object>> rows = new ArrayList<>();
          for (Node n : repo.loadTree(Id.parse(need()))) {
            Map<String, Object> m = LsCommand.nodeJson(n.displayName(), n);
            m.remove("path");
            if (n.subtree() != null) {
              m.put("subtree", n.subtree().hex());
            }
            if (!n.content().isEmpty()) {
              m.put("content", n.content().stream().map(Id::hex).toList());
            }
            rows.add(m);
          }
          out().println(io.cairn.format.Json.pretty(rows));
        }
        case "blob" -> {
          byte[] b = repo.loadBlob(BlobType.DATA, Id.parse(need()));
          out().flush();
          System.out.write(b);
          System.out.flush();
        }
        default -> throw new IllegalArgumentException("unknown TYPE '" + type
            + "'; use config, keys, key, snapshot, index, pack, tree or blob");
      }
    }
    return ExitCodes.OK;
  }

  private String need() {
    if (id == null) {
      throw new IllegalArgumentException("cat " + type + " needs an ID");
    }
    return id;
  }

  private static Id resolve(Repository repo, String prefix, String idPrefix) {
    List<Id> m = new ArrayList<>();
    for (StoreEntry e : repo.store().list(prefix)) {
      String name = e.key().substring(e.key().lastIndexOf('/') + 1);
      if (name.startsWith(idPrefix) && Id.isHex(name)) {
        m.add(Id.parse(name));
      }
    }
    if (m.size() != 1) {
      throw new CairnException(m.isEmpty() ? "no object under " + prefix + " matches '" + idPrefix + "'"
          : "'" + idPrefix + "' is ambiguous");
    }
    return m.getFirst();
  }

  private static Map<String, Object> entry(Id id, BlobType t, long off, int len, Id pack) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id.hex());
    m.put("type", t.name().toLowerCase(java.util.Locale.ROOT));
    m.put("offset", off);
    m.put("length", len);
    if (pack != null) {
      m.put("pack", pack.hex());
    }
    return m;
  }
}
