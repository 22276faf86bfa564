//! `/scores question`: how a question separates candidates: its ratings' spread and
//! distribution, the mean where the interviewer recommended yes and no, and how often a rating
//! leans the same way as the recommendation. Then what the evidence shows, for the current
//! version of its rubric: how often each look-for is covered, which look-fors separate the
//! scores rated yes (3-4) from those rated no (1-2), how often each red flag is heard, and how
//! often interviewers override the suggested rating, and which way.

use super::{BLIND_NOTE, fit, leaning, percent};
use crate::engine::Handled;
use crate::engine::cards::BOT_COLOUR;
use crate::engine::{Card, Catalog, Engine, Error, Message, Outcome, Request};
use crate::features::scores::commands::QuestionOptions;
use crate::features::scores::evidence::override_by;
use crate::features::scores::{SCALE, mean, member, plural, sees_everything, spread, two};
use crate::model::RubricId;
use crate::store::{QuestionRatings, RatedEvidence, RubricText};
use crate::text::{escape, truncate};

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

impl QuestionStats {
    /// The share of compared ratings that agree, in percent.
    pub fn agreement_percent(&self) -> Option<f64> {
        percent(self.agreeing, self.compared)
    }
}

/// A question's statistics from its histogram: ratings listed by value for `mean` and
/// `spread` (see [`super::calibration`] on the order), and each (rating, recommendation) count
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

/// How often one look-for is covered: over all the evidence counted, and among the scores
/// rated yes (3-4) and no (1-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LookForCount {
    pub covered: usize,
    pub covered_yes: usize,
    pub covered_no: usize,
}

/// What the evidence behind a question's scores shows, for the current version of its rubric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceStats {
    /// The current version's text.
    pub rubric: RubricText,
    /// Scores with evidence on the current version (rated or not).
    pub scores: usize,
    /// Per look-for of the current version.
    pub look_fors: Vec<LookForCount>,
    /// Of `scores`, those rated yes (3-4) and no (1-2).
    pub yes: usize,
    pub no: usize,
    /// How often each bonus point was reached, and each red flag heard.
    pub bonus: Vec<usize>,
    pub red_flags: Vec<usize>,
    /// Of `scores`, the rated ones; of those, the ratings above the suggestion (lenient) and
    /// below it (severe).
    pub rated: usize,
    pub lenient: usize,
    pub severe: usize,
    /// Scores with evidence on another version, not counted above.
    pub older: usize,
}

impl EvidenceStats {
    /// Look-for `i`'s hit rate among yes scores minus among no scores, in percentage points;
    /// `None` unless there are both.
    pub fn separation(&self, i: usize) -> Option<f64> {
        let c = self.look_fors.get(i)?;
        Some(percent(c.covered_yes, self.yes)? - percent(c.covered_no, self.no)?)
    }

    /// The look-for that separates yes from no the most (the first of equals), if any does
    /// (a difference above zero).
    pub fn most_separating(&self) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for i in 0..self.look_fors.len() {
            if let Some(d) = self.separation(i)
                && d > 0.0
                && best.is_none_or(|(_, b)| d > b)
            {
                best = Some((i, d));
            }
        }
        best.map(|(i, _)| i)
    }

    /// Rated scores whose rating is the suggestion.
    pub fn as_suggested(&self) -> usize {
        self.rated - self.lenient - self.severe
    }
}

/// The evidence statistics of a question: `rows` (as the viewer may see them) counted when
/// given against `current_id`, the stored version whose text is `current` (`None` when no
/// evidence was given against it yet: then every row is on an older version).
pub fn evidence_stats(
    current: &RubricText,
    current_id: Option<RubricId>,
    rows: &[RatedEvidence],
) -> EvidenceStats {
    let mut s = EvidenceStats {
        rubric: current.clone(),
        scores: 0,
        look_fors: vec![LookForCount::default(); current.look_fors.len()],
        yes: 0,
        no: 0,
        bonus: vec![0; current.bonus.len()],
        red_flags: vec![0; current.red_flags.len()],
        rated: 0,
        lenient: 0,
        severe: 0,
        older: 0,
    };
    for r in rows {
        if Some(r.evidence.rubric) != current_id {
            s.older += 1;
            continue;
        }
        s.scores += 1;
        let side = r.rating.map(|v| v >= 3);
        match side {
            Some(true) => s.yes += 1,
            Some(false) => s.no += 1,
            None => {}
        }
        for (i, c) in s.look_fors.iter_mut().enumerate() {
            if r.evidence.covered.has(i) {
                c.covered += 1;
                match side {
                    Some(true) => c.covered_yes += 1,
                    Some(false) => c.covered_no += 1,
                    None => {}
                }
            }
        }
        for (i, n) in s.bonus.iter_mut().enumerate() {
            *n += usize::from(r.evidence.bonus.has(i));
        }
        for (i, n) in s.red_flags.iter_mut().enumerate() {
            *n += usize::from(r.evidence.red_flags.has(i));
        }
        if r.rating.is_some() {
            s.rated += 1;
            match override_by(r.rating, r.evidence.suggested) {
                Some(d) if d > 0 => s.lenient += 1,
                Some(_) => s.severe += 1,
                None => {}
            }
        }
    }
    s
}

/// What `/scores question` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionReport {
    /// The id as asked (trimmed).
    pub id: String,
    pub stats: QuestionStats,
    /// What the evidence shows; `None` when the question has no rubric to count against (gone
    /// from the bank and never given evidence).
    pub evidence: Option<EvidenceStats>,
    /// Whether the viewer sees only the candidates they recommended (blind scoring).
    pub blind: bool,
}

impl Engine {
    /// The statistics of question `id` as the requester may see them; an id neither in the
    /// bank nor ever scored is an unknown question.
    pub fn question_report(&self, req: &Request, id: &str) -> Result<QuestionReport, Error> {
        let id = id.trim().to_string();
        // Blind scoring in the query: without Manage Server, only candidates one has
        // submitted a recommendation for.
        let viewer = if sees_everything(req) {
            None
        } else {
            Some(member(req)?.user_id)
        };
        // A question is counted under its id now and the ids it had before a rename, asked
        // by any of them.
        let catalog = self.catalog(req.guild_id)?;
        let found = catalog.get(&id)?;
        let ids: Vec<&str> = match &found {
            Some(q) => std::iter::once(q.id.as_str())
                .chain(q.aliases.iter().map(String::as_str))
                .collect(),
            None => vec![id.as_str()],
        };
        if found.is_none()
            && !self
                .store
                .read(|db| db.question_scored(req.guild_id, &ids))?
        {
            catalog.question(&id)?;
        }
        // One snapshot: the ratings, the current rubric and the evidence, under the same rule.
        let (ratings, evidence) = self.store.read(|db| {
            let ratings = db.question_ratings(req.guild_id, &ids, viewer)?;
            let evidence = match self.current_rubric(db, &catalog, req.guild_id, &id)? {
                None => None,
                Some(current) => {
                    let current_id = db.find_rubric_version(req.guild_id, &current)?;
                    let rows = db.question_evidence(req.guild_id, &ids, viewer)?;
                    Some(evidence_stats(&current, current_id, &rows))
                }
            };
            Ok::<_, Error>((ratings, evidence))
        })?;
        Ok(QuestionReport {
            id,
            stats: question_stats(&ratings),
            evidence,
            blind: viewer.is_some(),
        })
    }

    pub(crate) fn cmd_scores_question(&self, req: &Request, opts: QuestionOptions) -> Handled {
        let report = self.question_report(req, &opts.id)?;
        let catalog = self.catalog(req.guild_id)?;
        Ok(Outcome::private(
            Message::default().card(self.render_question(&catalog, &report)?),
        ))
    }

    /// The question's card (its title from the bank, if it is still there).
    fn render_question(&self, catalog: &Catalog<'_>, r: &QuestionReport) -> Result<Card, Error> {
        let q = &r.stats;
        let distribution = SCALE
            .iter()
            .zip(q.distribution)
            .map(|((v, n, _), c)| format!("{v} {n}: {c}"))
            .collect::<Vec<_>>()
            .join(" · ");
        let agreement = match q.agreement_percent() {
            None => {
                "no ratings yet from interviewers who also gave a yes/no recommendation".to_string()
            }
            Some(p) => format!(
                "{} of {} ratings ({p:.0}%) lean the same way as the interviewer's overall recommendation (3-4 with yes/strong yes, 1-2 with no/strong no)",
                q.agreeing, q.compared,
            ),
        };
        let title = match catalog.get(&r.id)? {
            Some(b) => format!(
                "Question `{}` · {} · {}{}",
                b.id,
                b.level.title(),
                catalog.topic_name(&b.topic),
                if b.retired { " (retired)" } else { "" }
            ),
            None => format!("Question `{}` (no longer in the bank)", r.id),
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
                plural(q.times),
                q.candidates,
                plural(q.candidates),
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
        if let Some(e) = &r.evidence {
            card = render_evidence(card, e);
        }
        if r.blind {
            card.footer = Some(BLIND_NOTE.into());
        }
        Ok(fit(card))
    }
}

/// Longest look-for or red flag shown in the question's evidence, in characters.
const ITEM_CHARS: usize = 60;

/// An item of the rubric, shortened and escaped.
fn item(words: &str) -> String {
    escape(&truncate(words, ITEM_CHARS))
}

/// "3 of 4 (75%)"
fn k_of_n(k: usize, n: usize) -> String {
    match percent(k, n) {
        Some(p) => format!("{k} of {n} ({p:.0}%)"),
        None => format!("{k} of {n}"),
    }
}

/// The evidence fields of the question's card.
fn render_evidence(mut card: Card, e: &EvidenceStats) -> Card {
    let older = (e.older > 0).then(|| {
        format!(
            "{} score{} {} taken against an older version of the rubric and {} not counted above.",
            e.older,
            plural(e.older),
            if e.older == 1 { "was" } else { "were" },
            if e.older == 1 { "is" } else { "are" },
        )
    });
    if e.scores == 0 {
        let text = older.unwrap_or_else(|| "No evidence ticked yet.".to_string());
        return card.field("Evidence", text, false);
    }
    let covered: Vec<String> = e
        .rubric
        .look_fors
        .iter()
        .zip(&e.look_fors)
        .enumerate()
        .map(|(i, (words, c))| {
            format!(
                "look-for {}: {} · {}",
                i + 1,
                k_of_n(c.covered, e.scores),
                item(words)
            )
        })
        .chain(
            e.rubric
                .bonus
                .iter()
                .zip(&e.bonus)
                .enumerate()
                .map(|(i, (words, n))| {
                    format!(
                        "bonus {}: {} · {}",
                        i + 1,
                        k_of_n(*n, e.scores),
                        item(words)
                    )
                }),
        )
        .collect();
    card = card.field(
        format!(
            "Look-fors covered ({} score{} with evidence, current rubric)",
            e.scores,
            plural(e.scores)
        ),
        truncate(&covered.join("\n"), 1024),
        false,
    );
    let separation = if e.yes == 0 || e.no == 0 {
        format!(
            "Needs scores rated both yes (3-4) and no (1-2) with evidence: {} yes, {} no so far.",
            e.yes, e.no
        )
    } else {
        let mut lines: Vec<String> = e
            .look_fors
            .iter()
            .enumerate()
            .map(|(i, c)| {
                format!(
                    "look-for {}: yes {}/{}, no {}/{}, {:+.0} pts",
                    i + 1,
                    c.covered_yes,
                    e.yes,
                    c.covered_no,
                    e.no,
                    e.separation(i).unwrap_or(0.0)
                )
            })
            .collect();
        lines.push(match e.most_separating() {
            Some(i) => format!(
                "Most separating: look-for {} ({}), {:+.0} pts",
                i + 1,
                item(&e.rubric.look_fors[i]),
                e.separation(i).unwrap_or(0.0)
            ),
            None => "No look-for is covered more often by the scores rated yes.".to_string(),
        });
        lines.join("\n")
    };
    card = card.field(
        "Which look-fors separate yes (3-4) from no (1-2)",
        truncate(&separation, 1024),
        false,
    );
    if !e.rubric.red_flags.is_empty() {
        let heard: Vec<String> = e
            .rubric
            .red_flags
            .iter()
            .zip(&e.red_flags)
            .enumerate()
            .map(|(i, (words, n))| {
                format!(
                    "red flag {}: heard {} · {}",
                    i + 1,
                    k_of_n(*n, e.scores),
                    item(words)
                )
            })
            .collect();
        card = card.field("Red flags", truncate(&heard.join("\n"), 1024), false);
    }
    let overrides = if e.rated == 0 {
        "No rated scores with evidence yet.".to_string()
    } else {
        format!(
            "{} of {} rated with evidence differ from the suggestion: {} higher (lenient), {} lower (severe)",
            e.lenient + e.severe,
            e.rated,
            e.lenient,
            e.severe
        )
    };
    let overrides = match older {
        Some(o) => format!("{overrides}\n{o}"),
        None => overrides,
    };
    card.field("Overrides of the suggested rating", overrides, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Recommendation;

    #[test]
    fn question_statistics_from_a_histogram() {
        // 4 strong yes, 3 yes, 2 no, 1 no decision, 2 without a recommendation.
        let q = question_stats(&QuestionRatings {
            histogram: vec![
                (4, Some(Recommendation::StrongYes), 1),
                (3, Some(Recommendation::Yes), 1),
                (2, Some(Recommendation::No), 1),
                (1, Some(Recommendation::NoDecision), 1),
                (2, None, 2),
            ],
            candidates: 3,
        });
        assert_eq!((q.times, q.candidates), (6, 3));
        assert_eq!(q.mean, Some(14.0 / 6.0));
        assert_eq!(q.distribution, [1, 3, 1, 1]);
        assert_eq!((q.agreeing, q.compared), (3, 3));
        assert_eq!(q.agreement_percent(), Some(100.0));
        assert_eq!((q.mean_when_yes, q.mean_when_no), (Some(3.5), Some(2.0)));
        // A 1 with a yes disagrees.
        let q = question_stats(&QuestionRatings {
            histogram: vec![
                (1, Some(Recommendation::Yes), 1),
                (4, Some(Recommendation::Yes), 3),
            ],
            candidates: 1,
        });
        assert_eq!((q.agreeing, q.compared), (3, 4));
        assert_eq!(q.agreement_percent(), Some(75.0));
        assert_eq!(q.mean_when_no, None);
    }
}
