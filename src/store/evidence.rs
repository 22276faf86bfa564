//! `rubric_versions` and `score_evidence`: the rubric a score was given against, and what the
//! interviewer ticked in it (look-fors covered, bonus points reached, red flags heard), with
//! the rating the ticks suggest.
//!
//! A rubric version is written once and never changed; evidence names its version, so editing
//! a pack later never reattaches old ticks to different words.

use rusqlite::{OptionalExtension, Row, params};

use super::scores::ScoreKey;
use super::types::id;
use super::{Db, StoreError};
use crate::model::{CandidateId, GuildId, RubricId, Ticks, UserId};

/// A question's rubric lists and pass rule, as evidence is given against them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubricText {
    pub question_id: String,
    pub look_fors: Vec<String>,
    /// How many look-fors make a yes.
    pub pass: usize,
    pub bonus: Vec<String>,
    pub red_flags: Vec<String>,
}

/// A stored rubric version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubricVersion {
    pub id: RubricId,
    pub text: RubricText,
}

/// What an interviewer ticked against one rubric version, and the rating it suggests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub rubric: RubricId,
    pub covered: Ticks,
    pub bonus: Ticks,
    pub red_flags: Ticks,
    /// 1 to 4.
    pub suggested: u8,
    /// The interviewer's reason for a rating that disagrees with the suggestion ('' if none).
    pub reason: String,
}

/// One score's evidence beside its rating: what `/scores question` and `/scores interviewer`
/// count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedEvidence {
    pub score_id: i64,
    pub candidate_id: CandidateId,
    pub interviewer_id: UserId,
    pub evidence: Evidence,
    /// `None` while only evidence (or notes) was given.
    pub rating: Option<u8>,
}

/// How one interviewer's ratings compare with the suggestions of their evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Agreement {
    /// Their ratings that have evidence.
    pub rated_with_evidence: u64,
    /// Of those, the ratings equal to the suggestion.
    pub equal: u64,
    /// The sum of (rating - suggestion) over them.
    pub signed_sum: i64,
}

fn list_json(items: &[String]) -> Result<String, StoreError> {
    serde_json::to_string(items).map_err(|e| StoreError::Corrupt(format!("rubric list: {e}")))
}

fn list_from(r: &Row<'_>, column: &str) -> Result<Vec<String>, StoreError> {
    let text: String = r.get(column)?;
    serde_json::from_str(&text)
        .map_err(|e| StoreError::Corrupt(format!("rubric_versions.{column}: {e}")))
}

/// The evidence columns of `score_evidence e`.
const EVIDENCE_COLUMNS: &str =
    "e.rubric_id, e.covered, e.bonus, e.red_flags, e.suggested, e.reason";

fn evidence(r: &Row<'_>) -> Result<Evidence, StoreError> {
    let suggested: i64 = r.get("suggested")?;
    Ok(Evidence {
        rubric: r.get("rubric_id")?,
        covered: r.get("covered")?,
        bonus: r.get("bonus")?,
        red_flags: r.get("red_flags")?,
        suggested: u8::try_from(suggested)
            .ok()
            .filter(|s| (1..=4).contains(s))
            .ok_or_else(|| StoreError::Corrupt(format!("score_evidence.suggested {suggested}")))?,
        reason: r.get("reason")?,
    })
}

fn rated(r: &Row<'_>) -> Result<RatedEvidence, StoreError> {
    let rating: Option<i64> = r.get("rating")?;
    Ok(RatedEvidence {
        score_id: r.get("score_id")?,
        candidate_id: r.get("candidate_id")?,
        interviewer_id: id(r, "interviewer_id")?,
        evidence: evidence(r)?,
        rating: rating.and_then(|v| u8::try_from(v).ok()),
    })
}

/// `?1` guild, `?2` question, `?3` viewer or NULL: the question's evidence with its ratings;
/// with a viewer, only for candidates whose scorecard the viewer submitted (blind scoring).
pub(super) const QUESTION_EVIDENCE: &str = "SELECT e.score_id, e.candidate_id, e.interviewer_id,
    e.rubric_id, e.covered, e.bonus, e.red_flags, e.suggested, e.reason, s.rating
  FROM score_evidence e JOIN scores s ON s.guild_id = e.guild_id AND s.id = e.score_id
  WHERE e.guild_id = ?1 AND e.question_id IN (SELECT value FROM json_each(?2))
    AND (?3 IS NULL OR EXISTS (SELECT 1 FROM recommendations v
          WHERE v.guild_id = ?1 AND v.candidate_id = e.candidate_id AND v.interviewer_id = ?3))
  ORDER BY e.score_id";

/// `?1` guild, `?2` interviewer: their ratings with evidence, how many equal the suggestion,
/// and the sum of the differences.
pub(super) const INTERVIEWER_AGREEMENT: &str = "SELECT COUNT(*),
    COALESCE(SUM(s.rating = e.suggested), 0), COALESCE(SUM(s.rating - e.suggested), 0)
  FROM score_evidence e JOIN scores s ON s.guild_id = e.guild_id AND s.id = e.score_id
  WHERE e.guild_id = ?1 AND e.interviewer_id = ?2 AND s.rating IS NOT NULL";

/// `?1` guild, `?2` candidate: the candidate's evidence by score.
pub(super) const CANDIDATE_EVIDENCE: &str = "SELECT e.score_id, e.candidate_id, e.interviewer_id,
    e.rubric_id, e.covered, e.bonus, e.red_flags, e.suggested, e.reason, s.rating
  FROM score_evidence e JOIN scores s ON s.guild_id = e.guild_id AND s.id = e.score_id
  WHERE e.guild_id = ?1 AND e.candidate_id = ?2 ORDER BY e.score_id";

/// The columns [`rubric_row`] decodes.
const RUBRIC_COLUMNS: &str = "id, question_id, look_fors, pass, bonus, red_flags";

/// `?1` guild, `?2` rubric version.
const RUBRIC_BY_ID: &str = "SELECT id, question_id, look_fors, pass, bonus, red_flags
  FROM rubric_versions WHERE guild_id = ?1 AND id = ?2";

/// `?1` guild, `?2` question, `?3` look-fors, `?4` pass, `?5` bonus, `?6` red flags (the lists
/// as JSON): the version with exactly this text.
pub(super) const RUBRIC_BY_TEXT: &str = "SELECT id FROM rubric_versions
  WHERE guild_id = ?1 AND question_id = ?2
    AND look_fors = ?3 AND pass = ?4 AND bonus = ?5 AND red_flags = ?6";

/// `?1` guild, `?2` question: its newest stored version (what a question gone from the bank
/// is measured against).
pub(super) const LATEST_RUBRIC: &str = "SELECT id, question_id, look_fors, pass, bonus, red_flags
  FROM rubric_versions WHERE guild_id = ?1 AND question_id = ?2 ORDER BY id DESC LIMIT 1";

/// `?1` guild, `?2` candidate: the versions the candidate's evidence was given against. The
/// index is named: without statistics SQLite would rather read the guild's whole
/// `score_evidence_by_question`, which covers the subquery, than seek the candidate.
pub(super) const CANDIDATE_RUBRICS: &str = "SELECT id, question_id, look_fors, pass, bonus,
    red_flags
  FROM rubric_versions
  WHERE guild_id = ?1 AND id IN (SELECT rubric_id
          FROM score_evidence INDEXED BY score_evidence_by_candidate
          WHERE guild_id = ?1 AND candidate_id = ?2)
  ORDER BY id";

/// A row of [`RUBRIC_COLUMNS`].
fn rubric_row(r: &Row<'_>) -> Result<RubricVersion, StoreError> {
    let pass: i64 = r.get("pass")?;
    Ok(RubricVersion {
        id: r.get("id")?,
        text: RubricText {
            question_id: r.get("question_id")?,
            look_fors: list_from(r, "look_fors")?,
            pass: usize::try_from(pass).unwrap_or(0),
            bonus: list_from(r, "bonus")?,
            red_flags: list_from(r, "red_flags")?,
        },
    })
}

/// The text of a rubric as stored: its lists as JSON, its pass rule as an integer.
fn stored_text(text: &RubricText) -> Result<(String, i64, String, String), StoreError> {
    Ok((
        list_json(&text.look_fors)?,
        i64::try_from(text.pass).unwrap_or(i64::MAX),
        list_json(&text.bonus)?,
        list_json(&text.red_flags)?,
    ))
}

impl Db<'_> {
    /// The version of a question's rubric with exactly this text, added if it is new.
    pub fn rubric_version(
        &self,
        guild_id: GuildId,
        text: &RubricText,
        at_ms: i64,
    ) -> Result<RubricId, StoreError> {
        let (look_fors, pass, bonus, red_flags) = stored_text(text)?;
        self.prep(
            "INSERT INTO rubric_versions
                 (guild_id, question_id, look_fors, pass, bonus, red_flags, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (guild_id, question_id, look_fors, pass, bonus, red_flags) DO NOTHING",
        )?
        .execute(params![
            guild_id,
            text.question_id,
            look_fors,
            pass,
            bonus,
            red_flags,
            at_ms
        ])?;
        self.find_rubric_version(guild_id, text)?
            .ok_or_else(|| StoreError::Corrupt("a rubric version just written is gone".into()))
    }

    /// The stored version with exactly this text, if evidence was ever given against it (a
    /// read: nothing is added).
    pub fn find_rubric_version(
        &self,
        guild_id: GuildId,
        text: &RubricText,
    ) -> Result<Option<RubricId>, StoreError> {
        let (look_fors, pass, bonus, red_flags) = stored_text(text)?;
        Ok(self
            .prep(RUBRIC_BY_TEXT)?
            .query_row(
                params![
                    guild_id,
                    text.question_id,
                    look_fors,
                    pass,
                    bonus,
                    red_flags
                ],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// A stored rubric version of the guild.
    pub fn rubric(
        &self,
        guild_id: GuildId,
        id: RubricId,
    ) -> Result<Option<RubricVersion>, StoreError> {
        Ok(self
            .rows(RUBRIC_BY_ID, params![guild_id, id], rubric_row)?
            .pop())
    }

    /// The newest stored version of a question's rubric, if any.
    pub fn latest_rubric(
        &self,
        guild_id: GuildId,
        question_id: &str,
    ) -> Result<Option<RubricVersion>, StoreError> {
        Ok(self
            .rows(LATEST_RUBRIC, params![guild_id, question_id], rubric_row)?
            .pop())
    }

    /// The rubric versions a candidate's evidence was given against, by id.
    pub fn candidate_rubrics(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
    ) -> Result<Vec<RubricVersion>, StoreError> {
        self.rows(
            CANDIDATE_RUBRICS,
            params![guild_id, candidate_id],
            rubric_row,
        )
    }

    /// Every rubric version of the guild, by id (the export).
    pub fn guild_rubrics(&self, guild_id: GuildId) -> Result<Vec<RubricVersion>, StoreError> {
        self.rows(
            &format!(
                "SELECT {RUBRIC_COLUMNS} FROM rubric_versions WHERE guild_id = ?1 ORDER BY id"
            ),
            params![guild_id],
            rubric_row,
        )
    }

    /// The id of the score at `key`, added without a rating or notes if there is none (so
    /// evidence can come before the rating, as notes can).
    pub fn score_id_for(&self, key: &ScoreKey<'_>, at_ms: i64) -> Result<i64, StoreError> {
        self.prep(
            "INSERT INTO scores (guild_id, candidate_id, session_id, question_id, interviewer_id,
                 interviewer_name, rating, notes, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, '', ?7, ?7)
             ON CONFLICT (guild_id, session_id, question_id, interviewer_id) DO NOTHING",
        )?
        .execute(params![
            key.guild_id,
            key.candidate_id,
            key.session_id,
            key.question_id,
            key.interviewer_id,
            key.interviewer_name,
            at_ms
        ])?;
        Ok(self
            .prep(
                "SELECT id FROM scores WHERE guild_id = ?1 AND session_id = ?2
                   AND question_id = ?3 AND interviewer_id = ?4",
            )?
            .query_row(
                params![
                    key.guild_id,
                    key.session_id,
                    key.question_id,
                    key.interviewer_id
                ],
                |r| r.get(0),
            )?)
    }

    /// The evidence behind a score, if any.
    pub fn evidence(
        &self,
        guild_id: GuildId,
        score_id: i64,
    ) -> Result<Option<Evidence>, StoreError> {
        Ok(self
            .rows(
                &format!(
                    "SELECT {EVIDENCE_COLUMNS} FROM score_evidence e
                      WHERE e.guild_id = ?1 AND e.score_id = ?2"
                ),
                params![guild_id, score_id],
                evidence,
            )?
            .pop())
    }

    /// Sets the evidence behind the score at `key` (its id `score_id`), keeping a reason
    /// already given.
    pub fn put_evidence(
        &self,
        key: &ScoreKey<'_>,
        score_id: i64,
        e: &Evidence,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.prep(
            "INSERT INTO score_evidence (score_id, guild_id, candidate_id, question_id,
                 interviewer_id, rubric_id, covered, bonus, red_flags, suggested, reason,
                 updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (score_id) DO UPDATE SET rubric_id = ?6, covered = ?7, bonus = ?8,
                 red_flags = ?9, suggested = ?10, updated_at = ?12
               WHERE score_evidence.guild_id = ?2",
        )?
        .execute(params![
            score_id,
            key.guild_id,
            key.candidate_id,
            key.question_id,
            key.interviewer_id,
            e.rubric,
            e.covered,
            e.bonus,
            e.red_flags,
            i64::from(e.suggested),
            e.reason,
            at_ms
        ])?;
        Ok(())
    }

    /// Sets the reason beside a score's evidence; false if it has none.
    pub fn set_evidence_reason(
        &self,
        guild_id: GuildId,
        score_id: i64,
        reason: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        Ok(self
            .prep(
                "UPDATE score_evidence SET reason = ?3, updated_at = ?4
                  WHERE guild_id = ?1 AND score_id = ?2",
            )?
            .execute(params![guild_id, score_id, reason, at_ms])?
            == 1)
    }

    /// A question's evidence with the ratings beside it; with `viewer`, only for candidates
    /// whose scorecard the viewer submitted.
    pub fn question_evidence(
        &self,
        guild_id: GuildId,
        question_ids: &[&str],
        viewer: Option<UserId>,
    ) -> Result<Vec<RatedEvidence>, StoreError> {
        self.rows(
            QUESTION_EVIDENCE,
            params![guild_id, super::scores::ids_json(question_ids), viewer],
            rated,
        )
    }

    /// A candidate's evidence, by score.
    pub fn candidate_evidence(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
    ) -> Result<Vec<RatedEvidence>, StoreError> {
        self.rows(CANDIDATE_EVIDENCE, params![guild_id, candidate_id], rated)
    }

    /// Every piece of evidence of the guild, by score (the export).
    pub fn guild_evidence(&self, guild_id: GuildId) -> Result<Vec<RatedEvidence>, StoreError> {
        self.rows(
            "SELECT e.score_id, e.candidate_id, e.interviewer_id, e.rubric_id, e.covered,
                 e.bonus, e.red_flags, e.suggested, e.reason, s.rating
               FROM score_evidence e JOIN scores s ON s.guild_id = e.guild_id AND s.id = e.score_id
              WHERE e.guild_id = ?1 ORDER BY e.score_id",
            params![guild_id],
            rated,
        )
    }

    /// How an interviewer's ratings agree with their evidence's suggestions.
    pub fn interviewer_agreement(
        &self,
        guild_id: GuildId,
        interviewer_id: UserId,
    ) -> Result<Agreement, StoreError> {
        Ok(self
            .prep(INTERVIEWER_AGREEMENT)?
            .query_row(params![guild_id, interviewer_id], |r| {
                Ok(Agreement {
                    rated_with_evidence: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    equal: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    signed_sum: r.get(2)?,
                })
            })
            .optional()?
            .unwrap_or_default())
    }
}
