package io.cairn.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.format.Id;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdSetFileTest {
  @TempDir Path tmp;

  @Test
  void findsWholeIdsAndPrefixesOfEveryWidth() {
    Random r = new Random(3);
    List<Id> ids = new ArrayList<>();
    try (IdSetFile set = new IdSetFile(tmp)) {
      for (int i = 0; i < 5000; i++) {
        byte[] b = new byte[Id.LENGTH];
        r.nextBytes(b);
        Id id = Id.of(b);
        ids.add(id);
        set.add(id);
        set.add(id); // duplicates collapse
      }
      set.seal();
      assertThat(set.size()).isEqualTo(5000);
      for (Id id : ids) {
        assertThat(set.contains(id)).isTrue();
        for (int w = 8; w <= Id.LENGTH; w += 8) {
          assertThat(set.containsPrefix(id.bytes(), 0, w)).isTrue();
        }
        byte[] other = id.bytes().clone();
        other[31] ^= 1; // differs in the last byte only: a prefix match, not an id match
        assertThat(set.contains(Id.of(other))).isFalse();
        assertThat(set.containsPrefix(other, 0, 24)).isTrue();
        assertThat(set.containsPrefix(other, 0, 32)).isFalse();
        other[7] ^= 1;
        assertThat(set.containsPrefix(other, 0, 8)).isFalse();
      }
      byte[] at = new byte[40];
      System.arraycopy(ids.get(9).bytes(), 0, at, 8, 32);
      assertThat(set.containsPrefix(at, 8, 16)).isTrue();
      assertThatThrownBy(() -> set.containsPrefix(at, 0, 12)).isInstanceOf(IllegalArgumentException.class);
      assertThat(set.containsPrefix(HexFormat.of().parseHex("00".repeat(8)), 0, 8)).isFalse();
    }
  }
}
