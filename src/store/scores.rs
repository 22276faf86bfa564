//! `scores`, `score_history`, `recommendations`: what interviewers gave, every change to it, and
//! their overall recommendations.
//!
//! Lookups read through the indexes on (guild, candidate), (guild, interviewer) and
//! (guild, question); none scans the whole table.

use rusqlite::{OptionalExtension, Row, params};

use super::types::{all, id};
use super::{Db, StoreError};
use crate::model::{CandidateId, GuildId, Recommendation, SessionId, UserId};

/// One stored score, with what lookups and the export need beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRow {
    pub id: i64,
    pub candidate_id: CandidateId,
    pub candidate_name: String,
    pub session_id: SessionId,
    pub session_started_at: i64,
    pub question_id: String,
    pub interviewer_id: UserId,
    pub interviewer_name: String,
    /// `None` while only notes were given.
    pub rating: Option<u8>,
    pub notes: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Who scores, what, where.
#[derive(Debug, Clone)]
pub struct ScoreKey<'a> {
    pub guild_id: GuildId,
    pub candidate_id: CandidateId,
    pub session_id: SessionId,
    pub question_id: &'a str,
    pub interviewer_id: UserId,
    pub interviewer_name: &'a str,
}

/// An interviewer's overall recommendation for a candidate, as
/// [`Db::set_recommendation`] records it.
#[derive(Debug, Clone)]
pub struct NewRecommendation<'a> {
    pub guild_id: GuildId,
    pub candidate_id: CandidateId,
    pub interviewer_id: UserId,
    pub interviewer_name: &'a str,
    pub recommendation: Recommendation,
    /// The session it was given at the end of, if any.
    pub session_id: Option<SessionId>,
    pub at_ms: i64,
}

/// A score before a change, as kept in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    pub rating: Option<u8>,
    pub notes: String,
}

/// One entry of a score's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreChange {
    pub score_id: i64,
    pub old_rating: Option<u8>,
    pub old_notes: String,
    pub new_rating: Option<u8>,
    pub new_notes: String,
    pub changed_by: UserId,
    pub changed_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecommendationRow {
    pub candidate_id: CandidateId,
    pub interviewer_id: UserId,
    pub interviewer_name: String,
    pub recommendation: Recommendation,
    pub updated_at: i64,
}

/// The columns [`score_row`] decodes, from [`SCORE_FROM`].
const SCORE_COLUMNS: &str = "s.id, s.candidate_id, c.name AS candidate_name, s.session_id,
    x.started_at AS session_started_at, s.question_id, s.interviewer_id, s.interviewer_name,
    s.rating, s.notes, s.created_at, s.updated_at";
const SCORE_FROM: &str = "FROM scores s
    JOIN candidates c ON c.guild_id = s.guild_id AND c.id = s.candidate_id
    JOIN interview_sessions x ON x.guild_id = s.guild_id AND x.id = s.session_id";

/// The scores query of [`Db::scores_where`] for a condition.
fn scores_sql(condition: &str) -> String {
    format!(
        "SELECT {SCORE_COLUMNS} {SCORE_FROM} WHERE {condition}
          ORDER BY x.started_at, s.session_id, s.created_at, s.id"
    )
}

/// The recommendations query for a condition (candidate or guild recommendations); its rows
/// are decoded by [`recommendation_row`].
fn recommendations_sql(condition: &str) -> String {
    format!(
        "SELECT candidate_id, interviewer_id, interviewer_name, recommendation, updated_at
           FROM recommendations WHERE {condition} ORDER BY candidate_id, updated_at, interviewer_id"
    )
}

const CANDIDATE_SCORES: &str = "s.guild_id = ?1 AND s.candidate_id = ?2";
const SCORE_AT: &str =
    "s.guild_id = ?1 AND s.session_id = ?2 AND s.question_id = ?3 AND s.interviewer_id = ?4";
const CANDIDATE_RECOMMENDATIONS: &str = "guild_id = ?1 AND candidate_id = ?2";

/// `?1` guild, `?2` interviewer: the candidates whose scorecard they submitted, that is for
/// whom they gave a recommendation (`/recommend` or `/interview end`).
const RECOMMENDED_CANDIDATES: &str = "SELECT candidate_id FROM recommendations
  WHERE guild_id = ?1 AND interviewer_id = ?2 ORDER BY candidate_id";

/// `?1` guild, `?2` candidate: how many ratings, their sum, how many questions were rated,
/// and how many interviewers and scorecards (interview and interviewer) there are, counting
/// notes without a rating too: a scorecard is what an interviewer recorded in an interview.
/// `session_id` and `interviewer_id` are integers, so the text `session:interviewer` names
/// one pair.
const CANDIDATE_SUMMARY: &str = "SELECT COUNT(rating), COALESCE(SUM(rating), 0),
    COUNT(DISTINCT interviewer_id),
    COUNT(DISTINCT CASE WHEN rating IS NOT NULL THEN question_id END),
    COUNT(DISTINCT session_id || ':' || interviewer_id)
  FROM scores WHERE guild_id = ?1 AND candidate_id = ?2";

/// `?1` guild, `?2` candidate: how many of each recommendation.
const RECOMMENDATION_COUNTS: &str = "SELECT recommendation, COUNT(*) FROM recommendations
  WHERE guild_id = ?1 AND candidate_id = ?2 GROUP BY recommendation";

/// `?1` guild, `?2` interviewer: their scorecards with a rating, and how many ratings of each
/// value.
const INTERVIEWER_TOTALS: &str = "SELECT COUNT(DISTINCT session_id),
    COALESCE(SUM(rating = 1), 0), COALESCE(SUM(rating = 2), 0),
    COALESCE(SUM(rating = 3), 0), COALESCE(SUM(rating = 4), 0)
  FROM scores WHERE guild_id = ?1 AND interviewer_id = ?2 AND rating IS NOT NULL";

/// `?1` guild, `?2` interviewer: per candidate they rated (by id), their ratings' sum and
/// count, and everyone's (`candidate_ratings`, kept by triggers).
const INTERVIEWER_CANDIDATES: &str = "SELECT m.candidate_id, m.own_sum, m.own_count,
    COALESCE(t.rating_sum, m.own_sum), COALESCE(t.ratings, m.own_count)
  FROM (SELECT candidate_id, SUM(rating) AS own_sum, COUNT(*) AS own_count FROM scores
         WHERE guild_id = ?1 AND interviewer_id = ?2 AND rating IS NOT NULL
         GROUP BY candidate_id) m
  LEFT JOIN candidate_ratings t ON t.guild_id = ?1 AND t.candidate_id = m.candidate_id
  ORDER BY m.candidate_id";

/// `?1` guild, `?2` interviewer: their recommendations, and how many were "no decision".
const INTERVIEWER_RECOMMENDATIONS: &str =
    "SELECT COUNT(*), COALESCE(SUM(recommendation = 'no-decision'), 0)
  FROM recommendations WHERE guild_id = ?1 AND interviewer_id = ?2";

/// `?1` guild, `?2` at most this many: the interviewers with a rating, by id. Each step seeks
/// the next id in `scores_by_interviewer` rather than reading every score.
const RATING_INTERVIEWERS: &str = "WITH RECURSIVE next_interviewer (id, n) AS (
    SELECT -1, 0
    UNION ALL
    SELECT (SELECT MIN(interviewer_id) FROM scores
             WHERE guild_id = ?1 AND interviewer_id > next_interviewer.id AND rating IS NOT NULL),
           n + 1
      FROM next_interviewer WHERE next_interviewer.id IS NOT NULL AND n < ?2)
  SELECT id FROM next_interviewer WHERE n > 0 AND id IS NOT NULL";

/// `?1` guild, `?2` interviewer: the name on their latest score (in the order lookups list
/// scores: by interview start, interview, then time).
const INTERVIEWER_SCORE_NAME: &str = "SELECT s.interviewer_name FROM scores s
    JOIN interview_sessions x ON x.guild_id = s.guild_id AND x.id = s.session_id
  WHERE s.guild_id = ?1 AND s.interviewer_id = ?2
  ORDER BY x.started_at DESC, s.session_id DESC, s.created_at DESC, s.id DESC LIMIT 1";

/// `?1` guild, `?2` interviewer: the name on their first recommendation (in the order of
/// [`recommendations_sql`]).
const INTERVIEWER_RECOMMENDATION_NAME: &str = "SELECT interviewer_name FROM recommendations
  WHERE guild_id = ?1 AND interviewer_id = ?2 ORDER BY candidate_id, updated_at LIMIT 1";

/// The ratings of a question in guild `?1` that a viewer sees, under any of its ids (`?2`, a
/// JSON array: its id and the ids it had before a rename): with `?3` NULL all of them, else
/// only those of candidates for whom interviewer `?3` submitted their scorecard, their
/// recommendation (blind scoring).
const QUESTION_VISIBLE: &str =
    "s.guild_id = ?1 AND s.question_id IN (SELECT value FROM json_each(?2))
    AND s.rating IS NOT NULL
    AND (?3 IS NULL OR EXISTS (SELECT 1 FROM recommendations v
          WHERE v.guild_id = ?1 AND v.candidate_id = s.candidate_id AND v.interviewer_id = ?3))";

/// How many of the visible ratings of a question have each (rating, recommendation of the
/// same interviewer for the candidate, or none).
fn question_histogram_sql() -> String {
    format!(
        "SELECT s.rating, r.recommendation, COUNT(*) FROM scores s
           LEFT JOIN recommendations r ON r.guild_id = s.guild_id
                AND r.candidate_id = s.candidate_id AND r.interviewer_id = s.interviewer_id
          WHERE {QUESTION_VISIBLE}
          GROUP BY s.rating, r.recommendation"
    )
}

/// How many candidates the visible ratings of a question are for.
fn question_candidates_sql() -> String {
    // Named: with the ids as a list, SQLite would otherwise count over the guild's whole
    // candidate index instead of seeking the question's rows.
    format!(
        "SELECT COUNT(DISTINCT s.candidate_id) FROM scores s INDEXED BY scores_by_question
          WHERE {QUESTION_VISIBLE}"
    )
}

/// `?1` guild, `?2` a question's ids (a JSON array): whether it has any score, a rating or
/// notes only.
const QUESTION_SCORED: &str = "SELECT EXISTS (SELECT 1 FROM scores
    WHERE guild_id = ?1 AND question_id IN (SELECT value FROM json_each(?2)))";

/// A question's ids as the JSON array the question queries take.
pub(super) fn ids_json(ids: &[&str]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// What `/scores team` shows of one candidate: counted over the scores with a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RatingSummary {
    pub ratings: u64,
    pub rating_sum: u64,
    pub interviewers: u64,
    pub questions: u64,
    /// Distinct (interview, interviewer) pairs.
    pub scorecards: u64,
}

/// One candidate an interviewer rated: their ratings and everyone's (theirs included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedCandidate {
    pub candidate_id: CandidateId,
    pub own_sum: u64,
    pub own_count: u64,
    pub all_sum: u64,
    pub all_count: u64,
}

/// What one interviewer's calibration is computed from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InterviewerRatings {
    /// Interviews in which they gave a rating.
    pub scorecards: u64,
    /// How many ratings of 1, 2, 3 and 4 they gave.
    pub counts: [u64; 4],
    /// Every candidate they rated, by id.
    pub candidates: Vec<SharedCandidate>,
    pub recommendations: u64,
    pub no_decision: u64,
}

/// How one question was rated, as a viewer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuestionRatings {
    /// (rating, the interviewer's recommendation for the candidate if any, how many).
    pub histogram: Vec<(u8, Option<Recommendation>, u64)>,
    /// How many candidates those ratings are for.
    pub candidates: u64,
}

fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// A row of [`SCORE_COLUMNS`].
fn score_row(r: &Row<'_>) -> Result<ScoreRow, StoreError> {
    let rating: Option<i64> = r.get("rating")?;
    Ok(ScoreRow {
        id: r.get("id")?,
        candidate_id: r.get("candidate_id")?,
        candidate_name: r.get("candidate_name")?,
        session_id: r.get("session_id")?,
        session_started_at: r.get("session_started_at")?,
        question_id: r.get("question_id")?,
        interviewer_id: id(r, "interviewer_id")?,
        interviewer_name: r.get("interviewer_name")?,
        rating: rating.and_then(|v| u8::try_from(v).ok()),
        notes: r.get("notes")?,
        created_at: r.get("created_at")?,
        updated_at: r.get("updated_at")?,
    })
}

/// A row of [`recommendations_sql`].
fn recommendation_row(r: &Row<'_>) -> Result<RecommendationRow, StoreError> {
    Ok(RecommendationRow {
        candidate_id: r.get("candidate_id")?,
        interviewer_id: id(r, "interviewer_id")?,
        interviewer_name: r.get("interviewer_name")?,
        recommendation: r.get("recommendation")?,
        updated_at: r.get("updated_at")?,
    })
}

fn rating_sql(r: Option<u8>) -> Option<i64> {
    r.map(i64::from)
}

impl Db<'_> {
    /// Every row of `sql` with `params`, each decoded by `decode` (the store's other files use
    /// it too).
    pub(super) fn rows<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        decode: impl Fn(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut stmt = self.prep(sql)?;
        all(stmt.query(params)?, decode)
    }

    fn scores_where(
        &self,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<ScoreRow>, StoreError> {
        self.rows(&scores_sql(condition), args, score_row)
    }

    /// The score at `key`, if there is one.
    pub fn score(&self, key: &ScoreKey<'_>) -> Result<Option<ScoreRow>, StoreError> {
        Ok(self
            .scores_where(
                SCORE_AT,
                &[
                    &key.guild_id,
                    &key.session_id,
                    &key.question_id,
                    &key.interviewer_id,
                ],
            )?
            .pop())
    }

    /// Sets the rating and/or notes at `key` (`None` keeps what is there), recording the
    /// previous value in the history. Returns the previous value, if there was a score.
    ///
    /// A first score is one statement (the insert); only a change to an existing score reads
    /// it and writes the history.
    pub fn put_score(
        &self,
        key: &ScoreKey<'_>,
        rating: Option<u8>,
        notes: Option<&str>,
        at_ms: i64,
    ) -> Result<Option<Previous>, StoreError> {
        let guild = key.guild_id;
        let by = key.interviewer_id;
        let inserted = self.prep(
                "INSERT INTO scores (guild_id, candidate_id, session_id, question_id, interviewer_id,
                     interviewer_name, rating, notes, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
                 ON CONFLICT (guild_id, session_id, question_id, interviewer_id) DO NOTHING",
            )?
            .execute(params![
                guild,
                key.candidate_id,
                key.session_id,
                key.question_id,
                by,
                key.interviewer_name,
                rating_sql(rating),
                notes.unwrap_or(""),
                at_ms
            ])?;
        if inserted == 1 {
            return Ok(None);
        }
        let (id, old_rating, old_notes): (i64, Option<i64>, String) = self.prep(
                "SELECT id, rating, notes FROM scores
                  WHERE guild_id = ?1 AND session_id = ?2 AND question_id = ?3 AND interviewer_id = ?4",
            )?
            .query_row(params![guild, key.session_id, key.question_id, by], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        let old_rating = old_rating.and_then(|v| u8::try_from(v).ok());
        let new_rating = rating.or(old_rating);
        let new_notes = notes.map_or_else(|| old_notes.clone(), String::from);
        self.prep(
            "UPDATE scores SET rating = ?3, notes = ?4, interviewer_name = ?5, updated_at = ?6
                  WHERE guild_id = ?1 AND id = ?2",
        )?
        .execute(params![
            guild,
            id,
            rating_sql(new_rating),
            new_notes,
            key.interviewer_name,
            at_ms
        ])?;
        self.prep(
            "INSERT INTO score_history (guild_id, candidate_id, score_id, old_rating, old_notes,
                     new_rating, new_notes, changed_by, changed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            guild,
            key.candidate_id,
            id,
            rating_sql(old_rating),
            old_notes,
            rating_sql(new_rating),
            new_notes,
            by,
            at_ms
        ])?;
        Ok(Some(Previous {
            rating: old_rating,
            notes: old_notes,
        }))
    }

    /// Every score of a candidate, by interview and time.
    pub fn candidate_scores(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
    ) -> Result<Vec<ScoreRow>, StoreError> {
        self.scores_where(CANDIDATE_SCORES, &[&guild_id, &candidate_id])
    }

    /// Every score of the guild.
    pub fn guild_scores(&self, guild_id: GuildId) -> Result<Vec<ScoreRow>, StoreError> {
        self.scores_where("s.guild_id = ?1", &[&guild_id])
    }

    /// The candidates (ids) an interviewer has submitted their scorecard for: given a
    /// recommendation. Blind scoring shows them the others' scorecards of these only.
    pub fn recommended_candidates(
        &self,
        guild_id: GuildId,
        interviewer_id: UserId,
    ) -> Result<Vec<CandidateId>, StoreError> {
        self.rows(
            RECOMMENDED_CANDIDATES,
            params![guild_id, interviewer_id],
            |r| Ok(r.get(0)?),
        )
    }

    /// What `/scores team` shows of a candidate (see [`RatingSummary`]).
    pub fn candidate_rating_summary(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
    ) -> Result<RatingSummary, StoreError> {
        Ok(self
            .prep(CANDIDATE_SUMMARY)?
            .query_row(params![guild_id, candidate_id], |r| {
                Ok(RatingSummary {
                    ratings: count(r.get(0)?),
                    rating_sum: count(r.get(1)?),
                    interviewers: count(r.get(2)?),
                    questions: count(r.get(3)?),
                    scorecards: count(r.get(4)?),
                })
            })?)
    }

    /// How many recommendations of each kind a candidate has: (recommendation, count).
    pub fn recommendation_counts(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
    ) -> Result<Vec<(Recommendation, u64)>, StoreError> {
        self.rows(
            RECOMMENDATION_COUNTS,
            params![guild_id, candidate_id],
            |r| Ok((r.get(0)?, count(r.get(1)?))),
        )
    }

    /// What an interviewer's calibration is computed from (see [`InterviewerRatings`]).
    pub fn interviewer_ratings(
        &self,
        guild_id: GuildId,
        interviewer_id: UserId,
    ) -> Result<InterviewerRatings, StoreError> {
        let guild = guild_id;
        let by = interviewer_id;
        let (scorecards, counts) =
            self.prep(INTERVIEWER_TOTALS)?
                .query_row(params![guild, by], |r| {
                    Ok((
                        count(r.get(0)?),
                        [
                            count(r.get(1)?),
                            count(r.get(2)?),
                            count(r.get(3)?),
                            count(r.get(4)?),
                        ],
                    ))
                })?;
        let candidates = self.rows(INTERVIEWER_CANDIDATES, params![guild, by], |r| {
            Ok(SharedCandidate {
                candidate_id: r.get(0)?,
                own_sum: count(r.get(1)?),
                own_count: count(r.get(2)?),
                all_sum: count(r.get(3)?),
                all_count: count(r.get(4)?),
            })
        })?;
        let (recommendations, no_decision) = self
            .prep(INTERVIEWER_RECOMMENDATIONS)?
            .query_row(params![guild, by], |r| {
                Ok((count(r.get(0)?), count(r.get(1)?)))
            })?;
        Ok(InterviewerRatings {
            scorecards,
            counts,
            candidates,
            recommendations,
            no_decision,
        })
    }

    /// The interviewers who gave at least one rating in the guild, by id, at most `limit`.
    pub fn rating_interviewers(
        &self,
        guild_id: GuildId,
        limit: usize,
    ) -> Result<Vec<UserId>, StoreError> {
        self.rows(
            RATING_INTERVIEWERS,
            params![guild_id, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| id(r, "id"),
        )
    }

    /// The latest name an interviewer was recorded with: on their latest score, else on their
    /// first recommendation.
    pub fn interviewer_name(
        &self,
        guild_id: GuildId,
        interviewer_id: UserId,
    ) -> Result<Option<String>, StoreError> {
        let args = params![guild_id, interviewer_id];
        if let Some(name) = self
            .prep(INTERVIEWER_SCORE_NAME)?
            .query_row(args, |r| r.get(0))
            .optional()?
        {
            return Ok(Some(name));
        }
        Ok(self
            .prep(INTERVIEWER_RECOMMENDATION_NAME)?
            .query_row(args, |r| r.get(0))
            .optional()?)
    }

    /// The ratings of a question in the guild (see [`QuestionRatings`]): all of them, or with
    /// `viewer` only those of candidates the viewer has rated.
    pub fn question_ratings(
        &self,
        guild_id: GuildId,
        question_ids: &[&str],
        viewer: Option<UserId>,
    ) -> Result<QuestionRatings, StoreError> {
        let ids = ids_json(question_ids);
        let args = params![guild_id, ids, viewer];
        let mut stmt = self.prep(&question_histogram_sql())?;
        let rows = stmt.query_map(args, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<Recommendation>>(1)?,
                count(r.get(2)?),
            ))
        })?;
        let mut histogram = Vec::new();
        for row in rows {
            let (rating, rec, n) = row?;
            if let Ok(rating) = u8::try_from(rating) {
                histogram.push((rating, rec, n));
            }
        }
        let candidates = self
            .prep(&question_candidates_sql())?
            .query_row(args, |r| r.get(0))
            .map(count)?;
        Ok(QuestionRatings {
            histogram,
            candidates,
        })
    }

    /// Whether a question has any score in the guild (a rating or notes only).
    pub fn question_scored(
        &self,
        guild_id: GuildId,
        question_ids: &[&str],
    ) -> Result<bool, StoreError> {
        Ok(self
            .prep(QUESTION_SCORED)?
            .query_row(params![guild_id, ids_json(question_ids)], |r| r.get(0))?)
    }

    /// The history of a candidate's scores, oldest first.
    pub fn score_history(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
    ) -> Result<Vec<ScoreChange>, StoreError> {
        let sql = "SELECT score_id, old_rating, old_notes, new_rating, new_notes, changed_by,
                changed_at
               FROM score_history WHERE guild_id = ?1 AND candidate_id = ?2 ORDER BY id";
        let rating = |r: &Row<'_>, column: &str| -> Result<Option<u8>, StoreError> {
            Ok(r.get::<_, Option<i64>>(column)?
                .and_then(|v| u8::try_from(v).ok()))
        };
        self.rows(sql, params![guild_id, candidate_id], |r| {
            Ok(ScoreChange {
                score_id: r.get("score_id")?,
                old_rating: rating(r, "old_rating")?,
                old_notes: r.get("old_notes")?,
                new_rating: rating(r, "new_rating")?,
                new_notes: r.get("new_notes")?,
                changed_by: id(r, "changed_by")?,
                changed_at: r.get("changed_at")?,
            })
        })
    }

    /// Sets an interviewer's recommendation for a candidate; returns the one it replaced.
    pub fn set_recommendation(
        &self,
        r: &NewRecommendation<'_>,
    ) -> Result<Option<Recommendation>, StoreError> {
        let guild = r.guild_id;
        let by = r.interviewer_id;
        let old: Option<Recommendation> = self
            .prep(
                "SELECT recommendation FROM recommendations
                  WHERE guild_id = ?1 AND candidate_id = ?2 AND interviewer_id = ?3",
            )?
            .query_row(params![guild, r.candidate_id, by], |row| row.get(0))
            .optional()?;
        self.prep(
            "INSERT INTO recommendations (guild_id, candidate_id, interviewer_id, interviewer_name,
                 recommendation, session_id, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (guild_id, candidate_id, interviewer_id) DO UPDATE SET
                 interviewer_name = ?4, recommendation = ?5, session_id = ?6, updated_at = ?7",
        )?
        .execute(params![
            guild,
            r.candidate_id,
            by,
            r.interviewer_name,
            r.recommendation,
            r.session_id,
            r.at_ms
        ])?;
        Ok(old)
    }

    pub fn candidate_recommendations(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
    ) -> Result<Vec<RecommendationRow>, StoreError> {
        self.rows(
            &recommendations_sql(CANDIDATE_RECOMMENDATIONS),
            params![guild_id, candidate_id],
            recommendation_row,
        )
    }

    pub fn guild_recommendations(
        &self,
        guild_id: GuildId,
    ) -> Result<Vec<RecommendationRow>, StoreError> {
        self.rows(
            &recommendations_sql("guild_id = ?1"),
            params![guild_id],
            recommendation_row,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChannelId;
    use crate::store::{Store, candidates, evidence, sessions};

    /// Every query the four lookups of src/features/scores/lookups/ run (`/scores candidate`,
    /// `team`, `interviewer`, `question`), named by the store function that runs it; when a
    /// lookup calls a new store function, its query belongs here.
    fn lookup_queries() -> Vec<(&'static str, String)> {
        vec![
            // Each lookup by a member without Manage Server (blind scoring).
            ("recommended_candidates", RECOMMENDED_CANDIDATES.into()),
            // `/scores candidate`
            ("candidate_by_key", candidates::CANDIDATE_BY_KEY.into()),
            ("candidate_scores", scores_sql(CANDIDATE_SCORES)),
            (
                "candidate_recommendations",
                recommendations_sql(CANDIDATE_RECOMMENDATIONS),
            ),
            (
                "candidate_sessions",
                sessions::sessions_sql(sessions::CANDIDATE_SESSIONS),
            ),
            // `/scores team`
            (
                "interviewed_candidates",
                sessions::LAST_INTERVIEWS_COUNT.into(),
            ),
            ("last_interviews", sessions::LAST_INTERVIEWS_PAGE.into()),
            ("candidate_rating_summary", CANDIDATE_SUMMARY.into()),
            ("recommendation_counts", RECOMMENDATION_COUNTS.into()),
            // `/scores interviewer`
            ("rating_interviewers", RATING_INTERVIEWERS.into()),
            ("interviewer_ratings (totals)", INTERVIEWER_TOTALS.into()),
            (
                "interviewer_ratings (candidates)",
                INTERVIEWER_CANDIDATES.into(),
            ),
            (
                "interviewer_ratings (recommendations)",
                INTERVIEWER_RECOMMENDATIONS.into(),
            ),
            ("interviewer_name (scores)", INTERVIEWER_SCORE_NAME.into()),
            (
                "interviewer_name (recommendations)",
                INTERVIEWER_RECOMMENDATION_NAME.into(),
            ),
            // `/scores question`
            ("question_ratings (histogram)", question_histogram_sql()),
            ("question_ratings (candidates)", question_candidates_sql()),
            ("question_scored", QUESTION_SCORED.into()),
            // The evidence behind the scores (issue 21): `/scores candidate`,
            ("candidate_evidence", evidence::CANDIDATE_EVIDENCE.into()),
            ("candidate_rubrics", evidence::CANDIDATE_RUBRICS.into()),
            // `/scores candidate` and `/scores question` for a question gone from the bank,
            ("latest_rubric", evidence::LATEST_RUBRIC.into()),
            // `/scores question`,
            ("find_rubric_version", evidence::RUBRIC_BY_TEXT.into()),
            ("question_evidence", evidence::QUESTION_EVIDENCE.into()),
            // `/scores interviewer`.
            (
                "interviewer_agreement",
                evidence::INTERVIEWER_AGREEMENT.into(),
            ),
            // Not a lookup: a score by its key.
            ("score", scores_sql(SCORE_AT)),
        ]
    }

    /// The plan of a query, one line per step (`EXPLAIN QUERY PLAN`'s detail column).
    fn plan(store: &Store, sql: &str) -> Vec<String> {
        store
            .read(|db| {
                let mut stmt = db.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
                let params: Vec<i64> = vec![1; stmt.parameter_count()];
                let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
                    r.get::<_, String>(3)
                })?;
                Ok::<_, StoreError>(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .unwrap()
    }

    /// The steps of a plan that read a whole table, or all of a guild's scores or evidence: a
    /// `SCAN` of anything but the query's own subqueries, and a search of `scores` or
    /// `score_evidence` on the guild alone.
    fn full_reads(plan: &[String]) -> Vec<&String> {
        // Subqueries and common table expressions are named where they are computed.
        let own: Vec<&str> = plan
            .iter()
            .filter_map(|p| {
                p.strip_prefix("MATERIALIZE ")
                    .or_else(|| p.strip_prefix("CO-ROUTINE "))
            })
            .collect();
        plan.iter()
            .filter(|p| {
                let scan = p.strip_prefix("SCAN ").is_some_and(|rest| {
                    let name = rest.split(' ').next().unwrap_or("");
                    // A question's ids, a JSON array of a few, are read whole: that is no
                    // table of the store.
                    !(own.contains(&name)
                        || name.starts_with("(subquery")
                        || name == "json_each"
                        || rest == "CONSTANT ROW")
                });
                let guild_only = (p.contains(" INDEX scores_")
                    || p.contains("sqlite_autoindex_scores")
                    || p.contains(" INDEX score_evidence_"))
                    && p.ends_with("(guild_id=?)");
                scan || guild_only
            })
            .collect()
    }

    /// No query of a lookup reads the `scores` table (or any other) from end to end, or all
    /// of a guild's scores: each goes through an index to the rows it needs.
    #[test]
    fn lookups_use_the_indexes() {
        let store = Store::open_in_memory().unwrap();
        let mut failures = Vec::new();
        for (name, sql) in lookup_queries() {
            let plan = plan(&store, &sql);
            let bad = full_reads(&plan);
            if !bad.is_empty() {
                failures.push(format!(
                    "{name}: reads {bad:?}\n  plan {plan:?}\n  sql {sql}"
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// The check itself: it catches a scan of `scores`, and a read of a whole guild's scores or
    /// evidence.
    #[test]
    fn the_index_check_catches_full_reads() {
        let store = Store::open_in_memory().unwrap();
        for sql in [
            "SELECT COUNT(*) FROM scores WHERE notes = ?1",
            "SELECT SUM(rating) FROM scores WHERE guild_id = ?1",
            "SELECT s.id FROM scores s WHERE s.updated_at = ?1",
            // Without statistics SQLite reads the guild's whole covering question index for
            // this rather than seek the candidate (`CANDIDATE_RUBRICS` names its index).
            "SELECT rubric_id FROM score_evidence WHERE guild_id = ?1 AND candidate_id = ?2",
        ] {
            let plan = plan(&store, sql);
            assert!(!full_reads(&plan).is_empty(), "{sql}: {plan:?}");
        }
        let plan = plan(&store, &scores_sql(CANDIDATE_SCORES));
        assert!(full_reads(&plan).is_empty(), "{plan:?}");
    }

    /// `candidate_ratings` (kept by triggers) always equals the ratings it sums, through first
    /// scores, re-scores, notes-only scores, ratings given later and candidates deleted.
    #[test]
    fn candidate_ratings_follow_every_change_to_scores() {
        let store = Store::open_in_memory().unwrap();
        let mut seed: u64 = 12_345;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        for step in 0..600i64 {
            let guild = GuildId(1 + next(2));
            let name = format!("Cand {}", next(6));
            let pick = next(20);
            store
                .write(|db| {
                    let (c, _) = db.find_or_add_candidate(
                        guild,
                        &name,
                        &name.to_lowercase(),
                        UserId(1),
                        step,
                    )?;
                    if pick == 0 {
                        db.delete_candidate(guild, c.id)?;
                        return Ok::<_, StoreError>(());
                    }
                    let session = db.create_session(&crate::store::NewSession {
                        guild_id: guild,
                        channel_id: ChannelId(1),
                        candidate_id: c.id,
                        kind: crate::store::SessionKind::Adhoc,
                        started_by: UserId(1),
                        level: None,
                        topic: None,
                        questions: &[],
                        at_ms: step,
                    })?;
                    // Mostly the candidate's first session, so that scores are re-scored.
                    let session = db
                        .candidate_sessions(guild, c.id)?
                        .first()
                        .map_or(session, |s| s.id);
                    let question = format!("q{}", pick % 3);
                    let rating = [None, Some(1), Some(2), Some(3), Some(4)][(pick % 5) as usize];
                    db.put_score(
                        &ScoreKey {
                            guild_id: guild,
                            candidate_id: c.id,
                            session_id: session,
                            question_id: &question,
                            interviewer_id: UserId(10 + pick % 4),
                            interviewer_name: "I",
                        },
                        rating,
                        (pick % 2 == 0).then_some("notes"),
                        step,
                    )?;
                    Ok(())
                })
                .unwrap();
        }
        let (kept, summed) =
            store
                .read(|db| {
                    let rows = |sql: &str| -> Result<Vec<(i64, i64, i64, i64)>, StoreError> {
                        let mut stmt = db.conn.prepare(sql)?;
                        let rows = stmt
                            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
                        Ok(rows.collect::<Result<_, _>>()?)
                    };
                    Ok::<_, StoreError>((
                    rows("SELECT guild_id, candidate_id, ratings, rating_sum FROM candidate_ratings
                           WHERE ratings > 0 ORDER BY 1, 2")?,
                    rows("SELECT guild_id, candidate_id, COUNT(*), SUM(rating) FROM scores
                           WHERE rating IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2")?,
                ))
                })
                .unwrap();
        assert!(
            summed.len() >= 4,
            "the run rated several candidates: {summed:?}"
        );
        assert_eq!(kept, summed);
        // A deleted candidate leaves no row behind.
        let orphans: i64 = store
            .read(|db| {
                Ok::<_, StoreError>(db.conn.query_row(
                    "SELECT COUNT(*) FROM candidate_ratings t WHERE NOT EXISTS
                       (SELECT 1 FROM candidates c WHERE c.guild_id = t.guild_id AND c.id = t.candidate_id)",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(orphans, 0);
    }
}
