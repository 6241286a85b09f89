package io.cairn.repository;

import io.cairn.format.ByteReader;
import io.cairn.format.ByteWriter;
import io.cairn.format.CairnException;
import io.cairn.format.Frame;
import io.cairn.format.Id;
import io.cairn.format.SnapshotCodec;
import io.cairn.format.SnapshotEnvelope;
import io.cairn.store.BlobStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * A local cache of snapshot heads (envelope and sealed content, without the reference list)
 * that were verified in full once (docs/format.md, "Local cache"). A snapshot's reference list
 * holds 32 bytes per blob, megabytes for a large machine, and only garbage collection needs it:
 * listing snapshots from this cache reads kilobytes instead of every snapshot in full. The sealed
 * content stays authenticated by AES-GCM (with the envelope as associated data) on every use;
 * the frame's checksum catches a damaged cache file, which is then only a cache miss.
 */
final class SnapshotHeadCache {
  static final String MAGIC = "CRSH";
  static final int VERSION = 1;

  /** What listing needs of a snapshot. */
  record Head(SnapshotEnvelope envelope, byte[] envelopeBytes, byte[] sealed, int refCount) {}

  private final Path dir;

  SnapshotHeadCache(Path dir) {
    this.dir = dir;
  }

  /** The head from the cache, or from the store (checked against its name, then cached). */
  Head load(BlobStore store, Id id) {
    Path file = dir.resolve(id.hex());
    try {
      return decode(Files.readAllBytes(file), file.toString());
    } catch (IOException | CairnException e) {
      // absent, unreadable or damaged: a miss
    }
    SnapshotCodec.Decoded d = ContentAddressed.snapshot(store, id);
    Head h = new Head(d.envelope(), d.envelopeBytes(), d.sealed(), d.refCount());
    write(file, h);
    return h;
  }

  /** Removes cached heads of snapshots that are gone from the repository. */
  void retainOnly(Set<Id> live) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (Id.isHex(name) && !live.contains(Id.parse(name))) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      // a cache that cannot be tidied still works
    }
  }

  static byte[] encode(Head h) {
    ByteWriter w = Frame.begin(MAGIC, VERSION);
    w.u32(h.envelopeBytes().length).bytes(h.envelopeBytes());
    w.u32(h.sealed().length).bytes(h.sealed());
    w.u32(h.refCount());
    return Frame.finish(w);
  }

  static Head decode(byte[] data, String resource) {
    ByteReader r = Frame.open(data, MAGIC, 1, VERSION, resource).body();
    byte[] env = r.bytes(r.u32Bounded(r.remaining(), "envelope length"));
    byte[] sealed = r.bytes(r.u32Bounded(r.remaining(), "sealed length"));
    int refCount = r.u32Bounded(Integer.MAX_VALUE, "reference count");
    r.expectEnd();
    return new Head(SnapshotEnvelope.fromJsonBytes(env, resource), env, sealed, refCount);
  }

  private void write(Path file, Head h) {
    try {
      Files.createDirectories(dir);
      CacheFiles.write(file, encode(h));
    } catch (IOException e) {
      // without a cache the next listing reads the snapshot from the store again
    }
  }
}
