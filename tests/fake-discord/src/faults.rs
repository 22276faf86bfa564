//! Injected REST faults: what Discord (or the network in between) does when it is unwell.
//!
//! A test adds rules with `FakeDiscord::inject_faults(method, path, plan)`. Each request that
//! matches a rule's method and path pattern takes the next step of its plan: a fault, or `None`
//! to be served normally. When a plan is used up, requests pass. The kinds of fault and where
//! Discord documents them:
//!
//! - `RateLimited`: status 429 with the documented body `{"message", "retry_after", "global"}`
//!   and headers `Retry-After`, `X-RateLimit-Limit`, `-Remaining`, `-Reset`, `-Reset-After`,
//!   `-Bucket`, `-Scope` and, for a global limit, `X-RateLimit-Global`
//!   (https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit and
//!   #header-format). The request is not carried out.
//! - `ServerError(500 | 502 | ...)`: Discord's side failed ("Unavailable"/"Bad Gateway", the
//!   5xx class in https://discord.com/developers/docs/topics/opcodes-and-status-codes#http);
//!   the request is not carried out.
//! - `Hold(d)`: the request is carried out at once, but its answer is only sent after `d`, so
//!   a client whose timeout is shorter never learns the result (the case `enforce_nonce` of
//!   Create Message exists for: https://discord.com/developers/docs/resources/message#create-message).
//! - `Drop`: the request is carried out and the connection is closed without an answer.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::server::{Body, json_response};
use hyper::Response;

/// One injected fault (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub enum RestFault {
    /// 429 Too Many Requests; `retry_after` in seconds.
    RateLimited { retry_after: f64, global: bool },
    /// A 5xx status; the request is not carried out.
    ServerError(u16),
    /// Carried out, answered only after this long.
    Hold(Duration),
    /// Carried out, the connection closed without an answer.
    Drop,
}

impl RestFault {
    /// Whether the fake carries out the request before the fault shows.
    pub(crate) fn carried_out(&self) -> bool {
        matches!(self, RestFault::Hold(_) | RestFault::Drop)
    }

    pub(crate) fn label(&self) -> String {
        match self {
            RestFault::RateLimited {
                retry_after,
                global,
            } => {
                format!("429 (retry_after {retry_after}, global {global})")
            }
            RestFault::ServerError(s) => format!("{s}"),
            RestFault::Hold(d) => format!("held {} ms", d.as_millis()),
            RestFault::Drop => "dropped".into(),
        }
    }
}

/// The plan of a rule: one step per matching request, in order.
pub type FaultPlan = Vec<Option<RestFault>>;

/// Draws a plan of `n` steps from a seeded generator: each step is a fault with probability
/// `rate` (one of `kinds`, uniformly), else `None`. The same seed gives the same plan.
pub fn random_plan(seed: u64, n: usize, rate: f64, kinds: &[RestFault]) -> FaultPlan {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..n)
        .map(|_| {
            (rng.f64() < rate && !kinds.is_empty()).then(|| kinds[rng.usize(..kinds.len())].clone())
        })
        .collect()
}

#[derive(Debug)]
pub(crate) struct Rule {
    method: String,
    /// Path segments; `*` matches any one segment.
    pattern: Vec<String>,
    plan: VecDeque<Option<RestFault>>,
}

#[derive(Debug, Default)]
pub(crate) struct Faults {
    rules: Vec<Rule>,
    /// `"METHOD /path"` of requests carried out whose answer was held or dropped: the client
    /// could not know they went through, so sending them again is no protocol mistake.
    lost_answers: std::collections::HashSet<String>,
}

impl Faults {
    pub(crate) fn add(&mut self, method: &str, path: &str, plan: FaultPlan) {
        self.rules.push(Rule {
            method: method.to_ascii_uppercase(),
            pattern: segments(path).map(str::to_string).collect(),
            plan: plan.into(),
        });
    }

    pub(crate) fn answer_lost(&mut self, method: &str, path: &str) {
        self.lost_answers.insert(format!("{method} {path}"));
    }

    pub(crate) fn was_lost(&self, method: &str, path: &str) -> bool {
        self.lost_answers.contains(&format!("{method} {path}"))
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// The next step for this request: the first rule that matches and still has steps.
    pub(crate) fn take(&mut self, method: &str, path: &str) -> Option<RestFault> {
        let rule = self.rules.iter_mut().find(|r| {
            r.method == method && !r.plan.is_empty() && matches_pattern(&r.pattern, path)
        })?;
        rule.plan.pop_front().flatten()
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.trim_start_matches("/api/v10")
        .trim_matches('/')
        .split('/')
}

fn matches_pattern(pattern: &[String], path: &str) -> bool {
    let parts: Vec<&str> = segments(path).collect();
    parts.len() == pattern.len() && pattern.iter().zip(&parts).all(|(p, s)| p == "*" || p == s)
}

/// Discord's 429 answer (rate-limits page: "Exceeding A Rate Limit" and "Header Format").
pub(crate) fn rate_limited(retry_after: f64, global: bool) -> Response<Body> {
    let body = json!({
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": global,
    });
    let mut response = json_response(429, &body);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = value.parse() {
            headers.insert(name, v);
        }
    };
    // "Retry-After: The number of seconds to wait before submitting another request."
    set("retry-after", format!("{}", retry_after.ceil() as u64));
    set("x-ratelimit-limit", "5".into());
    set("x-ratelimit-remaining", "0".into());
    set("x-ratelimit-reset", format!("{:.3}", now + retry_after));
    set("x-ratelimit-reset-after", format!("{retry_after:.3}"));
    set("x-ratelimit-bucket", "fake-discord-bucket".into());
    set(
        "x-ratelimit-scope",
        if global { "global" } else { "user" }.into(),
    );
    if global {
        set("x-ratelimit-global", "true".into());
    }
    response
}

/// A 5xx answer in Discord's error shape.
pub(crate) fn server_error(status: u16) -> Response<Body> {
    let message = match status {
        502 => "502: Bad Gateway",
        503 => "503: Service Unavailable",
        504 => "504: Gateway Timeout",
        _ => "500: Internal Server Error",
    };
    json_response(status, &json!({"message": message, "code": 0}))
}

/// How many dispatches per session the fake keeps for resuming.
const REPLAY_KEEP: usize = 1000;

/// What the gateway remembers for resuming, and the gateway faults a test asked for.
///
/// Discord: "When resuming, you do not need to send an Identify event after opening the
/// connection. If successful, the gateway will send the missed events in order, finishing with
/// a Resumed event" (https://discord.com/developers/docs/events/gateway#resuming). So every
/// dispatch is kept with its sequence number per session, and a RESUME with `seq` gets those
/// after `seq` again.
#[derive(Debug, Default)]
pub(crate) struct GatewayLog {
    /// Session id -> `(seq, t, d)` of the dispatches sent on it, oldest first.
    pub(crate) sent: std::collections::HashMap<String, VecDeque<(u64, String, serde_json::Value)>>,
    /// The next dispatch gets its sequence number and is kept for the session, but is never
    /// written: the connection drops first (lost in transit).
    pub(crate) lose_next: bool,
    /// Interactions whose INTERACTION_CREATE was written to a websocket (first or on a resume).
    pub(crate) delivered: std::collections::HashSet<u64>,
    /// How many sessions became ready (READY or RESUMED sent).
    pub(crate) readies: usize,
}

impl GatewayLog {
    pub(crate) fn keep(&mut self, session: &str, seq: u64, t: &str, d: &serde_json::Value) {
        let log = self.sent.entry(session.to_string()).or_default();
        log.push_back((seq, t.to_string(), d.clone()));
        while log.len() > REPLAY_KEEP {
            log.pop_front();
        }
    }

    /// The dispatches of `session` after `seq`, to send again on a resume.
    pub(crate) fn missed(&self, session: &str, seq: u64) -> Vec<(u64, String, serde_json::Value)> {
        self.sent
            .get(session)
            .map(|log| log.iter().filter(|(s, _, _)| *s > seq).cloned().collect())
            .unwrap_or_default()
    }

    /// Notes that a dispatch reached a socket.
    pub(crate) fn written(&mut self, t: &str, d: &serde_json::Value) {
        if t == "INTERACTION_CREATE"
            && let Some(id) = d["id"].as_str().and_then(|s| s.parse().ok())
        {
            self.delivered.insert(id);
        }
    }
}

/// Whether a gateway close code lets the client resume its session. Discord's close event
/// codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes):
/// after 4007 (invalid seq) and 4009 (session timed out) the client reconnects with a new
/// session; 4004 and 4010 to 4014 do not allow reconnecting at all.
/// The others (4000 to 4003, 4005, 4008, and closes without a Discord code) may resume.
pub fn close_code_allows_resume(code: u16) -> bool {
    !matches!(code, 4004 | 4007 | 4009 | 4010..=4014)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_segments_and_plans_run_out() {
        let mut f = Faults::default();
        f.add(
            "post",
            "/channels/*/messages",
            vec![Some(RestFault::ServerError(500)), None],
        );
        assert_eq!(f.take("POST", "/channels/1/messages/2"), None);
        assert_eq!(f.take("GET", "/channels/1/messages"), None);
        assert_eq!(
            f.take("POST", "/api/v10/channels/1/messages"),
            Some(RestFault::ServerError(500))
        );
        assert_eq!(f.take("POST", "/channels/1/messages"), None);
        // Used up: passes from now on.
        assert!(f.rules[0].plan.is_empty());
        assert_eq!(f.take("POST", "/channels/1/messages"), None);
    }

    #[test]
    fn a_seeded_plan_is_the_same_every_time() {
        let kinds = [RestFault::ServerError(500), RestFault::Drop];
        let a = random_plan(7, 50, 0.5, &kinds);
        assert_eq!(a, random_plan(7, 50, 0.5, &kinds));
        assert!(a.iter().any(Option::is_some) && a.iter().any(Option::is_none));
    }

    #[test]
    fn resumes_get_the_dispatches_after_their_seq() {
        let mut g = GatewayLog::default();
        for seq in 2..=5 {
            g.keep(
                "s",
                seq,
                "INTERACTION_CREATE",
                &json!({"id": seq.to_string()}),
            );
        }
        let missed: Vec<u64> = g.missed("s", 3).iter().map(|m| m.0).collect();
        assert_eq!(missed, vec![4, 5]);
        assert!(g.missed("other", 0).is_empty());
        g.written("INTERACTION_CREATE", &json!({"id": "4"}));
        assert!(g.delivered.contains(&4) && !g.delivered.contains(&5));
        assert!(close_code_allows_resume(4000) && !close_code_allows_resume(4009));
    }

    #[test]
    fn a_rate_limit_answer_has_the_documented_body_and_headers() {
        let r = rate_limited(1.5, true);
        assert_eq!(r.status(), 429);
        let h = r.headers();
        assert_eq!(h["retry-after"], "2");
        assert_eq!(h["x-ratelimit-global"], "true");
        assert_eq!(h["x-ratelimit-scope"], "global");
        assert_eq!(h["x-ratelimit-remaining"], "0");
        assert_eq!(h["x-ratelimit-reset-after"], "1.500");
    }
}
