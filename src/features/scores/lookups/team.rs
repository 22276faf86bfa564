//! `/scores team`: every interviewed candidate, newest interview first, a page of
//! [`TEAM_PAGE`] at a time, with its "Newer"/"Older" buttons (`sc:team:<page>:<since>`).

use crate::engine::Handled;
use std::collections::HashSet;

use super::{BLIND_LIFT, BLIND_NOTE};
use crate::engine::cards::BOT_COLOUR;
use crate::engine::{ButtonStyle, Card, Effect, Engine, Error, Message, Outcome, Request};
use crate::features::scores::commands::{ScoresAction, TeamOptions};
use crate::features::scores::{RECOMMENDATIONS, parse_date, plural, two};
use crate::model::{CandidateId, GuildId, Recommendation};
use crate::store::{Db, RatingSummary};
use crate::text::{escape, truncate};
use crate::time::date_utc;

/// Candidates per page of `/scores team`.
pub const TEAM_PAGE: usize = 10;

/// A page of `/scores team`.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamReport {
    pub since: Option<i64>,
    /// From 0, within `pages`.
    pub page: usize,
    pub pages: usize,
    /// Candidates interviewed (since `since`), on every page.
    pub listed: usize,
    /// Whether the viewer sees only the candidates they recommended (blind scoring).
    pub blind: bool,
    pub rows: Vec<TeamRow>,
}

/// One candidate of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamRow {
    pub name: String,
    pub last_interview: i64,
    pub summary: RatingSummary,
    /// `None` while the viewer has not submitted their recommendation for the candidate
    /// (blind scoring).
    pub figures: Option<TeamFigures>,
}

/// What a viewer who submitted their recommendation for a candidate sees of them.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamFigures {
    /// The mean of the ratings.
    pub average: Option<f64>,
    /// How many of each recommendation, strong yes first and no decision last; none absent.
    pub recommendations: Vec<(Recommendation, u64)>,
}

/// A candidate's figures from their summary and recommendation counts.
pub(super) fn figures(summary: &RatingSummary, counts: &[(Recommendation, u64)]) -> TeamFigures {
    // The mean of the ratings, as `mean` computes it (the sum of whole numbers is exact).
    let average = (summary.ratings > 0).then(|| summary.rating_sum as f64 / summary.ratings as f64);
    // Strong yes first, no decision last.
    let recommendations = [3, 2, 1, 0, 4]
        .iter()
        .map(|i| RECOMMENDATIONS[*i].0)
        .filter_map(|rec| {
            let n: u64 = counts
                .iter()
                .filter(|(r, _)| *r == rec)
                .map(|(_, n)| n)
                .sum();
            (n > 0).then_some((rec, n))
        })
        .collect();
    TeamFigures {
        average,
        recommendations,
    }
}

/// Reads one page (clamped to the last) in one snapshot: how many candidates are listed,
/// then only the page's rows.
fn read_page(
    db: &Db<'_>,
    guild: GuildId,
    seen: Option<&HashSet<CandidateId>>,
    since: Option<i64>,
    page: usize,
) -> Result<TeamReport, Error> {
    let listed = usize::try_from(db.interviewed_candidates(guild, since)?).unwrap_or(usize::MAX);
    let pages = listed.div_ceil(TEAM_PAGE).max(1);
    let page = page.min(pages - 1);
    let mut rows = Vec::new();
    for (id, name, last) in db.last_interviews(guild, since, page * TEAM_PAGE, TEAM_PAGE)? {
        let summary = db.candidate_rating_summary(guild, id)?;
        let figures = if seen.is_some_and(|s| !s.contains(&id)) {
            None
        } else {
            Some(figures(&summary, &db.recommendation_counts(guild, id)?))
        };
        rows.push(TeamRow {
            name,
            last_interview: last,
            summary,
            figures,
        });
    }
    Ok(TeamReport {
        since,
        page,
        pages,
        listed,
        blind: seen.is_some(),
        rows,
    })
}

impl Engine {
    /// Page `page` (from 0; past the end, the last) of `/scores team`, as the requester may
    /// see it.
    pub fn team_report(
        &self,
        req: &Request,
        since: Option<i64>,
        page: usize,
    ) -> Result<TeamReport, Error> {
        let seen = self.visibility_of(req)?;
        self.store
            .read(|db| read_page(db, req.guild_id, seen.as_ref(), since, page))
    }

    pub(crate) fn cmd_scores_team(&self, req: &Request, opts: TeamOptions) -> Handled {
        let since = opts.since.map(|s| parse_date(&s)).transpose()?;
        self.rate_limit(req, crate::engine::rate::TEAM)?;
        Ok(Outcome::private(render(&self.team_report(req, since, 0)?)))
    }

    /// Paging of `/scores team`: `sc:team:<page>:<since ms or empty>`. It turns the page it
    /// was pressed on, one of the bot's private team pages; pressed on any other message (a
    /// forged id on a public card), the page is answered privately and that message is left
    /// alone.
    pub(crate) fn action_team_page(
        &self,
        req: &Request,
        page: usize,
        since: Option<i64>,
    ) -> Handled {
        let message = render(&self.team_report(req, since, page)?);
        let team_page = |id: &str| {
            matches!(
                id.parse::<ScoresAction>(),
                Ok(ScoresAction::TeamPage { .. })
            )
        };
        Ok(if req.pressed_on_its_own(team_page) {
            Outcome::new(vec![Effect::Update(message)])
        } else {
            Outcome::private(message)
        })
    }
}

/// One candidate's lines.
fn render_row(row: &TeamRow) -> String {
    let head = format!(
        "**{}** · last interview {}",
        escape(&row.name),
        date_utc(row.last_interview)
    );
    let s = &row.summary;
    let Some(f) = &row.figures else {
        return format!(
            "{head}\n  blind: {} scorecard{}; {BLIND_LIFT}",
            s.scorecards,
            plural(s.scorecards)
        );
    };
    let mix = if f.recommendations.is_empty() {
        "no recommendations".to_string()
    } else {
        f.recommendations
            .iter()
            .map(|(rec, n)| format!("{} {n}", crate::features::scores::recommendation_label(rec)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "{head}\n  {} interviewer{} · {} question{} scored ({} rating{}) · average {} · {mix}",
        s.interviewers,
        plural(s.interviewers),
        s.questions,
        plural(s.questions),
        s.ratings,
        plural(s.ratings),
        two(f.average),
    )
}

/// The page's message, with its buttons when there is more than one page.
fn render(r: &TeamReport) -> Message {
    let mut lines: Vec<String> = r.rows.iter().map(render_row).collect();
    if lines.is_empty() {
        lines.push(match r.since {
            Some(s) => format!("No candidates interviewed since {}.", date_utc(s)),
            None => "No candidates scored yet: /score or /interview start.".to_string(),
        });
    }
    let mut footer = format!(
        "page {} of {} · {} candidates · newest first · dates UTC",
        r.page + 1,
        r.pages,
        r.listed
    );
    if r.blind {
        footer.push_str(" · ");
        footer.push_str(BLIND_NOTE);
    }
    let card = Card {
        title: Some(match r.since {
            Some(s) => format!("Team scorecards since {}", date_utc(s)),
            None => "Team scorecards".into(),
        }),
        description: Some(truncate(&lines.join("\n"), 4000)),
        footer: Some(footer),
        colour: Some(BOT_COLOUR),
        ..Card::default()
    };
    let mut message = Message::default().card(card);
    if r.pages > 1 {
        let id = |page: usize| {
            ScoresAction::TeamPage {
                page,
                since: r.since,
            }
            .to_string()
        };
        message = message
            .button(
                "◀ Newer",
                id(r.page.saturating_sub(1)),
                ButtonStyle::Secondary,
            )
            .button("Older ▶", id(r.page + 1), ButtonStyle::Secondary);
        message.buttons[0].disabled = r.page == 0;
        message.buttons[1].disabled = r.page + 1 >= r.pages;
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_row_averages_the_sum_and_orders_recommendations_strong_yes_first() {
        let summary = RatingSummary {
            ratings: 4,
            rating_sum: 11,
            interviewers: 2,
            questions: 2,
            scorecards: 2,
        };
        let f = figures(
            &summary,
            &[
                (Recommendation::NoDecision, 1),
                (Recommendation::No, 2),
                (Recommendation::StrongYes, 1),
            ],
        );
        assert_eq!(f.average, Some(2.75));
        assert_eq!(
            f.recommendations,
            [
                (Recommendation::StrongYes, 1),
                (Recommendation::No, 2),
                (Recommendation::NoDecision, 1)
            ]
        );
        let none = figures(&RatingSummary::default(), &[]);
        assert_eq!((none.average, none.recommendations.len()), (None, 0));
    }
}
