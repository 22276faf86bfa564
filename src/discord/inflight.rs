//! Shutdown's drain: counts the interactions being handled, refuses new ones once shutdown has
//! begun, and lets shutdown wait for the rest.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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

#[cfg(test)]
mod tests {
    use super::*;

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
