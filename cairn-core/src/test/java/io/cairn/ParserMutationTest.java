package io.cairn;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.format.Choices;
import io.cairn.format.FormatTargets;
import io.cairn.format.ParserTarget;
import io.cairn.repository.BlobCodecTargets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fuzz targets' property checked without Jazzer: seeded random inputs and mutants of valid
 * encodings make every parser either succeed or throw a CairnException. Fixed seeds keep
 * failures reproducible; the failure message carries the offending input in hex.
 */
class ParserMutationTest {
  private static final int ITERATIONS = 2000;

  static Stream<ParserTarget> targets() {
    List<ParserTarget> all = new ArrayList<>(FormatTargets.all());
    all.addAll(BlobCodecTargets.all());
    return all.stream();
  }

  static Stream<ParserTarget> resealableTargets() {
    return targets().filter(t -> t.reseal() != null);
  }

  static Stream<ParserTarget> wrappableTargets() {
    return targets().filter(t -> t.wrap() != null);
  }

  private static Random random(ParserTarget t, int variant) {
    return new Random(t.name().hashCode() * 31L + variant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void validSamplesParse(ParserTarget t) {
    for (byte[] sample : t.validSamples()) {
      assertThat(t.run(sample)).as("%s on a valid sample", t).isNull();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void arbitraryBytesFailTyped(ParserTarget t) {
    Random r = random(t, 1);
    for (int i = 0; i < ITERATIONS; i++) {
      byte[] data = new byte[r.nextInt(300)];
      r.nextBytes(data);
      // Half the inputs start like a valid object, so they get past the magic check.
      byte[] sample = t.validSamples().get(r.nextInt(t.validSamples().size()));
      if (r.nextBoolean()) {
        System.arraycopy(sample, 0, data, 0, Math.min(8, Math.min(sample.length, data.length)));
      }
      t.run(data);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("targets")
  void mutantsFailTyped(ParserTarget t) {
    Random r = random(t, 2);
    for (int i = 0; i < ITERATIONS; i++) {
      t.runMutant(Choices.of(r), false);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("resealableTargets")
  void resealedMutantsReachTheBodyParser(ParserTarget t) {
    Random r = random(t, 3);
    int parsed = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      // runMutant fails if a resealed mutant still trips the checksum.
      if (t.runMutant(Choices.of(r), true) == null) {
        parsed++;
      }
    }
    // Some edits are harmless (a flipped byte in a blob or a JSON string), so a fraction parses.
    assertThat(parsed).as("mutants of %s that parsed", t).isPositive();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrappableTargets")
  void wrappedArbitraryBytesFailTyped(ParserTarget t) {
    Random r = random(t, 4);
    for (int i = 0; i < ITERATIONS; i++) {
      byte[] payload = new byte[r.nextInt(200)];
      r.nextBytes(payload);
      // runWrapped fails if the wrapped input trips the integrity check.
      t.runWrapped(payload);
    }
  }
}
