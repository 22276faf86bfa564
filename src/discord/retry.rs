//! REST calls with a time limit, and a retry where a second attempt cannot do harm.
//!
//! serenity's HTTP client sets no timeout, so a request that Discord (or a proxy) holds would
//! hold the interaction, the scheduler or shutdown with it; every call here gets one. Which
//! failures are retried depends on whether a repeat is harmless:
//!
//! - [`Repeat::Safe`]: repeating changes nothing Discord shows. Edits and deletes are
//!   idempotent; a channel post with `enforce_nonce` is dropped by Discord if it was already
//!   made ("that message will be returned and no new message will be created",
//!   <https://discord.com/developers/docs/resources/message#create-message>); a second
//!   interaction callback is refused with 40060 (the caller takes that as the first one having
//!   gone through). These are retried after server errors (5xx), timeouts, a lost connection,
//!   and rate limits.
//! - [`Repeat::IfRefused`]: repeating could show a message twice (a follow-up, a post without
//!   nonce). Only retried after 429: a rate-limited request is refused, not carried out, and
//!   may be sent again after the wait (<https://discord.com/developers/docs/topics/rate-limits>).
//!   A 5xx or a timeout may have been carried out, so it is reported instead.
//!
//! Work outside interactions (posts, threads, edits, deletions, channel history) goes through
//! `rest.rs` instead, which applies the same rules and also keeps to Discord's rate limits
//! from the answers' headers. For the interaction calls here:
//! with serenity's rate limiter on (straight to Discord), serenity itself waits out a 429
//! (`Retry-After`, and `X-RateLimit-Global` for the global limit) and sends again
//! (`http/ratelimiting.rs`, `Ratelimiter::perform` and `Ratelimit::post_hook`), so a 429 only
//! reaches this code behind a proxy, where the rate limiter is off (its requests are built
//! without the proxy, so it cannot be used with one). serenity's error keeps neither the `Retry-After` header
//! nor the body's `retry_after` (its `DiscordJsonError` has no such field), so a 429 here waits
//! [`RATE_LIMIT_WAIT`], within the caller's deadline.

use std::future::Future;
use std::time::{Duration, Instant};

use serenity::all::HttpError;

use crate::clock::{Clock, SystemClock};

/// How long one REST request may take. Discord answers in well under a second; one held
/// this long is treated as lost.
pub(super) const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// At most this many attempts per call.
pub(super) const ATTEMPTS: u32 = 3;
/// Before trying again after a server error, a timeout or a lost connection.
const BACKOFF: Duration = Duration::from_millis(200);
/// Before trying again after a 429 whose `retry_after` serenity did not keep.
const RATE_LIMIT_WAIT: Duration = Duration::from_millis(1000);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Repeat {
    /// A second attempt cannot show anything twice.
    Safe,
    /// A second attempt could: only retried after a 429.
    IfRefused,
}

/// Runs `call` with [`REQUEST_TIMEOUT`] per attempt (less if `deadline` is nearer), retrying as
/// `repeat` allows while `deadline` (if any) leaves time. `call` gets the attempt number (0 for
/// the first). Each retry is logged at `warn` with `what`; the last error is returned.
pub(super) async fn send<T, F, Fut>(
    what: &str,
    repeat: Repeat,
    deadline: Option<Instant>,
    call: F,
) -> Result<T, serenity::Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, serenity::Error>>,
{
    send_within(what, repeat, deadline, REQUEST_TIMEOUT, call).await
}

/// [`send`] with another time limit per attempt.
async fn send_within<T, F, Fut>(
    what: &str,
    repeat: Repeat,
    deadline: Option<Instant>,
    per_attempt: Duration,
    mut call: F,
) -> Result<T, serenity::Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, serenity::Error>>,
{
    let mut attempt = 0;
    loop {
        let limit = deadline.map_or(per_attempt, |d| {
            // The first attempt always goes out, with at least a short chance to finish.
            d.saturating_duration_since(Instant::now())
                .clamp(Duration::from_millis(500), per_attempt)
        });
        let result = match tokio::time::timeout(limit, call(attempt)).await {
            Ok(result) => result,
            Err(_) => Err(timed_out(limit)),
        };
        let err = match result {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        attempt += 1;
        let Some(wait) = retry_after(&err, repeat) else {
            return Err(err);
        };
        let in_time = deadline.is_none_or(|d| Instant::now() + wait < d);
        if attempt >= ATTEMPTS || !in_time {
            return Err(err);
        }
        tracing::warn!(call = what, attempt, error = %err, "Discord request failed; trying again");
        tokio::time::sleep(wait).await;
    }
}

/// How long to wait before another attempt, or `None` if this failure is not retried.
pub(super) fn retry_after(e: &serenity::Error, repeat: Repeat) -> Option<Duration> {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => match r.status_code.as_u16() {
            429 => Some(RATE_LIMIT_WAIT),
            500 | 502 | 503 | 504 if repeat == Repeat::Safe => Some(BACKOFF),
            _ => None,
        },
        // No answer at all (the connection failed or was dropped, or the time limit passed).
        serenity::Error::Http(HttpError::Request(_)) | serenity::Error::Io(_)
            if repeat == Repeat::Safe =>
        {
            Some(BACKOFF)
        }
        _ => None,
    }
}

pub(super) fn timed_out(limit: Duration) -> serenity::Error {
    serenity::Error::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!("no answer from Discord within {} ms", limit.as_millis()),
    ))
}

/// Discord's "Interaction has already been acknowledged" (a second callback).
pub(super) fn already_acknowledged(e: &serenity::Error) -> bool {
    matches!(e, serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) if r.error.code == 40060)
}

/// Milliseconds between the Unix epoch and Discord's (2015-01-01), for snowflakes.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
/// Discord wants the first answer within 3 s of the interaction; a little is kept back for the
/// answer's own trip.
const ACK_WINDOW_MS: u64 = 2_800;

/// Until when a first answer to interaction `id` can still reach Discord in time: the window
/// counts from the interaction's creation, which its snowflake id holds. A host clock off by a
/// second or two shifts this, but only decides whether a retry is still tried: the first
/// attempt always goes out.
pub(super) fn ack_deadline(id: u64) -> Instant {
    let created_ms = (id >> 22) + DISCORD_EPOCH_MS;
    let now_ms = SystemClock.now_ms().max(0) as u64;
    let left = (created_ms + ACK_WINDOW_MS).saturating_sub(now_ms);
    Instant::now() + Duration::from_millis(left)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_safe_call_is_tried_again_after_a_timeout_and_an_unsafe_one_is_not() {
        let calls = AtomicU32::new(0);
        let slow_then_ok = |n: u32| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                }
                Ok::<_, serenity::Error>(n)
            }
        };
        let limit = Duration::from_millis(100);
        let got = send_within("test", Repeat::Safe, None, limit, slow_then_ok).await;
        assert_eq!(got.unwrap(), 1);
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        let calls = AtomicU32::new(0);
        let slow = |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok::<u32, serenity::Error>(0)
            }
        };
        let err = send_within("test", Repeat::IfRefused, None, limit, slow).await;
        assert!(matches!(err, Err(serenity::Error::Io(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_window_counts_from_the_snowflake() {
        let now_ms = SystemClock.now_ms() as u64;
        let fresh = (now_ms - DISCORD_EPOCH_MS) << 22;
        let old = (now_ms - DISCORD_EPOCH_MS - 10_000) << 22;
        assert!(ack_deadline(fresh) > Instant::now() + Duration::from_millis(2_000));
        assert!(ack_deadline(old) <= Instant::now());
    }
}
