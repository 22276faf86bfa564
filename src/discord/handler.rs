//! The gateway event handler: registration once per process, and every interaction answered
//! within Discord's 3-second window.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serenity::all::{
    AutocompleteChoice, CommandInteraction, ComponentInteraction, Context,
    CreateAutocompleteResponse, CreateInteractionResponse, EventHandler, Http, Interaction, Ready,
};
use serenity::async_trait;
use tokio::task::JoinHandle;

use crate::engine::{AutocompleteRequest, Engine, Error, Reply, Request, Visibility};

use super::convert;

/// Discord allows 3 seconds to acknowledge an interaction; replies not ready after this long
/// are deferred first and delivered when done.
const ACK_BUDGET: Duration = Duration::from_millis(2000);

/// Counts interactions being handled, so shutdown can wait for them.
#[derive(Debug, Default)]
pub struct InFlight {
    count: AtomicUsize,
    closed: AtomicBool,
}

/// Held while an interaction is handled.
pub struct InFlightGuard(Arc<InFlight>);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.0.count.fetch_sub(1, Ordering::SeqCst);
    }
}

impl InFlight {
    /// Registers an interaction, or `None` once shutdown has begun.
    pub fn enter(self: &Arc<Self>) -> Option<InFlightGuard> {
        self.count.fetch_add(1, Ordering::SeqCst);
        let guard = InFlightGuard(self.clone());
        (!self.closed.load(Ordering::SeqCst)).then_some(guard)
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Waits until nothing is in flight; false if `limit` passed first.
    pub async fn wait_idle(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while self.count() > 0 {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }
}

pub struct Handler {
    engine: Engine,
    guild: Option<u64>,
    registered: AtomicBool,
    inflight: Arc<InFlight>,
}

impl Handler {
    pub fn new(engine: Engine, guild: Option<u64>, inflight: Arc<InFlight>) -> Handler {
        Handler {
            engine,
            guild,
            registered: AtomicBool::new(false),
            inflight,
        }
    }
}

/// Runs the engine on the blocking pool (it may wait on SQLite), inside a span naming the
/// interaction so that anything the engine logs can be traced back to it.
fn spawn_engine(engine: &Engine, req: Request, interaction: u64) -> JoinHandle<Reply> {
    let engine = engine.clone();
    let span = tracing::info_span!("interaction", id = interaction);
    tokio::task::spawn_blocking(move || span.in_scope(|| engine.handle(&req)))
}

/// The reply of a finished engine task; a panic becomes an apology, and the bot goes on.
fn settle(done: Result<Reply, tokio::task::JoinError>, id: u64) -> (Reply, &'static str) {
    match done {
        Ok(reply) if reply.is_error => (reply, "error"),
        Ok(reply) => (reply, "ok"),
        Err(e) => {
            tracing::error!(interaction = id, error = %e, "handler panicked");
            (Error::Internal(e.to_string()).to_reply(), "panic")
        }
    }
}

const OUTSIDE_GUILD: &str = "interview-bot works inside servers only: use it in a server channel.";

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        tracing::info!(
            user = %ready.user.name,
            guilds = ready.guilds.len(),
            "connected to the gateway"
        );
        // Once per process: a reconnect fires `ready` again but must not re-register.
        if self.registered.swap(true, Ordering::SeqCst) {
            return;
        }
        match super::register_commands(&ctx.http, self.guild).await {
            Ok(n) => match self.guild {
                Some(g) => {
                    tracing::info!(count = n, guild = g, "registered commands to the server")
                }
                None => tracing::info!(count = n, "registered commands globally"),
            },
            Err(e) => {
                tracing::error!(error = %e, "command registration failed; will retry on reconnect");
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
        let (id, label, guild, outcome) = match &interaction {
            Interaction::Command(cmd) => {
                let label = format!("/{}", cmd.data.name);
                let req = convert::command_request(cmd);
                let outcome = self.answer(&ctx, Target::Command(cmd), req).await;
                (cmd.id.get(), label, cmd.guild_id, outcome)
            }
            Interaction::Component(click) => {
                let label = crate::engine::Action::label(&click.data.custom_id);
                let req = convert::component_request(click);
                let outcome = self.answer(&ctx, Target::Component(click), req).await;
                (click.id.get(), label, click.guild_id, outcome)
            }
            Interaction::Autocomplete(ac) => {
                let label = format!("autocomplete /{}", ac.data.name);
                let outcome = self.on_autocomplete(&ctx, ac).await;
                (ac.id.get(), label, ac.guild_id, outcome)
            }
            other => {
                tracing::debug!(kind = ?other.kind(), "interaction type not handled");
                return;
            }
        };
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

/// An interaction that gets a message in reply.
#[derive(Clone, Copy)]
enum Target<'a> {
    Command(&'a CommandInteraction),
    Component(&'a ComponentInteraction),
}

impl Target<'_> {
    fn id(self) -> u64 {
        match self {
            Target::Command(c) => c.id.get(),
            Target::Component(c) => c.id.get(),
        }
    }

    async fn respond(self, http: &Http, reply: &Reply) -> Result<(), serenity::Error> {
        let response = CreateInteractionResponse::Message(convert::response_message(reply));
        match self {
            Target::Command(c) => c.create_response(http, response).await,
            Target::Component(c) => c.create_response(http, response).await,
        }
    }

    /// Acknowledges now, to be answered later by [`Target::deliver`].
    async fn defer(self, http: &Http) -> Result<(), serenity::Error> {
        match self {
            // A private "thinking…" placeholder.
            Target::Command(c) => c.defer_ephemeral(http).await,
            // The clicked message stays as it is.
            Target::Component(c) => {
                c.create_response(http, CreateInteractionResponse::Acknowledge)
                    .await
            }
        }
    }

    /// Delivers a reply after [`Target::defer`].
    async fn deliver(self, http: &Http, reply: &Reply) -> Result<(), serenity::Error> {
        match self {
            Target::Command(c) if reply.visibility == Visibility::Private => {
                c.edit_response(http, convert::edit(reply)).await.map(drop)
            }
            Target::Command(c) => {
                c.create_followup(http, convert::followup(reply)).await?;
                c.delete_response(http).await
            }
            Target::Component(c) => c
                .create_followup(http, convert::followup(reply))
                .await
                .map(drop),
        }
    }
}

impl Handler {
    /// Runs the engine for a command or click and answers within Discord's window.
    async fn answer(
        &self,
        ctx: &Context,
        target: Target<'_>,
        req: Option<Request>,
    ) -> Result<&'static str, serenity::Error> {
        let Some(req) = req else {
            target
                .respond(&ctx.http, &Reply::private_text(OUTSIDE_GUILD))
                .await?;
            return Ok("outside-guild");
        };
        let mut task = spawn_engine(&self.engine, req, target.id());
        if let Ok(done) = tokio::time::timeout(ACK_BUDGET, &mut task).await {
            let (reply, outcome) = settle(done, target.id());
            target.respond(&ctx.http, &reply).await?;
            return Ok(outcome);
        }
        target.defer(&ctx.http).await?;
        let (reply, outcome) = settle(task.await, target.id());
        target.deliver(&ctx.http, &reply).await?;
        Ok(if outcome == "ok" {
            "ok-deferred"
        } else {
            outcome
        })
    }

    async fn on_autocomplete(
        &self,
        ctx: &Context,
        ac: &CommandInteraction,
    ) -> Result<&'static str, serenity::Error> {
        let choices = match ac.data.autocomplete() {
            Some(focused) => self.engine.autocomplete(&AutocompleteRequest {
                guild_id: ac.guild_id.map_or(0, |g| g.get()),
                command: ac.data.name.clone(),
                option: focused.name.to_string(),
                partial: focused.value.to_string(),
            }),
            None => Vec::new(),
        };
        let response = CreateAutocompleteResponse::new().set_choices(
            choices
                .into_iter()
                .map(|c| AutocompleteChoice::new(c.name, c.value))
                .collect(),
        );
        ac.create_response(&ctx.http, CreateInteractionResponse::Autocomplete(response))
            .await?;
        Ok("ok")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_becomes_a_private_apology() {
        let task = tokio::task::spawn_blocking(|| -> Reply { panic!("boom") });
        let (reply, outcome) = settle(task.await, 1);
        assert_eq!(outcome, "panic");
        assert!(reply.is_error && reply.is_private());
        let text = reply.content.unwrap();
        assert!(
            text.contains("went wrong on our side") && !text.contains("boom"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn shutdown_refuses_new_work_and_waits_for_running_work() {
        let inflight = Arc::new(InFlight::default());
        let guard = inflight.enter().unwrap();
        inflight.close();
        assert!(inflight.enter().is_none());
        assert!(!inflight.wait_idle(Duration::from_millis(50)).await);
        drop(guard);
        assert!(inflight.wait_idle(Duration::from_millis(50)).await);
    }
}
