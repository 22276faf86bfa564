//! What is recorded once Discord answered a post or a reveal: sent, refused (the schedule
//! pauses) or failed (tried again after a backoff).

use crate::engine::{Delivered, Engine, Error};
use crate::model::{GuildId, NextStep, PostId, RevealStatus, ScheduleId};
use crate::store::{DailyPost, Db, StoreError};

/// Transient failures are retried with a growing delay, up to this.
const MAX_BACKOFF_MS: i64 = 30 * 60 * 1000;

/// What was delivered about a daily post.
pub(super) enum Sent {
    /// The post itself (or, when settling after a restart, the look-up for it).
    Post { settle: bool },
    /// Its answer.
    Reveal,
}

impl Engine {
    /// Records how the delivery of `sent` about post `post_id` went (nothing if the post is
    /// gone).
    pub(super) fn commit_daily(
        &self,
        guild_id: GuildId,
        post_id: PostId,
        sent: Sent,
        delivered: &Delivered,
    ) -> Result<(), Error> {
        let now = self.clock.now_ms();
        let Some(post) = self.store.read(|db| db.post(guild_id, post_id))? else {
            return Ok(());
        };
        match sent {
            Sent::Post { settle } => self.commit_daily_posted(&post, settle, delivered, now),
            Sent::Reveal => self.commit_daily_revealed(&post, delivered, now),
        }
    }

    /// Records how a daily post went: its message id; a refusal pauses the schedule with the
    /// reason; a transient failure keeps the claim (and its question) to send again with the
    /// same nonce after a backoff; a stopped process's post not found is sent again the same way
    /// while its day is open.
    fn commit_daily_posted(
        &self,
        post: &DailyPost,
        settle: bool,
        delivered: &Delivered,
        now: i64,
    ) -> Result<(), Error> {
        match delivered {
            Delivered::Message {
                message_id: Some(m),
                ..
            } => {
                self.store.write(|db| {
                    db.post_sent(post.guild_id, post.id, *m, now)?;
                    if let Some(h) = post.history_claim {
                        db.confirm_shown(post.guild_id, h, Some(*m))?;
                    }
                    db.schedule_recovered(post.guild_id, post.schedule_id)
                })?;
                // Its reveal is now on the calendar.
                self.wake_scheduler();
            }
            Delivered::NotFound => self
                .store
                .write(|db| db.post_retry(post.guild_id, post.id, NextStep::Resend, now))?,
            Delivered::Refused(reason) => {
                let why = format!("Discord refused the post: {reason}");
                tracing::warn!(schedule = post.schedule_id.get(), reason = %crate::logging::escaped(reason), "daily schedule paused");
                self.store.write(|db| {
                    release_claim(db, post)?;
                    db.pause_schedule(post.guild_id, post.schedule_id, &why, now)
                })?;
            }
            Delivered::Failed(reason) => {
                // A look-up that failed is tried again; a send that failed is sent again, same
                // question and nonce, so a send that did reach Discord is not doubled.
                let step = if settle {
                    NextStep::Settle
                } else {
                    NextStep::Resend
                };
                let new_incident = self.retry_later(post, now, |db, at| {
                    db.post_retry(post.guild_id, post.id, step, at)
                })?;
                if new_incident {
                    tracing::warn!(schedule = post.schedule_id.get(), reason = %crate::logging::escaped(reason), "daily post failed; retrying with backoff");
                }
            }
            // Skipped (the process is stopping): the claim is settled at the next start.
            _ => {}
        }
        Ok(())
    }

    /// A transient failure of `post`: `mark` schedules it again after the backoff (given the
    /// time), and the schedule's incident opens if it was not open; true if it was not (so the
    /// failure is logged once).
    fn retry_later(
        &self,
        post: &DailyPost,
        now: i64,
        mark: impl FnOnce(&Db<'_>, i64) -> Result<(), StoreError>,
    ) -> Result<bool, Error> {
        let at = now + self.backoff(post.guild_id, post.schedule_id);
        Ok(self.store.write(|db| {
            mark(db, at)?;
            db.schedule_failed(post.guild_id, post.schedule_id, now, at)
        })?)
    }

    /// Backoff after a failure: growing from a minute with the length of the incident, at most
    /// [`MAX_BACKOFF_MS`]. Read before any write transaction (the store's reads may share the
    /// writer's connection).
    fn backoff(&self, guild_id: GuildId, schedule_id: ScheduleId) -> i64 {
        let failing_for = self
            .store
            .read(|db| db.schedule_by_id(guild_id, schedule_id))
            .ok()
            .flatten()
            .and_then(|s| s.failing_since)
            .map_or(0, |since| self.clock.now_ms() - since);
        (60_000 + failing_for).clamp(60_000, MAX_BACKOFF_MS)
    }

    /// Records how a reveal went: done; a refused thread becomes a reply, a refused reply is
    /// given up; a transient failure is tried again after a backoff.
    fn commit_daily_revealed(
        &self,
        post: &DailyPost,
        delivered: &Delivered,
        now: i64,
    ) -> Result<(), Error> {
        match delivered {
            Delivered::Thread { .. } | Delivered::Message { .. } => {
                let thread_id = match delivered {
                    Delivered::Thread { thread_id, .. } => Some(*thread_id),
                    _ => None,
                };
                self.store.write(|db| {
                    db.post_revealed(post.guild_id, post.id, thread_id, now)?;
                    db.schedule_recovered(post.guild_id, post.schedule_id)
                })?
            }
            Delivered::Refused(reason) if post.reveal_status != Some(RevealStatus::Reply) => {
                tracing::info!(post = post.id.get(), reason = %crate::logging::escaped(reason), "no thread for the reveal; replying instead");
                self.store
                    .write(|db| db.reveal_as_reply(post.guild_id, post.id))?;
            }
            Delivered::Refused(reason) => {
                tracing::warn!(post = post.id.get(), reason = %crate::logging::escaped(reason), "the answer could not be revealed");
                self.store
                    .write(|db| db.drop_reveal(post.guild_id, post.id))?;
            }
            Delivered::Failed(reason) => {
                let new_incident = self.retry_later(post, now, |db, at| {
                    db.reveal_failed(post.guild_id, post.id, at)
                })?;
                if new_incident {
                    tracing::warn!(post = post.id.get(), reason = %crate::logging::escaped(reason), "reveal failed; retrying with backoff");
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Gives up a claim that was never sent: the post and the question shown with it.
pub(super) fn release_claim(db: &Db<'_>, post: &DailyPost) -> Result<(), StoreError> {
    db.release_post(post.guild_id, post.id)?;
    if let Some(h) = post.history_claim {
        db.release_shown(post.guild_id, h)?;
    }
    Ok(())
}
