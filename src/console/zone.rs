//! The terminal's time zone, for showing Discord's timestamps as local times: `TZ` (an IANA
//! name such as `Europe/Berlin`, a path to a zone file, or a POSIX rule such as
//! `CET-1CEST,M3.5.0,M10.5.0/3`), else `/etc/localtime` (the zone it links to, or the file
//! itself), else `/etc/timezone`, else UTC.

use jiff::tz::TimeZone;

/// The local time zone, or UTC when none can be found.
pub fn local() -> TimeZone {
    match std::env::var("TZ") {
        Ok(tz) if !tz.trim().is_empty() => from_tz(tz.trim()).unwrap_or(TimeZone::UTC),
        _ => from_system().unwrap_or(TimeZone::UTC),
    }
}

/// A zone from the value of `TZ`.
fn from_tz(tz: &str) -> Option<TimeZone> {
    let tz = tz.strip_prefix(':').unwrap_or(tz);
    if tz.starts_with('/') {
        return from_file(tz);
    }
    TimeZone::get(tz).ok().or_else(|| TimeZone::posix(tz).ok())
}

/// The zone `/etc/localtime` names (a link into a `zoneinfo` folder) or holds.
fn from_system() -> Option<TimeZone> {
    let linked = std::fs::read_link("/etc/localtime")
        .ok()
        .and_then(|target| {
            let target = target.to_string_lossy().into_owned();
            let (_, name) = target.rsplit_once("zoneinfo/")?;
            TimeZone::get(name).ok()
        });
    linked.or_else(|| from_file("/etc/localtime")).or_else(|| {
        let name = std::fs::read_to_string("/etc/timezone").ok()?;
        TimeZone::get(name.trim()).ok()
    })
}

/// A zone from a TZif file (a file of the system's zone database).
fn from_file(path: &str) -> Option<TimeZone> {
    let bytes = std::fs::read(path).ok()?;
    TimeZone::tzif("Local", &bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tz_names_rules_and_files() {
        let at = jiff::Timestamp::from_second(1_774_861_200).unwrap();
        let hour = |tz: TimeZone| at.to_zoned(tz).strftime("%H:%M %Z").to_string();
        assert_eq!(hour(from_tz("Asia/Tokyo").unwrap()), "18:00 JST");
        assert_eq!(hour(from_tz(":Asia/Tokyo").unwrap()), "18:00 JST");
        assert_eq!(hour(from_tz("JST-9").unwrap()), "18:00 JST");
        assert!(from_tz("Nowhere/Atlantis").is_none());
        assert!(from_tz("/nonexistent/zone").is_none());
    }
}
