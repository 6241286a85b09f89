package io.cairn.format;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link TreeCodec#decode}. Trees have no checksum of their own (the blob's AEAD
 * authenticates them), so arbitrary bytes reach the decoder directly. A target passes when the
 * decoder succeeds or throws a {@link CairnException}. Without JAZZER_FUZZ=1 the seeds in
 * {@code TreeCodecFuzzTestInputs/<method>/} run as regression tests.
 */
class TreeCodecFuzzTest {
  private static final ParserTarget TARGET = FormatTargets.tree();

  @FuzzTest(maxDuration = "60s")
  void arbitraryBytes(byte[] data) {
    TARGET.run(data);
  }

  /** Edits of valid trees: names out of order, overlong varints, truncated ids. */
  @FuzzTest(maxDuration = "60s")
  void mutatedSample(FuzzedDataProvider data) {
    TARGET.runMutant(Choices.of(data), false);
  }
}
