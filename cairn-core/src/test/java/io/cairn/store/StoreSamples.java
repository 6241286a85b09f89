package io.cairn.store;

import io.cairn.crypto.Sha256;
import io.cairn.format.BlobType;
import io.cairn.format.FormatSamples;
import io.cairn.format.Id;
import io.cairn.format.IndexEntry;
import io.cairn.format.IndexSegment;
import io.cairn.format.KeyFile;
import io.cairn.format.SessionMarker;
import io.cairn.format.SnapshotCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The objects a conformance suite stores: each is a key and its bytes, of one kind of repository
 * object. A store below the server (a directory, a bucket) takes any bytes ({@link #ANY_BYTES});
 * a vault server takes only well-formed objects under their names ({@link #REPOSITORY_OBJECTS}).
 */
public interface StoreSamples {
  /** One object: its key and its bytes. */
  record Sample(String key, byte[] bytes) {
    public int length() {
      return bytes.length;
    }
  }

  /** An object of the kind, about {@code size} bytes where the kind allows it, different for each seed. */
  Sample make(Handle.Kind kind, long seed, int size);

  /**
   * Another object under {@code s}'s key, with other bytes: possible for kinds not named by their
   * content (key files, session markers), which is where two writers can race on one key.
   */
  Sample other(Sample s, long seed);

  static byte[] random(long seed, int length) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static Sample named(Handle.Kind kind, long seed, byte[] bytes) {
    Id id = kind.contentAddressed() ? Id.of(Sha256.digest(bytes)) : Id.of(random(~seed, Id.LENGTH));
    return new Sample(kind == Handle.Kind.CONFIG ? Handle.CONFIG.key() : Handle.of(kind, id).key(), bytes);
  }

  /** Random bytes of exactly the size asked for, under a key of the kind's form. */
  StoreSamples ANY_BYTES = new StoreSamples() {
    @Override
    public Sample make(Handle.Kind kind, long seed, int size) {
      return named(kind, seed, random(seed, size));
    }

    @Override
    public Sample other(Sample s, long seed) {
      return new Sample(s.key(), random(seed, s.length()));
    }
  };

  /**
   * Well-formed objects that a vault server checks and accepts: packs with real headers, index
   * segments, snapshots, key files and session markers, named as the format requires.
   */
  StoreSamples REPOSITORY_OBJECTS = new StoreSamples() {
    @Override
    public Sample make(Handle.Kind kind, long seed, int size) {
      Random r = new Random(seed);
      byte[] bytes = switch (kind) {
        case PACK -> {
          List<byte[]> blobs = new ArrayList<>();
          for (int left = Math.max(1, size - 200); left > 0; left -= 1 << 20) {
            blobs.add(random(r.nextLong(), Math.min(left, 1 << 20)));
          }
          yield FormatSamples.pack(blobs);
        }
        case INDEX -> {
          List<IndexEntry> entries = new ArrayList<>();
          Id pack = FormatSamples.id(r);
          for (int i = 0; i < Math.max(1, size / 80); i++) {
            entries.add(new IndexEntry(FormatSamples.id(r), BlobType.DATA, pack, 8 + 100L * i, 100));
          }
          yield IndexSegment.encode(entries);
        }
        case SNAPSHOT -> SnapshotCodec.encode(FormatSamples.envelope(null, null).toJsonBytes(),
            random(r.nextLong(), Math.max(28, size - 400)), List.of());
        case KEY -> keyFile(seed);
        case SESSION -> new SessionMarker(Instant.ofEpochSecond(1_700_000_000L + seed), "host-" + seed, seed)
            .encode();
        case CONFIG, CONDEMNED, LOCK -> throw new IllegalArgumentException("agents do not write " + kind + " objects here");
      };
      return named(kind, seed, bytes);
    }

    @Override
    public Sample other(Sample s, long seed) {
      return switch (Handle.kindOf(s.key()).orElseThrow()) {
        case KEY -> new Sample(s.key(), keyFile(seed));
        case SESSION -> new Sample(s.key(), make(Handle.Kind.SESSION, seed, 0).bytes());
        default -> throw new IllegalArgumentException(s.key() + " is named by its content: it has no other form");
      };
    }

    private static byte[] keyFile(long seed) {
      Random r = new Random(seed);
      return new KeyFile("argon2id", 65536, 3, 1, random(r.nextLong(), 16), random(r.nextLong(), 12),
          random(r.nextLong(), 48), Instant.ofEpochSecond(1_700_000_000L + seed), "host-" + seed, "user").encode();
    }
  };
}
