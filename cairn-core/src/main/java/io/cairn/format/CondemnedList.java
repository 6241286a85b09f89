package io.cairn.format;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A prune's list of blob copies no snapshot referenced when it ran (docs/format.md,
 * "Condemned lists"). A later prune may delete them once every write session alive at
 * {@code time} has ended and they are still unreferenced; meanwhile new write sessions do not
 * deduplicate against them.
 *
 * <pre>
 * frame header "CRCD" v1
 * time: epoch milliseconds i64
 * count u32, count x (blobId[32], packId[32])   (a zero blob id: the whole pack, which no index names)
 * crc32c u32
 * </pre>
 */
public record CondemnedList(Instant time, List<Pair> pairs) {
  public static final String MAGIC = "CRCD";
  public static final int VERSION = 1;
  public static final Id WHOLE_PACK = Id.of(new byte[Id.LENGTH]);

  /** One stored copy: a blob in a pack. */
  public record Pair(Id blob, Id pack) {}

  public CondemnedList {
    pairs = List.copyOf(pairs);
  }

  public byte[] encode() {
    ByteWriter w = Frame.begin(MAGIC, VERSION);
    w.i64(time.toEpochMilli());
    w.u32(pairs.size());
    for (Pair p : pairs) {
      w.id(p.blob()).id(p.pack());
    }
    return Frame.finish(w);
  }

  public static CondemnedList decode(byte[] data, String resource) {
    Frame.Opened f = Frame.open(data, MAGIC, 1, VERSION, resource);
    ByteReader r = f.body();
    long millis = r.i64();
    int n = r.u32Bounded(r.remaining() / (2L * Id.LENGTH), "pair count");
    List<Pair> pairs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      pairs.add(new Pair(r.id(), r.id()));
    }
    r.expectEnd();
    return new CondemnedList(Instant.ofEpochMilli(millis), pairs);
  }
}
