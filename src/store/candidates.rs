//! `candidates`, `candidate_messages`: the people interviewed, named per guild, and the bot's
//! public messages that show them.

use rusqlite::{OptionalExtension, Row, params};

use super::types::id;
use super::{Db, StoreError};
use crate::model::{CandidateId, ChannelId, GuildId, MessageId, UserId};
use crate::text::name_key;

/// A candidate of one guild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: CandidateId,
    /// Exactly as first given (trimmed).
    pub name: String,
    pub created_at: i64,
}

/// `?1` guild, `?2` case-folded name.
pub(super) const CANDIDATE_BY_KEY: &str =
    "SELECT id, name, created_at FROM candidates WHERE guild_id = ?1 AND name_key = ?2";

/// A row of `id, name, created_at` from `candidates`.
fn candidate(r: &Row<'_>) -> rusqlite::Result<Candidate> {
    Ok(Candidate {
        id: r.get("id")?,
        name: r.get("name")?,
        created_at: r.get("created_at")?,
    })
}

impl Db<'_> {
    /// The candidate whose case-folded name is `key`, if the guild has one.
    pub fn candidate_by_key(
        &self,
        guild_id: GuildId,
        key: &str,
    ) -> Result<Option<Candidate>, StoreError> {
        Ok(self
            .prep(CANDIDATE_BY_KEY)?
            .query_row(params![guild_id, key], candidate)
            .optional()?)
    }

    /// A candidate stored before names were normalised (under its name trimmed and
    /// lower-cased as typed, not [`name_key`]) whose stored key normalises to `key`, with the
    /// key it was stored under; the oldest if several do. Read only when no candidate has
    /// `key` itself: it reads the guild's candidates.
    pub fn legacy_candidate(
        &self,
        guild_id: GuildId,
        key: &str,
    ) -> Result<Option<(Candidate, String)>, StoreError> {
        let rows = self.rows(
            "SELECT id, name, created_at, name_key FROM candidates WHERE guild_id = ?1 ORDER BY id",
            params![guild_id],
            |r| Ok((candidate(r)?, r.get::<_, String>("name_key")?)),
        )?;
        Ok(rows
            .into_iter()
            .find(|(_, stored)| stored != key && name_key(stored) == key))
    }

    /// The candidate named `key` (case-folded), created as `name` if the guild has none yet,
    /// and whether the candidate was added now (and so has no sessions or scores yet). A
    /// candidate stored before names were normalised whose key normalises to `key`
    /// ([`Db::legacy_candidate`]) is that candidate: it is re-keyed to `key` here, the one
    /// place keys change, so it is never added a second time.
    pub fn find_or_add_candidate(
        &self,
        guild_id: GuildId,
        name: &str,
        key: &str,
        by: UserId,
        at_ms: i64,
    ) -> Result<(Candidate, bool), StoreError> {
        if let Some(c) = self.candidate_by_key(guild_id, key)? {
            return Ok((c, false));
        }
        if let Some((c, _)) = self.legacy_candidate(guild_id, key)? {
            self.prep("UPDATE candidates SET name_key = ?3 WHERE guild_id = ?1 AND id = ?2")?
                .execute(params![guild_id, c.id, key])?;
            return Ok((c, false));
        }
        self.prep(
            "INSERT INTO candidates (guild_id, name, name_key, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![guild_id, name, key, by, at_ms])?;
        Ok((
            Candidate {
                id: CandidateId(self.conn.last_insert_rowid()),
                name: name.to_string(),
                created_at: at_ms,
            },
            true,
        ))
    }

    /// The guild's candidates, newest first, at most `limit`: (name, case-folded name).
    pub fn candidate_names(
        &self,
        guild_id: GuildId,
        limit: usize,
    ) -> Result<Vec<(String, String)>, StoreError> {
        self.rows(
            "SELECT name, name_key FROM candidates WHERE guild_id = ?1 ORDER BY id DESC LIMIT ?2",
            params![guild_id, limit as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Every candidate of the guild, by id.
    pub fn candidates(&self, guild_id: GuildId) -> Result<Vec<Candidate>, StoreError> {
        self.rows(
            "SELECT id, name, created_at FROM candidates WHERE guild_id = ?1 ORDER BY id",
            params![guild_id],
            |r| Ok(candidate(r)?),
        )
    }

    /// Remembers a public bot message that shows the candidate.
    pub fn remember_candidate_message(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
        channel_id: ChannelId,
        message_id: MessageId,
    ) -> Result<(), StoreError> {
        self.prep(
            "INSERT INTO candidate_messages (guild_id, candidate_id, channel_id, message_id)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (guild_id, message_id) DO NOTHING",
        )?
        .execute(params![guild_id, candidate_id, channel_id, message_id])?;
        Ok(())
    }

    /// The public bot messages that show the candidate: (channel, message).
    pub fn candidate_messages(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
    ) -> Result<Vec<(ChannelId, MessageId)>, StoreError> {
        self.rows(
            "SELECT channel_id, message_id FROM candidate_messages
              WHERE guild_id = ?1 AND candidate_id = ?2 ORDER BY message_id",
            params![guild_id, candidate_id],
            |r| Ok((id(r, "channel_id")?, id(r, "message_id")?)),
        )
    }
}
