package io.cairn.server.tls;

import io.cairn.store.PinnedTrust;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.IDN;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.IPAddress;

/**
 * The vault server's TLS private key and certificate chain. Backups travel to the vault over
 * the network, so the server always speaks TLS; an operator without a certificate from a CA
 * gets a self-signed one, generated on first start and kept, whose fingerprint clients pin
 * (see {@link PinnedTrust}). An operator with a CA certificate (e.g. from Let's Encrypt)
 * passes its PEM files instead, and clients validate it the usual way.
 *
 * <p>This class neither logs nor prints: the caller shows {@link #fingerprint()} to the
 * operator and decides what to say about {@link #notAfter()}.
 */
public final class TlsMaterial {
  /** The generated keystore in the TLS directory. */
  public static final String KEYSTORE_FILE = "server.p12";
  /** Its password, one line, next to it. */
  public static final String PASSWORD_FILE = "server.p12.password";
  /** The protocols a vault server should enable; the JDK's defaults, stated for Jetty's benefit. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  private static final String ALIAS = "cairn-vault";
  private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
  private static final Duration BACKDATE = Duration.ofHours(1);
  private static final int VALIDITY_YEARS = 10;
  /** A DNS name as it may appear in a certificate: ASCII labels, optionally a leading wildcard. */
  private static final Pattern DNS_NAME = Pattern.compile(
      "(\\*\\.)?[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*");
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyStore keyStore;
  private final char[] password;
  private final X509Certificate leaf;
  private final boolean selfSigned;
  private final String fingerprint;

  private TlsMaterial(KeyStore keyStore, char[] password, X509Certificate leaf, boolean selfSigned) {
    this.keyStore = keyStore;
    this.password = password;
    this.leaf = leaf;
    this.selfSigned = selfSigned;
    this.fingerprint = PinnedTrust.fingerprint(leaf);
  }

  /**
   * The server's own certificate: loads {@code tlsDir/server.p12} if it exists, otherwise
   * generates an EC P-256 key and a self-signed certificate for {@code localhost}, this
   * machine's host name, {@code extraNames} (DNS names or IP literals), 127.0.0.1 and ::1, and
   * saves them there (owner-only files) so that the fingerprint clients pinned stays valid
   * across restarts. An existing keystore is used as is: to change the names in it, delete both
   * files and restart, then give clients the new fingerprint.
   *
   * @throws IllegalArgumentException when an extra name is neither a DNS name nor an IP address
   * @throws IllegalStateException when the saved keystore cannot be used
   * @throws UncheckedIOException when the directory cannot be read or written
   */
  public static TlsMaterial loadOrCreate(Path tlsDir, List<String> extraNames, Clock clock) {
    Path keystoreFile = tlsDir.resolve(KEYSTORE_FILE);
    Path passwordFile = tlsDir.resolve(PASSWORD_FILE);
    if (Files.exists(keystoreFile)) {
      return load(keystoreFile, passwordFile);
    }
    Optional<String> hostname = hostname();
    List<GeneralName> names = subjectAltNames(hostname, extraNames);
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      KeyPair keyPair = generator.generateKeyPair();
      X509Certificate certificate = selfSign(keyPair, hostname, names, clock.instant());
      char[] password = newPassword();
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry(ALIAS, keyPair.getPrivate(), password, new Certificate[] {certificate});
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      keyStore.store(bytes, password);
      createPrivateDirectory(tlsDir);
      // Password first: a crash before the keystore lands leaves only a password file, which the
      // next start overwrites; the other order would leave a keystore nobody can open.
      writeAtomically(passwordFile, (new String(password) + "\n").getBytes(StandardCharsets.US_ASCII));
      writeAtomically(keystoreFile, bytes.toByteArray());
      return new TlsMaterial(keyStore, password, certificate, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the server's TLS certificate in " + tlsDir + " ("
          + describe(e) + "); make the directory writable by the user running the server, or pass "
          + "a certificate and key in PEM files instead", e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("this JDK cannot generate an EC P-256 certificate: " + e.getMessage(), e);
    }
  }

  /**
   * An operator-provided certificate: {@code certificateChainPem} holds one or more
   * CERTIFICATE blocks, the server's own first and then its intermediates (for Let's Encrypt,
   * {@code fullchain.pem}); {@code privateKeyPem} holds its unencrypted private key as PKCS#8
   * ({@code PRIVATE KEY}), {@code RSA PRIVATE KEY} or {@code EC PRIVATE KEY} (for Let's
   * Encrypt, {@code privkey.pem}).
   *
   * @throws IllegalArgumentException naming the file when a file is missing, unreadable, empty
   *     or malformed, or when the key does not belong to the first certificate
   */
  public static TlsMaterial fromPem(Path certificateChainPem, Path privateKeyPem) {
    List<X509Certificate> chain = readCertificates(certificateChainPem);
    PrivateKey key = readPrivateKey(privateKeyPem);
    X509Certificate leaf = chain.getFirst();
    if (!matches(key, leaf.getPublicKey())) {
      throw new IllegalArgumentException("the private key in " + privateKeyPem
          + " does not match the first certificate in " + certificateChainPem + " ("
          + leaf.getSubjectX500Principal().getName() + "); the certificate file must start with the "
          + "server's own certificate and the key must be the one it was issued for (for Let's Encrypt, "
          + "pass fullchain.pem and privkey.pem from the same live/ directory)");
    }
    try {
      char[] password = newPassword();
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry(ALIAS, key, password, chain.toArray(new Certificate[0]));
      return new TlsMaterial(keyStore, password, leaf, false);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use the key in " + privateKeyPem + " with the certificates in "
          + certificateChainPem + ": " + e.getMessage(), e);
    }
  }

  /** Holds the key under its own password ({@link #keyStorePassword()}); do not modify. */
  public KeyStore keyStore() {
    return keyStore;
  }

  /** A copy of the password of the keystore and of the key in it. */
  public char[] keyStorePassword() {
    return password.clone();
  }

  /** The server's own certificate, the first of the chain. */
  public X509Certificate leaf() {
    return leaf;
  }

  /** What clients pin: {@code sha256:} and the hex SHA-256 of the leaf, as {@link PinnedTrust} computes it. */
  public String fingerprint() {
    return fingerprint;
  }

  /** Whether the certificate is ours (generated, so clients must pin it) rather than the operator's. */
  public boolean selfSigned() {
    return selfSigned;
  }

  /** When the leaf certificate expires. */
  public Instant notAfter() {
    return leaf.getNotAfter().toInstant();
  }

  /** A new server-side TLS context presenting this certificate; the JDK enables {@link #PROTOCOLS}. */
  public SSLContext serverContext() {
    try {
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(keyStore, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(factory.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot create a TLS server context: " + e.getMessage(), e);
    }
  }

  private static TlsMaterial load(Path keystoreFile, Path passwordFile) {
    String what = "; to start over, delete " + keystoreFile + " and " + passwordFile
        + " and restart the server, then give clients the new fingerprint it prints";
    char[] password;
    try {
      List<String> lines = Files.readAllLines(passwordFile, StandardCharsets.US_ASCII);
      if (lines.isEmpty() || lines.getFirst().isEmpty()) {
        throw new IllegalStateException(passwordFile + " is empty, so " + keystoreFile + " cannot be opened" + what);
      }
      password = lines.getFirst().toCharArray();
    } catch (NoSuchFileException e) {
      throw new IllegalStateException(keystoreFile + " exists but its password file " + passwordFile
          + " is missing" + what, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + passwordFile + " (" + describe(e)
          + "); run the server as the user that owns it", e);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(keystoreFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + keystoreFile + " (" + describe(e)
          + "); run the server as the user that owns it", e);
    }
    try {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(new ByteArrayInputStream(bytes), password);
      for (String alias : Collections.list(keyStore.aliases())) {
        if (keyStore.isKeyEntry(alias)) {
          Key key = keyStore.getKey(alias, password);
          Certificate[] chain = keyStore.getCertificateChain(alias);
          if (key instanceof PrivateKey && chain != null && chain.length > 0
              && chain[0] instanceof X509Certificate leaf) {
            return new TlsMaterial(keyStore, password, leaf, true);
          }
        }
      }
      throw new IllegalStateException(keystoreFile + " holds no private key with a certificate" + what);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot open " + keystoreFile + " with the password in " + passwordFile
          + " (" + e.getMessage() + ")" + what, e);
    }
  }

  private static X509Certificate selfSign(KeyPair keyPair, Optional<String> hostname, List<GeneralName> names,
      Instant now) throws IOException, GeneralSecurityException, OperatorCreationException {
    String commonName = "cairn vault " + hostname.orElse("localhost");
    // RFC 5280 caps a common name at 64 characters; the full host name is in the SANs anyway.
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.CN, commonName.length() <= 64 ? commonName : commonName.substring(0, 64))
        .build();
    Instant notBefore = now.minus(BACKDATE);
    Instant notAfter = now.atOffset(ZoneOffset.UTC).plusYears(VALIDITY_YEARS).toInstant();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
        Date.from(notBefore), Date.from(notAfter), subject, keyPair.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
        .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
        .addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(names.toArray(new GeneralName[0])));
    ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(keyPair.getPrivate());
    X509CertificateHolder holder = builder.build(signer);
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  /** A positive random 128-bit serial number (RFC 5280 forbids zero and negative ones). */
  private static BigInteger serial() {
    byte[] bytes = new byte[16];
    BigInteger serial;
    do {
      RANDOM.nextBytes(bytes);
      serial = new BigInteger(1, bytes);
    } while (serial.signum() == 0);
    return serial;
  }

  /** localhost, this machine's name, the extra names, then the loopback addresses; no duplicates. */
  private static List<GeneralName> subjectAltNames(Optional<String> hostname, List<String> extraNames) {
    Set<String> dns = new LinkedHashSet<>();
    Set<String> ips = new LinkedHashSet<>();
    dns.add("localhost");
    hostname.ifPresent(dns::add);
    for (String name : extraNames == null ? List.<String>of() : extraNames) {
      String n = name == null ? "" : name.strip();
      if (n.startsWith("[") && n.endsWith("]")) {
        n = n.substring(1, n.length() - 1);
      }
      if (IPAddress.isValid(n)) {
        ips.add(InetAddress.ofLiteral(n).getHostAddress());
      } else {
        dns.add(dnsName(n).orElseThrow(() -> new IllegalArgumentException("TLS name '" + name
            + "' is neither a DNS name nor an IP address; give names the clients use to reach the "
            + "server, such as vault.example.com or 192.0.2.10")));
      }
    }
    ips.add(InetAddress.ofLiteral("127.0.0.1").getHostAddress());
    ips.add(InetAddress.ofLiteral("::1").getHostAddress());
    List<GeneralName> names = new ArrayList<>();
    dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
    ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return names;
  }

  /** The name in the ASCII form a certificate needs (internationalised names as punycode). */
  private static Optional<String> dnsName(String name) {
    if (name.isEmpty()) {
      return Optional.empty();
    }
    try {
      String ascii = IDN.toASCII(name, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
      if (ascii.endsWith(".")) {
        ascii = ascii.substring(0, ascii.length() - 1);
      }
      return DNS_NAME.matcher(ascii).matches() && ascii.length() <= 253
          ? Optional.of(ascii)
          : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** This machine's name when it has a usable one; a certificate without it still works with a pin. */
  private static Optional<String> hostname() {
    try {
      return dnsName(InetAddress.getLocalHost().getHostName());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** 32 random bytes, base64url: ASCII, one line, no characters a shell or editor would mangle. */
  private static char[] newPassword() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).toCharArray();
  }

  /** Creates the TLS directory itself owner-only; its parents, if missing, get the usual permissions. */
  private static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (posix(dir)) {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
    } else {
      Files.createDirectory(dir);
    }
  }

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /**
   * Writes a temporary owner-only file next to {@code target}, fsyncs it, renames it over the
   * target and fsyncs the directory: the file appears whole or not at all, and never readable
   * by others even for a moment.
   */
  private static void writeAtomically(Path target, byte[] data) throws IOException {
    Path dir = target.getParent();
    FileAttribute<?>[] attributes = posix(dir)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
        : new FileAttribute<?>[0];
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", attributes);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    fsyncDirectory(dir);
  }

  private static void fsyncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // Some file systems do not allow opening directories; the rename is still atomic there.
    }
  }

  private static String describe(IOException e) {
    return io.cairn.text.IoErrors.describe(e);
  }

  // ---- PEM files ----

  private static String readPem(Path file, String what, String hint) {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(what + " file " + file + " does not exist; " + hint);
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(what + " file " + file + " is a directory; " + hint);
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + what + " file " + file + " (" + describe(e)
          + "); make it readable by the user running the server (" + System.getProperty("user.name") + ")", e);
    }
    if (text.isBlank()) {
      throw new IllegalArgumentException(what + " file " + file + " is empty; " + hint);
    }
    return text;
  }

  private static List<X509Certificate> readCertificates(Path file) {
    String hint = "pass a PEM file with the server's certificate followed by its intermediates "
        + "(for Let's Encrypt: fullchain.pem)";
    String text = readPem(file, "certificate", hint);
    List<X509Certificate> chain = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof X509CertificateHolder holder) {
          chain.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("certificate file " + file + " is not valid PEM (" + e.getMessage()
          + "); " + hint, e);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("certificate file " + file + " contains no CERTIFICATE block; " + hint);
    }
    return chain;
  }

  private static PrivateKey readPrivateKey(Path file) {
    String hint = "pass the PEM file with the certificate's unencrypted private key (for Let's Encrypt: privkey.pem)";
    String text = readPem(file, "private key", hint);
    Object found = null;
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      // Skips what may come before the key: EC PARAMETERS (openssl ecparam -genkey), certificates.
      Object o;
      while (found == null && (o = parser.readObject()) != null) {
        if (o instanceof PrivateKeyInfo || o instanceof PEMKeyPair || o instanceof PEMEncryptedKeyPair
            || o instanceof PKCS8EncryptedPrivateKeyInfo) {
          found = o;
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("private key file " + file + " is not valid PEM (" + e.getMessage()
          + "); " + hint, e);
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      return switch (found) {
        case PrivateKeyInfo info -> converter.getPrivateKey(info);
        // Only the private part: the public key inside an EC PRIVATE KEY block is optional.
        case PEMKeyPair pair -> converter.getPrivateKey(pair.getPrivateKeyInfo());
        case null -> throw new IllegalArgumentException("private key file " + file
            + " contains no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block; " + hint);
        default -> throw new IllegalArgumentException("private key file " + file + " is encrypted; decrypt it "
            + "with 'openssl pkey -in " + file + " -out <new file>', keep the new file readable only by the "
            + "server's user, and pass that");
      };
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot decode the private key in " + file + " (" + e.getMessage()
          + "); " + hint, e);
    }
  }

  /** Whether {@code key} signs what {@code publicKey} verifies: the key belongs to the certificate. */
  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm = switch (publicKey.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "Ed448", "EdDSA" -> publicKey.getAlgorithm();
      default -> throw new IllegalArgumentException("the certificate's key type " + publicKey.getAlgorithm()
          + " is not supported; use an RSA, EC or Ed25519 certificate");
    };
    try {
      byte[] message = new byte[32];
      RANDOM.nextBytes(message);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      // Keys of different types or curves cannot sign for each other: not a match.
      return false;
    }
  }
}
