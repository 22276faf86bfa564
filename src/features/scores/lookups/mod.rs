//! `/scores candidate|team|interviewer|question`: the numbers, computed from the stored rows.
//!
//! Each lookup computes a typed report first (`Engine::*_report`, public so that tests check
//! the arithmetic on numbers, not sentences) and renders it separately:
//!
//! - `scorecard.rs`: `/scores candidate`, one candidate's scorecard.
//! - `team.rs`: `/scores team`, every candidate a page at a time, and its paging buttons.
//! - `calibration.rs`: `/scores interviewer`, each interviewer's mean, spread and difference
//!   from the team.
//! - `question.rs`: `/scores question`, how a question's ratings spread and agree with
//!   recommendations.
//!
//! Evidence (issue 21: the look-fors covered, bonus points reached and red flags heard behind
//! a score, and the rating they suggest) is shown beside the ratings under the same rule: what
//! hides a rating hides its evidence. Evidence counts against the question's current rubric:
//! its text in the bank, or, for a question gone from the bank, its newest stored version
//! ([`Engine::current_rubric`]); evidence given against another version is marked ("rubric
//! since changed") or, in the question's figures, counted apart.
//!
//! Blind scoring (Greenhouse's default, "only after submitting their own"): a member without
//! Manage Server sees another interviewer's ratings, notes and recommendations for a candidate
//! only once they have submitted their own scorecard for that candidate, that is their
//! recommendation (`/recommend` or `/interview end`); a rating alone does not lift it. Before
//! that a candidate shows only how many scorecards exist, and aggregates (team averages,
//! question statistics, the difference from the team in calibration) count only the
//! candidates they have recommended. Each reply that hides something says so and what lifts
//! it ([`BLIND_LIFT`]).

mod calibration;
mod question;
mod scorecard;
mod team;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

pub use calibration::{
    Calibration, CalibrationReport, InterviewerCalibration, LARGE_DIFFERENCE, RubricAgreement,
    calibration,
};
pub use question::{
    EvidenceStats, LookForCount, QuestionReport, QuestionStats, evidence_stats, question_stats,
};
pub use scorecard::{InterviewerAverage, Scorecard, ScorecardReport, evidence_by_score};
pub use team::{TEAM_PAGE, TeamFigures, TeamReport, TeamRow};

use crate::engine::{Card, Catalog, Engine, Error, Request};
use crate::features::scores::evidence::rubric_text;
use crate::features::scores::{member, sees_everything};
use crate::model::{CandidateId, GuildId, Recommendation};
use crate::store::{Db, RubricText, ScoreRow};
use crate::text::truncate;

/// What lifts blindness for a candidate, said wherever it hides something.
pub const BLIND_LIFT: &str =
    "submit your recommendation with /recommend (or /interview end) to see the others'";

/// The footer of a lookup whose figures blind scoring narrowed.
const BLIND_NOTE: &str = "Blind scoring: counts only candidates you have submitted your recommendation for (/recommend or /interview end); members with Manage Server see all.";

/// Whether a recommendation is for hiring (`Some(true)`), against (`Some(false)`), or neither.
pub fn leaning(rec: &Recommendation) -> Option<bool> {
    match rec {
        Recommendation::Yes | Recommendation::StrongYes => Some(true),
        Recommendation::No | Recommendation::StrongNo => Some(false),
        Recommendation::NoDecision => None,
    }
}

/// `part` of `whole` in percent, or `None` of nothing.
pub fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// Shrinks a card's longest field until it fits Discord's embed budget.
fn fit(mut card: Card) -> Card {
    while card.text_len() > 5_900 {
        let Some(longest) = card
            .fields
            .iter_mut()
            .max_by_key(|f| f.value.chars().count())
        else {
            break;
        };
        let n = longest.value.chars().count();
        longest.value = truncate(&longest.value, (n * 3 / 4).max(20));
        if n <= 20 {
            break;
        }
    }
    card
}

/// The ratings of some scores, as numbers.
fn ratings(rows: &[&ScoreRow]) -> Vec<f64> {
    rows.iter()
        .filter_map(|s| s.rating)
        .map(f64::from)
        .collect()
}

impl Engine {
    /// The rubric a question's evidence is measured against now: its text in the bank, or,
    /// for a question gone from the bank, its newest stored version (`None` if it has none).
    pub(crate) fn current_rubric(
        &self,
        db: &Db<'_>,
        catalog: &Catalog<'_>,
        guild_id: GuildId,
        question_id: &str,
    ) -> Result<Option<RubricText>, Error> {
        match catalog.get_in(db, question_id)? {
            Some(q) => Ok(Some(rubric_text(&q))),
            None => Ok(db.latest_rubric(guild_id, question_id)?.map(|v| v.text)),
        }
    }

    /// What a requester may see: everything, or the candidates whose scorecard they submitted
    /// (gave a recommendation for).
    fn visibility_of(&self, req: &Request) -> Result<Option<HashSet<CandidateId>>, Error> {
        if sees_everything(req) {
            return Ok(None);
        }
        let me = member(req)?.user_id;
        Ok(Some(
            self.store
                .read(|db| db.recommended_candidates(req.guild_id, me))?
                .into_iter()
                .collect(),
        ))
    }
}
