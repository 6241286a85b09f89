package io.cairn.store;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a client decides to trust a vault server. A vault usually runs with a self-signed
 * certificate that no CA vouches for, so the client is given the certificate's fingerprint (the
 * server prints it at startup) and accepts exactly that certificate: a pin is stronger than CA
 * validation, because no other certificate, however well signed, is accepted. Without a pin the
 * JDK's normal CA validation and hostname verification apply, for vaults behind a certificate
 * from a public CA.
 *
 * <p>A pin is {@code sha256:} followed by the lowercase hex SHA-256 of the server certificate's
 * DER encoding; {@link #fingerprint} computes it, and the server uses the same method so the two
 * sides can never disagree.
 */
public final class PinnedTrust {
  /** The prefix of every pin; names the hash so that another one could be added later. */
  public static final String PREFIX = "sha256:";
  private static final Pattern PLAIN = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern COLONS = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){31}");
  private static final HexFormat HEX = HexFormat.of();

  private PinnedTrust() {}

  /**
   * The TLS context for a client of a vault server. With a null or blank pin, the JDK default
   * (CA validation with hostname verification); otherwise one that accepts only the server
   * certificate whose fingerprint is {@code pin}, in any form {@link #normalise} accepts. With
   * a pin the host name is deliberately not checked: the pin already names the one certificate
   * to accept, whatever address the client used to reach the server.
   *
   * @throws IllegalArgumentException when the pin is not a fingerprint
   */
  public static SSLContext context(String pin) {
    try {
      if (pin == null || pin.isBlank()) {
        return SSLContext.getDefault();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustManager(pin)}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot create a TLS context: " + e.getMessage(), e);
    }
  }

  /** The trust manager that {@link #context} installs for a pin; package-private for tests. */
  static X509ExtendedTrustManager trustManager(String pin) {
    return new PinTrustManager(normalise(pin));
  }

  /** {@code sha256:} and the lowercase hex SHA-256 of the certificate's DER encoding. */
  public static String fingerprint(X509Certificate certificate) {
    try {
      return PREFIX + HEX.formatHex(sha256(certificate));
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("cannot encode certificate " + certificate.getSubjectX500Principal()
          + " to compute its fingerprint: " + e.getMessage(), e);
    }
  }

  /**
   * The canonical form of a pin: {@code sha256:} and 64 lowercase hex digits. Also accepts
   * uppercase digits, a {@code SHA256:} prefix and the colon-separated pairs that
   * {@code openssl x509 -noout -fingerprint -sha256} prints ({@code sha256:AB:CD:...}),
   * with surrounding blanks.
   *
   * @throws IllegalArgumentException for anything else, saying the expected form
   */
  public static String normalise(String pin) {
    if (pin == null) {
      throw new IllegalArgumentException("no certificate pin given; " + expected());
    }
    String p = pin.strip().toLowerCase(Locale.ROOT);
    if (p.startsWith(PREFIX)) {
      String hex = p.substring(PREFIX.length());
      if (PLAIN.matcher(hex).matches()) {
        return PREFIX + hex;
      }
      if (COLONS.matcher(hex).matches()) {
        return PREFIX + hex.replace(":", "");
      }
    }
    throw new IllegalArgumentException("'" + abbreviate(pin.strip()) + "' is not a certificate pin; " + expected());
  }

  private static String expected() {
    return "expected sha256: followed by the 64 hex digits of the server certificate's SHA-256 fingerprint, "
        + "as the vault server prints at startup (e.g. sha256:3f9a...), or openssl's form sha256:3F:9A:...";
  }

  private static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }

  private static byte[] sha256(X509Certificate certificate) throws CertificateEncodingException {
    try {
      return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
    }
  }

  /**
   * Accepts a server exactly when its leaf certificate hashes to the pin. Extends
   * {@link X509ExtendedTrustManager} so that the JDK uses it as is rather than wrapping it with
   * its own hostname and algorithm checks.
   */
  private static final class PinTrustManager extends X509ExtendedTrustManager {
    private final String pin;
    private final byte[] expected;

    PinTrustManager(String normalisedPin) {
      this.pin = normalisedPin;
      this.expected = HEX.parseHex(normalisedPin.substring(PREFIX.length()));
    }

    private void check(X509Certificate[] chain) throws CertificateException {
      if (chain == null || chain.length == 0 || chain[0] == null) {
        throw new CertificateException("the server sent no certificate, so it cannot match the pinned fingerprint "
            + pin + "; check that the address points at the vault server");
      }
      byte[] actual = sha256(chain[0]);
      if (!MessageDigest.isEqual(actual, expected)) {
        throw new CertificateException("server certificate " + PREFIX + HEX.formatHex(actual)
            + " does not match the pinned fingerprint " + pin
            + "; if the server's certificate was replaced, get the new fingerprint from its operator");
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      check(chain);
    }

    private static CertificateException noClients() {
      return new CertificateException("a pinned-certificate context only verifies vault servers; "
          + "it cannot authenticate clients: use a server-side TLS context for that");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw noClients();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw noClients();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw noClients();
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
