package io.cairn.store;

import io.cairn.format.Id;
import java.util.Optional;

/**
 * A repository object as a kind and a name, parsed once where a key arrives (the server's
 * object API, a listing) and carried as one value after that (docs/format.md, "Layout").
 * {@link #key} is the one layout from a handle to a key; a directory uses it as a relative path
 * and a bucket under its prefix. {@link #parse} is its exact inverse: a key that is not the
 * layout of some handle (a second form of a name, a deeper path) is no repository object.
 */
public record Handle(Kind kind, Id id) {

  /** The kinds of repository objects, each with its one key form. */
  public enum Kind {
    CONFIG("config", false),
    KEY("keys/", false),
    PACK("data/", true),
    INDEX("index/", true),
    SNAPSHOT("snapshots/", true),
    SESSION("sessions/", false),
    CONDEMNED("condemned/", false),
    LOCK("locks/", false);

    private final String prefix;
    private final boolean checkedByName;

    Kind(String prefix, boolean checkedByName) {
      this.prefix = prefix;
      this.checkedByName = checkedByName;
    }

    /** The key of the config, or the directory ("data/") under which this kind's objects live. */
    public String prefix() {
      return prefix;
    }

    /**
     * Whether an object's name is the SHA-256 of its bytes and readers check it (packs, index
     * segments, snapshots): two objects of one such name are the same object.
     */
    public boolean contentAddressed() {
      return checkedByName;
    }
  }

  /** The repository's config. */
  public static final Handle CONFIG = new Handle(Kind.CONFIG, null);

  public Handle {
    if ((kind == Kind.CONFIG) != (id == null)) {
      throw new IllegalArgumentException(kind == Kind.CONFIG ? "the config has no id" : kind + " needs an id");
    }
  }

  public static Handle of(Kind kind, Id id) {
    return new Handle(kind, id);
  }

  /** The object's key: {@code config}, {@code data/<hh>/<id>}, or the kind's directory and the id. */
  public String key() {
    return switch (kind) {
      case CONFIG -> Kind.CONFIG.prefix;
      case PACK -> {
        String h = id.hex();
        yield Kind.PACK.prefix + h.substring(0, 2) + "/" + h;
      }
      case KEY, INDEX, SNAPSHOT, SESSION, CONDEMNED, LOCK -> kind.prefix + id.hex();
    };
  }

  /** The kind whose objects live where {@code key} points (its first segment), whether or not the rest is well formed. */
  public static Optional<Kind> kindOf(String key) {
    if (key == null) {
      return Optional.empty();
    }
    for (Kind k : Kind.values()) {
      if (k == Kind.CONFIG ? key.equals(k.prefix) : key.startsWith(k.prefix)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  /** The handle whose key is exactly {@code key}; empty for anything else. */
  public static Optional<Handle> parse(String key) {
    Optional<Kind> kind = kindOf(key);
    if (kind.isEmpty()) {
      return Optional.empty();
    }
    if (kind.get() == Kind.CONFIG) {
      return Optional.of(CONFIG);
    }
    String tail = key.substring(key.lastIndexOf('/') + 1);
    if (!Id.isHex(tail)) {
      return Optional.empty();
    }
    Handle h = new Handle(kind.get(), Id.parse(tail));
    return h.key().equals(key) ? Optional.of(h) : Optional.empty();
  }

  @Override
  public String toString() {
    return key();
  }
}
