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
pub mod actions;
pub mod commands;
pub mod effect;
mod error;
pub mod limits;
pub mod rate;
pub mod request;
pub mod rubric;

pub mod daily;
pub mod help;
pub mod questions;
pub mod scores;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use crate::bank::Bank;
use crate::clock::Clock;
use crate::store::Store;

pub use access::Access;
pub use actions::{ACTIONS, Ack, ActionSpec, MAX_ACTION_LEN};
pub use commands::{
    Answer, COMMANDS, CommandSpec, Completion, Leaf, OptionKind, OptionSpec, leaves,
};
pub use effect::{
    Attachment, Button, ButtonStyle, Card, Choice, Commit, Delivered, Effect, Field, InputStyle,
    Message, MessageRef, Modal, Outcome, TextInput, Visibility,
};
pub use error::{Error, InputError, NOT_COMPLETED, ScoreError, placeholder_note};
pub use help::BOT_COLOUR;
pub use request::{
    AutocompleteRequest, ChannelKind, Invocation, Member, Origin, Permissions, RawOption, RawValue,
    Request, Resolved, ResolvedAttachment, ResolvedChannel, ResolvedRole, ResolvedUser,
    SourceMessage,
};

/// Most suggestions Discord shows for autocomplete.
pub const MAX_CHOICES: usize = 25;

/// The bot's behaviour; cheap to clone, shared by all front ends and threads.
#[derive(Clone)]
pub struct Engine {
    bank: Arc<Bank>,
    store: Store,
    clock: Arc<dyn Clock>,
    rng: Arc<Mutex<fastrand::Rng>>,
    /// When "Another question" last posted in each (guild, channel).
    cooldowns: Arc<Mutex<HashMap<(u64, u64), i64>>>,
    presentation: Arc<RwLock<Presentation>>,
    /// Runs of rate-limited commands per member (`rate.rs`).
    rate_counts: Arc<Mutex<rate::RateCounts>>,
    /// Woken when a daily schedule changes, so the scheduler looks again.
    schedules: Arc<tokio::sync::Notify>,
}

/// What the front end tells the engine about how it appears: the bot's name, and the ids
/// Discord gave the registered commands (for clickable command mentions).
#[derive(Debug, Clone, Default)]
pub struct Presentation {
    pub bot_name: Option<String>,
    /// Command path (`question`, `daily set`) to the id of its top-level command.
    pub command_ids: HashMap<String, u64>,
}

/// Carries out effects for a synchronous front end (the console, tests).
pub trait Deliver {
    /// Performs `effect`; `earlier` holds what happened to the effects before it.
    fn deliver(&mut self, effect: &Effect, earlier: &[Delivered]) -> Delivered;
}

impl Engine {
    pub fn new(bank: Arc<Bank>, store: Store, clock: Arc<dyn Clock>) -> Engine {
        Engine {
            bank,
            store,
            clock,
            rng: Arc::new(Mutex::new(fastrand::Rng::new())),
            cooldowns: Arc::new(Mutex::new(HashMap::new())),
            presentation: Arc::new(RwLock::new(Presentation::default())),
            rate_counts: Arc::new(Mutex::new(rate::RateCounts::default())),
            schedules: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Now, by the engine's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Tells the scheduler that a schedule changed.
    fn schedules_changed(&self) {
        self.schedules.notify_one();
    }

    /// Completes when a schedule changes (or changed since the last call).
    pub async fn schedule_changed(&self) {
        self.schedules.notified().await;
    }

    /// Called by a front end once it knows how the bot appears (after Discord's READY and the
    /// command registration).
    pub fn set_presentation(&self, presentation: Presentation) {
        *self.presentation.write().unwrap_or_else(|p| p.into_inner()) = presentation;
    }

    fn presentation(&self) -> Presentation {
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

    /// A random index below `n` (> 0).
    fn random_below(&self, n: usize) -> usize {
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        rng.usize(..n)
    }

    /// How the front end should first acknowledge the request if the answer is slow, decided
    /// before any work: a command's declared visibility (or the one its options ask for), or
    /// an action's declared acknowledgement. Cheap: no store access.
    pub fn plan(&self, req: &Request) -> Ack {
        match &req.invocation {
            Invocation::Command { name, options } => match commands::find(name) {
                Some(leaf) => Ack::Reply(leaf.visibility(options)),
                None => Ack::Reply(Visibility::Private),
            },
            Invocation::Job { .. } => Ack::Reply(Visibility::Public),
            Invocation::Button { custom_id, .. } | Invocation::Modal { custom_id, .. } => {
                match actions::find(custom_id) {
                    Some((spec, _)) => spec.ack,
                    // Handles resolve through the store; their answer is decided then.
                    None => Ack::Reply(Visibility::Private),
                }
            }
        }
    }

    /// Handles a request. Never fails: errors become private answers a user understands, and
    /// their detail goes to the log.
    pub fn run(&self, req: &Request) -> Outcome {
        let started = Instant::now();
        let outcome = self.dispatch(req).unwrap_or_else(|err| {
            if err.is_internal() {
                tracing::error!(request = %req.label(), guild = req.guild_id, error = %err, "request failed");
            } else {
                tracing::debug!(request = %req.label(), guild = req.guild_id, error = %err, "request refused");
            }
            err.to_outcome()
        });
        tracing::trace!(request = %req.label(), elapsed_us = started.elapsed().as_micros() as u64, "handled");
        outcome
    }

    /// Like [`Engine::run`] but keeps the typed error, for tests and callers that need it.
    pub fn dispatch(&self, req: &Request) -> Result<Outcome, Error> {
        match &req.invocation {
            Invocation::Command { name, options } => {
                let leaf =
                    commands::find(name).ok_or_else(|| Error::UnknownCommand(name.clone()))?;
                self.authorize(req, leaf.spec.access)?;
                let args = commands::bind(leaf, options, &req.resolved)?;
                let handler = leaf
                    .spec
                    .handler
                    .ok_or_else(|| Error::Internal(format!("/{name} has no handler")))?;
                handler(self, req, &args)
            }
            Invocation::Button { custom_id, .. }
            | Invocation::Modal { custom_id, .. }
            | Invocation::Job { id: custom_id } => {
                let id = self.resolve_action(req.guild_id, custom_id)?;
                let (spec, args) = actions::find(&id).ok_or(Error::UnknownAction)?;
                self.authorize(req, spec.access)?;
                (spec.handler)(self, req, args)
            }
        }
    }

    /// Records what needs recording now that the front end reported how each effect went
    /// (`report[i]` is effect `i`'s result). Never fails; problems are logged.
    pub fn commit(&self, commits: &[Commit], report: &[Delivered]) {
        for commit in commits {
            match self.apply_commit(commit, report) {
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

    fn apply_commit(&self, commit: &Commit, report: &[Delivered]) -> Result<(), Error> {
        match commit {
            Commit::QuestionShown {
                guild_id,
                claim,
                effect,
            } => {
                let delivered = report.get(*effect).unwrap_or(&Delivered::Skipped);
                // The claim was committed (synced) before delivery; losing this record to a
                // power cut only leaves the claim pending, counted as shown: not worth a sync.
                if delivered.ok() {
                    let message_id = delivered.message_id();
                    self.store
                        .write_unsynced(|db| db.confirm_shown(*guild_id, *claim, message_id))?;
                } else {
                    self.store
                        .write_unsynced(|db| db.release_shown(*guild_id, *claim))?;
                }
                Ok(())
            }
            Commit::DailyPosted {
                guild_id,
                post,
                effect,
                settle,
            } => self.commit_daily_posted(
                *guild_id,
                *post,
                *settle,
                report.get(*effect).unwrap_or(&Delivered::Skipped),
            ),
            Commit::DailyRevealed {
                guild_id,
                post,
                effect,
            } => self.commit_daily_revealed(
                *guild_id,
                *post,
                report.get(*effect).unwrap_or(&Delivered::Skipped),
            ),
            Commit::CandidateMessage {
                guild_id,
                candidate_id,
                session_id,
                effect,
            } => self.record_candidate_message(
                *guild_id,
                *candidate_id,
                *session_id,
                report.get(*effect).unwrap_or(&Delivered::Skipped),
            ),
        }
    }

    /// Runs a request and has `front` carry out its effects in order, then commits: the whole
    /// cycle for a synchronous front end. Returns the outcome and what happened to each effect.
    pub fn execute(&self, req: &Request, front: &mut impl Deliver) -> (Outcome, Vec<Delivered>) {
        let outcome = self.run(req);
        let mut report = Vec::with_capacity(outcome.effects.len());
        for effect in &outcome.effects {
            let done = front.deliver(effect, &report);
            report.push(done);
        }
        self.commit(&outcome.commits, &report);
        (outcome, report)
    }

    /// Suggestions for the option being typed, best first, at most [`MAX_CHOICES`].
    pub fn autocomplete(&self, req: &AutocompleteRequest) -> Vec<Choice> {
        let completion = commands::find(&req.command)
            .and_then(|c| c.spec.option(&req.option))
            .and_then(|o| o.completion);
        match completion {
            Some(Completion::Topic) => {
                self.complete_topic(&req.partial, questions::chosen_level(&req.options))
            }
            Some(Completion::QuestionId) => {
                self.complete_question_id(req.guild_id, req.channel_id, &req.partial)
            }
            Some(Completion::Timezone) => self.complete_timezone(&req.partial),
            Some(Completion::Candidate) => self.complete_candidate(req),
            None => Vec::new(),
        }
    }
}
