package io.cairn.format;

import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A parser of repository objects under test, with the property every fuzz and mutation test
 * checks: on any input it either succeeds or throws a {@link CairnException}; anything else
 * (an index error, a NullPointerException, an OutOfMemoryError) is a bug.
 *
 * @param name shown in failures
 * @param validSamples well-formed encodings that mutants start from; each must parse
 * @param parser parses one input and touches what it returned (a lazy reader fails late)
 * @param reseal repairs the integrity check after a mutation, or null when there is none
 * @param wrap turns arbitrary bytes into an input that passes the integrity check, or null
 */
public record ParserTarget(String name, List<byte[]> validSamples, Consumer<byte[]> parser,
    UnaryOperator<byte[]> reseal, UnaryOperator<byte[]> wrap) {

  public ParserTarget {
    validSamples = List.copyOf(validSamples);
    if (validSamples.isEmpty()) {
      throw new IllegalArgumentException(name + " needs at least one valid sample");
    }
  }

  /**
   * Parses {@code input}.
   *
   * @return null when it parsed, else the typed failure
   * @throws AssertionError when the parser failed with anything but a {@link CairnException}
   */
  public CairnException run(byte[] input) {
    try {
      parser.accept(input);
      return null;
    } catch (CairnException e) {
      return e;
    } catch (RuntimeException | Error e) {
      throw new AssertionError(name + " threw " + e + " instead of a CairnException on "
          + describe(input), e);
    }
  }

  /**
   * Parses a mutant of one of the valid samples. A resealed mutant must get past the integrity
   * check: failing it would mean the fuzzer never reaches the body parser.
   */
  public CairnException runMutant(Choices c, boolean resealed) {
    byte[] base = validSamples.get(c.pick(validSamples.size()));
    byte[] mutant = Mutations.mutate(base, c);
    return resealed ? pastIntegrityCheck(run(reseal.apply(mutant))) : run(mutant);
  }

  /** Parses arbitrary bytes wrapped so that they pass the integrity check. */
  public CairnException runWrapped(byte[] payload) {
    return pastIntegrityCheck(run(wrap.apply(payload)));
  }

  private CairnException pastIntegrityCheck(CairnException e) {
    if (e != null && isIntegrityFailure(e)) {
      throw new AssertionError(name + ": a resealed or wrapped input failed its integrity check", e);
    }
    return e;
  }

  /**
   * True for failures of the integrity check itself, which a resealed mutant must never hit.
   * Only the start of the detail counts: other details quote input, which the fuzzer controls
   * (it did put "checksum mismatch" into a timestamp).
   */
  public static boolean isIntegrityFailure(CairnException e) {
    if (!(e instanceof CorruptObjectException c)) {
      return false;
    }
    String detail = String.valueOf(c.getMessage()).substring(c.resource().length() + 2);
    return detail.startsWith("checksum mismatch") || detail.startsWith("pack header checksum mismatch")
        || detail.startsWith("authentication failed");
  }

  private static String describe(byte[] input) {
    int shown = Math.min(input.length, 512);
    return input.length + " bytes: " + HexFormat.of().formatHex(input, 0, shown)
        + (shown < input.length ? "..." : "");
  }

  @Override
  public String toString() {
    return name;
  }
}
