//! The daily-practice scheduler: one task per process, started when the bot starts (never from
//! the READY handler, which fires again on every reconnect). It asks the engine what is due,
//! runs each job as a request from the bot itself, carries out its posts and threads through
//! Discord's REST API, and records what Discord returned. Between rounds it sleeps until the
//! next thing is due (at most an hour), or until a schedule changes, or until shutdown.
//!
//! The jobs of a round run side by side, a channel's own jobs in order (a reveal, then the
//! next post), up to [`CONCURRENT_CHANNELS`] channels at once; their requests queue at
//! [`Rest`], which sends them as fast as Discord's limits allow and no faster. Exactly-once
//! is each job's own (claim, nonce, record), so running them side by side changes nothing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serenity::all::Http;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::engine::{DeliverAsync, Delivered, Effect, Engine, Outcome, Request};

use super::deliver::{classify, deliver_outside};
use super::rest::Rest;

/// The longest sleep between two looks at the schedules.
const MAX_SLEEP: Duration = Duration::from_secs(3600);
/// How many channels' jobs run at once. Their requests wait their turn at [`Rest`]; this many
/// keep it busy while others are claimed and recorded in the database, and few enough that
/// a request made for an interaction meanwhile waits well under a second behind them.
const CONCURRENT_CHANNELS: usize = 32;
/// At shutdown, how long the channels already running may take before they are dropped.
const STOP_GRACE: Duration = Duration::from_secs(3);
/// After the engine failed (the database unavailable), how long before trying again.
const RETRY_AFTER_ERROR: Duration = Duration::from_secs(30);

/// Runs until `stop` changes (or its sender is dropped).
pub async fn run(
    http: Arc<Http>,
    rest: Arc<Rest>,
    engine: Engine,
    mut stop: watch::Receiver<bool>,
) {
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
        let (ran, failed) = run_jobs(&http, &rest, &engine, due.jobs, &stop).await;
        // Ready-made work (interview sessions left open for a day, closed: their messages say
        // so).
        for outcome in due.outcomes {
            deliver_and_record(&http, &rest, &engine, "scheduled update", outcome).await;
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

/// Runs a round's jobs, channels side by side and each channel's in order; whether any ran
/// and whether any failed inside the engine. Once `stop` is set no more channels start.
async fn run_jobs(
    http: &Arc<Http>,
    rest: &Arc<Rest>,
    engine: &Engine,
    jobs: Vec<Request>,
    stop: &watch::Receiver<bool>,
) -> (bool, bool) {
    let mut stop = stop.clone();
    let mut channels: Vec<Vec<Request>> = Vec::new();
    let mut index = HashMap::new();
    for job in jobs {
        let i = *index
            .entry((job.guild_id, job.channel_id))
            .or_insert_with(|| {
                channels.push(Vec::new());
                channels.len() - 1
            });
        channels[i].push(job);
    }
    let mut waiting = channels.into_iter();
    let mut running = JoinSet::new();
    let (mut ran, mut failed) = (false, false);
    loop {
        while running.len() < CONCURRENT_CHANNELS && !*stop.borrow() {
            let Some(jobs) = waiting.next() else { break };
            let (http, rest, engine) = (http.clone(), rest.clone(), engine.clone());
            running.spawn(async move {
                let mut outcome = (false, false);
                for job in jobs {
                    if run_job(&http, &rest, &engine, job).await {
                        outcome.0 = true;
                    } else {
                        outcome.1 = true;
                    }
                }
                outcome
            });
        }
        let next = tokio::select! {
            next = running.join_next() => next,
            _ = stop.changed() => {
                // Stopping: what is running gets a moment to finish, then is dropped; a post
                // cut off there is settled at the next start (claim, nonce, footer).
                let grace = tokio::time::sleep(STOP_GRACE);
                tokio::pin!(grace);
                loop {
                    tokio::select! {
                        next = running.join_next() => if next.is_none() { break },
                        _ = &mut grace => {
                            running.abort_all();
                            break;
                        }
                    }
                }
                return (ran, failed);
            }
        };
        match next {
            None => break,
            Some(Ok((r, f))) => {
                ran |= r;
                failed |= f;
            }
            Some(Err(err)) => {
                tracing::error!(error = %err, "a channel's daily jobs panicked");
                failed = true;
            }
        }
    }
    (ran, failed)
}

/// One job: the engine decides, Discord delivers, the engine records. False when the engine
/// itself failed.
async fn run_job(http: &Http, rest: &Rest, engine: &Engine, req: Request) -> bool {
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
    deliver_and_record(http, rest, engine, &label, outcome).await;
    true
}

/// Delivers effects outside any interaction, through REST.
struct Outside<'a> {
    http: &'a Http,
    rest: &'a Rest,
    label: &'a str,
}

impl DeliverAsync for Outside<'_> {
    async fn deliver(&mut self, effect: &Effect, earlier: &[Delivered]) -> Delivered {
        match deliver_outside(self.http, self.rest, effect, earlier).await {
            Ok(done) => done,
            Err(err) => {
                tracing::debug!(job = %self.label, error = %err, "a scheduled effect failed");
                classify(&err)
            }
        }
    }
}

/// Carries out an outcome's effects through REST, then records what happened.
async fn deliver_and_record(
    http: &Http,
    rest: &Rest,
    engine: &Engine,
    label: &str,
    outcome: Outcome,
) {
    let report = engine
        .deliver_async(&outcome, &mut Outside { http, rest, label })
        .await;
    tracing::info!(job = %label, effects = report.len(), ok = report.iter().all(Delivered::ok), "scheduled work");
}
