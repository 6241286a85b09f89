package io.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PinnedTrustTest {
  /** A self-signed P-256 certificate made with {@code openssl req -x509}. */
  private static final String CERTIFICATE = """
      -----BEGIN CERTIFICATE-----
      MIIBjzCCATWgAwIBAgIUOuEfct4MoaEUbKDR+HTjrO1oNz8wCgYIKoZIzj0EAwIw
      HDEaMBgGA1UEAwwRcGlubmVkLXRydXN0LXRlc3QwIBcNMjYxMTIzMDMxNTUyWhgP
      MjEyNjEwMzAwMzE1NTJaMBwxGjAYBgNVBAMMEXBpbm5lZC10cnVzdC10ZXN0MFkw
      EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAESZCJ23nCacy1f8RmL7c+rTGlZ3UnfcCi
      wxZS3meGfHLQSRnwEsAXxOYBaSa8CyUzHuFk23Jln0yrWqJ+tVOeSqNTMFEwHQYD
      VR0OBBYEFFNxcSOypugh27ZUhSURGL6WxOLXMB8GA1UdIwQYMBaAFFNxcSOypugh
      27ZUhSURGL6WxOLXMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIh
      AMMLn0XyTWxeEvMrV/xbUJD4TGIrtpPrfBhcvlHOVjvNAiAQyUn3lCL/RX5RQqI/
      t2HauJq2iZHXz3A/uis/gnOOdg==
      -----END CERTIFICATE-----
      """;
  /** What {@code openssl x509 -noout -fingerprint -sha256} prints for it, after the '='. */
  private static final String OPENSSL_FINGERPRINT =
      "31:6E:EF:3B:90:24:76:2C:DA:CE:D0:9F:27:56:00:B4:7A:97:EB:2D:05:64:45:15:10:FB:70:BC:09:FA:2A:07";
  private static final String PIN = "sha256:316eef3b9024762cdaced09f275600b47a97eb2d0564451510fb70bc09fa2a07";
  private static final String OTHER_PIN = "sha256:" + "ab".repeat(32);

  private static X509Certificate certificate() throws CertificateException {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(CERTIFICATE.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void fingerprintIsTheSha256OfTheDerEncodingAsOpensslComputesIt() throws Exception {
    assertThat(PinnedTrust.fingerprint(certificate())).isEqualTo(PIN);
  }

  @Test
  void opensslsColonSeparatedUppercaseFormEqualsTheLowercaseForm() {
    assertThat(PinnedTrust.normalise("sha256:" + OPENSSL_FINGERPRINT)).isEqualTo(PIN);
    assertThat(PinnedTrust.normalise("SHA256:" + OPENSSL_FINGERPRINT)).isEqualTo(PIN);
    assertThat(PinnedTrust.normalise(PIN.toUpperCase())).isEqualTo(PIN);
    assertThat(PinnedTrust.normalise("  " + PIN + "\n")).isEqualTo(PIN);
    assertThat(PinnedTrust.normalise(PIN)).isEqualTo(PIN);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "sha256:",
      // no prefix: the hash must be named
      "316eef3b9024762cdaced09f275600b47a97eb2d0564451510fb70bc09fa2a07",
      "31:6E:EF:3B:90:24:76:2C:DA:CE:D0:9F:27:56:00:B4:7A:97:EB:2D:05:64:45:15:10:FB:70:BC:09:FA:2A:07",
      // another hash
      "sha1:316eef3b9024762cdaced09f275600b47a97eb2d",
      // one digit short, one too many, not hex
      "sha256:316eef3b9024762cdaced09f275600b47a97eb2d0564451510fb70bc09fa2a0",
      "sha256:316eef3b9024762cdaced09f275600b47a97eb2d0564451510fb70bc09fa2a070",
      "sha256:316eef3b9024762cdaced09f275600b47a97eb2d0564451510fb70bc09fa2a0g",
      // colons in the wrong places, or only some of them
      "sha256:31:6eef3b9024762cdaced09f275600b47a97eb2d0564451510fb70bc09fa2a07",
      "sha256:316:EEF:3B:90:24:76:2C:DA:CE:D0:9F:27:56:00:B4:7A:97:EB:2D:05:64:45:15:10:FB:70:BC:09:FA:2A:07",
      "sha256:31:6E:EF:3B:90:24:76:2C:DA:CE:D0:9F:27:56:00:B4:7A:97:EB:2D:05:64:45:15:10:FB:70:BC:09:FA:2A:07:",
      "sha256: 316eef3b9024762cdaced09f275600b47a97eb2d0564451510fb70bc09fa2a07",
  })
  void rejectsAnythingElseSayingTheExpectedForm(String pin) {
    assertThatThrownBy(() -> PinnedTrust.normalise(pin))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not a certificate pin")
        .hasMessageContaining("expected sha256: followed by the 64 hex digits");
    if (!pin.isBlank()) {
      assertThatThrownBy(() -> PinnedTrust.context(pin)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void nullIsNotAPin() {
    assertThatThrownBy(() -> PinnedTrust.normalise(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no certificate pin given");
  }

  @Test
  void noPinMeansTheJdkDefaultTrust() throws Exception {
    assertThat(PinnedTrust.context(null)).isSameAs(SSLContext.getDefault());
    assertThat(PinnedTrust.context("  ")).isSameAs(SSLContext.getDefault());
    assertThat(PinnedTrust.context(PIN)).isNotSameAs(SSLContext.getDefault());
  }

  @Test
  void acceptsExactlyThePinnedServerCertificate() throws Exception {
    X509Certificate[] chain = {certificate()};
    X509ExtendedTrustManager pinned = PinnedTrust.trustManager("SHA256:" + OPENSSL_FINGERPRINT);

    assertThatCode(() -> pinned.checkServerTrusted(chain, "ECDHE_ECDSA")).doesNotThrowAnyException();
    assertThatCode(() -> pinned.checkServerTrusted(chain, "ECDHE_ECDSA", (SSLEngine) null))
        .doesNotThrowAnyException();
    assertThatCode(() -> pinned.checkServerTrusted(chain, "ECDHE_ECDSA", (Socket) null))
        .doesNotThrowAnyException();
    assertThat(pinned.getAcceptedIssuers()).isEmpty();

    X509ExtendedTrustManager other = PinnedTrust.trustManager(OTHER_PIN);
    assertThatThrownBy(() -> other.checkServerTrusted(chain, "ECDHE_ECDSA", (SSLEngine) null))
        .isInstanceOf(CertificateException.class)
        .hasMessage("server certificate " + PIN + " does not match the pinned fingerprint " + OTHER_PIN
            + "; if the server's certificate was replaced, get the new fingerprint from its operator");
    assertThatThrownBy(() -> pinned.checkServerTrusted(new X509Certificate[0], "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("sent no certificate");
  }

  @Test
  void neverAcceptsClients() throws Exception {
    X509Certificate[] chain = {certificate()};
    X509ExtendedTrustManager pinned = PinnedTrust.trustManager(PIN);

    assertThatThrownBy(() -> pinned.checkClientTrusted(chain, "EC"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("only verifies vault servers");
    assertThatThrownBy(() -> pinned.checkClientTrusted(chain, "EC", (SSLEngine) null))
        .isInstanceOf(CertificateException.class);
    assertThatThrownBy(() -> pinned.checkClientTrusted(chain, "EC", (Socket) null))
        .isInstanceOf(CertificateException.class);
  }
}
