package io.cairn.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.CRC32C;

/**
 * A sorted, immutable index segment (docs/format.md, "Index segments"), read in place from a
 * memory segment (normally a memory-mapped cache file) so that the heap never holds the index.
 *
 * <pre>
 * frame header "CRIX" v1
 * packCount u32, packCount x packId[32]
 * entryCount u32
 * fanout: 256 x u32, fanout[b] = number of entries whose first id byte is &lt;= b
 * entryCount x (blobId[32], packOrdinal u32, offset u32, length u32, type u8)   sorted by blobId
 * crc32c u32
 * </pre>
 */
public final class IndexSegment {
  public static final String MAGIC = "CRIX";
  public static final int VERSION = 1;
  public static final int ENTRY_LENGTH = Id.LENGTH + 4 + 4 + 4 + 1;
  private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong BE64 = SortedIds.BE64;

  private final MemorySegment seg;
  private final String resource;
  private final int packCount;
  private final long packsAt;
  private final int entryCount;
  private final long fanoutAt;
  private final long entriesAt;

  private IndexSegment(MemorySegment seg, String resource, boolean verify) {
    this.seg = seg;
    this.resource = resource;
    long size = seg.byteSize();
    if (size < Frame.HEADER_LENGTH + 8 + 256 * 4 + Frame.FOOTER_LENGTH) {
      throw new CorruptObjectException(resource, "too short to be an index segment");
    }
    byte[] head = seg.asSlice(0, Frame.HEADER_LENGTH).toArray(ValueLayout.JAVA_BYTE);
    byte[] magic = Frame.magicBytes(MAGIC);
    for (int i = 0; i < 4; i++) {
      if (head[i] != magic[i]) {
        throw new CorruptObjectException(resource, "bad magic, expected " + MAGIC);
      }
    }
    int version = (head[4] & 0xff) | (head[5] & 0xff) << 8;
    if (version > VERSION) {
      throw new FormatTooNewException(resource, version, VERSION);
    }
    if (version < 1) {
      throw new CorruptObjectException(resource, "invalid version " + version);
    }
    if (verify) {
      CRC32C crc = new CRC32C();
      crc.update(seg.asSlice(0, size - Frame.FOOTER_LENGTH).asByteBuffer());
      long stored = Integer.toUnsignedLong(seg.get(U32, size - Frame.FOOTER_LENGTH));
      if (crc.getValue() != stored) {
        throw new CorruptObjectException(resource, "checksum mismatch");
      }
    }
    long p = Frame.HEADER_LENGTH;
    long pc = Integer.toUnsignedLong(seg.get(U32, p));
    p += 4;
    if (pc * Id.LENGTH > size) {
      throw new CorruptObjectException(resource, "pack count " + pc + " does not fit");
    }
    packCount = (int) pc;
    packsAt = p;
    p += pc * Id.LENGTH;
    if (p + 4 > size) {
      throw new CorruptObjectException(resource, "truncated before entry count");
    }
    long ec = Integer.toUnsignedLong(seg.get(U32, p));
    p += 4;
    fanoutAt = p;
    p += 256 * 4;
    entriesAt = p;
    if (ec > Integer.MAX_VALUE || entriesAt + ec * ENTRY_LENGTH + Frame.FOOTER_LENGTH != size) {
      throw new CorruptObjectException(resource, "entry count " + ec + " disagrees with size " + size);
    }
    entryCount = (int) ec;
    if (verify) {
      validate();
    }
  }

  /** Opens a segment; {@code verify} checks the checksum, the order and every reference. */
  public static IndexSegment open(MemorySegment seg, String resource, boolean verify) {
    return new IndexSegment(seg, resource, verify);
  }

  public static IndexSegment open(byte[] data, String resource) {
    return new IndexSegment(MemorySegment.ofArray(data), resource, true);
  }

  private void validate() {
    long prevFan = 0;
    for (int b = 0; b < 256; b++) {
      long f = fanout(b);
      if (f < prevFan || f > entryCount) {
        throw new CorruptObjectException(resource, "fanout table is not monotonic at " + b);
      }
      prevFan = f;
    }
    if (prevFan != entryCount) {
      throw new CorruptObjectException(resource, "fanout total " + prevFan + " != " + entryCount);
    }
    int bucket = 0;
    for (int i = 0; i < entryCount; i++) {
      long at = entriesAt + (long) i * ENTRY_LENGTH;
      if (i > 0 && compareAt(at - ENTRY_LENGTH, at) >= 0) {
        throw new CorruptObjectException(resource, "entries not strictly sorted at " + i);
      }
      int first = seg.get(ValueLayout.JAVA_BYTE, at) & 0xff;
      while (fanout(bucket) <= i) {
        bucket++;
      }
      if (first != bucket) {
        throw new CorruptObjectException(resource, "entry " + i + " is outside its fanout bucket");
      }
      long ord = Integer.toUnsignedLong(seg.get(U32, at + Id.LENGTH));
      if (ord >= packCount) {
        throw new CorruptObjectException(resource, "entry " + i + " names pack " + ord
            + " of " + packCount);
      }
      int type = seg.get(ValueLayout.JAVA_BYTE, at + Id.LENGTH + 12);
      BlobType.fromCode(type, resource);
      long len = Integer.toUnsignedLong(seg.get(U32, at + Id.LENGTH + 8));
      if (len == 0 || len > Integer.MAX_VALUE) {
        throw new CorruptObjectException(resource, "entry " + i + " has invalid length " + len);
      }
    }
  }

  private int compareAt(long a, long b) {
    for (int k = 0; k < Id.LENGTH; k += 8) {
      int c = Long.compareUnsigned(seg.get(BE64, a + k), seg.get(BE64, b + k));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private long fanout(int b) {
    return Integer.toUnsignedLong(seg.get(U32, fanoutAt + 4L * b));
  }

  public int size() {
    return entryCount;
  }

  /** The store key this segment was read from. */
  public String resource() {
    return resource;
  }

  public int packCount() {
    return packCount;
  }

  public Id pack(int ordinal) {
    return Id.of(seg.asSlice(packsAt + (long) ordinal * Id.LENGTH, Id.LENGTH).toArray(ValueLayout.JAVA_BYTE));
  }

  /** Binary search within the id's fanout bucket; null when absent. */
  public IndexEntry lookup(Id id) {
    long pos = find(id);
    return pos < 0 ? null : entryAt(pos);
  }

  public boolean contains(Id id) {
    return find(id) >= 0;
  }

  private long find(Id id) {
    byte[] key = id.bytes();
    long k0 = beLong(key, 0), k1 = beLong(key, 8), k2 = beLong(key, 16), k3 = beLong(key, 24);
    int first = key[0] & 0xff;
    long lo = first == 0 ? 0 : fanout(first - 1);
    // Bounded by the entry count so that a damaged (unverified, cached) fanout table cannot
    // send the search outside the entries.
    long hi = Math.min(fanout(first), entryCount) - 1;
    if (lo > entryCount) {
      throw new CorruptObjectException(resource, "fanout table is damaged");
    }
    while (lo <= hi) {
      long mid = (lo + hi) >>> 1;
      long at = entriesAt + mid * ENTRY_LENGTH;
      int c = Long.compareUnsigned(seg.get(BE64, at), k0);
      if (c == 0) c = Long.compareUnsigned(seg.get(BE64, at + 8), k1);
      if (c == 0) c = Long.compareUnsigned(seg.get(BE64, at + 16), k2);
      if (c == 0) c = Long.compareUnsigned(seg.get(BE64, at + 24), k3);
      if (c == 0) {
        return at;
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }

  private static long beLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

  private IndexEntry entryAt(long at) {
    Id blob = Id.of(seg.asSlice(at, Id.LENGTH).toArray(ValueLayout.JAVA_BYTE));
    int ord = seg.get(U32, at + Id.LENGTH);
    long offset = Integer.toUnsignedLong(seg.get(U32, at + Id.LENGTH + 4));
    int length = seg.get(U32, at + Id.LENGTH + 8);
    if (length <= 0 || ord < 0 || ord >= packCount) {
      throw new CorruptObjectException(resource, "entry for " + blob.shortHex() + " has a bad length or pack");
    }
    BlobType type = BlobType.fromCode(seg.get(ValueLayout.JAVA_BYTE, at + Id.LENGTH + 12), resource);
    return new IndexEntry(blob, type, pack(ord), offset, length);
  }

  /** The i-th entry in blob-id order. */
  public IndexEntry entry(int i) {
    if (i < 0 || i >= entryCount) {
      throw new IndexOutOfBoundsException(i);
    }
    return entryAt(entriesAt + (long) i * ENTRY_LENGTH);
  }

  /** The pack ordinal of the i-th entry (see {@link #pack(int)}). */
  public int packOrdinal(int i) {
    long ord = Integer.toUnsignedLong(seg.get(U32, entriesAt + (long) i * ENTRY_LENGTH + Id.LENGTH));
    if (ord >= packCount) {
      throw new CorruptObjectException(resource, "entry " + i + " names pack " + ord + " of " + packCount);
    }
    return (int) ord;
  }

  public Iterator<IndexEntry> iterator() {
    return new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < entryCount;
      }

      @Override
      public IndexEntry next() {
        if (i >= entryCount) {
          throw new NoSuchElementException();
        }
        return entryAt(entriesAt + (long) (i++) * ENTRY_LENGTH);
      }
    };
  }

  /**
   * Encodes entries (any order) as the fewest segments in which each blob appears at most once
   * and that hold at most {@code maxEntries} entries each. A blob stored in several packs (a
   * tree and its ditto copy, docs/format.md "Ditto copies of trees") keeps one entry per pack,
   * each in a different segment; an entry repeated for the same pack is kept once.
   */
  public static List<byte[]> encodeAll(List<IndexEntry> entries, int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("a segment holds at least one entry");
    }
    List<IndexEntry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(IndexEntry::blob).thenComparing(IndexEntry::pack));
    // Layer k holds each blob's (k+1)-th copy.
    List<List<IndexEntry>> layers = new ArrayList<>();
    int copy = 0;
    for (int i = 0; i < sorted.size(); i++) {
      IndexEntry e = sorted.get(i);
      if (i > 0 && sorted.get(i - 1).blob().equals(e.blob())) {
        if (sorted.get(i - 1).pack().equals(e.pack())) {
          continue;
        }
        copy++;
      } else {
        copy = 0;
      }
      while (layers.size() <= copy) {
        layers.add(new ArrayList<>());
      }
      layers.get(copy).add(e);
    }
    List<byte[]> out = new ArrayList<>();
    for (List<IndexEntry> layer : layers) {
      for (int from = 0; from < layer.size(); from += maxEntries) {
        out.add(encode(layer.subList(from, Math.min(layer.size(), from + maxEntries))));
      }
    }
    return out;
  }

  /** Encodes entries (any order, no duplicate blob ids) as a segment. */
  public static byte[] encode(List<IndexEntry> entries) {
    List<IndexEntry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(IndexEntry::blob));
    List<Id> packs = new ArrayList<>();
    java.util.Map<Id, Integer> ordinals = new java.util.HashMap<>();
    for (IndexEntry e : sorted) {
      ordinals.computeIfAbsent(e.pack(), p -> {
        packs.add(p);
        return packs.size() - 1;
      });
    }
    ByteWriter w = Frame.begin(MAGIC, VERSION);
    w.u32(packs.size());
    for (Id p : packs) {
      w.id(p);
    }
    w.u32(sorted.size());
    int[] counts = new int[256];
    for (int i = 0; i < sorted.size(); i++) {
      if (i > 0 && sorted.get(i - 1).blob().equals(sorted.get(i).blob())) {
        throw new IllegalArgumentException("duplicate blob " + sorted.get(i).blob());
      }
      counts[sorted.get(i).blob().byteAt(0)]++;
    }
    long cum = 0;
    for (int b = 0; b < 256; b++) {
      cum += counts[b];
      w.u32(cum);
    }
    for (IndexEntry e : sorted) {
      w.id(e.blob()).u32(ordinals.get(e.pack())).u32(e.offset()).u32(e.length()).u8(e.type().code());
    }
    return Frame.finish(w);
  }
}
