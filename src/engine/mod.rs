//! The engine: the bot's behaviour in plain Rust. A [`Request`] goes in, an [`Outcome`] (a list
//! of effects plus what to record once they happened) comes out. No Discord types here;
//! `crate::discord` and `crate::console` translate to and from it.
//!
//! The framework (request, effects, commands, actions, access, rubric access, errors, limits)
//! is kept apart from the features (`questions`, `help`, `scores`), which use it and the store.
//! (`scores` shows rubrics and level colours with the question cards' own helpers.)
//!
//! Calls are synchronous (the store may touch the disk): async front ends run them on the
//! blocking pool.

pub mod access;
pub mod action;
pub mod cards;
pub mod catalog;
pub mod command;
pub mod complete;
pub mod deliver;
pub mod effect;
mod error;
pub mod feature;
pub mod limits;
pub mod pool;
pub mod rate;
pub mod request;
pub mod rubric;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use crate::bank::Bank;
use crate::clock::Clock;
use crate::logging::escaped;
use crate::store::Store;

pub use access::Access;
pub use action::{Ack, Action, ActionSpec, MAX_ACTION_LEN};
pub use cards::BOT_COLOUR;
pub use catalog::Catalog;
pub use command::{
    Answer, Args, ChoiceSpec, CommandSpec, Completion, Leaf, OptionKind, OptionSpec, Options, Run,
};
pub use deliver::{Deliver, DeliverAsync};
pub use effect::{
    Attachment, Button, ButtonStyle, Card, Choice, Commit, Delivered, Effect, EffectId, Field,
    InputStyle, Message, MessageRef, Modal, Outcome, Record, Select, SelectOption, TextInput,
    Visibility,
};
pub use error::{Error, Handled, InputError, NOT_COMPLETED, Refusal, placeholder_note};
pub use feature::{Due, Feature, Job, JobKind, Registry};
pub use request::{
    AutocompleteRequest, ChannelKind, FetchRefusal, Fetched, Invocation, Member, Origin,
    Permissions, RawOption, RawValue, Request, Resolved, ResolvedAttachment, ResolvedChannel,
    ResolvedRole, ResolvedUser, SourceMessage, field,
};

/// Most suggestions Discord shows for autocomplete.
pub const MAX_CHOICES: usize = 25;

/// The bot's behaviour; cheap to clone, shared by all front ends and threads. It holds what
/// every feature needs (bank, store, clock, randomness, the features themselves); each
/// feature's own in-memory state is kept by type in [`feature::States`].
#[derive(Clone)]
pub struct Engine {
    bank: Arc<Bank>,
    pub(crate) store: Store,
    pub(crate) clock: Arc<dyn Clock>,
    rng: Arc<Mutex<fastrand::Rng>>,
    registry: Registry,
    states: Arc<feature::States>,
    presentation: Arc<RwLock<Presentation>>,
    /// Woken when a feature's scheduled work changed, so the scheduler looks again.
    scheduled: Arc<tokio::sync::Notify>,
}

/// What the front end tells the engine about how it appears: the bot's name, and the ids
/// Discord gave the registered commands (for clickable command mentions).
#[derive(Debug, Clone, Default)]
pub struct Presentation {
    pub bot_name: Option<String>,
    /// Command path (`question`, `daily set`) to the id of its top-level command.
    pub command_ids: HashMap<String, u64>,
}

impl Engine {
    /// An engine running `registry`'s features (`crate::features` has the bot's own list and
    /// `Engine::new`).
    pub fn with_features(
        bank: Arc<Bank>,
        store: Store,
        clock: Arc<dyn Clock>,
        registry: Registry,
    ) -> Engine {
        Engine {
            bank,
            store,
            clock,
            rng: Arc::new(Mutex::new(fastrand::Rng::new())),
            registry,
            states: Arc::new(feature::States::default()),
            presentation: Arc::new(RwLock::new(Presentation::default())),
            scheduled: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// The features this engine runs.
    pub fn registry(&self) -> Registry {
        self.registry
    }

    /// A feature's in-memory state of type `T` (made with `Default` on first use), shared by
    /// every clone of this engine.
    pub fn state<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        self.states.get()
    }

    /// Now, by the engine's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Tells the scheduler that scheduled work changed (a daily schedule was set, say).
    pub fn wake_scheduler(&self) {
        self.scheduled.notify_one();
    }

    /// Completes when scheduled work changes (or changed since the last call).
    pub async fn schedule_changed(&self) {
        self.scheduled.notified().await;
    }

    /// Every feature's scheduled work due at `now_ms`, and when to look again.
    pub fn due(&self, now_ms: i64) -> Result<Due, Error> {
        let mut all = Due::default();
        for feature in self.registry.features() {
            if let Some(due) = feature.due {
                all.merge(due(self, now_ms)?);
            }
        }
        Ok(all)
    }

    /// Called by a front end once it knows how the bot appears (after Discord's READY and the
    /// command registration).
    pub fn set_presentation(&self, presentation: Presentation) {
        *self.presentation.write().unwrap_or_else(|p| p.into_inner()) = presentation;
    }

    pub fn presentation(&self) -> Presentation {
        self.presentation
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The same engine with a seeded random source, so tests get repeatable picks.
    pub fn with_seed(mut self, seed: u64) -> Engine {
        self.rng = Arc::new(Mutex::new(fastrand::Rng::with_seed(seed)));
        self
    }

    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    /// A random index below `n` (> 0).
    pub fn random_below(&self, n: usize) -> usize {
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        rng.usize(..n)
    }

    /// How the front end should first acknowledge the request if the answer is slow, decided
    /// before any work: a command's declared visibility (or the one its options ask for), or
    /// an action's declared acknowledgement. Cheap: no store access.
    pub fn plan(&self, req: &Request) -> Ack {
        match &req.invocation {
            Invocation::Command { name, options } => match self.registry.find(name) {
                Some(leaf) => Ack::Reply(leaf.visibility(options)),
                None => Ack::Reply(Visibility::Private),
            },
            Invocation::Job(_) => Ack::Reply(Visibility::Public),
            Invocation::Button { custom_id, .. }
            | Invocation::Select { custom_id, .. }
            | Invocation::Modal { custom_id, .. } => {
                match self.registry.action(custom_id) {
                    Some(spec) => spec.ack,
                    // Handles resolve through the store; their answer is decided then.
                    None => Ack::Reply(Visibility::Private),
                }
            }
        }
    }

    /// Whether the member behind a command may run it (the check [`Engine::run`] makes first),
    /// for front ends that would do costly work before running it, such as fetching its files.
    /// May read the store (the interviewer role).
    pub fn may_run(&self, req: &Request) -> bool {
        match &req.invocation {
            Invocation::Command { name, .. } => self
                .registry
                .find(name)
                .is_some_and(|leaf| self.authorize(req, leaf.spec.access).is_ok()),
            _ => true,
        }
    }

    /// Handles a request. Never fails: errors become private answers a user understands, and
    /// their detail goes to the log.
    pub fn run(&self, req: &Request) -> Outcome {
        let started = Instant::now();
        let outcome = self.dispatch(req).unwrap_or_else(|err| {
            if err.is_internal() {
                tracing::error!(request = %self.label(req), guild = %req.guild_id, error = %escaped(&err), "request failed");
            } else {
                tracing::debug!(request = %self.label(req), guild = %req.guild_id, error = %escaped(&err), "request refused");
            }
            err.to_outcome()
        });
        tracing::trace!(request = %self.label(req), elapsed_us = started.elapsed().as_micros() as u64, "handled");
        outcome
    }

    /// Like [`Engine::run`] but keeps the typed error, for tests and callers that need it.
    pub fn dispatch(&self, req: &Request) -> Handled {
        match &req.invocation {
            Invocation::Command { name, options } => {
                let leaf = self
                    .registry
                    .find(name)
                    .ok_or_else(|| Error::UnknownCommand {
                        name: name.clone(),
                        registry: self.registry,
                    })?;
                self.authorize(req, leaf.spec.access)?;
                let args = command::bind(leaf, options, &req.resolved)?;
                let handler = leaf
                    .spec
                    .handler
                    .ok_or_else(|| Error::Internal(format!("/{name} has no handler")))?;
                handler(self, req, &args)
            }
            Invocation::Button { custom_id, .. }
            | Invocation::Select { custom_id, .. }
            | Invocation::Modal { custom_id, .. } => {
                let id = self.resolve_action(req.guild_id, custom_id)?;
                let spec = self.registry.action(&id).ok_or(Error::UnknownAction)?;
                self.authorize(req, spec.access)?;
                (spec.handler)(self, req, &id)
            }
            Invocation::Job(job) => {
                self.authorize(req, Access::Bot)?;
                job.run(self, req)
            }
        }
    }

    /// A short name for logs, never echoing user text: `/question`, `button q:answer`,
    /// `job daily post`.
    pub fn label(&self, req: &Request) -> String {
        match &req.invocation {
            Invocation::Command { name, .. } => match self.registry.find(name) {
                Some(_) => format!("/{name}"),
                None => "/(unknown)".to_string(),
            },
            Invocation::Button { custom_id, .. } => {
                format!("button {}", self.action_label(custom_id))
            }
            Invocation::Select { custom_id, .. } => {
                format!("select {}", self.action_label(custom_id))
            }
            Invocation::Modal { custom_id, .. } => {
                format!("modal {}", self.action_label(custom_id))
            }
            Invocation::Job(job) => format!("job {}", job.label()),
        }
    }

    /// Records what needs recording now that the front end reported how each effect went
    /// (`report[i]` is effect `i`'s result). Never fails; problems are logged.
    pub fn commit(&self, commits: &[Commit], report: &[Delivered]) {
        for commit in commits {
            match commit.apply(self, report) {
                Ok(()) => {}
                // A storage fault is logged once per incident by the store; this delivery's
                // record is still worth a line of its own.
                Err(e) if e.is_storage_fault() => {
                    tracing::warn!(error = %e, ?commit, "could not record a delivery")
                }
                Err(e) => tracing::error!(error = %e, ?commit, "could not record a delivery"),
            }
        }
    }

    /// Suggestions for the option being typed, best first, at most [`MAX_CHOICES`].
    pub fn autocomplete(&self, req: &AutocompleteRequest) -> Vec<Choice> {
        let completion = self
            .registry
            .find(&req.command)
            .and_then(|c| c.spec.option(&req.option))
            .and_then(|o| o.completion);
        match completion {
            Some(completion) => complete::suggest(self, completion, req),
            None => Vec::new(),
        }
    }
}
