package io.cairn.format;

/** Fuzzes {@link SnapshotCodec#decode}; seeds in {@code SnapshotCodecFuzzTestInputs/<method>/}. */
class SnapshotCodecFuzzTest extends FramedParserFuzzTest {
  private static final ParserTarget TARGET = FormatTargets.snapshot();

  @Override
  ParserTarget target() {
    return TARGET;
  }
}
