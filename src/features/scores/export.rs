//! `/scores export`: every score of the guild as a CSV file, one row per score, written with
//! the `csv` crate (quoting as RFC 4180 wants). Cells a spreadsheet would run as a formula
//! (first character `=`, `+`, `-`, `@`, tab, carriage return, or NUL as OWASP ASVS 5.0
//! requirement 1.2.10 adds) get a leading `'`; nothing else is changed. Every export is in the
//! audit trail: who, when, how many rows.

use crate::engine::Handled;
use crate::store::ScoreRow;

use super::{counted, date_utc, timestamp_utc};
use crate::engine::{Attachment, Engine, Error, Message, Outcome, Request};

/// The header row.
pub const COLUMNS: [&str; 10] = [
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
];

/// A cell as a spreadsheet will not run it: a leading `'` before a formula-like start.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\0') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// The CSV of some scores, ratings only (notes without a rating are not scores yet).
pub fn to_csv(
    rows: &[ScoreRow],
    level_topic: impl Fn(&str) -> (String, String),
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
        ];
        w.write_record(record.iter().map(|c| neutralise(c)))
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
        let rows = self.store.read(|db| db.guild_scores(req.guild_id))?;
        let bytes = to_csv(&rows, |id| match self.bank().get(id) {
            Some(q) => (q.level.as_str().to_string(), q.topic.clone()),
            None => (String::new(), String::new()),
        })?;
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
