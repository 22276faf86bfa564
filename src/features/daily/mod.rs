//! Daily practice: one question a day per channel at a local time, the answer revealed later in
//! a thread, exactly once whatever happens.
//!
//! Members manage schedules with `/daily set|off|status|now|preview`. The scheduler (started
//! once by the Discord front end) asks the engine what is due ([`Engine::daily_jobs`], this
//! feature's `due`) and runs each job as a request from the bot itself (`Origin::Bot`,
//! `Invocation::Job` with a [`DailyJob`]), through the same engine as commands. A post is
//! claimed in the database before it is sent (with a nonce derived from the schedule and the
//! day, so Discord drops a repeat), and recorded once Discord returned its id; a claim left
//! behind by a stopped process is settled by looking for the post in the channel before
//! anything is sent again.
//!
//! - `surface`: what the framework sees (commands, options, the button, jobs, records);
//! - `plan`: a schedule's calendar; `due`: what the scheduler runs now;
//! - `post`, `reveal`: the jobs; `records`: what is written once Discord answered;
//! - `commands`: the `/daily` handlers; `cards`: what is shown.
//!
//! [`Engine::daily_jobs`]: crate::engine::Engine::daily_jobs

mod cards;
mod commands;
mod due;
mod plan;
mod post;
mod records;
mod reveal;
mod surface;

pub use cards::FOOTER_RECOVERY_KEY;
pub use surface::{DailyButton, DailyJob, FEATURE, POST_CHANNELS};

/// A post missed at its time (the bot was down) is still made this long after, never past the
/// local day's end.
pub const CATCH_UP_MS: i64 = 6 * 3600 * 1000;
/// The default time between a post and its answer.
pub const DEFAULT_REVEAL_S: u32 = 12 * 3600;

pub use crate::model::LevelPlan;
