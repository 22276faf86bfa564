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
//!   answers' headers (`X-RateLimit-Remaining`, `-Reset-After`, `-Limit`), as the docs ask
//!   ("rate limits should not be hard coded into your app"). A bucket with nothing left waits
//!   for its reset; one whose state is unknown sends a single request first, to learn it.
//!   Routes Discord groups into one bucket (`X-RateLimit-Bucket`) are still counted apart.
//! - **A 429** is waited out for its `retry_after` (the body's, or the headers'), and the
//!   request is sent again: a rate-limited request was not carried out. A global 429
//!   (`X-RateLimit-Global`) holds back every request through here.
//! - **A budget**: every wait a header asks for is taken as at most a minute, and a whole
//!   call (waits, 429s, retries) gets a minute; past it, it fails as retryable and the engine's
//!   own backoff takes over, so one channel held back cannot hold up the rest.
//!
//! serenity's own rate limiter cannot be used behind a proxy (it builds its requests without
//! the proxy), and serenity's errors keep neither the headers nor `retry_after`, so these
//! requests are made here, with serenity's model types for bodies and answers. The same code
//! runs against Discord and against the fake Discord of the tests.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
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
/// A bucket whose state is unknown: how often a waiting request looks whether the answers
/// have come back.
const PROBE_POLL: Duration = Duration::from_millis(5);
/// A request taken from a bucket and not answered for this long (its caller gave up) no
/// longer counts as in flight.
const IN_FLIGHT_GIVE_UP: Duration = Duration::from_secs(8);
/// The longest wait any header may ask for; a longer one is taken as this.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// All of one call (waits for buckets and slots, 429s, retries) must fit in this: past it the
/// call fails as retryable and the engine's own backoff takes over, so a channel Discord holds
/// back cannot hold up the others, and a post never goes out long after it was meant to
/// (Discord keeps a nonce for a few minutes only).
const SEND_BUDGET: Duration = Duration::from_secs(60);
/// The largest answer read: a page of 100 messages is far smaller.
const MAX_BODY: usize = 8 << 20;

/// The routes sent through here; with the channel, a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Route {
    PostMessage,
    EditMessage,
    DeleteMessage,
    StartThread,
    History,
    CurrentUser,
}

impl Route {
    fn method(self) -> Method {
        match self {
            Route::PostMessage | Route::StartThread => Method::POST,
            Route::EditMessage => Method::PATCH,
            Route::DeleteMessage => Method::DELETE,
            Route::History | Route::CurrentUser => Method::GET,
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
            Route::CurrentUser => "current user",
        }
    }
}

/// The REST client for work outside interactions, with the rate-limit state it has learned.
pub(super) struct Rest {
    client: reqwest::Client,
    /// `https://discord.com/api/v10`, or the proxy's.
    api: String,
    /// `Bot <token>`, marked sensitive (kept out of reqwest's debug output).
    authorization: HeaderValue,
    pace: Pace,
    /// The bot's own user id, asked once.
    me: std::sync::OnceLock<u64>,
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
    /// After a global 429: no request before this, even one already given a slot.
    paused_until: Option<Instant>,
}

#[derive(Debug, Default)]
struct Bucket {
    limit: Option<u32>,
    remaining: Option<u32>,
    resets: Option<Instant>,
    /// Requests taken from this bucket whose answers have not come back.
    in_flight: u32,
    /// When the last of them was taken.
    last_taken: Option<Instant>,
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

    /// Takes one request from the bucket, or says how long to wait. A bucket whose state is
    /// unknown (never seen, or spent with no reset announced yet) lets one request at a time
    /// go, to learn it from the answer.
    fn take(&self, key: (Route, u64), now: Instant) -> Gate {
        let mut buckets = self.lock_buckets();
        if buckets.len() > 10_000 {
            // Channels posted to once a day: forget the windows that have passed.
            buckets.retain(|_, b| b.in_flight > 0 || b.resets.is_some_and(|r| r > now));
        }
        let b = buckets.entry(key).or_default();
        if b.resets.is_some_and(|r| r <= now) {
            b.remaining = b.limit;
            b.resets = None;
        }
        if b.in_flight > 0
            && b.last_taken
                .is_some_and(|t| now.duration_since(t) > IN_FLIGHT_GIVE_UP)
        {
            b.in_flight = 0;
        }
        let go = |b: &mut Bucket| {
            b.in_flight += 1;
            b.last_taken = Some(now);
            Gate::Go
        };
        match (b.remaining, b.resets) {
            (Some(n), _) if n > 0 => {
                b.remaining = Some(n - 1);
                go(b)
            }
            (Some(_), Some(resets)) => Gate::Wait(resets - now),
            _ if b.in_flight > 0 => Gate::Wait(PROBE_POLL),
            _ => go(b),
        }
    }

    /// Learns a bucket's state from an answer's headers (none for a failure without an
    /// answer). Within a window the count only goes down (requests still out were already
    /// counted here); it refills at the reset.
    fn learn(&self, key: (Route, u64), headers: &HeaderMap, now: Instant) {
        let mut buckets = self.lock_buckets();
        let b = buckets.entry(key).or_default();
        b.in_flight = b.in_flight.saturating_sub(1);
        let count = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u32>().ok();
        if let Some(limit) = count("x-ratelimit-limit") {
            b.limit = Some(limit);
        }
        if let Some(remaining) = count("x-ratelimit-remaining") {
            b.remaining = Some(b.remaining.map_or(remaining, |r| r.min(remaining)));
        }
        if let Some(after) = seconds(headers, "x-ratelimit-reset-after") {
            let resets = now + after;
            b.resets = Some(b.resets.map_or(resets, |r| r.max(resets)));
        }
    }

    /// A 429 on a route: nothing left in its bucket until `wait` has passed.
    fn exhausted(&self, key: (Route, u64), wait: Duration, now: Instant) {
        let mut buckets = self.lock_buckets();
        let b = buckets.entry(key).or_default();
        b.in_flight = b.in_flight.saturating_sub(1);
        b.remaining = Some(0);
        b.resets = Some(now + wait);
    }

    /// The moment the next request may go: evenly spaced, after any global pause.
    fn slot(&self, now: Instant) -> Instant {
        let mut g = self.global.lock().unwrap_or_else(|p| p.into_inner());
        let at = g.next.map_or(now, |n| n.max(now));
        let at = g.paused_until.map_or(at, |p| p.max(at));
        g.next = Some(at + SPACING);
        at
    }

    /// A global 429: no request through here before `until`.
    fn pause(&self, until: Instant) {
        let mut g = self.global.lock().unwrap_or_else(|p| p.into_inner());
        g.paused_until = Some(g.paused_until.map_or(until, |p| p.max(until)));
    }

    /// Until when a global pause holds requests back, if it still does.
    fn paused(&self, now: Instant) -> Option<Instant> {
        let g = self.global.lock().unwrap_or_else(|p| p.into_inner());
        g.paused_until.filter(|p| *p > now)
    }
}

/// A number of seconds from a header: finite, not negative, at most [`MAX_WAIT`].
fn seconds(headers: &HeaderMap, name: &str) -> Option<Duration> {
    let v = headers
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()?;
    finite_wait(v)
}

/// `v` seconds as a wait, if it is a real number of them, capped at [`MAX_WAIT`].
fn finite_wait(v: f64) -> Option<Duration> {
    (v.is_finite() && v >= 0.0).then(|| Duration::from_secs_f64(v.min(MAX_WAIT.as_secs_f64())))
}

/// The wait a 429 asks for: the body's `retry_after` (seconds, with decimals), else the
/// `X-RateLimit-Reset-After` or `Retry-After` header, at most [`MAX_WAIT`]; and whether it
/// holds every route. A 429 with neither Discord's scope header nor its JSON body (one from
/// a proxy or a firewall in front of the API) is taken as holding every route.
fn rate_limit_wait(headers: &HeaderMap, body: &[u8]) -> (Duration, bool) {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let wait = json
        .as_ref()
        .and_then(|j| j["retry_after"].as_f64())
        .and_then(finite_wait)
        .or_else(|| seconds(headers, "x-ratelimit-reset-after"))
        .or_else(|| seconds(headers, "retry-after"))
        .unwrap_or(Duration::from_secs(1));
    let global = headers.contains_key("x-ratelimit-global")
        || json.as_ref().is_some_and(|j| j["global"] == true)
        || (json.is_none() && !headers.contains_key("x-ratelimit-scope"));
    (wait, global)
}

impl Rest {
    /// A client for `api_url` (a proxy's base address) or Discord.
    pub(super) fn new(token: &str, api_url: Option<&str>) -> Result<Rest, Box<serenity::Error>> {
        let base = api_url
            .unwrap_or("https://discord.com")
            .trim_end_matches('/');
        let token = if token.starts_with("Bot ") {
            token.to_string()
        } else {
            format!("Bot {token}")
        };
        let mut authorization = HeaderValue::from_str(&token)
            .map_err(|e| Box::new(serenity::Error::Http(HttpError::InvalidHeader(e))))?;
        authorization.set_sensitive(true);
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            // Discord's API does not redirect; a redirect would be a proxy's mistake.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Box::new(serenity::Error::Http(HttpError::Request(e.without_url()))))?;
        Ok(Rest {
            client,
            api: format!("{base}/api/v10"),
            authorization,
            pace: Pace::default(),
            me: std::sync::OnceLock::new(),
        })
    }

    /// Sends one request at Discord's pace: waits for its bucket and its global slot, waits
    /// out 429s, and retries other failures as `repeat` allows (`retry.rs`), all within
    /// [`SEND_BUDGET`]. The answer's body on success. `major` is the route's top-level
    /// resource (the channel), which with the route names its bucket.
    async fn send(
        &self,
        route: Route,
        major: u64,
        repeat: Repeat,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, serenity::Error> {
        let (what, method) = (route.label(), route.method());
        let key = (route, major);
        let url = format!("{}{path}", self.api);
        let deadline = Instant::now() + SEND_BUDGET;
        // Waits within the budget; past it, the call fails as retryable.
        let wait = |d: Duration| {
            let until = Instant::now() + d;
            async move {
                if until > deadline {
                    return Err(over_budget());
                }
                tokio::time::sleep_until(until.into()).await;
                Ok(())
            }
        };
        let mut attempt = 0;
        let mut limited = 0;
        loop {
            loop {
                match self.pace.take(key, Instant::now()) {
                    Gate::Go => break,
                    Gate::Wait(d) => wait(d).await?,
                }
            }
            let at = self.pace.slot(Instant::now());
            if let Err(e) = wait(at.saturating_duration_since(Instant::now())).await {
                self.pace.learn(key, &HeaderMap::new(), Instant::now());
                return Err(e);
            }
            // A global 429 that came while this request waited for its slot holds it too.
            while let Some(until) = self.pace.paused(Instant::now()) {
                if let Err(e) = wait(until - Instant::now()).await {
                    self.pace.learn(key, &HeaderMap::new(), Instant::now());
                    return Err(e);
                }
            }
            let mut request = self
                .client
                .request(method.clone(), &url)
                .header(AUTHORIZATION, self.authorization.clone())
                .header(USER_AGENT, serenity::constants::USER_AGENT);
            if let Some(b) = &body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(b.clone());
            }
            let answered = tokio::time::timeout(retry::REQUEST_TIMEOUT, async {
                let mut response = request.send().await?;
                let status = response.status();
                let headers = response.headers().clone();
                if status.is_success() || status == StatusCode::TOO_MANY_REQUESTS {
                    let mut bytes = Vec::new();
                    while let Some(chunk) = response.chunk().await? {
                        if bytes.len() + chunk.len() > MAX_BODY {
                            return Ok::<_, reqwest::Error>((status, headers, Err(None)));
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    Ok((status, headers, Ok(bytes)))
                } else {
                    let error = ErrorResponse::from_response(response, method.clone()).await;
                    Ok((status, headers, Err(Some(error))))
                }
            })
            .await;
            let now = Instant::now();
            let err = match answered {
                Ok(Ok((status, headers, result))) => {
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        let body = result.unwrap_or_default();
                        let (pause, global) = rate_limit_wait(&headers, &body);
                        if global {
                            self.pace.learn(key, &HeaderMap::new(), now);
                            self.pace.pause(now + pause);
                        } else {
                            self.pace.exhausted(key, pause, now);
                        }
                        limited += 1;
                        tracing::warn!(
                            call = what,
                            wait_ms = pause.as_millis() as u64,
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
                        Err(Some(e)) => serenity::Error::Http(HttpError::UnsuccessfulRequest(e)),
                        Err(None) => {
                            return Err(serenity::Error::Io(std::io::Error::other(
                                "Discord's answer was larger than the bot reads",
                            )));
                        }
                    }
                }
                Ok(Err(e)) => {
                    self.pace.learn(key, &HeaderMap::new(), now);
                    // The URL holds nothing secret, but a proxy's address might.
                    serenity::Error::Http(HttpError::Request(e.without_url()))
                }
                Err(_) => {
                    self.pace.learn(key, &HeaderMap::new(), now);
                    retry::timed_out(retry::REQUEST_TIMEOUT)
                }
            };
            attempt += 1;
            match retry::retry_after(&err, repeat) {
                Some(pause) if attempt < retry::ATTEMPTS => {
                    tracing::warn!(
                        call = what,
                        attempt,
                        error = %crate::logging::escaped(&err),
                        "Discord request failed; trying again"
                    );
                    wait(pause).await?;
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
        let bytes = self.send(route, channel.get(), repeat, &path, body).await?;
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
        self.send(route, channel.get(), Repeat::Safe, &path, None)
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

impl Rest {
    /// The bot's own user id (`GET /users/@me`, asked once and kept).
    pub(super) async fn my_id(&self) -> Result<u64, serenity::Error> {
        if let Some(id) = self.me.get() {
            return Ok(*id);
        }
        let bytes = self
            .send(Route::CurrentUser, 0, Repeat::Safe, "/users/@me", None)
            .await?;
        let me: serenity::all::CurrentUser = serde_json::from_slice(&bytes)?;
        Ok(*self.me.get_or_init(|| me.id.get()))
    }
}

/// A call whose waits would pass [`SEND_BUDGET`]: it fails as a timeout (retried later).
fn over_budget() -> serenity::Error {
    serenity::Error::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!(
            "Discord asked to wait longer than the {} s a request may take",
            SEND_BUDGET.as_secs()
        ),
    ))
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
        // Another channel is another bucket.
        assert!(matches!(pace.take((Route::PostMessage, 2), t), Gate::Go));
    }

    /// Found in review: after a refill with many requests waiting, exactly the limit went
    /// and one more (the bucket, spent with no reset known yet, was "learned again").
    #[test]
    fn a_refilled_bucket_lets_its_limit_go_and_no_more() {
        let pace = Pace::default();
        let key = (Route::EditMessage, 3);
        let t = Instant::now();
        assert!(matches!(pace.take(key, t), Gate::Go));
        let h = headers(&[
            ("x-ratelimit-limit", "5"),
            ("x-ratelimit-remaining", "4"),
            ("x-ratelimit-reset-after", "5"),
        ]);
        pace.learn(key, &h, t);
        for _ in 0..4 {
            assert!(matches!(pace.take(key, t), Gate::Go));
        }
        for _ in 0..4 {
            pace.learn(key, &h, t);
        }
        // Twelve wait for the reset: five go, the rest wait for answers.
        let later = t + Duration::from_secs(5);
        let went = (0..12)
            .filter(|_| matches!(pace.take(key, later), Gate::Go))
            .count();
        assert_eq!(went, 5);
    }

    /// Found in review: header values such as `inf`, `NaN` or `1e300` panicked in
    /// `Duration::from_secs_f64`; they are ignored or capped now.
    #[test]
    fn hostile_header_values_never_panic() {
        let pace = Pace::default();
        let key = (Route::History, 4);
        let t = Instant::now();
        for v in [
            "inf",
            "-inf",
            "NaN",
            "1e300",
            "-5",
            "18446744073709551616",
            "x",
        ] {
            let h = headers(&[
                ("x-ratelimit-limit", v),
                ("x-ratelimit-remaining", v),
                ("x-ratelimit-reset-after", v),
                ("retry-after", v),
            ]);
            assert!(matches!(pace.take(key, t), Gate::Go | Gate::Wait(_)));
            pace.learn(key, &h, t);
            let (wait, _) = rate_limit_wait(&h, format!(r#"{{"retry_after": "{v}"}}"#).as_bytes());
            assert!(wait <= MAX_WAIT, "{v}: {wait:?}");
        }
        let big = headers(&[("x-ratelimit-scope", "user"), ("retry-after", "1e300")]);
        assert_eq!(rate_limit_wait(&big, b"").0, MAX_WAIT);
        // A 429 from something in front of Discord (no scope, no JSON) holds every route.
        assert!(rate_limit_wait(&HeaderMap::new(), b"<html>").1);
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
        assert_eq!(pace.paused(t), Some(t + Duration::from_secs(2)));
    }

    #[test]
    fn a_429_is_waited_out_for_its_retry_after() {
        let h = headers(&[("retry-after", "3"), ("x-ratelimit-global", "true")]);
        let (wait, global) = rate_limit_wait(&h, br#"{"retry_after": 2.5, "global": true}"#);
        assert_eq!(wait, Duration::from_millis(2500));
        assert!(global);
        let h = headers(&[
            ("retry-after", "2"),
            ("x-ratelimit-reset-after", "1.250"),
            ("x-ratelimit-scope", "user"),
        ]);
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
        let rest = Rest::new("token", Some(&fake.api_url())).unwrap();
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
        let rest = std::sync::Arc::new(Rest::new("token", Some(&fake.api_url())).unwrap());
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

    /// Found in review: a 429 asking for hours held the call (and its channel, and the
    /// scheduler's round) that long. It now fails at once as retryable, having sent nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_429_asking_for_hours_fails_the_call_at_once_as_retryable() {
        use fake_discord::{FakeDiscord, RestFault};
        let fake = FakeDiscord::start().await;
        let channel = ChannelId::new(FakeDiscord::CHANNEL_ID);
        let rest = Rest::new("token", Some(&fake.api_url())).unwrap();
        fake.inject_faults(
            "POST",
            "/channels/*/messages",
            vec![Some(RestFault::RateLimited {
                retry_after: 7200.0,
                global: false,
            })],
        );
        let started = Instant::now();
        let post = CreateMessage::new().content("later");
        let err = rest
            .post(Repeat::IfRefused, channel, &post)
            .await
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert!(matches!(
            crate::discord::deliver::classify(&err),
            crate::engine::Delivered::Failed(_)
        ));
        assert!(fake.channel_messages(FakeDiscord::CHANNEL_ID).is_empty());
        fake.shutdown().await;
    }
}

/// The hosts Discord serves attachments from.
const ATTACHMENT_HOSTS: &[&str] = &["cdn.discordapp.com", "media.discordapp.net"];

impl Rest {
    /// Whether `url` is on Discord's attachment hosts (over HTTPS), or on the API's own host
    /// when it is configured to another (a proxy, or the fake Discord in tests).
    fn attachment_url_allowed(&self, url: &reqwest::Url) -> bool {
        if url.scheme() == "https"
            && url
                .host_str()
                .is_some_and(|h| ATTACHMENT_HOSTS.contains(&h))
        {
            return true;
        }
        let Ok(api) = reqwest::Url::parse(&self.api) else {
            return false;
        };
        api.host_str() != Some("discord.com")
            && url.scheme() == api.scheme()
            && url.host_str() == api.host_str()
            && url.port_or_known_default() == api.port_or_known_default()
    }

    /// Fetches an attachment the interaction named: only from an allowed host, refused at
    /// once when its declared size is over `limit`, read in chunks and dropped as soon as it
    /// passes `limit`, and given up after `timeout`. Never sends the bot's token.
    pub(super) async fn fetch_attachment(
        &self,
        url: &str,
        declared: u64,
        limit: u64,
        timeout: Duration,
    ) -> crate::engine::Fetched {
        use crate::engine::{FetchRefusal, Fetched};
        if declared > limit {
            return Fetched::Refused(FetchRefusal::TooLarge { limit });
        }
        let Ok(parsed) = reqwest::Url::parse(url) else {
            return Fetched::Refused(FetchRefusal::NotDiscord);
        };
        if !self.attachment_url_allowed(&parsed) {
            tracing::warn!("attachment not fetched: not on Discord's attachment host");
            return Fetched::Refused(FetchRefusal::NotDiscord);
        }
        let download = async {
            let mut response = self.client.get(parsed).send().await?.error_for_status()?;
            if response.content_length().is_some_and(|n| n > limit) {
                return Ok(Fetched::Refused(FetchRefusal::TooLarge { limit }));
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if (bytes.len() + chunk.len()) as u64 > limit {
                    return Ok(Fetched::Refused(FetchRefusal::TooLarge { limit }));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok::<_, reqwest::Error>(Fetched::Bytes(bytes))
        };
        match tokio::time::timeout(timeout, download).await {
            Ok(Ok(fetched)) => fetched,
            Ok(Err(e)) => {
                tracing::warn!(error = %e.without_url(), "attachment download failed");
                Fetched::Refused(FetchRefusal::Failed)
            }
            Err(_) => Fetched::Refused(FetchRefusal::TimedOut),
        }
    }
}

#[cfg(test)]
mod attachment_tests {
    use super::*;

    fn rest(base: &str) -> Rest {
        Rest::new("t", Some(base)).unwrap()
    }

    #[test]
    fn attachments_come_only_from_discords_hosts_or_the_configured_api() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        let real = rest("https://discord.com");
        assert!(
            real.attachment_url_allowed(&url("https://cdn.discordapp.com/attachments/1/2/a.csv"))
        );
        assert!(
            real.attachment_url_allowed(&url("https://media.discordapp.net/attachments/1/2/a"))
        );
        assert!(!real.attachment_url_allowed(&url("http://cdn.discordapp.com/attachments/1/2/a")));
        assert!(!real.attachment_url_allowed(&url("https://cdn.discordapp.com.evil.example/a")));
        assert!(!real.attachment_url_allowed(&url("https://discord.com/api/v10/x")));
        assert!(!real.attachment_url_allowed(&url("http://127.0.0.1:9/a")));
        let fake = rest("http://127.0.0.1:4000");
        assert!(fake.attachment_url_allowed(&url("http://127.0.0.1:4000/attachments/1")));
        assert!(!fake.attachment_url_allowed(&url("http://127.0.0.1:4001/attachments/1")));
        assert!(!fake.attachment_url_allowed(&url("http://localhost:4000/attachments/1")));
    }
}
