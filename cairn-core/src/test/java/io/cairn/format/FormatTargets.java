package io.cairn.format;

import java.util.Iterator;
import java.util.List;
import java.util.Random;

/** The parsers of package {@code io.cairn.format}, as fuzz and mutation targets. */
public final class FormatTargets {
  private static final String R = "fuzz input";

  private FormatTargets() {}

  public static List<ParserTarget> all() {
    return List.of(frame(), pack(), indexSegment(), tree(), snapshot(), keyFile(), config());
  }

  public static ParserTarget frame() {
    return new ParserTarget("Frame.open", FormatSamples.frames(), data -> {
      Frame.Opened f = Frame.open(data, FormatSamples.TEST_MAGIC, 1, 2, R);
      f.body().bytes(f.body().remaining());
    }, Mutations::resealFrame, body -> Mutations.frame(FormatSamples.TEST_MAGIC, 1, body));
  }

  public static ParserTarget pack() {
    return new ParserTarget("PackFormat.parse", FormatSamples.packs(),
        data -> PackFormat.parse(data, R), Mutations::resealPack, Mutations::pack);
  }

  public static ParserTarget indexSegment() {
    return new ParserTarget("IndexSegment.open", FormatSamples.indexSegments(), data -> {
      IndexSegment s = IndexSegment.open(data, R);
      // Lookups and iteration read the segment lazily, so they are part of what is parsed.
      for (Iterator<IndexEntry> it = s.iterator(); it.hasNext(); ) {
        IndexEntry e = it.next();
        // Readers pass these straight to BlobStore.getRange, which rejects negative values.
        if (e.length() <= 0 || e.offset() < 0) {
          throw new AssertionError("entry with an impossible extent " + e.offset() + "+" + e.length());
        }
        if (!e.equals(s.lookup(e.blob()))) {
          throw new AssertionError("lookup disagrees with iteration for " + e);
        }
      }
      s.lookup(FormatSamples.id(new Random(data.length)));
    }, Mutations::resealFrame, body -> Mutations.frame(IndexSegment.MAGIC, IndexSegment.VERSION, body));
  }

  public static ParserTarget tree() {
    return new ParserTarget("TreeCodec.decode", FormatSamples.trees(),
        data -> TreeCodec.decode(data, R).forEach(Node::displayName), null, null);
  }

  public static ParserTarget snapshot() {
    return new ParserTarget("SnapshotCodec.decode", FormatSamples.snapshots(), data -> {
      SnapshotCodec.Decoded d = SnapshotCodec.decode(data, R);
      for (int at = 0; at < d.refs().length; at += d.refWidth()) {
        SnapshotCodec.refKey(d.refs(), at);
      }
      d.mayReference(Id.of(new byte[Id.LENGTH]));
    }, Mutations::resealFrame, body -> Mutations.frame(SnapshotCodec.MAGIC, SnapshotCodec.VERSION, body));
  }

  public static ParserTarget keyFile() {
    return new ParserTarget("KeyFile.decode", FormatSamples.keyFiles(), data -> KeyFile.decode(data, R),
        Mutations::resealFrame, body -> Mutations.frame(KeyFile.MAGIC, KeyFile.VERSION, body));
  }

  public static ParserTarget config() {
    return new ParserTarget("RepositoryConfig.decode", FormatSamples.configs(),
        data -> RepositoryConfig.decode(data, R), Mutations::resealFrame,
        body -> Mutations.frame(RepositoryConfig.MAGIC, RepositoryConfig.FORMAT_VERSION, body));
  }
}
