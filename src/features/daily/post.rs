//! The day's post: a question picked and claimed with its post in one transaction, then sent
//! (or sent again with the same nonce, or looked for after a restart).

use crate::engine::Handled;
use jiff::civil::Date;

use super::cards::daily_footer;
use super::records::release_claim;
use super::surface::Posted;
use crate::bank::{Level, Question};
use crate::engine::catalog::Listed;
use crate::engine::pool::choose_least_shown_in;
use crate::engine::{Catalog, Effect, Engine, Error, Outcome, Request};
use crate::model::{PostId, PostKind, PostStatus, ScheduleId};
use crate::store::{DailyPost, NewPost, Schedule, ScheduleStatus, ShownQuestion, Source};

impl Engine {
    /// The day's post of a schedule, claimed before it is sent.
    pub(super) fn job_daily_post(&self, req: &Request, id: ScheduleId, date: Date) -> Handled {
        let Some(s) = self.store.read(|db| db.schedule_by_id(req.guild_id, id))? else {
            return Ok(Outcome::default());
        };
        if s.status != ScheduleStatus::Active {
            return Ok(Outcome::default());
        }
        let now = self.clock.now_ms();
        match s.due_on(date) {
            Some(due) if due <= now && now < s.deadline(date, due) && due >= s.updated_at => {}
            // Not due (the schedule changed), or too late for that day: never post for a
            // day already gone.
            _ => return Ok(Outcome::default()),
        }
        let level = s.level.on(date.weekday());
        Ok(self
            .post_daily(&s, level, PostKind::Scheduled, date, now)?
            .unwrap_or_default())
    }

    /// Picks a question for the channel (no repeats there until its pool is used up), claims
    /// it and the post in one transaction, and returns the post; `None` if there was nothing to
    /// post (the day is claimed already, or the pool is empty and the schedule paused).
    pub(super) fn post_daily(
        &self,
        s: &Schedule,
        level: Level,
        kind: PostKind,
        date: Date,
        now: i64,
    ) -> Result<Option<Outcome>, Error> {
        let catalog = self.catalog(s.guild_id)?;
        let pool: Vec<Listed<'_>> = catalog.filter(Some(level), s.topic.as_deref()).collect();
        if pool.is_empty() {
            // The packs changed under the schedule (edited, or switched off): nothing to post
            // until it is set again.
            let reason = format!(
                "there are no {} questions{} in the packs switched on any more",
                level.title().to_lowercase(),
                s.topic
                    .as_deref()
                    .map_or(String::new(), |t| format!(" on {}", catalog.topic_name(t)))
            );
            self.store
                .write(|db| db.pause_schedule(s.guild_id, s.id, &reason, now))?;
            return Ok(None);
        }
        let reveal_due = (s.reveal_after_s > 0).then(|| now + i64::from(s.reveal_after_s) * 1000);
        let claimed = self.store.write(|db| {
            let counts =
                catalog.shown_by_current_id(db.channel_show_counts(s.guild_id, s.channel_id)?);
            let q = choose_least_shown_in(&pool, &counts, |n| self.random_below(n));
            let history = db.claim_shown(&ShownQuestion {
                guild_id: s.guild_id,
                channel_id: s.channel_id,
                question_id: q.id,
                shown_by: None,
                source: Source::Daily,
                at_ms: now,
            })?;
            let post = db.claim_post(&NewPost {
                schedule: s,
                kind,
                local_date: date,
                question_id: q.id,
                history_claim: history,
                reveal_due_at: reveal_due,
                at_ms: now,
            })?;
            if post.is_none() {
                db.release_shown(s.guild_id, history)?;
            }
            let q = catalog.load_in(db, q)?;
            Ok::<_, Error>(post.map(|p| (q, p, history)))
        })?;
        let Some((q, post, _history)) = claimed else {
            // Another attempt claimed this day already.
            return Ok(None);
        };
        Ok(Some(self.post_effect(&catalog, s, &q, &post)?))
    }

    /// The post of a claimed question, to send (or send again, with the same nonce).
    fn post_effect(
        &self,
        catalog: &Catalog<'_>,
        s: &Schedule,
        q: &Question,
        post: &DailyPost,
    ) -> Handled {
        let mut message = self.daily_card(catalog, s.guild_id, post.id, q)?;
        if let Some(role) = s.role_id {
            let what = if post.kind == PostKind::Extra {
                "an extra practice question"
            } else {
                "today's practice question"
            };
            message.content = Some(format!("<@&{role}> {what}"));
            message.ping_roles = vec![role];
        }
        // The post's history claim is confirmed or released with the post itself.
        let mut outcome = Outcome::default();
        let sent = outcome.push(Effect::Post {
            channel_id: s.channel_id,
            message,
            nonce: Some(post.nonce.clone()),
            reply_to: None,
        });
        outcome.commit(
            sent,
            Posted {
                guild_id: s.guild_id,
                post: post.id,
                settle: false,
            },
        );
        Ok(outcome)
    }

    /// Sending failed on Discord's side (or a stopped process's post was not found): the same
    /// question again, with the same nonce, if its day is still open.
    pub(super) fn job_daily_resend(&self, req: &Request, id: PostId) -> Handled {
        let Some(post) = self.post_in(req, id, PostStatus::Claimed)? else {
            return Ok(Outcome::default());
        };
        let schedule = self
            .store
            .read(|db| db.schedule_by_id(post.guild_id, post.schedule_id))?;
        let now = self.clock.now_ms();
        let catalog = self.catalog(post.guild_id)?;
        let open = match (&schedule, catalog.get(&post.question_id)?) {
            (Some(s), Some(q)) if s.status == ScheduleStatus::Active => {
                let day = post.local_date;
                let still_open = post.kind == PostKind::Extra
                    || s.due_on(day).is_some_and(|due| now < s.deadline(day, due));
                still_open.then_some((s, q))
            }
            _ => None,
        };
        let Some((s, q)) = open else {
            // Too late for its day, or nothing to post any more: never post for a day gone.
            self.store.write(|db| release_claim(db, &post))?;
            return Ok(Outcome::default());
        };
        self.post_effect(&catalog, s, &q, &post)
    }

    /// A claim a stopped process left without a message id: look for the post in the channel
    /// before anything is sent again.
    pub(super) fn job_daily_settle(&self, req: &Request, id: PostId) -> Handled {
        let Some(post) = self.post_in(req, id, PostStatus::Claimed)? else {
            return Ok(Outcome::default());
        };
        let mut outcome = Outcome::default();
        let found = outcome.push(Effect::FindPost {
            channel_id: post.channel_id,
            nonce: post.nonce.clone(),
            marker: daily_footer(&post.question_id),
            since_ms: post.claimed_at - 60_000,
        });
        outcome.commit(
            found,
            Posted {
                guild_id: post.guild_id,
                post: post.id,
                settle: true,
            },
        );
        Ok(outcome)
    }

    /// The request's server's post `id`, if it is (still) in `status`.
    pub(super) fn post_in(
        &self,
        req: &Request,
        id: PostId,
        status: PostStatus,
    ) -> Result<Option<DailyPost>, Error> {
        Ok(self
            .store
            .read(|db| db.post(req.guild_id, id))?
            .filter(|p| p.guild_id == req.guild_id && p.status == status))
    }
}
