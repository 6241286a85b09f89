package io.cairn.format;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic, well-formed encodings of every framed repository object, chosen to cover each
 * branch of the decoders (empty and populated, every node kind, optional fields set and unset).
 */
public final class FormatSamples {
  /** Magic of the frames {@link #frames()} builds; no repository object uses it. */
  public static final String TEST_MAGIC = "CRTS";

  private FormatSamples() {}

  public static Id id(Random r) {
    byte[] b = new byte[Id.LENGTH];
    r.nextBytes(b);
    return Id.of(b);
  }

  private static Id idStartingWith(Random r, int first) {
    byte[] b = id(r).bytes();
    b[0] = (byte) first;
    return Id.of(b);
  }

  private static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  public static List<byte[]> frames() {
    Random r = new Random(1);
    return List.of(Mutations.frame(TEST_MAGIC, 1, new byte[0]),
        Mutations.frame(TEST_MAGIC, 2, bytes(r, 40)));
  }

  public static List<byte[]> packs() {
    Random r = new Random(2);
    List<byte[]> out = new ArrayList<>();
    out.add(pack(List.of()));
    out.add(pack(List.of(bytes(r, 60))));
    out.add(pack(List.of(bytes(r, 45), bytes(r, 1), bytes(r, 90))));
    return out;
  }

  /** A pack holding the given blob ciphertexts, alternating data and tree blobs. */
  public static byte[] pack(List<byte[]> blobs) {
    Random r = new Random(blobs.size());
    ByteWriter w = new ByteWriter();
    w.bytes(PackFormat.preamble());
    List<PackEntry> entries = new ArrayList<>();
    for (int i = 0; i < blobs.size(); i++) {
      BlobType type = i % 2 == 0 ? BlobType.DATA : BlobType.TREE;
      entries.add(new PackEntry(type, id(r), w.length(), blobs.get(i).length));
      w.bytes(blobs.get(i));
    }
    w.bytes(PackFormat.headerAndTrailer(entries));
    return w.toByteArray();
  }

  public static List<byte[]> indexSegments() {
    Random r = new Random(3);
    Id p1 = id(r);
    Id p2 = id(r);
    List<IndexEntry> some = new ArrayList<>();
    // First bytes 0x00, 0x7f and 0xff exercise both ends of the fanout table.
    for (int first : new int[] {0x00, 0x00, 0x7f, 0xff, 0x13}) {
      some.add(new IndexEntry(idStartingWith(r, first), some.size() % 2 == 0 ? BlobType.DATA : BlobType.TREE,
          some.size() % 3 == 0 ? p1 : p2, 8 + 100L * some.size(), 100));
    }
    return List.of(IndexSegment.encode(List.of()),
        IndexSegment.encode(List.of(new IndexEntry(id(r), BlobType.DATA, p1, 8, 1))),
        IndexSegment.encode(some));
  }

  public static List<byte[]> trees() {
    Random r = new Random(4);
    List<Node> nodes = List.of(
        node(NodeKind.FILE, "a.txt", List.of(id(r), id(r)), null, null, List.of()),
        node(NodeKind.DIRECTORY, "dir", List.of(), id(r), null,
            List.of(new Xattr("user.k".getBytes(), bytes(r, 5)))),
        node(NodeKind.SYMLINK, "link", List.of(), null, "../target".getBytes(), List.of()),
        node(NodeKind.FIFO, "pipe", List.of(), null, null, List.of()),
        node(NodeKind.CHAR_DEVICE, "tty", List.of(), null, null, List.of()),
        node(NodeKind.BLOCK_DEVICE, "sda", List.of(), null, null, List.of()),
        node(NodeKind.SOCKET, "sock", List.of(), null, null, List.of()),
        node(NodeKind.FILE, "\u00e9t\u00e9", List.of(), null, null, List.of()));
    return List.of(TreeCodec.encode(List.of()), TreeCodec.encode(nodes.subList(0, 1)),
        TreeCodec.encode(nodes));
  }

  private static Node node(NodeKind kind, String name, List<Id> content, Id subtree, byte[] target,
      List<Xattr> xattrs) {
    return new Node(kind, name.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0644, 1000, 100,
        "alice", "staff", 1_700_000_000L, 123_456_789, -1L, 0, 1_700_000_001L, 999_999_999, 4242, 2049, 1,
        0, 12345, xattrs, content, subtree, target);
  }

  public static SnapshotEnvelope envelope(Id parent, Instant lockedUntil) {
    return new SnapshotEnvelope(Instant.parse("2025-01-02T03:04:05.123Z"), "host-1",
        List.of("daily", "t\u00e4g"), parent, "0f".repeat(32), lockedUntil, parent == null,
        "cairn 0.1.0", new SnapshotSummary(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 13));
  }

  public static List<byte[]> snapshots() {
    Random r = new Random(5);
    return List.of(
        SnapshotCodec.encode(envelope(null, null).toJsonBytes(), bytes(r, 28), List.of()),
        SnapshotCodec.encode(envelope(id(r), Instant.parse("2030-01-01T00:00:00Z")).toJsonBytes(),
            bytes(r, 80), List.of(id(r), id(r), id(r))),
        snapshotV1(envelope(null, null).toJsonBytes(), bytes(r, 28), List.of(id(r), id(r))));
  }

  /** A version-1 snapshot object (whole ids, no width byte), as older writers made them. */
  public static byte[] snapshotV1(byte[] envelope, byte[] sealed, List<Id> refs) {
    ByteWriter w = Frame.begin(SnapshotCodec.MAGIC, 1);
    w.u32(envelope.length).bytes(envelope);
    w.u32(sealed.length).bytes(sealed);
    List<Id> sorted = refs.stream().sorted().toList();
    w.u32(sorted.size());
    sorted.forEach(w::id);
    return Frame.finish(w);
  }

  public static List<byte[]> keyFiles() {
    Random r = new Random(6);
    return List.of(new KeyFile("argon2id", 65536, 3, 1, bytes(r, 16), bytes(r, 12), bytes(r, 48),
        Instant.parse("2025-01-02T03:04:05Z"), "host-1", "alice").encode());
  }

  public static List<byte[]> configs() {
    Random r = new Random(7);
    return List.of(new RepositoryConfig(1, id(r), Instant.parse("2025-01-02T03:04:05Z"), 512 << 10,
        1 << 20, 8 << 20, 16 << 20).encode());
  }
}
