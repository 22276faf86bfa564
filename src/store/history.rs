//! `question_history`: which questions a guild has seen, so `/question` avoids repeats.
//!
//! A question is *claimed* before it is sent (status `pending`), in the same transaction that
//! picked it, so two requests at once never pick the same one; it is *confirmed* once the front
//! end delivered it, or *released* if delivery failed.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use super::{Db, StoreError};
use crate::model::{ChannelId, GuildId, MessageId, UserId};

pub use crate::model::Source;

/// One question about to be shown in a channel.
#[derive(Debug, Clone)]
pub struct ShownQuestion<'a> {
    pub guild_id: GuildId,
    pub channel_id: ChannelId,
    pub question_id: &'a str,
    pub shown_by: Option<UserId>,
    pub source: Source,
    pub at_ms: i64,
}

/// How often, and when last, a guild was shown a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShowCount {
    pub times: u32,
    pub last_ms: i64,
}

impl Db<'_> {
    /// Records a question as about to be shown; returns the claim's id for
    /// [`Db::confirm_shown`] or [`Db::release_shown`].
    pub fn claim_shown(&self, shown: &ShownQuestion<'_>) -> Result<i64, StoreError> {
        self.prep(
            "INSERT INTO question_history
                 (guild_id, channel_id, question_id, shown_by, source, shown_at, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending')",
        )?
        .execute(params![
            shown.guild_id,
            shown.channel_id,
            shown.question_id,
            shown.shown_by,
            shown.source,
            shown.at_ms,
        ])?;
        let claim = self.conn.last_insert_rowid();
        self.prep(
            "INSERT INTO question_counts (guild_id, question_id, times, last_shown)
             VALUES (?1, ?2, 1, ?3)
             ON CONFLICT (guild_id, question_id) DO UPDATE SET
                 times = times + 1, last_shown = MAX(last_shown, ?3)",
        )?
        .execute(params![shown.guild_id, shown.question_id, shown.at_ms])?;
        Ok(claim)
    }

    /// The claimed question was delivered (as message `message_id`, when the front end knows it).
    pub fn confirm_shown(
        &self,
        guild_id: GuildId,
        claim: i64,
        message_id: Option<MessageId>,
    ) -> Result<(), StoreError> {
        self.prep(
            "UPDATE question_history SET status = 'shown', message_id = ?3
              WHERE guild_id = ?1 AND id = ?2",
        )?
        .execute(params![guild_id, claim, message_id])?;
        Ok(())
    }

    /// The claimed question never reached anyone: forget the claim (and its count).
    pub fn release_shown(&self, guild_id: GuildId, claim: i64) -> Result<(), StoreError> {
        let guild = guild_id;
        let question: Option<String> = self.prep("DELETE FROM question_history WHERE guild_id = ?1 AND id = ?2 AND status = 'pending'
                 RETURNING question_id")?.query_row(params![guild, claim],
                |r| r.get(0),
            )
            .optional()?;
        let Some(question) = question else {
            return Ok(());
        };
        // One fewer showing; the last one is what is left in the history (an indexed look-up).
        self.prep(
            "UPDATE question_counts SET times = times - 1,
                 last_shown = COALESCE((SELECT MAX(shown_at) FROM question_history
                                         WHERE guild_id = ?1 AND question_id = ?2), 0)
              WHERE guild_id = ?1 AND question_id = ?2 AND times > 1",
        )?
        .execute(params![guild, question])?;
        self.prep("DELETE FROM question_counts WHERE guild_id = ?1 AND question_id = ?2 AND times = 1
               AND NOT EXISTS (SELECT 1 FROM question_history WHERE guild_id = ?1 AND question_id = ?2)")?.execute(params![guild, question],
        )?;
        Ok(())
    }

    /// For every question the guild has been shown or is being shown: how many times and when
    /// last.
    pub fn show_counts(&self, guild_id: GuildId) -> Result<HashMap<String, ShowCount>, StoreError> {
        // One row per question the guild has seen: as cheap with 100,000 rows of history as
        // with none.
        let mut stmt = self.prep(
            "SELECT question_id, times, last_shown FROM question_counts WHERE guild_id = ?1",
        )?;
        let rows = stmt.query_map([guild_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                ShowCount {
                    times: r.get(1)?,
                    last_ms: r.get(2)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Marks the "Another question" button of a claimed question as used; false if it was
    /// used already (or the claim is not this guild's).
    pub fn use_next(&self, guild_id: GuildId, claim: i64, at_ms: i64) -> Result<bool, StoreError> {
        let changed = self
            .prep(
                "UPDATE question_history SET next_used_at = ?3
              WHERE guild_id = ?1 AND id = ?2 AND next_used_at IS NULL",
            )?
            .execute(params![guild_id, claim, at_ms])?;
        Ok(changed == 1)
    }

    /// The questions last shown in a channel, newest first, each once.
    pub fn recent_in_channel(
        &self,
        guild_id: GuildId,
        channel_id: ChannelId,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.prep(
            "SELECT question_id FROM question_history
              WHERE guild_id = ?1 AND channel_id = ?2
              GROUP BY question_id ORDER BY MAX(shown_at) DESC, MAX(id) DESC LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![guild_id, channel_id, limit as i64], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every row of the guild's history, oldest first, for tests and diagnostics: (question id,
    /// status, message id).
    pub fn history(
        &self,
        guild_id: GuildId,
    ) -> Result<Vec<(String, String, Option<i64>)>, StoreError> {
        let mut stmt = self.prep(
            "SELECT question_id, status, message_id FROM question_history
              WHERE guild_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([guild_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
