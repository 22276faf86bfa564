//! The bot's REST requests outside interactions (channel posts, threads, edits, deletions,
//! channel history), sent as fast as Discord's rate limits allow and no faster
//! (<https://discord.com/developers/docs/topics/rate-limits>):
//!
//! - **The global limit** ("All bots can make up to 50 requests per second"): requests through
//!   here go out evenly spaced at [`GLOBAL_PER_SECOND`], a little under 50, so that a burst
//!   (hundreds of daily posts due the same minute) never crosses it even with the odd request
//!   made elsewhere, and network jitter cannot bunch 50 into one second. Interaction answers
//!   are not "bound to the bot's Global Rate Limit", so they do not come through here and are
//!   never queued behind a burst.
//! - **Per-route buckets**: each route and channel is a bucket whose state comes from the
//!   answers' headers (`X-RateLimit-Remaining`, `-Reset-After`, `-Limit`, `-Bucket`), as the
//!   docs ask ("rate limits should not be hard coded into your app"). A bucket with nothing
//!   left waits for its reset; one never seen sends a single request first, to learn it.
//! - **A 429** is waited out for its `retry_after` (the body's, or the headers'), and the
//!   request is sent again: a rate-limited request was not carried out. A global 429
//!   (`X-RateLimit-Global`) holds back every request through here.
//!
//! serenity's own rate limiter cannot be used behind a proxy (it builds its requests without
//! the proxy), and serenity's errors keep neither the headers nor `retry_after`, so these
//! requests are made here, with serenity's model types for bodies and answers. The same code
//! runs against Discord and against the fake Discord of the tests.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serenity::all::{
    ChannelId, CreateMessage, CreateThread, EditMessage, GuildChannel, Message, MessageId,
};
use serenity::http::{ErrorResponse, HttpError};

use super::retry::{self, Repeat};

/// Requests per second through here: under Discord's 50, with room for the few non-interaction
/// requests made elsewhere (registration, an interaction's message edit) and for jitter.
pub(super) const GLOBAL_PER_SECOND: u32 = 45;
/// The spacing that gives [`GLOBAL_PER_SECOND`].
const SPACING: Duration = Duration::from_nanos(1_000_000_000 / GLOBAL_PER_SECOND as u64);
/// At most this many 429s are waited out for one request before it is reported as failed.
const MAX_RATE_LIMITED: u32 = 8;
/// A bucket never seen: how often a waiting request looks whether the first one has answered.
const PROBE_POLL: Duration = Duration::from_millis(5);
/// A first request to a bucket unanswered for this long no longer holds the others back.
const PROBE_GIVE_UP: Duration = Duration::from_secs(6);

/// The routes sent through here; with the channel, a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Route {
    PostMessage,
    EditMessage,
    DeleteMessage,
    StartThread,
    History,
}

impl Route {
    fn method(self) -> Method {
        match self {
            Route::PostMessage | Route::StartThread => Method::POST,
            Route::EditMessage => Method::PATCH,
            Route::DeleteMessage => Method::DELETE,
            Route::History => Method::GET,
        }
    }

    /// For the log.
    fn label(self) -> &'static str {
        match self {
            Route::PostMessage => "post message",
            Route::EditMessage => "edit message",
            Route::DeleteMessage => "delete message",
            Route::StartThread => "start thread",
            Route::History => "channel history",
        }
    }
}

/// The REST client for work outside interactions, with the rate-limit state it has learned.
pub(super) struct Rest {
    client: reqwest::Client,
    /// `https://discord.com/api/v10`, or the proxy's.
    api: String,
    /// `Bot <token>`.
    authorization: String,
    pace: Pace,
}

impl std::fmt::Debug for Rest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rest").field("api", &self.api).finish()
    }
}

#[derive(Default)]
struct Pace {
    global: Mutex<Global>,
    buckets: Mutex<HashMap<(Route, u64), Bucket>>,
}

#[derive(Default)]
struct Global {
    /// The earliest the next request may go.
    next: Option<Instant>,
}

#[derive(Debug, Default)]
struct Bucket {
    limit: Option<u32>,
    remaining: Option<u32>,
    resets: Option<Instant>,
    /// Since when a request is out to learn a bucket never seen (one lost for longer than a
    /// request may take no longer holds the others back).
    probing: Option<Instant>,
}

/// What a bucket says before a request.
enum Gate {
    Go,
    Wait(Duration),
}

impl Pace {
    fn lock_buckets(&self) -> std::sync::MutexGuard<'_, HashMap<(Route, u64), Bucket>> {
        self.buckets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes one request from the bucket, or says how long to wait.
    fn take(&self, key: (Route, u64), now: Instant) -> Gate {
        let mut buckets = self.lock_buckets();
        if buckets.len() > 10_000 {
            // Channels posted to once a day: forget the windows that have passed.
            buckets.retain(|_, b| b.probing.is_some() || b.resets.is_some_and(|r| r > now));
        }
        let b = buckets.entry(key).or_default();
        if b.resets.is_some_and(|r| r <= now) {
            b.remaining = b.limit;
            b.resets = None;
        }
        match b.remaining {
            // Nothing left until the reset; with no reset announced, learn the bucket again.
            Some(0) if b.resets.is_none() => {
                b.remaining = None;
                b.probing = Some(now);
                Gate::Go
            }
            Some(0) => Gate::Wait(b.resets.map_or(Duration::ZERO, |r| r - now)),
            Some(n) => {
                b.remaining = Some(n - 1);
                Gate::Go
            }
            None if b
                .probing
                .is_some_and(|since| now.duration_since(since) < PROBE_GIVE_UP) =>
            {
                Gate::Wait(PROBE_POLL)
            }
            None => {
                b.probing = Some(now);
                Gate::Go
            }
        }
    }

    /// Learns a bucket's state from an answer's headers. Within a window the count only goes
    /// down (requests still out were already counted here); it refills at the reset.
    fn learn(&self, key: (Route, u64), headers: &HeaderMap, now: Instant) {
        let mut buckets = self.lock_buckets();
        let b = buckets.entry(key).or_default();
        b.probing = None;
        let number = |name: &str| headers.get(name)?.to_str().ok()?.parse::<f64>().ok();
        if let Some(limit) = number("x-ratelimit-limit") {
            b.limit = Some(limit as u32);
        }
        if let Some(remaining) = number("x-ratelimit-remaining") {
            let remaining = remaining as u32;
            b.remaining = Some(b.remaining.map_or(remaining, |r| r.min(remaining)));
        }
        if let Some(after) = number("x-ratelimit-reset-after") {
            let resets = now + Duration::from_secs_f64(after.max(0.0));
            b.resets = Some(b.resets.map_or(resets, |r| r.max(resets)));
        }
    }

    /// A 429 on a route: nothing left in its bucket until `wait` has passed.
    fn exhausted(&self, key: (Route, u64), wait: Duration, now: Instant) {
        let mut buckets = self.lock_buckets();
        let b = buckets.entry(key).or_default();
        b.probing = None;
        b.remaining = Some(0);
        b.resets = Some(now + wait);
    }

    /// The moment the next request may go: evenly spaced, after any global pause.
    fn slot(&self, now: Instant) -> Instant {
        let mut g = self.global.lock().unwrap_or_else(|p| p.into_inner());
        let at = g.next.map_or(now, |n| n.max(now));
        g.next = Some(at + SPACING);
        at
    }

    /// A global 429: no request through here before `until`.
    fn pause(&self, until: Instant) {
        let mut g = self.global.lock().unwrap_or_else(|p| p.into_inner());
        g.next = Some(g.next.map_or(until, |n| n.max(until)));
    }
}

/// The wait a 429 asks for: the body's `retry_after` (seconds, with decimals), else the
/// `X-RateLimit-Reset-After` or `Retry-After` header; whether it is the global limit.
fn rate_limit_wait(headers: &HeaderMap, body: &[u8]) -> (Duration, bool) {
    let header = |name: &str| headers.get(name)?.to_str().ok()?.parse::<f64>().ok();
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let seconds = json
        .as_ref()
        .and_then(|j| j["retry_after"].as_f64())
        .or_else(|| header("x-ratelimit-reset-after"))
        .or_else(|| header("retry-after"))
        .unwrap_or(1.0);
    let global = headers.contains_key("x-ratelimit-global")
        || json.as_ref().is_some_and(|j| j["global"] == true);
    (Duration::from_secs_f64(seconds.clamp(0.0, 3600.0)), global)
}

impl Rest {
    /// A client for `api_url` (a proxy's base address) or Discord.
    pub(super) fn new(token: &str, api_url: Option<&str>) -> Rest {
        let base = api_url
            .unwrap_or("https://discord.com")
            .trim_end_matches('/');
        let authorization = if token.starts_with("Bot ") {
            token.to_string()
        } else {
            format!("Bot {token}")
        };
        Rest {
            client: reqwest::Client::builder()
                .use_rustls_tls()
                .build()
                .unwrap_or_default(),
            api: format!("{base}/api/v10"),
            authorization,
            pace: Pace::default(),
        }
    }

    /// Sends one request at Discord's pace: waits for its bucket and its global slot, waits
    /// out 429s, and retries other failures as `repeat` allows (`retry.rs`). The answer's
    /// body on success.
    async fn send(
        &self,
        route: Route,
        channel: ChannelId,
        repeat: Repeat,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, serenity::Error> {
        let (what, method) = (route.label(), route.method());
        let key = (route, channel.get());
        let url = format!("{}{path}", self.api);
        let mut attempt = 0;
        let mut limited = 0;
        loop {
            loop {
                match self.pace.take(key, Instant::now()) {
                    Gate::Go => break,
                    Gate::Wait(d) => tokio::time::sleep(d).await,
                }
            }
            let at = self.pace.slot(Instant::now());
            tokio::time::sleep_until(at.into()).await;
            let mut request = self
                .client
                .request(method.clone(), &url)
                .header(AUTHORIZATION, &self.authorization)
                .header(USER_AGENT, serenity::constants::USER_AGENT);
            if let Some(b) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(b.clone());
            }
            let answered = tokio::time::timeout(retry::REQUEST_TIMEOUT, async {
                let response = request.send().await?;
                let status = response.status();
                let headers = response.headers().clone();
                if status.is_success() || status == StatusCode::TOO_MANY_REQUESTS {
                    let bytes = response.bytes().await?;
                    Ok((status, headers, Ok(bytes.to_vec())))
                } else {
                    let error = ErrorResponse::from_response(response, method.clone()).await;
                    Ok((status, headers, Err(error)))
                }
            })
            .await;
            let now = Instant::now();
            let err = match answered {
                Ok(Ok((status, headers, result))) => {
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        let body = result.unwrap_or_default();
                        let (wait, global) = rate_limit_wait(&headers, &body);
                        if global {
                            self.pace.pause(now + wait);
                        } else {
                            self.pace.exhausted(key, wait, now);
                        }
                        limited += 1;
                        tracing::warn!(
                            call = what,
                            wait_ms = wait.as_millis() as u64,
                            global,
                            "Discord rate-limited a request; waiting before sending it again"
                        );
                        if limited >= MAX_RATE_LIMITED {
                            return Err(rate_limited_error());
                        }
                        continue;
                    }
                    self.pace.learn(key, &headers, now);
                    match result {
                        Ok(bytes) => return Ok(bytes),
                        Err(e) => serenity::Error::Http(HttpError::UnsuccessfulRequest(e)),
                    }
                }
                Ok(Err(e)) => {
                    self.pace.learn(key, &HeaderMap::new(), now);
                    serenity::Error::Http(HttpError::Request(e))
                }
                Err(_) => {
                    self.pace.learn(key, &HeaderMap::new(), now);
                    retry::timed_out(retry::REQUEST_TIMEOUT)
                }
            };
            attempt += 1;
            match retry::retry_after(&err, repeat) {
                Some(wait) if attempt < retry::ATTEMPTS => {
                    tracing::warn!(call = what, attempt, error = %err, "Discord request failed; trying again");
                    tokio::time::sleep(wait).await;
                }
                _ => return Err(err),
            }
        }
    }

    async fn json<T: DeserializeOwned>(
        &self,
        route: Route,
        channel: ChannelId,
        repeat: Repeat,
        path: String,
        body: Option<Vec<u8>>,
    ) -> Result<T, serenity::Error> {
        let bytes = self.send(route, channel, repeat, &path, body).await?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// `POST /channels/{channel}/messages` (a thread is a channel too). A post with a nonce
    /// that Discord enforces is [`Repeat::Safe`]; one without is not.
    pub(super) async fn post(
        &self,
        repeat: Repeat,
        channel: ChannelId,
        message: &CreateMessage,
    ) -> Result<Message, serenity::Error> {
        let body = Some(serde_json::to_vec(message)?);
        let path = format!("/channels/{channel}/messages");
        self.json(Route::PostMessage, channel, repeat, path, body)
            .await
    }

    /// `PATCH /channels/{channel}/messages/{message}`.
    pub(super) async fn edit(
        &self,
        channel: ChannelId,
        message: MessageId,
        edit: &EditMessage,
    ) -> Result<Message, serenity::Error> {
        let body = Some(serde_json::to_vec(edit)?);
        let path = format!("/channels/{channel}/messages/{message}");
        self.json(Route::EditMessage, channel, Repeat::Safe, path, body)
            .await
    }

    /// `DELETE /channels/{channel}/messages/{message}`.
    pub(super) async fn delete(
        &self,
        channel: ChannelId,
        message: MessageId,
    ) -> Result<(), serenity::Error> {
        let path = format!("/channels/{channel}/messages/{message}");
        let route = Route::DeleteMessage;
        self.send(route, channel, Repeat::Safe, &path, None)
            .await
            .map(drop)
    }

    /// `POST /channels/{channel}/messages/{message}/threads`.
    pub(super) async fn start_thread(
        &self,
        channel: ChannelId,
        message: MessageId,
        thread: &CreateThread<'_>,
    ) -> Result<GuildChannel, serenity::Error> {
        let body = Some(serde_json::to_vec(thread)?);
        let path = format!("/channels/{channel}/messages/{message}/threads");
        self.json(Route::StartThread, channel, Repeat::Safe, path, body)
            .await
    }

    /// `GET /channels/{channel}/messages?after=&limit=`: up to `limit` messages after `after`.
    pub(super) async fn messages_after(
        &self,
        channel: ChannelId,
        after: MessageId,
        limit: u8,
    ) -> Result<Vec<Message>, serenity::Error> {
        let path = format!("/channels/{channel}/messages?after={after}&limit={limit}");
        self.json(Route::History, channel, Repeat::Safe, path, None)
            .await
    }
}

/// The error for a request still rate-limited after [`MAX_RATE_LIMITED`] waits.
fn rate_limited_error() -> serenity::Error {
    serenity::Error::Io(std::io::Error::other(
        "Discord kept rate-limiting the request",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn a_bucket_is_probed_once_then_spent_to_its_reset() {
        let pace = Pace::default();
        let key = (Route::PostMessage, 1);
        let t = Instant::now();
        assert!(matches!(pace.take(key, t), Gate::Go));
        // A second request waits for the first answer.
        assert!(matches!(pace.take(key, t), Gate::Wait(d) if d == PROBE_POLL));
        let h = headers(&[
            ("x-ratelimit-limit", "5"),
            ("x-ratelimit-remaining", "4"),
            ("x-ratelimit-reset-after", "5.000"),
        ]);
        pace.learn(key, &h, t);
        for _ in 0..4 {
            assert!(matches!(pace.take(key, t), Gate::Go));
        }
        let Gate::Wait(d) = pace.take(key, t) else {
            panic!("a sixth request in the window went");
        };
        assert_eq!(d, Duration::from_secs(5));
        // An answer that raced ahead cannot hand back requests already counted.
        pace.learn(key, &h, t);
        assert!(matches!(pace.take(key, t), Gate::Wait(_)));
        // At the reset, the bucket is full again.
        assert!(matches!(
            pace.take(key, t + Duration::from_secs(5)),
            Gate::Go
        ));
        // Another channel is another bucket.
        assert!(matches!(pace.take((Route::PostMessage, 2), t), Gate::Go));
    }

    #[test]
    fn slots_are_evenly_spaced_and_a_global_pause_holds_them() {
        let pace = Pace::default();
        let t = Instant::now();
        let a = pace.slot(t);
        let b = pace.slot(t);
        assert_eq!(a, t);
        assert_eq!(b - a, SPACING);
        assert!(
            SPACING * 49 > Duration::from_secs(1),
            "50 requests must span over a second"
        );
        pace.pause(t + Duration::from_secs(2));
        assert_eq!(pace.slot(t), t + Duration::from_secs(2));
    }

    #[test]
    fn a_429_is_waited_out_for_its_retry_after() {
        let h = headers(&[("retry-after", "3"), ("x-ratelimit-global", "true")]);
        let (wait, global) = rate_limit_wait(&h, br#"{"retry_after": 2.5, "global": true}"#);
        assert_eq!(wait, Duration::from_millis(2500));
        assert!(global);
        let h = headers(&[("retry-after", "2"), ("x-ratelimit-reset-after", "1.250")]);
        assert_eq!(
            rate_limit_wait(&h, b"not json"),
            (Duration::from_millis(1250), false)
        );
        let pace = Pace::default();
        let key = (Route::EditMessage, 9);
        let t = Instant::now();
        pace.exhausted(key, Duration::from_secs(2), t);
        assert!(matches!(pace.take(key, t), Gate::Wait(d) if d == Duration::from_secs(2)));
    }

    /// Against the fake Discord: an injected 429 (route, then global) is waited out for its
    /// `retry_after` before the post is sent again, and the post is made once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_429_is_waited_out_before_sending_again_and_the_post_is_made_once() {
        use fake_discord::{FakeDiscord, RestFault};
        let fake = FakeDiscord::start().await;
        let channel = ChannelId::new(FakeDiscord::CHANNEL_ID);
        let rest = Rest::new("token", Some(&fake.api_url()));
        for global in [false, true] {
            fake.inject_faults(
                "POST",
                "/channels/*/messages",
                vec![Some(RestFault::RateLimited {
                    retry_after: 1.2,
                    global,
                })],
            );
            let before = fake.request_count();
            let post = CreateMessage::new().content("once");
            rest.post(Repeat::IfRefused, channel, &post).await.unwrap();
            let tries: Vec<_> = fake.requests().split_off(before);
            assert_eq!(tries.len(), 2, "{tries:?}");
            assert_eq!(tries[0].status, 429);
            let waited = tries[1].at - tries[0].at;
            assert!(
                waited >= Duration::from_millis(1200),
                "sent again after {waited:?}"
            );
        }
        assert_eq!(fake.channel_messages(FakeDiscord::CHANNEL_ID).len(), 2);
        assert_eq!(fake.rate_limited(), Vec::<String>::new());
        fake.shutdown().await;
    }

    /// Against the fake Discord: seven posts to one channel at once learn its bucket (5 per
    /// 5 s) from the first answer and wait for the reset instead of causing a 429.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn posts_to_one_channel_keep_to_its_bucket() {
        use fake_discord::FakeDiscord;
        let fake = FakeDiscord::start().await;
        let channel = ChannelId::new(FakeDiscord::CHANNEL_ID);
        let rest = std::sync::Arc::new(Rest::new("token", Some(&fake.api_url())));
        let started = Instant::now();
        let mut posts = tokio::task::JoinSet::new();
        for i in 0..7 {
            let rest = rest.clone();
            posts.spawn(async move {
                let post = CreateMessage::new().content(format!("post {i}"));
                rest.post(Repeat::IfRefused, channel, &post).await.map(drop)
            });
        }
        while let Some(done) = posts.join_next().await {
            done.unwrap().unwrap();
        }
        assert_eq!(fake.channel_messages(FakeDiscord::CHANNEL_ID).len(), 7);
        assert_eq!(fake.rate_limited(), Vec::<String>::new());
        assert!(started.elapsed() >= Duration::from_secs(4));
        fake.shutdown().await;
    }
}
