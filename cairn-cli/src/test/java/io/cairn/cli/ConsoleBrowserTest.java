package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.elementToBeClickable;
import static org.openqa.selenium.support.ui.ExpectedConditions.presenceOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.textToBePresentInElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

import com.fasterxml.jackson.databind.JsonNode;
import io.cairn.format.Json;
import io.cairn.server.TestVault;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.logging.Level;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's Chromium, headless) against a real vault server:
 * the provider creates a plan, a tenant and its administrator; the tenant's administrator creates
 * a repository and an enrollment token, a real `cairn` client enrolls and backs up with it, and
 * the console then shows the snapshot, the machine, the usage and the cost. Another tenant's page
 * is "not found" (and the API said 404), changes without the CSRF header are refused, and the
 * pages run under the strict Content-Security-Policy without a violation. Screenshots of the
 * pages go to cairn-cli/target/console-shots/; with {@code -Dcairn.console.shots=docs} they replace the
 * pictures in docs/console/ (the documentation's, refreshed only on request).
 */
class ConsoleBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final String ALICE = "alice@acme.example";
  static final String ALICE_PASSWORD = "alice-password-42";

  @TempDir Path tmp;
  TestVault vault;
  ChromeDriverService service;
  WebDriver driver;
  WebDriverWait wait;
  String console;
  Path shots;
  final List<String> browserLog = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      fail("the console test drives Debian's Chromium: " + CHROMIUM + " and " + CHROMEDRIVER + " are needed. Install "
          + "them with: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver");
    }
    shots = shotsDirectory();
    Files.createDirectories(shots);
    vault = TestVault.start(tmp.resolve("vault"), 0, Map.of());
    console = vault.base + "/console/";

    // Never let Selenium Manager look for (or download) a browser or a driver: both are given.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
        .withLogFile(tmp.resolve("chromedriver.log").toFile()).build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--ignore-certificate-errors", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--window-size=1280,900", "--lang=en-US",
        "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, Duration.ofSeconds(20));
  }

  @AfterEach
  void stop() {
    try {
      if (driver != null) {
        driver.quit();
      }
    } finally {
      if (service != null) {
        service.stop();
      }
      if (vault != null) {
        vault.close();
      }
    }
  }

  @Test
  void providerAndTenantAdminRunTheServiceFromTheConsole() throws Exception {
    try {
      flow();
    } catch (Throwable t) {
      diagnose();
      throw t;
    }
  }

  private void flow() throws Exception {
    // ---- the provider ----
    driver.get(console);
    WebElement loginForm = wait.until(visibilityOfElementLocated(By.id("login-form")));
    installCspProbe();
    assertThat(driver.getTitle()).contains("Cairn");
    shot("login");
    // A wrong password is answered in the alert region next to the form.
    type(loginForm, "username", "admin");
    type(loginForm, "password", "not the password" + Keys.ENTER);
    wait.until(textToBePresentInElementLocated(By.cssSelector("#login-form [role=alert]"), "wrong user name or password"));
    login("admin", TestVault.ADMIN_PASSWORD);
    waitForHeading("Dashboard");
    wait.until(visibilityOfElementLocated(By.id("card-capacity")));
    assertThat(driver.findElement(By.id("card-capacity")).getText()).contains("used").containsPattern("[KMGT]iB|B");

    // A plan: quotas in GB, a price large enough that a few hundred KB cost something visible.
    nav("Plans");
    waitForHeading("Plans");
    WebElement planForm = wait.until(visibilityOfElementLocated(By.id("plan-form")));
    type(planForm, "name", "Standard");
    type(planForm, "softQuotaGb", "8");
    type(planForm, "hardQuotaGb", "10");
    type(planForm, "pricePerGbMonth", "1000");
    type(planForm, "pricePerGbEgress", "50");
    type(planForm, "currency", "EUR");
    type(planForm, "retention.keepDaily", "14");
    type(planForm, "retention.keepWeekly", "8");
    type(planForm, "immutabilityDays", "7");
    submit(planForm);
    WebElement planRow = wait.until(visibilityOfElementLocated(By.cssSelector("tr[data-plan='Standard']")));
    assertThat(planRow.getText()).contains("9.31 GiB").contains("€1,000.00").contains("14 daily");
    JsonNode plans = vault.admin("GET", "/api/v1/plans", null);
    assertThat(plans).hasSize(1);
    assertThat(plans.get(0).path("hardQuotaBytes").asLong()).isEqualTo(10_000_000_000L);
    assertThat(plans.get(0).path("pricePerGbMonth").decimalValue()).isEqualByComparingTo("1000");
    long planId = plans.get(0).path("id").asLong();
    shot("plans");

    // A tenant from that plan.
    nav("Tenants");
    waitForHeading("Tenants");
    WebElement tenantForm = wait.until(visibilityOfElementLocated(By.id("tenant-form")));
    type(tenantForm, "slug", "acme");
    type(tenantForm, "name", "Acme Ltd");
    new Select(tenantForm.findElement(By.name("plan"))).selectByValue(String.valueOf(planId));
    submit(tenantForm);
    WebElement tenantRow = wait.until(visibilityOfElementLocated(By.cssSelector("tr[data-tenant='acme']")));
    assertThat(tenantRow.getText()).contains("Acme Ltd").contains("Standard").contains("Active");

    // Its administrator, from the tenant's Users page.
    tenantRow.findElement(By.linkText("Acme Ltd")).click();
    waitForHeading("Acme Ltd");
    driver.findElement(By.cssSelector("nav.tabs")).findElement(By.linkText("Users")).click();
    WebElement userForm = wait.until(visibilityOfElementLocated(By.id("user-form")));
    type(userForm, "username", ALICE);
    type(userForm, "password", ALICE_PASSWORD);
    new Select(userForm.findElement(By.name("role"))).selectByValue("tenant_admin");
    submit(userForm);
    WebElement aliceRow = wait.until(visibilityOfElementLocated(By.cssSelector("tr[data-user='" + ALICE + "']")));
    assertThat(aliceRow.getText()).contains("Administrator");

    // A second user, made administrator and then disabled from the same page.
    userForm = wait.until(visibilityOfElementLocated(By.id("user-form")));
    type(userForm, "username", "bob@acme.example");
    type(userForm, "password", "bob-password-123");
    submit(userForm);
    By bob = By.cssSelector("tr[data-user='bob@acme.example']");
    wait.until(textToBePresentInElementLocated(bob, "Viewer"));
    wait.until(visibilityOfElementLocated(bob)).findElement(By.xpath(".//button[text()='Make administrator']")).click();
    wait.until(textToBePresentInElementLocated(bob, "Administrator"));
    // Someone guesses bob's password: the page shows it, and one click lets bob in again at once.
    for (int i = 0; i < 4; i++) {
      vault.call("POST", "/api/v1/login", null, Map.of("username", "bob@acme.example", "password", "guess-" + i));
    }
    assertThat(vault.call("POST", "/api/v1/login", null, Map.of("username", "bob@acme.example", "password",
        "bob-password-123")).status()).as("held back after the guesses").isEqualTo(429);
    assertNoCspViolations();
    driver.navigate().refresh();
    installCspProbe();
    wait.until(textToBePresentInElementLocated(bob, "failed logins"));
    wait.until(visibilityOfElementLocated(bob)).findElement(By.xpath(".//button[text()='Unlock logins']")).click();
    wait.until(d -> {
      try {
        return !d.findElement(bob).getText().contains("failed login");
      } catch (org.openqa.selenium.StaleElementReferenceException e) {
        return false; // the table was drawn anew between finding the row and reading it
      }
    });
    assertThat(vault.call("POST", "/api/v1/login", null, Map.of("username", "bob@acme.example", "password",
        "bob-password-123")).status()).as("unlocked").isEqualTo(200);
    wait.until(visibilityOfElementLocated(bob)).findElement(By.xpath(".//button[text()='Disable']")).click();
    wait.until(org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent()).accept();
    wait.until(textToBePresentInElementLocated(bob, "Disabled"));
    assertThat(vault.call("POST", "/api/v1/login", null, Map.of("username", "bob@acme.example", "password",
        "bob-password-123")).status()).as("a disabled user cannot log in").isEqualTo(401);

    // A second tenant, through the API, for the isolation check below.
    vault.admin("POST", "/api/v1/tenants", Map.of("slug", "globex", "name", "Globex", "plan", planId));

    logout();

    // ---- the tenant's administrator ----
    login(ALICE, ALICE_PASSWORD);
    waitForHeading("Acme Ltd");
    assertThat(driver.findElements(By.linkText("Plans"))).as("no provider pages in a tenant's menu").isEmpty();

    nav("Repositories");
    waitForHeading("Repositories");
    WebElement repoForm = wait.until(visibilityOfElementLocated(By.id("repo-form")));
    type(repoForm, "name", "laptops");
    submit(repoForm);
    WebElement repoRow = wait.until(visibilityOfElementLocated(By.cssSelector("tr[data-repo='laptops']")));
    assertThat(repoRow.getText()).as("the plan's retention applies").contains("14 daily").contains("7 d");

    nav("Enrollment tokens");
    waitForHeading("Enrollment tokens");
    WebElement enrollForm = wait.until(visibilityOfElementLocated(By.id("enrollment-form")));
    new Select(enrollForm.findElement(By.name("repository"))).selectByValue("laptops");
    new Select(enrollForm.findElement(By.name("scope"))).selectByValue("append");
    type(enrollForm, "note", "office laptops");
    submit(enrollForm);
    String token = wait.until(visibilityOfElementLocated(By.id("enrollment-token"))).getText().trim();
    assertThat(token).startsWith("cairn_enroll_");
    String command = driver.findElement(By.id("enroll-command")).getText();
    assertThat(command).isEqualTo("cairn enroll " + vault.base + " --token " + token + " --fingerprint "
        + vault.fingerprint);
    String url = vault.repositoryUrl("acme", "laptops");
    assertThat(driver.findElement(By.id("repo-commands")).getText()).contains("cairn -r " + url + " init");
    wait.until(visibilityOfElementLocated(By.cssSelector("tr[data-enrollment]")));
    assertThat(driver.findElement(By.cssSelector("table.enrollments")).getText()).contains("office laptops")
        .contains("Active");
    shot("enrollment-tokens");

    // ---- a real machine backs up with that token ----
    Cli cli = new Cli(Files.createDirectories(tmp.resolve("agent")));
    Path credentials = tmp.resolve("agent/credentials.json");
    Cli.Result enrolled = cli.runAt(url, "--credentials", credentials.toString(), "enroll", vault.base, "--token", token,
        "--fingerprint", vault.fingerprint, "--name", "laptop1");
    assertThat(enrolled.exit()).as(enrolled.err()).isZero();
    Cli.Result init = cli.runAt(url, "--credentials", credentials.toString(), "init");
    assertThat(init.exit()).as(init.err()).isZero();
    Path src = folder(tmp.resolve("home"));
    Cli.Result backup = cli.runAt(url, "--credentials", credentials.toString(), "--json", "backup", src.toString());
    assertThat(backup.exit()).as(backup.err()).isZero();
    String snapshot = Json.MAPPER.readTree(backup.out()).path("snapshot").asText();
    assertThat(snapshot).hasSize(64);

    // ---- the console shows it: reload (the cookie keeps the session) ----
    driver.navigate().refresh();
    waitForHeading("Enrollment tokens");
    installCspProbe();
    assertThat(driver.findElement(By.cssSelector("table.enrollments")).getText()).as("the token is used up")
        .contains("Used up");

    go("#/tenants/acme/repos/laptops");
    waitForHeading("Repository laptops");
    WebElement snapRow = wait.until(visibilityOfElementLocated(By.cssSelector("tr[data-snapshot='" + snapshot + "']")));
    assertThat(snapRow.getText()).containsPattern("[0-9.]+ (KiB|MiB)").contains("×");
    assertThat(snapRow.findElement(By.cssSelector(".snapshot-id")).getText()).isEqualTo(snapshot.substring(0, 8));
    String ratio = snapRow.findElement(By.cssSelector("td.ratio")).getText();
    assertThat(Double.parseDouble(ratio.replaceAll("[^0-9.]", ""))).as("duplicated files are stored once")
        .isGreaterThan(1.5);
    shot("snapshots");

    go("#/tenants/acme/machines");
    waitForHeading("Machines");
    WebElement machine = wait.until(visibilityOfElementLocated(By.cssSelector("tr[data-machine='laptop1']")));
    assertThat(machine.getAttribute("data-state")).isEqualTo("ok");
    assertThat(machine.findElement(By.cssSelector("td.state")).getText()).contains("OK");
    assertThat(machine.findElement(By.cssSelector("td.last-backup time")).getAttribute("datetime")).isNotBlank();
    assertThat(machine.getText()).containsPattern("[0-9.]+ (KiB|MiB)");
    shot("machines");

    go("#/tenants/acme");
    waitForHeading("Acme Ltd");
    // Usage and cost are metered as they happen; the page refreshes on demand.
    wait.until(d -> {
      if (number("stored-physical") > 0 && number("cost-total") > 0) {
        return true;
      }
      d.findElement(By.id("refresh-usage")).click();
      return false;
    });
    assertThat(number("stored-logical")).isGreaterThan(number("stored-physical"));
    assertThat(number("dedupe-savings")).isPositive();
    assertThat(number("bandwidth-in")).isGreaterThanOrEqualTo(number("stored-physical"));
    assertThat(driver.findElement(By.id("cost-total")).getText()).contains("€");
    // The total and its parts are shown with the same decimals, so that none reads as zero beside it.
    List<String> amounts = new ArrayList<>(List.of(driver.findElement(By.id("cost-total")).getText()));
    for (WebElement f : driver.findElements(By.cssSelector("#card-cost .fact"))) {
      if (List.of("Storage", "Egress").contains(f.findElement(By.tagName("dt")).getText())) {
        amounts.add(f.findElement(By.tagName("dd")).getText().split(" \\(")[0]);
      }
    }
    assertThat(amounts).hasSize(3).allMatch(a -> a.matches("€[0-9,]+\\.[0-9]+"));
    java.util.Set<Integer> decimals = new java.util.HashSet<>();
    amounts.forEach(a -> decimals.add(a.length() - a.indexOf('.') - 1));
    assertThat(decimals).as(amounts.toString()).hasSize(1);
    assertThat(driver.findElements(By.cssSelector("#chart-stored circle"))).isNotEmpty();
    assertThat(driver.findElements(By.cssSelector("#chart-traffic rect.bar"))).isNotEmpty();
    assertThat(driver.findElements(By.cssSelector("#chart-cost circle"))).isNotEmpty();
    assertThat(driver.findElement(By.id("usage-csv")).getAttribute("href"))
        .contains("/api/v1/tenants/acme/usage?format=csv&from=");
    shot("tenant-detail");
    assertFiguresStayWhole();

    // ---- another tenant's page is "not found", and the API said so ----
    go("#/tenants/globex");
    WebElement notFound = wait.until(visibilityOfElementLocated(By.id("not-found")));
    assertThat(notFound.findElement(By.tagName("h1")).getText()).isEqualTo("Not found");
    assertThat(notFound.getAttribute("data-status")).isEqualTo("404");
    assertThat(notFound.getText()).doesNotContain("Globex");
    @SuppressWarnings("unchecked")
    List<Object> statuses = (List<Object>) js().executeScript("return performance.getEntriesByType('resource')"
        + ".filter(e => new URL(e.name).pathname === '/api/v1/tenants/globex').map(e => e.responseStatus);");
    assertThat(statuses).as("the page asked the API, which answered 404").isNotEmpty().allMatch(s ->
        ((Number) s).intValue() == 404);
    go("#/dashboard");
    wait.until(visibilityOfElementLocated(By.id("not-found")));

    // ---- the session is the HttpOnly cookie; nothing is kept in scripts' reach ----
    Cookie session = driver.manage().getCookieNamed("cairn_session");
    assertThat(session).isNotNull();
    assertThat(session.isHttpOnly()).isTrue();
    assertThat(session.isSecure()).isTrue();
    assertThat(session.getSameSite()).isEqualTo("Strict");
    assertThat((String) js().executeScript("return document.cookie")).doesNotContain("cairn_session");
    assertThat((String) js().executeScript("return JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"))
        .doesNotContain("cairn_");

    // ---- two-factor authentication: set up, confirmed with a code, then asked at login ----
    driver.findElement(By.id("account-link")).click();
    waitForHeading("Account");
    assertThat(driver.findElement(By.id("totp-status")).getText()).contains("Off");
    driver.findElement(By.id("totp-start")).click();
    WebElement qr = wait.until(visibilityOfElementLocated(By.id("totp-qr")));
    wait.until(d -> ((Number) js().executeScript("return arguments[0].complete ? arguments[0].naturalWidth : 0", qr))
        .intValue() > 0);
    assertThat(qr.getAttribute("src")).startsWith("data:image/svg+xml;base64,");
    String secret = driver.findElement(By.id("totp-secret")).getText().replace(" ", "");
    shot("two-factor");
    WebElement totpForm = driver.findElement(By.id("totp-form"));
    type(totpForm, "code", totp(secret, Instant.now()));
    submit(totpForm);
    wait.until(textToBePresentInElementLocated(By.id("totp-status"), "On"));
    logout();
    login(ALICE, ALICE_PASSWORD);
    WebElement second = wait.until(visibilityOfElementLocated(By.id("totp-form")));
    type(second, "totp", "000000");
    submit(second);
    wait.until(textToBePresentInElementLocated(By.cssSelector("#totp-form [role=alert]"), "code"));
    type(second, "totp", totp(secret, Instant.now()));
    submit(second);
    waitForHeading("Acme Ltd");
    assertNoCspViolations();

    // ---- the HTTP side: CSP on the pages, cookie flags, CSRF ----
    TestVault.Response page = vault.call("GET", "/console/", null, null);
    assertThat(page.status()).isEqualTo(200);
    String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertThat(csp).contains("default-src 'self'").contains("script-src 'self'").contains("style-src 'self'")
        .contains("frame-ancestors 'none'").contains("object-src 'none'").doesNotContain("unsafe");
    TestVault.Response script = vault.call("GET", "/console/app.js", null, null);
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type").orElse("")).contains("javascript");
    TestVault.Response root = vault.call("GET", "/", null, null);
    assertThat(root.status() / 100).isEqualTo(3);
    assertThat(root.headers().firstValue("Location").orElse("")).endsWith("/console/");
    TestVault.Response bare = vault.call("GET", "/console", null, null);
    assertThat(bare.status() / 100).isEqualTo(3);
    assertThat(bare.headers().firstValue("Location").orElse("")).endsWith("/console/");

    TestVault.Response login = vault.call("POST", "/api/v1/login", null,
        Map.of("username", "admin", "password", TestVault.ADMIN_PASSWORD, "session", "cookie"));
    assertThat(login.status()).isEqualTo(200);
    assertThat(login.json().has("token")).as("a browser login never shows the token to the page").isFalse();
    String setCookie = login.headers().firstValue("Set-Cookie").orElse("");
    assertThat(setCookie).startsWith("cairn_session=").containsIgnoringCase("HttpOnly").containsIgnoringCase("Secure")
        .containsIgnoringCase("SameSite=Strict");
    String cookie = setCookie.split(";", 2)[0];
    String csrf = login.json().path("csrf").asText();
    assertThat(csrf).isNotBlank();
    assertThat(vault.call("GET", "/api/v1/me", null, null, Map.of("Cookie", cookie)).status()).isEqualTo(200);
    TestVault.Response noCsrf = vault.call("PATCH", "/api/v1/tenants/globex", null, Map.of("name", "Globex Corp"),
        Map.of("Cookie", cookie));
    assertThat(noCsrf.status()).as(noCsrf.text()).isEqualTo(403);
    TestVault.Response wrongCsrf = vault.call("PATCH", "/api/v1/tenants/globex", null, Map.of("name", "Globex Corp"),
        Map.of("Cookie", cookie, "X-CSRF-Token", "0".repeat(csrf.length())));
    assertThat(wrongCsrf.status()).isEqualTo(403);
    TestVault.Response withCsrf = vault.call("PATCH", "/api/v1/tenants/globex", null, Map.of("name", "Globex Corp"),
        Map.of("Cookie", cookie, "X-CSRF-Token", csrf));
    assertThat(withCsrf.status()).as(withCsrf.text()).isEqualTo(200);

    // ---- the provider's dashboard, now with data, on a laptop and on a phone ----
    logout();
    login("admin", TestVault.ADMIN_PASSWORD);
    waitForHeading("Dashboard");
    wait.until(d -> number("card-stored", ".big") > 0);
    assertThat(driver.findElement(By.id("card-tenants")).getText()).contains("2");
    shot("dashboard");
    assertFiguresStayWhole();
    // A phone's viewport, 390 x 844 CSS pixels (the window adds the height of the browser's own bars).
    long bars = ((Number) js().executeScript("return window.outerHeight - window.innerHeight")).longValue();
    driver.manage().window().setSize(new Dimension(390, 844 + (int) bars));
    wait.until(d -> ((Number) js().executeScript("return window.innerWidth")).intValue() <= 400);
    WebElement menu = wait.until(visibilityOfElementLocated(By.id("menu-toggle")));
    assertThat(driver.findElement(By.id("nav")).isDisplayed()).as("the menu collapses on a phone").isFalse();
    shot("dashboard-phone", false);
    menu.click();
    wait.until(attributeToBe(menu, "aria-expanded", "true"));
    wait.until(visibilityOfElementLocated(By.linkText("Tenants")));
    driver.findElement(By.linkText("Tenants")).click();
    waitForHeading("Tenants");
    assertThat(driver.findElement(By.id("nav")).isDisplayed()).as("choosing a page closes the menu").isFalse();
    driver.manage().window().setSize(new Dimension(1280, 900));
    assertNoCspViolations();
    assertNoScriptErrors();
  }

  // ---- helpers ----

  private JavascriptExecutor js() {
    return (JavascriptExecutor) driver;
  }

  private void login(String user, String password) {
    WebElement form = wait.until(visibilityOfElementLocated(By.id("login-form")));
    type(form, "username", user);
    type(form, "password", password + Keys.ENTER);  // the keyboard submits the form
  }

  private void logout() {
    wait.until(elementToBeClickable(By.id("logout"))).click();
    wait.until(visibilityOfElementLocated(By.id("login-form")));
  }

  private void nav(String label) {
    driver.findElement(By.id("nav")).findElement(By.linkText(label)).click();
  }

  private void go(String hash) {
    driver.get(console + hash);
  }

  private void waitForHeading(String text) {
    wait.until(textToBe(By.cssSelector("main h1"), text));
  }

  private static void type(WebElement form, String name, String text) {
    WebElement input = form.findElement(By.name(name));
    input.clear();
    input.sendKeys(text);
  }

  private static void submit(WebElement form) {
    form.findElement(By.cssSelector("button[type=submit]")).click();
  }

  /** The raw figure behind a formatted number: its data-value attribute. */
  private double number(String id) {
    List<WebElement> els = driver.findElements(By.id(id));
    return els.isEmpty() ? -1 : Double.parseDouble(els.get(0).getAttribute("data-value"));
  }

  private double number(String id, String css) {
    List<WebElement> els = driver.findElements(By.cssSelector("#" + id + " " + css));
    return els.isEmpty() ? -1 : Double.parseDouble(els.get(0).getAttribute("data-value"));
  }

  /**
   * A screenshot of the whole page (up to 2000 pixels high): the window grows to the page's height
   * for the picture and returns to its size afterwards. Scrolls back to the top first.
   */
  private void shot(String name) throws Exception {
    shot(name, true);
  }

  private void shot(String name, boolean wholePage) throws Exception {
    if (!wholePage) {
      Files.write(shots.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      return;
    }
    Dimension before = driver.manage().window().getSize();
    js().executeScript("window.scrollTo(0, 0)");
    long page = ((Number) js().executeScript("return document.documentElement.scrollHeight")).longValue();
    long chrome = ((Number) js().executeScript("return window.outerHeight - window.innerHeight")).longValue();
    int height = (int) Math.min(2000, Math.max(before.getHeight(), page + chrome));
    if (height != before.getHeight()) {
      driver.manage().window().setSize(new Dimension(before.getWidth(), height));
      wait.until(d -> ((Number) js().executeScript("return window.innerHeight")).longValue() >= height - chrome - 2);
    }
    Files.write(shots.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    if (height != before.getHeight()) {
      driver.manage().window().setSize(before);
    }
  }

  /** At widths from a laptop's to a phone's, no figure on the page breaks over two lines. */
  private void assertFiguresStayWhole() {
    Dimension before = driver.manage().window().getSize();
    for (int width : new int[] {1280, 1024, 900, 800, 700, 640, 560, 480, 390}) {
      driver.manage().window().setSize(new Dimension(width, before.getHeight()));
      // The widths shrink in turn, so the page has been laid out anew once it is no wider than asked.
      wait.until(d -> ((Number) js().executeScript("return window.innerWidth")).intValue() <= width);
      assertThat(wrappedFigures()).as("figures broken over two lines at " + width + " px").isEmpty();
    }
    driver.manage().window().setSize(before);
  }

  /**
   * Figures (a number with its unit: 1.80 MiB, 2.45×, 27 %, €0.0001) in the cards and their
   * facts whose text the browser laid out on more than one line.
   */
  private List<?> wrappedFigures() {
    return (List<?>) js().executeScript("""
        const figure = /^[−-]?[$€£]?[0-9.,]+[\\u00a0\\u2060 ]?(B|KiB|MiB|GiB|TiB|PiB|×|%|€|[A-Z]{3})?( used)?$/;
        return [...document.querySelectorAll('.big, .fact dd')]
          .filter(e => figure.test(e.textContent.trim()))
          .filter(e => {
            const r = document.createRange();
            r.selectNodeContents(e);
            return new Set([...r.getClientRects()].map(x => Math.round(x.bottom))).size > 1;
          })
          .map(e => e.textContent + ' in ' + (e.closest('.card') || {}).id);
        """);
  }

  /** Records CSP violations of this document (the console is one page: it lasts until a reload). */
  private void installCspProbe() {
    js().executeScript("window.__csp = []; document.addEventListener('securitypolicyviolation', e => "
        + "window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));");
  }

  private void assertNoCspViolations() {
    Object v = js().executeScript("return window.__csp || ['probe missing: the page was reloaded']");
    assertThat((List<?>) v).as("Content-Security-Policy violations").isEmpty();
  }

  private void assertNoScriptErrors() {
    collectBrowserLog();
    assertThat(browserLog).as("script errors in the browser console")
        .noneMatch(l -> l.contains("Uncaught") || l.contains("Content Security Policy") || l.contains("SyntaxError"));
  }

  private void collectBrowserLog() {
    try {
      for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
        browserLog.add(e.getLevel() + " " + e.getMessage());
      }
    } catch (RuntimeException e) {
      browserLog.add("(browser log unavailable: " + e.getMessage() + ")");
    }
  }

  private void diagnose() {
    try {
      Files.write(repositoryRoot().resolve("cairn-cli/target/console-failure.png"),
          ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      collectBrowserLog();
      System.err.println("console test failed at " + driver.getCurrentUrl() + "\n--- browser log:\n"
          + String.join("\n", browserLog) + "\n--- page text:\n" + driver.findElement(By.tagName("body")).getText());
    } catch (Exception | Error e) {
      System.err.println("no diagnostics: " + e);
    }
  }

  /** Where the screenshots go: under target/ unless the documentation's pictures are asked for. */
  static Path shotsDirectory() {
    String to = System.getProperty("cairn.console.shots", "");
    return switch (to) {
      case "" -> repositoryRoot().resolve("cairn-cli/target/console-shots");
      case "docs" -> repositoryRoot().resolve("docs/console");
      default -> throw new IllegalArgumentException("cairn.console.shots is '" + to
          + "': leave it unset (screenshots go to cairn-cli/target/console-shots) or set it to 'docs'");
    };
  }

  private static Path repositoryRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("cairn-cli")) && Files.isDirectory(p.resolve("docs"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root above " + dir);
  }

  /** A small home folder: some random files, and copies that deduplicate. */
  private static Path folder(Path root) throws Exception {
    Random r = new Random(7);
    Files.createDirectories(root.resolve("docs"));
    Files.createDirectories(root.resolve("photos"));
    byte[] photo = new byte[150_000];
    r.nextBytes(photo);
    for (int i = 0; i < 3; i++) {
      Files.write(root.resolve("photos/holiday-" + i + ".jpg"), photo);
    }
    for (int i = 0; i < 4; i++) {
      byte[] b = new byte[20_000 + r.nextInt(20_000)];
      r.nextBytes(b);
      Files.write(root.resolve("docs/report-" + i + ".pdf"), b);
    }
    Files.writeString(root.resolve("notes.txt"), "remember the milk\n".repeat(2000));
    return root;
  }

  /** RFC 6238: HMAC-SHA1, 30-second steps, six digits (written here independently of the server's). */
  static String totp(String base32, Instant at) throws Exception {
    byte[] key = base32Decode(base32);
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(key, "HmacSHA1"));
    byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(at.getEpochSecond() / 30).array());
    int o = h[h.length - 1] & 0x0f;
    int bin = ((h[o] & 0x7f) << 24) | ((h[o + 1] & 0xff) << 16) | ((h[o + 2] & 0xff) << 8) | (h[o + 3] & 0xff);
    return String.format("%06d", bin % 1_000_000);
  }

  static byte[] base32Decode(String s) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    String clean = s.replace("=", "").toUpperCase();
    byte[] out = new byte[clean.length() * 5 / 8];
    int buffer = 0;
    int bits = 0;
    int n = 0;
    for (char c : clean.toCharArray()) {
      int v = alphabet.indexOf(c);
      if (v < 0) {
        throw new IllegalArgumentException("not base32: " + s);
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out[n++] = (byte) (buffer >> (bits - 8));
        bits -= 8;
      }
    }
    return out;
  }
}
