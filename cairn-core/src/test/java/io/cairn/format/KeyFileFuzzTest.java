package io.cairn.format;

/** Fuzzes {@link KeyFile#decode}; seeds in {@code KeyFileFuzzTestInputs/<method>/}. */
class KeyFileFuzzTest extends FramedParserFuzzTest {
  private static final ParserTarget TARGET = FormatTargets.keyFile();

  @Override
  ParserTarget target() {
    return TARGET;
  }
}
