package io.cairn.format;

/** Fuzzes {@link PackFormat#parse}; seeds in {@code PackFormatFuzzTestInputs/<method>/}. */
class PackFormatFuzzTest extends FramedParserFuzzTest {
  private static final ParserTarget TARGET = FormatTargets.pack();

  @Override
  ParserTarget target() {
    return TARGET;
  }
}
