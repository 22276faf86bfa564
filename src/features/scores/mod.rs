//! Interview scorecards (issue 10): interviewers score candidates per question on an anchored
//! 4-point scale, by command (`/score`) or in a guided session (`/interview`), give an overall
//! recommendation, and look the results up (`/scores`). Blind scoring: an interviewer sees the
//! others' ratings, notes and recommendations for a candidate only after submitting their own
//! scorecard for that candidate, their recommendation (`/recommend` or `/interview end`); a
//! rating alone does not lift it. Members with Manage Server see everything.
//!
//! - `commands.rs`: the feature's surface: commands with typed options, button ids, records.
//! - `scoring.rs`: `/score`, `/recommend`, and what both share (candidates, sessions to score in).
//! - `sessions.rs`: `/interview start|end`, the session buttons and modal, auto-close.
//! - `lookups.rs`: `/scores candidate|team|interviewer|question`.
//! - `export.rs`: `/scores export` (CSV).
//! - `forget.rs`: `/scores forget` with its confirmation.
//!
//! Every confirmation and lookup is private. Candidate names and notes are stored exactly and
//! shown escaped ([`crate::text::escape`]); nothing they contain can ping anyone.

pub mod commands;
mod error;
pub mod evidence;
pub mod export;
mod forget;
pub mod lookups;
mod panel;
mod rating;
mod scoring;
mod sessions;

use std::fmt;

use crate::engine::access::is_manager;
use crate::engine::command::ChoiceSpec;
use crate::engine::{Engine, Error, Member, Origin, Request};
use crate::model::{GuildId, Recommendation};
use crate::store::{Candidate, Db, ScoreRow};
use crate::text::{escape, is_control_or_format, normalise_name, truncate};

pub use commands::FEATURE;
pub use error::ScoreError;
pub use rating::Rating;

pub use export::neutralise;

/// Overall recommendations, with their labels.
pub const RECOMMENDATIONS: [(Recommendation, &str); 5] = [
    (Recommendation::StrongNo, "Strong no"),
    (Recommendation::No, "No"),
    (Recommendation::Yes, "Yes"),
    (Recommendation::StrongYes, "Strong yes"),
    (Recommendation::NoDecision, "No decision"),
];

/// The `/recommend` choices, one per [`RECOMMENDATIONS`] entry.
pub const RECOMMENDATION_CHOICES: &[ChoiceSpec] = &{
    let mut out = [ChoiceSpec {
        name: "",
        value: "",
    }; RECOMMENDATIONS.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = ChoiceSpec {
            name: RECOMMENDATIONS[i].1,
            value: RECOMMENDATIONS[i].0.as_str(),
        };
        i += 1;
    }
    out
};

/// Longest notes, in characters.
pub const NOTES_MAX: usize = 1000;
/// Longest candidate name, in characters.
pub const NAME_MAX: usize = 100;

/// "Strong yes" for [`Recommendation::StrongYes`].
pub fn recommendation_label(value: &Recommendation) -> &'static str {
    RECOMMENDATIONS
        .iter()
        .find(|(v, _)| v == value)
        .map_or(value.as_str(), |(_, l)| l)
}

/// A candidate name as given, checked and normalised: no control or invisible formatting
/// characters (C0, C1, bidirectional overrides and isolates, zero-width spaces and joiners,
/// any other Unicode format character), then NFKC, trimmed, inner whitespace one space, 1-100
/// characters. Returns it and its matching key (also lower case), under which it is unique in
/// a guild: "Ｄａｎａ  Scully" is "Dana Scully".
pub fn candidate_name(raw: &str) -> Result<(String, String), Error> {
    if let Some(c) = raw.chars().find(|&c| is_control_or_format(c)) {
        return Err(ScoreError::CandidateNameHidden { character: c }.into());
    }
    let name = normalise_name(raw);
    let len = name.chars().count();
    if len == 0 || len > NAME_MAX {
        return Err(ScoreError::CandidateName.into());
    }
    // `name_key` of a name already normalised: its lower case.
    let key = name.to_lowercase();
    Ok((name, key))
}

/// The guild's existing candidate named `raw` (checked as [`candidate_name`]), or an unknown
/// candidate error. A candidate added before names were checked and normalised is found
/// under the key it was stored with (trimmed, lower case, as typed), hidden characters
/// included, so it can still be looked up and forgotten; or by its stored key normalised
/// ([`Db::legacy_candidate`]: only `/score` and `/interview start` re-key it, in
/// [`Db::find_or_add_candidate`]).
pub(crate) fn find_candidate(
    db: &Db<'_>,
    guild_id: GuildId,
    raw: &str,
) -> Result<Candidate, Error> {
    let legacy = raw.trim().to_lowercase();
    let checked = candidate_name(raw);
    if let Ok((_, key)) = &checked
        && let Some(c) = db.candidate_by_key(guild_id, key)?
    {
        return Ok(c);
    }
    if let Some(c) = db.candidate_by_key(guild_id, &legacy)? {
        return Ok(c);
    }
    let (name, key) = checked?;
    if let Some((c, _)) = db.legacy_candidate(guild_id, &key)? {
        return Ok(c);
    }
    Err(ScoreError::UnknownCandidate { name }.into())
}

/// Notes of at most [`NOTES_MAX`] characters, or a "notes too long" error.
pub(crate) fn check_notes(notes: &str) -> Result<(), Error> {
    let len = notes.chars().count();
    if len > NOTES_MAX {
        return Err(ScoreError::NotesTooLong { len }.into());
    }
    Ok(())
}

/// The plural suffix for a count: "" for one, else "s".
pub fn plural<N: PartialEq + From<u8>>(n: N) -> &'static str {
    if n == N::from(1) { "" } else { "s" }
}

/// "1 note", "2 notes": a count and its noun, plural unless one.
pub fn counted<N: fmt::Display + PartialEq + From<u8> + Copy>(n: N, noun: &str) -> String {
    format!("{n} {noun}{}", plural(n))
}

impl Engine {
    /// Runs `write` in one store transaction as the requesting member, at the clock's time
    /// (read once, so every row it writes carries the same time).
    pub(crate) fn write_as<T>(
        &self,
        req: &Request,
        write: impl FnOnce(&Db<'_>, &Member, i64) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let m = member(req)?;
        let now = self.clock.now_ms();
        self.store.write(|db| write(db, m, now))
    }
}

/// A score's rating in bold (or `unrated`) and its notes on one line, cut at `notes_max`
/// characters: "**3 Yes**: covered versioning".
pub(crate) fn rating_and_notes(s: &ScoreRow, unrated: &str, notes_max: usize) -> String {
    let rating = s.rating.map_or_else(
        || unrated.to_string(),
        |r| format!("**{}**", rating_label(r)),
    );
    if s.notes.is_empty() {
        return rating;
    }
    let notes = truncate(&escape(&s.notes).replace('\n', " "), notes_max);
    format!("{rating}: {notes}")
}

pub use crate::engine::access::member;
pub use crate::engine::cards::{RATING_CHOICES, SCALE, rating_label, scale_text};
pub use crate::text::name_key;
pub use crate::time::{date_utc, timestamp_utc};

/// Whether the requester sees every scorecard (Manage Server, or the bot itself).
pub(super) fn sees_everything(req: &Request) -> bool {
    match &req.origin {
        Origin::Member(m) => is_manager(m),
        Origin::Bot => true,
    }
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
    if !(1..=12).contains(&m) || d < 1 || d > crate::time::days_in_month(y, m) {
        return Err(bad());
    }
    Ok(crate::time::days_from_civil(y, m, d) * 86_400_000)
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
        assert_eq!(
            candidate_name(" Ｄａｎａ \u{3000} Scully").unwrap().0,
            "Dana Scully"
        );
        for hidden in [
            "Dana\u{200b} Scully",
            "Dana \u{202e}yllucS",
            "Dana\u{1b}[2J",
            "\u{feff}Dana",
        ] {
            assert!(
                matches!(
                    candidate_name(hidden),
                    Err(Error::Refused(ref r)) if r.kind() == "candidate name with hidden characters"
                ),
                "{hidden:?}"
            );
        }
        assert!(RATING_CHOICES.iter().all(|c| c.name.chars().count() <= 100));
    }

    #[test]
    fn mean_and_spread() {
        assert_eq!(mean(&[1.0, 3.0]), Some(2.0));
        assert_eq!(spread(&[1.0, 3.0]), Some(1.0));
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn recommendation_choices_follow_the_labels() {
        assert_eq!(RECOMMENDATION_CHOICES.len(), RECOMMENDATIONS.len());
        for (c, (v, l)) in RECOMMENDATION_CHOICES.iter().zip(RECOMMENDATIONS) {
            assert_eq!((c.name, c.value), (l, v.as_str()));
        }
        assert_eq!(
            (plural(1usize), plural(0u64), plural(2usize)),
            ("", "s", "s")
        );
    }
}
