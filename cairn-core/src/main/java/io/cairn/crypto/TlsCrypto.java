package io.cairn.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Security;

/**
 * Native cryptography for TLS. The JDK's TLS (JSSE) encrypts every record with AES-GCM and
 * hashes with SHA-256 through the security providers; the JDK's own code for them is fast only
 * once C2 has compiled it, which a short-lived command on C1 never reaches (an agent sent about
 * 23 MB/s to a server that way) and which even then costs a server more CPU per byte received than
 * native code. {@link #prefer} puts the Amazon Corretto Crypto Provider (AWS-LC, in native code)
 * first, so that JSSE and the S3 client get its AES-GCM, SHA-2 and HMAC; the bytes are the same
 * by the standards, only the speed differs. The repository's own cryptography does not change:
 * it calls libcrypto itself or names the JDK's providers (SunJCE, SUN).
 *
 * <p>Called where an agent's TLS starts ({@link io.cairn.store.HttpStore}, {@link
 * io.cairn.store.S3Store#open} of an https bucket), not at every start-up: loading the provider
 * costs about 120 ms, which a command on a local repository need not pay. The vault server does
 * not call it (its bucket client is {@code S3Store.client}): on C2 the JDK's AES-GCM already runs
 * on the CPU's AES instructions, and no gain was measured (docs/benchmarks.md). When the library
 * cannot load (another platform) or the system property {@code cairn.crypto.java} or {@code
 * cairn.tls.java} is true, the JDK's providers serve as before.
 */
public final class TlsCrypto {
  private static volatile Boolean active;

  private TlsCrypto() {}

  /** Puts the native provider first, once; whether it serves. */
  public static boolean prefer() {
    Boolean a = active;
    if (a == null) {
      synchronized (TlsCrypto.class) {
        a = active;
        if (a == null) {
          a = install();
          active = a;
        }
      }
    }
    return a;
  }

  /** Whether {@link #prefer} put the native provider first. */
  public static boolean active() {
    return Boolean.TRUE.equals(active);
  }

  private static boolean install() {
    if (Boolean.getBoolean("cairn.crypto.java") || Boolean.getBoolean("cairn.tls.java")) {
      return false;
    }
    try {
      AmazonCorrettoCryptoProvider p = AmazonCorrettoCryptoProvider.INSTANCE;
      if (p.getLoadingError() != null) {
        return false;
      }
      p.assertHealthy();
      Security.insertProviderAt(p, 1);
      return true;
    } catch (Throwable e) {
      // not this platform, or its self-test failed: the JDK providers serve
      Security.removeProvider("AmazonCorrettoCryptoProvider");
      return false;
    }
  }
}
