//! `interview_sessions`: guided interviews in a channel, and the ad-hoc interviews that group
//! an interviewer's `/score`s.

use rusqlite::{Row, params};

use super::types::{id, opt_id};
use super::{Db, StoreError};
use crate::model::{CandidateId, ChannelId, GuildId, Level, MessageId, SessionId, UserId};

pub use crate::model::{SessionKind, SessionStatus};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub guild_id: GuildId,
    pub channel_id: ChannelId,
    pub candidate_id: CandidateId,
    pub candidate_name: String,
    pub kind: SessionKind,
    pub started_by: UserId,
    pub level: Option<Level>,
    pub topic: Option<String>,
    pub questions: Vec<String>,
    pub position: usize,
    pub message_id: Option<MessageId>,
    pub status: SessionStatus,
    pub started_at: i64,
    pub ended_at: Option<i64>,
}

/// A session about to be opened.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub guild_id: GuildId,
    pub channel_id: ChannelId,
    pub candidate_id: CandidateId,
    pub kind: SessionKind,
    pub started_by: UserId,
    pub level: Option<Level>,
    pub topic: Option<&'a str>,
    pub questions: &'a [String],
    pub at_ms: i64,
}

/// The columns [`session`] decodes (of `interview_sessions s` joined with `candidates c`).
const COLUMNS: &str =
    "s.id, s.guild_id, s.channel_id, s.candidate_id, c.name AS candidate_name, s.kind, s.started_by,
    s.level, s.topic, s.questions, s.position, s.message_id, s.status, s.started_at, s.ended_at";

/// `?1` guild, `?2` the earliest newest interview counted.
pub(super) const LAST_INTERVIEWS_COUNT: &str = "SELECT COUNT(*) FROM (
    SELECT candidate_id FROM interview_sessions WHERE guild_id = ?1
     GROUP BY candidate_id HAVING MAX(started_at) >= ?2)";
/// As [`LAST_INTERVIEWS_COUNT`], then `?3` limit and `?4` offset.
pub(super) const LAST_INTERVIEWS_PAGE: &str = "SELECT p.candidate_id, c.name, p.last FROM (
    SELECT candidate_id, MAX(started_at) AS last FROM interview_sessions WHERE guild_id = ?1
     GROUP BY candidate_id HAVING last >= ?2
     ORDER BY last DESC, candidate_id DESC LIMIT ?3 OFFSET ?4) p
    JOIN candidates c ON c.guild_id = ?1 AND c.id = p.candidate_id
    ORDER BY p.last DESC, p.candidate_id DESC";

/// A row of [`COLUMNS`].
fn session(r: &Row<'_>) -> Result<Session, StoreError> {
    let questions: String = r.get("questions")?;
    let position: i64 = r.get("position")?;
    Ok(Session {
        id: r.get("id")?,
        guild_id: id(r, "guild_id")?,
        channel_id: id(r, "channel_id")?,
        candidate_id: r.get("candidate_id")?,
        candidate_name: r.get("candidate_name")?,
        kind: r.get("kind")?,
        started_by: id(r, "started_by")?,
        level: r.get("level")?,
        topic: r.get("topic")?,
        questions: questions.split_whitespace().map(String::from).collect(),
        position: usize::try_from(position).unwrap_or(0),
        message_id: opt_id(r, "message_id")?,
        status: r.get("status")?,
        started_at: r.get("started_at")?,
        ended_at: r.get("ended_at")?,
    })
}

/// The sessions query of [`Db::sessions_where`] for a condition.
pub(super) fn sessions_sql(condition: &str) -> String {
    format!(
        "SELECT {COLUMNS} FROM interview_sessions s
           JOIN candidates c ON c.guild_id = s.guild_id AND c.id = s.candidate_id
          WHERE {condition} ORDER BY s.started_at, s.id"
    )
}

/// `?1` guild, `?2` candidate.
pub(super) const CANDIDATE_SESSIONS: &str = "s.guild_id = ?1 AND s.candidate_id = ?2";

impl Db<'_> {
    fn sessions_where(
        &self,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Session>, StoreError> {
        self.rows(&sessions_sql(condition), args, session)
    }

    pub fn create_session(&self, s: &NewSession<'_>) -> Result<SessionId, StoreError> {
        self.prep("INSERT INTO interview_sessions
                 (guild_id, channel_id, candidate_id, kind, started_by, level, topic, questions, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")?.execute(params![
                s.guild_id,
                s.channel_id,
                s.candidate_id,
                s.kind,
                s.started_by,
                s.level,
                s.topic,
                s.questions.join(" "),
                s.at_ms
            ],
        )?;
        Ok(SessionId(self.conn.last_insert_rowid()))
    }

    pub fn session(&self, guild_id: GuildId, id: SessionId) -> Result<Option<Session>, StoreError> {
        Ok(self
            .sessions_where("s.guild_id = ?1 AND s.id = ?2", &[&guild_id, &id])?
            .pop())
    }

    /// The guided session open in a channel, if any.
    pub fn open_session_in_channel(
        &self,
        guild_id: GuildId,
        channel_id: ChannelId,
    ) -> Result<Option<Session>, StoreError> {
        Ok(self
            .sessions_where(
                "s.guild_id = ?1 AND s.channel_id = ?2 AND s.status = 'open' AND s.kind = 'guided'",
                &[&guild_id, &channel_id],
            )?
            .pop())
    }

    /// The sessions a `/score` by `interviewer` may go to: the candidate's open guided sessions
    /// and the interviewer's open ad-hoc ones, oldest first, as (id, kind, channel).
    pub fn scoring_sessions(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
        interviewer: UserId,
    ) -> Result<Vec<(SessionId, SessionKind, ChannelId)>, StoreError> {
        self.rows(
            "SELECT id, kind, channel_id FROM interview_sessions
              WHERE guild_id = ?1 AND candidate_id = ?2 AND status = 'open'
                AND (kind = 'guided' OR started_by = ?3)
              ORDER BY started_at, id",
            params![guild_id, candidate_id, interviewer],
            |r| Ok((r.get("id")?, r.get("kind")?, id(r, "channel_id")?)),
        )
    }

    /// How many candidates of the guild have an interview, counting only those whose newest
    /// interview started at or after `since` when it is given.
    pub fn interviewed_candidates(
        &self,
        guild_id: GuildId,
        since: Option<i64>,
    ) -> Result<u64, StoreError> {
        let n: i64 = self
            .prep(LAST_INTERVIEWS_COUNT)?
            .query_row(params![guild_id, since.unwrap_or(i64::MIN)], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The candidates of [`Db::interviewed_candidates`] newest interview first (then newest
    /// candidate), `limit` of them from `offset`: (candidate id, name, start of the newest
    /// interview).
    pub fn last_interviews(
        &self,
        guild_id: GuildId,
        since: Option<i64>,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<(CandidateId, String, i64)>, StoreError> {
        self.rows(
            LAST_INTERVIEWS_PAGE,
            params![
                guild_id,
                since.unwrap_or(i64::MIN),
                i64::try_from(limit).unwrap_or(i64::MAX),
                i64::try_from(offset).unwrap_or(i64::MAX)
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    /// Every session of a candidate, oldest first.
    pub fn candidate_sessions(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
    ) -> Result<Vec<Session>, StoreError> {
        self.sessions_where(CANDIDATE_SESSIONS, &[&guild_id, &candidate_id])
    }

    /// Sessions of every guild still open that started at or before `started_before`.
    pub fn stale_sessions(&self, started_before: i64) -> Result<Vec<Session>, StoreError> {
        self.sessions_where(
            "s.status = 'open' AND s.started_at <= ?1",
            &[&started_before],
        )
    }

    /// Moves a guided session on to question `position` (0-based), if it is still at `from`.
    pub fn advance_session(
        &self,
        guild_id: GuildId,
        id: SessionId,
        from: usize,
        position: usize,
    ) -> Result<bool, StoreError> {
        let n = self
            .prep(
                "UPDATE interview_sessions SET position = ?4
              WHERE guild_id = ?1 AND id = ?2 AND position = ?3 AND status = 'open'",
            )?
            .execute(params![guild_id, id, from as i64, position as i64])?;
        Ok(n == 1)
    }

    pub fn set_session_message(
        &self,
        guild_id: GuildId,
        id: SessionId,
        message_id: MessageId,
    ) -> Result<(), StoreError> {
        self.prep("UPDATE interview_sessions SET message_id = ?3 WHERE guild_id = ?1 AND id = ?2")?
            .execute(params![guild_id, id, message_id])?;
        Ok(())
    }

    /// Closes an open session; false if it was not open.
    pub fn close_session(
        &self,
        guild_id: GuildId,
        id: SessionId,
        status: SessionStatus,
        by: Option<UserId>,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let n = self
            .prep(
                "UPDATE interview_sessions SET status = ?3, ended_by = ?4, ended_at = ?5
              WHERE guild_id = ?1 AND id = ?2 AND status = 'open'",
            )?
            .execute(params![guild_id, id, status, by, at_ms])?;
        Ok(n == 1)
    }
}
