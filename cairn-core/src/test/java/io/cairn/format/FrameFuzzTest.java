package io.cairn.format;

/** Fuzzes {@link Frame#open}; seeds in {@code FrameFuzzTestInputs/<method>/}. */
class FrameFuzzTest extends FramedParserFuzzTest {
  private static final ParserTarget TARGET = FormatTargets.frame();

  @Override
  ParserTarget target() {
    return TARGET;
  }
}
