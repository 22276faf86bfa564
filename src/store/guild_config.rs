//! `rubric_access` and the guild's time zone (`guild_settings.timezone`): what `/config` sets
//! beside the interviewer role.
//!
//! In `rubric_access` the guild's own setting is kept under `channel_id` 0 (the column is NOT
//! NULL); at this module's API it is the channel `None`.

use rusqlite::{OptionalExtension, params};

use super::settings::Setting;
use super::{Db, StoreError, discord_id, sql_id};
use crate::model::{ChannelId, GuildId, RubricAccess, UserId};

/// The `channel_id` of a rubric access setting: 0 for the whole guild.
fn access_channel(channel_id: Option<ChannelId>) -> Result<i64, StoreError> {
    channel_id.map_or(Ok(0), sql_id)
}

impl Db<'_> {
    /// Who may open rubrics in a channel: the channel's own setting (none for channel 0, which
    /// is no channel), and the guild's, each if set.
    pub fn rubric_access(
        &self,
        guild_id: GuildId,
        channel_id: ChannelId,
    ) -> Result<(Option<RubricAccess>, Option<RubricAccess>), StoreError> {
        let get = |channel: Option<ChannelId>| -> Result<Option<RubricAccess>, StoreError> {
            Ok(self
                .prep("SELECT access FROM rubric_access WHERE guild_id = ?1 AND channel_id = ?2")?
                .query_row(params![guild_id, access_channel(channel)?], |r| r.get(0))
                .optional()?)
        };
        let channel = match channel_id {
            ChannelId(0) => None,
            c => get(Some(c))?,
        };
        Ok((channel, get(None)?))
    }

    /// Sets the rubric access of a channel, or with `None` of the whole guild.
    pub fn set_rubric_access(
        &self,
        guild_id: GuildId,
        channel_id: Option<ChannelId>,
        access: RubricAccess,
        by: UserId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.prep(
            "INSERT INTO rubric_access (guild_id, channel_id, access, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (guild_id, channel_id) DO UPDATE SET
                 access = ?3, updated_by = ?4, updated_at = ?5",
        )?
        .execute(params![
            guild_id,
            access_channel(channel_id)?,
            access,
            by,
            at_ms
        ])?;
        Ok(())
    }

    /// Every rubric access setting of the guild: (channel, access), the guild's own (`None`)
    /// first, then by channel.
    pub fn rubric_settings(
        &self,
        guild_id: GuildId,
    ) -> Result<Vec<(Option<u64>, RubricAccess)>, StoreError> {
        let mut stmt = self.prep(
            "SELECT channel_id, access FROM rubric_access WHERE guild_id = ?1 ORDER BY channel_id",
        )?;
        let rows = stmt.query_map(params![guild_id], |r| {
            Ok((r.get::<_, i64>("channel_id")?, r.get("access")?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (c, a) = row?;
            let channel = match c {
                0 => None,
                c => Some(discord_id(c)?),
            };
            out.push((channel, a));
        }
        Ok(out)
    }

    /// The guild's default time zone (an IANA name), if set.
    pub fn guild_timezone(&self, guild_id: GuildId) -> Result<Option<String>, StoreError> {
        self.setting(guild_id, Setting::Timezone)
    }

    pub fn set_guild_timezone(
        &self,
        guild_id: GuildId,
        zone: &str,
        by: UserId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.set_setting(guild_id, Setting::Timezone, &zone, by, at_ms)
    }
}
