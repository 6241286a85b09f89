package io.cairn.server;

import io.cairn.format.CairnException;
import io.cairn.format.Id;
import io.cairn.format.SnapshotCodec;
import io.cairn.format.SnapshotEnvelope;
import io.cairn.repository.ContentAddressed;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreKeys;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tenants' repositories on this server: each a plain Cairn repository, in {@code
 * DATA/repos/TENANT/REPOSITORY} or in a bucket ({@link Placement}), that {@code cairn -r
 * LOCATION} can read without the server. Keeps the
 * snapshot table (what the plaintext envelopes say) in step with the store.
 */
public final class Repositories {
  private static final Logger LOG = LoggerFactory.getLogger(Repositories.class);
  /** Every prefix under which a repository keeps objects. */
  static final List<String> PREFIXES = java.util.Arrays.stream(io.cairn.store.Handle.Kind.values())
      .map(io.cairn.store.Handle.Kind::prefix).toList();

  private final Database db;
  private final Placement placement;
  private final Clock clock;
  private final Map<Long, RepoHandle> byId = new ConcurrentHashMap<>();

  public Repositories(Database db, Path dataDir, ServerConfig.Storage storage, Clock clock,
      java.util.function.UnaryOperator<io.cairn.store.BlobStore> faults) {
    this.db = db;
    this.placement = new Placement(dataDir, storage, faults);
    this.clock = clock;
  }

  /** Where repositories are kept, for the tenants' repository pages and the capacity view. */
  Placement placement() {
    return placement;
  }

  /** Opens every repository and recounts its bytes and snapshots from what is on disk. */
  public void openAll() {
    placement.clearSpool();
    List<Map<String, Object>> rows = db.jdbi().withHandle(h -> h.createQuery(
        "SELECT r.id, r.tenant_id, t.slug, r.name, r.physical_bytes FROM repositories r "
            + "JOIN tenants t ON t.id = r.tenant_id").mapToMap().list());
    for (Map<String, Object> r : rows) {
      RepoHandle h = open(((Number) r.get("id")).longValue(), ((Number) r.get("tenant_id")).longValue(),
          (String) r.get("slug"), (String) r.get("name"));
      long recorded = ((Number) r.get("physical_bytes")).longValue();
      if (recorded != h.physicalBytes()) {
        LOG.info("repository {}: {} bytes on disk, {} recorded before the last stop; using what is on disk",
            h.label(), h.physicalBytes(), recorded);
      }
    }
  }

  RepoHandle open(long id, long tenantId, String tenantSlug, String name) {
    MeteredStore store = new MeteredStore(placement.open(tenantSlug, name));
    RepoHandle h = new RepoHandle(id, tenantId, tenantSlug, name, store);
    store.attach(h);
    recount(h);
    syncSnapshots(h);
    byId.put(id, h);
    return h;
  }

  public RepoHandle get(long id) {
    RepoHandle h = byId.get(id);
    if (h == null) {
      throw ApiException.notFound("repository #" + id);
    }
    return h;
  }

  public List<RepoHandle> all() {
    return List.copyOf(byId.values());
  }

  /** Sets the live counts to the sum of the object sizes on disk. */
  public void recount(RepoHandle h) {
    long bytes = 0;
    long n = 0;
    for (String prefix : PREFIXES) {
      for (StoreEntry e : listOrEmpty(h, prefix)) {
        bytes += e.size();
        n++;
      }
    }
    h.physicalBytes.set(bytes);
    h.objects.set(n);
  }

  private static List<StoreEntry> listOrEmpty(RepoHandle h, String prefix) {
    if (prefix.equals(StoreKeys.CONFIG)) {
      return h.store().size(StoreKeys.CONFIG).map(s -> List.of(new StoreEntry(StoreKeys.CONFIG, s)))
          .orElse(List.of());
    }
    return h.store().list(prefix);
  }

  /** Adds rows for snapshots found in the store and removes rows of snapshots no longer there. */
  public void syncSnapshots(RepoHandle h) {
    Set<String> known = new HashSet<>(db.jdbi().withHandle(hd -> hd.createQuery(
        "SELECT snapshot_id FROM snapshots WHERE repository_id = ?").bind(0, h.id()).mapTo(String.class).list()));
    Set<String> present = new HashSet<>();
    for (StoreKeys.Named e : StoreKeys.listNamed(h.store(), StoreKeys.SNAPSHOTS)) {
      String id = e.id().hex();
      present.add(id);
      if (!known.contains(id)) {
        try {
          SnapshotCodec.Decoded d = ContentAddressed.snapshot(h.store(), Id.parse(id));
          recordSnapshot(h, id, d.envelope(), null);
        } catch (CairnException ex) {
          LOG.warn("repository {}: snapshot {} cannot be read without a key: {}", h.label(), id, ex.getMessage());
        }
      }
    }
    for (String id : known) {
      if (!present.contains(id)) {
        forgetSnapshotRow(h, id);
      }
    }
  }

  void recordSnapshot(RepoHandle h, String id, SnapshotEnvelope e, Long agentId) {
    db.jdbi().useHandle(hd -> hd.createUpdate("INSERT OR IGNORE INTO snapshots (repository_id, snapshot_id, time, "
        + "host, tags, logical_bytes, new_logical_bytes, new_stored_bytes, files, errors, locked_until, agent_id, "
        + "stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(0, h.id()).bind(1, id).bind(2, e.time().toString()).bind(3, e.host())
        .bind(4, String.join(",", e.tags())).bind(5, e.summary().logicalBytes())
        .bind(6, e.summary().newLogicalBytes()).bind(7, e.summary().newStoredBytes())
        .bind(8, e.summary().files()).bind(9, e.summary().errors())
        .bind(10, e.lockedUntil() == null ? null : e.lockedUntil().toString()).bind(11, agentId)
        .bind(12, clock.instant().toString()).execute());
  }

  void forgetSnapshotRow(RepoHandle h, String id) {
    db.jdbi().useHandle(hd -> hd.createUpdate("DELETE FROM snapshots WHERE repository_id = ? AND snapshot_id = ?")
        .bind(0, h.id()).bind(1, id).execute());
  }

  /** Physical bytes of all repositories of a tenant, as counted live. */
  public long tenantPhysicalBytes(long tenantId) {
    long sum = 0;
    for (RepoHandle h : byId.values()) {
      if (h.tenantId() == tenantId) {
        sum += h.physicalBytes();
      }
    }
    return sum;
  }

  public void close() {
    byId.values().forEach(h -> h.store().close());
    placement.close();
  }
}
