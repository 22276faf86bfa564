//! What the scheduler should run now: owed posts, due reveals, and claims a stopped process
//! left behind; and when to look again.

use super::surface::DailyJob;
use crate::engine::{Due, Engine, Error, Invocation, Job, Origin, Request};
use crate::model::{ChannelId, GuildId, NextStep};

/// A claim older than this with no message recorded was left by a stopped process.
const SETTLE_AFTER_MS: i64 = 120 * 1000;

/// The request that runs a daily job: from the bot itself.
fn job(guild_id: GuildId, channel_id: ChannelId, job: DailyJob) -> Request {
    Request {
        guild_id,
        channel_id,
        origin: Origin::Bot,
        invocation: Invocation::Job(Job::new(job)),
        resolved: Default::default(),
    }
}

impl Engine {
    /// Everything due at `now`: posts whose time has come (within the catch-up window), reveals,
    /// and claims left unsettled by a stopped process; and when the next thing is due.
    pub fn daily_jobs(&self, now: i64) -> Result<Due, Error> {
        let (schedules, unsettled, reveals, next_reveal) = self.store.read(|db| {
            Ok::<_, Error>((
                db.active_schedules()?,
                db.unsettled_posts()?,
                db.due_reveals(now)?,
                db.next_reveal_at(now)?,
            ))
        })?;
        let mut due = Due::default();
        let mut wake = |at: i64| {
            due.next_ms = Some(due.next_ms.map_or(at, |n| n.min(at)));
        };
        if let Some(at) = next_reveal {
            wake(at);
        }
        let mut jobs = Vec::new();
        let mut busy_channels = std::collections::HashSet::new();
        for p in &unsettled {
            busy_channels.insert((p.guild_id, p.channel_id));
            let (step, at) = match (p.next_step, p.retry_at) {
                (Some(step), Some(at)) => (step, at),
                // Left by a process that stopped after claiming: look for the post first,
                // once the claim is old enough not to be one still being delivered.
                _ => (NextStep::Settle, p.claimed_at + SETTLE_AFTER_MS),
            };
            if at <= now {
                let kind = match step {
                    NextStep::Settle => DailyJob::Settle { post: p.id },
                    NextStep::Resend => DailyJob::Resend { post: p.id },
                };
                jobs.push(job(p.guild_id, p.channel_id, kind));
            } else {
                wake(at);
            }
        }
        for s in schedules {
            let key = (s.guild_id, s.channel_id);
            // A post is owed for a day only if the schedule existed at its time: a schedule
            // set (or set again) after today's time starts tomorrow.
            let owed = s
                .upcoming(now, 2, true)
                .into_iter()
                .find(|(_, due_at)| *due_at >= s.updated_at);
            let Some((date, due_at)) = owed else {
                continue;
            };
            if due_at > now {
                wake(due_at);
                continue;
            }
            // Due now. A channel with a claim in hand waits for that claim (its own wake-up
            // time is already counted above).
            if busy_channels.contains(&key) {
                continue;
            }
            let done = self
                .store
                .read(|db| db.post_on(key.0, key.1, date))?
                .is_some();
            if !done {
                jobs.push(job(
                    key.0,
                    key.1,
                    DailyJob::Post {
                        schedule: s.id,
                        date,
                    },
                ));
            }
            if let Some((_, next)) = s.upcoming(due_at + 1, 1, false).first() {
                wake(*next);
            }
        }
        for p in reveals {
            jobs.push(job(
                p.guild_id,
                p.channel_id,
                DailyJob::Reveal { post: p.id },
            ));
        }
        due.jobs = jobs;
        Ok(due)
    }
}
