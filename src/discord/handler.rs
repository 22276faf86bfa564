//! The gateway event handler: registration once per process, and every interaction answered
//! within Discord's 3-second window.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serenity::all::{Context, EventHandler, Interaction, Ready};
use serenity::async_trait;
use tokio::task::JoinHandle;

use crate::bank::MAX_UPLOAD_BYTES;
use crate::engine::{Ack, Delivered, Engine, Error, Outcome, Presentation, Request, Visibility};

use super::convert;
use super::deliver::deliver;
use super::inflight::InFlight;
use super::respond::{Answered, Target};
use super::rest::Rest;

/// How long one registration request may take before it is abandoned and tried again.
const REGISTER_TIMEOUT: Duration = Duration::from_secs(15);
/// Registration attempts per connection, waiting 1, 2, 4, ... seconds (at most a minute)
/// between them.
const REGISTER_ATTEMPTS: u32 = 6;
const REGISTER_MAX_WAIT: Duration = Duration::from_secs(60);

/// The wait before registration attempt `attempt` (from 2): doubling from a second.
fn register_backoff(attempt: u32) -> Duration {
    Duration::from_secs(1 << (attempt.saturating_sub(2)).min(6)).min(REGISTER_MAX_WAIT)
}

/// Registers the commands, each attempt bounded by [`REGISTER_TIMEOUT`], retrying with
/// backoff; `None` once [`REGISTER_ATTEMPTS`] have failed (each failure is logged).
async fn register_with_retries(
    http: &serenity::http::Http,
    registry: crate::engine::Registry,
    guild: Option<u64>,
) -> Option<Vec<(String, u64)>> {
    for attempt in 1..=REGISTER_ATTEMPTS {
        if attempt > 1 {
            tokio::time::sleep(register_backoff(attempt)).await;
        }
        match tokio::time::timeout(
            REGISTER_TIMEOUT,
            super::register_commands(http, registry, guild),
        )
        .await
        {
            Ok(Ok(created)) => return Some(created),
            Ok(Err(e)) => {
                tracing::warn!(attempt, error = %e, "command registration failed; retrying")
            }
            Err(_) => tracing::warn!(
                attempt,
                timeout_s = REGISTER_TIMEOUT.as_secs(),
                "command registration timed out; retrying"
            ),
        }
    }
    None
}

pub struct Handler {
    engine: Engine,
    /// Discord allows 3 seconds to acknowledge an interaction; answers not ready after this
    /// long are deferred first and delivered when done.
    defer_after: Duration,
    guild: Option<u64>,
    registered: AtomicBool,
    inflight: Arc<InFlight>,
    /// Requests outside interactions, at Discord's pace (shared with the scheduler).
    rest: Arc<Rest>,
}

impl Handler {
    pub fn new(
        engine: Engine,
        guild: Option<u64>,
        defer_after: Duration,
        inflight: Arc<InFlight>,
        rest: Arc<Rest>,
    ) -> Handler {
        Handler {
            engine,
            defer_after,
            guild,
            registered: AtomicBool::new(false),
            inflight,
            rest,
        }
    }
}

/// Runs the engine on the blocking pool (it may wait on SQLite), inside a span naming the
/// interaction so that anything the engine logs can be traced back to it.
fn spawn_engine(engine: &Engine, req: Request, interaction: u64) -> JoinHandle<Outcome> {
    let engine = engine.clone();
    let span = tracing::info_span!("interaction", id = interaction);
    tokio::task::spawn_blocking(move || span.in_scope(|| engine.run(&req)))
}

/// How long fetching an attachment may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(15);

/// Like [`spawn_engine`], for a command with files attached: each is fetched first (from
/// Discord's attachment host, within the size and time limits) and handed to the engine with
/// the request, inside the same task, so the answer is deferred as any slow answer is.
fn spawn_with_files(
    engine: &Engine,
    rest: Arc<Rest>,
    req: Request,
    interaction: u64,
) -> JoinHandle<Outcome> {
    let engine = engine.clone();
    tokio::spawn(async move {
        // Nothing is fetched for a member the command will refuse (the engine then says why).
        let check = engine.clone();
        let (allowed, req_back) = match tokio::task::spawn_blocking(move || {
            let allowed = check.may_run(&req);
            (allowed, req)
        })
        .await
        {
            Ok(pair) => pair,
            Err(e) => return Error::Internal(e.to_string()).to_outcome(),
        };
        let mut req = req_back;
        for a in req.resolved.attachments.values_mut().filter(|_| allowed) {
            a.content = rest
                .fetch_attachment(&a.url, a.size, MAX_UPLOAD_BYTES as u64, FETCH_TIMEOUT)
                .await;
        }
        match spawn_engine(&engine, req, interaction).await {
            Ok(outcome) => outcome,
            // A panic of the engine is the task's panic, settled as any other.
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => Error::Internal(e.to_string()).to_outcome(),
        }
    })
}

/// The outcome of a finished engine task; a panic becomes an apology, and the bot goes on.
fn settle(done: Result<Outcome, tokio::task::JoinError>, id: u64) -> (Outcome, &'static str) {
    match done {
        Ok(outcome) if outcome.is_error => (outcome, "error"),
        Ok(outcome) => (outcome, "ok"),
        Err(e) => {
            tracing::error!(interaction = id, error = %e, "handler panicked");
            (Error::Internal(e.to_string()).to_outcome(), "panic")
        }
    }
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(
            user = ?ready.user.name,
            guilds = ready.guilds.len(),
            "connected to the gateway"
        );
        // Once per process: a reconnect fires `ready` again but must not re-register.
        if self.registered.swap(true, Ordering::SeqCst) {
            return;
        }
        match register_with_retries(&ctx.http, self.engine.registry(), self.guild).await {
            Some(created) => {
                let n = created.len();
                match self.guild {
                    Some(g) => {
                        tracing::info!(count = n, guild = g, "registered commands to the server")
                    }
                    None => tracing::info!(count = n, "registered commands globally"),
                }
                self.engine.set_presentation(Presentation {
                    bot_name: Some(ready.user.name.clone()),
                    command_ids: created.into_iter().collect(),
                });
            }
            None => {
                tracing::error!(
                    attempts = REGISTER_ATTEMPTS,
                    "command registration keeps failing; the bot keeps running with the commands Discord already has, and tries again on the next reconnect"
                );
                self.registered.store(false, Ordering::SeqCst);
            }
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let Some(_guard) = self.inflight.enter() else {
            tracing::debug!("interaction ignored: shutting down");
            return;
        };
        let started = Instant::now();
        let (target, label, guild, req) = match &interaction {
            Interaction::Command(cmd) => {
                let req = convert::command_request(cmd);
                let label = req
                    .as_ref()
                    .map_or_else(|_| "/(outside a server)".into(), |r| self.engine.label(r));
                (Target::from(cmd), label, cmd.guild_id, req)
            }
            Interaction::Component(click) => (
                Target::from(click),
                format!("button {}", self.engine.action_label(&click.data.custom_id)),
                click.guild_id,
                convert::component_request(click),
            ),
            Interaction::Modal(submit) => (
                Target::from(submit),
                format!("modal {}", self.engine.action_label(&submit.data.custom_id)),
                submit.guild_id,
                convert::modal_request(submit),
            ),
            Interaction::Autocomplete(ac) => {
                let outcome = super::autocomplete::answer(&self.engine, &ctx, ac).await;
                // Every keystroke is an interaction: not worth an info line each.
                if let Err(e) = &outcome {
                    tracing::warn!(interaction = ac.id.get(), error = %e, "autocomplete answer failed");
                } else {
                    tracing::debug!(interaction = ac.id.get(), command = ?ac.data.name, latency_ms = started.elapsed().as_millis() as u64, "autocomplete");
                }
                return;
            }
            other => {
                tracing::debug!(kind = ?other.kind(), "interaction type not handled");
                return;
            }
        };
        let outcome = self.answer(&ctx, target, req).await;
        let id = target.id();
        let latency_ms = started.elapsed().as_millis() as u64;
        let guild = guild.map_or(0, |g| g.get());
        match outcome {
            Ok(outcome) => {
                tracing::info!(interaction = id, command = %label, guild, outcome, latency_ms, "interaction")
            }
            Err(e) => tracing::error!(
                interaction = id,
                command = %label,
                guild,
                outcome = "send-failed",
                latency_ms,
                error = %e,
                "interaction"
            ),
        }
    }
}

impl Handler {
    /// Runs the engine for a command, click or modal and answers within Discord's window,
    /// then records what was delivered.
    async fn answer(
        &self,
        ctx: &Context,
        target: Target<'_>,
        req: Result<Request, Error>,
    ) -> Result<&'static str, serenity::Error> {
        let req = match req {
            Ok(req) => req,
            Err(e) => {
                let outcome = e.to_outcome();
                deliver(
                    &self.engine,
                    ctx,
                    &self.rest,
                    target,
                    Answered::No,
                    &outcome,
                    Ack::Reply(Visibility::Private),
                )
                .await;
                return Ok("refused");
            }
        };
        let plan = self.engine.plan(&req);
        let mut task = if req.resolved.attachments.is_empty() {
            spawn_engine(&self.engine, req, target.id())
        } else {
            spawn_with_files(&self.engine, self.rest.clone(), req, target.id())
        };
        // With no budget at all, always defer (deterministic, for slow links and tests).
        let in_time = if self.defer_after.is_zero() {
            None
        } else {
            tokio::time::timeout(self.defer_after, &mut task).await.ok()
        };
        let (outcome, label, answered) = match in_time {
            Some(done) => {
                let (outcome, label) = settle(done, target.id());
                (outcome, label, Answered::No)
            }
            None => match target.defer(&ctx.http, plan).await {
                Ok(answered) => {
                    let (outcome, label) = settle(task.await, target.id());
                    let label = if label == "ok" { "ok-deferred" } else { label };
                    (outcome, label, answered)
                }
                Err(e) => {
                    // Discord would not take the acknowledgement (the interaction expired,
                    // say): nothing can be delivered, but what was claimed is released.
                    let (outcome, _) = settle(task.await, target.id());
                    let skipped = vec![Delivered::Skipped; outcome.effects.len()];
                    self.engine.commit_async(&outcome, skipped).await;
                    return Err(e);
                }
            },
        };
        // Delivers, then records what was delivered.
        let report = deliver(
            &self.engine,
            ctx,
            &self.rest,
            target,
            answered,
            &outcome,
            plan,
        )
        .await;
        let failed = report.iter().find_map(|d| match d {
            Delivered::Failed(reason) => Some(reason.clone()),
            _ => None,
        });
        match failed {
            Some(reason) => {
                tracing::warn!(
                    interaction = target.id(),
                    reason,
                    "an effect was not delivered"
                );
                Ok("partly-delivered")
            }
            None => Ok(label),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn registration_backs_off_doubling_up_to_a_minute() {
        let waits: Vec<u64> = (2..=9)
            .map(|a| super::register_backoff(a).as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
    }

    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_becomes_a_private_apology() {
        let task = tokio::task::spawn_blocking(|| -> Outcome { panic!("boom") });
        let (outcome, label) = settle(task.await, 1);
        assert_eq!(label, "panic");
        let (visibility, message) = outcome.first_reply().unwrap();
        assert!(outcome.is_error && visibility == Visibility::Private);
        let text = message.content.clone().unwrap();
        assert!(
            text.contains("went wrong on our side") && !text.contains("boom"),
            "{text}"
        );
    }
}
