//! Interview scorecards (issue 10): interviewers score candidates per question on an anchored
//! 4-point scale, by command (`/score`) or in a guided session (`/interview`), give an overall
//! recommendation, and look the results up (`/scores`). Blind scoring: an interviewer sees the
//! others' ratings, notes and recommendations for a candidate only after rating that
//! candidate themselves; members with Manage Server see everything.
//!
//! - `commands.rs`: the declarations listed in the command table.
//! - `config.rs`: `/config` (interviewer role, rubric access, time zone, show).
//! - `scoring.rs`: `/score`, `/recommend`, and what both share (candidates, sessions to score in).
//! - `sessions.rs`: `/interview start|end`, the session buttons and modal, auto-close.
//! - `lookups.rs`: `/scores candidate|team|interviewer|question`.
//! - `export.rs`: `/scores export` (CSV).
//! - `forget.rs`: `/scores forget` with its confirmation.
//!
//! Every confirmation and lookup is private. Candidate names and notes are stored exactly and
//! shown escaped ([`crate::text::escape`]); nothing they contain can ping anyone.

pub mod commands;
mod config;
pub mod export;
mod forget;
mod lookups;
mod scoring;
mod sessions;

use super::access::is_manager;
use super::commands::ChoiceSpec;
use super::error::ScoreError;
use super::request::{Member, Origin, Request};
use super::{AutocompleteRequest, Choice, Engine, Error, MAX_CHOICES};
use crate::model::Recommendation;
use crate::text::truncate;

pub use config::valid_timezone;
pub use export::neutralise;

/// The rating scale: value, name, anchor.
pub const SCALE: [(u8, &str, &str); 4] = [
    (1, "Strong no", "red flags shown or most points missed"),
    (
        2,
        "No",
        "some of the points a strong answer covers are missing",
    ),
    (3, "Yes", "covers them"),
    (
        4,
        "Strong yes",
        "covers them with depth, trade-offs and the follow-ups",
    ),
];

/// The scale as option choices, anchors included.
pub const RATING_CHOICES: &[ChoiceSpec] = &[
    ChoiceSpec {
        name: "1 Strong no: red flags shown or most points missed",
        value: "1",
    },
    ChoiceSpec {
        name: "2 No: some of the points a strong answer covers are missing",
        value: "2",
    },
    ChoiceSpec {
        name: "3 Yes: covers them",
        value: "3",
    },
    ChoiceSpec {
        name: "4 Strong yes: covers them with depth, trade-offs and the follow-ups",
        value: "4",
    },
];

/// Overall recommendations, with their labels.
pub const RECOMMENDATIONS: [(Recommendation, &str); 5] = [
    (Recommendation::StrongNo, "Strong no"),
    (Recommendation::No, "No"),
    (Recommendation::Yes, "Yes"),
    (Recommendation::StrongYes, "Strong yes"),
    (Recommendation::NoDecision, "No decision"),
];

pub const RECOMMENDATION_CHOICES: &[ChoiceSpec] = &[
    ChoiceSpec {
        name: RECOMMENDATIONS[0].1,
        value: RECOMMENDATIONS[0].0.as_str(),
    },
    ChoiceSpec {
        name: RECOMMENDATIONS[1].1,
        value: RECOMMENDATIONS[1].0.as_str(),
    },
    ChoiceSpec {
        name: RECOMMENDATIONS[2].1,
        value: RECOMMENDATIONS[2].0.as_str(),
    },
    ChoiceSpec {
        name: RECOMMENDATIONS[3].1,
        value: RECOMMENDATIONS[3].0.as_str(),
    },
    ChoiceSpec {
        name: RECOMMENDATIONS[4].1,
        value: RECOMMENDATIONS[4].0.as_str(),
    },
];

/// Longest notes, in characters.
pub const NOTES_MAX: usize = 1000;
/// Longest candidate name, in characters.
pub const NAME_MAX: usize = 100;

/// "3 Yes".
pub fn rating_label(rating: u8) -> String {
    SCALE
        .iter()
        .find(|(v, _, _)| *v == rating)
        .map_or_else(|| rating.to_string(), |(v, n, _)| format!("{v} {n}"))
}

/// "Strong yes" for [`Recommendation::StrongYes`].
pub fn recommendation_label(value: &Recommendation) -> &'static str {
    RECOMMENDATIONS
        .iter()
        .find(|(v, _)| v == value)
        .map_or(value.as_str(), |(_, l)| l)
}

/// The scale with its anchors, one line each, for the rubric, `/help` and the README.
pub fn scale_text() -> String {
    SCALE
        .iter()
        .map(|(v, n, a)| format!("**{v} {n}**: {a}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A candidate name as given: trimmed, 1-100 characters. Returns it and its matching key
/// (Unicode lower case), under which it is unique in a guild.
pub fn candidate_name(raw: &str) -> Result<(String, String), Error> {
    let name = raw.trim();
    let len = name.chars().count();
    if len == 0 || len > NAME_MAX {
        return Err(ScoreError::CandidateName.into());
    }
    Ok((name.to_string(), name_key(name)))
}

/// The key names are matched by: trimmed, lower case (Unicode-aware), inner whitespace as is.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The member behind a request, or an internal error for the bot's own work (scoring is always
/// a member's).
pub(super) fn member(req: &Request) -> Result<&Member, Error> {
    match &req.origin {
        Origin::Member(m) => Ok(m),
        Origin::Bot => Err(Error::Internal("scoring needs a member".into())),
    }
}

/// Whether the requester sees every scorecard (Manage Server, or the bot itself).
pub(super) fn sees_everything(req: &Request) -> bool {
    match &req.origin {
        Origin::Member(m) => is_manager(m),
        Origin::Bot => true,
    }
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

/// Midnight UTC of a `YYYY-MM-DD` date, in milliseconds.
pub fn parse_date(s: &str) -> Result<i64, Error> {
    let bad = || {
        Error::from(ScoreError::Date {
            value: s.to_string(),
        })
    };
    let t = s.trim();
    let parts: Vec<&str> = t.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return Err(bad());
    }
    let num = |p: &str| {
        p.parse::<i64>()
            .ok()
            .filter(|_| p.bytes().all(|b| b.is_ascii_digit()))
    };
    let (Some(y), Some(m), Some(d)) = (num(parts[0]), num(parts[1]), num(parts[2])) else {
        return Err(bad());
    };
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(bad());
    }
    Ok(days_from_civil(y, m, d) * 86_400_000)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number since 1970-01-01.
fn civil(z: i64) -> (i64, i64, i64) {
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

/// The mean of some ratings.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The population standard deviation of some ratings.
pub fn spread(values: &[f64]) -> Option<f64> {
    let m = mean(values)?;
    Some((values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64).sqrt())
}

/// Two decimals, or a dash.
pub fn two(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.2}"))
}

impl Engine {
    /// Candidate suggestions: names containing what was typed (ignoring case), newest first;
    /// only for interviewers (nothing when the front end does not say who is typing).
    pub(super) fn complete_candidate(&self, req: &AutocompleteRequest) -> Vec<Choice> {
        let guild_id = req.guild_id;
        let Some(m) = &req.member else {
            return Vec::new();
        };
        let interviewer = is_manager(m)
            || self
                .store
                .read(|db| db.interviewer_role(guild_id))
                .ok()
                .flatten()
                .is_some_and(|r| m.roles.contains(&r));
        if !interviewer {
            return Vec::new();
        }
        let needle = name_key(&req.partial);
        let names = self
            .store
            .read(|db| db.candidate_names(guild_id, 1000))
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "candidates unavailable for suggestions");
                Vec::new()
            });
        let mut picked: Vec<(bool, String)> = names
            .into_iter()
            .filter(|(_, key)| key.contains(&needle))
            .map(|(name, key)| (!key.starts_with(&needle), name))
            .collect();
        // Prefix matches first, the rest in their (newest first) order.
        picked.sort_by_key(|(later, _)| *later);
        picked
            .into_iter()
            .take(MAX_CHOICES)
            .map(|(_, name)| Choice {
                name: truncate(&name, 100),
                value: name,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_bad_ones_are_refused() {
        assert_eq!(date_utc(0), "1970-01-01");
        let ms = parse_date("2026-03-01").unwrap();
        assert_eq!(date_utc(ms), "2026-03-01");
        assert_eq!(timestamp_utc(ms + 3_723_000), "2026-03-01T01:02:03Z");
        assert_eq!(date_utc(parse_date("2024-02-29").unwrap()), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "26-01-01",
            "2026-1-01",
            "x",
            "2026-01-+1",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_bounded_and_keyed_case_insensitively() {
        assert_eq!(
            candidate_name("  Ödön Straße ").unwrap(),
            ("Ödön Straße".to_string(), "ödön straße".to_string())
        );
        assert_eq!(name_key("ÁDA"), name_key("áda"));
        assert!(candidate_name("   ").is_err());
        assert!(candidate_name(&"é".repeat(100)).is_ok());
        assert!(candidate_name(&"é".repeat(101)).is_err());
        assert!(RATING_CHOICES.iter().all(|c| c.name.chars().count() <= 100));
    }

    #[test]
    fn mean_and_spread() {
        assert_eq!(mean(&[1.0, 3.0]), Some(2.0));
        assert_eq!(spread(&[1.0, 3.0]), Some(1.0));
        assert_eq!(mean(&[]), None);
    }
}
