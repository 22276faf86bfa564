//! `rubric_access` and the guild's time zone (`guild_settings.timezone`): what `/config` sets
//! beside the interviewer role.

use rusqlite::{OptionalExtension, params};

use super::{Db, StoreError, discord_id, sql_id};

impl Db<'_> {
    /// Who may open rubrics in a channel: the channel's own setting, and the guild's default
    /// (`everyone` or `interviewers`), each if set.
    pub fn rubric_access(
        &self,
        guild_id: u64,
        channel_id: u64,
    ) -> Result<(Option<String>, Option<String>), StoreError> {
        let get = |channel: u64| -> Result<Option<String>, StoreError> {
            Ok(self
                .prep("SELECT access FROM rubric_access WHERE guild_id = ?1 AND channel_id = ?2")?
                .query_row(params![sql_id(guild_id)?, sql_id(channel)?], |r| r.get(0))
                .optional()?)
        };
        let channel = if channel_id == 0 {
            None
        } else {
            get(channel_id)?
        };
        Ok((channel, get(0)?))
    }

    /// Sets the rubric access of a channel, or of the guild with `channel_id` 0.
    pub fn set_rubric_access(
        &self,
        guild_id: u64,
        channel_id: u64,
        access: &str,
        by: u64,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.prep("INSERT INTO rubric_access (guild_id, channel_id, access, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (guild_id, channel_id) DO UPDATE SET access = ?3, updated_by = ?4, updated_at = ?5")?.execute(params![sql_id(guild_id)?, sql_id(channel_id)?, access, sql_id(by)?, at_ms],
        )?;
        Ok(())
    }

    /// Every rubric access setting of the guild: (channel, access), the default (0) first.
    pub fn rubric_settings(&self, guild_id: u64) -> Result<Vec<(u64, String)>, StoreError> {
        let mut stmt = self.prep(
            "SELECT channel_id, access FROM rubric_access WHERE guild_id = ?1 ORDER BY channel_id",
        )?;
        let rows = stmt.query_map(params![sql_id(guild_id)?], |r| {
            Ok((r.get::<_, i64>(0)?, r.get(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (c, a) = row?;
            out.push((discord_id(c)?, a));
        }
        Ok(out)
    }

    /// The guild's default time zone (an IANA name), if set.
    pub fn guild_timezone(&self, guild_id: u64) -> Result<Option<String>, StoreError> {
        let raw: Option<Option<String>> = self
            .prep("SELECT timezone FROM guild_settings WHERE guild_id = ?1")?
            .query_row(params![sql_id(guild_id)?], |r| r.get(0))
            .optional()?;
        Ok(raw.flatten())
    }

    pub fn set_guild_timezone(
        &self,
        guild_id: u64,
        zone: &str,
        by: u64,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.prep(
            "INSERT INTO guild_settings (guild_id, timezone, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (guild_id) DO UPDATE SET timezone = ?2, updated_by = ?3, updated_at = ?4",
        )?
        .execute(params![sql_id(guild_id)?, zone, sql_id(by)?, at_ms])?;
        Ok(())
    }
}
