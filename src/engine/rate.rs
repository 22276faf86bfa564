//! Per-member limits for expensive commands (`/scores export`, `/scores team`): at most
//! `max` runs in any `window`, counted in memory by the engine's [`crate::clock::Clock`], so
//! tests move time themselves. A refused run is not counted. The counts are lost on restart,
//! which only ever allows more.

use std::collections::{HashMap, VecDeque};

use super::{Engine, Error, Request};
use crate::model::{GuildId, UserId};

/// A limit on one command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// The command's path, as the user types it (`scores export`).
    pub command: &'static str,
    /// Runs allowed per window and member.
    pub max: usize,
    pub window_ms: i64,
}

/// `/scores export`: once a minute per member.
pub const EXPORT: RateLimit = RateLimit {
    command: "scores export",
    max: 1,
    window_ms: 60_000,
};

/// `/scores team`: a few times a minute per member (its page buttons are not counted).
pub const TEAM: RateLimit = RateLimit {
    command: "scores team",
    max: 5,
    window_ms: 60_000,
};

/// The engine's counts, kept in its feature state.
#[derive(Debug, Default)]
struct Counts(std::sync::Mutex<RateCounts>);

/// When each member last ran each limited command, per guild.
#[derive(Debug, Default)]
pub struct RateCounts {
    runs: HashMap<(GuildId, UserId, &'static str), VecDeque<i64>>,
}

impl RateCounts {
    /// Counts a run at `now` if the limit allows it; otherwise the milliseconds until it will.
    pub fn take(&mut self, key: (GuildId, UserId), limit: RateLimit, now: i64) -> Result<(), i64> {
        // Forget members whose runs are all out of their window, now and then.
        if self.runs.len() > 10_000 {
            self.runs
                .retain(|_, runs| runs.back().is_some_and(|&t| t > now - limit.window_ms));
        }
        let runs = self.runs.entry((key.0, key.1, limit.command)).or_default();
        while runs.front().is_some_and(|&t| t <= now - limit.window_ms) {
            runs.pop_front();
        }
        if runs.len() >= limit.max {
            let oldest = runs.front().copied().unwrap_or(now);
            return Err((oldest + limit.window_ms - now).max(1));
        }
        runs.push_back(now);
        Ok(())
    }
}

impl Engine {
    /// Counts a run of a limited command by the requester, or refuses it with how long to wait.
    /// The bot's own requests are never limited.
    pub fn rate_limit(&self, req: &Request, limit: RateLimit) -> Result<(), Error> {
        let Some(user) = req.origin.user_id() else {
            return Ok(());
        };
        let now = self.clock.now_ms();
        let counts = self.state::<Counts>();
        let mut counts = counts.0.lock().unwrap_or_else(|p| p.into_inner());
        counts
            .take((req.guild_id, user), limit, now)
            .map_err(|wait_ms| Error::RateLimited {
                command: limit.command,
                max: limit.max,
                window_s: limit.window_ms / 1000,
                seconds: (wait_ms + 999) / 1000,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_slides() {
        let mut c = RateCounts::default();
        let two = RateLimit {
            command: "x",
            max: 2,
            window_ms: 1000,
        };
        assert_eq!(c.take((GuildId(1), UserId(1)), two, 0), Ok(()));
        assert_eq!(c.take((GuildId(1), UserId(1)), two, 400), Ok(()));
        assert_eq!(c.take((GuildId(1), UserId(1)), two, 500), Err(500));
        // Another member, another guild: their own counts.
        assert_eq!(c.take((GuildId(1), UserId(2)), two, 500), Ok(()));
        assert_eq!(c.take((GuildId(2), UserId(1)), two, 500), Ok(()));
        assert_eq!(c.take((GuildId(1), UserId(1)), two, 1000), Ok(()));
        assert_eq!(c.take((GuildId(1), UserId(1)), two, 1001), Err(399));
    }
}
