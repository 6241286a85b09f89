package io.cairn.crypto;

/**
 * Argon2id cost parameters. The default is RFC 9106's second recommended option (64 MiB, t=3,
 * p=4): libargon2 computes the four lanes on parallel threads, so the derivation takes about
 * half the time of one lane on a two-core machine for the same memory and work (the Java
 * fallback computes them one after another, as fast as one lane). Key files written before
 * used p=1; parameters are stored per key file. Tests use a cheaper setting through
 * {@code CAIRN_KDF_MEMORY_KIB}.
 */
public record KdfParams(int memoryKiB, int iterations, int parallelism) {
  public static final KdfParams DEFAULT = new KdfParams(64 * 1024, 3, 4);

  public KdfParams {
    if (memoryKiB < 8 || iterations < 1 || parallelism < 1) {
      throw new IllegalArgumentException("argon2id needs memory >= 8 KiB, iterations >= 1, parallelism >= 1");
    }
  }

  /**
   * DEFAULT, or a cheaper cost from {@code CAIRN_KDF_MEMORY_KIB} (or the system property
   * {@code cairn.kdf.memoryKiB}) for tests and throwaway repositories.
   */
  public static KdfParams fromEnvironment() {
    String m = System.getenv("CAIRN_KDF_MEMORY_KIB");
    if (m == null) {
      m = System.getProperty("cairn.kdf.memoryKiB");
    }
    if (m == null || m.isBlank()) {
      return DEFAULT;
    }
    try {
      return new KdfParams(Integer.parseInt(m.trim()), 1, 1);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("CAIRN_KDF_MEMORY_KIB must be a number of KiB, got '" + m + "'", e);
    }
  }
}
