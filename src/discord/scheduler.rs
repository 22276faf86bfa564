//! The daily-practice scheduler: one task per process, started when the bot starts (never from
//! the READY handler, which fires again on every reconnect). It asks the engine what is due,
//! runs each job as a request from the bot itself, carries out its posts and threads through
//! Discord's REST API, and records what Discord returned. Between rounds it sleeps until the
//! next thing is due (at most an hour), or until a schedule changes, or until shutdown.

use std::sync::Arc;
use std::time::Duration;

use serenity::all::Http;
use tokio::sync::watch;

use crate::engine::{DeliverAsync, Delivered, Effect, Engine, Outcome, Request};

use super::deliver::{classify, deliver_outside};

/// The longest sleep between two looks at the schedules.
const MAX_SLEEP: Duration = Duration::from_secs(3600);
/// Between two jobs: keeps a burst of schedules due at the same minute well under Discord's
/// 50 requests per second, and under 5 messages per 5 seconds in any one channel.
const PACE: Duration = Duration::from_millis(250);
/// After the engine failed (the database unavailable), how long before trying again.
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(30);

/// Runs until `stop` changes (or its sender is dropped).
pub async fn run(http: Arc<Http>, engine: Engine, mut stop: watch::Receiver<bool>) {
    tracing::info!("daily scheduler started");
    loop {
        if *stop.borrow() {
            break;
        }
        let now = engine.now_ms();
        let e = engine.clone();
        let looked = match tokio::task::spawn_blocking(move || e.due(now)).await {
            Ok(Ok(due)) => Some(due),
            Ok(Err(err)) => {
                // A storage fault is logged once per incident by the store, not every retry.
                if err.is_storage_fault() {
                    tracing::debug!(error = %err, "could not read the scheduled work");
                } else {
                    tracing::error!(error = %err, "could not read the scheduled work");
                }
                None
            }
            Err(err) => {
                tracing::error!(error = %err, "the scheduler's look-up panicked");
                None
            }
        };
        let Some(mut due) = looked else {
            // The database is unwell: look again soon, not in an hour.
            tokio::select! {
                _ = tokio::time::sleep(RETRY_AFTER_ERROR) => continue,
                _ = stop.changed() => break,
            }
        };
        // The console's data (guild 0) shares the file but is not Discord's.
        due.jobs
            .retain(|j| j.guild_id != crate::console::CONSOLE_GUILD);
        let mut ran = false;
        let mut failed = false;
        for job in due.jobs {
            if *stop.borrow() {
                break;
            }
            if run_job(&http, &engine, job).await {
                ran = true;
            } else {
                failed = true;
            }
            tokio::time::sleep(PACE).await;
        }
        // Ready-made work (interview sessions left open for a day, closed: their messages say
        // so).
        for outcome in due.outcomes {
            deliver_and_record(&http, &engine, "scheduled update", outcome).await;
        }
        let sleep = if failed && !ran {
            // Jobs that fail inside the engine (a full disk, say) would fail again at once.
            RETRY_AFTER_ERROR
        } else if ran {
            // Something ran: look again at once (a reveal or the next day may be due).
            Duration::ZERO
        } else {
            due.next_ms
                .map(|at| Duration::from_millis((at - engine.now_ms()).max(0) as u64))
                .unwrap_or(MAX_SLEEP)
                .min(MAX_SLEEP)
        };
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = engine.schedule_changed() => {}
            _ = stop.changed() => break,
        }
    }
    tracing::info!("daily scheduler stopped");
}

/// One job: the engine decides, Discord delivers, the engine records. False when the engine
/// itself failed.
async fn run_job(http: &Http, engine: &Engine, req: Request) -> bool {
    let label = engine.label(&req);
    tracing::debug!(job = %label, "daily job starting");
    let e = engine.clone();
    let outcome = match tokio::task::spawn_blocking(move || e.run(&req)).await {
        Ok(o) => o,
        Err(err) => {
            tracing::error!(job = %label, error = %err, "a daily job panicked");
            return false;
        }
    };
    if outcome.is_error {
        // The engine logged why; there is nothing to deliver.
        return false;
    }
    deliver_and_record(http, engine, &label, outcome).await;
    true
}

/// Delivers effects outside any interaction, through REST.
struct Rest<'a> {
    http: &'a Http,
    label: &'a str,
}

impl DeliverAsync for Rest<'_> {
    async fn deliver(&mut self, effect: &Effect, earlier: &[Delivered]) -> Delivered {
        match deliver_outside(self.http, effect, earlier).await {
            Ok(done) => done,
            Err(err) => {
                tracing::debug!(job = %self.label, error = %err, "a scheduled effect failed");
                classify(&err)
            }
        }
    }
}

/// Carries out an outcome's effects through REST, then records what happened.
async fn deliver_and_record(http: &Http, engine: &Engine, label: &str, outcome: Outcome) {
    let report = engine
        .deliver_async(&outcome, &mut Rest { http, label })
        .await;
    tracing::info!(job = %label, effects = report.len(), ok = report.iter().all(Delivered::ok), "scheduled work");
}
