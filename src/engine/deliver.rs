//! The one delivery loop: an outcome's effects carried out in order by a front end, each told
//! what happened to the ones before it, then the engine's commits with the report. The console
//! and tests plug in a [`Deliver`]; the Discord front end (interactions and the scheduler) a
//! [`DeliverAsync`]. How an interaction is first acknowledged is decided before the work
//! ([`Engine::plan`]) and stays with the front end.

use std::future::Future;

use super::Engine;
use super::effect::{Delivered, Effect, Outcome};
use super::request::Request;

/// Carries out effects for a synchronous front end (the console, tests).
pub trait Deliver {
    /// Performs `effect`; `earlier` holds what happened to the effects before it.
    fn deliver(&mut self, effect: &Effect, earlier: &[Delivered]) -> Delivered;
}

/// Carries out effects for an asynchronous front end (Discord).
pub trait DeliverAsync: Send {
    /// Performs `effect`; `earlier` holds what happened to the effects before it.
    fn deliver(
        &mut self,
        effect: &Effect,
        earlier: &[Delivered],
    ) -> impl Future<Output = Delivered> + Send;
}

impl Engine {
    /// Has `front` carry out the outcome's effects in order, then commits. Returns what
    /// happened to each effect.
    pub fn deliver(&self, outcome: &Outcome, front: &mut impl Deliver) -> Vec<Delivered> {
        let mut report = Vec::with_capacity(outcome.effects.len());
        for effect in &outcome.effects {
            let done = front.deliver(effect, &report);
            report.push(done);
        }
        self.commit(&outcome.commits, &report);
        report
    }

    /// Runs a request, delivers its effects through `front` and commits: the whole cycle for
    /// a synchronous front end. Returns the outcome and what happened to each effect.
    pub fn execute(&self, req: &Request, front: &mut impl Deliver) -> (Outcome, Vec<Delivered>) {
        let outcome = self.run(req);
        let report = self.deliver(&outcome, front);
        (outcome, report)
    }

    /// Like [`Engine::deliver`] for an asynchronous front end: the effects are awaited in
    /// order, and the commits (which touch the store) run on the blocking pool.
    pub async fn deliver_async(
        &self,
        outcome: &Outcome,
        front: &mut impl DeliverAsync,
    ) -> Vec<Delivered> {
        let mut report = Vec::with_capacity(outcome.effects.len());
        for effect in &outcome.effects {
            let done = front.deliver(effect, &report).await;
            report.push(done);
        }
        self.commit_async(outcome, report.clone()).await;
        report
    }

    /// [`Engine::commit`] on the blocking pool (the store may touch the disk), for async front
    /// ends: the outcome's commits with `report`.
    pub async fn commit_async(&self, outcome: &Outcome, report: Vec<Delivered>) {
        if outcome.commits.is_empty() {
            return;
        }
        let engine = self.clone();
        let commits = outcome.commits.clone();
        if let Err(err) =
            tokio::task::spawn_blocking(move || engine.commit(&commits, &report)).await
        {
            tracing::error!(error = %err, "recording a delivery panicked");
        }
    }
}
