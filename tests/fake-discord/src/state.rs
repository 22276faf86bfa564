//! The fake's state: sessions, registered commands, interactions, channels and messages.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::Recorded;

/// Milliseconds between the Unix epoch and Discord's epoch (2015-01-01), for snowflakes.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

pub(crate) struct Shared {
    pub(crate) addr: SocketAddr,
    pub(crate) state: Mutex<State>,
    /// Bumped after every change that a waiter might care about.
    pub(crate) changed: watch::Sender<u64>,
    pub(crate) last_id: AtomicU64,
    /// Requests to hold (tests of a client killed mid-request).
    pub(crate) holds: crate::hold::Holds,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) requests: Vec<Recorded>,
    pub(crate) violations: Vec<String>,
    /// Requests Discord accepts but silently changes (e.g. an ignored ephemeral flag).
    pub(crate) notes: Vec<String>,
    pub(crate) unknown_routes: Vec<String>,
    pub(crate) identifies: Vec<Value>,
    pub(crate) identify_count: usize,
    pub(crate) resume_count: usize,
    pub(crate) heartbeat_count: usize,
    /// The gateway connection that currently has a READY/RESUMED session.
    pub(crate) ready: Option<Session>,
    /// Session id -> last sequence number sent on it.
    pub(crate) sessions: HashMap<String, u64>,
    pub(crate) reject_resume: bool,
    pub(crate) ack_deadline: Option<Duration>,
    pub(crate) next_connection: u64,
    /// Registered commands by guild (`None`: global).
    pub(crate) commands: HashMap<Option<u64>, Vec<Value>>,
    pub(crate) unregistered_command_ids: HashMap<String, u64>,
    pub(crate) interactions: HashMap<u64, InteractionState>,
    /// Live messages by id. Snowflakes grow with time, so id order is creation order.
    pub(crate) messages: BTreeMap<u64, StoredMessage>,
    /// Channels and threads of the guild by id (the default channel is always there).
    pub(crate) channels: BTreeMap<u64, Channel>,
    /// Roles of the guild by id, for `resolved.roles`.
    pub(crate) roles: BTreeMap<u64, String>,
    /// Files users attached to commands, by attachment id: name, content type, bytes.
    pub(crate) uploads: HashMap<u64, (String, String, Vec<u8>)>,
    /// Requests for those files.
    pub(crate) served_uploads: usize,
    /// `(author, nonce)` of messages created with `enforce_nonce`, with the message and when.
    pub(crate) nonces: HashMap<(u64, String), (u64, Instant)>,
    /// Injected REST faults (`faults.rs`).
    pub(crate) faults: crate::faults::Faults,
    /// Discord's rate limits (`limits.rs`).
    pub(crate) limits: crate::limits::Limits,
    /// Gateway faults and what resuming needs (`faults.rs`): per session, the dispatches sent
    /// on it; whether the next dispatch is lost; which interactions reached a socket.
    pub(crate) gateway: crate::faults::GatewayLog,
}

/// A message the fake holds, with what the message object itself does not say.
pub(crate) struct StoredMessage {
    pub(crate) value: Value,
    /// The interaction whose response or follow-up this is.
    pub(crate) interaction: Option<u64>,
}

/// A guild channel or thread.
#[derive(Clone, Debug)]
pub(crate) struct Channel {
    pub(crate) name: String,
    /// Discord's channel type (0 text, 2 voice, 4 category, 5 announcement, 11/12 threads, ...).
    pub(crate) kind: u8,
    pub(crate) parent_id: Option<u64>,
    /// The full channel object returned for threads the fake created.
    pub(crate) object: Option<Value>,
}

pub(crate) struct Session {
    pub(crate) connection: u64,
    pub(crate) tx: mpsc::UnboundedSender<GatewayCommand>,
}

pub(crate) enum GatewayCommand {
    /// `lost`: kept for the session but never written (`drop_gateway_in_transit`).
    Dispatch {
        t: String,
        d: Value,
        lost: bool,
    },
    Drop,
    /// Close with a close frame carrying this code.
    Close(u16),
    /// Send op 9 INVALID_SESSION (d = false) and forget the session.
    InvalidSession,
}

pub(crate) struct InteractionState {
    pub(crate) token: String,
    pub(crate) kind: u8,
    pub(crate) channel_id: u64,
    pub(crate) user_id: u64,
    /// When the dispatch was handed to the gateway connection.
    pub(crate) sent_at: Option<Instant>,
    /// The callback type of the first answer, once there is one.
    pub(crate) answered_with: Option<u64>,
    /// Message id of the `@original` response.
    pub(crate) original: Option<u64>,
    /// Follow-up messages created through `POST /webhooks/{app}/{token}`, in order.
    pub(crate) followups: Vec<u64>,
    /// For component interactions (and modals opened from one): the message the component is on.
    pub(crate) source_message: Option<u64>,
    /// The INTERACTION_CREATE payload (`d`) as dispatched.
    pub(crate) payload: serde_json::Value,
}

impl State {
    pub(crate) fn insert_message(&mut self, value: Value, interaction: Option<u64>) -> u64 {
        let id = crate::payloads::id_of(&value["id"]).unwrap_or_default();
        self.messages
            .insert(id, StoredMessage { value, interaction });
        id
    }

    pub(crate) fn message(&self, id: u64) -> Option<&Value> {
        self.messages.get(&id).map(|m| &m.value)
    }

    pub(crate) fn channel_of(message: &Value) -> Option<u64> {
        crate::payloads::id_of(&message["channel_id"])
    }
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn bump(&self) {
        self.changed.send_modify(|v| *v += 1);
    }

    pub(crate) fn gateway_url(&self) -> String {
        format!("ws://{}/gateway", self.addr)
    }

    /// A fresh snowflake: current time in the high bits, strictly increasing.
    pub(crate) fn next_id(&self) -> u64 {
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

    pub(crate) fn violation(&self, what: String) {
        eprintln!("fake_discord: violation: {what}");
        self.lock().violations.push(what);
        self.bump();
    }
}

pub(crate) fn request_lines(requests: &[Recorded]) -> Vec<String> {
    requests
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}
