//! The engine: the bot's behaviour in plain Rust. A [`Request`] goes in, a [`Reply`] comes out.
//! No Discord types here; `crate::discord` and `crate::console` translate to and from it.
//!
//! Calls are synchronous (the store may touch the disk): async front ends run them on the
//! blocking pool.

mod action;
pub mod commands;
mod error;
mod help;
pub mod limits;
mod questions;
pub mod reply;
pub mod request;

use std::sync::Arc;
use std::time::Instant;

use crate::bank::Bank;
use crate::clock::Clock;
use crate::store::Store;

pub use action::{Action, MAX_ACTION_LEN};
pub use commands::{COMMANDS, CommandSpec, Completion, OptionKind, OptionSpec};
pub use error::Error;
pub use reply::{Attachment, Button, ButtonStyle, Card, Choice, Field, Reply, Visibility};
pub use request::{
    AutocompleteRequest, Caller, Invocation, Permissions, RawOption, RawValue, Request,
};

/// Most suggestions Discord shows for autocomplete.
pub const MAX_CHOICES: usize = 25;

/// The bot's behaviour; cheap to clone, shared by all front ends and threads.
#[derive(Clone)]
pub struct Engine {
    bank: Arc<Bank>,
    store: Store,
    clock: Arc<dyn Clock>,
}

impl Engine {
    pub fn new(bank: Arc<Bank>, store: Store, clock: Arc<dyn Clock>) -> Engine {
        Engine { bank, store, clock }
    }

    pub fn bank(&self) -> &Bank {
        &self.bank
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Handles a request. Never fails: errors become private replies a user understands, and
    /// their detail goes to the log.
    pub fn handle(&self, req: &Request) -> Reply {
        let started = Instant::now();
        let result = self.dispatch(req);
        let reply = result.unwrap_or_else(|err| {
            if err.is_internal() {
                tracing::error!(request = %req.label(), guild = req.guild_id, error = %err, "request failed");
            } else {
                tracing::debug!(request = %req.label(), guild = req.guild_id, error = %err, "request refused");
            }
            err.to_reply()
        });
        tracing::trace!(request = %req.label(), elapsed_us = started.elapsed().as_micros() as u64, "handled");
        reply
    }

    /// Like [`Engine::handle`] but keeps the typed error, for tests and callers that need it.
    pub fn dispatch(&self, req: &Request) -> Result<Reply, Error> {
        match &req.invocation {
            Invocation::Command { name, options } => {
                let spec =
                    commands::find(name).ok_or_else(|| Error::UnknownCommand(name.clone()))?;
                let args = commands::bind(spec, options)?;
                (spec.handler)(self, req, &args)
            }
            Invocation::Action { custom_id } => {
                let action = Action::parse(custom_id)
                    .ok_or_else(|| Error::UnknownAction(custom_id.clone()))?;
                self.run_action(req, action)
            }
        }
    }

    fn run_action(&self, req: &Request, action: Action) -> Result<Reply, Error> {
        match action {
            Action::ModelAnswer { question_id } => {
                let q = self.question(&question_id)?;
                Ok(questions::rubric_reply(q, Visibility::Private))
            }
            Action::Another { level, topic } => self.post_question(req, level, topic.as_deref()),
        }
    }

    /// Suggestions for the option being typed, best first, at most [`MAX_CHOICES`].
    pub fn autocomplete(&self, req: &AutocompleteRequest) -> Vec<Choice> {
        let completion = commands::find(&req.command)
            .and_then(|c| c.option(&req.option))
            .and_then(|o| o.completion);
        match completion {
            Some(Completion::Topic) => self.complete_topic(&req.partial),
            Some(Completion::QuestionId) => self.complete_question_id(&req.partial),
            None => Vec::new(),
        }
    }
}
