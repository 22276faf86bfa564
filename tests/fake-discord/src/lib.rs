//! A fake Discord for end-to-end tests.
//!
//! One `127.0.0.1` port serves both halves of Discord that a serenity bot talks to:
//! - REST under `/api/v10/...` (plain HTTP; serenity gets there through
//!   `HttpBuilder::proxy(api_url)` with the ratelimiter disabled), and
//! - the gateway websocket at `/gateway` (plain `ws://`, JSON in text frames).
//!
//! Every REST request is recorded. JSON bodies are checked against Discord's OpenAPI spec
//! (vendored in `openapi/openapi.json`) and against Discord's documented size limits; anything
//! wrong is kept as a violation string (`"METHOD /path: what"`). Protocol mistakes that Discord
//! itself would refuse (answering an interaction twice, a follow-up before the first answer, a
//! wrong application id, ...) are violations too, and get Discord's error reply. Requests that
//! Discord accepts but silently changes (a flag it ignores) are kept as notes.
//!
//! The fake keeps the messages users would see: interaction responses and follow-ups live in
//! their channel with the flags Discord would give them (see `channel_messages`), following
//! Discord's documented rules for deferred responses. `README.md` lists each rule and its source.
//!
//! serenity 0.12.5 drops a gateway dispatch it cannot deserialize without any log above `warn`, so
//! every dispatch the fake builds is first parsed with serenity's own `GatewayEvent`, and sending
//! one that would be dropped panics instead of letting a test time out for no visible reason.
//!
//! Everything runs on tokio tasks of the test's runtime and stops when the `FakeDiscord` is
//! dropped (or `shutdown` is awaited).

mod faults;
mod gateway;
mod hold;
mod limits;
mod payloads;
mod routes;
mod server;
mod state;
mod validation;

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use crate::faults::{FaultPlan, RestFault, close_code_allows_resume, random_plan};
use crate::gateway::check_dispatch;
pub use crate::hold::Hold;
pub use crate::limits::{CHANNEL_BUCKET, GLOBAL_PER_SECOND};
use crate::payloads::{
    channel_json, collect_options, id_of, interaction_payload, make_message, member_json,
    normalize_options, role_json, user_json,
};
use crate::server::accept_loop;
use crate::state::{Channel, GatewayCommand, InteractionState, Shared, State, request_lines};

/// How long a `send_*` call waits for a ready gateway session before giving up.
const DISPATCH_WAIT: Duration = Duration::from_secs(10);
/// Discord wants the first answer to an interaction within 3 seconds.
const DEFAULT_ACK_DEADLINE: Duration = Duration::from_secs(3);
/// `app_permissions` sent with interactions (send/read messages, embeds, ... — no admin).
pub(crate) const BOT_PERMISSIONS: &str = "533113207808";
/// Permissions of the member in interactions that do not name any (a plain member).
pub const DEFAULT_MEMBER_PERMISSIONS: &str = "104324673";
/// User behind interactions that do not name one.
pub const DEFAULT_USER_ID: u64 = 1_300_000_000_000_000_100;
/// Message flag: only the user of the interaction sees the message.
pub const FLAG_EPHEMERAL: u64 = 1 << 6;
/// Message flag: the message is a "thinking..." placeholder of a deferred answer.
pub const FLAG_LOADING: u64 = 1 << 7;
/// Message flag: embeds are not shown (the only flag besides components v2 an edit may change).
pub(crate) const FLAG_SUPPRESS_EMBEDS: u64 = 1 << 2;
/// Message flag: components v2 (then the 5-action-row rule does not apply).
pub(crate) const FLAG_COMPONENTS_V2: u64 = 1 << 15;

/// The member behind an interaction: who, with which permissions and roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub user_id: u64,
    /// Permission bit set as a decimal string (what Discord sends).
    pub permissions: String,
    /// Role ids the member has (listed in `member.roles`).
    pub roles: Vec<u64>,
}

impl Default for Member {
    fn default() -> Member {
        Member::new(DEFAULT_USER_ID)
    }
}

impl Member {
    /// A plain member (`DEFAULT_MEMBER_PERMISSIONS`, no roles).
    pub fn new(user_id: u64) -> Member {
        Member {
            user_id,
            permissions: DEFAULT_MEMBER_PERMISSIONS.to_string(),
            roles: Vec::new(),
        }
    }

    pub fn permissions(mut self, permissions: &str) -> Member {
        self.permissions = permissions.to_string();
        self
    }

    pub fn roles(mut self, roles: impl IntoIterator<Item = u64>) -> Member {
        self.roles = roles.into_iter().collect();
        self
    }
}

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
    /// The contents of those file parts, in the same order.
    pub file_contents: Vec<Vec<u8>>,
    /// The HTTP status the fake answered with (for `RestFault::Drop`, the status it would have
    /// sent; the client got none).
    pub status: u16,
    /// The injected fault this request met (`RestFault` label), if any.
    pub fault: Option<String>,
    /// When the fake received it.
    pub at: std::time::Instant,
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
    ///
    /// Panics if Discord's OpenAPI spec (`openapi/openapi.json` in this crate, or the file named
    /// by `FAKE_DISCORD_OPENAPI`) cannot be read or parsed: a fake that validated nothing would
    /// let every test pass for the wrong reason.
    pub async fn start() -> FakeDiscord {
        // Load the spec before serving (once per process), so that no request pays for it and a
        // missing spec fails here, not as a violation per request.
        match tokio::task::spawn_blocking(|| validation::spec().map(|_| ())).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("fake_discord: {e}"),
            Err(e) => panic!("fake_discord: loading the OpenAPI spec crashed: {e}"),
        }
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
                channels: BTreeMap::from([(
                    Self::CHANNEL_ID,
                    Channel {
                        name: "general".into(),
                        kind: 0,
                        parent_id: None,
                        object: None,
                    },
                )]),
                ..State::default()
            }),
            changed,
            last_id: AtomicU64::new(0),
            holds: Default::default(),
        });
        let (stop, stop_rx) = watch::channel(());
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
    /// subcommands) or `Null`. User (type 6), channel (type 7) and role (type 8) options get
    /// `data.resolved` filled in (see `add_channel`, `add_role`). `permissions` is the member's
    /// permission bit set as a decimal string.
    pub async fn send_command(
        &self,
        name: &str,
        options: Value,
        user_id: u64,
        permissions: &str,
    ) -> InteractionRef {
        let member = Member::new(user_id).permissions(permissions);
        self.send_command_as(name, options, &member).await
    }

    /// Like `send_command`, from `member` (whose roles appear in `member.roles`).
    pub async fn send_command_as(
        &self,
        name: &str,
        options: Value,
        member: &Member,
    ) -> InteractionRef {
        let data = self.command_data(name, options);
        self.send_interaction_as(2, data, member, None).await
    }

    /// Sends an autocomplete interaction (type 4) for command `name` from `DEFAULT_USER_ID`. One
    /// option should carry `"focused": true`; its value is sent as a string, as Discord does
    /// (serenity only accepts a string there).
    pub async fn send_autocomplete(&self, name: &str, options: Value) -> InteractionRef {
        let data = self.command_data(name, options);
        self.send_interaction_as(4, data, &Member::default(), None)
            .await
    }

    /// Sends a button click (type 3) with `custom_id`. `message` is the message the button sits
    /// on: `Null` for a default bot message holding that button, or an object whose fields
    /// replace the default's (pass a message from `channel_messages` to click on it).
    pub async fn send_button(
        &self,
        custom_id: &str,
        message: Value,
        user_id: u64,
    ) -> InteractionRef {
        let message = self.component_message(custom_id, message);
        let data = json!({"custom_id": custom_id, "component_type": 2});
        self.send_interaction_as(3, data, &Member::new(user_id), Some(message))
            .await
    }

    /// Sends a choice in the string select `custom_id` of `message` (a message object the fake
    /// holds, e.g. from `channel_messages` or `original_response`), as Discord sends it: an
    /// interaction of type 3 (MESSAGE_COMPONENT) from the message's channel with
    /// `data: {custom_id, component_type: 3, values}` and the message as Discord holds it now
    /// ([string select](https://discord.com/developers/docs/components/reference#string-select),
    /// [message component data](https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-message-component-data-structure)).
    ///
    /// Like Discord's client, it only sends what `user_id` could choose, and panics otherwise
    /// (see `select_data`; an ephemeral message only its interaction's user sees). For a payload
    /// no client would send, use `send_interaction_in` with `data` of your own.
    pub async fn send_select(
        &self,
        message: &Value,
        custom_id: &str,
        values: &[&str],
        user_id: u64,
    ) -> InteractionRef {
        self.send_select_as(message, custom_id, values, &Member::new(user_id))
            .await
    }

    /// [`FakeDiscord::send_select`] by `who`, a member with their roles and permissions.
    pub async fn send_select_as(
        &self,
        message: &Value,
        custom_id: &str,
        values: &[&str],
        who: &Member,
    ) -> InteractionRef {
        let user_id = who.user_id;
        let (message, channel, sees_it) = {
            let st = self.shared.lock();
            let stored = id_of(&message["id"]).and_then(|id| st.messages.get(&id));
            // An ephemeral message is seen only by the user of its interaction.
            let only = stored
                .filter(|m| Self::is_ephemeral(&m.value))
                .and_then(|m| st.interactions.get(&m.interaction?))
                .map(|i| i.user_id);
            let message = stored.map_or_else(|| message.clone(), |m| m.value.clone());
            let channel = State::channel_of(&message)
                .filter(|c| st.channels.contains_key(c))
                .unwrap_or(Self::CHANNEL_ID);
            (message, channel, only.is_none_or(|u| u == user_id))
        };
        assert!(
            sees_it,
            "fake_discord: no Discord client can send this: user {user_id} does not see that \
             ephemeral message"
        );
        let data = Self::select_data(&message, custom_id, values)
            .unwrap_or_else(|e| panic!("fake_discord: no Discord client can send this: {e}"));
        self.send_interaction_in(channel, 3, data, who, Some(message))
            .await
    }

    /// The `data` Discord's client sends when a user chooses `values` in the string select
    /// `custom_id` of `message`, or why no client can send it: the select must be on the
    /// message (in an action row, or nested in components v2 layouts), be a string select
    /// (type 3) and not disabled; the values must be values of its options, each at most
    /// once, and their number from `min_values` to `max_values` (both 1 when omitted)
    /// ([string select](https://discord.com/developers/docs/components/reference#string-select)).
    pub fn select_data(message: &Value, custom_id: &str, values: &[&str]) -> Result<Value, String> {
        let select = find_component(&message["components"], custom_id).ok_or_else(|| {
            format!(
                "message {} has no component with custom_id {custom_id:?}",
                message["id"]
            )
        })?;
        if select["type"].as_u64() != Some(3) {
            return Err(format!(
                "{custom_id:?} is a component of type {}, not a string select (3)",
                select["type"]
            ));
        }
        if select["disabled"] == json!(true) {
            return Err(format!("the select {custom_id:?} is disabled"));
        }
        let options: Vec<&str> = select["options"]
            .as_array()
            .map(|o| o.iter().filter_map(|o| o["value"].as_str()).collect())
            .unwrap_or_default();
        let mut chosen = std::collections::HashSet::new();
        for v in values {
            if !options.contains(v) {
                return Err(format!(
                    "{v:?} is not an option of {custom_id:?} (its values: {options:?})"
                ));
            }
            if !chosen.insert(*v) {
                return Err(format!("{v:?} is chosen twice"));
            }
        }
        let min = select["min_values"].as_u64().unwrap_or(1);
        let max = select["max_values"].as_u64().unwrap_or(1);
        let n = values.len() as u64;
        if !(min..=max).contains(&n) {
            return Err(format!(
                "{n} values chosen in {custom_id:?}, which takes {min} to {max}"
            ));
        }
        Ok(json!({"custom_id": custom_id, "component_type": 3, "values": values}))
    }

    /// Sends a modal submit (interaction type 5) for the modal `custom_id`, with one text input
    /// per `(custom_id, value)` in `fields`, each in its own action row, as Discord sends them
    /// ([docs](https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-modal-submit-data-structure)).
    /// `message` is the message whose component opened the modal, or `None` when a command did.
    pub async fn send_modal_submit(
        &self,
        custom_id: &str,
        fields: &[(&str, &str)],
        user_id: u64,
        message: Option<Value>,
    ) -> InteractionRef {
        let data = Self::modal_data(custom_id, fields);
        self.send_interaction_as(5, data, &Member::new(user_id), message)
            .await
    }

    /// A modal submission's `data` as Discord sends it: each text input in its own action row.
    pub fn modal_data(custom_id: &str, fields: &[(&str, &str)]) -> Value {
        let rows: Vec<Value> = fields
            .iter()
            .enumerate()
            .map(|(n, (field, value))| {
                json!({"type": 1, "id": 2 * n + 1, "components": [
                    {"type": 4, "id": 2 * n + 2, "custom_id": field, "value": value}
                ]})
            })
            .collect();
        json!({"custom_id": custom_id, "components": rows})
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
        let member = Member::new(user_id).permissions(permissions);
        self.send_interaction_as(kind, data, &member, message).await
    }

    /// Like `send_interaction`, from `member`.
    pub async fn send_interaction_as(
        &self,
        kind: u8,
        data: Value,
        member: &Member,
        message: Option<Value>,
    ) -> InteractionRef {
        self.send_interaction_in(Self::CHANNEL_ID, kind, data, member, message)
            .await
    }

    /// Like `send_interaction_as`, from channel or thread `channel_id` (one the fake knows:
    /// the default channel, `add_channel`, or a thread it started). The interaction's
    /// `channel_id` and its partial `channel` are that channel's, with a thread's `type` and
    /// `parent_id`, as Discord sends them ("channel: Channel that the interaction was sent
    /// from", <https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-interaction-structure>).
    /// Panics for a channel the fake does not know.
    pub async fn send_interaction_in(
        &self,
        channel_id: u64,
        kind: u8,
        data: Value,
        member: &Member,
        message: Option<Value>,
    ) -> InteractionRef {
        let permissions = member.permissions.as_str();
        assert!(
            permissions.parse::<u64>().is_ok(),
            "fake_discord: permissions must be a decimal bit set, got {permissions:?} \
             (serenity would drop the interaction)"
        );
        let mut channel = self.channel(channel_id).unwrap_or_else(|| {
            panic!("fake_discord: channel {channel_id} is not one the fake knows")
        });
        channel["permissions"] = json!(permissions);
        let id = self.shared.next_id();
        let token = format!("fake-interaction-token-{id}");
        let mut member_value = member_json(member.user_id, permissions);
        member_value["roles"] = json!(member.roles.iter().map(u64::to_string).collect::<Vec<_>>());
        let mut payload =
            interaction_payload(kind, id, &token, member_value, data, message.clone());
        payload["channel_id"] = json!(channel_id.to_string());
        payload["channel"] = channel;
        self.dispatch_interaction(
            id,
            token,
            kind,
            channel_id,
            member.user_id,
            payload,
            message,
        )
        .await
    }

    /// Sends an interaction from the bot's DM with `user_id`: no `guild_id` or `member`, the
    /// invoking `user` instead, a DM channel (type 1), `context` 1 (BOT_DM), and the guild
    /// install's owner `"0"` ("0 if the interaction is in a DM with the app's bot user",
    /// <https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-authorizing-integration-owners-object>).
    pub async fn send_dm_interaction(&self, kind: u8, data: Value, user_id: u64) -> InteractionRef {
        let id = self.shared.next_id();
        let token = format!("fake-interaction-token-{id}");
        let dm_channel = user_id ^ 0x5a5a;
        let mut payload = interaction_payload(kind, id, &token, Value::Null, data, None);
        let object = payload.as_object_mut().expect("an object");
        object.remove("guild_id");
        object.remove("member");
        object.remove("guild_locale");
        payload["user"] = crate::payloads::user_json(user_id, &format!("user{user_id}"), false);
        payload["channel_id"] = json!(dm_channel.to_string());
        payload["channel"] = json!({
            "id": dm_channel.to_string(),
            "type": 1,
            "last_message_id": null,
            "flags": 0,
            "recipients": [crate::payloads::user_json(user_id, &format!("user{user_id}"), false)],
        });
        payload["context"] = json!(1);
        payload["authorizing_integration_owners"] = json!({"0": "0"});
        self.dispatch_interaction(id, token, kind, dm_channel, user_id, payload, None)
            .await
    }

    /// Remembers an interaction and dispatches it.
    #[allow(clippy::too_many_arguments)]
    async fn dispatch_interaction(
        &self,
        id: u64,
        token: String,
        kind: u8,
        channel_id: u64,
        user_id: u64,
        payload: Value,
        message: Option<Value>,
    ) -> InteractionRef {
        {
            let mut st = self.shared.lock();
            let source_message = message.as_ref().map(|m| {
                let mid = id_of(&m["id"]).unwrap_or_default();
                if !st.messages.contains_key(&mid) {
                    st.insert_message(m.clone(), None);
                }
                mid
            });
            st.interactions.insert(
                id,
                InteractionState {
                    token: token.clone(),
                    kind,
                    channel_id,
                    user_id,
                    sent_at: None,
                    answered_with: None,
                    original: None,
                    followups: Vec::new(),
                    source_message,
                    payload: payload.clone(),
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
            let lost = std::mem::take(&mut self.shared.lock().gateway.lose_next);
            let command = GatewayCommand::Dispatch {
                t: t.to_string(),
                d: d.clone(),
                lost,
            };
            if tx.send(command).is_ok() {
                return Ok(());
            }
            self.shared.lock().gateway.lose_next |= lost;
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

    /// How many REST requests were recorded so far (a cheap start index for
    /// `wait_request_since`, without cloning `requests()`).
    pub fn request_count(&self) -> usize {
        self.shared.lock().requests.len()
    }

    /// How many messages the fake holds, in all channels (cheap, for waiting on many posts).
    pub fn message_count(&self) -> usize {
        self.shared.lock().messages.len()
    }

    /// All REST requests so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// Schema, limit and protocol violations so far.
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }

    /// `"METHOD /path (global|bucket)"` of every request the fake refused with 429 because it
    /// went over Discord's global limit or its route's bucket (`limits.rs`); injected 429s
    /// (`inject_faults`) are not in it.
    pub fn rate_limited(&self) -> Vec<String> {
        self.shared.lock().limits.refused.clone()
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

    /// The current `@original` message of an interaction, if it has one: the response message
    /// (type 4 or 5), or the message the component is on (type 6 or 7).
    pub fn original_response(&self, i: &InteractionRef) -> Option<Value> {
        let st = self.shared.lock();
        let mid = st.interactions.get(&i.id)?.original?;
        st.message(mid).cloned()
    }

    /// The live follow-up messages of an interaction that are messages of their own, in order
    /// (a follow-up that edited the deferred response is the `@original`, not listed here).
    pub fn followups(&self, i: &InteractionRef) -> Vec<Value> {
        let st = self.shared.lock();
        let Some(interaction) = st.interactions.get(&i.id) else {
            return Vec::new();
        };
        interaction
            .followups
            .iter()
            .filter_map(|id| st.message(*id).cloned())
            .collect()
    }

    /// Every live message this interaction created (its response, then its follow-ups), as the
    /// users see them now. A message the component sits on (type 6/7) is not among them.
    pub fn interaction_messages(&self, i: &InteractionRef) -> Vec<Value> {
        let st = self.shared.lock();
        st.messages
            .values()
            .filter(|m| m.interaction == Some(i.id))
            .map(|m| m.value.clone())
            .collect()
    }

    /// The INTERACTION_CREATE payload (`d`) the fake dispatched for `i`.
    pub fn dispatched(&self, i: &InteractionRef) -> Option<Value> {
        Some(self.shared.lock().interactions.get(&i.id)?.payload.clone())
    }

    /// The callback type the interaction was first answered with (4, 5, 6, ...), if any yet.
    pub fn answered_with(&self, i: &InteractionRef) -> Option<u64> {
        self.shared.lock().interactions.get(&i.id)?.answered_with
    }

    /// A message the fake knows (created through REST or as an interaction answer).
    pub fn message(&self, id: u64) -> Option<Value> {
        self.shared.lock().message(id).cloned()
    }

    /// The live messages of a channel or thread in creation order, as Discord holds them after
    /// every edit and delete: channel messages, interaction responses (including "thinking"
    /// placeholders, flag `FLAG_LOADING`) and follow-ups, ephemeral ones included (see
    /// `is_ephemeral`; use `visible_to_channel` for what everyone sees).
    pub fn channel_messages(&self, channel_id: u64) -> Vec<Value> {
        let st = self.shared.lock();
        st.messages
            .values()
            .filter(|m| State::channel_of(&m.value) == Some(channel_id))
            .map(|m| m.value.clone())
            .collect()
    }

    /// What everyone in the channel sees: `channel_messages` without the ephemeral ones.
    pub fn visible_to_channel(&self, channel_id: u64) -> Vec<Value> {
        self.channel_messages(channel_id)
            .into_iter()
            .filter(|m| !Self::is_ephemeral(m))
            .collect()
    }

    /// What `user_id` sees in the channel: the public messages plus the ephemeral ones of the
    /// interactions that user started.
    pub fn visible_to(&self, channel_id: u64, user_id: u64) -> Vec<Value> {
        let st = self.shared.lock();
        st.messages
            .values()
            .filter(|m| State::channel_of(&m.value) == Some(channel_id))
            .filter(|m| {
                !Self::is_ephemeral(&m.value)
                    || m.interaction
                        .and_then(|i| st.interactions.get(&i))
                        .is_some_and(|i| i.user_id == user_id)
            })
            .map(|m| m.value.clone())
            .collect()
    }

    /// Whether a message object carries the EPHEMERAL flag (only its user sees it).
    pub fn is_ephemeral(message: &Value) -> bool {
        message["flags"].as_u64().unwrap_or(0) & FLAG_EPHEMERAL != 0
    }

    /// Whether a message is still a deferred response's "thinking..." placeholder.
    pub fn is_loading(message: &Value) -> bool {
        message["flags"].as_u64().unwrap_or(0) & FLAG_LOADING != 0
    }

    /// Adds a guild role (for `resolved.roles` of role options and `Member::roles`).
    pub fn add_role(&self, id: u64, name: &str) {
        self.shared.lock().roles.insert(id, name.to_string());
    }

    /// Adds a guild channel (`kind` is Discord's channel type: 0 text, 2 voice, 4 category,
    /// 5 announcement, 15 forum, ...), for `resolved.channels` and for posting messages in it.
    pub fn add_channel(&self, id: u64, name: &str, kind: u8) {
        self.shared.lock().channels.insert(
            id,
            Channel {
                name: name.to_string(),
                kind,
                parent_id: None,
                object: None,
            },
        );
    }

    /// Adds a public thread (type 11) under channel `parent`, started by member `owner`, as
    /// Discord holds one; interactions can then come from it (`send_interaction_in`).
    pub fn add_thread(&self, id: u64, parent: u64, owner: u64, name: &str) {
        let object = crate::payloads::thread_json(&crate::payloads::NewThread {
            id,
            kind: 11,
            parent_id: parent,
            owner_id: owner,
            name,
            auto_archive_duration: 4320,
            rate_limit_per_user: 0,
            invitable: false,
        });
        self.shared.lock().channels.insert(
            id,
            Channel {
                name: name.to_string(),
                kind: 11,
                parent_id: Some(parent),
                object: Some(object),
            },
        );
    }

    /// A channel or thread the fake knows, as a channel object.
    pub fn channel(&self, id: u64) -> Option<Value> {
        let st = self.shared.lock();
        let channel = st.channels.get(&id)?;
        Some(
            channel
                .object
                .clone()
                .unwrap_or_else(|| channel_json(id, channel, BOT_PERMISSIONS)),
        )
    }

    /// Threads started so far (through either thread route), as channel objects.
    pub fn threads(&self) -> Vec<Value> {
        let st = self.shared.lock();
        st.channels
            .values()
            .filter(|c| matches!(c.kind, 10..=12))
            .filter_map(|c| c.object.clone())
            .collect()
    }

    /// Requests Discord accepts but silently changes (e.g. an ephemeral flag on the follow-up
    /// that edits a deferred response, which Discord ignores). Not violations, but usually a
    /// sign that users see something else than the bot meant.
    pub fn notes(&self) -> Vec<String> {
        self.shared.lock().notes.clone()
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

    /// Injected REST faults: requests matching `method` and `path` (segments, `*` for any one;
    /// without `/api/v10`, e.g. `"/channels/*/messages"`) take the next step of `plan` (see
    /// `RestFault`, `random_plan`). Rules are tried in the order they were added; a used-up plan
    /// lets requests pass.
    pub fn inject_faults(&self, method: &str, path: &str, plan: FaultPlan) {
        self.shared.lock().faults.add(method, path, plan);
    }

    /// Removes every injected REST fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// The next dispatch is lost in transit: it gets its sequence number and is kept for the
    /// session (a RESUME replays it), but the connection drops before it is written.
    pub fn drop_gateway_in_transit(&self) {
        self.shared.lock().gateway.lose_next = true;
    }

    /// Closes the current gateway connection with a close frame carrying `code`. Codes that do
    /// not allow resuming (`close_code_allows_resume`) end the session too.
    pub async fn close_gateway(&self, code: u16) {
        self.gateway_command(GatewayCommand::Close(code));
    }

    /// Sends op 9 INVALID_SESSION (`d: false`) on the current connection and forgets the
    /// session: the client has to IDENTIFY again; dispatches it had not read are lost.
    pub async fn invalidate_session(&self) {
        self.gateway_command(GatewayCommand::InvalidSession);
    }

    /// How many times a gateway session became ready (READY or RESUMED sent): after a fault,
    /// wait for this to grow before the next one.
    pub fn ready_count(&self) -> usize {
        self.shared.lock().gateway.readies
    }

    /// Waits until `ready_count` is above `before` and that session is still up.
    pub async fn wait_ready_after(&self, before: usize, timeout: Duration) -> Result<(), String> {
        self.wait_for(timeout, |st| {
            (st.gateway.readies > before && st.ready.is_some()).then_some(())
        })
        .await
        .ok_or_else(|| format!("fake_discord: no new ready gateway session within {timeout:?}"))
    }

    /// Whether the INTERACTION_CREATE of `i` was written to a gateway connection (when sent,
    /// or replayed on a resume). One lost in transit and never replayed was not.
    pub fn delivered(&self, i: &InteractionRef) -> bool {
        self.shared.lock().gateway.delivered.contains(&i.id)
    }

    fn gateway_command(&self, command: GatewayCommand) {
        let session = self.shared.lock().ready.take();
        self.shared.bump();
        if let Some(session) = session {
            let _ = session.tx.send(command);
        }
    }

    /// Holds the next `method path` request (path as in [`Recorded::path`]): see [`Hold`].
    pub fn hold_next(&self, method: &str, path: &str, hold: Hold) {
        self.shared.holds.add(method, path, hold);
    }

    /// Waits until `count` requests in all are being held by [`FakeDiscord::hold_next`].
    pub async fn wait_held(&self, count: usize, timeout: Duration) -> Result<(), String> {
        let holds = &self.shared.holds;
        self.wait_for(timeout, |_| (holds.held() >= count).then_some(()))
            .await
            .ok_or_else(|| {
                format!(
                    "fake_discord: {} requests held after {timeout:?}, not {count}",
                    holds.held()
                )
            })
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
    ///
    /// Panics if the OpenAPI spec cannot be loaded (see `start`).
    pub fn validate(method: &str, path: &str, body: &Value) -> Vec<String> {
        validation::validate(method, path, body)
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

    /// The `data` of a slash command `name` with `options`, with the id it was registered under
    /// (for `send_interaction_in` and `send_dm_interaction`).
    pub fn command_data(&self, name: &str, options: Value) -> Value {
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
        let attachments = collect_options(&options, 11);
        let mut users = collect_options(&options, 6);
        let channels = collect_options(&options, 7);
        let mut roles = collect_options(&options, 8);
        // A mentionable (type 9) resolves as a role when the fake knows that role, else a user.
        for id in collect_options(&options, 9) {
            if self.shared.lock().roles.contains_key(&id) {
                roles.push(id);
            } else {
                users.push(id);
            }
        }
        if !options.is_empty() {
            data["options"] = Value::Array(options);
        }
        // Discord resolves the ids of user, channel and role options into `data.resolved`
        // (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-resolved-data-structure).
        let mut resolved = serde_json::Map::new();
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
            resolved.insert("users".into(), Value::Object(resolved_users));
            resolved.insert("members".into(), Value::Object(resolved_members));
        }
        let st = self.shared.lock();
        if !channels.is_empty() {
            let map = channels
                .into_iter()
                .map(|c| {
                    let channel = st.channels.get(&c).cloned().unwrap_or(Channel {
                        name: format!("channel{c}"),
                        kind: 0,
                        parent_id: None,
                        object: None,
                    });
                    let mut partial = channel_json(c, &channel, BOT_PERMISSIONS);
                    if let Some(o) = partial.as_object_mut() {
                        o.retain(|k, _| {
                            matches!(
                                k.as_str(),
                                "id" | "name"
                                    | "type"
                                    | "permissions"
                                    | "parent_id"
                                    | "thread_metadata"
                            )
                        });
                    }
                    (c.to_string(), partial)
                })
                .collect();
            resolved.insert("channels".into(), Value::Object(map));
        }
        if !roles.is_empty() {
            let map = roles
                .into_iter()
                .map(|r| {
                    let name = st
                        .roles
                        .get(&r)
                        .cloned()
                        .unwrap_or_else(|| format!("role{r}"));
                    (r.to_string(), role_json(r, &name))
                })
                .collect();
            resolved.insert("roles".into(), Value::Object(map));
        }
        if !attachments.is_empty() {
            // An attachment option's id resolves to the attachment object, with the `url`
            // the file is fetched from, its `size` in bytes and its `content_type`
            // (https://discord.com/developers/docs/resources/message#attachment-object). The
            // fake serves the file from its own address, standing in for Discord's CDN.
            let map = attachments
                .into_iter()
                .map(|a| {
                    let (filename, content_type, bytes) = st
                        .uploads
                        .get(&a)
                        .cloned()
                        .unwrap_or_else(|| panic!("fake_discord: no upload {a} (add_upload)"));
                    let url = format!("http://{}/attachments/{a}/{filename}", self.shared.addr);
                    let object = json!({
                        "id": a.to_string(),
                        "filename": filename,
                        "size": bytes.len(),
                        "url": url,
                        "proxy_url": url,
                        "content_type": content_type,
                        "ephemeral": true,
                    });
                    (a.to_string(), object)
                })
                .collect();
            resolved.insert("attachments".into(), Value::Object(map));
        }
        if !resolved.is_empty() {
            data["resolved"] = Value::Object(resolved);
        }
        data
    }

    /// A file a user attaches to a command: its attachment id, for an option of type 11
    /// (ATTACHMENT). The fake serves it at the `url` of `resolved.attachments`.
    pub fn add_upload(&self, filename: &str, content_type: &str, bytes: &[u8]) -> u64 {
        let id = self.shared.next_id();
        self.shared.lock().uploads.insert(
            id,
            (
                filename.to_string(),
                content_type.to_string(),
                bytes.to_vec(),
            ),
        );
        id
    }

    /// How many times the bot fetched an uploaded file.
    pub fn served_uploads(&self) -> usize {
        self.shared.lock().served_uploads
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

/// The interactive component with `custom_id` among `components` (action rows and their
/// children, and components v2 layouts: `components`, `component` and `accessory`).
fn find_component<'a>(components: &'a Value, custom_id: &str) -> Option<&'a Value> {
    match components {
        Value::Array(items) => items.iter().find_map(|c| find_component(c, custom_id)),
        Value::Object(c) => {
            if c.get("custom_id").and_then(Value::as_str) == Some(custom_id) {
                return Some(components);
            }
            ["components", "component", "accessory"]
                .iter()
                .find_map(|k| find_component(c.get(*k)?, custom_id))
        }
        _ => None,
    }
}
