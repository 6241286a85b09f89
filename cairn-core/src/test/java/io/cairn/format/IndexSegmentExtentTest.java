package io.cairn.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Regression test for a hole found while fuzzing: an entry length of 2^31 or more passed
 * validation and came out of {@link IndexEntry#length()} negative, so the read path
 * (Repository.loadBlob -> BlobStore.getRange) failed with IllegalArgumentException instead of
 * reporting a corrupt index. Index segments are checksummed but not authenticated, so whoever
 * controls the store can write one. Rejecting it when the segment is opened or when the entry
 * is read are both fine; handing out a negative length is not.
 */
class IndexSegmentExtentTest {
  /** Offset of the first entry's length field in a segment that names one pack. */
  private static final int FIRST_LENGTH_AT = Frame.HEADER_LENGTH + 4 + Id.LENGTH + 4 + 256 * 4
      + Id.LENGTH + 4 + 4;
  private static final Random RANDOM = new Random(1);
  private static final Id BLOB = FormatSamples.id(RANDOM);
  private static final Id PACK = FormatSamples.id(RANDOM);

  private static byte[] segmentWithLength(long length) {
    byte[] seg = IndexSegment.encode(List.of(new IndexEntry(BLOB, BlobType.DATA, PACK, 8, 1)));
    Mutations.putU32(seg, FIRST_LENGTH_AT, length);
    return Mutations.resealFrame(seg);
  }

  @Test
  void lengthsBeyondIntRangeAreCorrupt() {
    for (long length : new long[] {0x8000_0000L, 0xffff_ffffL}) {
      byte[] seg = segmentWithLength(length);

      assertThatThrownBy(() -> IndexSegment.open(seg, "index/x").iterator().next())
          .isInstanceOf(CorruptObjectException.class).hasMessageContaining("length");
      assertThatThrownBy(() -> IndexSegment.open(seg, "index/x").lookup(BLOB))
          .isInstanceOf(CorruptObjectException.class).hasMessageContaining("length");
    }
  }

  @Test
  void largestIntLengthIsAccepted() {
    IndexSegment s = IndexSegment.open(segmentWithLength(Integer.MAX_VALUE), "index/x");

    assertThat(s.iterator().next().length()).isEqualTo(Integer.MAX_VALUE);
    assertThat(s.lookup(BLOB).length()).isEqualTo(Integer.MAX_VALUE);
  }
}
