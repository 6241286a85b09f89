package io.cairn.format;

/** Fuzzes {@link RepositoryConfig#decode}; seeds in {@code RepositoryConfigFuzzTestInputs/<method>/}. */
class RepositoryConfigFuzzTest extends FramedParserFuzzTest {
  private static final ParserTarget TARGET = FormatTargets.config();

  @Override
  ParserTarget target() {
    return TARGET;
  }
}
