//! Local times for daily practice: parsing what members type (times, durations, days, time
//! zones) and turning a schedule's wall-clock time into instants, across daylight-saving
//! changes, with the tz database bundled in the binary (no /usr/share/zoneinfo needed).

use std::fmt;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ToSpan};

/// The days of the week a schedule posts on, Monday first, as a bit set (bit 0 = Monday).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days(pub u8);

impl Days {
    pub const EVERY_DAY: Days = Days(0b111_1111);
    pub const WEEKDAYS: Days = Days(0b001_1111);

    /// The set of these bits, if it names at least one day and nothing else.
    pub fn of(bits: u8) -> Option<Days> {
        (bits != 0 && bits & !Days::EVERY_DAY.0 == 0).then_some(Days(bits))
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.to_monday_zero_offset()) != 0
    }

    /// "every day", "weekdays", or "mon, wed, fri".
    pub fn describe(self) -> String {
        match self {
            Days::EVERY_DAY => "every day".into(),
            Days::WEEKDAYS => "weekdays".into(),
            Days(bits) => NAMES
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, n)| *n)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

const NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// `every day`, `daily`, `weekdays`, `weekends`, or a list such as `mon,wed,fri`
/// (full names too, any case, commas or spaces).
pub fn parse_days(text: &str) -> Option<Days> {
    let t = text.trim().to_lowercase();
    match t.as_str() {
        "" | "every day" | "everyday" | "daily" | "all" => return Some(Days::EVERY_DAY),
        "weekdays" | "weekday" => return Some(Days::WEEKDAYS),
        "weekends" | "weekend" => return Some(Days(0b110_0000)),
        _ => {}
    }
    let mut bits = 0u8;
    for word in t
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        let i = NAMES
            .iter()
            .position(|n| word.starts_with(n) && (word.len() == 3 || full_day(word)))?;
        bits |= 1 << i;
    }
    (bits != 0).then_some(Days(bits))
}

fn full_day(word: &str) -> bool {
    matches!(
        word,
        "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "tues"
            | "thur"
            | "thurs"
    )
}

/// A time of day on a 24-hour clock, to the minute: when a schedule posts. Read as members
/// type it (`9:05`, `09:05`); shown and stored as `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeOfDay {
    hour: u8,
    minute: u8,
}

impl TimeOfDay {
    /// `HH:MM` (or `H:MM`) on a 24-hour clock.
    pub fn parse(text: &str) -> Option<TimeOfDay> {
        let (h, m) = text.trim().split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let hour: u8 = h.parse().ok()?;
        let minute: u8 = m.parse().ok()?;
        (hour < 24 && minute < 60).then_some(TimeOfDay { hour, minute })
    }

    fn civil(self) -> Option<Time> {
        Time::new(self.hour as i8, self.minute as i8, 0, 0).ok()
    }
}

/// `HH:MM`.
impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// The longest reveal delay.
pub const MAX_REVEAL_MINUTES: u32 = 24 * 60;

/// A duration such as `12h`, `90m`, `1h30m` or `45s`, at most 24 hours; `0` for none.
/// Returns seconds.
pub fn parse_duration(text: &str) -> Option<u32> {
    let t = text.trim().to_lowercase().replace(' ', "");
    if t == "0" {
        return Some(0);
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    let mut units = 0;
    for c in t.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().ok()?;
        number.clear();
        total += n * match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        units += 1;
    }
    if !number.is_empty() || units == 0 || total > u64::from(MAX_REVEAL_MINUTES) * 60 {
        return None;
    }
    u32::try_from(total).ok()
}

/// `12h`, `1h30m`, `45s`: the short form of a delay in seconds.
pub fn describe_duration(seconds: u32) -> String {
    if seconds == 0 {
        return "no reveal".into();
    }
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// A time zone by its IANA name (`Europe/Berlin`), or `UTC`.
pub fn zone(name: &str) -> Option<TimeZone> {
    if name.trim().is_empty() {
        return None;
    }
    TimeZone::get(name.trim()).ok()
}

/// A time zone with the name it was chosen by (an IANA name such as `Europe/Berlin`, as
/// typed), shown as that name. Two zones are the same when their names are.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// The zone named `name` (see [`zone`]), keeping the name as given.
    pub fn named(name: &str) -> Option<Zone> {
        zone(name).map(|tz| Zone {
            name: name.to_string(),
            tz,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// The IANA names closest to a mistyped one, best first.
pub fn suggest_zones(typed: &str, limit: usize) -> Vec<String> {
    let typed = typed.trim().to_lowercase();
    let mut scored: Vec<(f64, String)> = jiff::tz::db()
        .available()
        .map(|n| n.to_string())
        .filter(|n| n.contains('/') || n == "UTC")
        .map(|n| {
            let lower = n.to_lowercase();
            let city = lower.rsplit('/').next().unwrap_or(&lower).to_string();
            let score =
                strsim::jaro_winkler(&typed, &lower).max(strsim::jaro_winkler(&typed, &city));
            (score, n)
        })
        .filter(|(s, _)| *s >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.into_iter().take(limit).map(|(_, n)| n).collect()
}

/// IANA names matching what is typed so far (for autocomplete), best first.
pub fn complete_zones(partial: &str, limit: usize) -> Vec<String> {
    let p = partial.trim().to_lowercase();
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.to_string())
        .filter(|n| (n.contains('/') || n == "UTC") && !n.starts_with("Etc/"))
        .filter(|n| n.to_lowercase().contains(&p))
        .collect();
    names.sort_by_key(|n| {
        let lower = n.to_lowercase();
        let city = lower.rsplit('/').next().unwrap_or("").to_string();
        (!(lower.starts_with(&p) || city.starts_with(&p)), n.clone())
    });
    names.truncate(limit);
    names
}

/// The instant a wall-clock time happens on a local date. A time that does not exist that day
/// (clocks spring forward over it) happens at the first valid instant after it, the moment of
/// the change; a time that happens twice (clocks fall back) happens at its first occurrence.
pub fn instant_on(tz: &TimeZone, date: Date, at: TimeOfDay) -> Option<Timestamp> {
    let dt = DateTime::from_parts(date, at.civil()?);
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => {
            ambiguous.earlier().ok()
        }
        AmbiguousOffset::Gap { before, .. } => {
            // Read with the offset before the change, the time lies after the change; the
            // change itself is the first valid instant after the missing time.
            let after_change = before.to_timestamp(dt).ok()?;
            // `preceding` looks strictly before its argument; a time at the very start of the
            // gap reads as the change itself, so look from just after it.
            let probe = after_change
                .checked_add(jiff::SignedDuration::from_nanos(1))
                .ok()?;
            let change = tz.preceding(probe).next()?.timestamp();
            Some(change)
        }
    }
}

/// The local date of an instant in a zone.
pub fn local_date(tz: &TimeZone, at_ms: i64) -> Option<Date> {
    let ts = Timestamp::from_millisecond(at_ms).ok()?;
    Some(ts.to_zoned(tz.clone()).date())
}

/// The instant the local date `date` ends (the next midnight) in a zone.
pub fn end_of_day_ms(tz: &TimeZone, date: Date) -> Option<i64> {
    let next = date.checked_add(1.day()).ok()?;
    let start = tz.to_ambiguous_timestamp(next.to_datetime(Time::midnight()));
    Some(start.compatible().ok()?.as_millisecond())
}

/// A Discord timestamp that each reader sees in their own zone: `<t:1700000000:F>`.
pub fn discord_timestamp(at_ms: i64, style: char) -> String {
    format!("<t:{}:{style}>", at_ms.div_euclid(1000))
}

/// An instant shown in a zone: `Mon 30 Mar 2026 09:00 CEST`.
pub fn describe_instant(tz: &TimeZone, at_ms: i64) -> String {
    match Timestamp::from_millisecond(at_ms) {
        Ok(ts) => ts
            .to_zoned(tz.clone())
            .strftime("%a %-d %b %Y %H:%M %Z")
            .to_string(),
        Err(_) => "(unknown)".into(),
    }
}

pub fn weekday(date: Date) -> Weekday {
    date.weekday()
}

/// `YYYY-MM-DD` (UTC) of a time in milliseconds.
pub fn date_utc(ms: i64) -> String {
    let (y, m, d) = civil(ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a time in milliseconds.
pub fn timestamp_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let day = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let (y, m, d) = civil(day);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number since 1970-01-01.
pub fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(hour: u8, minute: u8) -> TimeOfDay {
        TimeOfDay { hour, minute }
    }

    fn ms(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn times_durations_and_days_parse_as_members_type_them() {
        assert_eq!(TimeOfDay::parse("09:00"), Some(hm(9, 0)));
        assert_eq!(TimeOfDay::parse("9:05"), Some(hm(9, 5)));
        assert_eq!(hm(9, 5).to_string(), "09:05");
        for bad in ["25:00", "9am", "12:60", "1200", "12:5", ""] {
            assert_eq!(TimeOfDay::parse(bad), None, "{bad}");
        }
        assert_eq!(parse_duration("12h"), Some(12 * 3600));
        assert_eq!(parse_duration("90m"), Some(90 * 60));
        assert_eq!(parse_duration("1h30m"), Some(5400));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("24h"), Some(86_400));
        for bad in ["25h", "3 days", "3d", "h", "12", "-1h", ""] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(describe_duration(5400), "1h30m");
        assert_eq!(parse_days("weekdays"), Some(Days::WEEKDAYS));
        assert_eq!(parse_days("mon,wed,fri"), Some(Days(0b10101)));
        assert_eq!(parse_days("Monday Friday"), Some(Days(0b10001)));
        assert_eq!(parse_days("funday"), None);
        assert_eq!(Days(0b10101).describe(), "mon, wed, fri");
    }

    #[test]
    fn zones_resolve_and_typos_get_suggestions() {
        assert!(zone("Europe/Berlin").is_some() && zone("UTC").is_some());
        assert!(zone("Mars/Olympus").is_none());
        let berlin = Zone::named("Europe/Berlin").unwrap();
        assert_eq!(berlin.to_string(), "Europe/Berlin");
        assert_eq!(berlin.tz().iana_name(), Some("Europe/Berlin"));
        assert!(Zone::named("Mars/Olympus").is_none() && Zone::named(" ").is_none());
        assert!(suggest_zones("Europe/Berln", 3).contains(&"Europe/Berlin".to_string()));
        assert!(complete_zones("berl", 5).contains(&"Europe/Berlin".to_string()));
    }

    #[test]
    fn a_missing_time_posts_at_the_change_and_a_doubled_time_posts_once() {
        let berlin = zone("Europe/Berlin").unwrap();
        // 2026-03-29: clocks go from 02:00 to 03:00 (CET to CEST). 02:30 does not exist.
        let spring = instant_on(&berlin, "2026-03-29".parse().unwrap(), hm(2, 30)).unwrap();
        assert_eq!(spring.as_millisecond(), ms("2026-03-29T01:00:00Z"));
        // 02:00, the very start of the gap, also posts at the change.
        let start = instant_on(&berlin, "2026-03-29".parse().unwrap(), hm(2, 0)).unwrap();
        assert_eq!(start.as_millisecond(), ms("2026-03-29T01:00:00Z"));
        // Midnight gaps exist too (Santiago springs forward at 00:00 in September).
        let santiago = zone("America/Santiago").unwrap();
        let midnight = instant_on(&santiago, "2026-09-06".parse().unwrap(), hm(0, 0)).unwrap();
        assert_eq!(midnight.as_millisecond(), ms("2026-09-06T04:00:00Z"));
        // 2026-10-25: 02:30 happens twice; the first is CEST (00:30Z).
        let fall = instant_on(&berlin, "2026-10-25".parse().unwrap(), hm(2, 30)).unwrap();
        assert_eq!(fall.as_millisecond(), ms("2026-10-25T00:30:00Z"));
        let ny = zone("America/New_York").unwrap();
        // 2026-03-08: 02:00 to 03:00 EST to EDT.
        let spring = instant_on(&ny, "2026-03-08".parse().unwrap(), hm(2, 15)).unwrap();
        assert_eq!(spring.as_millisecond(), ms("2026-03-08T07:00:00Z"));
        // 2026-11-01: 01:30 twice; first in EDT (05:30Z).
        let fall = instant_on(&ny, "2026-11-01".parse().unwrap(), hm(1, 30)).unwrap();
        assert_eq!(fall.as_millisecond(), ms("2026-11-01T05:30:00Z"));
        // An ordinary day.
        let plain = instant_on(&ny, "2026-06-01".parse().unwrap(), hm(9, 0)).unwrap();
        assert_eq!(plain.as_millisecond(), ms("2026-06-01T13:00:00Z"));
        let end = end_of_day_ms(&ny, "2026-06-01".parse().unwrap()).unwrap();
        assert_eq!(end, ms("2026-06-02T04:00:00Z"));
    }
}
