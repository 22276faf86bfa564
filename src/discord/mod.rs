//! The Discord front end: the only module that knows serenity. It turns interactions into
//! engine requests and engine replies into Discord messages, registers the slash commands from
//! the engine's declarations, and runs the gateway connection until shutdown.

mod autocomplete;
pub mod convert;
mod deliver;
mod handler;
mod inflight;
pub mod invite;
mod recover;
pub mod register;
mod respond;
mod rest;
mod retry;
mod scheduler;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use serenity::all::{
    ApplicationId, ClientBuilder, CreateAllowedMentions, GatewayIntents, GuildId, Http,
};
use serenity::http::HttpBuilder;

use crate::config::Token;
use crate::engine::Engine;

use inflight::InFlight;

/// How long shutdown waits for interactions already being handled.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// How long shutdown waits for the gateway connection to close.
const SHARD_STOP_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    #[error("Discord request failed: {0}")]
    Http(#[from] serenity::Error),
    #[error(
        "cannot reach the Discord API at {url} ({source}). Check the network, or DISCORD_API_URL if you use a proxy."
    )]
    Unreachable {
        url: String,
        source: serenity::Error,
    },
}

/// Where and how to reach Discord.
#[derive(Debug, Clone)]
pub struct Connection {
    pub token: Token,
    /// A Discord API proxy, or `None` for Discord. serenity's rate limiter is off behind a
    /// proxy; the bot's own work outside interactions keeps to the limits either way (`rest.rs`).
    pub api_url: Option<String>,
    /// Register commands to this server only; globally when `None`.
    pub guild_id: Option<u64>,
    /// How long an answer may take before the interaction is deferred (`DISCORD_DEFER_AFTER_MS`).
    pub defer_after: Duration,
}

impl Connection {
    /// The HTTP client: through the proxy with serenity's rate limiter off (as serenity
    /// documents for proxies), or straight to Discord with it on. Mentions are off by default.
    pub fn http(&self) -> Http {
        let mut builder = HttpBuilder::new(self.token.expose())
            .default_allowed_mentions(CreateAllowedMentions::new());
        if let Some(url) = &self.api_url {
            builder = builder.proxy(url.clone()).ratelimiter_disabled(true);
        }
        builder.build()
    }
}

/// Overwrites the registered commands with the engine's (one bulk request); returns each
/// command's name and the id Discord gave it.
pub async fn register_commands(
    http: &Http,
    registry: crate::engine::Registry,
    guild: Option<u64>,
) -> Result<Vec<(String, u64)>, DiscordError> {
    let commands = register::commands(registry);
    let created = match guild {
        Some(g) => GuildId::new(g).set_commands(http, commands).await?,
        None => serenity::all::Command::set_global_commands(http, commands).await?,
    };
    Ok(created.into_iter().map(|c| (c.name, c.id.get())).collect())
}

/// Asks Discord which application the token belongs to, and remembers it in `http`.
pub async fn application_id(http: &Http) -> Result<ApplicationId, DiscordError> {
    if let Some(id) = http.application_id() {
        return Ok(id);
    }
    let info = http.get_current_application_info().await?;
    http.set_application_id(info.id);
    Ok(info.id)
}

/// Fails with a message naming the API's address (and the network or `DISCORD_API_URL` to
/// check) when Discord cannot be reached. serenity asks `GET /gateway` for the gateway address
/// and, if that fails, silently falls back to Discord's public gateway and retries forever, so
/// the bot checks it first; `register` does the same so both say the same thing.
pub async fn check_reachable(http: &Http, conn: &Connection) -> Result<(), DiscordError> {
    match http.get_gateway().await {
        Ok(_) => Ok(()),
        Err(source) => Err(DiscordError::Unreachable {
            url: conn
                .api_url
                .clone()
                .unwrap_or_else(|| "https://discord.com".into()),
            source,
        }),
    }
}

/// Runs the bot until `shutdown` completes: then stops taking interactions, lets those in
/// flight finish (at most [`DRAIN_TIMEOUT`]), and disconnects.
pub async fn run(
    conn: &Connection,
    engine: Engine,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), DiscordError> {
    let http = conn.http();
    check_reachable(&http, conn).await?;
    let inflight = Arc::new(InFlight::default());
    let rest = Arc::new(
        rest::Rest::new(conn.token.expose(), conn.api_url.as_deref())
            .map_err(|e| DiscordError::Http(*e))?,
    );
    let handler = handler::Handler::new(
        engine.clone(),
        conn.guild_id,
        conn.defer_after,
        inflight.clone(),
        rest.clone(),
    );
    // GUILDS is not privileged; the bot needs no message content.
    let mut client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
        .event_handler(handler)
        .await?;
    // The scheduler starts here, once per process; a reconnect does not start another.
    let (stop_scheduler, scheduler_stop) = tokio::sync::watch::channel(false);
    let scheduler = tokio::spawn(scheduler::run(
        client.http.clone(),
        rest,
        engine.clone(),
        scheduler_stop,
    ));
    let shards = client.shard_manager.clone();
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("shutting down: no new interactions, finishing those in flight");
        inflight.close();
        let _ = stop_scheduler.send(true);
        if !inflight.wait_idle(DRAIN_TIMEOUT).await {
            tracing::warn!(
                remaining = inflight.count(),
                "interactions still running at the drain timeout"
            );
        }
        if tokio::time::timeout(SHARD_STOP_TIMEOUT, shards.shutdown_all())
            .await
            .is_err()
        {
            tracing::warn!("the gateway connection did not close in time");
        }
        let _ = stopped_tx.send(());
    });
    // The client normally returns once its shards stop; a shard stuck reconnecting may keep it
    // waiting, so shutdown does not depend on it.
    tokio::select! {
        result = client.start() => result?,
        _ = stopped_rx => {}
    }
    if tokio::time::timeout(SHARD_STOP_TIMEOUT, scheduler)
        .await
        .is_err()
    {
        tracing::warn!("the daily scheduler did not stop in time");
    }
    Ok(())
}

/// Fails the test unless Discord's OpenAPI spec (through the fake Discord) accepts `body` as
/// the request `method path`.
#[cfg(test)]
fn assert_valid_request(method: &str, path: &str, body: &serde_json::Value) {
    let problems = fake_discord::FakeDiscord::validate(method, path, body);
    assert!(problems.is_empty(), "{method} {path}: {problems:?}");
}
