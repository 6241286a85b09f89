package io.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The whole store contract through {@link RetryingStore} over a store that fails transiently
 * about a quarter of the writes, half of those after doing the work (the answer lost), and an
 * eighth of the reads: retried, every answer is still exact.
 */
class RetryingStoreTest extends RawStoreConformanceTest {
  private FaultInjectingStore flaky;

  @Override
  protected BlobStore newStore(Path tempDir) {
    flaky = FaultInjectingStore.wrap(new FileSystemStore(tempDir.resolve("repo"))).flaky(0.25, 42);
    return new RetryingStore(flaky, Duration.ofMinutes(1), RetryingStore.Listener.NONE, Clock.systemUTC(), d -> { });
  }

  @Test
  void faultsWereInjectedAndRetried() {
    for (int i = 0; i < 50; i++) {
      assertThat(store.putIfAbsent("index/i" + i, payload(i, 10))).isTrue();
      assertThat(store.putIfAbsent("index/i" + i, payload(i + 1000, 10))).isFalse();
      assertThat(store.get("index/i" + i)).isEqualTo(payload(i, 10));
    }
    assertThat(flaky.faultsInjected()).isGreaterThan(5);
  }

  @Test
  void aPutWhoseAnswerWasLostCountsAsTheCallersWrite() {
    FaultInjectingStore alwaysAfter = FaultInjectingStore.wrap(new FileSystemStore(tempDir.resolve("lost")));
    List<String> told = new ArrayList<>();
    RetryingStore r = new RetryingStore(new LoseFirstAnswer(alwaysAfter), Duration.ofMinutes(1),
        new RetryingStore.Listener() {
          @Override
          public void retrying(String location, String reason, Instant giveUpAt) {
            told.add("retrying: " + reason);
          }

          @Override
          public void recovered(String location, int attempts) {
            told.add("recovered after " + attempts);
          }
        }, Clock.systemUTC(), d -> { });

    assertThat(r.putIfAbsent("keys/k1", payload(1, 10))).isTrue();
    // A different object under the same name is somebody else's, even after a retry.
    assertThat(r.putIfAbsent("keys/k1", payload(2, 10))).isFalse();
    assertThat(told).containsExactly("retrying: lost", "recovered after 1", "retrying: lost", "recovered after 1");
  }

  @Test
  void theBudgetEndsRetriesWithAMessageThatSaysWhatToDo() {
    io.cairn.HandClock clock = new io.cairn.HandClock(Instant.parse("2026-12-07T10:00:00Z"));
    List<Duration> pauses = new ArrayList<>();
    FaultInjectingStore down = FaultInjectingStore.wrap(new FileSystemStore(tempDir.resolve("down"))).flaky(2.0, 1);
    RetryingStore r = new RetryingStore(down, Duration.ofSeconds(60), RetryingStore.Listener.NONE, clock, d -> {
      pauses.add(d);
      clock.advance(d);
    });

    assertThatThrownBy(() -> r.get("config")).isInstanceOf(StoreException.class)
        .isNotInstanceOf(TransientStoreException.class)
        .hasMessageContaining("did not answer within 60 s").hasMessageContaining("run the command again");
    // Exponential backoff from 250 ms, with up to half again of jitter, capped at 15 s (+ jitter).
    assertThat(pauses.getFirst()).isBetween(Duration.ofMillis(250), Duration.ofMillis(375));
    assertThat(pauses.get(3)).isBetween(Duration.ofMillis(2000), Duration.ofMillis(3000));
    assertThat(pauses).allMatch(p -> p.compareTo(Duration.ofMillis(22_500)) <= 0);
    assertThat(pauses.stream().reduce(Duration.ZERO, Duration::plus)).isLessThanOrEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void refusalsAreNotRetried() {
    int[] calls = {0};
    BlobStore refusing = new ForwardingStore(new FileSystemStore(tempDir.resolve("r"))) {
      @Override
      public byte[] get(String key) {
        calls[0]++;
        throw new StoreException(key, "HTTP 403 AccessDenied", null);
      }
    };
    RetryingStore r = new RetryingStore(refusing, Duration.ofMinutes(1), RetryingStore.Listener.NONE,
        Clock.systemUTC(), d -> { });

    assertThatThrownBy(() -> r.get("config")).hasMessageContaining("403");
    assertThat(calls[0]).isEqualTo(1);
  }

  /** Stores, then fails once per key with a transient error, as if the answer had been lost. */
  private static final class LoseFirstAnswer extends ForwardingStore {
    private final java.util.Set<String> lost = new java.util.HashSet<>();

    LoseFirstAnswer(BlobStore delegate) {
      super(delegate);
    }

    @Override
    public boolean putIfAbsent(String key, byte[] data, int length) {
      boolean r = super.putIfAbsent(key, data, length);
      if (lost.add(key + java.util.Arrays.hashCode(data))) {
        throw new TransientStoreException(key, "lost", null);
      }
      return r;
    }
  }
}
