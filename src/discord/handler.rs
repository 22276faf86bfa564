//! The gateway event handler: registration once per process, and every interaction answered
//! within Discord's 3-second window.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serenity::all::{
    AutocompleteChoice, ChannelId, CommandInteraction, ComponentInteraction, Context,
    CreateAutocompleteResponse, CreateInteractionResponse, CreateInteractionResponseMessage,
    CreateThread, EditInteractionResponse, EditMessage, EventHandler, Http, Interaction, MessageId,
    ModalInteraction, Nonce, Ready,
};
use serenity::async_trait;
use tokio::task::JoinHandle;

use crate::engine::{
    Ack, AutocompleteRequest, DeliverAsync, Delivered, Effect, Engine, Error, Message, MessageRef,
    NOT_COMPLETED, Outcome, Presentation, Request, Visibility, placeholder_note,
};

use super::convert;
use super::retry::{self, Repeat};

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
    /// Discord allows 3 seconds to acknowledge an interaction; answers not ready after this
    /// long are deferred first and delivered when done.
    defer_after: Duration,
    guild: Option<u64>,
    registered: AtomicBool,
    inflight: Arc<InFlight>,
}

impl Handler {
    pub fn new(
        engine: Engine,
        guild: Option<u64>,
        defer_after: Duration,
        inflight: Arc<InFlight>,
    ) -> Handler {
        Handler {
            engine,
            defer_after,
            guild,
            registered: AtomicBool::new(false),
            inflight,
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
            user = %ready.user.name,
            guilds = ready.guilds.len(),
            "connected to the gateway"
        );
        // Once per process: a reconnect fires `ready` again but must not re-register.
        if self.registered.swap(true, Ordering::SeqCst) {
            return;
        }
        match super::register_commands(&ctx.http, self.engine.registry(), self.guild).await {
            Ok(created) => {
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
                let req = convert::command_request(cmd);
                let label = req
                    .as_ref()
                    .map_or_else(|_| "/(outside a server)".into(), |r| self.engine.label(r));
                let outcome = self.answer(&ctx, Target::Command(cmd), req).await;
                (cmd.id.get(), label, cmd.guild_id, outcome)
            }
            Interaction::Component(click) => {
                let label = format!("button {}", self.engine.action_label(&click.data.custom_id));
                let req = convert::component_request(click);
                let outcome = self.answer(&ctx, Target::Component(click), req).await;
                (click.id.get(), label, click.guild_id, outcome)
            }
            Interaction::Modal(submit) => {
                let label = format!("modal {}", self.engine.action_label(&submit.data.custom_id));
                let req = convert::modal_request(submit);
                let outcome = self.answer(&ctx, Target::Modal(submit), req).await;
                (submit.id.get(), label, submit.guild_id, outcome)
            }
            Interaction::Autocomplete(ac) => {
                let outcome = self.on_autocomplete(&ctx, ac).await;
                // Every keystroke is an interaction: not worth an info line each.
                if let Err(e) = &outcome {
                    tracing::warn!(interaction = ac.id.get(), error = %e, "autocomplete answer failed");
                } else {
                    tracing::debug!(interaction = ac.id.get(), command = %ac.data.name, latency_ms = started.elapsed().as_millis() as u64, "autocomplete");
                }
                return;
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

/// An interaction that gets a message (or a modal) in reply.
#[derive(Clone, Copy)]
enum Target<'a> {
    Command(&'a CommandInteraction),
    Component(&'a ComponentInteraction),
    Modal(&'a ModalInteraction),
}

/// How far the interaction has been answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answered {
    /// Not yet acknowledged.
    No,
    /// Acknowledged with a "thinking" placeholder (type 5) whose visibility is fixed; the
    /// first edit or follow-up resolves that same message.
    Deferred(Visibility),
    /// Acknowledged without a placeholder (type 6): the button's message stays as it is.
    DeferredUpdate,
    /// The first answer was sent (or the placeholder resolved): later replies are follow-ups.
    Done,
}

impl Target<'_> {
    fn id(self) -> u64 {
        match self {
            Target::Command(c) => c.id.get(),
            Target::Component(c) => c.id.get(),
            Target::Modal(c) => c.id.get(),
        }
    }

    fn channel(self) -> ChannelId {
        match self {
            Target::Command(c) => c.channel_id,
            Target::Component(c) => c.channel_id,
            Target::Modal(c) => c.channel_id,
        }
    }

    /// The message a button (or a modal opened from one) sits on.
    fn source_message(self) -> Option<MessageId> {
        match self {
            Target::Command(_) => None,
            Target::Component(c) => Some(c.message.id),
            Target::Modal(c) => c.message.as_ref().map(|m| m.id),
        }
    }

    /// The first answer, retried while Discord's 3-second window lasts (a 5xx, a lost or held
    /// request). Discord refuses a second first answer with 40060, so after an attempt whose
    /// result was lost, that refusal means the earlier attempt went through.
    async fn respond(
        self,
        http: &Http,
        response: CreateInteractionResponse,
    ) -> Result<(), serenity::Error> {
        let deadline = Some(retry::ack_deadline(self.id()));
        retry::send("interaction callback", Repeat::Safe, deadline, |attempt| {
            let response = response.clone();
            async move {
                let sent = match self {
                    Target::Command(c) => c.create_response(http, response).await,
                    Target::Component(c) => c.create_response(http, response).await,
                    Target::Modal(c) => c.create_response(http, response).await,
                };
                match sent {
                    Err(e) if attempt > 0 && retry::already_acknowledged(&e) => Ok(()),
                    other => other,
                }
            }
        })
        .await
    }

    async fn edit_original(
        self,
        http: &Http,
        message: &Message,
    ) -> Result<serenity::all::Message, serenity::Error> {
        self.edit_original_with(http, convert::edit(message)).await
    }

    async fn edit_original_with(
        self,
        http: &Http,
        edit: EditInteractionResponse,
    ) -> Result<serenity::all::Message, serenity::Error> {
        // An edit is the same however often it is made.
        retry::send("edit @original", Repeat::Safe, None, |_| {
            let edit = edit.clone();
            async move {
                match self {
                    Target::Command(c) => c.edit_response(http, edit).await,
                    Target::Component(c) => c.edit_response(http, edit).await,
                    Target::Modal(c) => c.edit_response(http, edit).await,
                }
            }
        })
        .await
    }

    async fn delete_original(self, http: &Http) -> Result<(), serenity::Error> {
        retry::send("delete @original", Repeat::Safe, None, |_| async move {
            match self {
                Target::Command(c) => c.delete_response(http).await,
                Target::Component(c) => c.delete_response(http).await,
                Target::Modal(c) => c.delete_response(http).await,
            }
        })
        .await
    }

    async fn followup(
        self,
        http: &Http,
        message: &Message,
        visibility: Visibility,
    ) -> Result<serenity::all::Message, serenity::Error> {
        let f = convert::followup(message, visibility == Visibility::Private);
        // A follow-up has no nonce: sent twice, it shows twice. Only a 429 is tried again.
        retry::send("follow-up", Repeat::IfRefused, None, |_| {
            let f = f.clone();
            async move {
                match self {
                    Target::Command(c) => c.create_followup(http, f).await,
                    Target::Component(c) => c.create_followup(http, f).await,
                    Target::Modal(c) => c.create_followup(http, f).await,
                }
            }
        })
        .await
    }

    /// Acknowledges now, as planned, to be answered later by [`Handler::deliver`].
    async fn defer(self, http: &Http, plan: Ack) -> Result<Answered, serenity::Error> {
        // Types 6 and 7 need a message the component (or modal) came from.
        let update_allowed = self.source_message().is_some();
        match plan {
            Ack::Update if update_allowed => {
                self.respond(http, CreateInteractionResponse::Acknowledge)
                    .await?;
                Ok(Answered::DeferredUpdate)
            }
            Ack::Reply(visibility) => {
                let placeholder = CreateInteractionResponseMessage::new()
                    .ephemeral(visibility == Visibility::Private);
                self.respond(http, CreateInteractionResponse::Defer(placeholder))
                    .await?;
                Ok(Answered::Deferred(visibility))
            }
            // A modal cannot follow a deferral, and an update needs a message: answer privately.
            Ack::Update | Ack::Modal => {
                let placeholder = CreateInteractionResponseMessage::new().ephemeral(true);
                self.respond(http, CreateInteractionResponse::Defer(placeholder))
                    .await?;
                Ok(Answered::Deferred(Visibility::Private))
            }
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
                self.deliver(
                    ctx,
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
        let mut task = spawn_engine(&self.engine, req, target.id());
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
        let report = self.deliver(ctx, target, answered, &outcome, plan).await;
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

    /// Carries out the effects in order through the engine's delivery loop (which then
    /// commits), and reports what happened to each.
    async fn deliver(
        &self,
        ctx: &Context,
        target: Target<'_>,
        answered: Answered,
        outcome: &Outcome,
        plan: Ack,
    ) -> Vec<Delivered> {
        // For each effect: whether one after it answers the interaction.
        let mut answer_follows = vec![false; outcome.effects.len()];
        let mut later = false;
        for (i, effect) in outcome.effects.iter().enumerate().rev() {
            answer_follows[i] = later;
            later |= effect.answers_interaction();
        }
        let mut front = InteractionFront {
            handler: self,
            http: &ctx.http,
            target,
            answered,
            plan,
            answer_follows,
            unreachable_discord: false,
        };
        let report = self.engine.deliver_async(outcome, &mut front).await;
        front.finish().await;
        report
    }

    async fn deliver_one(
        &self,
        http: &Http,
        target: Target<'_>,
        answered: &mut Answered,
        effect: &Effect,
        earlier: &[Delivered],
    ) -> Result<Delivered, serenity::Error> {
        let channel = target.channel().get();
        let sent = |m: serenity::all::Message| Delivered::Message {
            channel_id: Some(m.channel_id.get()),
            message_id: Some(m.id.get()),
        };
        match effect {
            Effect::Reply {
                visibility,
                message,
            } => match *answered {
                Answered::No => {
                    let response =
                        convert::response_message(message, *visibility == Visibility::Private);
                    target
                        .respond(http, CreateInteractionResponse::Message(response))
                        .await?;
                    *answered = Answered::Done;
                    Ok(Delivered::Message {
                        channel_id: Some(channel),
                        message_id: None,
                    })
                }
                Answered::Deferred(placeholder) if placeholder == *visibility => {
                    let m = target.edit_original(http, message).await?;
                    *answered = Answered::Done;
                    Ok(sent(m))
                }
                Answered::Deferred(placeholder) => {
                    // The placeholder's visibility is fixed: resolve it to a neutral line,
                    // send the answer as a follow-up with its own visibility, and remove the
                    // placeholder. A private answer never lands in public, and the reverse.
                    target
                        .edit_original(http, &Message::text(placeholder_note(placeholder)))
                        .await?;
                    *answered = Answered::Done;
                    let m = match target.followup(http, message, *visibility).await {
                        Ok(m) => m,
                        Err(e) => {
                            // Say so, rather than leave a line promising an answer elsewhere.
                            let _ = target
                                .edit_original(http, &Message::text(NOT_COMPLETED))
                                .await;
                            return Err(e);
                        }
                    };
                    if let Err(e) = target.delete_original(http).await {
                        tracing::debug!(error = %e, "could not remove the placeholder");
                    }
                    Ok(sent(m))
                }
                Answered::DeferredUpdate | Answered::Done => {
                    *answered = Answered::Done;
                    Ok(sent(target.followup(http, message, *visibility).await?))
                }
            },
            Effect::Update(message) => {
                let update = Update {
                    response: convert::response_message(message, false),
                    original: convert::edit(message),
                    channel: convert::edit_message(message),
                };
                update_source(http, target, answered, update).await
            }
            Effect::UpdateButtons(buttons) => {
                let rows = convert::buttons_only(buttons);
                let update = Update {
                    response: CreateInteractionResponseMessage::new().components(rows.clone()),
                    original: EditInteractionResponse::new().components(rows.clone()),
                    channel: EditMessage::new().components(rows),
                };
                update_source(http, target, answered, update).await
            }
            Effect::OpenModal(modal) => match *answered {
                Answered::No => {
                    target
                        .respond(
                            http,
                            CreateInteractionResponse::Modal(convert::modal(modal)),
                        )
                        .await?;
                    *answered = Answered::Done;
                    Ok(Delivered::Done)
                }
                _ => {
                    tracing::error!(
                        interaction = target.id(),
                        "a modal can only be the first answer"
                    );
                    if let Answered::Deferred(_) = answered {
                        let sorry = Error::Internal("late modal".into()).to_message();
                        target.edit_original(http, &sorry).await?;
                        *answered = Answered::Done;
                    }
                    Ok(Delivered::Failed("modal after the first answer".into()))
                }
            },
            other => deliver_outside(http, other, earlier).await,
        }
    }

    async fn on_autocomplete(
        &self,
        ctx: &Context,
        ac: &CommandInteraction,
    ) -> Result<(), serenity::Error> {
        let choices = match ac.data.autocomplete() {
            Some(focused) => {
                let (command, options) = convert::autocomplete_path(ac);
                let req = AutocompleteRequest {
                    guild_id: ac.guild_id.map_or(0, |g| g.get()),
                    channel_id: ac.channel_id.get(),
                    command,
                    option: focused.name.to_string(),
                    partial: focused.value.to_string(),
                    options,
                    member: Some(convert::member(&ac.user, ac.member.as_deref())),
                };
                // Suggestions may read the store: off the async workers, like every store call.
                let engine = self.engine.clone();
                tokio::task::spawn_blocking(move || engine.autocomplete(&req))
                    .await
                    .unwrap_or_default()
            }
            None => Vec::new(),
        };
        let response = CreateAutocompleteResponse::new().set_choices(
            choices
                .into_iter()
                .map(|c| AutocompleteChoice::new(c.name, c.value))
                .collect(),
        );
        let deadline = Some(retry::ack_deadline(ac.id.get()));
        retry::send("autocomplete", Repeat::Safe, deadline, |attempt| {
            let response = CreateInteractionResponse::Autocomplete(response.clone());
            async move {
                match ac.create_response(&ctx.http, response).await {
                    Err(e) if attempt > 0 && retry::already_acknowledged(&e) => Ok(()),
                    other => other,
                }
            }
        })
        .await
    }
}

/// Delivers an interaction's effects: the first answer and its follow-ups, posts, threads,
/// edits. Work outside the interaction (a post, say) may take a while, so the interaction is
/// acknowledged before it when an answer follows.
struct InteractionFront<'a> {
    handler: &'a Handler,
    http: &'a Http,
    target: Target<'a>,
    answered: Answered,
    plan: Ack,
    answer_follows: Vec<bool>,
    /// Work outside the answer failed even after the retries: the member is told.
    unreachable_discord: bool,
}

impl DeliverAsync for InteractionFront<'_> {
    async fn deliver(&mut self, effect: &Effect, earlier: &[Delivered]) -> Delivered {
        let (http, target) = (self.http, self.target);
        let follows = self
            .answer_follows
            .get(earlier.len())
            .copied()
            .unwrap_or(false);
        if self.answered == Answered::No && !effect.answers_interaction() && follows {
            match target.defer(http, self.plan).await {
                Ok(a) => self.answered = a,
                Err(e) => {
                    tracing::warn!(interaction = target.id(), error = %e, "could not acknowledge");
                }
            }
        }
        match self
            .handler
            .deliver_one(http, target, &mut self.answered, effect, earlier)
            .await
        {
            Ok(done) => done,
            Err(e) => {
                tracing::warn!(interaction = target.id(), error = %e, "Discord refused an effect");
                let done = classify(&e);
                // Work outside the answer (a post, a thread) failed even after the retries:
                // the member is told below, as the answer may promise it.
                self.unreachable_discord |=
                    !effect.answers_interaction() && matches!(done, Delivered::Failed(_));
                done
            }
        }
    }
}

impl InteractionFront<'_> {
    /// After the last effect: say so if work outside the answer failed, and never leave a
    /// deferral unresolved (the member would see "thinking..." until it fails).
    async fn finish(self) {
        let (http, target) = (self.http, self.target);
        if self.unreachable_discord
            && matches!(self.answered, Answered::Done | Answered::DeferredUpdate)
        {
            let sorry = Message::text(NOT_COMPLETED);
            if let Err(e) = target.followup(http, &sorry, Visibility::Private).await {
                tracing::warn!(interaction = target.id(), error = %e, "could not say that a request failed");
            }
        }
        if let Answered::Deferred(_) = self.answered {
            tracing::error!(
                interaction = target.id(),
                "nothing answered a deferred interaction"
            );
            let _ = target
                .edit_original(http, &Message::text(NOT_COMPLETED))
                .await;
        }
    }
}

/// Carries out an effect that does not answer an interaction: posts, threads, edits,
/// deletions and look-ups, for interactions and for the scheduler alike.
pub(super) async fn deliver_outside(
    http: &Http,
    effect: &Effect,
    earlier: &[Delivered],
) -> Result<Delivered, serenity::Error> {
    let sent = |m: serenity::all::Message| Delivered::Message {
        channel_id: Some(m.channel_id.get()),
        message_id: Some(m.id.get()),
    };
    match effect {
        Effect::Post {
            channel_id,
            message,
            nonce,
            reply_to,
        } => {
            let mut builder = convert::channel_message(message);
            if let Some(n) = nonce {
                builder = builder.nonce(Nonce::String(n.clone())).enforce_nonce(true);
            }
            if let Some(m) = reply_to {
                builder =
                    builder.reference_message((ChannelId::new(*channel_id), MessageId::new(*m)));
            }
            // With `enforce_nonce`, Discord returns the earlier message instead of making a
            // second one, so a post whose answer was lost can be sent again.
            let repeat = if nonce.is_some() {
                Repeat::Safe
            } else {
                Repeat::IfRefused
            };
            let channel = ChannelId::new(*channel_id);
            let m = retry::send("channel post", repeat, None, |_| {
                channel.send_message(http, builder.clone())
            })
            .await?;
            Ok(sent(m))
        }
        Effect::FindPost {
            channel_id,
            nonce,
            marker,
            since_ms,
        } => find_post(http, *channel_id, nonce, marker, *since_ms).await,
        Effect::Thread { on, name, message } => {
            let Some((parent, mid)) = resolve_ref(on, earlier) else {
                return Ok(Delivered::Skipped);
            };
            // A second attempt is refused with THREAD_EXISTS, handled below.
            let created = retry::send("start thread", Repeat::Safe, None, |_| {
                ChannelId::new(parent).create_thread_from_message(
                    http,
                    MessageId::new(mid),
                    CreateThread::new(name.clone()),
                )
            })
            .await;
            let thread =
                match created {
                    Ok(thread) => thread.id,
                    // Made by an earlier attempt whose message did not go through: a thread
                    // started from a message has that message's id.
                    Err(serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(
                        r,
                    ))) if r.error.code == THREAD_EXISTS => ChannelId::new(mid),
                    Err(e) => return Err(e),
                };
            let m = retry::send("thread post", Repeat::IfRefused, None, |_| {
                thread.send_message(http, convert::channel_message(message))
            })
            .await?;
            Ok(Delivered::Thread {
                thread_id: thread.get(),
                message_id: m.id.get(),
            })
        }
        Effect::Edit { target: r, message } => {
            let Some((c, mid)) = resolve_ref(r, earlier) else {
                return Ok(Delivered::Skipped);
            };
            let m = retry::send("edit message", Repeat::Safe, None, |_| {
                ChannelId::new(c).edit_message(
                    http,
                    MessageId::new(mid),
                    convert::edit_message(message),
                )
            })
            .await?;
            Ok(sent(m))
        }
        Effect::Delete { target: r } => {
            let Some((c, mid)) = resolve_ref(r, earlier) else {
                return Ok(Delivered::Skipped);
            };
            retry::send("delete message", Repeat::Safe, None, |_| {
                ChannelId::new(c).delete_message(http, MessageId::new(mid))
            })
            .await?;
            Ok(Delivered::Done)
        }
        Effect::Reply { .. }
        | Effect::Update(_)
        | Effect::UpdateButtons(_)
        | Effect::OpenModal(_) => Ok(Delivered::Failed(
            "an interaction answer outside an interaction".into(),
        )),
    }
}

/// How a failed request counts: Discord refusing for good (403 no access or permission, 404
/// the channel or message is gone) or a failure worth retrying (server errors, timeouts, rate
/// limits, the network).
pub(super) fn classify(e: &serenity::Error) -> Delivered {
    use serenity::all::HttpError;
    match e {
        // Any other 4xx is Discord saying this request will never work as it is (missing
        // access or permissions, an unknown channel or message, an invalid body); 408 and 429
        // are worth trying again.
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            let status = r.status_code.as_u16();
            if (400..500).contains(&status) && status != 408 && status != 429 {
                Delivered::Refused(format!("{} ({})", r.error.message, r.error.code))
            } else {
                Delivered::Failed(e.to_string())
            }
        }
        // serenity refused to send it (too long, say): sending again will not help.
        serenity::Error::Model(_) => Delivered::Refused(e.to_string()),
        _ => Delivered::Failed(e.to_string()),
    }
}

/// Discord's error code for "a thread has already been created for this message".
const THREAD_EXISTS: isize = 160004;

/// Looks through a channel's recent messages for a post of the bot's: by nonce (Discord echoes
/// it on messages it still holds in memory), or else the bot's own message since `since_ms`
/// whose first card's footer starts with `marker`.
async fn find_post(
    http: &Http,
    channel_id: u64,
    nonce: &str,
    marker: &str,
    since_ms: i64,
) -> Result<Delivered, serenity::Error> {
    /// Milliseconds between the Unix epoch and Discord's (2015-01-01), for snowflakes.
    const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;
    let me = retry::send("current user", Repeat::Safe, None, |_| {
        http.get_current_user()
    })
    .await?
    .id;
    let channel = ChannelId::new(channel_id);
    // Messages after `since_ms`, oldest first, a page at a time (a busy channel may have
    // many since the claim).
    let mut after = MessageId::new((((since_ms - DISCORD_EPOCH_MS).max(1) as u64) << 22).max(1));
    for _ in 0..20 {
        let page = retry::send("channel history", Repeat::Safe, None, |_| {
            channel.messages(
                http,
                serenity::all::GetMessages::new().after(after).limit(100),
            )
        })
        .await?;
        if page.is_empty() {
            break;
        }
        let found = page.iter().find(|m| {
            let by_nonce = matches!(&m.nonce, Some(Nonce::String(n)) if n == nonce);
            let mine = m.author.id == me
                && m.embeds
                    .first()
                    .and_then(|e| e.footer.as_ref())
                    .is_some_and(|f| f.text == marker);
            by_nonce || mine
        });
        if let Some(m) = found {
            return Ok(Delivered::Message {
                channel_id: Some(channel_id),
                message_id: Some(m.id.get()),
            });
        }
        match page.iter().map(|m| m.id).max() {
            Some(newest) if newest > after => after = newest,
            _ => break,
        }
    }
    Ok(Delivered::NotFound)
}

/// One change of the message a button sits on, in the three forms Discord takes it: as the
/// first answer (type 7), as an edit after a deferred update, or as a plain message edit.
struct Update {
    response: CreateInteractionResponseMessage,
    original: EditInteractionResponse,
    channel: EditMessage,
}

async fn update_source(
    http: &Http,
    target: Target<'_>,
    answered: &mut Answered,
    update: Update,
) -> Result<Delivered, serenity::Error> {
    let Some(source) = target.source_message() else {
        return Ok(Delivered::Failed("no message to update".into()));
    };
    let channel = target.channel();
    let done = |m: Option<MessageId>| Delivered::Message {
        channel_id: Some(channel.get()),
        message_id: Some(m.unwrap_or(source).get()),
    };
    match *answered {
        Answered::No => {
            target
                .respond(
                    http,
                    CreateInteractionResponse::UpdateMessage(update.response),
                )
                .await?;
            *answered = Answered::Done;
            Ok(done(None))
        }
        Answered::DeferredUpdate => {
            // After a deferred update, @original is the button's message.
            let m = target.edit_original_with(http, update.original).await?;
            *answered = Answered::Done;
            Ok(done(Some(m.id)))
        }
        _ => {
            let m = retry::send("edit message", Repeat::Safe, None, |_| {
                channel.edit_message(http, source, update.channel.clone())
            })
            .await?;
            Ok(done(Some(m.id)))
        }
    }
}

/// A channel and message id for a reference: an earlier effect's result, or an existing one.
fn resolve_ref(r: &MessageRef, earlier: &[Delivered]) -> Option<(u64, u64)> {
    match r {
        MessageRef::Existing {
            channel_id,
            message_id,
        } => Some((*channel_id, *message_id)),
        MessageRef::Earlier(i) => match earlier.get(i.index())? {
            Delivered::Message {
                channel_id: Some(c),
                message_id: Some(m),
            } => Some((*c, *m)),
            Delivered::Thread {
                thread_id,
                message_id,
            } => Some((*thread_id, *message_id)),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
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
