//! Shared set-up for the integration tests: the real bank, a temporary SQLite file, requests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use interview_bot::bank::Bank;
use interview_bot::clock::ManualClock;
use interview_bot::engine::{Caller, Engine, Invocation, Permissions, RawOption, Request};
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

pub fn caller(user_id: u64) -> Caller {
    Caller {
        user_id,
        name: format!("user{user_id}"),
        roles: vec![],
        permissions: Permissions(0),
    }
}

pub fn command(guild: u64, name: &str, options: &[(&str, &str)]) -> Request {
    Request {
        guild_id: guild,
        channel_id: CHANNEL,
        caller: caller(USER),
        invocation: Invocation::Command {
            name: name.to_string(),
            options: options.iter().map(|(k, v)| RawOption::text(k, v)).collect(),
        },
    }
}

pub fn press(guild: u64, custom_id: &str) -> Request {
    Request {
        guild_id: guild,
        channel_id: CHANNEL,
        caller: caller(USER + 1),
        invocation: Invocation::Action {
            custom_id: custom_id.to_string(),
        },
    }
}
