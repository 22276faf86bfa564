//! Shared set-up for the integration tests: the real bank, a temporary SQLite file, requests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use interview_bot::bank::Bank;
use interview_bot::clock::ManualClock;
use interview_bot::engine::{
    Button, Card, Deliver, Delivered, Effect, Engine, Invocation, Member, Outcome, Permissions,
    RawOption, Request, Visibility,
};
use interview_bot::store::Store;

pub const GUILD: u64 = 111_111_111_111_111_111;
pub const CHANNEL: u64 = 222_222_222_222_222_222;
pub const USER: u64 = 333_333_333_333_333_333;

pub fn questions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/questions")
}

pub fn real_bank() -> Arc<Bank> {
    Arc::new(Bank::load(&questions_dir()).expect("the shipped packs are valid"))
}

/// An engine over the real bank and a fresh database file in a temporary folder.
pub struct Fixture {
    pub engine: Engine,
    pub clock: Arc<ManualClock>,
    pub db_path: PathBuf,
    _dir: tempfile::TempDir,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("test.sqlite3");
    let store = Store::open(&db_path).unwrap();
    let clock = Arc::new(ManualClock::new(1_780_000_000_000));
    let engine = Engine::new(real_bank(), store, clock.clone());
    Fixture {
        engine,
        clock,
        db_path,
        _dir: dir,
    }
}

/// A plain member: no roles, no permissions.
pub fn member(user_id: u64) -> Member {
    Member {
        user_id,
        name: format!("user{user_id}"),
        roles: vec![],
        permissions: Permissions(0),
    }
}

pub fn command(guild: u64, name: &str, options: &[(&str, &str)]) -> Request {
    Request::member(
        guild,
        CHANNEL,
        member(USER),
        Invocation::Command {
            name: name.to_string(),
            options: options.iter().map(|(k, v)| RawOption::text(k, v)).collect(),
        },
    )
}

pub fn press(guild: u64, custom_id: &str) -> Request {
    Request::member(
        guild,
        CHANNEL,
        member(USER + 1),
        Invocation::Button {
            custom_id: custom_id.to_string(),
            message: None,
        },
    )
}

/// A front end that delivers everything and hands out message ids, like Discord would.
#[derive(Default)]
pub struct Recorder {
    pub next_id: u64,
    pub delivered: Vec<Effect>,
}

impl Deliver for Recorder {
    fn deliver(&mut self, effect: &Effect, _earlier: &[Delivered]) -> Delivered {
        self.next_id += 1;
        self.delivered.push(effect.clone());
        Delivered::Message {
            channel_id: Some(CHANNEL),
            message_id: Some(9_000 + self.next_id),
        }
    }
}

/// The first answer of an outcome, flattened for assertions.
#[derive(Debug)]
pub struct Reply {
    pub visibility: Visibility,
    pub content: Option<String>,
    pub cards: Vec<Card>,
    pub buttons: Vec<Button>,
    pub is_error: bool,
    pub outcome: Outcome,
}

/// Runs a request through the whole cycle (run, deliver, commit) and returns its first answer.
pub trait Handle {
    fn handle(&self, req: &Request) -> Reply;
}

impl Handle for Engine {
    fn handle(&self, req: &Request) -> Reply {
        let (outcome, _) = self.execute(req, &mut Recorder::default());
        let (visibility, message) = outcome
            .first_reply()
            .map(|(v, m)| (v, m.clone()))
            .expect("every request is answered");
        Reply {
            visibility,
            content: message.content,
            cards: message.cards,
            buttons: message.buttons,
            is_error: outcome.is_error,
            outcome,
        }
    }
}

/// A fixed-offset zone where it is between 11:00 and 13:00 now, and now there.
pub fn a_zone_at_noon() -> (String, jiff::Zoned) {
    let utc_hour = i32::from(
        jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .hour(),
    );
    let offset = 12 - utc_hour; // -11 ..= 12
    // IANA's Etc zones count the other way: UTC+3 is Etc/GMT-3.
    let name = match offset {
        0 => "Etc/GMT".to_string(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    };
    let tz = jiff::tz::TimeZone::get(&name).unwrap();
    let now = jiff::Timestamp::now().to_zoned(tz);
    assert!((11..=13).contains(&now.hour()), "{name}: {now}");
    (name, now)
}

/// The bot binary's `run` against `fake`, in `dir` on the database `db`, with the tests' log
/// filter and no stdin or stdout; the caller adds what its test needs, sets stderr, and spawns.
pub fn bot_command(fake: &fake_discord::FakeDiscord, dir: &Path, db: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_interview-bot"));
    command
        .arg("run")
        .current_dir(dir)
        .env("DISCORD_TOKEN", "fake-token-for-tests")
        .env("DISCORD_API_URL", fake.api_url())
        .env(
            "DISCORD_GUILD_ID",
            fake_discord::FakeDiscord::GUILD_ID.to_string(),
        )
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
    fake: &fake_discord::FakeDiscord,
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
        fake_discord::FakeDiscord::APP_ID,
        fake_discord::FakeDiscord::GUILD_ID
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
    dir: tempfile::TempDir,
}

impl Bot {
    /// Starts the bot on `db` (a new database in its folder if `None`), with extra environment.
    pub fn start(fake: &fake_discord::FakeDiscord, db: Option<&Path>, env: &[(&str, &str)]) -> Bot {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("bot.log");
        let db = db.map_or_else(|| dir.path().join("bot.sqlite3"), Path::to_path_buf);
        let child = Bot::spawn(fake, dir.path(), &db, &log, env);
        Bot {
            child,
            log,
            db,
            dir,
        }
    }

    /// The same bot started again on its database (after it stopped), logging to a new file.
    pub fn restart(mut self, fake: &fake_discord::FakeDiscord) -> Bot {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let log = self.dir.path().join("bot-restarted.log");
        self.child = Bot::spawn(fake, self.dir.path(), &self.db, &log, &[]);
        self.log = log;
        self
    }

    fn spawn(
        fake: &fake_discord::FakeDiscord,
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
