//! Latency benchmark for the one number the issues set: Discord's 3-second window to
//! acknowledge an interaction. Run with `cargo bench --bench latency`.
//!
//! 1. Engine: `/question` handled against a real SQLite file whose history grows with every
//!    call (the no-repeat rule reads it each time), and `/answer`.
//! 2. End to end: the optimised `interview-bot` binary connected to the fake Discord on
//!    127.0.0.1; time from the dispatch leaving the fake to the bot's callback arriving.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_discord::{DEFAULT_MEMBER_PERMISSIONS, DEFAULT_USER_ID, FakeDiscord};
use interview_bot::bank::Bank;
use interview_bot::clock::SystemClock;
use interview_bot::engine::{Engine, Invocation, Member, Permissions, RawOption, Request};
use interview_bot::model::UserId;
use interview_bot::store::Store;
use serde_json::json;

#[path = "shared/instant.rs"]
mod instant;
use instant::Instant0;

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{name:<44} n={:<5} p50={:>9.3?} p99={:>9.3?} max={:>9.3?}",
        samples.len(),
        pick(0.5),
        pick(0.99),
        samples[samples.len() - 1]
    );
}

fn request(name: &str, options: &[(&str, &str)]) -> Request {
    Request::member(
        42,
        7,
        Member {
            user_id: UserId(1),
            name: "bench".into(),
            roles: vec![],
            // A manager: rubrics are for interviewers by default.
            permissions: Permissions(Permissions::MANAGE_GUILD),
        },
        Invocation::Command {
            name: name.into(),
            options: options.iter().map(|(k, v)| RawOption::text(k, v)).collect(),
        },
    )
}

fn questions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/questions")
}

fn engine_bench() {
    let dir = tempfile::tempdir().unwrap();
    let bank = Arc::new(Bank::load(&questions_dir()).unwrap());
    let store = Store::open(&dir.path().join("bench.sqlite3")).unwrap();
    let engine = Engine::new(bank, store, Arc::new(SystemClock));
    let question = request("question", &[("level", "senior")]);
    let mut samples = Vec::new();
    let mut front = Instant0(0);
    for _ in 0..5000 {
        let t = Instant::now();
        let (outcome, _) = engine.execute(&question, &mut front);
        samples.push(t.elapsed());
        assert!(!outcome.is_error);
    }
    report(
        "engine /question: pick, claim, deliver, confirm (history 0..5000 rows)",
        samples,
    );
    let answer = request("answer", &[("id", "aws-multi-account")]);
    let samples = (0..5000)
        .map(|_| {
            let t = Instant::now();
            assert!(!engine.execute(&answer, &mut front).0.is_error);
            t.elapsed()
        })
        .collect();
    report("engine /answer", samples);
}

async fn end_to_end_bench() {
    // Built with the bench profile (optimised), like a deployed bot.
    let bin = env!("CARGO_BIN_EXE_interview-bot");
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = Command::new(bin)
        .arg("run")
        .current_dir(dir.path())
        .env("DISCORD_TOKEN", "bench")
        .env("DISCORD_API_URL", fake.api_url())
        .env("DISCORD_GUILD_ID", FakeDiscord::GUILD_ID.to_string())
        .env("DATABASE_PATH", dir.path().join("bench.sqlite3"))
        .env("QUESTIONS_DIR", questions_dir())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    fake.wait_identified(Duration::from_secs(20)).await.unwrap();
    let wait = Duration::from_secs(10);
    let mut samples = Vec::new();
    for i in 0..300 {
        let level = ["junior", "mid", "senior"][i % 3];
        let t = Instant::now();
        let r = fake
            .send_command(
                "question",
                json!([{"name": "level", "type": 3, "value": level}]),
                DEFAULT_USER_ID,
                DEFAULT_MEMBER_PERMISSIONS,
            )
            .await;
        fake.wait_callback(&r, wait).await.unwrap();
        samples.push(t.elapsed());
    }
    report("end to end /question (dispatch -> callback)", samples);
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
    let _ = bot.kill();
    let _ = bot.wait();
}

fn main() {
    engine_bench();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(end_to_end_bench());
}
