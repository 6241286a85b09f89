package io.cairn.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Binary search over ids (or id prefixes) stored back to back in ascending unsigned order. */
public final class SortedIds {
  /**
   * Eight bytes of an id as one big-endian number: compared with {@link Long#compareUnsigned},
   * such numbers order as the ids' bytes do.
   */
  public static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  private SortedIds() {}

  /**
   * Whether one of the {@code count} entries of {@code stride} bytes in {@code seg} begins with
   * the {@code width} bytes of {@code key} from {@code off}. Both widths are multiples of 8, and
   * {@code width <= stride}.
   */
  public static boolean containsPrefix(MemorySegment seg, long count, int stride, byte[] key, int off, int width) {
    if (width <= 0 || width % 8 != 0 || width > stride) {
      throw new IllegalArgumentException("prefix width " + width + " for entries of " + stride + " bytes");
    }
    MemorySegment k = MemorySegment.ofArray(key);
    int words = width / 8;
    long lo = 0;
    long hi = count - 1;
    while (lo <= hi) {
      long mid = (lo + hi) >>> 1;
      long at = mid * stride;
      int c = 0;
      for (int w = 0; w < words && c == 0; w++) {
        c = Long.compareUnsigned(seg.get(BE64, at + 8L * w), k.get(BE64, off + 8L * w));
      }
      if (c == 0) {
        return true;
      }
      if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return false;
  }
}
