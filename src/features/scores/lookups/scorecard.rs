//! `/scores candidate`: one candidate's scorecard: how many scorecards and interviewers, the
//! interviews by date, every score per question with the evidence behind it (look-fors covered
//! and missed, bonus points, red flags heard, the suggested rating and any override, and
//! whether the rubric has changed since), each interviewer's average and the overall one, and
//! the recommendations. Blind until the viewer has submitted their own scorecard for the
//! candidate (their recommendation): evidence included.

use crate::engine::Handled;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{BLIND_LIFT, fit, ratings};
use crate::engine::cards::BOT_COLOUR;
use crate::engine::{Card, Engine, Error, Message, Outcome, Request};
use crate::features::scores::commands::CandidateOptions;
use crate::features::scores::evidence::{ScoreEvidence, score_evidence};
use crate::features::scores::{
    find_candidate, mean, plural, rating_and_notes, rating_label, recommendation_label, two,
};
use crate::model::{RubricId, SessionId, UserId};
use crate::store::{
    RatedEvidence, RecommendationRow, RubricText, RubricVersion, ScoreRow, Session, SessionKind,
    SessionStatus,
};
use crate::text::{escape, truncate};
use crate::time::date_utc;

/// What `/scores candidate` shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Scorecard {
    /// The viewer has not submitted their scorecard (recommendation) for the candidate: only
    /// how much there is.
    Blind {
        name: String,
        scorecards: usize,
        interviewers: usize,
    },
    /// Boxed: the report is far larger than the blind answer.
    Full(Box<ScorecardReport>),
}

/// One interviewer's average over their ratings of the candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct InterviewerAverage {
    pub interviewer_id: UserId,
    pub mean: Option<f64>,
    pub ratings: usize,
}

/// A candidate's scorecard, as a viewer who may see it all sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardReport {
    pub name: String,
    /// Distinct (interview, interviewer) pairs with a rating.
    pub scorecards: usize,
    /// Interviewers with a rating.
    pub interviewers: usize,
    /// Every interview, by start.
    pub interviews: Vec<Session>,
    /// Question ids in the order first scored, each with its scores.
    pub questions: Vec<(String, Vec<ScoreRow>)>,
    /// Per interviewer who rated, by id.
    pub averages: Vec<InterviewerAverage>,
    /// Over every rating.
    pub overall: Option<f64>,
    pub ratings: usize,
    pub recommendations: Vec<RecommendationRow>,
    /// The latest name each interviewer was recorded with.
    pub names: HashMap<UserId, String>,
    /// The evidence behind the scores that have some, by score id.
    pub evidence: BTreeMap<i64, ScoreEvidence>,
    /// The rubric versions that evidence was given against.
    pub rubrics: BTreeMap<RubricId, RubricText>,
}

/// The latest name each interviewer was recorded with.
fn names(rows: &[ScoreRow], recs: &[RecommendationRow]) -> HashMap<UserId, String> {
    let mut out = HashMap::new();
    for s in rows {
        out.insert(s.interviewer_id, s.interviewer_name.clone());
    }
    for r in recs {
        out.entry(r.interviewer_id)
            .or_insert_with(|| r.interviewer_name.clone());
    }
    out
}

/// The scorecard's numbers from the candidate's rows.
pub(super) fn scorecard(
    name: String,
    rows: Vec<ScoreRow>,
    recommendations: Vec<RecommendationRow>,
    interviews: Vec<Session>,
) -> ScorecardReport {
    let rated: Vec<&ScoreRow> = rows.iter().filter(|s| s.rating.is_some()).collect();
    // A scorecard is what an interviewer recorded in an interview: ratings or notes.
    let scorecards: BTreeSet<(SessionId, UserId)> = rows
        .iter()
        .map(|s| (s.session_id, s.interviewer_id))
        .collect();
    let interviewers: BTreeSet<UserId> = rows.iter().map(|s| s.interviewer_id).collect();
    let raters: BTreeSet<UserId> = rated.iter().map(|s| s.interviewer_id).collect();
    let averages = raters
        .iter()
        .map(|id| {
            let mine: Vec<&ScoreRow> = rated
                .iter()
                .copied()
                .filter(|s| s.interviewer_id == *id)
                .collect();
            InterviewerAverage {
                interviewer_id: *id,
                mean: mean(&ratings(&mine)),
                ratings: mine.len(),
            }
        })
        .collect();
    let mut questions: Vec<(String, Vec<ScoreRow>)> = Vec::new();
    for s in &rows {
        match questions.iter_mut().find(|(q, _)| *q == s.question_id) {
            Some((_, scores)) => scores.push(s.clone()),
            None => questions.push((s.question_id.clone(), vec![s.clone()])),
        }
    }
    ScorecardReport {
        name,
        scorecards: scorecards.len(),
        interviewers: interviewers.len(),
        overall: mean(&ratings(&rated)),
        ratings: rated.len(),
        names: names(&rows, &recommendations),
        interviews,
        questions,
        averages,
        recommendations,
        evidence: BTreeMap::new(),
        rubrics: BTreeMap::new(),
    }
}

/// The evidence behind each score (by score id), each read against the version it was given
/// on; `current` holds each question's rubric now (by question id), for the "rubric since
/// changed" mark.
pub fn evidence_by_score(
    evidence: &[RatedEvidence],
    versions: &BTreeMap<RubricId, RubricText>,
    current: &BTreeMap<String, RubricText>,
) -> BTreeMap<i64, ScoreEvidence> {
    evidence
        .iter()
        .filter_map(|e| {
            let version = versions.get(&e.evidence.rubric)?;
            let now = current.get(&version.question_id);
            Some((
                e.score_id,
                score_evidence(&e.evidence, e.rating, version, now),
            ))
        })
        .collect()
}

impl Engine {
    /// The scorecard of the candidate named `candidate`, as the requester may see it.
    pub fn scorecard_report(&self, req: &Request, candidate: &str) -> Result<Scorecard, Error> {
        let seen = self.visibility_of(req)?;
        let guild = req.guild_id;
        let catalog = self.catalog(guild)?;
        let (candidate, blind, rows, recs, sessions, evidence) = self.store.read(|db| {
            let c = find_candidate(db, guild, candidate)?;
            let blind = seen.as_ref().is_some_and(|s| !s.contains(&c.id));
            // Evidence is hidden exactly as ratings are: read only for a viewer who sees them.
            let evidence = if blind {
                None
            } else {
                let rated = db.candidate_evidence(guild, c.id)?;
                let versions: Vec<RubricVersion> = db.candidate_rubrics(guild, c.id)?;
                let mut current = BTreeMap::new();
                for v in &versions {
                    let q = &v.text.question_id;
                    if !current.contains_key(q)
                        && let Some(now) = self.current_rubric(db, &catalog, guild, q)?
                    {
                        current.insert(q.clone(), now);
                    }
                }
                let versions: BTreeMap<RubricId, RubricText> =
                    versions.into_iter().map(|v| (v.id, v.text)).collect();
                Some((evidence_by_score(&rated, &versions, &current), versions))
            };
            Ok::<_, Error>((
                c.clone(),
                blind,
                db.candidate_scores(guild, c.id)?,
                db.candidate_recommendations(guild, c.id)?,
                db.candidate_sessions(guild, c.id)?,
                evidence,
            ))
        })?;
        let mut report = scorecard(candidate.name, rows, recs, sessions);
        if blind {
            return Ok(Scorecard::Blind {
                name: report.name,
                scorecards: report.scorecards,
                interviewers: report.interviewers,
            });
        }
        if let Some((evidence, rubrics)) = evidence {
            report.evidence = evidence;
            report.rubrics = rubrics;
        }
        Ok(Scorecard::Full(Box::new(report)))
    }

    pub(crate) fn cmd_scores_candidate(&self, req: &Request, opts: CandidateOptions) -> Handled {
        Ok(match self.scorecard_report(req, &opts.candidate)? {
            Scorecard::Blind {
                name,
                scorecards,
                interviewers,
            } => Outcome::private(Message::text(format!(
                "**Scorecard** · {}\n{} so far. Blind scoring: the other interviewers' ratings, notes and recommendations stay hidden until you have submitted your own scorecard for this candidate; your ratings alone do not count. To see them, {BLIND_LIFT}.",
                escape(&name),
                counted(scorecards, interviewers),
            ))),
            Scorecard::Full(report) => Outcome::private(Message::default().card(render(&report))),
        })
    }
}

/// "2 scorecards from 1 interviewer"
fn counted(scorecards: usize, interviewers: usize) -> String {
    format!(
        "{scorecards} scorecard{} from {interviewers} interviewer{}",
        plural(scorecards),
        plural(interviewers)
    )
}

/// The scorecard's card.
fn render(r: &ScorecardReport) -> Card {
    let name_of = |id: UserId| {
        r.names
            .get(&id)
            .map_or_else(|| format!("<@{id}>"), |n| escape(n))
    };
    // Interviews by date.
    let interviews: Vec<String> = r
        .interviews
        .iter()
        .map(|s| {
            let kind = match s.kind {
                SessionKind::Guided => format!(
                    "session{}",
                    s.level.map_or(String::new(), |l| format!(" ({l})"))
                ),
                SessionKind::Adhoc => "scored by command".to_string(),
            };
            let status = match s.status {
                SessionStatus::Open => "open",
                SessionStatus::Ended => "ended",
                SessionStatus::Expired => "closed after 24 h",
            };
            format!(
                "• {} · {kind} · {} · {status}",
                date_utc(s.started_at),
                name_of(s.started_by)
            )
        })
        .collect();
    let mut card = Card {
        title: Some("Scorecard".into()),
        description: Some(truncate(
            &format!(
                "Candidate: {}\n{}\n\n**Interviews** (dates UTC)\n{}",
                escape(&r.name),
                counted(r.scorecards, r.interviewers),
                interviews.join("\n")
            ),
            1500,
        )),
        colour: Some(BOT_COLOUR),
        ..Card::default()
    };
    // Per question, in the order first scored.
    let shown_questions = r.questions.len().min(20);
    for (qid, scores) in &r.questions[..shown_questions] {
        // The field holds 1024 characters: notes get what the evidence leaves of a share.
        let share = 1000 / scores.len().max(1);
        let lines: Vec<String> = scores
            .iter()
            .map(|s| {
                let who = name_of(s.interviewer_id);
                let Some(e) = r.evidence.get(&s.id) else {
                    return format!("{who}: {}", rating_and_notes(s, "notes only", 300));
                };
                let evidence = evidence_line(e, r.rubrics.get(&e.rubric));
                let rating = s.rating.map_or_else(
                    || "not rated yet".to_string(),
                    |v| format!("**{}**", rating_label(v)),
                );
                let used = who.chars().count() + evidence.chars().count() + 60;
                let notes_max = share.saturating_sub(used).clamp(40, 300);
                let notes = if s.notes.is_empty() {
                    String::new()
                } else {
                    format!(
                        ": {}",
                        truncate(&escape(&s.notes).replace('\n', " "), notes_max)
                    )
                };
                format!(
                    "{who}: {rating} {}{notes}\n  {evidence}",
                    suggestion(e, s.rating.is_some())
                )
            })
            .collect();
        card = card.field(format!("`{qid}`"), truncate(&lines.join("\n"), 1024), false);
    }
    if r.questions.len() > shown_questions {
        card = card.field(
            "More questions",
            format!(
                "{} more: /scores export has every score.",
                r.questions.len() - shown_questions
            ),
            false,
        );
    }
    let mut averages: Vec<String> = r
        .averages
        .iter()
        .map(|a| {
            format!(
                "{}: {} ({} rating{})",
                name_of(a.interviewer_id),
                two(a.mean),
                a.ratings,
                plural(a.ratings)
            )
        })
        .collect();
    averages.push(format!(
        "**Overall: {}** ({} rating{})",
        two(r.overall),
        r.ratings,
        plural(r.ratings)
    ));
    card = card.field("Averages", truncate(&averages.join("\n"), 1024), false);
    let recs_text = if r.recommendations.is_empty() {
        "None yet (/recommend or /interview end).".to_string()
    } else {
        r.recommendations
            .iter()
            .map(|rec| {
                format!(
                    "{}: **{}**",
                    name_of(rec.interviewer_id),
                    recommendation_label(&rec.recommendation)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    card = card.field("Recommendations", truncate(&recs_text, 1024), false);
    if !r.evidence.is_empty() {
        card.footer = Some(EVIDENCE_NOTE.into());
    }
    fit(card)
}

/// The footer of a scorecard that shows evidence.
const EVIDENCE_NOTE: &str = "Evidence: look-fors and bonus points by their number in the rubric the score was given against; override = the rating minus the rating the ticks suggest (+ lenient, - severe).";

/// "(suggested 2; override +1: their reason)", "(as suggested)", "(suggested 3)" unrated.
fn suggestion(e: &ScoreEvidence, rated: bool) -> String {
    match e.override_by {
        Some(d) => {
            let reason = if e.reason.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", escape(&truncate(&e.reason.replace('\n', " "), 80)))
            };
            format!("(suggested {}; override {d:+}{reason})", e.suggested)
        }
        None if rated => "(as suggested)".to_string(),
        None => format!("(suggested {})", e.suggested),
    }
}

/// Item numbers from 1: "1, 3".
fn numbers(items: &[usize]) -> String {
    items
        .iter()
        .map(|i| (i + 1).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Longest red flag shown on a scorecard line, in characters.
const RED_FLAG_CHARS: usize = 40;

/// One score's evidence on one line: "covered 1, 3 of 4 · missed 2, 4 · bonus 1 · red flag
/// heard: … · rubric since changed". Red flags by their words (shortened) when the version is
/// known, else by number.
fn evidence_line(e: &ScoreEvidence, version: Option<&RubricText>) -> String {
    let n = e.look_fors;
    let mut parts = Vec::new();
    if n > 0 {
        parts.push(match e.covered.len() {
            0 => format!("covered none of {n}"),
            c if c == n => format!("covered all {n}"),
            _ => format!("covered {} of {n}", numbers(&e.covered)),
        });
        if !e.covered.is_empty() && !e.missed.is_empty() {
            parts.push(format!("missed {}", numbers(&e.missed)));
        }
    }
    if !e.bonus.is_empty() {
        parts.push(format!("bonus {}", numbers(&e.bonus)));
    }
    if !e.red_flags.is_empty() {
        let words: Vec<String> = e
            .red_flags
            .iter()
            .map(|&i| {
                version.and_then(|v| v.red_flags.get(i)).map_or_else(
                    || (i + 1).to_string(),
                    |w| escape(&truncate(w, RED_FLAG_CHARS)),
                )
            })
            .collect();
        let label = if words.len() == 1 {
            "red flag heard"
        } else {
            "red flags heard"
        };
        parts.push(format!("{label}: {}", words.join("; ")));
    }
    if e.older {
        parts.push("rubric since changed".into());
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CandidateId;

    fn row(session: i64, question: &str, by: u64, rating: Option<u8>) -> ScoreRow {
        ScoreRow {
            id: 0,
            candidate_id: CandidateId(1),
            candidate_name: "Ada".into(),
            session_id: SessionId(session),
            session_started_at: 0,
            question_id: question.into(),
            interviewer_id: UserId(by),
            interviewer_name: format!("I{by}"),
            rating,
            notes: String::new(),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn a_scorecard_counts_every_scorecard_and_averages_ratings_per_interviewer() {
        let rows = vec![
            row(1, "q1", 10, Some(4)),
            row(1, "q2", 10, Some(1)),
            row(2, "q1", 10, Some(3)),
            row(1, "q1", 20, None),
            row(1, "q2", 20, Some(2)),
            row(3, "q3", 30, None),
        ];
        let r = scorecard("Ada".into(), rows, Vec::new(), Vec::new());
        // (1,10), (2,10), (1,20), (3,30): 30 gave notes only, which is a scorecard too; the
        // averages are of ratings, so 30 has none.
        assert_eq!((r.scorecards, r.interviewers, r.ratings), (4, 3, 4));
        assert_eq!(r.overall, Some(2.5));
        assert_eq!(
            r.averages,
            [
                InterviewerAverage {
                    interviewer_id: UserId(10),
                    mean: Some(8.0 / 3.0),
                    ratings: 3
                },
                InterviewerAverage {
                    interviewer_id: UserId(20),
                    mean: Some(2.0),
                    ratings: 1
                },
            ]
        );
        let order: Vec<(&str, usize)> = r
            .questions
            .iter()
            .map(|(q, s)| (q.as_str(), s.len()))
            .collect();
        assert_eq!(order, [("q1", 3), ("q2", 2), ("q3", 1)]);
        assert_eq!(r.names[&UserId(30)], "I30");
    }
}
