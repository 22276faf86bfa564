//! The fault rules of the fake (README, "Faults"), driven by a raw websocket and plain HTTP
//! client so that each step is exact: replay on RESUME, lost dispatches, close codes, op 9,
//! injected REST faults, and the 3-second window.

use std::time::Duration;

use fake_discord::{DEFAULT_MEMBER_PERMISSIONS, DEFAULT_USER_ID, FakeDiscord, RestFault};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(5);

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

async fn connect(fake: &FakeDiscord) -> Ws {
    let url = format!("{}?v=10&encoding=json", fake.gateway_url());
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let hello = next(&mut ws).await.expect("HELLO");
    assert_eq!(hello["op"], 10);
    ws
}

/// The next JSON frame, or `None` when the connection ended (the close code, if any, in `Err`).
async fn next_frame(ws: &mut Ws) -> Result<Value, Option<u16>> {
    loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("bounded")
        {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(&t).unwrap()),
            Some(Ok(Message::Close(frame))) => return Err(frame.map(|f| f.code.into())),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err(None),
        }
    }
}

async fn next(ws: &mut Ws) -> Option<Value> {
    next_frame(ws).await.ok()
}

async fn identify(fake: &FakeDiscord) -> (Ws, String) {
    let mut ws = connect(fake).await;
    let identify = json!({"op": 2, "d": {"token": "t", "intents": 1, "properties": {}}});
    ws.send(Message::Text(identify.to_string())).await.unwrap();
    let ready = next(&mut ws).await.unwrap();
    assert_eq!(ready["t"], "READY");
    assert!(ready["d"]["resume_gateway_url"].is_string());
    let session = ready["d"]["session_id"].as_str().unwrap().to_string();
    (ws, session)
}

async fn resume(fake: &FakeDiscord, session: &str, seq: u64) -> Ws {
    let mut ws = connect(fake).await;
    let resume = json!({"op": 6, "d": {"token": "t", "session_id": session, "seq": seq}});
    ws.send(Message::Text(resume.to_string())).await.unwrap();
    ws
}

async fn command(fake: &FakeDiscord) -> fake_discord::InteractionRef {
    fake.send_command(
        "ping",
        Value::Null,
        DEFAULT_USER_ID,
        DEFAULT_MEMBER_PERMISSIONS,
    )
    .await
}

#[tokio::test]
async fn a_resume_replays_what_came_after_its_seq_then_resumed() {
    let fake = FakeDiscord::start().await;
    let (mut ws, session) = identify(&fake).await;
    let first = command(&fake).await;
    let got = next(&mut ws).await.unwrap();
    assert_eq!(got["t"], "INTERACTION_CREATE");
    let seen_seq = got["s"].as_u64().unwrap();
    // The next one is lost on the way: the connection drops before it is written.
    fake.drop_gateway_in_transit();
    let lost = command(&fake).await;
    assert_eq!(next_frame(&mut ws).await, Err(None));
    assert!(fake.delivered(&first) && !fake.delivered(&lost));

    let mut ws = resume(&fake, &session, seen_seq).await;
    let replayed = next(&mut ws).await.unwrap();
    assert_eq!(replayed["t"], "INTERACTION_CREATE");
    assert_eq!(replayed["d"]["id"], lost.id.to_string());
    assert_eq!(replayed["s"].as_u64(), Some(seen_seq + 1));
    let resumed = next(&mut ws).await.unwrap();
    assert_eq!(resumed["t"], "RESUMED");
    assert!(fake.delivered(&lost));
    fake.wait_identified(WAIT).await.unwrap();
    assert_eq!(fake.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn close_4009_and_op_9_end_the_session_and_4000_does_not() {
    let fake = FakeDiscord::start().await;
    let (mut ws, session) = identify(&fake).await;
    fake.close_gateway(4000).await;
    assert_eq!(next_frame(&mut ws).await, Err(Some(4000)));
    let mut ws = resume(&fake, &session, 1).await;
    assert_eq!(next(&mut ws).await.unwrap()["t"], "RESUMED");

    fake.wait_identified(WAIT).await.unwrap();
    fake.close_gateway(4009).await;
    assert_eq!(next_frame(&mut ws).await, Err(Some(4009)));
    let mut ws = resume(&fake, &session, 1).await;
    let refused = next(&mut ws).await.unwrap();
    assert_eq!(
        (refused["op"].as_u64(), refused["d"].as_bool()),
        (Some(9), Some(false))
    );

    let (mut ws, session) = identify(&fake).await;
    fake.invalidate_session().await;
    let op9 = next(&mut ws).await.unwrap();
    assert_eq!(
        (op9["op"].as_u64(), op9["d"].as_bool()),
        (Some(9), Some(false))
    );
    // IDENTIFY again on the same connection is allowed after op 9.
    let identify = json!({"op": 2, "d": {"token": "t", "intents": 1, "properties": {}}});
    ws.send(Message::Text(identify.to_string())).await.unwrap();
    assert_eq!(next(&mut ws).await.unwrap()["t"], "READY");
    let mut old = resume(&fake, &session, 1).await;
    assert_eq!(next(&mut old).await.unwrap()["op"], 9);
    assert_eq!(fake.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn a_first_answer_after_three_seconds_is_unknown_interaction() {
    let fake = FakeDiscord::start().await;
    let (_ws, _) = identify(&fake).await;
    fake.set_ack_deadline(Some(Duration::from_millis(100)));
    let i = command(&fake).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, body) = post(
        &fake,
        &format!("/api/v10/interactions/{}/{}/callback", i.id, i.token),
        &json!({"type": 4, "data": {"content": "late"}}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], 10062);
    assert_eq!(fake.answered_with(&i), None);
    assert_eq!(fake.violations().len(), 1);
}

/// A bare HTTP/1.1 POST; returns the status and JSON body (`Null` if none or cut off).
async fn post(fake: &FakeDiscord, path: &str, body: &Value) -> (u16, Value) {
    let (status, _, json) = post_with_headers(fake, path, body).await;
    (status, json)
}

/// [`post`], with the answer's headers (names in lower case).
async fn post_with_headers(
    fake: &FakeDiscord,
    path: &str,
    body: &Value,
) -> (u16, std::collections::HashMap<String, String>, Value) {
    let addr = fake.api_url().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut raw)).await;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let json = serde_json::from_str(rest).unwrap_or(Value::Null);
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, json)
}

/// Discord's limits (README, "Rate limits"): a channel's message bucket announces itself in
/// the headers and refuses the sixth post in its window with a 429 that is not carried out;
/// past 50 requests in a second every route but the interaction ones gets a global 429.
#[tokio::test]
async fn channel_buckets_and_the_global_limit_answer_with_discords_headers() {
    let fake = FakeDiscord::start().await;
    let (_ws, _) = identify(&fake).await;
    let path = format!("/api/v10/channels/{}/messages", FakeDiscord::CHANNEL_ID);
    let body = json!({"content": "hello"});
    for left in (0..5).rev() {
        let (status, h, _) = post_with_headers(&fake, &path, &body).await;
        assert_eq!(status, 200);
        assert_eq!(h["x-ratelimit-limit"], "5");
        assert_eq!(h["x-ratelimit-remaining"], left.to_string());
        assert!(h["x-ratelimit-reset-after"].parse::<f64>().unwrap() > 4.0);
        assert!(h.contains_key("x-ratelimit-reset") && h.contains_key("x-ratelimit-bucket"));
    }
    let (status, h, json) = post_with_headers(&fake, &path, &body).await;
    assert_eq!(status, 429);
    assert_eq!(json["global"], false);
    assert!(json["retry_after"].as_f64().unwrap() > 4.0, "{json}");
    assert_eq!(h["x-ratelimit-scope"], "user");
    assert!(!h.contains_key("x-ratelimit-global"));
    assert_eq!(fake.channel_messages(FakeDiscord::CHANNEL_ID).len(), 5);
    // 45 more requests fill the second's 50 (the refused one does not count).
    for c in 0..45 {
        let (status, _, _) =
            post_with_headers(&fake, &format!("/api/v10/channels/{c}/messages"), &body).await;
        assert_ne!(status, 429, "request {c}");
    }
    let (status, h, json) = post_with_headers(&fake, "/api/v10/channels/1/messages", &body).await;
    assert_eq!(status, 429);
    assert_eq!(json["global"], true);
    assert_eq!(h["x-ratelimit-global"], "true");
    assert_eq!(h["x-ratelimit-scope"], "global");
    // Interaction endpoints are outside the global limit.
    let i = command(&fake).await;
    let (status, _, _) = post_with_headers(
        &fake,
        &format!("/api/v10/interactions/{}/{}/callback", i.id, i.token),
        &json!({"type": 4, "data": {"content": "in time"}}),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(fake.rate_limited().len(), 2, "{:?}", fake.rate_limited());
    fake.shutdown().await;
}

#[tokio::test]
async fn injected_rest_faults_follow_their_plan_and_a_dropped_post_still_happened() {
    let fake = FakeDiscord::start().await;
    let path = format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID);
    fake.inject_faults(
        "POST",
        "/channels/*/messages",
        vec![
            Some(RestFault::RateLimited {
                retry_after: 1.25,
                global: false,
            }),
            Some(RestFault::ServerError(502)),
            Some(RestFault::Drop),
            None,
        ],
    );
    let msg = json!({"content": "hi", "nonce": "n-1", "enforce_nonce": true});
    let api = format!("/api/v10{path}");
    let (status, body) = post(&fake, &api, &msg).await;
    assert_eq!(status, 429);
    assert_eq!(body["retry_after"], 1.25);
    assert_eq!(body["global"], false);
    assert_eq!(post(&fake, &api, &msg).await.0, 502);
    assert!(fake.channel_messages(FakeDiscord::CHANNEL_ID).is_empty());
    // Dropped: no answer, but the message was made.
    assert_eq!(post(&fake, &api, &msg).await.0, 0);
    assert_eq!(fake.channel_messages(FakeDiscord::CHANNEL_ID).len(), 1);
    // Sent again with the same nonce: Discord returns the same message, no second one.
    let (status, again) = post(&fake, &api, &msg).await;
    assert_eq!(status, 200);
    let messages = fake.channel_messages(FakeDiscord::CHANNEL_ID);
    assert_eq!(messages.len(), 1);
    assert_eq!(again["id"], messages[0]["id"]);
    let faults: Vec<_> = fake
        .requests()
        .into_iter()
        .map(|r| (r.status, r.fault))
        .collect();
    assert_eq!(faults[0].0, 429);
    assert_eq!(faults[1], (502, Some("502".to_string())));
    assert_eq!(faults[2].1.as_deref(), Some("dropped"));
    assert_eq!(faults[3], (200, None));
    assert_eq!(fake.violations(), Vec::<String>::new());
}
