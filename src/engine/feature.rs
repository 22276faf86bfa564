//! What a feature hands the framework: its commands, its actions (buttons and modals) and its
//! scheduled work, in one [`Feature`] value. The engine is built over a list of them
//! ([`Registry`]) and knows no feature by name; `crate::features` holds the list.

use super::Handled;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use super::Engine;
use super::action::ActionSpec;
use super::command::{CommandSpec, Leaf};
use super::effect::Outcome;
use super::error::Error;
use super::request::Request;

/// One feature's surface. Each feature folder exports one of these.
pub struct Feature {
    /// For logs and tests.
    pub name: &'static str,
    /// Its slash commands, in the order `/help` lists them.
    pub commands: &'static [CommandSpec],
    /// Its buttons and modals, by id prefix.
    pub actions: &'static [ActionSpec],
    /// Its scheduled work: what is due at a time (ms since the epoch), and when to look again.
    pub due: Option<DueFn>,
}

/// What a feature has due at a time (ms since the epoch).
pub type DueFn = fn(&Engine, i64) -> Result<Due, Error>;

/// Scheduled work a feature found due.
#[derive(Debug, Default)]
pub struct Due {
    /// Jobs to run now, each as a request from the bot itself.
    pub jobs: Vec<Request>,
    /// Outcomes ready to deliver as they are (nothing to decide: edits that say a session
    /// closed, say).
    pub outcomes: Vec<Outcome>,
    /// When something is due next, if anything is.
    pub next_ms: Option<i64>,
}

impl Due {
    /// Both lists together, the earlier `next_ms` kept.
    pub fn merge(&mut self, other: Due) {
        self.jobs.extend(other.jobs);
        self.outcomes.extend(other.outcomes);
        self.next_ms = match (self.next_ms, other.next_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// Work the bot starts itself, typed by the feature that schedules it. It never leaves the
/// process, so it is never written out as a string.
pub trait JobKind: fmt::Debug + Send + Sync + 'static {
    /// A short name for logs: `daily post`.
    fn label(&self) -> &'static str;
    /// Runs the job.
    fn run(&self, engine: &Engine, req: &Request) -> Handled;
}

/// A scheduled job (see [`JobKind`]).
#[derive(Clone)]
pub struct Job(Arc<dyn JobKind>);

impl Job {
    pub fn new(kind: impl JobKind) -> Job {
        Job(Arc::new(kind))
    }

    pub fn label(&self) -> &'static str {
        self.0.label()
    }

    pub fn run(&self, engine: &Engine, req: &Request) -> Handled {
        self.0.run(engine, req)
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Two jobs are equal when they are the same work (their debug forms, which name the job and
/// its ids, agree).
impl PartialEq for Job {
    fn eq(&self, other: &Job) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || format!("{:?}", self.0) == format!("{:?}", other.0)
    }
}

/// The features an engine runs: a cheap, copyable view of a static list.
#[derive(Clone, Copy)]
pub struct Registry(&'static [&'static Feature]);

impl Registry {
    pub const fn new(features: &'static [&'static Feature]) -> Registry {
        Registry(features)
    }

    pub fn features(self) -> &'static [&'static Feature] {
        self.0
    }

    /// Every top-level command, in feature order.
    pub fn commands(self) -> impl Iterator<Item = &'static CommandSpec> {
        self.0.iter().flat_map(|f| f.commands.iter())
    }

    /// Every action of every feature.
    pub fn actions(self) -> impl Iterator<Item = &'static ActionSpec> {
        self.0.iter().flat_map(|f| f.actions.iter())
    }

    /// The runnable command at `path` (`question`, `daily set`), if there is one.
    pub fn find(self, path: &str) -> Option<Leaf> {
        let mut words = path.split_whitespace();
        let first = words.next()?;
        let root = self.commands().find(|c| c.name == first)?;
        let mut node = root;
        for word in words {
            node = node.subcommands.iter().find(|c| c.name == word)?;
        }
        node.handler.is_some().then_some(Leaf { root, spec: node })
    }

    /// Every runnable command, depth first, in declaration order.
    pub fn leaves(self) -> Vec<Leaf> {
        fn walk(root: &'static CommandSpec, node: &'static CommandSpec, out: &mut Vec<Leaf>) {
            if node.handler.is_some() {
                out.push(Leaf { root, spec: node });
            }
            for sub in node.subcommands {
                walk(root, sub, out);
            }
        }
        let mut out = Vec::new();
        for root in self.commands() {
            walk(root, root, &mut out);
        }
        out
    }

    /// The action whose prefix starts `id` (`prefix:args`), if any.
    pub fn action(self, id: &str) -> Option<&'static ActionSpec> {
        let (prefix, _) = super::action::split(id);
        self.actions().find(|a| a.prefix == prefix)
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|f| f.name))
            .finish()
    }
}

/// Each feature's in-memory state (cooldowns, rate counts, wake-ups), kept by the engine
/// without knowing its types: one value per type, made with `Default` on first use.
#[derive(Default)]
pub struct States(Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>);

impl States {
    /// The state of type `T`, shared by every clone of the engine.
    pub fn get<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let any = map
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(T::default()))
            .clone();
        match any.downcast::<T>() {
            Ok(state) => state,
            // Keyed by `TypeId::of::<T>()`, so the value is a `T`.
            Err(_) => unreachable!("state stored under another type's id"),
        }
    }
}
