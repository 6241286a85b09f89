package io.cairn.repository;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cairn.format.Choices;
import io.cairn.format.ParserTarget;

/**
 * Fuzzes {@link BlobCodec#open}. Ciphertext inputs exercise the AEAD envelope; sealed
 * plaintext inputs (encrypted with the real key by the harness) reach the encoding byte and the
 * zstd decoder. A target passes when open succeeds or throws a CairnException. Without
 * JAZZER_FUZZ=1 the seeds in {@code BlobCodecFuzzTestInputs/<method>/} run as regression tests.
 * The key is generated per run, so ciphertext seeds can only be mutation recipes.
 */
class BlobCodecFuzzTest {
  private static final ParserTarget CIPHERTEXT = BlobCodecTargets.ciphertext();
  private static final ParserTarget PLAINTEXT = BlobCodecTargets.plaintext();

  @FuzzTest(maxDuration = "60s")
  void arbitraryCiphertext(byte[] data) {
    CIPHERTEXT.run(data);
  }

  /** Edits of sealed blobs: authentication must reject them with a typed exception. */
  @FuzzTest(maxDuration = "60s")
  void mutatedCiphertext(FuzzedDataProvider data) {
    CIPHERTEXT.runMutant(Choices.of(data), false);
  }

  /** Arbitrary authenticated plaintext: encoding byte, then a stored or zstd payload. */
  @FuzzTest(maxDuration = "60s")
  void arbitraryPlaintext(byte[] plain) {
    PLAINTEXT.run(plain);
  }

  /** Edits of valid stored and zstd encodings, sealed after mutation. */
  @FuzzTest(maxDuration = "60s")
  void mutatedPlaintext(FuzzedDataProvider data) {
    PLAINTEXT.runMutant(Choices.of(data), false);
  }
}
