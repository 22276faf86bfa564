//! `interview_sessions`: guided interviews in a channel, and the ad-hoc interviews that group
//! an interviewer's `/score`s.

use rusqlite::{Row, params};

use super::{Db, StoreError, discord_id, sql_id};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// `/interview start`: questions in turn on one bot message.
    Guided,
    /// `/score` outside a guided session.
    Adhoc,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Guided => "guided",
            SessionKind::Adhoc => "adhoc",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStatus {
    Open,
    /// Closed with `/interview end`.
    Ended,
    /// Closed by the scheduler after being open too long.
    Expired,
}

impl SessionStatus {
    fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Open => "open",
            SessionStatus::Ended => "ended",
            SessionStatus::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub guild_id: u64,
    pub channel_id: u64,
    pub candidate_id: i64,
    pub candidate_name: String,
    pub kind: SessionKind,
    pub started_by: u64,
    pub level: Option<String>,
    pub topic: Option<String>,
    pub questions: Vec<String>,
    pub position: usize,
    pub message_id: Option<u64>,
    pub status: SessionStatus,
    pub started_at: i64,
    pub ended_at: Option<i64>,
}

/// A session about to be opened.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub guild_id: u64,
    pub channel_id: u64,
    pub candidate_id: i64,
    pub kind: SessionKind,
    pub started_by: u64,
    pub level: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub questions: &'a [String],
    pub at_ms: i64,
}

const COLUMNS: &str =
    "s.id, s.guild_id, s.channel_id, s.candidate_id, c.name, s.kind, s.started_by,
    s.level, s.topic, s.questions, s.position, s.message_id, s.status, s.started_at, s.ended_at";

fn session(r: &Row<'_>) -> rusqlite::Result<(Session, i64, i64, i64, Option<i64>)> {
    let kind: String = r.get(5)?;
    let status: String = r.get(12)?;
    let questions: String = r.get(9)?;
    let position: i64 = r.get(10)?;
    Ok((
        Session {
            id: r.get(0)?,
            guild_id: 0,
            channel_id: 0,
            candidate_id: r.get(3)?,
            candidate_name: r.get(4)?,
            kind: if kind == "guided" {
                SessionKind::Guided
            } else {
                SessionKind::Adhoc
            },
            started_by: 0,
            level: r.get(7)?,
            topic: r.get(8)?,
            questions: questions.split_whitespace().map(String::from).collect(),
            position: usize::try_from(position).unwrap_or(0),
            message_id: None,
            status: match status.as_str() {
                "open" => SessionStatus::Open,
                "ended" => SessionStatus::Ended,
                _ => SessionStatus::Expired,
            },
            started_at: r.get(13)?,
            ended_at: r.get(14)?,
        },
        r.get(1)?,
        r.get(2)?,
        r.get(6)?,
        r.get(11)?,
    ))
}

fn finish(raw: (Session, i64, i64, i64, Option<i64>)) -> Result<Session, StoreError> {
    let (mut s, guild, channel, by, message) = raw;
    s.guild_id = discord_id(guild)?;
    s.channel_id = discord_id(channel)?;
    s.started_by = discord_id(by)?;
    s.message_id = message.map(discord_id).transpose()?;
    Ok(s)
}

impl Db<'_> {
    fn sessions_where(
        &self,
        condition: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Session>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM interview_sessions s
               JOIN candidates c ON c.guild_id = s.guild_id AND c.id = s.candidate_id
              WHERE {condition} ORDER BY s.started_at, s.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(args, session)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(finish(row?)?);
        }
        Ok(out)
    }

    pub fn create_session(&self, s: &NewSession<'_>) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO interview_sessions
                 (guild_id, channel_id, candidate_id, kind, started_by, level, topic, questions, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                sql_id(s.guild_id)?,
                sql_id(s.channel_id)?,
                s.candidate_id,
                s.kind.as_str(),
                sql_id(s.started_by)?,
                s.level,
                s.topic,
                s.questions.join(" "),
                s.at_ms
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn session(&self, guild_id: u64, id: i64) -> Result<Option<Session>, StoreError> {
        Ok(self
            .sessions_where("s.guild_id = ?1 AND s.id = ?2", &[&sql_id(guild_id)?, &id])?
            .pop())
    }

    /// The guided session open in a channel, if any.
    pub fn open_session_in_channel(
        &self,
        guild_id: u64,
        channel_id: u64,
    ) -> Result<Option<Session>, StoreError> {
        Ok(self
            .sessions_where(
                "s.guild_id = ?1 AND s.channel_id = ?2 AND s.status = 'open' AND s.kind = 'guided'",
                &[&sql_id(guild_id)?, &sql_id(channel_id)?],
            )?
            .pop())
    }

    /// The open guided sessions of a candidate in the guild, oldest first.
    pub fn open_guided_sessions(
        &self,
        guild_id: u64,
        candidate_id: i64,
    ) -> Result<Vec<Session>, StoreError> {
        self.sessions_where(
            "s.guild_id = ?1 AND s.candidate_id = ?2 AND s.status = 'open' AND s.kind = 'guided'",
            &[&sql_id(guild_id)?, &candidate_id],
        )
    }

    /// The interviewer's open ad-hoc interview of a candidate, if any.
    pub fn open_adhoc_session(
        &self,
        guild_id: u64,
        candidate_id: i64,
        interviewer: u64,
    ) -> Result<Option<Session>, StoreError> {
        Ok(self
            .sessions_where(
                "s.guild_id = ?1 AND s.candidate_id = ?2 AND s.status = 'open' AND s.kind = 'adhoc'
                 AND s.started_by = ?3",
                &[&sql_id(guild_id)?, &candidate_id, &sql_id(interviewer)?],
            )?
            .pop())
    }

    /// Every session of a candidate, oldest first.
    pub fn candidate_sessions(
        &self,
        guild_id: u64,
        candidate_id: i64,
    ) -> Result<Vec<Session>, StoreError> {
        self.sessions_where(
            "s.guild_id = ?1 AND s.candidate_id = ?2",
            &[&sql_id(guild_id)?, &candidate_id],
        )
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
        guild_id: u64,
        id: i64,
        from: usize,
        position: usize,
    ) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE interview_sessions SET position = ?4
              WHERE guild_id = ?1 AND id = ?2 AND position = ?3 AND status = 'open'",
            params![sql_id(guild_id)?, id, from as i64, position as i64],
        )?;
        Ok(n == 1)
    }

    pub fn set_session_message(
        &self,
        guild_id: u64,
        id: i64,
        message_id: u64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE interview_sessions SET message_id = ?3 WHERE guild_id = ?1 AND id = ?2",
            params![sql_id(guild_id)?, id, sql_id(message_id)?],
        )?;
        Ok(())
    }

    /// Closes an open session; false if it was not open.
    pub fn close_session(
        &self,
        guild_id: u64,
        id: i64,
        status: SessionStatus,
        by: Option<u64>,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE interview_sessions SET status = ?3, ended_by = ?4, ended_at = ?5
              WHERE guild_id = ?1 AND id = ?2 AND status = 'open'",
            params![
                sql_id(guild_id)?,
                id,
                status.as_str(),
                by.map(sql_id).transpose()?,
                at_ms
            ],
        )?;
        Ok(n == 1)
    }
}
