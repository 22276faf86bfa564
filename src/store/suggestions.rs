//! `suggestions` and `guild_settings.suggestions`: members' question suggestions, and whether
//! a server takes them.

use rusqlite::params;

use super::settings::Setting;
use super::types::id;
use super::{Db, StoreError};
use crate::model::{GuildId, Level, PackId, SuggestionStatus, UserId};

/// A suggestion as a member wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSuggestion<'a> {
    pub guild_id: GuildId,
    pub author_id: UserId,
    pub level: Level,
    pub topic: &'a str,
    pub prompt: &'a str,
    pub look_fors: &'a [String],
    pub red_flag: Option<&'a str>,
    pub at_ms: i64,
}

/// A stored suggestion, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub id: i64,
    pub author_id: UserId,
    pub level: Level,
    pub topic: String,
    pub prompt: String,
    pub look_fors: Vec<String>,
    pub red_flag: Option<String>,
    pub status: SuggestionStatus,
    pub created_at: i64,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
    pub pack_id: Option<PackId>,
    pub question_id: Option<String>,
}

/// How a suggestion was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision<'a> {
    Approved { pack: &'a PackId, question: &'a str },
    Rejected { reason: &'a str },
}

const COLUMNS: &str =
    "id, author_id, level, topic, prompt, look_fors, red_flag, status, created_at,
     decided_by, decided_at, reason, pack_id, question_id";

fn suggestion(r: &rusqlite::Row<'_>) -> Result<Suggestion, StoreError> {
    let look_fors: String = r.get("look_fors")?;
    let decided_by: Option<i64> = r.get("decided_by")?;
    Ok(Suggestion {
        id: r.get("id")?,
        author_id: id(r, "author_id")?,
        level: r.get("level")?,
        topic: r.get("topic")?,
        prompt: r.get("prompt")?,
        look_fors: look_fors.lines().map(String::from).collect(),
        red_flag: r.get("red_flag")?,
        status: r.get("status")?,
        created_at: r.get("created_at")?,
        decided_by: match decided_by {
            Some(_) => Some(id(r, "decided_by")?),
            None => None,
        },
        decided_at: r.get("decided_at")?,
        reason: r.get("reason")?,
        pack_id: r.get("pack_id")?,
        question_id: r.get("question_id")?,
    })
}

impl Db<'_> {
    /// Whether the server takes suggestions (not unless a manager allowed them).
    pub fn suggestions_allowed(&self, guild_id: GuildId) -> Result<bool, StoreError> {
        Ok(self
            .setting::<bool>(guild_id, Setting::Suggestions)?
            .unwrap_or(false))
    }

    pub fn set_suggestions_allowed(
        &self,
        guild_id: GuildId,
        allowed: bool,
        by: UserId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.set_setting(guild_id, Setting::Suggestions, &allowed, by, at_ms)
    }

    /// Stores a suggestion, open; its id.
    pub fn add_suggestion(&self, s: &NewSuggestion<'_>) -> Result<i64, StoreError> {
        self.prep(
            "INSERT INTO suggestions
                 (guild_id, author_id, level, topic, prompt, look_fors, red_flag, status, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8)",
        )?
        .execute(params![
            s.guild_id,
            s.author_id,
            s.level,
            s.topic,
            s.prompt,
            s.look_fors.join("\n"),
            s.red_flag,
            s.at_ms
        ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// How many of a member's suggestions wait for review.
    pub fn open_suggestions_of(
        &self,
        guild_id: GuildId,
        author_id: UserId,
    ) -> Result<usize, StoreError> {
        let n: i64 = self
            .prep(
                "SELECT count(*) FROM suggestions
                 WHERE guild_id = ?1 AND author_id = ?2 AND status = 'open'",
            )?
            .query_row(params![guild_id, author_id], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// A member's suggestions, newest first, at most `limit`.
    pub fn suggestions_of(
        &self,
        guild_id: GuildId,
        author_id: UserId,
        limit: usize,
    ) -> Result<Vec<Suggestion>, StoreError> {
        self.rows(
            &format!(
                "SELECT {COLUMNS} FROM suggestions WHERE guild_id = ?1 AND author_id = ?2
                 ORDER BY id DESC LIMIT ?3"
            ),
            params![guild_id, author_id, limit as i64],
            suggestion,
        )
    }

    /// The suggestions waiting for review, oldest first, at most `limit`, and how many wait.
    pub fn open_suggestions(
        &self,
        guild_id: GuildId,
        limit: usize,
    ) -> Result<(Vec<Suggestion>, usize), StoreError> {
        let rows = self.rows(
            &format!(
                "SELECT {COLUMNS} FROM suggestions WHERE guild_id = ?1 AND status = 'open'
                 ORDER BY id LIMIT ?2"
            ),
            params![guild_id, limit as i64],
            suggestion,
        )?;
        let n: i64 = self
            .prep("SELECT count(*) FROM suggestions WHERE guild_id = ?1 AND status = 'open'")?
            .query_row(params![guild_id], |r| r.get(0))?;
        Ok((rows, usize::try_from(n).unwrap_or(0)))
    }

    /// One suggestion of the server.
    pub fn suggestion(&self, guild_id: GuildId, id: i64) -> Result<Option<Suggestion>, StoreError> {
        Ok(self
            .rows(
                &format!("SELECT {COLUMNS} FROM suggestions WHERE guild_id = ?1 AND id = ?2"),
                params![guild_id, id],
                suggestion,
            )?
            .into_iter()
            .next())
    }

    /// Decides an open suggestion; `false` when it was decided already (or is not there).
    pub fn decide_suggestion(
        &self,
        guild_id: GuildId,
        id: i64,
        decision: &Decision<'_>,
        by: UserId,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let (status, reason, pack, question) = match decision {
            Decision::Approved { pack, question } => (
                SuggestionStatus::Approved,
                None,
                Some(*pack),
                Some(*question),
            ),
            Decision::Rejected { reason } => {
                (SuggestionStatus::Rejected, Some(*reason), None, None)
            }
        };
        Ok(self
            .prep(
                "UPDATE suggestions SET status = ?3, decided_by = ?4, decided_at = ?5,
                     reason = ?6, pack_id = ?7, question_id = ?8
                 WHERE guild_id = ?1 AND id = ?2 AND status = 'open'",
            )?
            .execute(params![
                guild_id, id, status, by, at_ms, reason, pack, question
            ])?
            > 0)
    }
}
