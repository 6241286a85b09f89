package io.cairn.store;

import io.cairn.format.Id;
import java.util.regex.Pattern;

/**
 * The keys of repository objects (docs/format.md, "Layout"), built through {@link Handle}'s one
 * layout, and the syntax every store key must have.
 */
public final class StoreKeys {
  public static final String CONFIG = Handle.Kind.CONFIG.prefix();
  public static final String KEYS = Handle.Kind.KEY.prefix();
  public static final String DATA = Handle.Kind.PACK.prefix();
  public static final String INDEX = Handle.Kind.INDEX.prefix();
  public static final String SNAPSHOTS = Handle.Kind.SNAPSHOT.prefix();
  public static final String SESSIONS = Handle.Kind.SESSION.prefix();
  public static final String CONDEMNED = Handle.Kind.CONDEMNED.prefix();
  public static final String LOCKS = Handle.Kind.LOCK.prefix();
  private static final Pattern SAFE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,127}(/[a-z0-9][a-z0-9_-]{0,127}){0,3}");
  private static final Pattern PREFIX = Pattern.compile("([a-z0-9][a-z0-9_-]{0,127}/){0,3}");

  private StoreKeys() {}

  public static String pack(Id id) {
    return Handle.of(Handle.Kind.PACK, id).key();
  }

  public static String index(Id id) {
    return Handle.of(Handle.Kind.INDEX, id).key();
  }

  public static String snapshot(Id id) {
    return Handle.of(Handle.Kind.SNAPSHOT, id).key();
  }

  public static String session(Id id) {
    return Handle.of(Handle.Kind.SESSION, id).key();
  }

  public static String condemned(Id id) {
    return Handle.of(Handle.Kind.CONDEMNED, id).key();
  }

  public static String lock(Id id) {
    return Handle.of(Handle.Kind.LOCK, id).key();
  }

  public static String key(Id id) {
    return Handle.of(Handle.Kind.KEY, id).key();
  }

  /**
   * Whether the key names an object by the SHA-256 of its bytes (packs, index segments,
   * snapshots): two objects of one such name are the same object.
   */
  public static boolean isContentAddressed(String key) {
    return Handle.parse(key).map(h -> h.kind().contentAddressed()).orElse(false);
  }

  /** The id at the end of a key such as {@code data/ab/abcd...}. */
  public static Id idOf(String key) {
    int slash = key.lastIndexOf('/');
    String tail = key.substring(slash + 1);
    if (!Id.isHex(tail)) {
      throw new IllegalArgumentException("key '" + key + "' does not end in an id");
    }
    return Id.parse(tail);
  }

  /** An object listed under a prefix, with the id its key ends in. */
  public record Named(Id id, StoreEntry entry) {
    public String key() {
      return entry.key();
    }
  }

  /**
   * The objects under {@code prefix} whose keys end in an id (packs, index segments, snapshots,
   * keys, markers, condemned lists); anything else found there (a stray file) is skipped.
   */
  public static java.util.List<Named> listNamed(BlobStore store, String prefix) {
    java.util.List<StoreEntry> listed = store.list(prefix);
    java.util.List<Named> out = new java.util.ArrayList<>(listed.size());
    for (StoreEntry e : listed) {
      int slash = e.key().lastIndexOf('/');
      if (Id.isHex(e.key().substring(slash + 1))) {
        out.add(new Named(idOf(e.key()), e));
      }
    }
    return out;
  }

  /** Rejects anything but lowercase segments joined by '/' (no "..", no absolute paths). */
  public static String check(String key) {
    if (key == null || !SAFE.matcher(key).matches()) {
      throw new IllegalArgumentException("invalid store key '" + key + "'");
    }
    return key;
  }

  public static boolean isValid(String key) {
    return key != null && SAFE.matcher(key).matches();
  }

  public static String checkPrefix(String prefix) {
    if (prefix == null || !PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("invalid store prefix '" + prefix + "'");
    }
    return prefix;
  }
}
