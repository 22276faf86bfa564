//! Shared set-up for the integration tests: the real bank, a temporary SQLite file, requests.
#![allow(dead_code)]

mod attach;
pub mod e2e;
mod ids;
mod requests;
pub mod schedules;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use interview_bot::bank::Bank;
use interview_bot::clock::ManualClock;
use interview_bot::engine::{
    Button, Card, Deliver, Delivered, Effect, Engine, Outcome, Request, Visibility,
};
use interview_bot::model::{ChannelId, MessageId};
use interview_bot::store::Store;

// Each test binary uses some of the builders.
#[allow(unused_imports)]
pub use attach::attach;
pub use ids::*;
#[allow(unused_imports)]
pub use requests::*;

pub const GUILD: u64 = 111_111_111_111_111_111;
pub const CHANNEL: u64 = 222_222_222_222_222_222;
pub const USER: u64 = 333_333_333_333_333_333;

pub fn questions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/questions")
}

pub fn real_bank() -> Arc<Bank> {
    Arc::new(Bank::load(&questions_dir()).expect("the shipped packs are valid"))
}

/// The bot binary without the environment that picks its mode or its logs (token, log filter,
/// questions folder), so a test sets what it means.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_interview-bot"));
    cmd.env_remove("DISCORD_TOKEN")
        .env_remove("RUST_LOG")
        .env_remove("QUESTIONS_DIR");
    cmd
}

/// Runs `cmd` with `input` on a pipe to its standard input and its output captured. The
/// process may exit before reading everything (a configuration error): that is left to the
/// caller's assertions on the output.
pub fn output_with_input(cmd: &mut Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
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
            channel_id: Some(ChannelId(CHANNEL)),
            message_id: Some(MessageId(9_000 + self.next_id)),
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
