package io.cairn.server;

import io.cairn.text.Units;
import io.cairn.format.BlobType;
import io.cairn.format.CairnException;
import io.cairn.format.KeyFile;
import io.cairn.format.PackFormat;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.SessionMarker;
import io.cairn.format.SnapshotCodec;
import io.cairn.repository.PackHeader;
import io.cairn.server.Principal.Agent;
import io.cairn.server.Principal.Scope;
import io.cairn.store.BlobStore;
import io.cairn.store.Handle;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreKeys;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The object API agents use as their repository's store, with each scope's rules
 * (docs/security.md, "Agent scopes"): nothing is ever replaced; only the server deletes, except
 * that an agent ends (deletes) the write-session markers it created itself; a write-only agent
 * reads what a backup needs (config, keys, index, snapshot envelopes, tree packs) and no file
 * contents. Every object is checked before it is stored, so a hostile agent cannot plant bytes
 * the server's own keyless maintenance would choke on.
 */
public final class ObjectService {
  private final Database db;
  private final Repositories repos;
  private final Metering metering;
  private final ObjectLocks locks;
  private final long maxObjectBytes;
  /** What a write-only agent may read of a pack: all of it (trees only) or its header from an offset. */
  private record PackAccess(boolean treesOnly, long headerStart) {}

  private final Map<String, PackAccess> packAccess = java.util.Collections.synchronizedMap(
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PackAccess> e) {
          return size() > 100_000;
        }
      });

  ObjectService(Database db, Repositories repos, Metering metering, ObjectLocks locks, long maxObjectBytes) {
    this.db = db;
    this.repos = repos;
    this.metering = metering;
    this.locks = locks;
    this.maxObjectBytes = maxObjectBytes;
  }

  /** The result of a write: whether it created the object, and a quota warning if any. */
  public record PutResult(boolean created, String warning) {}

  public long maxObjectBytes() {
    return maxObjectBytes;
  }

  public List<StoreEntry> list(Agent a, String prefix) {
    String p = prefix == null ? "" : prefix;
    if (p.equals(StoreKeys.CONFIG)) {
      throw ApiException.badRequest("'config' is one object, not a prefix: use HEAD or GET on it");
    }
    if (!p.isEmpty()) {
      try {
        StoreKeys.checkPrefix(p);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("invalid prefix '" + abbreviate(p) + "'");
      }
    }
    if (!p.isEmpty() && !Repositories.PREFIXES.contains(p) && !isDataSubdir(p)) {
      throw ApiException.badRequest("list the whole repository (no prefix) or one of " + Repositories.PREFIXES
          + ", not '" + abbreviate(p) + "'");
    }
    return store(a).list(p);
  }

  private static boolean isDataSubdir(String p) {
    return p.matches("data/[0-9a-f]{2}/");
  }

  public Optional<Long> size(Agent a, String key) {
    checkKey(key);
    return store(a).size(key);
  }

  /** The whole object (length < 0) or a range of it. */
  public byte[] read(Agent a, String key, long offset, int length) {
    checkKey(key);
    checkReadable(a, key, offset, length);
    BlobStore s = store(a);
    return length < 0 ? s.get(key) : s.getRange(key, offset, length);
  }

  private void checkReadable(Agent a, String key, long offset, int length) {
    if (a.scope() != Scope.WRITE_ONLY || Handle.kindOf(key).orElse(null) != Handle.Kind.PACK) {
      return;
    }
    String cacheKey = a.repositoryId() + ":" + key;
    PackAccess access = packAccess.get(cacheKey);
    if (access == null) {
      access = packAccess(store(a), key);
      packAccess.put(cacheKey, access);
    }
    // The header (blob ids, types, lengths) is what the server itself reads without a key; a
    // resumed backup needs it to reuse packs it uploaded before it was interrupted.
    boolean headerOnly = length >= 0 && offset >= access.headerStart();
    if (!access.treesOnly() && !headerOnly) {
      throw ApiException.forbidden("this agent's credential is write-only: it may add backups but not read "
          + "file contents; restore with a credential of scope 'restore'");
    }
  }

  private static PackAccess packAccess(BlobStore s, String key) {
    long size = s.size(key).orElseThrow(() -> ApiException.notFound("object " + key));
    PackHeader header = PackHeader.read(s, key, size);
    return new PackAccess(header.entries().stream().allMatch(e -> e.type() == BlobType.TREE), header.start());
  }

  /** An agent's write, admitted before its body is read: who writes which object, under which quotas. */
  public record Admission(Agent agent, Handle object, Long softQuota, Long hardQuota) {}

  /**
   * Checks that the agent may write the object at all (scope, suspension, a key an agent may
   * write), before its body is received.
   */
  public Admission admit(Agent a, String key) {
    checkKey(key);
    if (a.scope() == Scope.RESTORE) {
      throw ApiException.forbidden("this agent's credential has scope 'restore': it may read, not write");
    }
    // One query on every upload: the tenant's state and whether the server ended this agent's session.
    Map<String, Object> t = db.jdbi().withHandle(hd -> hd.createQuery("SELECT suspended, soft_quota_bytes AS soft, "
        + "hard_quota_bytes AS hard, (SELECT MAX(expired_at) FROM expired_sessions WHERE repository_id = ? AND "
        + "agent_id = ?) AS sessionEnded FROM tenants WHERE id = ?").bind(0, a.repositoryId()).bind(1, a.id())
        .bind(2, a.tenantId()).mapToMap().one());
    if (((Number) t.get("suspended")).intValue() != 0) {
      throw ApiException.forbidden("this tenant is suspended: backups are refused until the provider resumes it; "
          + "restores still work");
    }
    Handle object = writable(key);
    // A session marker starts a new session, which ends the refusal (see store).
    if (t.get("sessionEnded") != null && object.kind() != Handle.Kind.SESSION) {
      throw new ApiException(409, "session_expired", "the server ended this machine's write session at "
          + t.get("sessionEnded") + " because it had made no request for a long time, so that garbage collection "
          + "could go on; nothing of that backup was committed. Run the backup again: a new run starts a new session");
    }
    return new Admission(a, object, Accounts.asLong(t.get("soft")), Accounts.asLong(t.get("hard")));
  }

  /** Whether the object's body goes to a spool file rather than memory: packs, the bulk of every backup. */
  public static boolean spooled(Admission w) {
    return w.object().kind() == Handle.Kind.PACK;
  }

  /** A new spool file for a pack's body, where its repository's store can take it from (a link on a directory). */
  public java.nio.file.Path spoolFile(Admission w) throws java.io.IOException {
    return repos.get(w.agent().repositoryId()).store().createSpoolFile();
  }

  /** Stores an object held in memory, after checking it is what its key says. */
  public PutResult put(Admission w, byte[] data) {
    SnapshotCodec.Decoded snapshot = validate(w.object(), data);
    return store(w, data.length, snapshot, s -> s.putIfAbsent(w.object().key(), data));
  }

  /**
   * Stores a pack received into {@code spool} (from {@link #spoolFile}): checked by the SHA-256
   * taken as it arrived and by its header read from the file, stored by link or stream, never
   * held in the heap. The store consumes the file when it gets that far; the caller removes it
   * otherwise.
   */
  public PutResult put(Admission w, java.nio.file.Path spool, long length, byte[] sha256) throws java.io.IOException {
    String key = w.object().key();
    checkName(w.object(), sha256);
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(spool)) {
      PackFormat.parse(ch, length, key);
    } catch (CairnException | IllegalArgumentException e) {
      throw new ApiException(422, "invalid_object", "refused " + key + ": " + e.getMessage());
    }
    return store(w, length, null, s -> s.putIfAbsent(key, spool));
  }

  private PutResult store(Admission w, long length, SnapshotCodec.Decoded snapshot,
      java.util.function.Predicate<BlobStore> write) {
    Agent a = w.agent();
    Handle object = w.object();
    String key = object.key();
    RepoHandle h = repos.get(a.repositoryId());
    String warning = checkQuota(a.tenantId(), w.softQuota(), w.hardQuota(), object, length,
        () -> h.store().size(key).isPresent());
    boolean created = write.test(h.store());
    if (created && object.kind() == Handle.Kind.SESSION) {
      db.jdbi().useTransaction(hd -> {
        hd.createUpdate("INSERT OR REPLACE INTO session_owners (repository_id, object_key, agent_id) VALUES (?, ?, ?)")
            .bind(0, h.id()).bind(1, key).bind(2, a.id()).execute();
        // A new session starts clean: what the server ended before no longer holds this machine back.
        hd.createUpdate("DELETE FROM expired_sessions WHERE repository_id = ? AND agent_id = ?").bind(0, h.id())
            .bind(1, a.id()).execute();
      });
    }
    if (created && snapshot != null) {
      repos.recordSnapshot(h, object.id().hex(), snapshot.envelope(), a.id());
      metering.snapshotCreated(a.tenantId());
      locks.snapshotStored(h, object.id());
    }
    return new PutResult(created, warning);
  }

  /**
   * Null when within quota, a warning over the soft quota; throws over the hard quota. An object
   * that is already stored costs nothing more, so a retried upload is never refused for quota;
   * whether it is ({@code stored}, a lookup in the store) is asked only when a quota would be
   * crossed, not on every upload.
   */
  private String checkQuota(long tenantId, Long soft, Long hard, Handle object, long length,
      java.util.function.BooleanSupplier stored) {
    long used = repos.tenantPhysicalBytes(tenantId);
    boolean overHard = hard != null && used + length > hard;
    boolean overSoft = soft != null && used + length > soft;
    if (!overHard && !overSoft || stored.getAsBoolean()) {
      return null;
    }
    // Ending a session must always be possible, or a refused backup could not clean up.
    if (overHard && object.kind() != Handle.Kind.SESSION) {
      throw new ApiException(507, "quota_exceeded", "the tenant's storage quota is full (" + Units.bytes(used) + " of "
          + Units.bytes(hard) + " used); nothing already stored was lost. Ask the provider for a larger quota, or let "
          + "retention remove old snapshots");
    }
    if (overSoft) {
      return "the tenant is over its soft storage quota of " + Units.bytes(soft) + "; ask the provider for more, or let "
          + "retention remove old snapshots";
    }
    return null;
  }

  public boolean delete(Agent a, String key) {
    checkKey(key);
    if (Handle.kindOf(key).orElse(null) != Handle.Kind.SESSION || a.scope() == Scope.RESTORE) {
      throw ApiException.forbidden("agents may not delete repository objects: retention and garbage collection "
          + "are run by the server");
    }
    RepoHandle h = repos.get(a.repositoryId());
    Optional<Long> owner = db.jdbi().withHandle(hd -> hd.createQuery("SELECT agent_id FROM session_owners WHERE "
        + "repository_id = ? AND object_key = ?").bind(0, h.id()).bind(1, key).mapTo(Long.class).findOne());
    if (owner.isEmpty() || owner.get() != a.id()) {
      if (h.store().size(key).isEmpty()) {
        return false;
      }
      throw ApiException.forbidden("an agent may only end the write sessions it started itself");
    }
    boolean removed = h.store().delete(key);
    db.jdbi().useHandle(hd -> hd.createUpdate("DELETE FROM session_owners WHERE repository_id = ? AND object_key = ?")
        .bind(0, h.id()).bind(1, key).execute());
    return removed;
  }

  /**
   * The handle of an object an agent writes, parsed once here: agents write config, key files,
   * packs, index segments, snapshots and session markers, each under its one exact key form
   * (anything else would hide it from maintenance), and never condemned lists or locks.
   */
  private static Handle writable(String key) {
    Handle.Kind kind = Handle.kindOf(key).orElseThrow(() -> ApiException.forbidden("agents may not write '" + key
        + "'; only config, keys/, data/, index/, snapshots/ and sessions/ are theirs"));
    if (kind == Handle.Kind.CONDEMNED || kind == Handle.Kind.LOCK) {
      throw ApiException.forbidden("garbage collection is run by the server; agents may not write "
          + (kind == Handle.Kind.LOCK ? "maintenance locks" : "condemned lists"));
    }
    return Handle.parse(key).orElseThrow(() -> {
      String tail = key.substring(key.lastIndexOf('/') + 1);
      if (!io.cairn.format.Id.isHex(tail)) {
        return new ApiException(422, "invalid_object", "refused " + key + ": key '" + key + "' does not end in an id");
      }
      return ApiException.badRequest("'" + key + "' is not a valid name for this kind of object; expected "
          + Handle.of(kind, io.cairn.format.Id.parse(tail)).key());
    });
  }

  /**
   * Checks that an object is what its handle says it is, without a key to the repository; a
   * snapshot comes back decoded (its envelope is recorded), anything else as null.
   */
  SnapshotCodec.Decoded validate(Handle object, byte[] data) {
    String key = object.key();
    if (object.kind().contentAddressed()) {
      checkName(object, io.cairn.crypto.Sha256.digest(data));
    }
    try {
      switch (object.kind()) {
        case CONFIG -> {
          RepositoryConfig c = RepositoryConfig.decode(data, key);
          if (c.packSize() + (1L << 20) > maxObjectBytes) {
            throw ApiException.badRequest("this repository's packs (" + Units.bytes(c.packSize()) + ") would exceed "
                + "the server's object limit of " + Units.bytes(maxObjectBytes) + "; initialise it with a smaller pack size");
          }
        }
        case KEY -> KeyFile.decode(data, key);
        case SESSION -> SessionMarker.decode(data, key);
        // Packs arrive spooled (put with a spool file); one held in memory is checked the same.
        case PACK -> PackFormat.parse(data, key);
        case INDEX -> io.cairn.format.IndexSegment.open(data, key);
        case SNAPSHOT -> {
          return SnapshotCodec.decode(data, key);
        }
        case CONDEMNED, LOCK -> throw ApiException.forbidden("garbage collection is run by the server; agents may "
            + "not write condemned lists or maintenance locks");
      }
    } catch (CairnException | IllegalArgumentException e) {
      throw new ApiException(422, "invalid_object", "refused " + key + ": " + e.getMessage());
    }
    return null;
  }

  /** Refuses an object named by its content (Kind#contentAddressed) whose SHA-256 is not its name. */
  private static void checkName(Handle object, byte[] sha256) {
    if (!io.cairn.format.Id.of(sha256).equals(object.id())) {
      throw ApiException.badRequest("the SHA-256 of the body does not match the object's name " + object.key()
          + " (damaged in transit?)");
    }
  }

  private BlobStore store(Agent a) {
    return repos.get(a.repositoryId()).store();
  }

  static void checkKey(String key) {
    if (!StoreKeys.isValid(key)) {
      throw ApiException.badRequest("invalid object key '" + abbreviate(key) + "'");
    }
  }

  static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
  }
}
