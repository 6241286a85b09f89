package io.cairn.store;

import io.cairn.format.Id;
import java.util.regex.Pattern;

/** Builds and validates the keys of repository objects (docs/format.md, "Layout"). */
public final class StoreKeys {
  public static final String CONFIG = "config";
  public static final String KEYS = "keys/";
  public static final String DATA = "data/";
  public static final String INDEX = "index/";
  public static final String SNAPSHOTS = "snapshots/";
  public static final String SESSIONS = "sessions/";
  public static final String CONDEMNED = "condemned/";
  private static final Pattern SAFE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,127}(/[a-z0-9][a-z0-9_-]{0,127}){0,3}");
  private static final Pattern PREFIX = Pattern.compile("([a-z0-9][a-z0-9_-]{0,127}/){0,3}");

  private StoreKeys() {}

  public static String pack(Id id) {
    String h = id.hex();
    return DATA + h.substring(0, 2) + "/" + h;
  }

  public static String index(Id id) {
    return INDEX + id.hex();
  }

  public static String snapshot(Id id) {
    return SNAPSHOTS + id.hex();
  }

  public static String session(Id id) {
    return SESSIONS + id.hex();
  }

  public static String condemned(Id id) {
    return CONDEMNED + id.hex();
  }

  public static String key(Id id) {
    return KEYS + id.hex();
  }

  /**
   * Whether the key names an object by the SHA-256 of its bytes (packs, index segments,
   * snapshots): two objects of one such name are the same object.
   */
  public static boolean isContentAddressed(String key) {
    return key.startsWith(DATA) || key.startsWith(INDEX) || key.startsWith(SNAPSHOTS);
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
