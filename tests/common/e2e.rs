//! The real bot binary driven through the fake Discord (`tests/fake-discord`): starting it,
//! sending what Discord would send, and reading back what the bot sent.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fake_discord::{FakeDiscord, InteractionRef, Member, Recorded};
use serde_json::{Value, json};

use super::questions_dir;

/// How long a test waits for the bot to do something it should do at once.
pub const WAIT: Duration = Duration::from_secs(15);
/// Discord's message flag for an answer only the asker sees.
pub const EPHEMERAL: u64 = 1 << 6;
/// The member `manager()` is.
pub const MIA: u64 = 1_300_000_000_000_000_905;

/// A member with Manage Server (permission bit 32): an interviewer and a manager.
pub fn manager() -> Member {
    Member::new(MIA).permissions("32")
}

/// A fake Discord and the bot connected to it (new database), commands registered.
pub async fn connected() -> (FakeDiscord, Bot) {
    connected_with(&[]).await
}

/// The same, with extra environment for the bot.
pub async fn connected_with(env: &[(&str, &str)]) -> (FakeDiscord, Bot) {
    start(None, env).await
}

/// A fake Discord and the bot connected to it on `db` (a new database if `None`).
pub async fn start(db: Option<&Path>, env: &[(&str, &str)]) -> (FakeDiscord, Bot) {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake, db, env);
    wait_bot_ready(&fake, WAIT, true, || bot.log()).await;
    (fake, bot)
}

/// A command option; its Discord type follows the JSON value (boolean, integer or string).
pub fn opt(name: &str, value: Value) -> Value {
    let kind = if value.is_boolean() {
        5
    } else if value.is_i64() {
        4
    } else {
        3
    };
    json!({"name": name, "type": kind, "value": value})
}

/// A subcommand with its options.
pub fn sub(name: &str, options: Value) -> Value {
    json!([{"name": name, "type": 1, "options": options}])
}

/// An interaction callback: its JSON body, or the request the fake recorded.
pub trait Callback {
    fn body(&self) -> &Value;
}

impl Callback for Value {
    fn body(&self) -> &Value {
        self
    }
}

impl Callback for Recorded {
    fn body(&self) -> &Value {
        &self.body
    }
}

/// The fake's channel as the option `channel`.
pub fn channel_opt() -> Value {
    json!({"name": "channel", "type": 7, "value": FakeDiscord::CHANNEL_ID.to_string()})
}

/// The options of `/daily set` in the fake's channel at `time` in `zone`, then `more`.
pub fn daily_set_options(time: &str, zone: &str, more: &[Value]) -> Value {
    let mut options = vec![
        channel_opt(),
        opt("time", json!(time)),
        opt("timezone", json!(zone)),
    ];
    options.extend_from_slice(more);
    sub("set", Value::Array(options))
}

/// The message flags of an interaction callback.
pub fn flags(callback: &impl Callback) -> u64 {
    callback.body()["data"]["flags"].as_u64().unwrap_or(0)
}

/// Whether an interaction callback is private to the asker.
pub fn is_ephemeral(callback: &impl Callback) -> bool {
    flags(callback) & EPHEMERAL != 0
}

/// The buttons of a message (or of a callback's `data`): (label, custom id), row by row.
pub fn buttons(message: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for row in message["components"].as_array().into_iter().flatten() {
        for b in row["components"].as_array().into_iter().flatten() {
            out.push((
                b["label"].as_str().unwrap_or_default().to_string(),
                b["custom_id"].as_str().unwrap_or_default().to_string(),
            ));
        }
    }
    out
}

/// The custom id of the button `label` on `message`.
pub fn button(message: &Value, label: &str) -> String {
    buttons(message)
        .into_iter()
        .find(|(l, _)| l == label)
        .map(|(_, id)| id)
        .unwrap_or_else(|| panic!("no button {label} on {message}"))
}

/// The question a message (or a callback's `data`) shows, from its "Model answer" button.
pub fn shown_question(message: &Value) -> String {
    let buttons = buttons(message);
    super::question_of(buttons.iter().map(|(_, id)| id.as_str()))
}

/// The messages the fake's channel shows whose first card's title starts with `title`, oldest
/// first.
pub fn channel_cards(fake: &FakeDiscord, title: &str) -> Vec<Value> {
    fake.visible_to_channel(FakeDiscord::CHANNEL_ID)
        .into_iter()
        .filter(|m| {
            m["embeds"][0]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with(title))
        })
        .collect()
}

/// The path the bot posts to in the fake's channel.
pub fn channel_posts_path() -> String {
    format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID)
}

/// Waits (bounded by `within`) for the bot to post in the fake's channel; panics with the log.
pub async fn wait_channel_post(
    fake: &FakeDiscord,
    within: Duration,
    log: impl Fn() -> String,
) -> Recorded {
    let posts = channel_posts_path();
    fake.wait_request(|r| r.method == "POST" && r.path == posts, within)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", log()))
}

/// The fake saw no body outside Discord's spec and no unknown route.
pub fn assert_clean(fake: &FakeDiscord, bot: &Bot) {
    assert_eq!(fake.violations(), Vec::<String>::new(), "\n{}", bot.log());
    assert_eq!(fake.unknown_routes(), Vec::<String>::new());
}

/// The interaction callback of `i` (bounded by `WAIT`); panics with the bot's log otherwise.
pub async fn settle(fake: &FakeDiscord, i: &InteractionRef, log: impl Fn() -> String) -> Recorded {
    match fake.wait_callback(i, WAIT).await {
        Ok(r) => r,
        Err(e) => panic!("{e}\n{}", log()),
    }
}

/// Waits until `f` holds (bounded by `WAIT`), naming `what` and showing the bot's log
/// otherwise.
pub async fn eventually(what: impl std::fmt::Display, bot: &Bot, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !f() {
        assert!(
            Instant::now() < deadline,
            "{what}: not within {WAIT:?}\n{}",
            bot.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `PRAGMA integrity_check` of the database at `path`: "ok" when sound.
pub fn integrity(path: &Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// The bot binary's `run` against `fake`, in `dir` on the database `db`, with the tests' log
/// filter and no stdin or stdout; the caller adds what its test needs, sets stderr, and spawns.
pub fn bot_command(fake: &FakeDiscord, dir: &Path, db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_interview-bot"));
    command
        .arg("run")
        .current_dir(dir)
        .env("DISCORD_TOKEN", "fake-token-for-tests")
        .env("DISCORD_API_URL", fake.api_url())
        .env("DISCORD_GUILD_ID", FakeDiscord::GUILD_ID.to_string())
        .env("DATABASE_PATH", db)
        .env("QUESTIONS_DIR", questions_dir())
        .env("RUST_LOG", "interview_bot=debug,serenity=info")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    command
}

/// Waits (bounded by `wait`) until the bot identified on the gateway and, with `registered`,
/// also put its guild commands; panics with the bot's log otherwise.
pub async fn wait_bot_ready(
    fake: &FakeDiscord,
    wait: Duration,
    registered: bool,
    log: impl Fn() -> String,
) {
    if let Err(e) = fake.wait_identified(wait).await {
        panic!("bot did not connect: {e}\n{}", log());
    }
    if !registered {
        return;
    }
    let path = format!(
        "/applications/{}/guilds/{}/commands",
        FakeDiscord::APP_ID,
        FakeDiscord::GUILD_ID
    );
    if let Err(e) = fake
        .wait_request(|r| r.method == "PUT" && r.path == path, wait)
        .await
    {
        panic!("no registration: {e}\n{}", log());
    }
}

/// The bot binary running against a fake Discord in a temporary folder of its own, logging to
/// a file there; killed when dropped, so no test leaves it running.
pub struct Bot {
    pub child: std::process::Child,
    pub log: PathBuf,
    pub db: PathBuf,
    dir: PathBuf,
    /// The temporary folder the bot made for itself, if it did.
    _own: Option<tempfile::TempDir>,
}

impl Bot {
    /// Starts the bot on `db` (a new database in its folder if `None`), with extra environment.
    pub fn start(fake: &FakeDiscord, db: Option<&Path>, env: &[(&str, &str)]) -> Bot {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("bot.log");
        let db = db.map_or_else(|| dir.path().join("bot.sqlite3"), Path::to_path_buf);
        let child = Bot::spawn(fake, dir.path(), &db, &log, env);
        Bot {
            child,
            log,
            db,
            dir: dir.path().to_path_buf(),
            _own: Some(dir),
        }
    }

    /// Starts the bot in `dir` (which the caller keeps) on `db`, logging to `dir/<name>.log`.
    pub fn start_at(fake: &FakeDiscord, dir: &Path, db: &Path, name: &str) -> Bot {
        let log = dir.join(format!("{name}.log"));
        let child = Bot::spawn(fake, dir, db, &log, &[]);
        Bot {
            child,
            log,
            db: db.to_path_buf(),
            dir: dir.to_path_buf(),
            _own: None,
        }
    }

    /// The same bot started again on its database (after it stopped), logging to a new file.
    pub fn restart(mut self, fake: &FakeDiscord) -> Bot {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let log = self.dir.join("bot-restarted.log");
        self.child = Bot::spawn(fake, &self.dir, &self.db, &log, &[]);
        self.log = log;
        self
    }

    fn spawn(
        fake: &FakeDiscord,
        dir: &Path,
        db: &Path,
        log: &Path,
        env: &[(&str, &str)],
    ) -> std::process::Child {
        bot_command(fake, dir, db)
            .envs(env.iter().copied())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: no shutdown, no checkpoint, whatever it was doing; returns the log.
    pub fn kill(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.log()
    }

    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGTERM and waits (bounded by `wait`) for the exit status.
    pub fn terminate(&mut self, wait: Duration) -> Option<i32> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let deadline = std::time::Instant::now() + wait;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
