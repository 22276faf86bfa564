//! Discord's rate limits, as its Rate Limits page documents them
//! (<https://discord.com/developers/docs/topics/rate-limits>), applied to every REST request
//! the bot makes. A request over a limit is refused with `429` and not carried out; one within
//! it is answered with the bucket's headers. Every 429 the fake gives is kept
//! (`FakeDiscord::rate_limited`), so a test can assert the bot never caused one.
//!
//! - **Global limit**: "All bots can make up to 50 requests per second to our API", and
//!   "Interaction endpoints are not bound to the bot's Global Rate Limit" ("Global Rate
//!   Limit"). Here: at most [`GLOBAL_PER_SECOND`] requests in any one-second window, counting
//!   every route but `/interactions/...` and the interaction webhooks
//!   (`/webhooks/{application}/{token}...`).
//! - **Per-route buckets**: limits are "applied ... on a per-route basis", "often account for
//!   top-level resources within the path", those being channels, guilds and webhooks; the
//!   method may count ("Per-route rate limits ... may include the HTTP method"). Here: each
//!   method and route under `/channels/{channel}` is a bucket per channel, of
//!   [`CHANNEL_BUCKET`] requests per window. Discord does not publish per-route numbers (and
//!   says not to hard-code them); 5 per 5 s is what it announces for creating messages in a
//!   channel. A bucket's window starts with its first request and ends `reset_after` later.
//! - **Headers** ("Header Format"): `X-RateLimit-Limit`, `-Remaining`, `-Reset` (epoch seconds),
//!   `-Reset-After` (seconds, with decimals) and `-Bucket` (a hash naming the route, without
//!   its top-level resource) on every bucketed answer.
//! - **429** ("Exceeding A Rate Limit"): the body `{"message", "retry_after", "global"}`, the
//!   `Retry-After` header, `X-RateLimit-Scope` (`user`, or `global`), and
//!   `X-RateLimit-Global: true` for the global limit (`faults::rate_limited`).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The global limit: requests per second across all routes but the interaction ones.
pub const GLOBAL_PER_SECOND: usize = 50;
/// A channel route's bucket: this many requests per window.
pub const CHANNEL_BUCKET: (u32, Duration) = (5, Duration::from_secs(5));

/// What the limits say about one request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    /// Within the limits; the bucket's headers (if the route has one) go on the answer.
    Pass(Option<BucketHeaders>),
    /// Over a limit: answered 429, not carried out.
    Refused {
        retry_after: f64,
        global: bool,
        /// The bucket's headers, for a route's own limit.
        bucket: Option<BucketHeaders>,
    },
}

/// A bucket's state as the headers announce it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BucketHeaders {
    pub(crate) bucket: String,
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    pub(crate) reset_after: f64,
}

impl BucketHeaders {
    pub(crate) fn apply(&self, headers: &mut hyper::HeaderMap) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let mut set = |name: &'static str, value: String| {
            if let Ok(v) = value.parse() {
                headers.insert(name, v);
            }
        };
        set("x-ratelimit-limit", self.limit.to_string());
        set("x-ratelimit-remaining", self.remaining.to_string());
        set(
            "x-ratelimit-reset",
            format!("{:.3}", now + self.reset_after),
        );
        set(
            "x-ratelimit-reset-after",
            format!("{:.3}", self.reset_after),
        );
        set("x-ratelimit-bucket", self.bucket.clone());
    }
}

struct Bucket {
    used: u32,
    resets: Instant,
}

/// The limits' state: the global window and the buckets.
#[derive(Default)]
pub(crate) struct Limits {
    /// When each request of the last second counted against the global limit came in.
    global: VecDeque<Instant>,
    /// `(method and route, channel)` -> its bucket.
    buckets: HashMap<(String, u64), Bucket>,
    /// `"METHOD /path (global|bucket)"` of every request refused with 429.
    pub(crate) refused: Vec<String>,
}

/// Whether a route is an interaction endpoint, outside the global limit.
fn interaction_route(parts: &[&str]) -> bool {
    matches!(parts, ["interactions", ..] | ["webhooks", _, _, ..])
}

/// The bucket of a route: its method and route with the ids as placeholders, and its channel.
fn bucket_of(method: &str, parts: &[&str]) -> Option<(String, u64)> {
    let ["channels", channel, rest @ ..] = parts else {
        return None;
    };
    let channel = channel.parse().ok()?;
    // Ids below the channel (a message id) are not top-level: one bucket for all of them.
    let route: Vec<&str> = rest
        .iter()
        .map(|s| {
            if s.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                s
            }
        })
        .collect();
    Some((
        format!("{method} /channels/{{channel}}/{}", route.join("/")),
        channel,
    ))
}

impl Limits {
    /// Counts one request at `now` and says whether it may be carried out.
    pub(crate) fn check(&mut self, method: &str, path: &str, now: Instant) -> Verdict {
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        if !interaction_route(&parts) {
            while self
                .global
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
            {
                self.global.pop_front();
            }
            if self.global.len() >= GLOBAL_PER_SECOND {
                let oldest = self.global[0];
                let wait = Duration::from_secs(1).saturating_sub(now.duration_since(oldest));
                self.refused.push(format!("{method} {path} (global)"));
                return Verdict::Refused {
                    retry_after: wait.as_secs_f64().max(0.001),
                    global: true,
                    bucket: None,
                };
            }
        }
        let Some(key) = bucket_of(method, &parts) else {
            if !interaction_route(&parts) {
                self.global.push_back(now);
            }
            return Verdict::Pass(None);
        };
        let (limit, window) = CHANNEL_BUCKET;
        let bucket = self.buckets.entry(key.clone()).or_insert(Bucket {
            used: 0,
            resets: now + window,
        });
        if now >= bucket.resets {
            *bucket = Bucket {
                used: 0,
                resets: now + window,
            };
        }
        let reset_after = bucket.resets.duration_since(now).as_secs_f64();
        if bucket.used >= limit {
            self.refused.push(format!("{method} {path} (bucket)"));
            return Verdict::Refused {
                retry_after: reset_after.max(0.001),
                global: false,
                bucket: Some(BucketHeaders {
                    bucket: bucket_hash(&key.0),
                    limit,
                    remaining: 0,
                    reset_after,
                }),
            };
        }
        bucket.used += 1;
        let headers = BucketHeaders {
            bucket: bucket_hash(&key.0),
            limit,
            remaining: limit - bucket.used,
            reset_after,
        };
        self.global.push_back(now);
        // Old buckets are forgotten once their window has passed (a long test posts to many).
        if self.buckets.len() > 4096 {
            self.buckets.retain(|_, b| b.resets > now);
        }
        Verdict::Pass(Some(headers))
    }
}

/// A stable hash naming a route (Discord's bucket ids are opaque strings).
fn bucket_hash(route: &str) -> String {
    // FNV-1a: stable across runs, unlike the std hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in route.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_bucket_allows_five_per_window_and_names_its_route() {
        let mut l = Limits::default();
        let t = Instant::now();
        for i in 0..5 {
            let Verdict::Pass(Some(h)) = l.check("POST", "/channels/1/messages", t) else {
                panic!("request {i} refused");
            };
            assert_eq!(h.remaining, 4 - i);
        }
        let Verdict::Refused {
            retry_after,
            global,
            ..
        } = l.check("POST", "/channels/1/messages", t)
        else {
            panic!("the sixth passed");
        };
        assert!(!global && retry_after > 4.9);
        // Another channel, another method, another bucket.
        assert!(matches!(
            l.check("POST", "/channels/2/messages", t),
            Verdict::Pass(Some(_))
        ));
        assert!(matches!(
            l.check("PATCH", "/channels/1/messages/9", t),
            Verdict::Pass(Some(_))
        ));
        // After the window, open again.
        assert!(matches!(
            l.check("POST", "/channels/1/messages", t + Duration::from_secs(5)),
            Verdict::Pass(Some(_))
        ));
        assert_eq!(l.refused, vec!["POST /channels/1/messages (bucket)"]);
        let a = bucket_of("PATCH", &["channels", "1", "messages", "7"]).unwrap();
        let b = bucket_of("PATCH", &["channels", "2", "messages", "8"]).unwrap();
        assert_eq!(a.0, b.0);
        assert_ne!(a.1, b.1);
    }

    #[test]
    fn the_global_limit_counts_fifty_a_second_but_not_interactions() {
        let mut l = Limits::default();
        let t = Instant::now();
        for i in 0..50u64 {
            let at = t + Duration::from_millis(i);
            assert!(matches!(
                l.check("GET", &format!("/channels/{i}/messages"), at),
                Verdict::Pass(_)
            ));
        }
        let late = t + Duration::from_millis(100);
        assert!(matches!(
            l.check("POST", "/interactions/1/tok/callback", late),
            Verdict::Pass(None)
        ));
        assert!(matches!(
            l.check("POST", "/webhooks/1/tok", late),
            Verdict::Pass(None)
        ));
        let Verdict::Refused {
            retry_after,
            global,
            ..
        } = l.check("GET", "/users/@me", late)
        else {
            panic!("the 51st passed");
        };
        assert!(global && (retry_after - 0.9).abs() < 0.01);
        // A second after the first, one place is free again.
        assert!(matches!(
            l.check("GET", "/users/@me", t + Duration::from_millis(1000)),
            Verdict::Pass(None)
        ));
    }
}
