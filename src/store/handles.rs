//! `action_handles`: short stand-ins for button action ids too long for Discord's 100
//! characters.

use rusqlite::{OptionalExtension, params};

use super::{Db, StoreError};
use crate::model::GuildId;

impl Db<'_> {
    /// The handle for `action` in `guild_id`, created if it does not exist yet.
    pub fn action_handle(
        &self,
        guild_id: GuildId,
        action: &str,
        at_ms: i64,
    ) -> Result<i64, StoreError> {
        let guild = guild_id;
        self.prep(
            "INSERT INTO action_handles (guild_id, action, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (guild_id, action) DO NOTHING",
        )?
        .execute(params![guild, action, at_ms])?;
        Ok(self
            .prep("SELECT id FROM action_handles WHERE guild_id = ?1 AND action = ?2")?
            .query_row(params![guild, action], |r| r.get(0))?)
    }

    /// The action behind a handle, if the handle exists in this guild.
    pub fn resolve_handle(
        &self,
        guild_id: GuildId,
        handle: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .prep("SELECT action FROM action_handles WHERE guild_id = ?1 AND id = ?2")?
            .query_row(params![guild_id, handle], |r| r.get(0))
            .optional()?)
    }
}
