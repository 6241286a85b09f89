package io.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.format.Id;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class HandleTest {
  private static final Id ID = Id.parse("ab" + "0123456789abcdef".repeat(3) + "0123456789abcd");

  @ParameterizedTest
  @EnumSource(Handle.Kind.class)
  void everyKindsKeyParsesBackToItsHandle(Handle.Kind kind) {
    Handle h = kind == Handle.Kind.CONFIG ? Handle.CONFIG : Handle.of(kind, ID);

    assertThat(StoreKeys.isValid(h.key())).isTrue();
    assertThat(Handle.parse(h.key())).contains(h);
    assertThat(Handle.kindOf(h.key())).contains(kind);
    assertThat(h.key()).startsWith(kind.prefix());
  }

  @Test
  void theLayoutIsTheDocumentedOne() {
    assertThat(Handle.of(Handle.Kind.PACK, ID).key()).isEqualTo("data/ab/" + ID.hex());
    assertThat(Handle.of(Handle.Kind.SNAPSHOT, ID).key()).isEqualTo("snapshots/" + ID.hex());
    assertThat(Handle.CONFIG.key()).isEqualTo("config");
    assertThat(StoreKeys.pack(ID)).isEqualTo("data/ab/" + ID.hex());
  }

  @ParameterizedTest
  @ValueSource(strings = {"data/cd/ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd",
      "data/ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd",
      "keys/x/ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd",
      "snapshots/readme", "index/ab", "configs", "config/x", "other/ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"})
  void anythingButTheOneFormIsNoObject(String key) {
    assertThat(Handle.parse(key)).isEmpty();
  }

  @Test
  void onlyPacksIndexSegmentsAndSnapshotsAreCheckedByName() {
    assertThat(StoreKeys.isContentAddressed(StoreKeys.pack(ID))).isTrue();
    assertThat(StoreKeys.isContentAddressed(StoreKeys.index(ID))).isTrue();
    assertThat(StoreKeys.isContentAddressed(StoreKeys.snapshot(ID))).isTrue();
    assertThat(StoreKeys.isContentAddressed(StoreKeys.key(ID))).isFalse();
    assertThat(StoreKeys.isContentAddressed(StoreKeys.session(ID))).isFalse();
    assertThat(StoreKeys.isContentAddressed("config")).isFalse();
    assertThat(StoreKeys.isContentAddressed("data/zz/x")).isFalse();
  }
}
