//! A fake Discord for end-to-end tests.
//!
//! One `127.0.0.1` port serves both halves of Discord that a serenity bot talks to:
//! - REST under `/api/v10/...` (plain HTTP; serenity gets there through
//!   `HttpBuilder::proxy(api_url)` with the ratelimiter disabled), and
//! - the gateway websocket at `/gateway` (plain `ws://`, JSON in text frames).
//!
//! Every REST request is recorded. JSON bodies are checked against Discord's OpenAPI spec
//! (`shared/discord/openapi.json`) and against Discord's documented size limits; anything wrong is
//! kept as a violation string (`"METHOD /path: what"`). Protocol mistakes that Discord itself would
//! refuse (answering an interaction twice, a followup before the first answer, a wrong application
//! id, ...) are violations too, and get Discord's error reply.
//!
//! serenity 0.12.5 drops a gateway dispatch it cannot deserialize without any log above `warn`, so
//! every dispatch the fake builds is first parsed with serenity's own `GatewayEvent`, and sending
//! one that would be dropped panics instead of letting a test time out for no visible reason.
//!
//! Everything runs on tokio tasks of the test's runtime and stops when the `FakeDiscord` is
//! dropped (or `shutdown` is awaited).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONNECTION, CONTENT_TYPE, SEC_WEBSOCKET_ACCEPT, UPGRADE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

/// Heartbeat interval announced in HELLO.
const HEARTBEAT_INTERVAL_MS: u64 = 5_000;
/// How long a `send_*` call waits for a ready gateway session before giving up.
const DISPATCH_WAIT: Duration = Duration::from_secs(10);
/// How long reading one request body may take.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// A websocket that neither identifies nor resumes within this time is closed.
const IDENTIFY_TIMEOUT: Duration = Duration::from_secs(30);
/// Discord wants the first answer to an interaction within 3 seconds.
const DEFAULT_ACK_DEADLINE: Duration = Duration::from_secs(3);
/// Milliseconds between the Unix epoch and Discord's epoch (2015-01-01), for snowflakes.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
/// `app_permissions` sent with interactions (send/read messages, embeds, ... — no admin).
const BOT_PERMISSIONS: &str = "533113207808";
/// Permissions of the member in interactions that do not name any (a plain member).
pub const DEFAULT_MEMBER_PERMISSIONS: &str = "104324673";
/// User behind interactions that do not name one.
pub const DEFAULT_USER_ID: u64 = 1_300_000_000_000_000_100;
/// Message flag: the message is a "thinking..." placeholder of a deferred answer.
const FLAG_LOADING: u64 = 1 << 7;
/// Message flag: components v2 (then the 5-action-row rule does not apply).
const FLAG_COMPONENTS_V2: u64 = 1 << 15;

/// One REST request as the fake received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path without `/api/v10` and without the query, e.g. `/channels/1/messages`.
    pub path: String,
    /// Raw query string without `?` (serenity writes e.g. `&wait=true`).
    pub query: Option<String>,
    /// The JSON body (for multipart: the `payload_json` part); `Null` if there was none.
    pub body: Value,
    /// File names of multipart file parts, if any.
    pub files: Vec<String>,
}

/// What a test needs to find the answer to an interaction it sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InteractionRef {
    pub id: u64,
    pub token: String,
}

/// The fake server. See the module docs.
pub struct FakeDiscord {
    shared: Arc<Shared>,
    /// Dropping this sender tells every task of the fake to stop.
    stop: Option<watch::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

impl FakeDiscord {
    pub const APP_ID: u64 = 1_300_000_000_000_000_001;
    pub const BOT_USER_ID: u64 = 1_300_000_000_000_000_002;
    pub const GUILD_ID: u64 = 1_300_000_000_000_000_003;
    pub const CHANNEL_ID: u64 = 1_300_000_000_000_000_004;
    /// Owner of the application (in `GET /oauth2/applications/@me`).
    pub const OWNER_ID: u64 = 1_300_000_000_000_000_005;

    /// Binds `127.0.0.1:0` and starts serving.
    pub async fn start() -> FakeDiscord {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("fake_discord: cannot bind 127.0.0.1:0");
        let addr = listener
            .local_addr()
            .expect("fake_discord: no local address");
        let (changed, _) = watch::channel(0u64);
        let shared = Arc::new(Shared {
            addr,
            state: Mutex::new(State {
                ack_deadline: Some(DEFAULT_ACK_DEADLINE),
                ..State::default()
            }),
            changed,
            last_id: AtomicU64::new(0),
        });
        let (stop, stop_rx) = watch::channel(());
        // Parse the spec in the background so that the first request does not pay for it.
        drop(tokio::task::spawn_blocking(|| {
            let _ = spec();
        }));
        let server = tokio::spawn(accept_loop(listener, Arc::clone(&shared), stop_rx));
        FakeDiscord {
            shared,
            stop: Some(stop),
            server: Some(server),
        }
    }

    /// `http://127.0.0.1:PORT`: what the bot gets as its API base (serenity's `proxy`).
    pub fn api_url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// `ws://127.0.0.1:PORT/gateway`, as returned by `GET /api/v10/gateway`.
    pub fn gateway_url(&self) -> String {
        self.shared.gateway_url()
    }

    /// Waits until a gateway session is ready (READY or RESUMED sent and the socket still open).
    pub async fn wait_identified(&self, timeout: Duration) -> Result<(), String> {
        self.wait_for(timeout, |st| st.ready.as_ref().map(|_| ()))
            .await
            .ok_or_else(|| {
                let st = self.shared.lock();
                format!(
                    "fake_discord: no ready gateway session after {timeout:?} \
                     (identify/resume seen: {}, requests: {:?})",
                    st.identify_count,
                    request_lines(&st.requests)
                )
            })
    }

    /// How many IDENTIFY and RESUME payloads the gateway has received.
    pub fn identify_count(&self) -> usize {
        self.shared.lock().identify_count
    }

    /// How many of `identify_count` were RESUMEs.
    pub fn resume_count(&self) -> usize {
        self.shared.lock().resume_count
    }

    /// How many heartbeats (op 1) were received (all answered with op 11).
    pub fn heartbeat_count(&self) -> usize {
        self.shared.lock().heartbeat_count
    }

    /// The `d` of every IDENTIFY received (token, intents, shard, ...).
    pub fn identify_payloads(&self) -> Vec<Value> {
        self.shared.lock().identifies.clone()
    }

    /// Answer the next RESUMEs with op 9 (invalid session, not resumable) instead of RESUMED, so
    /// the client has to identify again.
    pub fn set_reject_resume(&self, reject: bool) {
        self.shared.lock().reject_resume = reject;
    }

    /// Interactions first answered later than this after their dispatch count as violations
    /// (Discord: 3 s). `None` turns the check off.
    pub fn set_ack_deadline(&self, deadline: Option<Duration>) {
        self.shared.lock().ack_deadline = deadline;
    }

    /// Sends a slash-command interaction (type 2) in `GUILD_ID`/`CHANNEL_ID`.
    ///
    /// `options` is Discord's `data.options` array (`[{name, type, value}]`, nested `options` for
    /// subcommands) or `Null`. User options (type 6) get `data.resolved` filled in. `permissions`
    /// is the member's permission bit set as a decimal string.
    pub async fn send_command(
        &self,
        name: &str,
        options: Value,
        user_id: u64,
        permissions: &str,
    ) -> InteractionRef {
        let data = self.command_data(name, options);
        self.send_interaction(2, data, user_id, permissions, None)
            .await
    }

    /// Sends an autocomplete interaction (type 4) for command `name` from `DEFAULT_USER_ID`. One
    /// option should carry `"focused": true`; its value is sent as a string, as Discord does
    /// (serenity only accepts a string there).
    pub async fn send_autocomplete(&self, name: &str, options: Value) -> InteractionRef {
        let data = self.command_data(name, options);
        self.send_interaction(4, data, DEFAULT_USER_ID, DEFAULT_MEMBER_PERMISSIONS, None)
            .await
    }

    /// Sends a button click (type 3) with `custom_id`. `message` is the message the button sits
    /// on: `Null` for a default bot message holding that button, or an object whose fields
    /// replace the default's.
    pub async fn send_button(
        &self,
        custom_id: &str,
        message: Value,
        user_id: u64,
    ) -> InteractionRef {
        let message = self.component_message(custom_id, message);
        let data = json!({"custom_id": custom_id, "component_type": 2});
        self.send_interaction(3, data, user_id, DEFAULT_MEMBER_PERMISSIONS, Some(message))
            .await
    }

    /// Sends any interaction: `kind` is Discord's interaction type, `data` its `data`, `message`
    /// the message of a component interaction. The envelope (ids, member, token, locale, ...) is
    /// filled in. Panics if serenity could not parse the result.
    pub async fn send_interaction(
        &self,
        kind: u8,
        data: Value,
        user_id: u64,
        permissions: &str,
        message: Option<Value>,
    ) -> InteractionRef {
        assert!(
            permissions.parse::<u64>().is_ok(),
            "fake_discord: permissions must be a decimal bit set, got {permissions:?} \
             (serenity would drop the interaction)"
        );
        let id = self.shared.next_id();
        let token = format!("fake-interaction-token-{id}");
        let payload = interaction_payload(
            kind,
            id,
            &token,
            user_id,
            permissions,
            data,
            message.clone(),
        );
        {
            let mut st = self.shared.lock();
            if let Some(m) = &message
                && let Some(mid) = id_of(&m["id"])
            {
                st.messages.entry(mid).or_insert_with(|| m.clone());
            }
            st.interactions.insert(
                id,
                InteractionState {
                    token: token.clone(),
                    kind,
                    channel_id: Self::CHANNEL_ID,
                    sent_at: None,
                    acked: false,
                    original: None,
                    source_message: message,
                },
            );
        }
        if let Err(e) = self.send_dispatch("INTERACTION_CREATE", payload).await {
            panic!("fake_discord: {e}");
        }
        if let Some(i) = self.shared.lock().interactions.get_mut(&id) {
            i.sent_at = Some(Instant::now());
        }
        InteractionRef { id, token }
    }

    /// Sends a raw dispatch (op 0) `t`/`d` on the current gateway session, waiting up to 10 s for
    /// one to be ready. Fails if serenity 0.12.5 would not be able to parse it.
    pub async fn send_dispatch(&self, t: &str, d: Value) -> Result<(), String> {
        check_dispatch(t, &d)?;
        let deadline = tokio::time::Instant::now() + DISPATCH_WAIT;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let tx = self
                .wait_for(left, |st| {
                    let session = st.ready.as_ref()?;
                    (!session.tx.is_closed()).then(|| session.tx.clone())
                })
                .await
                .ok_or_else(|| {
                    format!("no ready gateway session within {DISPATCH_WAIT:?} to deliver {t}")
                })?;
            let command = GatewayCommand::Dispatch {
                t: t.to_string(),
                d: d.clone(),
            };
            if tx.send(command).is_ok() {
                return Ok(());
            }
            // That connection just ended; clear it so that the next ready one is awaited.
            let mut st = self.shared.lock();
            if st.ready.as_ref().is_some_and(|s| s.tx.is_closed()) {
                st.ready = None;
            }
        }
    }

    /// Waits for a recorded request (already received or still to come) matching `pred`.
    pub async fn wait_request(
        &self,
        pred: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Result<Recorded, String> {
        self.wait_request_since(0, pred, timeout).await
    }

    /// Like `wait_request`, but only looks at requests from index `start` of `requests()` on
    /// (pass `requests().len()` to wait for a new one).
    pub async fn wait_request_since(
        &self,
        start: usize,
        pred: impl Fn(&Recorded) -> bool,
        timeout: Duration,
    ) -> Result<Recorded, String> {
        self.wait_for(timeout, |st| st.requests.iter().skip(start).find(|r| pred(r)).cloned())
            .await
            .ok_or_else(|| {
                let st = self.shared.lock();
                format!(
                    "fake_discord: no matching request within {timeout:?}; seen: {:?}; violations: {:?}",
                    request_lines(&st.requests),
                    st.violations
                )
            })
    }

    /// Waits for `POST /interactions/{id}/{token}/callback` of `i`.
    pub async fn wait_callback(
        &self,
        i: &InteractionRef,
        timeout: Duration,
    ) -> Result<Recorded, String> {
        let path = format!("/interactions/{}/{}/callback", i.id, i.token);
        self.wait_request(|r| r.method == "POST" && r.path == path, timeout)
            .await
            .map_err(|e| format!("no callback for interaction {}: {e}", i.id))
    }

    /// All REST requests so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// Schema, limit and protocol violations so far.
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }

    /// `"METHOD /path"` of requests that matched no route the fake knows (answered 404).
    pub fn unknown_routes(&self) -> Vec<String> {
        self.shared.lock().unknown_routes.clone()
    }

    /// Commands registered for `guild` (`None`: global), as the fake returned them.
    pub fn registered_commands(&self, guild: Option<u64>) -> Vec<Value> {
        self.shared
            .lock()
            .commands
            .get(&guild)
            .cloned()
            .unwrap_or_default()
    }

    /// The current `@original` message of an interaction, if it has one.
    pub fn original_response(&self, i: &InteractionRef) -> Option<Value> {
        let st = self.shared.lock();
        let mid = st.interactions.get(&i.id)?.original?;
        st.messages.get(&mid).cloned()
    }

    /// A message the fake knows (created through REST or as an interaction answer).
    pub fn message(&self, id: u64) -> Option<Value> {
        self.shared.lock().messages.get(&id).cloned()
    }

    /// Closes the current gateway websocket without a close frame; the client should reconnect
    /// (serenity resumes; see `set_reject_resume`).
    pub async fn drop_gateway(&self) {
        let session = {
            let mut st = self.shared.lock();
            st.ready.take()
        };
        self.shared.bump();
        if let Some(session) = session {
            let _ = session.tx.send(GatewayCommand::Drop);
        }
    }

    /// Stops the server and every connection.
    pub async fn shutdown(mut self) {
        self.stop.take();
        if let Some(server) = self.server.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        }
    }

    /// Checks a request body as the fake does for live traffic: the OpenAPI schema of the route
    /// plus Discord's limits. `path` may include `/api/v10` and a query. Returns the violations.
    pub fn validate(method: &str, path: &str, body: &Value) -> Vec<String> {
        validate(method, path, body)
    }

    async fn wait_for<T>(
        &self,
        timeout: Duration,
        mut check: impl FnMut(&State) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changed = self.shared.changed.subscribe();
        loop {
            changed.borrow_and_update();
            if let Some(found) = check(&self.shared.lock()) {
                return Some(found);
            }
            match tokio::time::timeout_at(deadline, changed.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => return None,
            }
        }
    }

    fn command_data(&self, name: &str, options: Value) -> Value {
        let (id, guild) = {
            let mut st = self.shared.lock();
            let registered = [Some(Self::GUILD_ID), None].into_iter().find_map(|scope| {
                let cmds = st.commands.get(&scope)?;
                let cmd = cmds
                    .iter()
                    .find(|c| c["name"] == name && c["type"].as_u64().unwrap_or(1) == 1)?;
                Some((id_of(&cmd["id"])?, scope))
            });
            match registered {
                Some(found) => found,
                None => {
                    let next = self.shared.next_id();
                    (
                        *st.unregistered_command_ids
                            .entry(name.to_string())
                            .or_insert(next),
                        None,
                    )
                }
            }
        };
        let mut data = json!({"id": id.to_string(), "name": name, "type": 1});
        if let Some(g) = guild {
            data["guild_id"] = json!(g.to_string());
        }
        let mut options = match options {
            Value::Null => Vec::new(),
            Value::Array(a) => a,
            other => panic!("fake_discord: command options must be an array, got {other}"),
        };
        normalize_options(&mut options);
        let mut users = Vec::new();
        collect_user_options(&options, &mut users);
        if !options.is_empty() {
            data["options"] = Value::Array(options);
        }
        if !users.is_empty() {
            let mut resolved_users = serde_json::Map::new();
            let mut resolved_members = serde_json::Map::new();
            for u in users {
                resolved_users.insert(u.to_string(), user_json(u, &format!("user{u}"), false));
                let mut m = member_json(u, DEFAULT_MEMBER_PERMISSIONS);
                if let Some(o) = m.as_object_mut() {
                    o.remove("user");
                }
                resolved_members.insert(u.to_string(), m);
            }
            data["resolved"] = json!({"users": resolved_users, "members": resolved_members});
        }
        data
    }

    fn component_message(&self, custom_id: &str, given: Value) -> Value {
        let payload = json!({
            "content": "A message with a button",
            "components": [{"type": 1, "components": [
                {"type": 2, "style": 1, "label": "Click", "custom_id": custom_id}
            ]}],
        });
        let mut message = make_message(&self.shared, Self::CHANNEL_ID, &payload, &[], 0, true);
        match given {
            Value::Null => {}
            Value::Object(fields) => {
                for (k, v) in fields {
                    message[k.as_str()] = v;
                }
            }
            other => panic!("fake_discord: button message must be an object or null, got {other}"),
        }
        message
    }
}

// ---------------------------------------------------------------------------------------------
// Shared state

struct Shared {
    addr: SocketAddr,
    state: Mutex<State>,
    /// Bumped after every change that a waiter might care about.
    changed: watch::Sender<u64>,
    last_id: AtomicU64,
}

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    violations: Vec<String>,
    unknown_routes: Vec<String>,
    identifies: Vec<Value>,
    identify_count: usize,
    resume_count: usize,
    heartbeat_count: usize,
    /// The gateway connection that currently has a READY/RESUMED session.
    ready: Option<Session>,
    /// Session id -> last sequence number sent on it.
    sessions: HashMap<String, u64>,
    reject_resume: bool,
    ack_deadline: Option<Duration>,
    next_connection: u64,
    /// Registered commands by guild (`None`: global).
    commands: HashMap<Option<u64>, Vec<Value>>,
    unregistered_command_ids: HashMap<String, u64>,
    interactions: HashMap<u64, InteractionState>,
    messages: HashMap<u64, Value>,
}

struct Session {
    connection: u64,
    tx: mpsc::UnboundedSender<GatewayCommand>,
}

enum GatewayCommand {
    Dispatch { t: String, d: Value },
    Drop,
}

struct InteractionState {
    token: String,
    kind: u8,
    channel_id: u64,
    /// When the dispatch was handed to the gateway connection.
    sent_at: Option<Instant>,
    acked: bool,
    /// Message id of the `@original` response.
    original: Option<u64>,
    /// For component interactions: the message the component is on.
    source_message: Option<Value>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn bump(&self) {
        self.changed.send_modify(|v| *v += 1);
    }

    fn gateway_url(&self) -> String {
        format!("ws://{}/gateway", self.addr)
    }

    /// A fresh snowflake: current time in the high bits, strictly increasing.
    fn next_id(&self) -> u64 {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let candidate = now_ms.saturating_sub(DISCORD_EPOCH_MS) << 22;
        let mut prev = self.last_id.load(Ordering::Relaxed);
        loop {
            let next = candidate.max(prev + 1);
            match self.last_id.compare_exchange_weak(
                prev,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return next,
                Err(actual) => prev = actual,
            }
        }
    }

    fn violation(&self, what: String) {
        eprintln!("fake_discord: violation: {what}");
        self.lock().violations.push(what);
        self.bump();
    }
}

fn request_lines(requests: &[Recorded]) -> Vec<String> {
    requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Server plumbing

type Body = Full<Bytes>;

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<()>) {
    loop {
        let stream = tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        tokio::spawn(serve_connection(stream, Arc::clone(&shared), stop.clone()));
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>, mut stop: watch::Receiver<()>) {
    let service_stop = stop.clone();
    let service = service_fn(move |req| {
        let shared = Arc::clone(&shared);
        let stop = service_stop.clone();
        async move { Ok::<_, Infallible>(handle(shared, stop, req).await) }
    });
    let connection = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::select! {
        _ = connection => {}
        _ = stop.changed() => {}
    }
}

async fn handle(
    shared: Arc<Shared>,
    stop: watch::Receiver<()>,
    req: Request<Incoming>,
) -> Response<Body> {
    let method = req.method().as_str().to_string();
    let raw_path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let wants_upgrade = req
        .headers()
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if wants_upgrade && raw_path.trim_end_matches('/') == "/gateway" {
        return websocket_upgrade(shared, stop, req);
    }

    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, req.into_body().collect()).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        _ => Bytes::new(),
    };
    let (path, in_api) = match raw_path.strip_prefix("/api/v10") {
        Some(rest) if rest.starts_with('/') => (rest.to_string(), true),
        _ => (raw_path.clone(), false),
    };

    let mut problems = Vec::new();
    let (body, files) = match parse_body(&content_type, &bytes) {
        Ok(parsed) => parsed,
        Err(e) => {
            problems.push(format!("{method} {path}: {e}"));
            (Value::Null, Vec::new())
        }
    };
    if in_api && !body.is_null() {
        let (m, p, b, has_files) = (
            method.clone(),
            path.clone(),
            body.clone(),
            !files.is_empty(),
        );
        let checked =
            tokio::task::spawn_blocking(move || validate_request(&m, &p, &b, has_files)).await;
        match checked {
            Ok(found) => problems.extend(found),
            Err(e) => problems.push(format!("{method} {path}: validator crashed: {e}")),
        }
    }

    let reply = if in_api {
        route(&shared, &method, &path, query.as_deref(), &body, &files)
    } else {
        Reply::unknown()
    };
    for v in &reply.violations {
        problems.push(format!("{method} {path}: {v}"));
    }
    {
        let mut st = shared.lock();
        if reply.unknown {
            st.unknown_routes.push(format!("{method} {raw_path}"));
        }
        for p in &problems {
            eprintln!("fake_discord: violation: {p}");
        }
        st.violations.extend(problems);
        st.requests.push(Recorded {
            method,
            path,
            query,
            body,
            files,
        });
    }
    shared.bump();
    reply.into_response()
}

fn websocket_upgrade(
    shared: Arc<Shared>,
    stop: watch::Receiver<()>,
    mut req: Request<Incoming>,
) -> Response<Body> {
    let Some(accept) = req
        .headers()
        .get("sec-websocket-key")
        .map(|key| derive_accept_key(key.as_bytes()))
    else {
        return json_response(
            400,
            &json!({"message": "missing Sec-WebSocket-Key", "code": 0}),
        );
    };
    let query = req.uri().query().map(str::to_string);
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        if let Ok(Ok(upgraded)) = tokio::time::timeout(Duration::from_secs(10), on_upgrade).await {
            let ws =
                WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
            run_gateway(shared, ws, query, stop).await;
        }
    });
    Response::builder()
        .status(101)
        .header(CONNECTION, "Upgrade")
        .header(UPGRADE, "websocket")
        .header(SEC_WEBSOCKET_ACCEPT, accept)
        .body(Body::default())
        .expect("static response parts")
}

fn json_response(status: u16, body: &Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("static response parts")
}

/// The answer to one REST request, plus what was wrong with it.
struct Reply {
    status: u16,
    body: Option<Value>,
    violations: Vec<String>,
    unknown: bool,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            violations: Vec::new(),
            unknown: false,
        }
    }

    fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            violations: Vec::new(),
            unknown: false,
        }
    }

    /// A Discord-style error (`{"message", "code"}`).
    fn error(status: u16, code: u64, message: &str) -> Reply {
        Reply::json(status, json!({"message": message, "code": code}))
    }

    fn unknown() -> Reply {
        Reply {
            unknown: true,
            ..Reply::error(404, 0, "404: Not Found")
        }
    }

    fn with_violation(mut self, what: impl Into<String>) -> Reply {
        self.violations.push(what.into());
        self
    }

    fn into_response(self) -> Response<Body> {
        match self.body {
            Some(body) => json_response(self.status, &body),
            None => Response::builder()
                .status(self.status)
                .body(Body::default())
                .expect("static response parts"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// REST routes

fn route(
    shared: &Shared,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: &Value,
    files: &[String],
) -> Reply {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", ["gateway"]) => Reply::json(200, json!({"url": shared.gateway_url()})),
        ("GET", ["gateway", "bot"]) => Reply::json(
            200,
            json!({
                "url": shared.gateway_url(),
                "shards": 1,
                "session_start_limit": {
                    "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1
                },
            }),
        ),
        ("GET", ["users", "@me"]) => Reply::json(200, current_user_json()),
        ("GET", ["oauth2", "applications", "@me"]) => Reply::json(200, application_json()),
        (_, ["applications", app, "commands", rest @ ..]) => {
            commands_route(shared, method, app, None, rest, body)
        }
        (_, ["applications", app, "guilds", guild, "commands", rest @ ..]) => {
            commands_route(shared, method, app, Some(guild), rest, body)
        }
        ("POST", ["interactions", id, token, "callback"]) => {
            interaction_callback(shared, id, token, query, body, files)
        }
        (_, ["webhooks", app, token]) if method == "POST" => {
            webhook_route(shared, method, app, token, None, body, files)
        }
        (_, ["webhooks", app, token, "messages", message]) => {
            webhook_route(shared, method, app, token, Some(message), body, files)
        }
        ("POST", ["channels", channel, "messages"]) => match channel.parse::<u64>() {
            Ok(channel_id) => {
                let message = make_message(shared, channel_id, body, files, 0, false);
                let id = id_of(&message["id"]).unwrap_or_default();
                let check = check_model::<serenity::model::channel::Message>("message", &message);
                shared.lock().messages.insert(id, message.clone());
                finish(Reply::json(200, message), check)
            }
            Err(_) => Reply::error(404, 10003, "Unknown Channel")
                .with_violation("channel id is not a snowflake"),
        },
        (_, ["channels", _channel, "messages", message]) => {
            stored_message_route(shared, method, message, body, files)
        }
        _ => Reply::unknown(),
    }
}

fn finish(reply: Reply, problem: Option<String>) -> Reply {
    match problem {
        Some(p) => reply.with_violation(p),
        None => reply,
    }
}

fn commands_route(
    shared: &Shared,
    method: &str,
    app: &str,
    guild: Option<&str>,
    rest: &[&str],
    body: &Value,
) -> Reply {
    if app.parse::<u64>().ok() != Some(FakeDiscord::APP_ID) {
        return Reply::error(404, 10002, "Unknown Application").with_violation(format!(
            "application id {app} is not the application's id ({})",
            FakeDiscord::APP_ID
        ));
    }
    let scope = match guild {
        None => None,
        Some(g) if g.parse::<u64>().ok() == Some(FakeDiscord::GUILD_ID) => {
            Some(FakeDiscord::GUILD_ID)
        }
        Some(g) => {
            return Reply::error(403, 50001, "Missing Access").with_violation(format!(
                "guild {g} is not a guild the bot is in ({})",
                FakeDiscord::GUILD_ID
            ));
        }
    };
    let mut st = shared.lock();
    match (method, rest) {
        ("GET", []) => Reply::json(
            200,
            Value::Array(st.commands.get(&scope).cloned().unwrap_or_default()),
        ),
        ("PUT", []) => {
            let Some(list) = body.as_array() else {
                return Reply::error(400, 50035, "Invalid Form Body")
                    .with_violation("bulk overwrite body is not an array");
            };
            let old = st.commands.get(&scope).cloned().unwrap_or_default();
            let new: Vec<Value> = list
                .iter()
                .map(|c| make_command(shared, c, scope, &old))
                .collect();
            let check = new
                .iter()
                .find_map(|c| check_model::<serenity::model::application::Command>("command", c));
            st.commands.insert(scope, new.clone());
            finish(Reply::json(200, Value::Array(new)), check)
        }
        ("POST", []) => {
            let list = st.commands.entry(scope).or_default();
            let created = make_command(shared, body, scope, list);
            let check = check_model::<serenity::model::application::Command>("command", &created);
            let status = match list.iter_mut().find(|c| c["id"] == created["id"]) {
                Some(existing) => {
                    *existing = created.clone();
                    200
                }
                None => {
                    list.push(created.clone());
                    201
                }
            };
            finish(Reply::json(status, created), check)
        }
        (_, [command_id]) => {
            let list = st.commands.entry(scope).or_default();
            let Some(pos) = list
                .iter()
                .position(|c| c["id"].as_str() == Some(command_id))
            else {
                return Reply::error(404, 10063, "Unknown application command");
            };
            match method {
                "GET" => Reply::json(200, list[pos].clone()),
                "DELETE" => {
                    list.remove(pos);
                    Reply::no_content()
                }
                "PATCH" => {
                    let mut merged = list[pos].clone();
                    if let (Some(target), Some(changes)) =
                        (merged.as_object_mut(), body.as_object())
                    {
                        for (k, v) in changes {
                            target.insert(k.clone(), v.clone());
                        }
                    }
                    let updated = make_command(shared, &merged, scope, list);
                    list[pos] = updated.clone();
                    Reply::json(200, updated)
                }
                _ => Reply::unknown(),
            }
        }
        _ => Reply::unknown(),
    }
}

fn interaction_callback(
    shared: &Shared,
    id: &str,
    token: &str,
    query: Option<&str>,
    body: &Value,
    files: &[String],
) -> Reply {
    let mut st = shared.lock();
    let deadline = st.ack_deadline;
    let Some(interaction) = id
        .parse::<u64>()
        .ok()
        .and_then(|id| st.interactions.get_mut(&id))
        .filter(|i| i.token == token)
    else {
        return Reply::error(404, 10062, "Unknown interaction")
            .with_violation("callback for an interaction id/token the fake never sent");
    };
    if interaction.acked {
        return Reply::error(400, 40060, "Interaction has already been acknowledged.")
            .with_violation(
                "interaction answered twice (use the webhook routes after the first answer)",
            );
    }
    let callback_type = body["type"].as_u64().unwrap_or(0);
    let allowed: &[u64] = match interaction.kind {
        2 => &[4, 5, 9, 10, 12],
        3 => &[4, 5, 6, 7, 9, 10, 12],
        4 => &[8],
        5 => &[4, 5, 6, 7, 10, 12],
        _ => &[],
    };
    if !allowed.contains(&callback_type) {
        return Reply::error(400, 50035, "Invalid Form Body").with_violation(format!(
            "callback type {callback_type} is not valid for interaction type {}",
            interaction.kind
        ));
    }
    let mut violations = Vec::new();
    if let (Some(deadline), Some(sent_at)) = (deadline, interaction.sent_at) {
        let took = sent_at.elapsed();
        if took > deadline {
            violations.push(format!(
                "interaction answered {} ms after dispatch (Discord allows {} ms)",
                took.as_millis(),
                deadline.as_millis()
            ));
        }
    }
    interaction.acked = true;
    let data = &body["data"];
    let interaction_kind = interaction.kind;
    let channel_id = interaction.channel_id;
    let source = interaction.source_message.clone();
    let message = match callback_type {
        4 => {
            let kind = if interaction_kind == 2 { 20 } else { 0 };
            Some(make_message(shared, channel_id, data, files, kind, true))
        }
        5 => {
            let flags = data["flags"].as_u64().unwrap_or(0) | FLAG_LOADING;
            let kind = if interaction_kind == 2 { 20 } else { 0 };
            Some(make_message(
                shared,
                channel_id,
                &json!({"flags": flags}),
                &[],
                kind,
                true,
            ))
        }
        6 => source,
        7 => source.map(|mut m| {
            edit_message(shared, &mut m, data, files);
            m
        }),
        _ => None,
    };
    let check = message
        .as_ref()
        .and_then(|m| check_model::<serenity::model::channel::Message>("message", m));
    violations.extend(check);
    let message_id = message.as_ref().and_then(|m| id_of(&m["id"]));
    if let (Some(mid), Some(m)) = (message_id, message.clone()) {
        if let Some(i) = st.interactions.get_mut(&id.parse::<u64>().unwrap_or(0)) {
            i.original = Some(mid);
        }
        st.messages.insert(mid, m);
    }
    let with_response = query.is_some_and(|q| q.split('&').any(|kv| kv == "with_response=true"));
    let mut reply = if with_response {
        let ephemeral = message
            .as_ref()
            .and_then(|m| m["flags"].as_u64())
            .is_some_and(|f| f & 64 != 0);
        let mut resource = json!({"type": callback_type});
        if let Some(m) = &message {
            resource["message"] = m.clone();
        }
        Reply::json(
            200,
            json!({
                "interaction": {
                    "id": id,
                    "type": interaction_kind,
                    "activity_instance_id": null,
                    "response_message_id": message_id.map(|m| m.to_string()),
                    "response_message_loading": callback_type == 5,
                    "response_message_ephemeral": ephemeral,
                },
                "resource": resource,
            }),
        )
    } else {
        Reply::no_content()
    };
    reply.violations = violations;
    reply
}

fn webhook_route(
    shared: &Shared,
    method: &str,
    app: &str,
    token: &str,
    message: Option<&str>,
    body: &Value,
    files: &[String],
) -> Reply {
    if app.parse::<u64>().ok() != Some(FakeDiscord::APP_ID) {
        return Reply::error(404, 10015, "Unknown Webhook").with_violation(format!(
            "webhook id {app} is not the application id ({}) for an interaction token",
            FakeDiscord::APP_ID
        ));
    }
    let mut st = shared.lock();
    let Some(interaction_id) = st
        .interactions
        .iter()
        .find(|(_, i)| i.token == token)
        .map(|(id, _)| *id)
    else {
        return Reply::error(404, 10015, "Unknown Webhook")
            .with_violation("unknown interaction token");
    };
    let (acked, original, channel_id) = {
        let i = &st.interactions[&interaction_id];
        (i.acked, i.original, i.channel_id)
    };
    match (method, message) {
        ("POST", None) => {
            if !acked {
                return Reply::error(404, 10015, "Unknown Webhook")
                    .with_violation("followup message before the interaction was answered");
            }
            let created = make_message(shared, channel_id, body, files, 0, true);
            let check = check_model::<serenity::model::channel::Message>("message", &created);
            st.messages
                .insert(id_of(&created["id"]).unwrap_or_default(), created.clone());
            finish(Reply::json(200, created), check)
        }
        (_, Some("@original")) => {
            let Some(mid) = original else {
                let reply = Reply::error(404, 10008, "Unknown Message");
                return if method == "GET" {
                    reply
                } else {
                    reply.with_violation(
                        "@original changed before the interaction had a message response",
                    )
                };
            };
            let result = stored_message(shared, &mut st, method, mid, body, files);
            if method == "DELETE"
                && result.status == 204
                && let Some(i) = st.interactions.get_mut(&interaction_id)
            {
                i.original = None;
            }
            result
        }
        (_, Some(mid)) => match mid.parse::<u64>() {
            Ok(mid) => stored_message(shared, &mut st, method, mid, body, files),
            Err(_) => Reply::error(404, 10008, "Unknown Message")
                .with_violation("message id is not a snowflake"),
        },
        _ => Reply::unknown(),
    }
}

fn stored_message_route(
    shared: &Shared,
    method: &str,
    message: &str,
    body: &Value,
    files: &[String],
) -> Reply {
    match message.parse::<u64>() {
        Ok(mid) => stored_message(shared, &mut shared.lock(), method, mid, body, files),
        Err(_) => Reply::unknown(),
    }
}

fn stored_message(
    shared: &Shared,
    st: &mut State,
    method: &str,
    id: u64,
    body: &Value,
    files: &[String],
) -> Reply {
    match method {
        "GET" => match st.messages.get(&id) {
            Some(m) => Reply::json(200, m.clone()),
            None => Reply::error(404, 10008, "Unknown Message"),
        },
        "PATCH" => match st.messages.get_mut(&id) {
            Some(m) => {
                edit_message(shared, m, body, files);
                if let Some(flags) = m["flags"].as_u64() {
                    m["flags"] = json!(flags & !FLAG_LOADING);
                }
                let check = check_model::<serenity::model::channel::Message>("message", m);
                finish(Reply::json(200, m.clone()), check)
            }
            None => Reply::error(404, 10008, "Unknown Message")
                .with_violation("edit of a message that does not exist"),
        },
        "DELETE" => match st.messages.remove(&id) {
            Some(_) => Reply::no_content(),
            None => Reply::error(404, 10008, "Unknown Message"),
        },
        _ => Reply::unknown(),
    }
}

// ---------------------------------------------------------------------------------------------
// Gateway

async fn run_gateway<S>(
    shared: Arc<Shared>,
    mut ws: WebSocketStream<S>,
    query: Option<String>,
    mut stop: watch::Receiver<()>,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (tx, mut rx) = mpsc::unbounded_channel::<GatewayCommand>();
    let connection = {
        let mut st = shared.lock();
        st.next_connection += 1;
        st.next_connection
    };
    if !query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .any(|kv| kv == "v=10")
    {
        shared.violation(format!(
            "gateway: connected with query {query:?}, expected v=10"
        ));
    }
    let hello =
        json!({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": null, "t": null});
    if send_json(&mut ws, &hello).await.is_err() {
        return;
    }
    let mut session: Option<String> = None;
    let mut seq: u64 = 0;
    let identify_deadline = tokio::time::Instant::now() + IDENTIFY_TIMEOUT;
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep_until(identify_deadline), if session.is_none() => {
                shared.violation("gateway: client neither identified nor resumed within 30 s".into());
                break;
            }
            command = rx.recv() => match command {
                Some(GatewayCommand::Dispatch { t, d }) => {
                    seq += 1;
                    if let Some(sid) = &session {
                        shared.lock().sessions.insert(sid.clone(), seq);
                    }
                    let payload = json!({"op": 0, "s": seq, "t": t, "d": d});
                    if send_json(&mut ws, &payload).await.is_err() {
                        break;
                    }
                }
                Some(GatewayCommand::Drop) | None => break,
            },
            incoming = ws.next() => {
                let text = match incoming {
                    Some(Ok(WsMessage::Text(text))) => text,
                    Some(Ok(WsMessage::Binary(_))) => {
                        shared.violation("gateway: client sent a binary frame".into());
                        continue;
                    }
                    Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => continue,
                };
                let payload: Value = match serde_json::from_str(&text) {
                    Ok(v) => v,
                    Err(e) => {
                        shared.violation(format!("gateway: client sent invalid JSON: {e}"));
                        continue;
                    }
                };
                match payload["op"].as_u64() {
                    Some(1) => {
                        shared.lock().heartbeat_count += 1;
                        shared.bump();
                        if send_json(&mut ws, &json!({"op": 11, "d": null, "s": null, "t": null})).await.is_err() {
                            break;
                        }
                    }
                    Some(2) => {
                        if session.is_some() {
                            shared.violation("gateway: IDENTIFY on an already identified connection".into());
                        }
                        let sid = format!("fake-session-{}", shared.next_id());
                        seq = 1;
                        let ready = ready_payload(&shared, &sid, &payload["d"]["shard"]);
                        if let Err(e) = check_dispatch("READY", &ready) {
                            shared.violation(format!("fake_discord bug: {e}"));
                        }
                        {
                            let mut st = shared.lock();
                            st.identify_count += 1;
                            st.identifies.push(payload["d"].clone());
                            st.sessions.insert(sid.clone(), seq);
                        }
                        let frame = json!({"op": 0, "s": seq, "t": "READY", "d": ready});
                        if send_json(&mut ws, &frame).await.is_err() {
                            break;
                        }
                        session = Some(sid);
                        set_ready(&shared, connection, &tx);
                    }
                    Some(6) => {
                        let sid = payload["d"]["session_id"].as_str().unwrap_or("").to_string();
                        let client_seq = payload["d"]["seq"].as_u64().unwrap_or(0);
                        let last = {
                            let mut st = shared.lock();
                            st.identify_count += 1;
                            st.resume_count += 1;
                            if st.reject_resume { None } else { st.sessions.get(&sid).copied() }
                        };
                        shared.bump();
                        match last {
                            Some(last) => {
                                seq = last.max(client_seq) + 1;
                                shared.lock().sessions.insert(sid.clone(), seq);
                                let frame = json!({"op": 0, "s": seq, "t": "RESUMED", "d": {}});
                                if send_json(&mut ws, &frame).await.is_err() {
                                    break;
                                }
                                session = Some(sid);
                                set_ready(&shared, connection, &tx);
                            }
                            None => {
                                let frame = json!({"op": 9, "d": false, "s": null, "t": null});
                                if send_json(&mut ws, &frame).await.is_err() {
                                    break;
                                }
                            }
                        }
                    }
                    // Presence update, voice state update, request guild members, soundboard.
                    Some(3 | 4 | 8 | 31) => {}
                    other => shared.violation(format!("gateway: unexpected opcode {other:?}")),
                }
            }
        }
    }
    {
        let mut st = shared.lock();
        if st
            .ready
            .as_ref()
            .is_some_and(|s| s.connection == connection)
        {
            st.ready = None;
        }
    }
    shared.bump();
    // Dropping `ws` here closes the TCP connection without a close frame.
}

fn set_ready(shared: &Shared, connection: u64, tx: &mpsc::UnboundedSender<GatewayCommand>) {
    shared.lock().ready = Some(Session {
        connection,
        tx: tx.clone(),
    });
    shared.bump();
}

async fn send_json<S>(ws: &mut WebSocketStream<S>, value: &Value) -> Result<(), ()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let sent = tokio::time::timeout(
        Duration::from_secs(5),
        ws.send(WsMessage::Text(value.to_string())),
    )
    .await;
    match sent {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

fn ready_payload(shared: &Shared, session_id: &str, shard: &Value) -> Value {
    let shard = if shard.is_array() {
        shard.clone()
    } else {
        json!([0, 1])
    };
    json!({
        "v": 10,
        "user": current_user_json(),
        "guilds": [{"id": FakeDiscord::GUILD_ID.to_string(), "unavailable": true}],
        "session_id": session_id,
        "resume_gateway_url": shared.gateway_url(),
        "shard": shard,
        "application": {"id": FakeDiscord::APP_ID.to_string(), "flags": 0},
        "private_channels": [],
        "presences": [],
        "relationships": [],
        "guild_join_requests": [],
        "user_settings": {},
        "session_type": "normal",
        "_trace": ["fake-discord"],
    })
}

/// Parses a dispatch the way serenity's shard does; an error means serenity would drop it.
fn check_dispatch(t: &str, d: &Value) -> Result<(), String> {
    let frame = json!({"op": 0, "s": 1, "t": t, "d": d});
    serde_json::from_value::<serenity::model::event::GatewayEvent>(frame)
        .map(|_| ())
        .map_err(|e| {
            format!("serenity 0.12.5 cannot parse this {t} dispatch (it would drop it): {e}")
        })
}

/// Parses a REST response with serenity's model; `Some(problem)` if serenity could not.
fn check_model<T: DeserializeOwned>(what: &str, value: &Value) -> Option<String> {
    serde_json::from_value::<T>(value.clone())
        .err()
        .map(|e| format!("the {what} in the response would not parse in serenity: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Payload builders

fn user_json(id: u64, name: &str, bot: bool) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": null,
        "banner": null,
        "accent_color": null,
        "bot": bot,
        "system": false,
        "public_flags": 0,
        "flags": 0,
        "avatar_decoration_data": null,
    })
}

fn current_user_json() -> Value {
    let mut user = user_json(FakeDiscord::BOT_USER_ID, "fake-bot", true);
    user["verified"] = json!(true);
    user["mfa_enabled"] = json!(false);
    user["email"] = Value::Null;
    user["locale"] = json!("en-US");
    user["premium_type"] = json!(0);
    user
}

fn application_json() -> Value {
    json!({
        "id": FakeDiscord::APP_ID.to_string(),
        "name": "Fake App",
        "icon": null,
        "description": "",
        "summary": "",
        "rpc_origins": [],
        "bot_public": true,
        "bot_require_code_grant": false,
        "owner": user_json(FakeDiscord::OWNER_ID, "fake-owner", false),
        "verify_key": "0".repeat(64),
        "team": null,
        "flags": 0,
        "bot": user_json(FakeDiscord::BOT_USER_ID, "fake-bot", true),
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "approximate_guild_count": 1,
    })
}

fn member_json(user_id: u64, permissions: &str) -> Value {
    json!({
        "user": user_json(user_id, &format!("user{user_id}"), false),
        "nick": null,
        "avatar": null,
        "banner": null,
        "roles": [],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "permissions": permissions,
        "communication_disabled_until": null,
        "unusual_dm_activity_until": null,
    })
}

fn interaction_payload(
    kind: u8,
    id: u64,
    token: &str,
    user_id: u64,
    permissions: &str,
    data: Value,
    message: Option<Value>,
) -> Value {
    let mut payload = json!({
        "id": id.to_string(),
        "application_id": FakeDiscord::APP_ID.to_string(),
        "type": kind,
        "data": data,
        "guild_id": FakeDiscord::GUILD_ID.to_string(),
        "channel_id": FakeDiscord::CHANNEL_ID.to_string(),
        "channel": {
            "id": FakeDiscord::CHANNEL_ID.to_string(),
            "type": 0,
            "name": "general",
            "guild_id": FakeDiscord::GUILD_ID.to_string(),
            "position": 0,
            "parent_id": null,
            "topic": null,
            "nsfw": false,
            "flags": 0,
            "rate_limit_per_user": 0,
            "permissions": permissions,
        },
        "member": member_json(user_id, permissions),
        "token": token,
        "version": 1,
        "app_permissions": BOT_PERMISSIONS,
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": FakeDiscord::GUILD_ID.to_string()},
        "context": 0,
        "attachment_size_limit": 10_485_760,
    });
    if let Some(m) = message {
        payload["message"] = m;
    }
    payload
}

/// Focused (autocomplete) values are strings on Discord, whatever the option type.
fn normalize_options(options: &mut [Value]) {
    for o in options {
        if o["focused"] == json!(true) {
            let value = &o["value"];
            if !value.is_string() {
                let text = match value {
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                o["value"] = Value::String(text);
            }
        }
        if let Some(nested) = o.get_mut("options").and_then(Value::as_array_mut) {
            normalize_options(nested);
        }
    }
}

fn collect_user_options(options: &[Value], out: &mut Vec<u64>) {
    for o in options {
        if o["type"].as_u64() == Some(6)
            && o["focused"] != json!(true)
            && let Some(id) = id_of(&o["value"])
        {
            out.push(id);
        }
        if let Some(nested) = o["options"].as_array() {
            collect_user_options(nested, out);
        }
    }
}

/// A snowflake given as a string or a number.
fn id_of(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// A message object as Discord returns it, echoing what the bot sent.
fn make_message(
    shared: &Shared,
    channel_id: u64,
    payload: &Value,
    files: &[String],
    kind: u64,
    from_webhook: bool,
) -> Value {
    let mut message = json!({
        "id": shared.next_id().to_string(),
        "channel_id": channel_id.to_string(),
        "author": user_json(FakeDiscord::BOT_USER_ID, "fake-bot", true),
        "content": payload["content"].as_str().unwrap_or(""),
        "timestamp": now_rfc3339(),
        "edited_timestamp": null,
        "tts": payload["tts"].as_bool().unwrap_or(false),
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "mention_channels": [],
        "attachments": echo_attachments(shared, &payload["attachments"], files, &Value::Null),
        "embeds": echo_embeds(&payload["embeds"]),
        "components": echo_array(&payload["components"]),
        "reactions": [],
        "pinned": false,
        "type": kind,
        "flags": payload["flags"].as_u64().unwrap_or(0),
        "application_id": FakeDiscord::APP_ID.to_string(),
    });
    if from_webhook {
        message["webhook_id"] = json!(FakeDiscord::APP_ID.to_string());
    }
    message
}

/// Applies a PATCH body (and newly uploaded files) to a stored message.
fn edit_message(shared: &Shared, message: &mut Value, payload: &Value, files: &[String]) {
    let Some(changes) = payload.as_object() else {
        return;
    };
    if !changes.contains_key("attachments") && !files.is_empty() {
        let added = echo_attachments(shared, &Value::Null, files, &Value::Null);
        if let (Some(list), Some(added)) = (message["attachments"].as_array_mut(), added.as_array())
        {
            list.extend(added.iter().cloned());
        }
    }
    for (key, value) in changes {
        let new = match key.as_str() {
            "content" => json!(value.as_str().unwrap_or("")),
            "embeds" => echo_embeds(value),
            "components" => echo_array(value),
            "attachments" => echo_attachments(shared, value, files, &message["attachments"]),
            "flags" => json!(value.as_u64().unwrap_or(0)),
            _ => continue,
        };
        message[key.as_str()] = new;
    }
    message["edited_timestamp"] = json!(now_rfc3339());
}

fn echo_array(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.clone()),
        _ => json!([]),
    }
}

fn echo_embeds(v: &Value) -> Value {
    let Some(embeds) = v.as_array() else {
        return json!([]);
    };
    Value::Array(
        embeds
            .iter()
            .map(|e| {
                let mut e = e.clone();
                if let Some(obj) = e.as_object_mut() {
                    obj.entry("type").or_insert_with(|| json!("rich"));
                }
                e
            })
            .collect(),
    )
}

/// Attachments of a message: entries with a `filename` are new uploads (they get fresh ids), entries
/// with only an `id` keep an attachment of `previous`. Without entries, every uploaded file counts.
fn echo_attachments(shared: &Shared, entries: &Value, files: &[String], previous: &Value) -> Value {
    let new = |filename: &str| {
        let id = shared.next_id();
        json!({
            "id": id.to_string(),
            "filename": filename,
            "size": 0,
            "url": format!("https://cdn.invalid/attachments/{id}/{filename}"),
            "proxy_url": format!("https://media.invalid/attachments/{id}/{filename}"),
        })
    };
    let echoed = match entries.as_array() {
        Some(items) => items
            .iter()
            .filter_map(|a| match a["filename"].as_str() {
                Some(filename) => Some(new(filename)),
                None => {
                    let id = id_of(&a["id"])?;
                    previous
                        .as_array()?
                        .iter()
                        .find(|old| id_of(&old["id"]) == Some(id))
                        .cloned()
                }
            })
            .collect(),
        None => files.iter().map(|f| new(f)).collect(),
    };
    Value::Array(echoed)
}

fn make_command(shared: &Shared, body: &Value, guild: Option<u64>, existing: &[Value]) -> Value {
    let name = body["name"].as_str().unwrap_or("").to_string();
    let kind = body["type"].as_u64().unwrap_or(1);
    let id = existing
        .iter()
        .find(|c| c["name"] == name.as_str() && c["type"].as_u64().unwrap_or(1) == kind)
        .and_then(|c| id_of(&c["id"]))
        .unwrap_or_else(|| shared.next_id());
    let permissions = match &body["default_member_permissions"] {
        Value::Number(n) => json!(n.to_string()),
        other => other.clone(),
    };
    let mut command = json!({
        "id": id.to_string(),
        "application_id": FakeDiscord::APP_ID.to_string(),
        "version": shared.next_id().to_string(),
        "type": kind,
        "name": name,
        "name_localizations": body.get("name_localizations").cloned().unwrap_or(Value::Null),
        "description": body["description"].as_str().unwrap_or(""),
        "description_localizations": body.get("description_localizations").cloned().unwrap_or(Value::Null),
        "options": echo_array(&body["options"]),
        "default_member_permissions": permissions,
        "nsfw": body["nsfw"].as_bool().unwrap_or(false),
        "integration_types": body.get("integration_types").filter(|v| v.is_array()).cloned().unwrap_or(json!([0])),
        "contexts": body.get("contexts").cloned().unwrap_or(Value::Null),
    });
    if let Some(dm) = body["dm_permission"].as_bool() {
        command["dm_permission"] = json!(dm);
    }
    if let Some(g) = guild {
        command["guild_id"] = json!(g.to_string());
    }
    command
}

// ---------------------------------------------------------------------------------------------
// Bodies

fn parse_body(content_type: &str, bytes: &[u8]) -> Result<(Value, Vec<String>), String> {
    if bytes.is_empty() {
        return Ok((Value::Null, Vec::new()));
    }
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "multipart/form-data" => parse_multipart(content_type, bytes),
        "application/json" => serde_json::from_slice(bytes)
            .map(|v| (v, Vec::new()))
            .map_err(|e| format!("body is not valid JSON: {e}")),
        other => Err(format!("body with unexpected content type {other:?}")),
    }
}

/// Pulls `payload_json` and the file names out of a `multipart/form-data` body.
fn parse_multipart(content_type: &str, bytes: &[u8]) -> Result<(Value, Vec<String>), String> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_string())
        .ok_or("multipart body without a boundary")?;
    let delimiter = format!("--{boundary}");
    let mut payload = Value::Null;
    let mut files = Vec::new();
    for part in split_on(bytes, delimiter.as_bytes()).into_iter().skip(1) {
        if part.starts_with(b"--") {
            break;
        }
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(header_end) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..header_end]).to_string();
        let content = &part[header_end + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let name = header_param(&headers, "name").unwrap_or_default();
        if name == "payload_json" {
            payload = serde_json::from_slice(content)
                .map_err(|e| format!("payload_json is not valid JSON: {e}"))?;
        } else if let Some(filename) = header_param(&headers, "filename") {
            files.push(filename);
        } else if name.starts_with("files[") {
            files.push(name);
        }
    }
    Ok((payload, files))
}

/// A parameter (`name`, `filename`) of the part's `Content-Disposition` header.
fn header_param(headers: &str, key: &str) -> Option<String> {
    let disposition = headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    let needle = format!("{key}=\"");
    disposition.split(';').find_map(|p| {
        let p = p.trim();
        p.strip_prefix(&needle)
            .map(|rest| rest.trim_end_matches('"').to_string())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn split_on<'a>(bytes: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut rest = bytes;
    while let Some(at) = find(rest, delimiter) {
        parts.push(&rest[..at]);
        rest = &rest[at + delimiter.len()..];
    }
    parts.push(rest);
    parts
}

/// The current UTC time as RFC 3339 with microseconds, like Discord's timestamps.
fn now_rfc3339() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (days, second_of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Convert days since 1970-01-01 to a proleptic Gregorian date, counting from 0000-03-01.
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60,
        now.subsec_micros()
    )
}

// ---------------------------------------------------------------------------------------------
// Validation: OpenAPI schema

/// Checks a request body against the OpenAPI schema of its route and Discord's limits.
/// `path` may carry `/api/v10` and a query string. Returns `"METHOD /path: what"` strings.
pub fn validate(method: &str, path: &str, body: &Value) -> Vec<String> {
    validate_request(method, path, body, false)
}

fn validate_request(method: &str, path: &str, body: &Value, has_files: bool) -> Vec<String> {
    let path = path.split('?').next().unwrap_or("");
    let path = path.strip_prefix("/api/v10").unwrap_or(path);
    let method = method.to_ascii_uppercase();
    let mut found = match spec() {
        Ok(spec) => spec.check(&method, path, body),
        Err(e) => vec![format!("OpenAPI spec unavailable: {e}")],
    };
    found.extend(limit_checks(&method, path, body, has_files));
    found
        .into_iter()
        .map(|what| format!("{method} {path}: {what}"))
        .collect()
}

struct Spec {
    doc: Value,
    /// Path templates of the spec with their segments.
    templates: Vec<(String, Vec<String>)>,
    /// Compiled validators by JSON pointer into `doc`.
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

fn spec_path() -> PathBuf {
    match std::env::var_os("FAKE_DISCORD_OPENAPI") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/discord/openapi.json"
        )),
    }
}

fn spec() -> Result<&'static Spec, String> {
    static SPEC: OnceLock<Result<Spec, String>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = spec_path();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut doc: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        allow_integer_snowflakes(&mut doc);
        let templates = doc["paths"]
            .as_object()
            .ok_or_else(|| format!("{} has no paths", path.display()))?
            .keys()
            .map(|t| {
                (
                    t.clone(),
                    t.trim_start_matches('/')
                        .split('/')
                        .map(str::to_string)
                        .collect(),
                )
            })
            .collect();
        Ok(Spec {
            doc,
            templates,
            validators: Mutex::new(HashMap::new()),
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

impl Spec {
    fn check(&self, method: &str, path: &str, body: &Value) -> Vec<String> {
        let Some(template) = self.match_path(path) else {
            return vec!["schema: route is not in Discord's OpenAPI spec".into()];
        };
        let lower = method.to_ascii_lowercase();
        let operation = &self.doc["paths"][template][lower.as_str()];
        if operation.is_null() {
            return vec![format!("schema: the spec has no {method} for {template}")];
        }
        let request_body = &operation["requestBody"];
        if request_body.is_null() {
            return if body.is_null() {
                Vec::new()
            } else {
                vec![format!(
                    "schema: a body was sent but {method} {template} takes none"
                )]
            };
        }
        if body.is_null() {
            return if request_body["required"] == json!(true) {
                vec![format!("schema: {method} {template} requires a body")]
            } else {
                Vec::new()
            };
        }
        let pointer = format!(
            "/paths/{}/{lower}/requestBody/content/application~1json/schema",
            template.replace('~', "~0").replace('/', "~1")
        );
        if self.doc.pointer(&pointer).is_none() {
            return vec![format!(
                "schema: {method} {template} has no application/json body in the spec"
            )];
        }
        let body = normalize_for_spec(template, body);
        self.check_schema(&pointer, &body)
    }

    /// The spec template matching `path`, preferring literal segments over `{params}`.
    fn match_path(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut best: Option<(usize, &str)> = None;
        for (template, parts) in &self.templates {
            if parts.len() != segments.len() {
                continue;
            }
            let mut literal = 0;
            let matches = parts.iter().zip(&segments).all(|(part, seg)| {
                if part.starts_with('{') && part.ends_with('}') {
                    !seg.is_empty()
                } else if part == seg {
                    literal += 1;
                    true
                } else {
                    false
                }
            });
            if matches && best.is_none_or(|(score, _)| literal > score) {
                best = Some((literal, template));
            }
        }
        best.map(|(_, t)| t)
    }

    /// Validates `body` against the schema at `pointer`. For a union of `$ref`s the branch whose
    /// `type` enum holds the body's `type` is used, so that errors name the right schema.
    fn check_schema(&self, pointer: &str, body: &Value) -> Vec<String> {
        let schema = self.doc.pointer(pointer);
        let branches = schema
            .and_then(|s| s.get("anyOf").or_else(|| s.get("oneOf")))
            .and_then(Value::as_array)
            .and_then(|bs| {
                bs.iter()
                    .map(|b| b["$ref"].as_str())
                    .collect::<Option<Vec<&str>>>()
            });
        let Some(refs) = branches.filter(|_| body.is_object()) else {
            return self.errors_at(pointer, body);
        };
        let tagged: Vec<&str> = match body.get("type") {
            Some(tag) => refs
                .iter()
                .copied()
                .filter(|r| {
                    self.doc
                        .pointer(&format!(
                            "{}/properties/type/enum",
                            r.trim_start_matches('#')
                        ))
                        .and_then(Value::as_array)
                        .is_some_and(|e| e.contains(tag))
                })
                .collect(),
            None => Vec::new(),
        };
        let candidates = if tagged.is_empty() { refs } else { tagged };
        let mut best: Option<Vec<String>> = None;
        for r in candidates {
            let errors = self.errors_at(r.trim_start_matches('#'), body);
            if errors.is_empty() {
                return Vec::new();
            }
            let name = r.rsplit('/').next().unwrap_or(r);
            if best.as_ref().is_none_or(|b| errors.len() < b.len()) {
                best = Some(
                    errors
                        .into_iter()
                        .map(|e| format!("{e} (as {name})"))
                        .collect(),
                );
            }
        }
        best.unwrap_or_default()
    }

    fn errors_at(&self, pointer: &str, body: &Value) -> Vec<String> {
        let validator = match self.validator(pointer) {
            Ok(v) => v,
            Err(e) => return vec![format!("schema: cannot compile {pointer}: {e}")],
        };
        validator
            .iter_errors(body)
            .map(|e| {
                let at = e.instance_path().to_string();
                let at = if at.is_empty() { "/".to_string() } else { at };
                format!("schema: at {at}: {}", truncate(&e.to_string(), 300))
            })
            .collect()
    }

    /// A validator rooted at the whole spec whose top-level `$ref` points at `pointer`, so that
    /// the spec's internal `#/components/...` references resolve. Compiled once per pointer.
    fn validator(&self, pointer: &str) -> Result<Arc<jsonschema::Validator>, String> {
        let mut cache = self.validators.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = cache.get(pointer) {
            return Ok(Arc::clone(v));
        }
        let mut root = self.doc.clone();
        root["$ref"] = json!(format!("#{}", encode_fragment(pointer)));
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(false)
            .build(&root)
            .map_err(|e| e.to_string())?;
        let validator = Arc::new(validator);
        cache.insert(pointer.to_string(), Arc::clone(&validator));
        Ok(validator)
    }
}

/// The spec types snowflakes as digit strings, but Discord also takes JSON integers (serenity
/// sends the placeholder ids of new attachments as `0`, `1`, ...). Every `format: snowflake`
/// string schema is widened to accept integers.
fn allow_integer_snowflakes(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("snowflake") {
                let widened = match map.get("type") {
                    Some(Value::String(t)) if t == "string" => Some(json!(["string", "integer"])),
                    Some(Value::Array(ts))
                        if ts.contains(&json!("string")) && !ts.contains(&json!("integer")) =>
                    {
                        let mut ts = ts.clone();
                        ts.push(json!("integer"));
                        Some(Value::Array(ts))
                    }
                    _ => None,
                };
                if let Some(t) = widened {
                    map.insert("type".into(), t);
                }
            }
            map.values_mut().for_each(allow_integer_snowflakes);
        }
        Value::Array(items) => items.iter_mut().for_each(allow_integer_snowflakes),
        _ => {}
    }
}

/// Percent-encodes what may not appear raw in a URI fragment (`{`, `}`, ...).
fn encode_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for c in pointer.chars() {
        if c.is_ascii_alphanumeric() || "-._~/!$&'()*+,;=:@".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}...")
    }
}

/// Known places where the spec is stricter than Discord (and than what serenity sends).
fn normalize_for_spec<'a>(template: &str, body: &'a Value) -> Cow<'a, Value> {
    if !template.contains("/commands") {
        return Cow::Borrowed(body);
    }
    // `default_member_permissions` is an integer in the spec, but Discord documents and accepts
    // (and serenity sends) a string of digits.
    fn fix(command: &mut Value) {
        if let Some(p) = command
            .get("default_member_permissions")
            .and_then(Value::as_str)
            && let Ok(n) = p.parse::<u64>()
        {
            command["default_member_permissions"] = json!(n);
        }
    }
    let mut owned = body.clone();
    match &mut owned {
        Value::Array(commands) => commands.iter_mut().for_each(fix),
        other => fix(other),
    }
    Cow::Owned(owned)
}

// ---------------------------------------------------------------------------------------------
// Validation: Discord limits the schema does not express (or that are worth naming plainly)

fn limit_checks(method: &str, path: &str, body: &Value, has_files: bool) -> Vec<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut out = Vec::new();
    match (method, segments.as_slice()) {
        ("POST", ["channels", _, "messages"]) | ("POST", ["webhooks", _, _]) => {
            check_message(body, true, has_files, "", &mut out);
        }
        ("PATCH", ["channels", _, "messages", _])
        | ("PATCH", ["webhooks", _, _, "messages", _]) => {
            check_message(body, false, has_files, "", &mut out);
        }
        ("POST", ["interactions", _, _, "callback"]) => check_callback(body, has_files, &mut out),
        ("PUT", ["applications", _, "commands"])
        | ("PUT", ["applications", _, "guilds", _, "commands"]) => {
            check_command_list(body, &mut out);
        }
        ("POST" | "PATCH", ["applications", _, "commands", ..])
        | ("POST" | "PATCH", ["applications", _, "guilds", _, "commands", ..]) => {
            check_command(body, "", &mut out);
        }
        _ => {}
    }
    out.into_iter().map(|s| format!("limit: {s}")).collect()
}

/// Length of a string field in characters (0 if absent), recording it if over `max`.
fn counted(v: &Value, max: usize, what: &str, out: &mut Vec<String>) -> usize {
    let Some(s) = v.as_str() else {
        return 0;
    };
    let n = s.chars().count();
    if n > max {
        out.push(format!("{what} is {n} characters (max {max})"));
    }
    n
}

fn non_empty_array(v: &Value) -> bool {
    v.as_array().is_some_and(|a| !a.is_empty())
}

fn check_message(v: &Value, create: bool, has_files: bool, prefix: &str, out: &mut Vec<String>) {
    if !v.is_object() && !v.is_null() {
        out.push(format!("{prefix}message payload is not an object"));
        return;
    }
    let content = v["content"].as_str().unwrap_or("");
    counted(&v["content"], 2000, &format!("{prefix}content"), out);
    if let Some(embeds) = v["embeds"].as_array() {
        if embeds.len() > 10 {
            out.push(format!("{prefix}{} embeds (max 10)", embeds.len()));
        }
        let mut total = 0;
        for (i, e) in embeds.iter().enumerate() {
            let p = format!("{prefix}embeds[{i}]");
            total += counted(&e["title"], 256, &format!("{p}.title"), out);
            total += counted(&e["description"], 4096, &format!("{p}.description"), out);
            total += counted(&e["footer"]["text"], 2048, &format!("{p}.footer.text"), out);
            total += counted(&e["author"]["name"], 256, &format!("{p}.author.name"), out);
            if let Some(fields) = e["fields"].as_array() {
                if fields.len() > 25 {
                    out.push(format!("{p} has {} fields (max 25)", fields.len()));
                }
                for (j, f) in fields.iter().enumerate() {
                    let fp = format!("{p}.fields[{j}]");
                    total += counted(&f["name"], 256, &format!("{fp}.name"), out);
                    total += counted(&f["value"], 1024, &format!("{fp}.value"), out);
                    for key in ["name", "value"] {
                        if f[key].as_str().is_none_or(|s| s.trim().is_empty()) {
                            out.push(format!("{fp}.{key} is empty"));
                        }
                    }
                }
            }
        }
        if total > 6000 {
            out.push(format!(
                "{prefix}embeds hold {total} characters in total (max 6000)"
            ));
        }
    }
    check_components(
        &v["components"],
        v["flags"].as_u64().unwrap_or(0),
        prefix,
        out,
    );
    let empty = content.trim().is_empty()
        && !non_empty_array(&v["embeds"])
        && !non_empty_array(&v["components"])
        && !non_empty_array(&v["sticker_ids"])
        && !non_empty_array(&v["attachments"])
        && v["poll"].is_null();
    if create && !has_files && empty {
        out.push(format!(
            "{prefix}empty message (no content, embeds, components, files, stickers or poll)"
        ));
    }
}

fn check_components(v: &Value, flags: u64, prefix: &str, out: &mut Vec<String>) {
    let Some(rows) = v.as_array() else {
        return;
    };
    if flags & FLAG_COMPONENTS_V2 != 0 {
        // Components v2 layouts are left to the schema.
        return;
    }
    if rows.len() > 5 {
        out.push(format!("{prefix}{} action rows (max 5)", rows.len()));
    }
    let mut custom_ids = HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        let p = format!("{prefix}components[{i}]");
        if row["type"].as_u64() != Some(1) {
            out.push(format!(
                "{p} is type {} at the top level, not an action row (1)",
                row["type"]
            ));
            continue;
        }
        let items = row["components"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        if items.is_empty() || items.len() > 5 {
            out.push(format!("{p} holds {} components (1 to 5)", items.len()));
        }
        let selects = items
            .iter()
            .filter(|c| matches!(c["type"].as_u64(), Some(3 | 5 | 6 | 7 | 8)))
            .count();
        if selects > 0 && items.len() > 1 {
            out.push(format!(
                "{p}: a select menu must be alone in its action row"
            ));
        }
        for (j, c) in items.iter().enumerate() {
            let cp = format!("{p}.components[{j}]");
            if let Some(id) = c["custom_id"].as_str() {
                counted(&c["custom_id"], 100, &format!("{cp}.custom_id"), out);
                if id.is_empty() {
                    out.push(format!("{cp}.custom_id is empty"));
                }
                if !custom_ids.insert(id.to_string()) {
                    out.push(format!(
                        "{cp}.custom_id {id:?} is used twice in one message"
                    ));
                }
            }
            match c["type"].as_u64() {
                Some(2) => {
                    counted(&c["label"], 80, &format!("{cp}.label"), out);
                    let has_custom_id = c["custom_id"].is_string();
                    match c["style"].as_u64() {
                        Some(1..=4) if !has_custom_id => {
                            out.push(format!("{cp}: this button style needs a custom_id"))
                        }
                        Some(5) if !c["url"].is_string() || has_custom_id => {
                            out.push(format!("{cp}: a link button needs a url and no custom_id"))
                        }
                        Some(6) if !c["sku_id"].is_string() => {
                            out.push(format!("{cp}: a premium button needs a sku_id"))
                        }
                        Some(1..=6) => {}
                        other => out.push(format!("{cp}: invalid button style {other:?}")),
                    }
                    if c["label"].as_str().is_none_or(str::is_empty)
                        && c["emoji"].is_null()
                        && c["style"] != json!(6)
                    {
                        out.push(format!("{cp}: a button needs a label or an emoji"));
                    }
                }
                Some(3) => {
                    counted(&c["placeholder"], 150, &format!("{cp}.placeholder"), out);
                    let options = c["options"]
                        .as_array()
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    if options.is_empty() || options.len() > 25 {
                        out.push(format!("{cp} has {} options (1 to 25)", options.len()));
                    }
                    for (k, o) in options.iter().enumerate() {
                        let op = format!("{cp}.options[{k}]");
                        counted(&o["label"], 100, &format!("{op}.label"), out);
                        counted(&o["value"], 100, &format!("{op}.value"), out);
                        counted(&o["description"], 100, &format!("{op}.description"), out);
                    }
                }
                Some(5..=8) => {
                    counted(&c["placeholder"], 150, &format!("{cp}.placeholder"), out);
                }
                Some(4) => out.push(format!("{cp}: text inputs only belong in modals")),
                other => out.push(format!(
                    "{cp}: unknown component type {other:?} in an action row"
                )),
            }
        }
    }
}

fn check_callback(body: &Value, has_files: bool, out: &mut Vec<String>) {
    let data = &body["data"];
    match body["type"].as_u64() {
        Some(4) => check_message(data, true, has_files, "data.", out),
        Some(7) => check_message(data, false, has_files, "data.", out),
        Some(5 | 6 | 10 | 12) => {}
        Some(8) => {
            let Some(choices) = data["choices"].as_array() else {
                out.push("an autocomplete result needs data.choices".into());
                return;
            };
            if choices.len() > 25 {
                out.push(format!("{} autocomplete choices (max 25)", choices.len()));
            }
            for (i, c) in choices.iter().enumerate() {
                let n = counted(&c["name"], 100, &format!("data.choices[{i}].name"), out);
                if n == 0 {
                    out.push(format!("data.choices[{i}].name is empty"));
                }
                counted(&c["value"], 100, &format!("data.choices[{i}].value"), out);
            }
        }
        Some(9) => {
            if counted(&data["title"], 45, "data.title", out) == 0 {
                out.push("a modal needs a title".into());
            }
            if counted(&data["custom_id"], 100, "data.custom_id", out) == 0 {
                out.push("a modal needs a custom_id".into());
            }
            let n = data["components"].as_array().map_or(0, Vec::len);
            if n == 0 || n > 5 {
                out.push(format!("a modal holds {n} components (1 to 5)"));
            }
        }
        other => out.push(format!("unknown interaction callback type {other:?}")),
    }
}

/// 1-32 characters; lowercase where the script has case; letters, digits, `-` and `_`.
fn valid_chat_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=32).contains(&n)
        && name
            .chars()
            .all(|c| c == '-' || c == '_' || (c.is_alphanumeric() && !c.is_uppercase()))
}

fn check_command_list(body: &Value, out: &mut Vec<String>) {
    let Some(commands) = body.as_array() else {
        if !body.is_null() {
            out.push("a bulk overwrite body must be an array".into());
        }
        return;
    };
    let mut per_kind: HashMap<u64, usize> = HashMap::new();
    let mut names = HashSet::new();
    for (i, c) in commands.iter().enumerate() {
        let kind = c["type"].as_u64().unwrap_or(1);
        *per_kind.entry(kind).or_default() += 1;
        let name = c["name"].as_str().unwrap_or("").to_string();
        if !names.insert((kind, name.clone())) {
            out.push(format!("[{i}]: command name {name:?} is used twice"));
        }
        check_command(c, &format!("[{i}]."), out);
    }
    for (kind, max) in [(1, 100), (2, 15), (3, 15)] {
        let n = per_kind.get(&kind).copied().unwrap_or(0);
        if n > max {
            out.push(format!("{n} commands of type {kind} (max {max})"));
        }
    }
}

fn check_command(c: &Value, prefix: &str, out: &mut Vec<String>) {
    let kind = c["type"].as_u64().unwrap_or(1);
    let name = c["name"].as_str().unwrap_or("");
    let description = c["description"].as_str().unwrap_or("");
    if kind == 1 {
        if !valid_chat_name(name) {
            out.push(format!(
                "{prefix}name {name:?}: slash command names are 1-32 lowercase letters, digits, '-' or '_'"
            ));
        }
        let n = description.chars().count();
        if !(1..=100).contains(&n) {
            out.push(format!("{prefix}description is {n} characters (1 to 100)"));
        }
    } else {
        let n = name.chars().count();
        if !(1..=32).contains(&n) {
            out.push(format!("{prefix}name is {n} characters (1 to 32)"));
        }
        if !description.is_empty() {
            out.push(format!(
                "{prefix}context menu commands must have an empty description"
            ));
        }
        if non_empty_array(&c["options"]) {
            out.push(format!("{prefix}context menu commands cannot have options"));
        }
    }
    let mut total = name.chars().count() + description.chars().count();
    total += check_options(&c["options"], &format!("{prefix}options"), out);
    if total > 4000 {
        out.push(format!("{prefix}command {name:?} has {total} characters in names, descriptions and choices (max 4000)"));
    }
}

/// Checks a level of command options; returns their characters for the 4000 total.
fn check_options(v: &Value, prefix: &str, out: &mut Vec<String>) -> usize {
    let Some(options) = v.as_array() else {
        return 0;
    };
    if options.len() > 25 {
        out.push(format!("{prefix}: {} options (max 25)", options.len()));
    }
    let subcommands = options
        .iter()
        .filter(|o| matches!(o["type"].as_u64(), Some(1 | 2)))
        .count();
    if subcommands > 0 && subcommands < options.len() {
        out.push(format!(
            "{prefix}: subcommands cannot be mixed with other options"
        ));
    }
    let mut names = HashSet::new();
    let mut seen_optional = false;
    let mut total = 0;
    for (i, o) in options.iter().enumerate() {
        let p = format!("{prefix}[{i}]");
        let name = o["name"].as_str().unwrap_or("");
        if !valid_chat_name(name) {
            out.push(format!(
                "{p}.name {name:?}: option names are 1-32 lowercase letters, digits, '-' or '_'"
            ));
        }
        if !names.insert(name.to_string()) {
            out.push(format!("{p}.name {name:?} is used twice"));
        }
        let description = o["description"].as_str().unwrap_or("");
        let n = description.chars().count();
        if !(1..=100).contains(&n) {
            out.push(format!("{p}.description is {n} characters (1 to 100)"));
        }
        total += name.chars().count() + n;
        let kind = o["type"].as_u64();
        if !matches!(kind, Some(1 | 2)) {
            let required = o["required"] == json!(true);
            if required && seen_optional {
                out.push(format!(
                    "{p}: required option {name:?} comes after an optional one"
                ));
            }
            seen_optional |= !required;
        }
        if let Some(choices) = o["choices"].as_array() {
            if choices.len() > 25 {
                out.push(format!("{p}: {} choices (max 25)", choices.len()));
            }
            if !choices.is_empty() && o["autocomplete"] == json!(true) {
                out.push(format!(
                    "{p}: an option cannot have both choices and autocomplete"
                ));
            }
            for (j, c) in choices.iter().enumerate() {
                let cn = counted(&c["name"], 100, &format!("{p}.choices[{j}].name"), out);
                if cn == 0 {
                    out.push(format!("{p}.choices[{j}].name is empty"));
                }
                total += cn;
                total += match &c["value"] {
                    Value::String(_) => {
                        counted(&c["value"], 100, &format!("{p}.choices[{j}].value"), out)
                    }
                    other => other.to_string().len(),
                };
            }
        }
        if matches!(kind, Some(1 | 2)) {
            total += check_options(&o["options"], &format!("{p}.options"), out);
        }
    }
    total
}
