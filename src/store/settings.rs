//! `guild_settings`: per-server settings, one column per setting, each read and set the same
//! way ([`Db::setting`], [`Db::set_setting`]).

use rusqlite::types::FromSql;
use rusqlite::{OptionalExtension, ToSql, params};

use super::{Db, StoreError};
use crate::model::{GuildId, RoleId, UserId};

/// A column of `guild_settings` that one command sets.
#[derive(Debug, Clone, Copy)]
pub(super) enum Setting {
    InterviewerRole,
    Timezone,
    Suggestions,
}

impl Setting {
    const fn column(self) -> &'static str {
        match self {
            Setting::InterviewerRole => "interviewer_role_id",
            Setting::Timezone => "timezone",
            Setting::Suggestions => "suggestions",
        }
    }
}

impl Db<'_> {
    /// A guild's setting, if it was set.
    pub(super) fn setting<T: FromSql>(
        &self,
        guild_id: GuildId,
        setting: Setting,
    ) -> Result<Option<T>, StoreError> {
        let sql = format!(
            "SELECT {} FROM guild_settings WHERE guild_id = ?1",
            setting.column()
        );
        let raw: Option<Option<T>> = self
            .prep(&sql)?
            .query_row(params![guild_id], |r| r.get(0))
            .optional()?;
        Ok(raw.flatten())
    }

    /// Sets (or clears, with a NULL `value`) a guild's setting, recording by whom and when.
    pub(super) fn set_setting(
        &self,
        guild_id: GuildId,
        setting: Setting,
        value: &dyn ToSql,
        by: UserId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let column = setting.column();
        let sql = format!(
            "INSERT INTO guild_settings (guild_id, {column}, updated_by, updated_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (guild_id) DO UPDATE SET {column} = ?2,
                 updated_by = ?3, updated_at = ?4"
        );
        self.prep(&sql)?
            .execute(params![guild_id, value, by, at_ms])?;
        Ok(())
    }

    /// The role whose members count as interviewers, if one is set.
    pub fn interviewer_role(&self, guild_id: GuildId) -> Result<Option<RoleId>, StoreError> {
        self.setting::<RoleId>(guild_id, Setting::InterviewerRole)
    }

    /// Sets (or clears) the interviewer role.
    pub fn set_interviewer_role(
        &self,
        guild_id: GuildId,
        role_id: Option<RoleId>,
        by: UserId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        let role = role_id;
        self.set_setting(guild_id, Setting::InterviewerRole, &role, by, at_ms)
    }
}
