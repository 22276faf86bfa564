//! The HTTP side: one listener for REST and the gateway upgrade; every request is parsed,
//! validated, routed and recorded here.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONNECTION, CONTENT_TYPE, SEC_WEBSOCKET_ACCEPT, UPGRADE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use crate::Recorded;
use crate::faults::{self, RestFault};
use crate::gateway::run_gateway;
use crate::hold::Hold;
use crate::limits::Verdict;
use crate::payloads::{multipart_file_contents, parse_body};
use crate::routes::route;
use crate::state::Shared;
use crate::validation::{self, validate_request};

/// How long reading one request body may take.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) type Body = Full<Bytes>;

pub(crate) async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<()>,
) {
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

pub(crate) async fn serve_connection(
    stream: TcpStream,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<()>,
) {
    let service_stop = stop.clone();
    let service = service_fn(move |req| {
        let shared = Arc::clone(&shared);
        let stop = service_stop.clone();
        async move { handle(shared, stop, req).await }
    });
    let connection = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::select! {
        _ = connection => {}
        _ = stop.changed() => {}
    }
}

/// Returned for a `RestFault::Drop`: hyper then closes the connection without an answer.
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fake_discord: connection dropped (injected fault)")
    }
}

impl std::error::Error for Dropped {}

pub(crate) async fn handle(
    shared: Arc<Shared>,
    mut stop: watch::Receiver<()>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Dropped> {
    let received = Instant::now();
    let method = req.method().as_str().to_string();
    let raw_path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let wants_upgrade = req
        .headers()
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if wants_upgrade && raw_path.trim_end_matches('/') == "/gateway" {
        return Ok(websocket_upgrade(shared, stop, req));
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
    // A user's attachment, served as Discord's attachment host serves it: the bytes with
    // their content type, without authentication (the URL is what grants access).
    if !in_api && method == "GET" && path.starts_with("/attachments/") {
        let id = path.split('/').nth(2).and_then(|id| id.parse::<u64>().ok());
        let file = id.and_then(|id| shared.lock().uploads.get(&id).cloned());
        let response = match file {
            Some((_, content_type, bytes)) => Response::builder()
                .status(200)
                .header(CONTENT_TYPE, content_type)
                .body(Full::new(Bytes::from(bytes))),
            None => Response::builder()
                .status(404)
                .body(Full::new(Bytes::new())),
        };
        shared.lock().served_uploads += 1;
        return Ok(response.expect("a valid response"));
    }
    let hold = shared.holds.take(&method, &path);
    if hold == Some(Hold::Unhandled) {
        return Ok(held(&shared, stop).await);
    }

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

    // An injected fault (see `faults.rs`): 429 and 5xx are answered without carrying the
    // request out; a held or dropped request is carried out first.
    let fault = if in_api {
        shared.lock().faults.take(&method, &path)
    } else {
        None
    };
    // Discord's rate limits (`limits.rs`): a request over one is refused, not carried out.
    let verdict = if in_api && fault.is_none() {
        shared.lock().limits.check(&method, &path, received)
    } else {
        Verdict::Pass(None)
    };
    let refused = matches!(verdict, Verdict::Refused { .. });
    // Components that break Discord's rules make the whole body invalid: Discord answers
    // 50035 and creates or changes nothing (the problems are among the violations already).
    let invalid_components =
        in_api && !validation::component_problems(&method, &path, &body).is_empty();
    let mut reply = match &fault {
        Some(f) if !f.carried_out() => Reply::no_content(),
        _ if refused => Reply::no_content(),
        _ if invalid_components => Reply::error(400, 50035, "Invalid Form Body"),
        _ if in_api => route(&shared, &method, &path, query.as_deref(), &body, &files),
        _ => Reply::unknown(),
    };
    {
        let mut st = shared.lock();
        if reply.status == 400
            && reply.body.as_ref().is_some_and(|b| b["code"] == 40060)
            && st.faults.was_lost(&method, &path)
        {
            // A second first answer after one whose answer the fake held back or dropped: the
            // bot could not know it went through. Discord refuses it all the same (40060).
            reply.violations.clear();
        }
        if fault.as_ref().is_some_and(RestFault::carried_out) {
            st.faults.answer_lost(&method, &path);
        }
    }
    let status = match &fault {
        _ if refused => 429,
        Some(RestFault::RateLimited { .. }) => 429,
        Some(RestFault::ServerError(s)) => *s,
        _ => reply.status,
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
            file_contents: multipart_file_contents(&content_type, &bytes),
            status,
            fault: fault.as_ref().map(RestFault::label),
            at: received,
        });
    }
    shared.bump();
    if hold == Some(Hold::Unanswered) {
        return Ok(held(&shared, stop).await);
    }
    match fault {
        None => Ok(match verdict {
            Verdict::Pass(headers) => {
                let mut response = reply.into_response();
                if let Some(h) = headers {
                    h.apply(response.headers_mut());
                }
                response
            }
            Verdict::Refused {
                retry_after,
                global,
                bucket,
            } => {
                let mut response = faults::rate_limited(retry_after, global);
                if let Some(h) = bucket {
                    h.apply(response.headers_mut());
                }
                response
            }
        }),
        Some(RestFault::RateLimited {
            retry_after,
            global,
        }) => Ok(faults::rate_limited(retry_after, global)),
        Some(RestFault::ServerError(s)) => Ok(faults::server_error(s)),
        Some(RestFault::Hold(d)) => {
            tokio::select! {
                _ = tokio::time::sleep(d) => {}
                _ = stop.changed() => {}
            }
            Ok(reply.into_response())
        }
        Some(RestFault::Drop) => Err(Dropped),
    }
}

/// A request held by `FakeDiscord::hold_next`: answered only when the fake stops.
async fn held(shared: &Shared, mut stop: watch::Receiver<()>) -> Response<Body> {
    shared.holds.holding();
    shared.bump();
    let _ = stop.changed().await;
    json_response(503, &json!({"message": "the fake stopped", "code": 0}))
}

pub(crate) fn websocket_upgrade(
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

pub(crate) fn json_response(status: u16, body: &Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("static response parts")
}

/// The answer to one REST request, plus what was wrong with it.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
    pub(crate) violations: Vec<String>,
    pub(crate) unknown: bool,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            violations: Vec::new(),
            unknown: false,
        }
    }

    pub(crate) fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            violations: Vec::new(),
            unknown: false,
        }
    }

    /// A Discord-style error (`{"message", "code"}`).
    pub(crate) fn error(status: u16, code: u64, message: &str) -> Reply {
        Reply::json(status, json!({"message": message, "code": code}))
    }

    pub(crate) fn unknown() -> Reply {
        Reply {
            unknown: true,
            ..Reply::error(404, 0, "404: Not Found")
        }
    }

    pub(crate) fn with_violation(mut self, what: impl Into<String>) -> Reply {
        self.violations.push(what.into());
        self
    }

    pub(crate) fn into_response(self) -> Response<Body> {
        match self.body {
            Some(body) => json_response(self.status, &body),
            None => Response::builder()
                .status(self.status)
                .body(Body::default())
                .expect("static response parts"),
        }
    }
}
