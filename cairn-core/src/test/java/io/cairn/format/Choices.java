package io.cairn.format;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.Random;

/**
 * Where {@link Mutations} gets its decisions: Jazzer's data provider while fuzzing (so the
 * fuzzer steers the mutations), a seeded {@link Random} in plain JUnit runs.
 */
@FunctionalInterface
public interface Choices {
  /** A value in {@code [0, bound)}; {@code bound} is positive. */
  int pick(int bound);

  /** Once the fuzzer's data is used up every pick is 0, which {@link Mutations} reads as "stop". */
  static Choices of(FuzzedDataProvider data) {
    return bound -> data.consumeInt(0, bound - 1);
  }

  static Choices of(Random random) {
    return random::nextInt;
  }
}
