package io.cairn.repository;

import io.cairn.chunker.Chunker;
import io.cairn.chunker.FastCdc;
import io.cairn.crypto.BlobCipher;
import io.cairn.crypto.KeyWrapper;
import io.cairn.crypto.MasterKey;
import io.cairn.crypto.WrongPasswordException;
import io.cairn.format.BlobType;
import io.cairn.format.CairnException;
import io.cairn.format.CorruptObjectException;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.KeyFile;
import io.cairn.format.Node;
import io.cairn.format.ObjectNotFoundException;
import io.cairn.format.RepositoryConfig;
import io.cairn.format.SnapshotContent;
import io.cairn.format.TreeCodec;
import io.cairn.store.BlobStore;
import io.cairn.store.StoreEntry;
import io.cairn.store.StoreKeys;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An open repository: the engine shared by the CLI and the server. Thread-safe for reading;
 * writes go through {@link WriteSession}s, any number of which may run at once.
 */
public final class Repository implements AutoCloseable {
  static final byte[] SNAPSHOT_AAD = "cairn-snapshot-v1".getBytes(StandardCharsets.US_ASCII);

  private final BlobStore store;
  private final RepositoryConfig config;
  private final MasterKey key;
  private final Id keyId;
  private final RepositoryOptions options;
  private final MasterIndex index;
  private final SnapshotHeadCache snapshotHeads;
  /** Local copies of tree packs, for a remote store; null for one on this machine. */
  private final TreePackCache treePacks;
  private final BlobCodec codec;
  /** Per pack whose copy of a blob failed while another copy served: the first failure and a count. */
  private final java.util.Map<String, DamagedCopy> damagedCopies = new java.util.concurrent.ConcurrentHashMap<>();

  private record DamagedCopy(String firstError, int blobs) {}

  private Repository(BlobStore store, RepositoryConfig config, MasterKey key, Id keyId,
      RepositoryOptions options) {
    this.store = store;
    this.config = config;
    this.key = key;
    this.keyId = keyId;
    this.options = options;
    java.nio.file.Path cache = options.cacheDir().resolve(config.id().hex());
    this.index = new MasterIndex(store, cache.resolve("index"));
    this.snapshotHeads = new SnapshotHeadCache(cache.resolve("snapshots"));
    this.treePacks = store.remote() ? new TreePackCache(store, cache.resolve("trees")) : null;
    this.codec = new BlobCodec(key.cipher(), options.compressionLevel());
  }

  /** Settings chosen at init. */
  public record InitSettings(int chunkMin, int chunkAvg, int chunkMax, int packSize) {
    public static final InitSettings DEFAULT = new InitSettings(512 << 10, 1 << 20, 8 << 20, 16 << 20);
  }

  /**
   * Creates a repository. Writes the key file first and the config last, so a crash leaves
   * either no repository or a complete one (docs/design.md, "Write ordering", rule 4).
   */
  public static Repository init(BlobStore store, char[] password, InitSettings settings,
      RepositoryOptions options) {
    store.init();
    if (store.size(StoreKeys.CONFIG).isPresent()) {
      throw new CairnException("a repository already exists at " + store.location());
    }
    checkPassword(password);
    if (!store.list(StoreKeys.KEYS).isEmpty()) {
      throw new CairnException("an earlier 'cairn init' at " + store.location() + " was interrupted (key files "
          + "exist but no config); remove its keys/ directory or choose another location");
    }
    byte[] rid = new byte[32];
    new SecureRandom().nextBytes(rid);
    RepositoryConfig config = new RepositoryConfig(RepositoryConfig.REPOSITORY_VERSION, Id.of(rid),
        options.clock().instant(), settings.chunkMin(), settings.chunkAvg(), settings.chunkMax(),
        settings.packSize());
    MasterKey master = MasterKey.generate();
    Id keyId = writeKey(store, master, password, options);
    if (!store.putIfAbsent(StoreKeys.CONFIG, config.encode())) {
      throw new CairnException("a repository was created concurrently at " + store.location());
    }
    return new Repository(store, config, master, keyId, options);
  }

  private static void checkPassword(char[] password) {
    if (password == null || password.length == 0) {
      throw new IllegalArgumentException("an empty password is not allowed");
    }
  }

  private static Id writeKey(BlobStore store, MasterKey master, char[] password, RepositoryOptions o) {
    KeyFile kf = KeyWrapper.wrap(master, password, o.kdf(), o.clock().instant(), o.host(), o.username());
    byte[] data = kf.encode();
    Id id = Id.of(io.cairn.crypto.Sha256.digest(data));
    store.putIfAbsent(StoreKeys.key(id), data);
    return id;
  }

  /** Reads the config without any key (for keyless maintenance and for messages). */
  public static RepositoryConfig readConfig(BlobStore store) {
    byte[] data;
    try {
      data = store.get(StoreKeys.CONFIG);
    } catch (ObjectNotFoundException e) {
      throw new RepositoryNotFoundException(store.location());
    }
    return RepositoryConfig.decode(data, StoreKeys.CONFIG);
  }

  /**
   * Opens a repository with a password, trying each key file.
   *
   * @throws WrongPasswordException when no key file opens with it
   */
  public static Repository open(BlobStore store, char[] password, RepositoryOptions options) {
    Repository r = unlock(store, password, options);
    r.index.refresh();
    io.cairn.trace.Trace.mark("open: index loaded");
    return r;
  }

  /**
   * Opens a repository to read its snapshots only: the key, without the index (on a bucket with a
   * cold cache, reading the index means downloading all of it). Blob reads find no blob until
   * {@link #refreshIndex} is called.
   *
   * @throws WrongPasswordException when no key file opens with it
   */
  public static Repository openForSnapshots(BlobStore store, char[] password, RepositoryOptions options) {
    return unlock(store, password, options);
  }

  private static Repository unlock(BlobStore store, char[] password, RepositoryOptions options) {
    io.cairn.trace.Trace.mark("open: reading config");
    RepositoryConfig config = readConfig(store);
    checkPassword(password);
    List<StoreEntry> keys = store.list(StoreKeys.KEYS);
    CorruptObjectException firstCorrupt = null;
    for (StoreEntry e : keys) {
      KeyFile kf;
      try {
        kf = KeyFile.decode(store.get(e.key()), e.key());
      } catch (CorruptObjectException c) {
        if (firstCorrupt == null) {
          firstCorrupt = c;
        }
        continue;
      }
      io.cairn.trace.Trace.mark("open: deriving key");
      MasterKey mk = KeyWrapper.unwrap(kf, password);
      io.cairn.trace.Trace.mark("open: key derived");
      if (mk != null) {
        return new Repository(store, config, mk, StoreKeys.idOf(e.key()), options);
      }
    }
    WrongPasswordException w = new WrongPasswordException("wrong password: none of the "
        + keys.size() + " key file(s) in " + store.location() + " opens with it");
    if (firstCorrupt != null) {
      w.addSuppressed(firstCorrupt);
    }
    throw w;
  }

  public BlobStore store() {
    return store;
  }

  public RepositoryConfig config() {
    return config;
  }

  public RepositoryOptions options() {
    return options;
  }

  public MasterIndex index() {
    return index;
  }

  BlobCodec codec() {
    return codec;
  }

  MasterKey masterKey() {
    return key;
  }

  public Id keyId() {
    return keyId;
  }

  /** The FastCDC chunker with this repository's secret gear table. */
  public Chunker chunker() {
    return new FastCdc(key.gearTable(), config.chunkMin(), config.chunkAvg(), config.chunkMax());
  }

  public Id blobId(byte[] plaintext) {
    return key.idHasher().id(plaintext);
  }

  public Id blobId(byte[] plaintext, int off, int len) {
    return key.idHasher().id(plaintext, off, len);
  }

  /** The id of the bytes between {@code plaintext}'s position and limit. */
  public Id blobId(java.nio.ByteBuffer plaintext) {
    return key.idHasher().id(plaintext);
  }

  /** A keyed tag of the backed-up paths, for grouping snapshots without revealing paths. */
  public String pathsTag(List<String> paths) {
    List<String> sorted = new ArrayList<>(paths);
    sorted.sort(Comparator.naturalOrder());
    return key.tag(String.join("\0", sorted).getBytes(StandardCharsets.UTF_8));
  }

  /** What the condemned lists name: blob ids, and packs condemned as a whole. */
  record Condemned(java.util.Set<Id> blobs, java.util.Set<Id> wholePacks) {}

  /** Reads every condemned list once (at the start of a write session). */
  Condemned condemned() {
    java.util.Set<Id> blobs = new java.util.HashSet<>();
    java.util.Set<Id> packs = new java.util.HashSet<>();
    for (StoreEntry e : store.list(StoreKeys.CONDEMNED)) {
      try {
        for (io.cairn.format.CondemnedList.Pair p : io.cairn.format.CondemnedList.decode(store.get(e.key()), e.key()).pairs()) {
          if (p.blob().equals(io.cairn.format.CondemnedList.WHOLE_PACK)) {
            packs.add(p.pack());
          } else {
            blobs.add(p.blob());
          }
        }
      } catch (ObjectNotFoundException gone) {
        // swept meanwhile
      }
    }
    return new Condemned(blobs, packs);
  }

  /** Re-reads the list of index segments from the store. */
  public void refreshIndex() {
    index.refresh();
  }

  public WriteSession newSession() {
    return new WriteSession(this);
  }

  /**
   * Loads, decrypts, decompresses and verifies a blob.
   *
   * @throws ObjectNotFoundException if the blob is in no index or its pack is missing
   * @throws CorruptObjectException if the bytes fail authentication or do not match the id
   */
  public byte[] loadBlob(BlobType type, Id id) {
    java.nio.ByteBuffer b = loadBlobBuffer(type, id);
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /**
   * As {@link #loadBlob}, with the plaintext between the position and the limit of a read-only
   * direct buffer that belongs to the calling thread and is valid until the thread's next load:
   * the blob is read into that buffer, decrypted where it lies and decompressed into a second
   * one (BlobCodec#openDirect), so a restore moves each byte from pack to file without a copy
   * through the Java heap.
   */
  public java.nio.ByteBuffer loadBlobBuffer(BlobType type, Id id) {
    IndexEntry e = index.lookup(id);
    for (int attempt = 0; ; attempt++) {
      if (e == null) {
        throw new ObjectNotFoundException("blob " + id.hex(), "is in no index; the repository is "
            + "missing data (run 'cairn check')");
      }
      try {
        return loadBlobBuffer(type, id, e);
      } catch (ObjectNotFoundException gone) {
        // A prune may have rewritten the blob into another pack since this repository read the
        // index: it writes the new pack and its index segment before it deletes the old segment
        // and pack, so the index as it is now says where the blob lives.
        IndexEntry before = e;
        index.refresh();
        e = index.lookup(id);
        if (attempt >= 2 || e == null || e.pack().equals(before.pack())) {
          return fromAnotherCopy(type, id, before, gone);
        }
      } catch (CorruptObjectException damaged) {
        return fromAnotherCopy(type, id, e, damaged);
      }
    }
  }

  /**
   * The blob from a pack other than {@code failed}'s, whose copy could not be read: a tree's
   * ditto copy (docs/format.md, "Ditto copies of trees"), or a copy two sessions both stored.
   * The damage is remembered for {@link #damagedCopies}. Throws {@code first}, with the other
   * copies' failures attached, when no copy can be read.
   */
  private java.nio.ByteBuffer fromAnotherCopy(BlobType type, Id id, IndexEntry failed, CairnException first) {
    for (IndexEntry other : index.lookupAll(id)) {
      if (other.pack().equals(failed.pack())) {
        continue;
      }
      try {
        java.nio.ByteBuffer plain = loadBlobBuffer(type, id, other);
        damagedCopies.merge(StoreKeys.pack(failed.pack()), new DamagedCopy(first.getMessage(), 1),
            (a, b) -> new DamagedCopy(a.firstError(), a.blobs() + 1));
        return plain;
      } catch (CairnException next) {
        first.addSuppressed(next);
      }
    }
    throw first;
  }

  /**
   * Packs this repository could not read a blob from but read another copy of it instead, one
   * line each: damage that cost nothing yet. Shown to the user, who should run {@code cairn
   * check --read-data} and {@code cairn repair packs} before the other copy is damaged too.
   */
  public List<String> damagedCopies() {
    List<String> out = new ArrayList<>();
    damagedCopies.forEach((pack, d) -> out.add(pack + ": " + d.blobs() + (d.blobs() == 1 ? " blob" : " blobs")
        + " could not be read and came from their other copy (" + d.firstError() + "); nothing is lost yet: "
        + "run 'cairn check --read-data', then 'cairn repair packs'"));
    out.sort(null);
    return out;
  }

  private java.nio.ByteBuffer loadBlobBuffer(BlobType type, Id id, IndexEntry e) {
    if (e.type() != type) {
      throw new CorruptObjectException("blob " + id.hex(), "indexed as " + e.type() + ", expected " + type);
    }
    String packKey = StoreKeys.pack(e.pack());
    if (e.length() > BlobCodec.MAX_ENVELOPE) {
      throw new CorruptObjectException("blob " + id.hex(), "the index gives it " + e.length()
          + " bytes in " + packKey + ", more than any blob can have");
    }
    String resource = packKey + " blob " + id.shortHex();
    // A tree of a remote repository from the local copy of its pack: the pack first (fetching it
    // may wait), then the thread's own envelope buffer.
    java.nio.file.Path cached = type == BlobType.TREE && treePacks != null ? treePacks.local(e.pack()) : null;
    if (cached != null) {
      java.nio.ByteBuffer env = BlobCodec.envelopeBuffer(type, e.length());
      if (treePacks.read(e.pack(), cached, e.offset(), env.limit(e.length()))) {
        try {
          java.nio.ByteBuffer plain = codec.openDirect(type, id, env, e.length(), resource + " (cached)");
          checkId(blobId(plain), id, resource + " (cached)");
          return plain;
        } catch (CorruptObjectException damaged) {
          // A damaged local copy is only a cache miss: read from the repository, which decides.
          treePacks.evict(e.pack());
        }
      }
    }
    java.nio.ByteBuffer env;
    try {
      if (store.remote()) {
        // The envelope buffer is the thread's own: it is taken only once the bytes are here, so
        // that nothing another task runs on this thread while a request waits can overwrite it.
        byte[] ciphertext = store.getRange(packKey, e.offset(), e.length());
        env = BlobCodec.envelopeBuffer(type, e.length());
        env.put(0, ciphertext);
      } else {
        env = BlobCodec.envelopeBuffer(type, e.length());
        store.readRange(packKey, e.offset(), env.limit(e.length()));
      }
    } catch (ObjectNotFoundException nf) {
      throw new ObjectNotFoundException(packKey, "pack holding blob " + id.shortHex()
          + " is missing (run 'cairn check' to see what is affected)");
    }
    java.nio.ByteBuffer plain = codec.openDirect(type, id, env, e.length(), resource);
    checkId(blobId(plain), id, resource);
    return plain;
  }

  private static void checkId(Id computed, Id id, String resource) {
    if (!computed.equals(id)) {
      throw new CorruptObjectException(resource, "content does not match its id");
    }
  }

  /** Decrypts ciphertext read from a pack and checks it against the id. */
  public byte[] openBlob(BlobType type, Id id, byte[] ciphertext, String packKey) {
    String resource = packKey + " blob " + id.shortHex();
    byte[] plain = codec.open(type, id, ciphertext, resource);
    checkId(blobId(plain), id, resource);
    return plain;
  }

  public List<Node> loadTree(Id id) {
    return TreeCodec.decode(loadBlob(BlobType.TREE, id), "tree " + id.shortHex());
  }

  /** Every snapshot, oldest first. Snapshots that fail to load are reported through {@code onError}. */
  public List<Snapshot> listSnapshots(java.util.function.Consumer<CairnException> onError) {
    List<Snapshot> out = new ArrayList<>();
    java.util.Set<Id> listed = new java.util.HashSet<>();
    for (StoreKeys.Named e : StoreKeys.listNamed(store, StoreKeys.SNAPSHOTS)) {
      listed.add(e.id());
      try {
        out.add(loadSnapshot(e.id()));
      } catch (CairnException ex) {
        onError.accept(ex);
      }
    }
    snapshotHeads.retainOnly(listed);
    out.sort(Comparator.comparing((Snapshot s) -> s.envelope().time()).thenComparing(Snapshot::id));
    return out;
  }

  public List<Snapshot> listSnapshots() {
    return listSnapshots(e -> {
      throw e;
    });
  }

  public Snapshot loadSnapshot(Id id) {
    String k = StoreKeys.snapshot(id);
    SnapshotHeadCache.Head d = snapshotHeads.load(store, id);
    byte[] aad = new byte[SNAPSHOT_AAD.length + d.envelopeBytes().length];
    System.arraycopy(SNAPSHOT_AAD, 0, aad, 0, SNAPSHOT_AAD.length);
    System.arraycopy(d.envelopeBytes(), 0, aad, SNAPSHOT_AAD.length, d.envelopeBytes().length);
    byte[] content = key.cipher().decrypt(aad, d.sealed(), 0, d.sealed().length, k);
    return new Snapshot(id, d.envelope(), SnapshotContent.fromJsonBytes(content, k), d.refCount());
  }

  /**
   * Resolves "latest", a full id, or a unique prefix of at least 4 hex digits.
   *
   * @throws CairnException when nothing or more than one snapshot matches
   */
  public Snapshot findSnapshot(String ref, String host) {
    List<Snapshot> all = listSnapshots(e -> { });
    if (ref.equals("latest")) {
      return all.stream().filter(s -> host == null || s.envelope().host().equals(host))
          .reduce((a, b) -> b)
          .orElseThrow(() -> new CairnException("no snapshot found" + (host == null ? "" : " for host " + host)));
    }
    if (ref.length() < 4 || !ref.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw new CairnException("'" + ref + "' is not a snapshot id: give 'latest' or at least 4 hex digits");
    }
    List<Snapshot> m = all.stream().filter(s -> s.id().hex().startsWith(ref)).toList();
    if (m.isEmpty()) {
      throw new CairnException("no snapshot matches '" + ref + "'; list them with 'cairn snapshots'");
    }
    if (m.size() > 1) {
      throw new CairnException("'" + ref + "' matches " + m.size() + " snapshots; give more digits");
    }
    return m.getFirst();
  }

  // ---- keys ----

  public List<KeyInfo> listKeys() {
    List<KeyInfo> out = new ArrayList<>();
    for (StoreEntry e : store.list(StoreKeys.KEYS)) {
      Id id = StoreKeys.idOf(e.key());
      KeyFile kf = KeyFile.decode(store.get(e.key()), e.key());
      out.add(new KeyInfo(id, kf.created(), kf.host(), kf.username(), id.equals(keyId)));
    }
    out.sort(Comparator.comparing(KeyInfo::created));
    return out;
  }

  public Id addKey(char[] password) {
    checkPassword(password);
    return writeKey(store, key, password, options);
  }

  /** Removes another key file; refuses to remove the one in use (which is never the last). */
  public void removeKey(Id id) {
    if (id.equals(keyId)) {
      throw new CairnException("refusing to remove the key in use; open the repository with another "
          + "password to remove this one");
    }
    if (!store.delete(StoreKeys.key(id))) {
      throw new ObjectNotFoundException(StoreKeys.key(id), "no such key");
    }
  }

  /** Finds a key id by unique prefix. */
  public Id findKey(String prefix) {
    List<Id> m = listKeys().stream().map(KeyInfo::id).filter(i -> i.hex().startsWith(prefix)).toList();
    if (m.size() != 1) {
      throw new CairnException(m.isEmpty() ? "no key matches '" + prefix + "'" : "'" + prefix + "' is ambiguous");
    }
    return m.getFirst();
  }

  BlobCipher cipher() {
    return key.cipher();
  }

  public Optional<IndexEntry> locate(Id blob) {
    return Optional.ofNullable(index.lookup(blob));
  }

  @Override
  public void close() {
    index.close();
    store.close();
  }
}
