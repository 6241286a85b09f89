package io.cairn.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cairn.store.PinnedTrust;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final List<String> EXTRA = List.of("vault.example.com", "192.0.2.10", "2001:DB8::1");

  @TempDir
  Path dir;

  // ---- generated, self-signed ----

  @Test
  void generatesOwnerOnlyFilesAndNothingElse() throws Exception {
    Path tls = dir.resolve("state").resolve("tls");

    TlsMaterial material = TlsMaterial.loadOrCreate(tls, EXTRA, CLOCK);

    assertThat(material.selfSigned()).isTrue();
    try (Stream<Path> files = Files.list(tls)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("server.p12", "server.p12.password");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve("server.p12"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve("server.p12.password"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls))).isEqualTo("rwx------");
    assertThat(Files.readAllLines(tls.resolve("server.p12.password")))
        .containsExactly(new String(material.keyStorePassword()));
  }

  @Test
  void generatedCertificateIsAnEcServerCertificateValidForTenYears() throws Exception {
    X509Certificate leaf = TlsMaterial.loadOrCreate(dir, EXTRA, CLOCK).leaf();

    leaf.verify(leaf.getPublicKey());
    assertThat(leaf.getVersion()).isEqualTo(3);
    assertThat(leaf.getSubjectX500Principal().getName()).startsWith("CN=cairn vault ");
    assertThat(leaf.getIssuerX500Principal()).isEqualTo(leaf.getSubjectX500Principal());
    assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(((ECPublicKey) leaf.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
    assertThat(leaf.getNotBefore().toInstant()).isEqualTo(NOW.minus(Duration.ofHours(1)));
    assertThat(leaf.getNotAfter().toInstant()).isEqualTo(Instant.parse("2036-03-01T12:00:00Z"));
    assertThat(leaf.getSerialNumber()).isPositive();
    assertThat(leaf.getSerialNumber().bitLength()).isLessThanOrEqualTo(128);
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getKeyUsage()).containsExactly(true, false, false, false, false, false, false, false, false);
    assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(leaf.getCriticalExtensionOIDs()).containsExactlyInAnyOrder("2.5.29.19", "2.5.29.15");
  }

  @Test
  void twoCertificatesHaveDifferentSerialsAndKeys() {
    TlsMaterial a = TlsMaterial.loadOrCreate(dir.resolve("a"), List.of(), CLOCK);
    TlsMaterial b = TlsMaterial.loadOrCreate(dir.resolve("b"), List.of(), CLOCK);

    assertThat(a.leaf().getSerialNumber()).isNotEqualTo(b.leaf().getSerialNumber());
    assertThat(a.leaf().getPublicKey()).isNotEqualTo(b.leaf().getPublicKey());
    assertThat(a.fingerprint()).isNotEqualTo(b.fingerprint());
  }

  @Test
  void subjectAltNamesCoverLoopbackThisHostAndTheExtraNames() throws Exception {
    X509Certificate leaf = TlsMaterial.loadOrCreate(dir, EXTRA, CLOCK).leaf();

    List<String> names = new ArrayList<>();
    for (List<?> entry : leaf.getSubjectAlternativeNames()) {
      names.add((Integer) entry.get(0) == 2 ? "dns:" + entry.get(1) : "ip:" + entry.get(1));
    }
    assertThat(names).contains("dns:localhost", "dns:vault.example.com", "ip:127.0.0.1",
        "ip:0:0:0:0:0:0:0:1", "ip:192.0.2.10", "ip:2001:db8:0:0:0:0:0:1");
    assertThat(names).doesNotHaveDuplicates();
    String host = hostnameOrNull();
    if (host != null && !host.isBlank()) {
      assertThat(names).contains("dns:" + host.toLowerCase());
    }
  }

  @Test
  void rejectsAnExtraNameThatIsNeitherHostNorAddress() {
    assertThatThrownBy(() -> TlsMaterial.loadOrCreate(dir, List.of("not a host!"), CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'not a host!' is neither a DNS name nor an IP address");
    assertThat(dir.resolve("server.p12")).doesNotExist();
  }

  @Test
  void secondStartLoadsTheSameCertificate() throws Exception {
    TlsMaterial first = TlsMaterial.loadOrCreate(dir, EXTRA, CLOCK);

    TlsMaterial second = TlsMaterial.loadOrCreate(dir, List.of("other.example.com"), Clock.systemUTC());

    assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
    assertThat(second.leaf()).isEqualTo(first.leaf());
    assertThat(second.selfSigned()).isTrue();
    assertThat(second.notAfter()).isEqualTo(first.notAfter());
    assertThat(privateKey(second)).isEqualTo(privateKey(first));
    assertThat(second.serverContext().getProtocol()).isEqualTo("TLS");
  }

  @Test
  void fingerprintIsTheSha256OfTheLeafAsClientsComputeIt() throws Exception {
    TlsMaterial material = TlsMaterial.loadOrCreate(dir, List.of(), CLOCK);

    String expected = "sha256:" + HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(material.leaf().getEncoded()));
    assertThat(material.fingerprint()).isEqualTo(expected).matches("sha256:[0-9a-f]{64}");
    assertThat(PinnedTrust.fingerprint(material.leaf())).isEqualTo(expected);
  }

  @Test
  void keystoreWithoutItsPasswordFileSaysHowToStartOver() {
    TlsMaterial.loadOrCreate(dir, List.of(), CLOCK);
    dir.resolve("server.p12.password").toFile().delete();

    assertThatThrownBy(() -> TlsMaterial.loadOrCreate(dir, List.of(), CLOCK))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("server.p12 exists but its password file " + dir.resolve("server.p12.password")
            + " is missing")
        .hasMessageContaining("to start over, delete");
  }

  // ---- operator-provided PEM files ----

  @Test
  void fromPemUsesAnRsaCertificateWithItsChain() throws Exception {
    KeyPair caKeys = generate("EC", 256);
    X509Certificate ca = certificate("CN=Test CA", caKeys, "CN=Test CA", caKeys, "SHA256withECDSA", true);
    KeyPair serverKeys = generate("RSA", 2048);
    X509Certificate server = certificate("CN=vault.example.com", serverKeys, "CN=Test CA", caKeys,
        "SHA256withECDSA", false);
    Path chain = writePem(dir.resolve("fullchain.pem"), server, ca);
    Path key = writePem(dir.resolve("privkey.pem"), serverKeys.getPrivate());
    assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

    TlsMaterial material = TlsMaterial.fromPem(chain, key);

    assertThat(material.selfSigned()).isFalse();
    assertThat(material.leaf()).isEqualTo(server);
    assertThat(material.fingerprint()).isEqualTo(PinnedTrust.fingerprint(server));
    assertThat(material.notAfter()).isEqualTo(server.getNotAfter().toInstant());
    KeyStore ks = material.keyStore();
    String alias = Collections.list(ks.aliases()).getFirst();
    assertThat(ks.getCertificateChain(alias)).containsExactly(server, ca);
    assertThat(ks.getKey(alias, material.keyStorePassword())).isEqualTo(serverKeys.getPrivate());
  }

  @Test
  void fromPemReadsEcKeysInTraditionalAndPkcs8Form() throws Exception {
    TlsMaterial generated = TlsMaterial.loadOrCreate(dir.resolve("tls"), List.of(), CLOCK);
    PrivateKey key = privateKey(generated);
    Path chain = writePem(dir.resolve("cert.pem"), generated.leaf());
    Path traditional = writePem(dir.resolve("ec.pem"), asOpensslWritesIt(key));
    Path pkcs8 = writePem(dir.resolve("pkcs8.pem"), new JcaPKCS8Generator(key, null));
    assertThat(Files.readString(traditional)).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(Files.readString(pkcs8)).startsWith("-----BEGIN PRIVATE KEY-----");

    assertThat(TlsMaterial.fromPem(chain, traditional).fingerprint()).isEqualTo(generated.fingerprint());
    assertThat(TlsMaterial.fromPem(chain, pkcs8).fingerprint()).isEqualTo(generated.fingerprint());
  }

  @Test
  void fromPemRejectsAKeyThatDoesNotMatchTheCertificate() throws Exception {
    TlsMaterial a = TlsMaterial.loadOrCreate(dir.resolve("a"), List.of(), CLOCK);
    TlsMaterial b = TlsMaterial.loadOrCreate(dir.resolve("b"), List.of(), CLOCK);
    Path chain = writePem(dir.resolve("a-cert.pem"), a.leaf());
    Path otherEcKey = writePem(dir.resolve("b-key.pem"), asOpensslWritesIt(privateKey(b)));
    Path rsaKey = writePem(dir.resolve("rsa-key.pem"), generate("RSA", 2048).getPrivate());

    for (Path key : List.of(otherEcKey, rsaKey)) {
      assertThatThrownBy(() -> TlsMaterial.fromPem(chain, key))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("the private key in " + key)
          .hasMessageContaining("does not match the first certificate in " + chain);
    }
  }

  @Test
  void fromPemSaysWhichFileIsMissingEmptyOrWrong() throws Exception {
    TlsMaterial generated = TlsMaterial.loadOrCreate(dir.resolve("tls"), List.of(), CLOCK);
    Path chain = writePem(dir.resolve("cert.pem"), generated.leaf());
    Path key = writePem(dir.resolve("key.pem"), new JcaPKCS8Generator(privateKey(generated), null));
    Path empty = Files.writeString(dir.resolve("empty.pem"), "\n");
    Path missing = dir.resolve("missing.pem");

    assertThatThrownBy(() -> TlsMaterial.fromPem(chain, empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("private key file " + empty + " is empty; ");
    assertThatThrownBy(() -> TlsMaterial.fromPem(empty, key))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("certificate file " + empty + " is empty; ")
        .hasMessageContaining("fullchain.pem");
    assertThatThrownBy(() -> TlsMaterial.fromPem(missing, key))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("certificate file " + missing + " does not exist; ");
    assertThatThrownBy(() -> TlsMaterial.fromPem(chain, missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("private key file " + missing + " does not exist; ");
    // The two files swapped.
    assertThatThrownBy(() -> TlsMaterial.fromPem(key, chain))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("certificate file " + key + " contains no CERTIFICATE block; ");
    assertThatThrownBy(() -> TlsMaterial.fromPem(chain, chain))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("private key file " + chain + " contains no PRIVATE KEY");
  }

  // ---- real handshakes ----

  @Test
  void pinnedClientTalksToTheServerByAddressAndByName() throws Exception {
    TlsMaterial material = TlsMaterial.loadOrCreate(dir, List.of(), Clock.systemUTC());
    try (HttpsStub server = new HttpsStub(material.serverContext())) {
      SSLContext pinned = PinnedTrust.context(material.fingerprint());

      HttpResponse<String> byAddress = get(pinned, "https://127.0.0.1:" + server.port() + "/");
      HttpResponse<String> byName = get(pinned, "https://localhost:" + server.port() + "/");

      assertThat(byAddress.statusCode()).isEqualTo(200);
      assertThat(byAddress.body()).isEqualTo("hello");
      assertThat(byName.statusCode()).isEqualTo(200);
      assertThat(byName.body()).isEqualTo("hello");
      // The pin as openssl prints it works as well.
      String opensslForm = "SHA256:" + String.join(":",
          material.fingerprint().substring(7).toUpperCase().split("(?<=\\G..)"));
      assertThat(get(PinnedTrust.context(opensslForm), "https://127.0.0.1:" + server.port() + "/").statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void wrongPinFailsTheHandshakeSayingWhy() throws Exception {
    TlsMaterial material = TlsMaterial.loadOrCreate(dir.resolve("real"), List.of(), Clock.systemUTC());
    String otherPin = TlsMaterial.loadOrCreate(dir.resolve("other"), List.of(), Clock.systemUTC()).fingerprint();
    try (HttpsStub server = new HttpsStub(material.serverContext())) {
      SSLContext pinned = PinnedTrust.context(otherPin);

      assertThatThrownBy(() -> get(pinned, "https://127.0.0.1:" + server.port() + "/"))
          .isInstanceOf(IOException.class)
          .satisfies(e -> assertThat(causes(e))
              .contains(SSLHandshakeException.class.getName())
              .contains("server certificate " + material.fingerprint()
                  + " does not match the pinned fingerprint " + otherPin));
    }
  }

  @Test
  void withoutAPinTheSelfSignedCertificateIsNotTrusted() throws Exception {
    TlsMaterial material = TlsMaterial.loadOrCreate(dir, List.of(), Clock.systemUTC());
    try (HttpsStub server = new HttpsStub(material.serverContext())) {
      assertThatThrownBy(() -> get(PinnedTrust.context(null), "https://localhost:" + server.port() + "/"))
          .isInstanceOf(IOException.class)
          .satisfies(e -> assertThat(causes(e))
              .contains(SSLHandshakeException.class.getName())
              .doesNotContain("pinned fingerprint"));
      assertThat(server.served()).isZero();
    }
  }

  @Test
  void pinnedClientAcceptsAnOperatorCertificateFromAPrivateCa() throws Exception {
    KeyPair caKeys = generate("EC", 256);
    X509Certificate ca = certificate("CN=Test CA", caKeys, "CN=Test CA", caKeys, "SHA256withECDSA", true);
    KeyPair serverKeys = generate("RSA", 2048);
    X509Certificate leaf = certificate("CN=vault.example.com", serverKeys, "CN=Test CA", caKeys,
        "SHA256withECDSA", false);
    TlsMaterial material = TlsMaterial.fromPem(writePem(dir.resolve("fullchain.pem"), leaf, ca),
        writePem(dir.resolve("privkey.pem"), serverKeys.getPrivate()));
    try (HttpsStub server = new HttpsStub(material.serverContext())) {
      assertThat(get(PinnedTrust.context(material.fingerprint()), "https://127.0.0.1:" + server.port() + "/").body())
          .isEqualTo("hello");
    }
  }

  // ---- helpers ----

  /** A TLS server on 127.0.0.1 answering every request with a fixed HTTP/1.1 response. */
  private static final class HttpsStub implements AutoCloseable {
    private final SSLServerSocket socket;
    private final Thread thread;
    private volatile int served;

    HttpsStub(SSLContext context) throws IOException {
      socket = (SSLServerSocket) context.getServerSocketFactory()
          .createServerSocket(0, 50, InetAddress.ofLiteral("127.0.0.1"));
      socket.setEnabledProtocols(TlsMaterial.PROTOCOLS.toArray(String[]::new));
      thread = Thread.ofPlatform().daemon().name("https-stub").start(this::serve);
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (Socket s = socket.accept()) {
          s.setSoTimeout(10_000);
          BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
          for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            // skip the request line and headers
          }
          OutputStream out = s.getOutputStream();
          out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
              + "Connection: close\r\n\r\nhello").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          served++;
        } catch (IOException e) {
          // A refused handshake (the wrong-pin cases) or the socket closing: keep serving or stop.
        }
      }
    }

    int port() {
      return socket.getLocalPort();
    }

    int served() {
      return served;
    }

    @Override
    public void close() throws IOException {
      socket.close();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static HttpResponse<String> get(SSLContext context, String url) throws IOException, InterruptedException {
    try (HttpClient client = HttpClient.newBuilder()
        .sslContext(context)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build()) {
      return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  /** Class names and messages of an exception and all its causes, one per line. */
  private static String causes(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
    }
    return b.toString();
  }

  private static String hostnameOrNull() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return null;
    }
  }

  private static PrivateKey privateKey(TlsMaterial material) throws Exception {
    KeyStore ks = material.keyStore();
    return (PrivateKey) ks.getKey(Collections.list(ks.aliases()).getFirst(), material.keyStorePassword());
  }

  /**
   * The key as BouncyCastle encodes it, with the curve and public key inside the EC private key
   * as openssl writes them; the JDK leaves both out, which is valid only inside PKCS#8.
   */
  private static PrivateKey asOpensslWritesIt(PrivateKey key) throws Exception {
    return KeyFactory.getInstance("EC", new BouncyCastleProvider())
        .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
  }

  private static KeyPair generate(String algorithm, int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
    g.initialize(bits);
    return g.generateKeyPair();
  }

  private static X509Certificate certificate(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys,
      String signatureAlgorithm, boolean ca) throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
        new BigInteger(64, new SecureRandom()).add(BigInteger.ONE), Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(90))), new X500Name(subject), subjectKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder(signatureAlgorithm).build(issuerKeys.getPrivate())));
  }

  private static Path writePem(Path file, Object... objects) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      for (Object o : objects) {
        pem.writeObject(o);
      }
    }
    return file;
  }
}
