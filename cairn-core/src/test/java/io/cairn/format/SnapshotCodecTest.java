package io.cairn.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SnapshotCodecTest {
  private static final byte[] ENV = FormatSamples.envelope(null, null).toJsonBytes();

  private static Id id(String hex) {
    return Id.of(HexFormat.of().parseHex(hex));
  }

  @Test
  void listsEachPrefixOnceAndMatchesEveryIdWithIt() {
    Id a = id("1111111111111111" + "aa".repeat(24));
    Id b = id("1111111111111111" + "bb".repeat(24)); // same first 8 bytes as a
    Id c = id("2222222222222222" + "00".repeat(24));
    byte[] obj = SnapshotCodec.encode(ENV, new byte[28], List.of(c, b, a, a));
    SnapshotCodec.Decoded d = SnapshotCodec.decode(obj, "t");
    assertThat(d.refWidth()).isEqualTo(SnapshotCodec.REF_WIDTH);
    assertThat(d.refCount()).isEqualTo(2);
    assertThat(d.mayReference(a)).isTrue();
    assertThat(d.mayReference(b)).isTrue();
    assertThat(d.mayReference(c)).isTrue();
    assertThat(d.mayReference(id("1111111111111112" + "aa".repeat(24)))).isFalse();
    assertThat(d.mayReference(id("00".repeat(32)))).isFalse();
    assertThat(SnapshotCodec.refKey(a)).isEqualTo(SnapshotCodec.refKey(b)).isNotEqualTo(SnapshotCodec.refKey(c));
  }

  @Test
  void aReferenceCostsEightBytes() {
    Random r = new Random(1);
    List<Id> refs = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      byte[] b = new byte[Id.LENGTH];
      r.nextBytes(b);
      refs.add(Id.of(b));
    }
    byte[] obj = SnapshotCodec.encode(ENV, new byte[28], refs);
    assertThat(obj.length).isBetween(80_000, 80_000 + ENV.length + 28 + 64);
    SnapshotCodec.Decoded d = SnapshotCodec.decode(obj, "t");
    assertThat(d.refCount()).isEqualTo(10_000);
    assertThat(refs).allMatch(d::mayReference);
  }

  @Test
  void versionOneObjectsListWholeIds() {
    Id a = id("1111111111111111" + "aa".repeat(24));
    Id b = id("1111111111111111" + "bb".repeat(24));
    byte[] obj = FormatSamples.snapshotV1(ENV, new byte[28], List.of(b, a));
    SnapshotCodec.Decoded d = SnapshotCodec.decode(obj, "t");
    assertThat(d.refWidth()).isEqualTo(Id.LENGTH);
    assertThat(d.refCount()).isEqualTo(2);
    assertThat(d.mayReference(a)).isTrue();
    assertThat(d.mayReference(b)).isTrue();
    assertThat(d.mayReference(id("1111111111111111" + "cc".repeat(24)))).isFalse();
  }

  @Test
  void aWidthThatIsNotAWholeNumberOfWordsIsRejected() {
    byte[] good = SnapshotCodec.encode(ENV, new byte[28], List.of(id("33".repeat(32))));
    for (int bad : new int[] {0, 7, 12, 40}) {
      ByteWriter w = Frame.begin(SnapshotCodec.MAGIC, SnapshotCodec.VERSION);
      w.u32(ENV.length).bytes(ENV);
      w.u32(28).bytes(new byte[28]);
      w.u8(bad);
      w.u32(0);
      byte[] obj = Frame.finish(w);
      assertThatThrownBy(() -> SnapshotCodec.decode(obj, "s")).isInstanceOf(CorruptObjectException.class)
          .hasMessageContaining("reference width");
    }
    assertThat(SnapshotCodec.decode(good, "s").refCount()).isEqualTo(1);
  }

  @Test
  void unsortedPrefixesAreRejected() {
    ByteWriter w = Frame.begin(SnapshotCodec.MAGIC, SnapshotCodec.VERSION);
    w.u32(ENV.length).bytes(ENV);
    w.u32(28).bytes(new byte[28]);
    w.u8(8);
    w.u32(2);
    w.bytes(HexFormat.of().parseHex("2222222222222222" + "1111111111111111"));
    byte[] obj = Frame.finish(w);
    assertThatThrownBy(() -> SnapshotCodec.decode(obj, "s")).hasMessageContaining("not strictly sorted");
  }
}
