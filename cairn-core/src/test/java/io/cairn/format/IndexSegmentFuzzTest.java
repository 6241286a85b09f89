package io.cairn.format;

/** Fuzzes {@link IndexSegment#open}; seeds in {@code IndexSegmentFuzzTestInputs/<method>/}. */
class IndexSegmentFuzzTest extends FramedParserFuzzTest {
  private static final ParserTarget TARGET = FormatTargets.indexSegment();

  @Override
  ParserTarget target() {
    return TARGET;
  }
}
