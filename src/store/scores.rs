//! `scores`, `score_history`, `recommendations`: what interviewers gave, every change to it, and
//! their overall recommendations.
//!
//! Lookups read through the indexes on (guild, candidate), (guild, interviewer) and
//! (guild, question); none scans the whole table.

use rusqlite::{OptionalExtension, Row, params};

use super::{Db, StoreError, discord_id, sql_id};

/// One stored score, with what lookups and the export need beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRow {
    pub id: i64,
    pub candidate_id: i64,
    pub candidate_name: String,
    pub session_id: i64,
    pub session_started_at: i64,
    pub question_id: String,
    pub interviewer_id: u64,
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
    pub guild_id: u64,
    pub candidate_id: i64,
    pub session_id: i64,
    pub question_id: &'a str,
    pub interviewer_id: u64,
    pub interviewer_name: &'a str,
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
    pub changed_by: u64,
    pub changed_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecommendationRow {
    pub candidate_id: i64,
    pub interviewer_id: u64,
    pub interviewer_name: String,
    /// `strong-no`, `no`, `yes`, `strong-yes`, `no-decision`.
    pub recommendation: String,
    pub updated_at: i64,
}

const SCORE_COLUMNS: &str =
    "s.id, s.candidate_id, c.name, s.session_id, x.started_at, s.question_id,
    s.interviewer_id, s.interviewer_name, s.rating, s.notes, s.created_at, s.updated_at";
const SCORE_FROM: &str = "FROM scores s
    JOIN candidates c ON c.guild_id = s.guild_id AND c.id = s.candidate_id
    JOIN interview_sessions x ON x.guild_id = s.guild_id AND x.id = s.session_id";

fn score_row(r: &Row<'_>) -> rusqlite::Result<(ScoreRow, i64)> {
    let rating: Option<i64> = r.get(8)?;
    Ok((
        ScoreRow {
            id: r.get(0)?,
            candidate_id: r.get(1)?,
            candidate_name: r.get(2)?,
            session_id: r.get(3)?,
            session_started_at: r.get(4)?,
            question_id: r.get(5)?,
            interviewer_id: 0,
            interviewer_name: r.get(7)?,
            rating: rating.and_then(|v| u8::try_from(v).ok()),
            notes: r.get(9)?,
            created_at: r.get(10)?,
            updated_at: r.get(11)?,
        },
        r.get(6)?,
    ))
}

fn rating_sql(r: Option<u8>) -> Option<i64> {
    r.map(i64::from)
}

impl Db<'_> {
    fn scores_where(
        &self,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<ScoreRow>, StoreError> {
        let sql = format!(
            "SELECT {SCORE_COLUMNS} {SCORE_FROM} WHERE {condition}
              ORDER BY x.started_at, s.session_id, s.created_at, s.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(args, score_row)?;
        let mut out = Vec::new();
        for row in rows {
            let (mut s, by) = row?;
            s.interviewer_id = discord_id(by)?;
            out.push(s);
        }
        Ok(out)
    }

    /// The score at `key`, if there is one.
    pub fn score(&self, key: &ScoreKey<'_>) -> Result<Option<ScoreRow>, StoreError> {
        Ok(self
            .scores_where(
                "s.guild_id = ?1 AND s.session_id = ?2 AND s.question_id = ?3 AND s.interviewer_id = ?4",
                &[&sql_id(key.guild_id)?, &key.session_id, &key.question_id, &sql_id(key.interviewer_id)?],
            )?
            .pop())
    }

    /// Sets the rating and/or notes at `key` (`None` keeps what is there), recording the
    /// previous value in the history. Returns the previous value, if there was a score.
    pub fn put_score(
        &self,
        key: &ScoreKey<'_>,
        rating: Option<u8>,
        notes: Option<&str>,
        at_ms: i64,
    ) -> Result<Option<Previous>, StoreError> {
        let guild = sql_id(key.guild_id)?;
        let by = sql_id(key.interviewer_id)?;
        let existing: Option<(i64, Option<i64>, String)> = self
            .conn
            .query_row(
                "SELECT id, rating, notes FROM scores
                  WHERE guild_id = ?1 AND session_id = ?2 AND question_id = ?3 AND interviewer_id = ?4",
                params![guild, key.session_id, key.question_id, by],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        match existing {
            None => {
                self.conn.execute(
                    "INSERT INTO scores (guild_id, candidate_id, session_id, question_id, interviewer_id,
                         interviewer_name, rating, notes, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                    params![
                        guild,
                        key.candidate_id,
                        key.session_id,
                        key.question_id,
                        by,
                        key.interviewer_name,
                        rating_sql(rating),
                        notes.unwrap_or(""),
                        at_ms
                    ],
                )?;
                Ok(None)
            }
            Some((id, old_rating, old_notes)) => {
                let old_rating = old_rating.and_then(|v| u8::try_from(v).ok());
                let new_rating = rating.or(old_rating);
                let new_notes = notes.map_or_else(|| old_notes.clone(), String::from);
                self.conn.execute(
                    "UPDATE scores SET rating = ?3, notes = ?4, interviewer_name = ?5, updated_at = ?6
                      WHERE guild_id = ?1 AND id = ?2",
                    params![guild, id, rating_sql(new_rating), new_notes, key.interviewer_name, at_ms],
                )?;
                self.conn.execute(
                    "INSERT INTO score_history (guild_id, candidate_id, score_id, old_rating, old_notes,
                         new_rating, new_notes, changed_by, changed_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        guild,
                        key.candidate_id,
                        id,
                        rating_sql(old_rating),
                        old_notes,
                        rating_sql(new_rating),
                        new_notes,
                        by,
                        at_ms
                    ],
                )?;
                Ok(Some(Previous {
                    rating: old_rating,
                    notes: old_notes,
                }))
            }
        }
    }

    /// Every score of a candidate, by interview and time.
    pub fn candidate_scores(
        &self,
        guild_id: u64,
        candidate_id: i64,
    ) -> Result<Vec<ScoreRow>, StoreError> {
        self.scores_where(
            "s.guild_id = ?1 AND s.candidate_id = ?2",
            &[&sql_id(guild_id)?, &candidate_id],
        )
    }

    /// Every score of the guild.
    pub fn guild_scores(&self, guild_id: u64) -> Result<Vec<ScoreRow>, StoreError> {
        self.scores_where("s.guild_id = ?1", &[&sql_id(guild_id)?])
    }

    /// Every score of one question in the guild.
    pub fn question_scores(
        &self,
        guild_id: u64,
        question_id: &str,
    ) -> Result<Vec<ScoreRow>, StoreError> {
        self.scores_where(
            "s.guild_id = ?1 AND s.question_id = ?2",
            &[&sql_id(guild_id)?, &question_id],
        )
    }

    /// The candidates (ids) an interviewer has given at least one rating.
    pub fn rated_candidates(
        &self,
        guild_id: u64,
        interviewer_id: u64,
    ) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT candidate_id FROM scores
              WHERE guild_id = ?1 AND interviewer_id = ?2 AND rating IS NOT NULL ORDER BY candidate_id",
        )?;
        let rows = stmt.query_map(params![sql_id(guild_id)?, sql_id(interviewer_id)?], |r| {
            r.get(0)
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The history of a candidate's scores, oldest first.
    pub fn score_history(
        &self,
        guild_id: u64,
        candidate_id: i64,
    ) -> Result<Vec<ScoreChange>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT score_id, old_rating, old_notes, new_rating, new_notes, changed_by, changed_at
               FROM score_history WHERE guild_id = ?1 AND candidate_id = ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![sql_id(guild_id)?, candidate_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (score_id, o, on, n, nn, by, at) = row?;
            out.push(ScoreChange {
                score_id,
                old_rating: o.and_then(|v| u8::try_from(v).ok()),
                old_notes: on,
                new_rating: n.and_then(|v| u8::try_from(v).ok()),
                new_notes: nn,
                changed_by: discord_id(by)?,
                changed_at: at,
            });
        }
        Ok(out)
    }

    /// Sets an interviewer's recommendation for a candidate; returns the one it replaced.
    #[allow(clippy::too_many_arguments)]
    pub fn set_recommendation(
        &self,
        guild_id: u64,
        candidate_id: i64,
        interviewer_id: u64,
        interviewer_name: &str,
        recommendation: &str,
        session_id: Option<i64>,
        at_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        let guild = sql_id(guild_id)?;
        let by = sql_id(interviewer_id)?;
        let old: Option<String> = self
            .conn
            .query_row(
                "SELECT recommendation FROM recommendations
                  WHERE guild_id = ?1 AND candidate_id = ?2 AND interviewer_id = ?3",
                params![guild, candidate_id, by],
                |r| r.get(0),
            )
            .optional()?;
        self.conn.execute(
            "INSERT INTO recommendations (guild_id, candidate_id, interviewer_id, interviewer_name,
                 recommendation, session_id, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (guild_id, candidate_id, interviewer_id) DO UPDATE SET
                 interviewer_name = ?4, recommendation = ?5, session_id = ?6, updated_at = ?7",
            params![
                guild,
                candidate_id,
                by,
                interviewer_name,
                recommendation,
                session_id,
                at_ms
            ],
        )?;
        Ok(old)
    }

    fn recommendations_where(
        &self,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<RecommendationRow>, StoreError> {
        let sql = format!(
            "SELECT candidate_id, interviewer_id, interviewer_name, recommendation, updated_at
               FROM recommendations WHERE {condition} ORDER BY candidate_id, updated_at, interviewer_id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(args, |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (candidate_id, by, name, rec, at) = row?;
            out.push(RecommendationRow {
                candidate_id,
                interviewer_id: discord_id(by)?,
                interviewer_name: name,
                recommendation: rec,
                updated_at: at,
            });
        }
        Ok(out)
    }

    pub fn candidate_recommendations(
        &self,
        guild_id: u64,
        candidate_id: i64,
    ) -> Result<Vec<RecommendationRow>, StoreError> {
        self.recommendations_where(
            "guild_id = ?1 AND candidate_id = ?2",
            &[&sql_id(guild_id)?, &candidate_id],
        )
    }

    pub fn guild_recommendations(
        &self,
        guild_id: u64,
    ) -> Result<Vec<RecommendationRow>, StoreError> {
        self.recommendations_where("guild_id = ?1", &[&sql_id(guild_id)?])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// Every lookup reads scores through an index, never by scanning the table.
    #[test]
    fn lookups_use_the_indexes() {
        let store = Store::open_in_memory().unwrap();
        for condition in [
            "s.guild_id = ?1",
            "s.guild_id = ?1 AND s.candidate_id = ?2",
            "s.guild_id = ?1 AND s.question_id = ?2",
            "s.guild_id = ?1 AND s.session_id = ?2 AND s.question_id = ?3 AND s.interviewer_id = ?4",
        ] {
            let sql =
                format!("EXPLAIN QUERY PLAN SELECT {SCORE_COLUMNS} {SCORE_FROM} WHERE {condition}");
            let plan: Vec<String> = store
                .read(|db| {
                    let mut stmt = db.conn.prepare(&sql)?;
                    let n = stmt.parameter_count();
                    let params: Vec<i64> = vec![1; n];
                    let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
                        r.get::<_, String>(3)
                    })?;
                    Ok::<_, StoreError>(rows.collect::<Result<Vec<_>, _>>()?)
                })
                .unwrap();
            assert!(
                !plan
                    .iter()
                    .any(|p| p.starts_with("SCAN s") || p.starts_with("SCAN scores")),
                "{condition}: {plan:?}"
            );
        }
    }
}
