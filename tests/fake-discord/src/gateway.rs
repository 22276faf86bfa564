//! The gateway websocket: HELLO, IDENTIFY/RESUME, heartbeats, and dispatches from the test.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

use crate::FakeDiscord;
use crate::faults::close_code_allows_resume;
use crate::payloads::current_user_json;
use crate::state::{GatewayCommand, Session, Shared};

/// Heartbeat interval announced in HELLO.
const HEARTBEAT_INTERVAL_MS: u64 = 5_000;
/// A websocket that neither identifies nor resumes within this time is closed.
const IDENTIFY_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) async fn run_gateway<S>(
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
    // After op 9 the client may IDENTIFY again on the same connection.
    let mut invalidated = false;
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
                Some(GatewayCommand::Dispatch { t, d, lost }) => {
                    seq += 1;
                    if let Some(sid) = &session {
                        let mut st = shared.lock();
                        st.sessions.insert(sid.clone(), seq);
                        st.gateway.keep(sid, seq, &t, &d);
                    }
                    if lost {
                        // Lost in transit: sent by "Discord", never read by the client.
                        break;
                    }
                    let payload = json!({"op": 0, "s": seq, "t": t, "d": d});
                    if send_json(&mut ws, &payload).await.is_err() {
                        break;
                    }
                    shared.lock().gateway.written(&t, &d);
                }
                Some(GatewayCommand::Close(code)) => {
                    if !close_code_allows_resume(code)
                        && let Some(sid) = &session
                    {
                        forget_session(&shared, sid);
                    }
                    let frame = CloseFrame { code: code.into(), reason: "fake-discord fault".into() };
                    let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(Some(frame))).await;
                    break;
                }
                Some(GatewayCommand::InvalidSession) => {
                    // "the session may be resumable" is d; with false the client identifies
                    // again (https://discord.com/developers/docs/events/gateway-events#invalid-session).
                    if let Some(sid) = &session {
                        forget_session(&shared, sid);
                    }
                    invalidated = true;
                    clear_ready(&shared, connection);
                    if send_json(&mut ws, &json!({"op": 9, "d": false, "s": null, "t": null})).await.is_err() {
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
                        if session.is_some() && !invalidated {
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
                        invalidated = false;
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
                                // The missed events first, in order, then RESUMED
                                // (https://discord.com/developers/docs/events/gateway#resuming).
                                let missed = shared.lock().gateway.missed(&sid, client_seq);
                                let mut failed = false;
                                for (s, t, d) in missed {
                                    let frame = json!({"op": 0, "s": s, "t": t, "d": d});
                                    if send_json(&mut ws, &frame).await.is_err() {
                                        failed = true;
                                        break;
                                    }
                                    shared.lock().gateway.written(&t, &d);
                                }
                                if failed {
                                    break;
                                }
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
    clear_ready(&shared, connection);
    // Dispatches still queued for this connection happened on the session all the same: they
    // get their sequence numbers, so that a RESUME replays them.
    rx.close();
    while let Ok(command) = rx.try_recv() {
        if let (GatewayCommand::Dispatch { t, d, .. }, Some(sid)) = (command, &session) {
            seq += 1;
            let mut st = shared.lock();
            if st.sessions.contains_key(sid) {
                st.sessions.insert(sid.clone(), seq);
                st.gateway.keep(sid, seq, &t, &d);
            }
        }
    }
    // Dropping `ws` here closes the TCP connection without a close frame.
}

/// This connection no longer has a ready session.
fn clear_ready(shared: &Shared, connection: u64) {
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
}

/// The session can no longer be resumed (a RESUME of it gets op 9).
fn forget_session(shared: &Shared, session: &str) {
    let mut st = shared.lock();
    st.sessions.remove(session);
    st.gateway.sent.remove(session);
}

pub(crate) fn set_ready(
    shared: &Shared,
    connection: u64,
    tx: &mpsc::UnboundedSender<GatewayCommand>,
) {
    {
        let mut st = shared.lock();
        st.ready = Some(Session {
            connection,
            tx: tx.clone(),
        });
        st.gateway.readies += 1;
    }
    shared.bump();
}

pub(crate) async fn send_json<S>(ws: &mut WebSocketStream<S>, value: &Value) -> Result<(), ()>
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

pub(crate) fn ready_payload(shared: &Shared, session_id: &str, shard: &Value) -> Value {
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
pub(crate) fn check_dispatch(t: &str, d: &Value) -> Result<(), String> {
    let frame = json!({"op": 0, "s": 1, "t": t, "d": d});
    serde_json::from_value::<serenity::model::event::GatewayEvent>(frame)
        .map(|_| ())
        .map_err(|e| {
            format!("serenity 0.12.5 cannot parse this {t} dispatch (it would drop it): {e}")
        })
}

/// Parses a REST response with serenity's model; `Some(problem)` if serenity could not.
pub(crate) fn check_model<T: DeserializeOwned>(what: &str, value: &Value) -> Option<String> {
    serde_json::from_value::<T>(value.clone())
        .err()
        .map(|e| format!("the {what} in the response would not parse in serenity: {e}"))
}
