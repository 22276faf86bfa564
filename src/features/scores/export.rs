//! `/scores export`: every score of the guild as a CSV file, one row per score, written with
//! the `csv` crate (quoting as RFC 4180 wants). Cells a spreadsheet would run as a formula
//! (first character `=`, `+`, `-`, `@`, tab, carriage return, or NUL as OWASP ASVS 5.0
//! requirement 1.2.10 adds) get a leading `'`; nothing else is changed. Every export is in the
//! audit trail: who, when, how many rows.
//!
//! After the score's own columns come the evidence behind it (issue 21), empty for a score
//! without: the look-fors covered, bonus points reached and red flags heard (their words in
//! the rubric version the score was given against, joined with "; "), the suggested rating, the
//! override (rating minus suggestion, "+1" or "-2", written `'+1` and `'-2` like any cell that
//! starts with a sign), the interviewer's reason for it, and whether that version is the
//! question's `current` rubric or an `older` one.

use std::collections::HashMap;

use crate::engine::Handled;
use crate::features::scores::evidence::{ScoreEvidence, score_evidence};
use crate::model::RubricId;
use crate::store::{RatedEvidence, RubricText, RubricVersion, ScoreRow};

use super::{counted, date_utc, timestamp_utc};
use crate::engine::{Attachment, Engine, Error, Message, Outcome, Request};

/// The header row.
pub const COLUMNS: [&str; 17] = [
    "candidate",
    "question_id",
    "level",
    "topic",
    "interviewer_id",
    "interviewer_name",
    "rating",
    "notes",
    "scored_at",
    "session_id",
    "look_fors_covered",
    "bonus_reached",
    "red_flags_heard",
    "suggested_rating",
    "override",
    "override_reason",
    "rubric",
];

/// A cell as a spreadsheet will not run it: a leading `'` before a formula-like start.
pub fn neutralise(cell: &str) -> String {
    if crate::text::formula_like(cell) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// The evidence the export writes beside the scores: each score's, by score id, and the
/// rubric versions it names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportEvidence {
    pub by_score: HashMap<i64, ScoreEvidence>,
    pub rubrics: HashMap<RubricId, RubricText>,
}

impl ExportEvidence {
    /// The guild's evidence read against its versions. A question's current rubric is
    /// `in_bank`'s answer, or for a question gone from the bank its newest stored version.
    pub fn of(
        evidence: &[RatedEvidence],
        versions: Vec<RubricVersion>,
        in_bank: impl Fn(&str) -> Option<RubricText>,
    ) -> ExportEvidence {
        let mut current: HashMap<String, RubricText> = HashMap::new();
        for v in &versions {
            let q = &v.text.question_id;
            if !current.contains_key(q)
                && let Some(now) = in_bank(q)
            {
                current.insert(q.clone(), now);
            }
        }
        // Newest last: a question gone from the bank ends at its newest version.
        let mut newest: HashMap<String, RubricText> = HashMap::new();
        for v in &versions {
            if !current.contains_key(&v.text.question_id) {
                newest.insert(v.text.question_id.clone(), v.text.clone());
            }
        }
        current.extend(newest);
        let rubrics: HashMap<RubricId, RubricText> =
            versions.into_iter().map(|v| (v.id, v.text)).collect();
        let by_score = evidence
            .iter()
            .filter_map(|e| {
                let version = rubrics.get(&e.evidence.rubric)?;
                let now = current.get(&version.question_id);
                Some((
                    e.score_id,
                    score_evidence(&e.evidence, e.rating, version, now),
                ))
            })
            .collect();
        ExportEvidence { by_score, rubrics }
    }

    /// The evidence cells of a score: empty for a score without evidence.
    pub fn cells(&self, score_id: i64) -> [String; 7] {
        let Some(e) = self.by_score.get(&score_id) else {
            return Default::default();
        };
        let words = |items: &[usize], list: fn(&RubricText) -> &Vec<String>| {
            self.rubrics.get(&e.rubric).map_or_else(String::new, |v| {
                items
                    .iter()
                    .filter_map(|&i| list(v).get(i).cloned())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        };
        [
            words(&e.covered, |v| &v.look_fors),
            words(&e.bonus, |v| &v.bonus),
            words(&e.red_flags, |v| &v.red_flags),
            e.suggested.to_string(),
            e.override_by.map_or_else(String::new, |d| format!("{d:+}")),
            if e.override_by.is_some() {
                e.reason.clone()
            } else {
                String::new()
            },
            if e.older { "older" } else { "current" }.to_string(),
        ]
    }
}

/// The CSV of some scores, ratings only (notes without a rating are not scores yet), with the
/// evidence behind each.
pub fn to_csv(
    rows: &[ScoreRow],
    level_topic: impl Fn(&str) -> (String, String),
    evidence: &ExportEvidence,
) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Internal(format!("csv: {e}"));
    w.write_record(COLUMNS).map_err(fail)?;
    for s in rows {
        let Some(rating) = s.rating else { continue };
        let (level, topic) = level_topic(&s.question_id);
        let record = [
            s.candidate_name.clone(),
            s.question_id.clone(),
            level,
            topic,
            s.interviewer_id.to_string(),
            s.interviewer_name.clone(),
            rating.to_string(),
            s.notes.clone(),
            timestamp_utc(s.updated_at),
            s.session_id.to_string(),
        ]
        .into_iter()
        .chain(evidence.cells(s.id));
        w.write_record(record.map(|c| neutralise(&c)))
            .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("csv: {e}")))
}

impl Engine {
    pub(crate) fn cmd_scores_export(
        &self,
        req: &Request,
        _opts: super::commands::ExportOptions,
    ) -> Handled {
        self.rate_limit(req, crate::engine::rate::EXPORT)?;
        let (rows, evidence, versions) = self.store.read(|db| {
            Ok::<_, Error>((
                db.guild_scores(req.guild_id)?,
                db.guild_evidence(req.guild_id)?,
                db.guild_rubrics(req.guild_id)?,
            ))
        })?;
        // Each question the export names, read once (imported ones from the store).
        let catalog = self.catalog(req.guild_id)?;
        let mut questions = HashMap::new();
        let named = rows
            .iter()
            .map(|r| &r.question_id)
            .chain(versions.iter().map(|v| &v.text.question_id));
        for id in named {
            if !questions.contains_key(id) {
                questions.insert(id.clone(), catalog.get(id)?);
            }
        }
        let found = |id: &str| questions.get(id).and_then(Option::as_ref);
        let evidence = ExportEvidence::of(&evidence, versions, |id| {
            found(id).map(|q| crate::features::scores::evidence::rubric_text(q))
        });
        let bytes = to_csv(
            &rows,
            |id| match found(id) {
                Some(q) => (q.level.as_str().to_string(), q.topic.clone()),
                None => (String::new(), String::new()),
            },
            &evidence,
        )?;
        let scores = rows.iter().filter(|s| s.rating.is_some()).count();
        let candidates = rows
            .iter()
            .filter(|s| s.rating.is_some())
            .map(|s| s.candidate_id)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        // Who took the hiring data out, when, and how much: recorded before the file is handed
        // over, so an export the trail cannot record is refused.
        let now = self.write_as(req, |db, actor, now| {
            db.audit(
                req.guild_id,
                actor.user_id,
                crate::store::audit_action::SCORES_EXPORTED,
                "",
                &format!(
                    "{} of {}",
                    counted(scores, "row"),
                    counted(candidates, "candidate")
                ),
                now,
            )?;
            Ok(now)
        })?;
        let message = Message {
            content: Some(format!(
                "{scores} score{} of {candidates} candidate{}, one row each (times UTC). Only you see this file.",
                if scores == 1 { "" } else { "s" },
                if candidates == 1 { "" } else { "s" },
            )),
            attachments: vec![Attachment {
                filename: format!("scores-{}.csv", date_utc(now)),
                bytes,
            }],
            ..Message::default()
        };
        Ok(Outcome::private(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_nothing_else_changes() {
        for f in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\0=1"] {
            assert_eq!(neutralise(f), format!("'{f}"));
        }
        for plain in ["Ada", "", " =x", "1-2", "a\"b", "line\nbreak"] {
            assert_eq!(neutralise(plain), plain);
        }
    }
}
