//! Requests held on purpose, for tests of a client that dies in the middle of a request. These
//! are test controls, not Discord behaviour: they model the two ways a request can be cut off
//! from outside, one shot each.
//!
//! - [`Hold::Unhandled`]: the request never reaches Discord (lost on the way): it is not
//!   handled, not recorded in `requests()`, and never answered.
//! - [`Hold::Unanswered`]: Discord handles it (a message is created, its nonce remembered, the
//!   request recorded) but the answer never comes back.
//!
//! Either way the client waits until it gives up or is killed; the fake answers only when it
//! stops.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where a held request stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// Before the fake handles it: nothing happens on Discord's side.
    Unhandled,
    /// After the fake handled it: the answer is withheld.
    Unanswered,
}

#[derive(Default)]
pub(crate) struct Holds {
    /// `(method, path, hold)`, each used by the first matching request.
    rules: Mutex<Vec<(String, String, Hold)>>,
    held: AtomicUsize,
}

impl Holds {
    pub(crate) fn add(&self, method: &str, path: &str, hold: Hold) {
        self.lock()
            .push((method.to_string(), path.to_string(), hold));
    }

    /// The hold for this request, if one was set for it (and is now used up).
    pub(crate) fn take(&self, method: &str, path: &str) -> Option<Hold> {
        let mut rules = self.lock();
        let i = rules
            .iter()
            .position(|(m, p, _)| m == method && p == path)?;
        Some(rules.remove(i).2)
    }

    /// Counts a request that is now being held.
    pub(crate) fn holding(&self) {
        self.held.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn held(&self) -> usize {
        self.held.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, String, Hold)>> {
        self.rules.lock().unwrap_or_else(|p| p.into_inner())
    }
}
