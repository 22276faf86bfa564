//! `question_history`: which questions a guild has seen, so `/question` avoids repeats.

use std::collections::HashMap;

use rusqlite::params;

use super::{Store, StoreError};

/// What made the bot show a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Command,
    Daily,
    Session,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Command => "command",
            Source::Daily => "daily",
            Source::Session => "session",
        }
    }
}

/// One question shown in a channel.
#[derive(Debug, Clone)]
pub struct ShownQuestion<'a> {
    pub guild_id: u64,
    pub channel_id: u64,
    pub question_id: &'a str,
    pub shown_by: Option<u64>,
    pub source: Source,
    pub at_ms: i64,
}

/// How often, and when last, a guild was shown a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShowCount {
    pub times: u32,
    pub last_ms: i64,
}

impl Store {
    pub fn record_shown(&self, shown: &ShownQuestion<'_>) -> Result<(), StoreError> {
        self.lock()?.execute(
            "INSERT INTO question_history
                 (guild_id, channel_id, question_id, shown_by, source, shown_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                shown.guild_id as i64,
                shown.channel_id as i64,
                shown.question_id,
                shown.shown_by.map(|u| u as i64),
                shown.source.as_str(),
                shown.at_ms,
            ],
        )?;
        Ok(())
    }

    /// For every question the guild has been shown: how many times and when last.
    pub fn show_counts(&self, guild_id: u64) -> Result<HashMap<String, ShowCount>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(
            "SELECT question_id, COUNT(*), MAX(shown_at)
               FROM question_history WHERE guild_id = ?1 GROUP BY question_id",
        )?;
        let rows = stmt.query_map([guild_id as i64], |r| {
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
}
