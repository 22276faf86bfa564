//! `pack_switches`: which question packs a server has switched off (or back on). A pack with no
//! row is on. Only the switch lives here; the packs themselves come from the bank.

use std::collections::BTreeSet;

use rusqlite::params;

use super::types::id;
use super::{Db, StoreError};
use crate::model::{GuildId, PackId, UserId};

/// One pack's switch in one server: who last changed it, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackSwitch {
    pub pack_id: PackId,
    pub enabled: bool,
    pub changed_by: UserId,
    pub changed_at: i64,
}

impl Db<'_> {
    /// The packs this server has switched off.
    pub fn packs_off(&self, guild_id: GuildId) -> Result<BTreeSet<PackId>, StoreError> {
        let rows = self.rows(
            "SELECT pack_id FROM pack_switches WHERE guild_id = ?1 AND enabled = 0",
            params![guild_id],
            |r| Ok(r.get("pack_id")?),
        )?;
        Ok(rows.into_iter().collect())
    }

    /// Every switch this server has set, in pack order.
    pub fn pack_switches(&self, guild_id: GuildId) -> Result<Vec<PackSwitch>, StoreError> {
        self.rows(
            "SELECT pack_id, enabled, changed_by, changed_at FROM pack_switches
             WHERE guild_id = ?1 ORDER BY pack_id",
            params![guild_id],
            |r| {
                Ok(PackSwitch {
                    pack_id: r.get("pack_id")?,
                    enabled: r.get("enabled")?,
                    changed_by: id(r, "changed_by")?,
                    changed_at: r.get("changed_at")?,
                })
            },
        )
    }

    /// Switches a pack on or off in this server.
    pub fn set_pack_enabled(
        &self,
        guild_id: GuildId,
        pack_id: &PackId,
        enabled: bool,
        by: UserId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.prep(
            "INSERT INTO pack_switches (guild_id, pack_id, enabled, changed_by, changed_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (guild_id, pack_id) DO UPDATE SET
                 enabled = ?3, changed_by = ?4, changed_at = ?5",
        )?
        .execute(params![guild_id, pack_id, enabled, by, at_ms])?;
        // A cached view of the server's packs holds its switches too.
        self.bump_team_pack_version(guild_id)?;
        Ok(())
    }
}
