//! Daily practice: one question a day per channel at a local time, the answer revealed later in
//! a thread, exactly once whatever happens.
//!
//! Members manage schedules with `/daily set|off|status|now|preview`. The scheduler (started
//! once by the Discord front end) asks the engine what is due ([`Engine::daily_jobs`], this
//! feature's `due`) and runs each job as a request from the bot itself (`Origin::Bot`,
//! `Invocation::Job` with a [`DailyJob`]), through the same engine as commands. A post is claimed in the database before it is sent (with a nonce derived from
//! the schedule and the day, so Discord drops a repeat), and recorded once Discord returned
//! its id; a claim left behind by a stopped process is settled by looking for the post in the
//! channel before anything is sent again.

mod surface;

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::bank::{Level, Question};
use crate::engine::cards::{MODEL_ANSWER_LABEL, level_colour};
use crate::engine::pool::choose_least_shown_in;
use crate::engine::rubric::RubricContext;
use crate::engine::{
    ButtonStyle, Card, Delivered, Due, Effect, Engine, Error, Invocation, Job, Message, MessageRef,
    Origin, Outcome, Permissions, Request, ResolvedChannel, ResolvedRole, Visibility,
};
use crate::model::{NextStep, PostKind, PostStatus, RevealStatus};
use crate::store::{DailyPost, NewSchedule, Schedule, ScheduleStatus, ShownQuestion, Source};
use crate::text::truncate;
use crate::time;

pub use surface::{DailyButton, DailyJob, FEATURE, POST_CHANNELS};
use surface::{
    NowOptions, OffOptions, Posted, PreviewOptions, Revealed, SetOptions, StatusOptions,
};
use time::{Days, describe_duration, describe_instant, describe_time, discord_timestamp};

/// A post missed at its time (the bot was down) is still made this long after, never past the
/// local day's end.
pub const CATCH_UP_MS: i64 = 6 * 3600 * 1000;
/// A claim older than this with no message recorded was left by a stopped process.
const SETTLE_AFTER_MS: i64 = 120 * 1000;
/// Transient failures are retried with a growing delay, up to this.
const MAX_BACKOFF_MS: i64 = 30 * 60 * 1000;
/// The default time between a post and its answer.
pub const DEFAULT_REVEAL_S: u32 = 12 * 3600;

/// What a schedule needs to do its work in a channel, and why.
const NEEDED: &[(u64, &str)] = &[
    (Permissions::VIEW_CHANNEL, "View Channel"),
    (Permissions::SEND_MESSAGES, "Send Messages"),
    (Permissions::EMBED_LINKS, "Embed Links"),
    (Permissions::READ_MESSAGE_HISTORY, "Read Message History"),
    (Permissions::CREATE_PUBLIC_THREADS, "Create Public Threads"),
    (
        Permissions::SEND_MESSAGES_IN_THREADS,
        "Send Messages in Threads",
    ),
];

pub use crate::model::LevelPlan;

/// A schedule with its zone and times resolved.
struct Plan {
    s: Schedule,
    tz: TimeZone,
    time: (u8, u8),
    days: Days,
    level: LevelPlan,
}

impl Plan {
    fn of(s: Schedule) -> Result<Plan, Error> {
        let broken = || Error::Internal(format!("daily schedule {} is malformed", s.id));
        Ok(Plan {
            tz: time::zone(&s.timezone).ok_or_else(broken)?,
            time: time::parse_time(&s.post_time).ok_or_else(broken)?,
            days: Days(s.days),
            level: s.level,
            s,
        })
    }

    /// When the schedule posts on a local date, if it posts that day.
    fn due_on(&self, date: Date) -> Option<i64> {
        if !self.days.contains(date.weekday()) {
            return None;
        }
        time::instant_on(&self.tz, date, self.time).map(|t| t.as_millisecond())
    }

    /// The last moment a post for `date` may still go out.
    fn deadline(&self, date: Date, due: i64) -> i64 {
        let end = time::end_of_day_ms(&self.tz, date).unwrap_or(due + CATCH_UP_MS);
        (due + CATCH_UP_MS).min(end)
    }

    /// The next `count` posting instants from `now` on, with their dates (today's counts if
    /// its time has not come yet, or `include_today`).
    fn upcoming(&self, now: i64, count: usize, include_today_if_due: bool) -> Vec<(Date, i64)> {
        let Some(today) = time::local_date(&self.tz, now) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut date = today;
        for _ in 0..(count * 7 + 8) {
            if out.len() == count {
                break;
            }
            if let Some(due) = self.due_on(date)
                && (due > now
                    || (include_today_if_due && date == today && now < self.deadline(date, due)))
            {
                out.push((date, due));
            }
            match date.tomorrow() {
                Ok(d) => date = d,
                Err(_) => break,
            }
        }
        out
    }
}

/// The request that runs a daily job: from the bot itself.
fn job(guild_id: u64, channel_id: u64, job: DailyJob) -> Request {
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
            let plan = match Plan::of(s) {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!(error = %e, "skipping a daily schedule");
                    continue;
                }
            };
            // A post is owed for a day only if the schedule existed at its time: a schedule
            // set (or set again) after today's time starts tomorrow.
            let owed = plan
                .upcoming(now, 2, true)
                .into_iter()
                .find(|(_, due_at)| *due_at >= plan.s.updated_at);
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
                .read(|db| db.post_on(key.0, key.1, &time::date_key(date)))?
                .is_some();
            if !done {
                jobs.push(job(
                    key.0,
                    key.1,
                    DailyJob::Post {
                        schedule: plan.s.id,
                        date,
                    },
                ));
            }
            if let Some((_, next)) = plan.upcoming(due_at + 1, 1, false).first() {
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

    // ---- jobs ---------------------------------------------------------------------------

    /// The day's post of a schedule, claimed before it is sent.
    fn job_daily_post(&self, req: &Request, id: i64, date: Date) -> Result<Outcome, Error> {
        let Some(s) = self.store.read(|db| db.schedule_by_id(req.guild_id, id))? else {
            return Ok(Outcome::default());
        };
        if s.status != ScheduleStatus::Active {
            return Ok(Outcome::default());
        }
        let plan = Plan::of(s)?;
        let now = self.clock.now_ms();
        match plan.due_on(date) {
            Some(due)
                if due <= now && now < plan.deadline(date, due) && due >= plan.s.updated_at => {}
            // Not due (the schedule changed), or too late for that day: never post for a
            // day already gone.
            _ => return Ok(Outcome::default()),
        }
        let level = plan.level.on(date.weekday());
        Ok(self
            .post_daily(&plan, level, PostKind::Scheduled, date, now)?
            .unwrap_or_default())
    }

    /// Picks a question for the channel (no repeats there until its pool is used up), claims
    /// it and the post in one transaction, and returns the post; `None` if there was nothing to
    /// post (the day is claimed already, or the pool is empty and the schedule paused).
    fn post_daily(
        &self,
        plan: &Plan,
        level: Level,
        kind: PostKind,
        date: Date,
        now: i64,
    ) -> Result<Option<Outcome>, Error> {
        let s = &plan.s;
        let pool: Vec<&Question> = self
            .bank()
            .filter(Some(level), s.topic.as_deref())
            .collect();
        if pool.is_empty() {
            // The packs changed under the schedule: nothing to post until it is set again.
            let reason = format!(
                "there are no {} questions{} in the question bank any more",
                level.title().to_lowercase(),
                s.topic.as_deref().map_or(String::new(), |t| format!(
                    " on {}",
                    self.bank().topic_name(t)
                ))
            );
            self.store
                .write(|db| db.pause_schedule(s.guild_id, s.id, &reason, now))?;
            return Ok(None);
        }
        let reveal_due = (s.reveal_after_s > 0).then(|| now + i64::from(s.reveal_after_s) * 1000);
        let claimed = self.store.write(|db| {
            let counts = db.channel_show_counts(s.guild_id, s.channel_id)?;
            let q = choose_least_shown_in(&pool, &counts, |n| self.random_below(n));
            let history = db.claim_shown(&ShownQuestion {
                guild_id: s.guild_id,
                channel_id: s.channel_id,
                question_id: &q.id,
                shown_by: None,
                source: Source::Daily,
                at_ms: now,
            })?;
            let post = db.claim_post(
                s,
                kind,
                &time::date_key(date),
                &q.id,
                history,
                now,
                reveal_due,
            )?;
            if post.is_none() {
                db.release_shown(s.guild_id, history)?;
            }
            Ok::<_, Error>(post.map(|p| (q, p, history)))
        })?;
        let Some((q, post, _history)) = claimed else {
            // Another attempt claimed this day already.
            return Ok(None);
        };
        Ok(Some(self.post_effect(s, q, &post)?))
    }

    /// The post of a claimed question, to send (or send again, with the same nonce).
    fn post_effect(&self, s: &Schedule, q: &Question, post: &DailyPost) -> Result<Outcome, Error> {
        let mut message = self.daily_card(s.guild_id, q)?;
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
    fn job_daily_resend(&self, req: &Request, id: i64) -> Result<Outcome, Error> {
        let Some(post) = self.store.read(|db| db.post(req.guild_id, id))? else {
            return Ok(Outcome::default());
        };
        if post.guild_id != req.guild_id || post.status != PostStatus::Claimed {
            return Ok(Outcome::default());
        }
        let schedule = self
            .store
            .read(|db| db.schedule_by_id(post.guild_id, post.schedule_id))?;
        let now = self.clock.now_ms();
        let open = match (&schedule, self.bank().get(&post.question_id)) {
            (Some(s), Some(q)) if s.status == ScheduleStatus::Active => {
                let plan = Plan::of(s.clone())?;
                let still_open = post.kind == PostKind::Extra
                    || time::parse_date_key(&post.local_date)
                        .and_then(|d| plan.due_on(d).map(|due| now < plan.deadline(d, due)))
                        .unwrap_or(false);
                still_open.then_some((plan, q))
            }
            _ => None,
        };
        let Some((plan, q)) = open else {
            // Too late for its day, or nothing to post any more: never post for a day gone.
            self.store.write(|db| {
                db.release_post(post.guild_id, post.id)?;
                if let Some(h) = post.history_claim {
                    db.release_shown(post.guild_id, h)?;
                }
                Ok::<_, Error>(())
            })?;
            return Ok(Outcome::default());
        };
        self.post_effect(&plan.s, q, &post)
    }

    /// A daily post's card: the question card, with a "Model answer" that everyone may open
    /// (the answer is revealed to the channel later anyway).
    fn daily_card(&self, guild_id: u64, q: &Question) -> Result<Message, Error> {
        let card = Card {
            title: Some(truncate(
                &format!(
                    "Daily practice · {} · {}",
                    q.level.title(),
                    self.bank().topic_name(&q.topic)
                ),
                256,
            )),
            description: Some(q.prompt.clone()),
            colour: Some(level_colour(q.level)),
            footer: Some(daily_footer(&q.id)),
            ..Card::default()
        };
        let answer = self.action_id(
            guild_id,
            DailyButton::ModelAnswer {
                question: q.id.clone(),
            }
            .to_string(),
        )?;
        Ok(Message::default()
            .card(card)
            .button(MODEL_ANSWER_LABEL, answer, ButtonStyle::Primary))
    }

    /// A daily post's model answer, privately.
    fn action_daily_answer(&self, req: &Request, question: String) -> Result<Outcome, Error> {
        self.check_rubric(req, RubricContext::Daily)?;
        let q = self
            .bank()
            .get(&question)
            .ok_or(Error::QuestionGone(question))?;
        Ok(Outcome::private(self.rubric_message(q)))
    }

    /// The answer, behind spoiler marks, in a thread on the post (or as a reply when a thread
    /// could not be made).
    fn job_daily_reveal(&self, req: &Request, id: i64) -> Result<Outcome, Error> {
        let Some(post) = self.store.read(|db| db.post(req.guild_id, id))? else {
            return Ok(Outcome::default());
        };
        if post.guild_id != req.guild_id || post.status != PostStatus::Posted {
            return Ok(Outcome::default());
        }
        let Some(message_id) = post.message_id else {
            return Ok(Outcome::default());
        };
        let Some(q) = self.bank().get(&post.question_id) else {
            self.store
                .write(|db| db.drop_reveal(post.guild_id, post.id))?;
            return Ok(Outcome::default());
        };
        let message = self.spoiler_rubric(q);
        let effect = if post.reveal_status == Some(RevealStatus::Reply) {
            Effect::Post {
                channel_id: post.channel_id,
                message,
                nonce: Some(format!("ibr{}", post.id)),
                reply_to: Some(message_id),
            }
        } else {
            Effect::Thread {
                on: MessageRef::Existing {
                    channel_id: post.channel_id,
                    message_id,
                },
                name: truncate(
                    &format!(
                        "Answer · {} · {}",
                        q.level.title(),
                        self.bank().topic_name(&q.topic)
                    ),
                    100,
                ),
                message,
            }
        };
        let mut outcome = Outcome::default();
        let revealed = outcome.push(effect);
        outcome.commit(
            revealed,
            Revealed {
                guild_id: post.guild_id,
                post: post.id,
            },
        );
        Ok(outcome)
    }

    /// The rubric with each part behind spoiler marks, so nobody reads it by accident.
    fn spoiler_rubric(&self, q: &Question) -> Message {
        let mut m = self.rubric_message(q);
        for card in &mut m.cards {
            if let Some(d) = &card.description {
                card.description = Some(format!("||{}||", truncate(d, 4090)));
            }
        }
        m.content = Some("The answer to today's question (tap to reveal):".into());
        m
    }

    /// A claim a stopped process left without a message id: look for the post in the channel
    /// before anything is sent again.
    fn job_daily_settle(&self, req: &Request, id: i64) -> Result<Outcome, Error> {
        let Some(post) = self.store.read(|db| db.post(req.guild_id, id))? else {
            return Ok(Outcome::default());
        };
        if post.guild_id != req.guild_id || post.status != PostStatus::Claimed {
            return Ok(Outcome::default());
        }
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

    /// Records how a daily post went: its message id; a refusal pauses the schedule with the
    /// reason; a transient failure keeps the claim (and its question) to send again with the
    /// same nonce after a backoff; a stopped process's post not found is sent again the same way
    /// while its day is open.
    fn commit_daily_posted(
        &self,
        guild_id: u64,
        post_id: i64,
        settle: bool,
        delivered: &Delivered,
    ) -> Result<(), Error> {
        let now = self.clock.now_ms();
        let Some(post) = self.store.read(|db| db.post(guild_id, post_id))? else {
            return Ok(());
        };
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
                tracing::warn!(schedule = post.schedule_id, reason = %reason, "daily schedule paused");
                self.store.write(|db| {
                    db.release_post(post.guild_id, post.id)?;
                    if let Some(h) = post.history_claim {
                        db.release_shown(post.guild_id, h)?;
                    }
                    db.pause_schedule(post.guild_id, post.schedule_id, &why, now)
                })?;
            }
            Delivered::Failed(reason) => {
                let delay = self.backoff(post.guild_id, post.schedule_id);
                // A look-up that failed is tried again; a send that failed is sent again, same
                // question and nonce, so a send that did reach Discord is not doubled.
                let step = if settle {
                    NextStep::Settle
                } else {
                    NextStep::Resend
                };
                let new_incident = self.store.write(|db| {
                    db.post_retry(post.guild_id, post.id, step, now + delay)?;
                    db.schedule_failed(post.guild_id, post.schedule_id, now, now + delay)
                })?;
                if new_incident {
                    tracing::warn!(schedule = post.schedule_id, reason = %reason, "daily post failed; retrying with backoff");
                }
            }
            // Skipped (the process is stopping): the claim is settled at the next start.
            _ => {}
        }
        Ok(())
    }

    /// Backoff after a failure: growing from a minute with the length of the incident, at most
    /// [`MAX_BACKOFF_MS`]. Read before any write transaction (the store's reads may share the
    /// writer's connection).
    fn backoff(&self, guild_id: u64, schedule_id: i64) -> i64 {
        let failing_for = self
            .store
            .read(|db| db.schedule_by_id(guild_id, schedule_id))
            .ok()
            .flatten()
            .and_then(|s| s.failing_since)
            .map_or(0, |since| self.clock.now_ms() - since);
        (60_000 + failing_for).clamp(60_000, MAX_BACKOFF_MS)
    }

    fn commit_daily_revealed(
        &self,
        guild_id: u64,
        post_id: i64,
        delivered: &Delivered,
    ) -> Result<(), Error> {
        let now = self.clock.now_ms();
        let Some(post) = self.store.read(|db| db.post(guild_id, post_id))? else {
            return Ok(());
        };
        match delivered {
            Delivered::Thread { thread_id, .. } => self.store.write(|db| {
                db.post_revealed(post.guild_id, post.id, Some(*thread_id), now)?;
                db.schedule_recovered(post.guild_id, post.schedule_id)
            })?,
            Delivered::Message { .. } => self.store.write(|db| {
                db.post_revealed(post.guild_id, post.id, None, now)?;
                db.schedule_recovered(post.guild_id, post.schedule_id)
            })?,
            Delivered::Refused(reason) if post.reveal_status != Some(RevealStatus::Reply) => {
                tracing::info!(post = post.id, reason = %reason, "no thread for the reveal; replying instead");
                self.store
                    .write(|db| db.reveal_as_reply(post.guild_id, post.id))?;
            }
            Delivered::Refused(reason) => {
                tracing::warn!(post = post.id, reason = %reason, "the answer could not be revealed");
                self.store
                    .write(|db| db.drop_reveal(post.guild_id, post.id))?;
            }
            Delivered::Failed(reason) => {
                let delay = self.backoff(post.guild_id, post.schedule_id);
                let new_incident = self.store.write(|db| {
                    db.reveal_failed(post.guild_id, post.id, now + delay)?;
                    db.schedule_failed(post.guild_id, post.schedule_id, now, now + delay)
                })?;
                if new_incident {
                    tracing::warn!(post = post.id, reason = %reason, "reveal failed; retrying with backoff");
                }
            }
            _ => {}
        }
        Ok(())
    }

    // ---- commands -----------------------------------------------------------------------

    fn cmd_daily_set(&self, req: &Request, opts: SetOptions) -> Result<Outcome, Error> {
        let channel: ResolvedChannel = opts.channel;
        let time_text: String = opts.time;
        let post_time = time::parse_time(&time_text).ok_or(Error::InvalidTime(time_text))?;
        let zone_name = match opts.timezone {
            Some(z) => z,
            None => self
                .store
                .read(|db| db.guild_timezone(req.guild_id))?
                .unwrap_or_else(|| "UTC".into()),
        };
        let tz = time::zone(&zone_name).ok_or_else(|| Error::UnknownZone {
            suggestions: time::suggest_zones(&zone_name, 3),
            name: zone_name.clone(),
        })?;
        let level = opts.level.unwrap_or(LevelPlan::Ramp);
        let topic = opts.topic.map(|t| t.to_lowercase());
        if let Some(t) = &topic {
            self.check_topic(t)?;
        }
        // Every level the schedule will post at needs questions.
        let levels: Vec<Level> = match level {
            LevelPlan::Fixed(l) => vec![l],
            LevelPlan::Ramp => Level::ALL.to_vec(),
        };
        for l in levels {
            if self
                .bank()
                .filter(Some(l), topic.as_deref())
                .next()
                .is_none()
            {
                return Err(Error::NoQuestions {
                    level: l.to_string(),
                    topic: topic.clone(),
                });
            }
        }
        let role: Option<ResolvedRole> = opts.role;
        let reveal_after_s = match opts.reveal_after {
            Some(d) => time::parse_duration(&d).ok_or(Error::InvalidDuration(d))?,
            None => DEFAULT_REVEAL_S,
        };
        let days = match opts.days {
            Some(d) => time::parse_days(&d).ok_or(Error::InvalidDays(d))?,
            None => Days::EVERY_DAY,
        };
        let missing = missing_permissions(&channel, role.as_ref());
        if !missing.is_empty() {
            return Err(Error::BotLacksPermissions {
                channel: channel.name.clone(),
                missing,
            });
        }
        let now = self.clock.now_ms();
        let by = req.origin.user_id().unwrap_or(0);
        let audited = format!(
            "{} {zone_name}, {}, level {}{}{}",
            describe_time(post_time),
            days.describe(),
            level.as_str(),
            topic
                .as_deref()
                .map_or(String::new(), |t| format!(", topic {t}")),
            role.as_ref()
                .map_or(String::new(), |r| format!(", pings <@&{}>", r.id)),
        );
        let stored = self.store.write(|db| {
            db.audit(
                req.guild_id,
                by,
                crate::store::audit_action::DAILY_SET,
                &channel.id.to_string(),
                &audited,
                now,
            )?;
            db.set_schedule(&NewSchedule {
                guild_id: req.guild_id,
                channel_id: channel.id,
                channel_name: &channel.name,
                post_time: &describe_time(post_time),
                timezone: &zone_name,
                level,
                topic: topic.as_deref(),
                role_id: role.as_ref().map(|r| r.id),
                reveal_after_s,
                days: days.0,
                by,
                at_ms: now,
            })
        })?;
        self.wake_scheduler();
        let plan = Plan {
            s: stored,
            tz,
            time: post_time,
            days,
            level,
        };
        let mut card = self.schedule_card(&plan, now);
        card.title = Some(format!("Daily practice set for #{}", channel.name));
        let mut message = Message::default().card(card);
        if channel.bot_permissions.is_none() {
            message.content = Some(format!(
                "I cannot see my own permissions in #{} from here; I will check before each post, and `/daily status` will say if something is missing.",
                channel.name
            ));
        }
        Ok(Outcome::private(message))
    }

    fn cmd_daily_off(&self, req: &Request, opts: OffOptions) -> Result<Outcome, Error> {
        let channel: ResolvedChannel = opts.channel;
        let now = self.clock.now_ms();
        let by = req.origin.user_id().unwrap_or(0);
        let was = self.store.write(|db| {
            let was = db.schedule_off(req.guild_id, channel.id, now)?;
            if was {
                db.audit(
                    req.guild_id,
                    by,
                    crate::store::audit_action::DAILY_OFF,
                    &channel.id.to_string(),
                    "",
                    now,
                )?;
            }
            Ok::<_, Error>(was)
        })?;
        self.wake_scheduler();
        if !was {
            return Err(Error::NoSchedule(channel.name));
        }
        Ok(Outcome::private(Message::text(format!(
            "Daily practice in #{} is off. Today's post, if there was one, stays where it is.",
            channel.name
        ))))
    }

    fn cmd_daily_status(&self, req: &Request, _opts: StatusOptions) -> Result<Outcome, Error> {
        let schedules = self.store.read(|db| db.schedules(req.guild_id))?;
        if schedules.is_empty() {
            return Ok(Outcome::private(Message::text(
                "No daily practice in this server yet. Start one with `/daily set channel:#channel time:09:00`.",
            )));
        }
        let now = self.clock.now_ms();
        let mut message = Message::default();
        for s in schedules.into_iter().take(10) {
            let plan = Plan::of(s)?;
            message.cards.push(self.schedule_card(&plan, now));
        }
        Ok(Outcome::private(message))
    }

    fn cmd_daily_now(&self, req: &Request, opts: NowOptions) -> Result<Outcome, Error> {
        let channel: ResolvedChannel = opts.channel;
        let plan = self.channel_plan(req, &channel)?;
        let now = self.clock.now_ms();
        let today =
            time::local_date(&plan.tz, now).ok_or_else(|| Error::Internal("date".into()))?;
        let level = plan.level.on(today.weekday());
        if self
            .bank()
            .filter(Some(level), plan.s.topic.as_deref())
            .next()
            .is_none()
        {
            return Err(Error::NoQuestions {
                level: level.to_string(),
                topic: plan.s.topic.clone(),
            });
        }
        let mut outcome = self
            .post_daily(&plan, level, PostKind::Extra, today, now)?
            .ok_or_else(|| Error::Internal("an extra daily post was not claimed".into()))?;
        outcome.effects.push(Effect::reply(
            Visibility::Private,
            Message::text(format!(
                "An extra question is going to #{}; it does not count as the day's post. `/daily status` shows the last post.",
                channel.name
            )),
        ));
        Ok(outcome)
    }

    fn cmd_daily_preview(&self, req: &Request, opts: PreviewOptions) -> Result<Outcome, Error> {
        let channel: ResolvedChannel = opts.channel;
        let plan = self.channel_plan(req, &channel)?;
        let now = self.clock.now_ms();
        let lines: Vec<String> = plan
            .upcoming(now, 7, false)
            .into_iter()
            .map(|(date, at)| {
                format!(
                    "• {} · {} ({})",
                    discord_timestamp(at, 'F'),
                    plan.level.on(date.weekday()).title(),
                    describe_instant(&plan.tz, at)
                )
            })
            .collect();
        Ok(Outcome::private(Message::default().card(Card {
            title: Some(format!("The next posts in #{}", plan.s.channel_name)),
            description: Some(lines.join("\n")),
            colour: Some(crate::engine::BOT_COLOUR),
            ..Card::default()
        })))
    }

    /// The channel's schedule (not turned off), or the error that says there is none.
    fn channel_plan(&self, req: &Request, channel: &ResolvedChannel) -> Result<Plan, Error> {
        let s = self
            .store
            .read(|db| db.schedule_in(req.guild_id, channel.id))?
            .filter(|s| s.status != ScheduleStatus::Off)
            .ok_or_else(|| Error::NoSchedule(channel.name.clone()))?;
        Plan::of(s)
    }

    /// One schedule for `/daily set` and `/daily status`.
    fn schedule_card(&self, plan: &Plan, now: i64) -> Card {
        let s = &plan.s;
        let topic = s
            .topic
            .as_deref()
            .map_or("any topic".to_string(), |t| self.bank().topic_name(t));
        let mut lines = vec![
            format!(
                "**When:** {} {} ({})",
                describe_time(plan.time),
                s.timezone,
                plan.days.describe()
            ),
            format!("**Level:** {} · **Topic:** {topic}", plan.level.describe()),
            format!(
                "**Answer:** {}",
                match s.reveal_after_s {
                    0 => "not revealed".to_string(),
                    n => format!(
                        "revealed {} after the post, in a thread",
                        describe_duration(n)
                    ),
                }
            ),
        ];
        if let Some(role) = s.role_id {
            lines.push(format!("**Mentions:** <@&{role}>"));
        }
        match s.status {
            ScheduleStatus::Paused => lines.push(format!(
                "**Paused:** {}. Fix it, then run `/daily set` again.",
                s.paused_reason
                    .as_deref()
                    .unwrap_or("Discord refused the last post")
            )),
            _ => {
                if let Some((_, at)) = plan.upcoming(now, 1, true).first() {
                    lines.push(format!(
                        "**Next post:** {} ({})",
                        discord_timestamp(*at, 'F'),
                        describe_instant(&plan.tz, *at)
                    ));
                }
                if s.failing_since.is_some() {
                    lines.push(
                        "**Retrying:** the last attempt failed on Discord's side; trying again shortly."
                            .into(),
                    );
                }
            }
        }
        if let Ok(Some(last)) = self.store.read(|db| db.last_post(s.guild_id, s.channel_id)) {
            let when = last.posted_at.unwrap_or(last.claimed_at);
            lines.push(format!(
                "**Last post:** {} · `{}`",
                discord_timestamp(when, 'R'),
                last.question_id
            ));
        }
        Card {
            title: Some(format!("#{}", s.channel_name)),
            description: Some(lines.join("\n")),
            colour: Some(crate::engine::BOT_COLOUR),
            ..Card::default()
        }
    }
}

/// The end of every daily post's footer, after the question id. It is also the key a
/// restarted process finds its post by ([`Effect::FindPost`] compares the whole footer), so
/// posts made before an upgrade must still match: never reword it (a test pins it).
pub const FOOTER_RECOVERY_KEY: &str = " · daily practice · the answer follows in a thread";

/// The footer of a daily post: also how a stopped process's post is recognised in the channel.
fn daily_footer(question_id: &str) -> String {
    format!("{question_id}{FOOTER_RECOVERY_KEY}")
}

/// What the bot lacks in a channel for a schedule (empty when it has it all, or when its
/// permissions there are not known).
fn missing_permissions(
    channel: &ResolvedChannel,
    role: Option<&ResolvedRole>,
) -> Vec<&'static str> {
    let Some(perms) = channel.bot_permissions else {
        return Vec::new();
    };
    if perms.has(Permissions::ADMINISTRATOR) {
        return Vec::new();
    }
    let mut missing: Vec<&'static str> = NEEDED
        .iter()
        .filter(|(bit, _)| !perms.has(*bit))
        .map(|(_, name)| *name)
        .collect();
    if let Some(r) = role
        && !r.mentionable
        && !perms.has(Permissions::MENTION_EVERYONE)
    {
        missing.push("Mention @everyone, @here and All Roles (the role is not mentionable)");
    }
    missing
}
