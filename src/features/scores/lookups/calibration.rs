//! `/scores interviewer`: calibration. Each interviewer's mean and spread, their share of
//! "no decision", their difference from the team on the candidates they share, and their
//! agreement with the rubric: how many of their ratings have evidence, how many equal the
//! rating the evidence suggests, and the mean difference from it. Blind scoring: the
//! difference from the team would give the others' ratings away, so for a viewer without
//! Manage Server it counts only the candidates they have submitted their recommendation for;
//! the agreement with the rubric reads only the interviewer's own scores.

use super::{BLIND_LIFT, fit, percent};
use crate::engine::Handled;
use crate::engine::access::Access;
use crate::engine::cards::BOT_COLOUR;
use crate::engine::{Card, Engine, Error, Message, Outcome, Request, ResolvedUser};
use crate::features::scores::commands::InterviewerOptions;
use crate::features::scores::{mean, member, plural, sees_everything, spread, two};
use std::collections::HashSet;

use crate::model::{CandidateId, UserId};
use crate::store::{Agreement, InterviewerRatings};
use crate::text::{escape, truncate};

/// A difference from the team mean at least this large is flagged.
pub const LARGE_DIFFERENCE: f64 = 0.75;

/// One interviewer's calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub scorecards: usize,
    pub ratings: usize,
    pub mean: Option<f64>,
    pub spread: Option<f64>,
    pub recommendations: usize,
    pub no_decision: usize,
    /// Mean over shared candidates of (their mean − the others' mean).
    pub difference: Option<f64>,
    pub shared: usize,
    pub lowest: u8,
    pub highest: u8,
}

impl Calibration {
    /// The share of their recommendations that were "no decision", in percent.
    pub fn no_decision_percent(&self) -> Option<f64> {
        percent(self.no_decision, self.recommendations)
    }

    /// Whether the difference from the team is flagged ([`LARGE_DIFFERENCE`] or more).
    pub fn large(&self) -> bool {
        self.difference.is_some_and(|d| d.abs() >= LARGE_DIFFERENCE)
    }
}

/// One interviewer's calibration from their aggregates: `mean` and `spread` of their ratings,
/// and per candidate they rated (by id) their mean minus the other interviewers' mean, the
/// others' ratings being everyone's less theirs. Sums of whole ratings are exact, so the means
/// are the same as over the rows; the spread adds its squared deviations in value order, not
/// row order, which can move only the last bits, far below the two decimals shown.
pub fn calibration(r: &InterviewerRatings) -> Calibration {
    let values: Vec<f64> = (1u8..=4)
        .zip(r.counts)
        .flat_map(|(v, n)| std::iter::repeat_n(f64::from(v), n as usize))
        .collect();
    let mut diffs = Vec::new();
    for c in &r.candidates {
        let others = c.all_count.saturating_sub(c.own_count);
        if c.own_count == 0 || others == 0 {
            continue;
        }
        let own = c.own_sum as f64 / c.own_count as f64;
        let rest = c.all_sum.saturating_sub(c.own_sum) as f64 / others as f64;
        diffs.push(own - rest);
    }
    let given = |i: usize| r.counts[i] > 0;
    Calibration {
        scorecards: r.scorecards as usize,
        ratings: values.len(),
        mean: mean(&values),
        spread: spread(&values),
        recommendations: r.recommendations as usize,
        no_decision: r.no_decision as usize,
        difference: mean(&diffs),
        shared: diffs.len(),
        lowest: (0..4).find(|i| given(*i)).map_or(0, |i| i as u8 + 1),
        highest: (0..4).rev().find(|i| given(*i)).map_or(0, |i| i as u8 + 1),
    }
}

/// How one interviewer's ratings agree with the ratings their evidence suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RubricAgreement {
    /// All their ratings.
    pub ratings: usize,
    /// Those with evidence.
    pub with_evidence: usize,
    /// Of those, the ratings equal to the suggestion.
    pub equal: usize,
    /// The sum of (rating - suggestion) over them.
    pub signed_sum: i64,
}

impl RubricAgreement {
    /// From the store's counts, beside all `ratings` the interviewer gave.
    pub fn of(a: &Agreement, ratings: usize) -> RubricAgreement {
        RubricAgreement {
            ratings,
            with_evidence: usize::try_from(a.rated_with_evidence).unwrap_or(usize::MAX),
            equal: usize::try_from(a.equal).unwrap_or(usize::MAX),
            signed_sum: a.signed_sum,
        }
    }

    /// The share of their ratings with evidence that equal the suggestion, in percent.
    pub fn equal_percent(&self) -> Option<f64> {
        percent(self.equal, self.with_evidence)
    }

    /// The mean of (rating - suggestion): above zero lenient, below severe.
    pub fn mean_difference(&self) -> Option<f64> {
        (self.with_evidence > 0).then(|| self.signed_sum as f64 / self.with_evidence as f64)
    }

    /// The share of their ratings that have evidence, in percent.
    pub fn evidence_percent(&self) -> Option<f64> {
        percent(self.with_evidence, self.ratings)
    }
}

/// One interviewer shown by `/scores interviewer`.
#[derive(Debug, Clone, PartialEq)]
pub struct InterviewerCalibration {
    pub user_id: UserId,
    /// The name they were last recorded with, if any.
    pub name: Option<String>,
    pub calibration: Calibration,
    /// Candidates that others rated too, left out of the difference from the team because the
    /// viewer has not submitted their recommendation for them (blind scoring).
    pub blind: usize,
    /// Their ratings against the suggestions of their evidence.
    pub agreement: RubricAgreement,
}

/// What `/scores interviewer` shows: one interviewer, or (a manager without a user) the
/// first 24 who rated, by id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CalibrationReport {
    pub interviewers: Vec<InterviewerCalibration>,
}

impl CalibrationReport {
    /// The calibration of `user_id`, if shown.
    pub fn of(&self, user_id: UserId) -> Option<&Calibration> {
        self.interviewers
            .iter()
            .find(|i| i.user_id == user_id)
            .map(|i| &i.calibration)
    }
}

impl Engine {
    /// The calibration the requester asked for: `user` (others need Manage Server), else
    /// everyone who rated (Manage Server) or the requester.
    pub fn calibration_report(
        &self,
        req: &Request,
        user: Option<ResolvedUser>,
    ) -> Result<CalibrationReport, Error> {
        let me = member(req)?.user_id;
        let all = sees_everything(req);
        if let Some(u) = &user
            && u.id != me
            && !all
        {
            return Err(Error::NotAllowed {
                rule: Access::Managers,
            });
        }
        // One snapshot: who is shown (without a user, the first 24 who rated, by id), then
        // each one's aggregates and name. Blind scoring: without Manage Server (so only
        // oneself), only candidates one has recommended are compared with the others.
        self.store.read(|db| {
            let seen: Option<HashSet<CandidateId>> = if all {
                None
            } else {
                Some(
                    db.recommended_candidates(req.guild_id, me)?
                        .into_iter()
                        .collect(),
                )
            };
            let targets: Vec<UserId> = match (&user, all) {
                (Some(u), _) => vec![u.id],
                (None, true) => db.rating_interviewers(req.guild_id, 24)?,
                (None, false) => vec![me],
            };
            let mut interviewers = Vec::with_capacity(targets.len());
            for t in targets {
                let name = match user.as_ref().filter(|u| u.id == t) {
                    Some(u) => Some(u.name.clone()),
                    None => db.interviewer_name(req.guild_id, t)?,
                };
                let mut ratings = db.interviewer_ratings(req.guild_id, t)?;
                let mut blind = 0;
                if let Some(seen) = &seen {
                    ratings.candidates.retain(|c| {
                        let shown = seen.contains(&c.candidate_id);
                        if !shown && c.all_count > c.own_count {
                            blind += 1;
                        }
                        shown
                    });
                }
                let calibration = calibration(&ratings);
                let agreement = RubricAgreement::of(
                    &db.interviewer_agreement(req.guild_id, t)?,
                    calibration.ratings,
                );
                interviewers.push(InterviewerCalibration {
                    user_id: t,
                    name,
                    calibration,
                    blind,
                    agreement,
                });
            }
            Ok::<_, Error>(CalibrationReport { interviewers })
        })
    }

    pub(crate) fn cmd_scores_interviewer(
        &self,
        req: &Request,
        opts: InterviewerOptions,
    ) -> Handled {
        let report = self.calibration_report(req, opts.user)?;
        Ok(Outcome::private(Message::default().card(render(&report))))
    }
}

/// One interviewer's field value.
fn render_one(i: &InterviewerCalibration) -> String {
    let c = &i.calibration;
    if c.ratings == 0 {
        return "No scores yet.".to_string();
    }
    let diff = match c.difference {
        Some(d) => {
            let (flag, large) = if c.large() {
                ("⚠️ ", " (large)")
            } else {
                ("", "")
            };
            format!(
                "{flag}{d:+.2} on {} shared candidate{}{large}",
                c.shared,
                plural(c.shared)
            )
        }
        None => "no candidates scored by others too".to_string(),
    };
    let no_decision = match c.no_decision_percent() {
        None => "no recommendations".to_string(),
        Some(p) => format!(
            "{} of {} recommendations ({p:.0}%)",
            c.no_decision, c.recommendations
        ),
    };
    let blind = if i.blind == 0 {
        String::new()
    } else {
        format!(
            "\nBlind scoring leaves out {} you rated but have not recommended; {BLIND_LIFT}.",
            crate::features::scores::counted(i.blind, "candidate")
        )
    };
    format!(
        "{} scorecard{} · {} rating{} · mean {} · spread {} (ratings {}-{})\nNo decision: {no_decision}\nDifference from the team: {diff}\nAgreement with the rubric: {}{blind}",
        c.scorecards,
        plural(c.scorecards),
        c.ratings,
        plural(c.ratings),
        two(c.mean),
        two(c.spread),
        c.lowest,
        c.highest,
        rubric_agreement(&i.agreement),
    )
}

/// "3 of 4 ratings with evidence (75%) equal the suggestion · mean difference +0.25
/// (lenient) · 4 of 6 ratings (67%) have evidence"
fn rubric_agreement(a: &RubricAgreement) -> String {
    let (Some(equal), Some(mean)) = (a.equal_percent(), a.mean_difference()) else {
        return format!(
            "none of their {} has evidence yet",
            crate::features::scores::counted(a.ratings, "rating")
        );
    };
    let difference = if mean > 0.0 {
        format!("{mean:+.2} (lenient)")
    } else if mean < 0.0 {
        format!("{mean:+.2} (severe)")
    } else {
        "0.00".to_string()
    };
    format!(
        "{} of {} ratings with evidence ({equal:.0}%) equal the suggestion · mean difference {difference} · {} of {} rating{} ({:.0}%) have evidence",
        a.equal,
        a.with_evidence,
        a.with_evidence,
        a.ratings,
        plural(a.ratings),
        a.evidence_percent().unwrap_or(0.0),
    )
}

/// The calibration card.
fn render(r: &CalibrationReport) -> Card {
    let mut card = Card {
        title: Some("Calibration".into()),
        description: Some(format!(
            "Mean and spread (population standard deviation) of each interviewer's ratings; the difference from the team is their mean minus the other interviewers' mean on the same candidates, averaged over those candidates, flagged ⚠️ at {LARGE_DIFFERENCE:.2} or more. Agreement with the rubric compares their ratings with the ratings their ticked evidence suggests (rating minus suggestion: + lenient, - severe)."
        )),
        colour: Some(BOT_COLOUR),
        ..Card::default()
    };
    for i in &r.interviewers {
        let name = i
            .name
            .clone()
            .unwrap_or_else(|| format!("<@{}>", i.user_id));
        card = card.field(truncate(&escape(&name), 256), render_one(i), false);
    }
    if card.fields.is_empty() {
        card.description = Some("No scores yet.".into());
    }
    fit(card)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CandidateId;
    use crate::store::SharedCandidate;

    #[test]
    fn calibration_from_aggregates() {
        // Ratings 4, 3, 2 over two interviews; candidate 1: own 4+3 against everyone's
        // 4+3+3+2 (others 2.5), candidate 2: own 2 against 2+1+2 (others 1.5); candidate 3
        // rated by nobody else.
        let shared = |id, own_sum, own_count, all_sum, all_count| SharedCandidate {
            candidate_id: CandidateId(id),
            own_sum,
            own_count,
            all_sum,
            all_count,
        };
        let c = calibration(&InterviewerRatings {
            scorecards: 2,
            counts: [0, 1, 1, 1],
            candidates: vec![
                shared(1, 7, 2, 12, 4),
                shared(2, 2, 1, 5, 3),
                shared(3, 4, 1, 4, 1),
            ],
            recommendations: 4,
            no_decision: 1,
        });
        assert_eq!((c.scorecards, c.ratings, c.mean), (2, 3, Some(3.0)));
        assert!((c.spread.unwrap() - (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
        // (3.5 - 2.5 + 2 - 1.5) / 2
        assert_eq!((c.difference, c.shared), (Some(0.75), 2));
        assert!(c.large());
        assert_eq!((c.lowest, c.highest), (2, 4));
        assert_eq!(c.no_decision_percent(), Some(25.0));
        let none = calibration(&InterviewerRatings::default());
        assert_eq!((none.ratings, none.mean, none.difference), (0, None, None));
        assert_eq!((none.lowest, none.highest), (0, 0));
        assert_eq!(none.no_decision_percent(), None);
        assert!(!none.large());
    }
}
