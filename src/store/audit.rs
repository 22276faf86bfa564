//! `audit_log`, and deleting a candidate with everything recorded about them.

use rusqlite::params;

use super::types::id;
use super::{Db, StoreError};
use crate::model::{CandidateId, GuildId, UserId};

/// The actions the audit trail records, as stored in `audit_log.action`.
pub mod action {
    /// `/config interviewer-role`: subject the role id.
    pub const INTERVIEWER_ROLE: &str = "config-interviewer-role";
    /// `/config rubric-access`: subject the channel id (empty for the server), detail the access.
    pub const RUBRIC_ACCESS: &str = "config-rubric-access";
    /// `/config timezone`: detail the zone.
    pub const TIMEZONE: &str = "config-timezone";
    /// `/daily set`: subject the channel id, detail the schedule.
    pub const DAILY_SET: &str = "daily-set";
    /// `/daily off`: subject the channel id.
    pub const DAILY_OFF: &str = "daily-off";
    /// `/scores forget`: only that a candidate was deleted, and how much.
    pub const CANDIDATE_DELETED: &str = "candidate-deleted";
    /// `/scores export`: detail how many rows (scores) of how many candidates the file held.
    pub const SCORES_EXPORTED: &str = "scores-exported";
    /// `/pack on`: subject the pack id.
    pub const PACK_ON: &str = "pack-on";
    /// `/pack off`: subject the pack id.
    pub const PACK_OFF: &str = "pack-off";
    /// `/pack export`: subject the pack id.
    pub const PACK_EXPORTED: &str = "pack-exported";
    /// `/pack import` (Import pressed): subject the pack id, detail what changed.
    pub const PACK_IMPORTED: &str = "pack-imported";
    /// `/pack remove` (confirmed): subject the pack id, detail what was kept.
    pub const PACK_REMOVED: &str = "pack-removed";
    /// `/config suggestions`: detail `on` or `off`.
    pub const SUGGESTIONS: &str = "config-suggestions";
    /// A suggestion approved: subject its number, detail the pack and question id.
    pub const SUGGESTION_APPROVED: &str = "suggestion-approved";
    /// A suggestion rejected: subject its number.
    pub const SUGGESTION_REJECTED: &str = "suggestion-rejected";
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor_id: UserId,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub at: i64,
}

/// How much a candidate has recorded (what `forget` would delete).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CandidateFootprint {
    pub scores: u64,
    pub notes: u64,
    pub sessions: u64,
    pub recommendations: u64,
    pub messages: u64,
}

impl Db<'_> {
    pub fn audit(
        &self,
        guild_id: GuildId,
        actor_id: UserId,
        action: &str,
        subject: &str,
        detail: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.prep(
            "INSERT INTO audit_log (guild_id, actor_id, action, subject, detail, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![guild_id, actor_id, action, subject, detail, at_ms])?;
        Ok(())
    }

    pub fn audit_entries(&self, guild_id: GuildId) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_query("ORDER BY id", params![guild_id])
    }

    /// The guild's newest `limit` entries, newest first.
    pub fn audit_recent(
        &self,
        guild_id: GuildId,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_query(
            "ORDER BY at DESC, id DESC LIMIT ?2",
            params![guild_id, limit],
        )
    }

    /// A guild's entries (`?1`), ordered and limited by `tail`.
    fn audit_query(
        &self,
        tail: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!(
            "SELECT actor_id, action, subject, detail, at FROM audit_log WHERE guild_id = ?1 {tail}"
        );
        self.rows(&sql, params, |r| {
            Ok(AuditEntry {
                actor_id: id(r, "actor_id")?,
                action: r.get("action")?,
                subject: r.get("subject")?,
                detail: r.get("detail")?,
                at: r.get("at")?,
            })
        })
    }

    pub fn candidate_footprint(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
    ) -> Result<CandidateFootprint, StoreError> {
        let guild = guild_id;
        // The candidate's rows in `table` (that also match `and`).
        let count = |table: &str, and: &str| -> Result<u64, StoreError> {
            let sql = format!(
                "SELECT COUNT(*) FROM {table} WHERE guild_id = ?1 AND candidate_id = ?2{and}"
            );
            let n: i64 = self
                .prep(&sql)?
                .query_row(params![guild, candidate_id], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(CandidateFootprint {
            scores: count("scores", " AND rating IS NOT NULL")?,
            notes: count("scores", " AND notes <> ''")?,
            sessions: count("interview_sessions", "")?,
            recommendations: count("recommendations", "")?,
            messages: count("candidate_messages", "")?,
        })
    }

    /// Deletes the candidate and, through the foreign keys, every score, note, history entry,
    /// session, recommendation and remembered message of theirs in the guild. Returns whether
    /// the candidate existed. The caller writes the audit entry in the same transaction.
    pub fn delete_candidate(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
    ) -> Result<bool, StoreError> {
        let guild = guild_id;
        // Scores and history first (they reference sessions too), then the candidate.
        for sql in [
            "DELETE FROM score_history WHERE guild_id = ?1 AND candidate_id = ?2",
            "DELETE FROM scores WHERE guild_id = ?1 AND candidate_id = ?2",
            "DELETE FROM recommendations WHERE guild_id = ?1 AND candidate_id = ?2",
            "DELETE FROM candidate_messages WHERE guild_id = ?1 AND candidate_id = ?2",
            "DELETE FROM interview_sessions WHERE guild_id = ?1 AND candidate_id = ?2",
        ] {
            self.prep(sql)?.execute(params![guild, candidate_id])?;
        }
        let n = self
            .prep("DELETE FROM candidates WHERE guild_id = ?1 AND id = ?2")?
            .execute(params![guild, candidate_id])?;
        Ok(n == 1)
    }
}
