package io.cairn.format;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The four fuzz targets every checksummed object parser gets. A subclass names the parser; a
 * target passes when the parser succeeds or throws a {@link CairnException}, and
 * {@link ParserTarget} fails it on anything else. Without JAZZER_FUZZ=1 the seeds in
 * {@code <Subclass>Inputs/<method>/} run as regression tests.
 */
abstract class FramedParserFuzzTest {
  abstract ParserTarget target();

  /** Arbitrary bytes; without fuzzing feedback these rarely get past magic and checksum. */
  @FuzzTest(maxDuration = "60s")
  void arbitraryBytes(byte[] data) {
    target().run(data);
  }

  /** Arbitrary bytes wrapped in a valid header and checksum, straight into the body parser. */
  @FuzzTest(maxDuration = "60s")
  void arbitraryBody(byte[] body) {
    target().runWrapped(body);
  }

  /** Edits of valid encodings, checksum untouched: the integrity check must reject them cleanly. */
  @FuzzTest(maxDuration = "60s")
  void mutatedSample(FuzzedDataProvider data) {
    target().runMutant(Choices.of(data), false);
  }

  /** Edits of valid encodings with the checksum recomputed, so they reach the body parser. */
  @FuzzTest(maxDuration = "60s")
  void mutatedSampleResealed(FuzzedDataProvider data) {
    target().runMutant(Choices.of(data), true);
  }
}
