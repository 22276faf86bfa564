//! `/scores question`: how a question separates candidates: its ratings' spread and
//! distribution, the mean where the interviewer recommended yes and no, and how often a rating
//! leans the same way as the recommendation.

use super::{BLIND_NOTE, leaning, percent};
use crate::engine::Handled;
use crate::engine::cards::BOT_COLOUR;
use crate::engine::{Card, Engine, Error, Message, Outcome, Request};
use crate::features::scores::commands::QuestionOptions;
use crate::features::scores::{SCALE, mean, member, plural, sees_everything, spread, two};
use crate::store::QuestionRatings;
use crate::text::truncate;

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

/// What `/scores question` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionReport {
    /// The id as asked (trimmed).
    pub id: String,
    pub stats: QuestionStats,
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
        Ok(QuestionReport {
            id,
            stats: question_stats(&ratings),
            blind: viewer.is_some(),
        })
    }

    pub(crate) fn cmd_scores_question(&self, req: &Request, opts: QuestionOptions) -> Handled {
        let report = self.question_report(req, &opts.id)?;
        Ok(Outcome::private(
            Message::default().card(self.render_question(&report)),
        ))
    }

    /// The question's card (its title from the bank, if it is still there).
    fn render_question(&self, r: &QuestionReport) -> Card {
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
        let title = match self.bank().get(&r.id) {
            Some(b) => format!(
                "Question `{}` · {} · {}",
                b.id,
                b.level.title(),
                self.bank().topic_name(&b.topic)
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
        if r.blind {
            card.footer = Some(BLIND_NOTE.into());
        }
        card
    }
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
