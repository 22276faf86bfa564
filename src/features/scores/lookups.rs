//! `/scores candidate|team|interviewer|question`: the numbers, computed from the stored rows.
//!
//! Blind scoring: a member without Manage Server sees another interviewer's ratings, notes and
//! recommendations for a candidate only once they have rated that candidate themselves; before
//! that a candidate shows only how many scorecards exist, and aggregates (team averages,
//! question statistics) count only the candidates they have rated.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::model::Recommendation;
use crate::store::{
    InterviewerRatings, QuestionRatings, RecommendationRow, ScoreRow, SessionKind, SessionStatus,
};
use crate::text::{escape, truncate};

use super::{
    RECOMMENDATIONS, SCALE, candidate_name, date_utc, mean, member, parse_date, rating_label,
    recommendation_label, sees_everything, spread, two,
};
use crate::engine::ResolvedUser;
use crate::engine::ScoreError;
use crate::engine::access::Access;
use crate::engine::cards::BOT_COLOUR;
use crate::engine::{ButtonStyle, Card, Effect, Engine, Error, Message, Outcome, Request};

/// Candidates per page of `/scores team`.
pub const TEAM_PAGE: usize = 10;
/// A difference from the team mean at least this large is flagged.
pub const LARGE_DIFFERENCE: f64 = 0.75;
const BLIND_NOTE: &str = "Blind scoring: counts only candidates you have scored yourself; members with Manage Server see all.";

/// Whether a recommendation is for hiring (`Some(true)`), against (`Some(false)`), or neither.
pub fn leaning(rec: &Recommendation) -> Option<bool> {
    match rec {
        Recommendation::Yes | Recommendation::StrongYes => Some(true),
        Recommendation::No | Recommendation::StrongNo => Some(false),
        Recommendation::NoDecision => None,
    }
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

fn ratings(rows: &[&ScoreRow]) -> Vec<f64> {
    rows.iter()
        .filter_map(|s| s.rating)
        .map(f64::from)
        .collect()
}

/// The latest name each interviewer was recorded with.
fn names(rows: &[ScoreRow], recs: &[RecommendationRow]) -> HashMap<u64, String> {
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

impl Engine {
    /// What a requester may see: everything, or the candidates they rated.
    fn visibility_of(&self, req: &Request) -> Result<Option<HashSet<i64>>, Error> {
        if sees_everything(req) {
            return Ok(None);
        }
        let me = member(req)?.user_id;
        Ok(Some(
            self.store
                .read(|db| db.rated_candidates(req.guild_id, me))?
                .into_iter()
                .collect(),
        ))
    }

    pub(crate) fn cmd_scores_candidate(
        &self,
        req: &Request,
        opts: super::commands::CandidateOptions,
    ) -> Result<Outcome, Error> {
        let (name, key) = candidate_name(&opts.candidate)?;
        let seen = self.visibility_of(req)?;
        let (candidate, rows, recs, sessions) = self.store.read(|db| {
            let c = db
                .candidate_by_key(req.guild_id, &key)?
                .ok_or(ScoreError::UnknownCandidate { name: name.clone() })?;
            Ok::<_, Error>((
                c.clone(),
                db.candidate_scores(req.guild_id, c.id)?,
                db.candidate_recommendations(req.guild_id, c.id)?,
                db.candidate_sessions(req.guild_id, c.id)?,
            ))
        })?;
        let rated: Vec<&ScoreRow> = rows.iter().filter(|s| s.rating.is_some()).collect();
        let scorecards: BTreeSet<(i64, u64)> = rated
            .iter()
            .map(|s| (s.session_id, s.interviewer_id))
            .collect();
        let interviewers: BTreeSet<u64> = rated.iter().map(|s| s.interviewer_id).collect();
        let shown_name = escape(&candidate.name);
        if seen.as_ref().is_some_and(|s| !s.contains(&candidate.id)) {
            let text = format!(
                "**Scorecard** · {shown_name}\n{} scorecard{} from {} interviewer{} so far. Blind scoring: you see the other interviewers' ratings, notes and recommendations once you have scored this candidate yourself (/score or an interview session).",
                scorecards.len(),
                if scorecards.len() == 1 { "" } else { "s" },
                interviewers.len(),
                if interviewers.len() == 1 { "" } else { "s" },
            );
            return Ok(Outcome::private(Message::text(text)));
        }
        let who = names(&rows, &recs);
        let name_of = |id: u64| {
            who.get(&id)
                .map_or_else(|| format!("<@{id}>"), |n| escape(n))
        };
        // Interviews by date.
        let mut interviews = Vec::new();
        for s in &sessions {
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
            interviews.push(format!(
                "• {} · {kind} · {} · {status}",
                date_utc(s.started_at),
                name_of(s.started_by)
            ));
        }
        let mut card = Card {
            title: Some("Scorecard".into()),
            description: Some(truncate(
                &format!(
                    "Candidate: {shown_name}\n{} scorecard{} from {} interviewer{}\n\n**Interviews** (dates UTC)\n{}",
                    scorecards.len(),
                    if scorecards.len() == 1 { "" } else { "s" },
                    interviewers.len(),
                    if interviewers.len() == 1 { "" } else { "s" },
                    interviews.join("\n")
                ),
                1500,
            )),
            colour: Some(BOT_COLOUR),
            ..Card::default()
        };
        // Per question, in the order first scored.
        let mut order: Vec<&str> = Vec::new();
        for s in &rows {
            if !order.contains(&s.question_id.as_str()) {
                order.push(&s.question_id);
            }
        }
        let shown_questions = order.len().min(20);
        for qid in &order[..shown_questions] {
            let lines: Vec<String> = rows
                .iter()
                .filter(|s| s.question_id == *qid)
                .map(|s| {
                    let rating = s.rating.map_or_else(
                        || "notes only".to_string(),
                        |r| format!("**{}**", rating_label(r)),
                    );
                    let notes = if s.notes.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", truncate(&escape(&s.notes).replace('\n', " "), 300))
                    };
                    format!("{}: {rating}{notes}", name_of(s.interviewer_id))
                })
                .collect();
            card = card.field(format!("`{qid}`"), truncate(&lines.join("\n"), 1024), false);
        }
        if order.len() > shown_questions {
            card = card.field(
                "More questions",
                format!(
                    "{} more: /scores export has every score.",
                    order.len() - shown_questions
                ),
                false,
            );
        }
        let mut averages: Vec<String> = interviewers
            .iter()
            .map(|id| {
                let mine: Vec<&ScoreRow> = rated
                    .iter()
                    .copied()
                    .filter(|s| s.interviewer_id == *id)
                    .collect();
                format!(
                    "{}: {} ({} rating{})",
                    name_of(*id),
                    two(mean(&ratings(&mine))),
                    mine.len(),
                    if mine.len() == 1 { "" } else { "s" }
                )
            })
            .collect();
        averages.push(format!(
            "**Overall: {}** ({} rating{})",
            two(mean(&ratings(&rated))),
            rated.len(),
            if rated.len() == 1 { "" } else { "s" }
        ));
        card = card.field("Averages", truncate(&averages.join("\n"), 1024), false);
        let recs_text = if recs.is_empty() {
            "None yet (/recommend or /interview end).".to_string()
        } else {
            recs.iter()
                .map(|r| {
                    format!(
                        "{}: **{}**",
                        name_of(r.interviewer_id),
                        recommendation_label(&r.recommendation)
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        card = card.field("Recommendations", truncate(&recs_text, 1024), false);
        Ok(Outcome::private(Message::default().card(fit(card))))
    }

    pub(crate) fn cmd_scores_team(
        &self,
        req: &Request,
        opts: super::commands::TeamOptions,
    ) -> Result<Outcome, Error> {
        let since = opts.since.map(|s| parse_date(&s)).transpose()?;
        self.rate_limit(req, crate::engine::rate::TEAM)?;
        Ok(Outcome::private(self.team_page(req, since, 0)?))
    }

    /// Paging of `/scores team`: `sc:team:<page>:<since ms or empty>`.
    pub(crate) fn action_team_page(
        &self,
        req: &Request,
        page: usize,
        since: Option<i64>,
    ) -> Result<Outcome, Error> {
        Ok(Outcome::new(vec![Effect::Update(
            self.team_page(req, since, page)?,
        )]))
    }

    fn team_page(&self, req: &Request, since: Option<i64>, page: usize) -> Result<Message, Error> {
        let seen = self.visibility_of(req)?;
        // One snapshot: how many candidates are listed, then only the page's rows.
        let (listed, page, rows) = self.store.read(|db| {
            let listed = usize::try_from(db.interviewed_candidates(req.guild_id, since)?)
                .unwrap_or(usize::MAX);
            let pages = listed.div_ceil(TEAM_PAGE).max(1);
            let page = page.min(pages - 1);
            let mut rows = Vec::new();
            for (id, name, last) in
                db.last_interviews(req.guild_id, since, page * TEAM_PAGE, TEAM_PAGE)?
            {
                let summary = db.candidate_rating_summary(req.guild_id, id)?;
                let blind = seen.as_ref().is_some_and(|s| !s.contains(&id));
                let mix = if blind {
                    Vec::new()
                } else {
                    db.recommendation_counts(req.guild_id, id)?
                };
                rows.push((name, last, summary, blind, mix));
            }
            Ok::<_, Error>((listed, page, rows))
        })?;
        let pages = listed.div_ceil(TEAM_PAGE).max(1);
        let mut lines = Vec::new();
        for (name, t, summary, blind, recs) in &rows {
            let head = format!("**{}** · last interview {}", escape(name), date_utc(*t));
            if *blind {
                let cards = summary.scorecards;
                lines.push(format!(
                    "{head}\n  blind: {} scorecard{}; score this candidate to see the numbers",
                    cards,
                    if cards == 1 { "" } else { "s" }
                ));
                continue;
            }
            let mut mix: HashMap<usize, u64> = HashMap::new();
            for (rec, n) in recs {
                let i = RECOMMENDATIONS
                    .iter()
                    .position(|(v, _)| v == rec)
                    .unwrap_or(4);
                *mix.entry(i).or_default() += n;
            }
            let mix = if mix.is_empty() {
                "no recommendations".to_string()
            } else {
                // Strong yes first, no decision last.
                [3, 2, 1, 0, 4]
                    .iter()
                    .filter_map(|i| mix.get(i).map(|n| format!("{} {n}", RECOMMENDATIONS[*i].1)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let (interviewers, questions, ratings) =
                (summary.interviewers, summary.questions, summary.ratings);
            // The mean of the ratings, as `mean` computes it (the sum of whole numbers is exact).
            let average = (ratings > 0).then(|| summary.rating_sum as f64 / ratings as f64);
            lines.push(format!(
                "{head}\n  {} interviewer{} · {} question{} scored ({} rating{}) · average {} · {mix}",
                interviewers,
                if interviewers == 1 { "" } else { "s" },
                questions,
                if questions == 1 { "" } else { "s" },
                ratings,
                if ratings == 1 { "" } else { "s" },
                two(average),
            ));
        }
        if lines.is_empty() {
            lines.push(match since {
                Some(s) => format!("No candidates interviewed since {}.", date_utc(s)),
                None => "No candidates scored yet: /score or /interview start.".to_string(),
            });
        }
        let mut footer = format!(
            "page {} of {pages} · {} candidates · newest first · dates UTC",
            page + 1,
            listed
        );
        if seen.is_some() {
            footer.push_str(" · ");
            footer.push_str(BLIND_NOTE);
        }
        let card = Card {
            title: Some(match since {
                Some(s) => format!("Team scorecards since {}", date_utc(s)),
                None => "Team scorecards".into(),
            }),
            description: Some(truncate(&lines.join("\n"), 4000)),
            footer: Some(footer),
            colour: Some(BOT_COLOUR),
            ..Card::default()
        };
        let mut message = Message::default().card(card);
        if pages > 1 {
            let id =
                |p: usize| super::commands::ScoresAction::TeamPage { page: p, since }.to_string();
            message = message
                .button(
                    "◀ Newer",
                    id(page.saturating_sub(1)),
                    ButtonStyle::Secondary,
                )
                .button("Older ▶", id(page + 1), ButtonStyle::Secondary);
            message.buttons[0].disabled = page == 0;
            message.buttons[1].disabled = page + 1 >= pages;
        }
        Ok(message)
    }

    pub(crate) fn cmd_scores_interviewer(
        &self,
        req: &Request,
        opts: super::commands::InterviewerOptions,
    ) -> Result<Outcome, Error> {
        let me = member(req)?.user_id;
        let all = sees_everything(req);
        let user: Option<ResolvedUser> = opts.user;
        if let Some(u) = &user
            && u.id != me
            && !all
        {
            return Err(Error::NotAllowed {
                rule: Access::Managers,
            });
        }
        // One snapshot: who is shown (without a user, the first 24 who rated, by id), then
        // each one's aggregates and name.
        let shown = self.store.read(|db| {
            let targets: Vec<u64> = match (&user, all) {
                (Some(u), _) => vec![u.id],
                (None, true) => db.rating_interviewers(req.guild_id, 24)?,
                (None, false) => vec![me],
            };
            let mut shown = Vec::with_capacity(targets.len());
            for t in targets {
                let name = match user.as_ref().filter(|u| u.id == t) {
                    Some(u) => Some(u.name.clone()),
                    None => db.interviewer_name(req.guild_id, t)?,
                };
                shown.push((t, name, db.interviewer_ratings(req.guild_id, t)?));
            }
            Ok::<_, Error>(shown)
        })?;
        let mut card = Card {
            title: Some("Calibration".into()),
            description: Some(format!(
                "Mean and spread (population standard deviation) of each interviewer's ratings; the difference from the team is their mean minus the other interviewers' mean on the same candidates, averaged over those candidates, flagged ⚠️ at {LARGE_DIFFERENCE:.2} or more."
            )),
            colour: Some(BOT_COLOUR),
            ..Card::default()
        };
        for (t, name, ratings) in &shown {
            let c = calibration(ratings);
            let name = name.clone().unwrap_or_else(|| format!("<@{t}>"));
            let value = if c.ratings == 0 {
                "No scores yet.".to_string()
            } else {
                let diff = match c.difference {
                    Some(d) => format!(
                        "{}{d:+.2} on {} shared candidate{}{}",
                        if d.abs() >= LARGE_DIFFERENCE {
                            "⚠️ "
                        } else {
                            ""
                        },
                        c.shared,
                        if c.shared == 1 { "" } else { "s" },
                        if d.abs() >= LARGE_DIFFERENCE {
                            " (large)"
                        } else {
                            ""
                        }
                    ),
                    None => "no candidates scored by others too".to_string(),
                };
                format!(
                    "{} scorecard{} · {} rating{} · mean {} · spread {} (ratings {}-{})\nNo decision: {}\nDifference from the team: {diff}",
                    c.scorecards,
                    if c.scorecards == 1 { "" } else { "s" },
                    c.ratings,
                    if c.ratings == 1 { "" } else { "s" },
                    two(c.mean),
                    two(c.spread),
                    c.lowest,
                    c.highest,
                    match c.recommendations {
                        0 => "no recommendations".to_string(),
                        n => format!(
                            "{} of {n} recommendations ({:.0}%)",
                            c.no_decision,
                            100.0 * c.no_decision as f64 / n as f64
                        ),
                    }
                )
            };
            card = card.field(truncate(&escape(&name), 256), value, false);
        }
        if card.fields.is_empty() {
            card.description = Some("No scores yet.".into());
        }
        Ok(Outcome::private(Message::default().card(fit(card))))
    }

    pub(crate) fn cmd_scores_question(
        &self,
        req: &Request,
        opts: super::commands::QuestionOptions,
    ) -> Result<Outcome, Error> {
        let id = opts.id.trim().to_string();
        // Blind scoring in the query: without Manage Server, only candidates one has rated.
        let viewer = if sees_everything(req) {
            None
        } else {
            Some(member(req)?.user_id)
        };
        if self.bank().get(&id).is_none()
            && !self
                .store
                .read(|db| db.question_scored(req.guild_id, &id))?
        {
            self.question(&id)?;
        }
        let ratings = self
            .store
            .read(|db| db.question_ratings(req.guild_id, &id, viewer))?;
        let q = question_stats(&ratings);
        let distribution = SCALE
            .iter()
            .zip(q.distribution)
            .map(|((v, n, _), c)| format!("{v} {n}: {c}"))
            .collect::<Vec<_>>()
            .join(" · ");
        let agreement = if q.compared == 0 {
            "no ratings yet from interviewers who also gave a yes/no recommendation".to_string()
        } else {
            format!(
                "{} of {} ratings ({:.0}%) lean the same way as the interviewer's overall recommendation (3-4 with yes/strong yes, 1-2 with no/strong no)",
                q.agreeing,
                q.compared,
                100.0 * q.agreeing as f64 / q.compared as f64
            )
        };
        let title = match self.bank().get(&id) {
            Some(b) => format!(
                "Question `{}` · {} · {}",
                b.id,
                b.level.title(),
                self.bank().topic_name(&b.topic)
            ),
            None => format!("Question `{id}` (no longer in the bank)"),
        };
        let mut card = Card {
            title: Some(truncate(&title.replace('`', ""), 256)),
            colour: Some(BOT_COLOUR),
            ..Card::default()
        }
        .field(
            "Ratings",
            format!(
                "Scored {} time{} for {} candidate{} · mean {} · spread {}\n{distribution}",
                q.times,
                if q.times == 1 { "" } else { "s" },
                q.candidates,
                if q.candidates == 1 { "" } else { "s" },
                two(q.mean),
                two(q.spread)
            ),
            false,
        )
        .field(
            "Separation",
            format!(
                "Mean rating where the interviewer recommended yes: {} · where they recommended no: {}",
                two(q.mean_when_yes),
                two(q.mean_when_no)
            ),
            false,
        )
        .field("Agreement with recommendations", agreement, false);
        if viewer.is_some() {
            card.footer = Some(BLIND_NOTE.into());
        }
        Ok(Outcome::private(Message::default().card(card)))
    }
}

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

/// How one question's ratings are spread and agree with recommendations.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionStats {
    pub times: usize,
    pub candidates: usize,
    pub mean: Option<f64>,
    pub spread: Option<f64>,
    /// Count of ratings 1, 2, 3, 4.
    pub distribution: [usize; 4],
    /// Ratings whose interviewer gave the candidate a yes/no recommendation.
    pub compared: usize,
    pub agreeing: usize,
    pub mean_when_yes: Option<f64>,
    pub mean_when_no: Option<f64>,
}

/// A question's statistics from its histogram: ratings listed by value for `mean` and
/// `spread` (see [`calibration`] on the order), and each (rating, recommendation) count
/// classified by [`leaning`].
pub fn question_stats(r: &QuestionRatings) -> QuestionStats {
    let mut distribution = [0; 4];
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    let mut agreeing = 0;
    for (rating, rec, n) in &r.histogram {
        let n = *n as usize;
        if (1..=4).contains(rating) {
            distribution[usize::from(rating - 1)] += n;
        }
        let lean = rec.as_ref().and_then(leaning);
        let same = std::iter::repeat_n(f64::from(*rating), n);
        match lean {
            Some(true) => yes.extend(same),
            Some(false) => no.extend(same),
            None => continue,
        }
        if (*rating >= 3) == lean.unwrap_or(false) {
            agreeing += n;
        }
    }
    // Every rating once, by value.
    let mut by_value: Vec<(u8, u64)> = r.histogram.iter().map(|(v, _, n)| (*v, *n)).collect();
    by_value.sort_by_key(|(v, _)| *v);
    let values: Vec<f64> = by_value
        .iter()
        .flat_map(|(v, n)| std::iter::repeat_n(f64::from(*v), *n as usize))
        .collect();
    QuestionStats {
        times: values.len(),
        candidates: r.candidates as usize,
        mean: mean(&values),
        spread: spread(&values),
        distribution,
        compared: yes.len() + no.len(),
        agreeing,
        mean_when_yes: mean(&yes),
        mean_when_no: mean(&no),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewSession, ScoreKey, Store, StoreError};

    const GUILD: u64 = 7;
    const QUESTIONS: [&str; 4] = ["q-a", "q-b", "q-c", "q-d"];

    /// A guild with pseudo-random scores: several interviews per candidate, re-scores, notes
    /// without a rating, and recommendations of every kind.
    fn random_guild(mut seed: u64) -> Store {
        let store = Store::open_in_memory().unwrap();
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        store
            .write(|db| {
                let mut sessions = Vec::new();
                for c in 0..12 {
                    let name = format!("Cand {c}");
                    let cand = db.ensure_candidate(GUILD, &name, &name.to_lowercase(), 1, c)?;
                    for k in 0..1 + next(3) {
                        let by = 100 + next(5);
                        let id = db.create_session(&NewSession {
                            guild_id: GUILD,
                            channel_id: 1,
                            candidate_id: cand.id,
                            kind: crate::store::SessionKind::Adhoc,
                            started_by: by,
                            level: None,
                            topic: None,
                            questions: &[],
                            at_ms: (next(50) as i64) * 1000 + k as i64,
                        })?;
                        sessions.push((cand.id, id));
                    }
                }
                for step in 0..400 {
                    let (cand, session) = sessions[next(sessions.len() as u64) as usize];
                    let by = 100 + next(5);
                    let rating = [None, Some(1), Some(2), Some(3), Some(4)][next(5) as usize];
                    db.put_score(
                        &ScoreKey {
                            guild_id: GUILD,
                            candidate_id: cand,
                            session_id: session,
                            question_id: QUESTIONS[next(4) as usize],
                            interviewer_id: by,
                            interviewer_name: &format!("I{by}"),
                        },
                        rating,
                        (next(3) == 0).then_some("notes"),
                        step,
                    )?;
                    if next(4) == 0 {
                        let rec = RECOMMENDATIONS[next(5) as usize].0;
                        db.set_recommendation(GUILD, cand, by, "I", rec, None, step)?;
                    }
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        store
    }

    /// The calibration as computed from every row of the guild, before the lookups aggregated
    /// in SQL.
    fn calibration_from_rows(
        rated: &[&ScoreRow],
        recs: &[RecommendationRow],
        who: u64,
    ) -> Calibration {
        let mine: Vec<&ScoreRow> = rated
            .iter()
            .copied()
            .filter(|s| s.interviewer_id == who)
            .collect();
        let scorecards: BTreeSet<i64> = mine.iter().map(|s| s.session_id).collect();
        let my_recs: Vec<&RecommendationRow> =
            recs.iter().filter(|r| r.interviewer_id == who).collect();
        let candidates: BTreeSet<i64> = mine.iter().map(|s| s.candidate_id).collect();
        let mut diffs = Vec::new();
        for c in candidates {
            let own: Vec<f64> = ratings(
                &mine
                    .iter()
                    .copied()
                    .filter(|s| s.candidate_id == c)
                    .collect::<Vec<_>>(),
            );
            let others: Vec<f64> = ratings(
                &rated
                    .iter()
                    .copied()
                    .filter(|s| s.candidate_id == c && s.interviewer_id != who)
                    .collect::<Vec<_>>(),
            );
            if let (Some(a), Some(b)) = (mean(&own), mean(&others)) {
                diffs.push(a - b);
            }
        }
        let values = ratings(&mine);
        Calibration {
            scorecards: scorecards.len(),
            ratings: values.len(),
            mean: mean(&values),
            spread: spread(&values),
            recommendations: my_recs.len(),
            no_decision: my_recs
                .iter()
                .filter(|r| r.recommendation == Recommendation::NoDecision)
                .count(),
            difference: mean(&diffs),
            shared: diffs.len(),
            lowest: mine.iter().filter_map(|s| s.rating).min().unwrap_or(0),
            highest: mine.iter().filter_map(|s| s.rating).max().unwrap_or(0),
        }
    }

    /// Equal, the spread within rounding (its squares are added in another order).
    fn same_spread(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() < 1e-12,
            (a, b) => a == b,
        }
    }

    #[test]
    fn aggregates_in_sql_give_the_numbers_the_rows_give() {
        for seed in [1, 2, 3] {
            let store = random_guild(seed);
            let (rows, recs) = store
                .read(|db| {
                    Ok::<_, StoreError>((db.guild_scores(GUILD)?, db.guild_recommendations(GUILD)?))
                })
                .unwrap();
            let rated: Vec<&ScoreRow> = rows.iter().filter(|s| s.rating.is_some()).collect();
            let interviewers: BTreeSet<u64> = rated.iter().map(|s| s.interviewer_id).collect();
            assert!(interviewers.len() >= 4 && rated.len() > 100, "seed {seed}");
            // Calibration, and who is listed.
            let listed = store.read(|db| db.rating_interviewers(GUILD, 24)).unwrap();
            assert_eq!(listed, interviewers.iter().copied().collect::<Vec<_>>());
            for who in interviewers.iter().copied().chain([999]) {
                let sql =
                    calibration(&store.read(|db| db.interviewer_ratings(GUILD, who)).unwrap());
                let mut want = calibration_from_rows(&rated, &recs, who);
                assert!(same_spread(sql.spread, want.spread), "seed {seed}, {who}");
                want.spread = sql.spread;
                assert_eq!(sql, want, "seed {seed}, interviewer {who}");
            }
            // The question view, for a manager and blind for each interviewer.
            for q in QUESTIONS {
                for viewer in [None]
                    .into_iter()
                    .chain(interviewers.iter().copied().map(Some))
                {
                    let seen: Option<HashSet<i64>> = viewer.map(|v| {
                        rated
                            .iter()
                            .filter(|s| s.interviewer_id == v)
                            .map(|s| s.candidate_id)
                            .collect()
                    });
                    let visible: Vec<&ScoreRow> = rated
                        .iter()
                        .copied()
                        .filter(|s| s.question_id == q)
                        .filter(|s| seen.as_ref().is_none_or(|v| v.contains(&s.candidate_id)))
                        .collect();
                    let sql = question_stats(
                        &store
                            .read(|db| db.question_ratings(GUILD, q, viewer))
                            .unwrap(),
                    );
                    let values = ratings(&visible);
                    assert!(same_spread(sql.spread, spread(&values)));
                    let lean = |s: &ScoreRow| {
                        recs.iter()
                            .find(|r| {
                                r.candidate_id == s.candidate_id
                                    && r.interviewer_id == s.interviewer_id
                            })
                            .and_then(|r| leaning(&r.recommendation))
                    };
                    let side = |want: bool| -> Vec<f64> {
                        ratings(
                            &visible
                                .iter()
                                .copied()
                                .filter(|s| lean(s) == Some(want))
                                .collect::<Vec<_>>(),
                        )
                    };
                    let (yes, no) = (side(true), side(false));
                    let agreeing = visible
                        .iter()
                        .filter(|s| lean(s).is_some_and(|l| (s.rating.unwrap_or(0) >= 3) == l))
                        .count();
                    let mut distribution = [0; 4];
                    for r in visible.iter().filter_map(|s| s.rating) {
                        distribution[usize::from(r - 1)] += 1;
                    }
                    let want = QuestionStats {
                        times: values.len(),
                        candidates: visible
                            .iter()
                            .map(|s| s.candidate_id)
                            .collect::<BTreeSet<_>>()
                            .len(),
                        mean: mean(&values),
                        spread: sql.spread,
                        distribution,
                        compared: yes.len() + no.len(),
                        agreeing,
                        mean_when_yes: mean(&yes),
                        mean_when_no: mean(&no),
                    };
                    assert_eq!(sql, want, "seed {seed}, {q}, viewer {viewer:?}");
                }
            }
            // The team view's numbers per candidate, and its order.
            let order = store
                .read(|db| db.last_interviews(GUILD, None, 0, 100))
                .unwrap();
            assert_eq!(order.len(), 12);
            for (id, _, last) in &order {
                let sessions = store.read(|db| db.candidate_sessions(GUILD, *id)).unwrap();
                assert_eq!(Some(*last), sessions.iter().map(|s| s.started_at).max());
                let mine: Vec<&ScoreRow> = rated
                    .iter()
                    .copied()
                    .filter(|s| s.candidate_id == *id)
                    .collect();
                let sum = store
                    .read(|db| db.candidate_rating_summary(GUILD, *id))
                    .unwrap();
                assert_eq!(sum.ratings as usize, mine.len());
                assert_eq!(
                    sum.rating_sum,
                    mine.iter()
                        .filter_map(|s| s.rating)
                        .map(u64::from)
                        .sum::<u64>()
                );
                assert_eq!(
                    sum.interviewers as usize,
                    mine.iter()
                        .map(|s| s.interviewer_id)
                        .collect::<BTreeSet<_>>()
                        .len()
                );
                assert_eq!(
                    sum.questions as usize,
                    mine.iter()
                        .map(|s| &s.question_id)
                        .collect::<BTreeSet<_>>()
                        .len()
                );
                assert_eq!(
                    sum.scorecards as usize,
                    mine.iter()
                        .map(|s| (s.session_id, s.interviewer_id))
                        .collect::<BTreeSet<_>>()
                        .len()
                );
            }
            assert!(
                order
                    .windows(2)
                    .all(|w| (w[0].2, w[0].0) > (w[1].2, w[1].0)),
                "{order:?}"
            );
        }
    }
}
