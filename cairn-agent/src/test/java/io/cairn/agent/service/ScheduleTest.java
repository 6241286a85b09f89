package io.cairn.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  final ZoneId paris = ZoneId.of("Europe/Paris");

  @Test
  void intervalsRunAtOnceTheFirstTimeThenEveryPeriod() {
    Schedule s = Schedule.parse("90m", null, null);
    Instant now = Instant.parse("2026-12-07T10:00:00Z");
    assertThat(s.nextDue(null, now, paris)).isEqualTo(now);
    assertThat(s.nextDue(now, now, paris)).isEqualTo(now.plus(Duration.ofMinutes(90)));
    assertThat(s.toString()).isEqualTo("every 1 h 30 min");
  }

  @Test
  void timesOfDayAreInTheMachinesZoneAcrossDaylightSavingChanges() {
    Schedule daily = Schedule.parse(null, "2:30", "10m");
    // 2026-03-28 10:00 in Paris (UTC+1); the next 02:30 is on the 29th, the night clocks go forward.
    Instant now = Instant.parse("2026-03-28T09:00:00Z");
    Instant next = daily.nextDue(null, now, paris);
    assertThat(next.atZone(paris).toLocalDate()).hasToString("2026-03-29");
    // 02:30 does not exist that night: the run is an hour later, at 03:30 summer time.
    assertThat(next).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
    assertThat(daily.nextDue(next, next, paris)).isEqualTo(Instant.parse("2026-03-30T00:30:00Z"));
    assertThat(daily.toString()).isEqualTo("daily at 02:30 (+ up to 10 min)");
    Schedule sunday = Schedule.parse(null, "Sun 03:00", null);
    assertThat(sunday.nextDue(null, Instant.parse("2026-12-07T10:00:00Z"), paris))
        .isEqualTo(Instant.parse("2026-12-13T02:00:00Z"));
    assertThat(sunday.period()).isEqualTo(Duration.ofDays(7));
  }

  @Test
  void aRunMissedWhileStoppedIsDueAtOnceAndOnlyOnce() {
    Schedule daily = Schedule.parse(null, "02:30", null);
    Instant last = Instant.parse("2026-12-01T01:30:00Z");
    Instant now = Instant.parse("2026-12-07T10:00:00Z");
    // Due in the past: the service runs it now, and plans the next from now.
    assertThat(daily.nextDue(last, now, paris)).isBefore(now);
    assertThat(daily.nextDue(now, now, paris)).isEqualTo(Instant.parse("2026-12-08T01:30:00Z"));
  }

  @Test
  void badSchedulesSayWhatIsExpected() {
    assertThatThrownBy(() -> Schedule.parse(null, null, null)).hasMessageContaining("'every' (e.g. 1h) or 'at'");
    assertThatThrownBy(() -> Schedule.parse("1h", "02:00", null)).hasMessageContaining("not both");
    assertThatThrownBy(() -> Schedule.parse(null, "Caturday 02:00", null)).hasMessageContaining("not a day");
    assertThatThrownBy(() -> Schedule.parse(null, "25:00", null)).hasMessageContaining("not a time of day");
    assertThatThrownBy(() -> Schedule.parse("often", null, null)).hasMessageContaining("every must be a duration");
  }

  @Test
  void configurationErrorsNameTheJobAndTheSetting() {
    String base = "repository: /r\npassword-file: pw\njobs:\n";
    assertThatThrownBy(() -> AgentConfig.parse(base + "  - name: home\n    paths: [/home]\n    every: 1h\n"
        + "    exlcude: ['*.tmp']\n", "agent.yaml", Path.of("/etc/cairn")))
        .hasMessageContaining("agent.yaml, job 'home': unknown setting 'exlcude'");
    assertThatThrownBy(() -> AgentConfig.parse(base + "  - name: home\n    paths: [/home]\n", "agent.yaml", null))
        .hasMessageContaining("job 'home': a job needs 'every'");
    assertThatThrownBy(() -> AgentConfig.parse(base + "  - name: a\n    paths: [/a]\n    every: 1h\n"
        + "  - name: a\n    paths: [/b]\n    every: 1h\n", "agent.yaml", null)).hasMessageContaining("a second job is named 'a'");
    assertThatThrownBy(() -> AgentConfig.parse("jobs: [\n", "agent.yaml", null)).hasMessageContaining("is not valid YAML");
    AgentConfig ok = AgentConfig.parse(base + "  - name: home\n    paths: [/home, data]\n    at: '03:15'\n",
        "agent.yaml", Path.of("/etc/cairn"));
    assertThat(ok.passwordFile()).isEqualTo(Path.of("/etc/cairn/pw"));
    assertThat(ok.jobs().getFirst().paths()).containsExactly("/home", "/etc/cairn/data");
    assertThat(ok.jobs().getFirst().repository()).isEqualTo("/r");
  }
}
