//! `guild_settings`: per-server settings.

use rusqlite::{OptionalExtension, params};

use super::{Db, StoreError, discord_id, sql_id};

impl Db<'_> {
    /// The role whose members count as interviewers, if one is set.
    pub fn interviewer_role(&self, guild_id: u64) -> Result<Option<u64>, StoreError> {
        let raw: Option<Option<i64>> = self
            .prep("SELECT interviewer_role_id FROM guild_settings WHERE guild_id = ?1")?
            .query_row(params![sql_id(guild_id)?], |r| r.get(0))
            .optional()?;
        raw.flatten().map(discord_id).transpose()
    }

    /// Sets (or clears) the interviewer role.
    pub fn set_interviewer_role(
        &self,
        guild_id: u64,
        role_id: Option<u64>,
        by: u64,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.prep(
            "INSERT INTO guild_settings (guild_id, interviewer_role_id, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (guild_id) DO UPDATE SET interviewer_role_id = ?2,
                 updated_by = ?3, updated_at = ?4",
        )?
        .execute(params![
            sql_id(guild_id)?,
            role_id.map(sql_id).transpose()?,
            sql_id(by)?,
            at_ms
        ])?;
        Ok(())
    }
}
