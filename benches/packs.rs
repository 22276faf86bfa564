//! Issue 23's figures: `cargo bench --bench packs` (see BENCHMARKS.md).
//!
//! 1. (Run last, so its allocations stay out of the memory figures.) Importing a 2,000-question file (under 1 MB): `/pack import` (check, server rules and
//!    preview) then Import (checked again, stored), through the engine against a file
//!    database; p50 of 5, each into a server of its own.
//! 2. `/question` through the engine with 1,000 servers each holding an imported 500-question
//!    pack (500,000 imported questions, written with the store's own `store_team_pack`),
//!    beside 1,000 servers with only the shipped pack, in the same run and database; each
//!    call from a random server. With the cache of server indexes warm, and the first call of
//!    each server (index read from SQLite).
//! 3. Memory: the process's resident memory before and after every server's index is cached,
//!    beside the cache's bound.
//!
//! `INTERVIEW_BENCH_QUICK=1` uses 100 servers.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use interview_bot::bank::{Bank, Question};
use interview_bot::clock::SystemClock;
use interview_bot::engine::catalog::{CACHE_QUESTIONS, TeamCache};
use interview_bot::engine::{Engine, Invocation, Member, Permissions, RawOption, Request};
use interview_bot::model::{GuildId, PackId, UserId};
use interview_bot::store::{NewTeamQuestion, Store, TeamPack};

#[path = "../tests/common/attach.rs"]
mod attach;
#[path = "shared/instant.rs"]
mod instant;
use instant::{CHANNEL, Instant0};

const MANAGER: u64 = 1_300_000_000_000_000_905;

fn quick() -> bool {
    std::env::var_os("INTERVIEW_BENCH_QUICK").is_some()
}

fn manager() -> Member {
    Member {
        user_id: UserId(MANAGER),
        name: "Mia".into(),
        roles: Vec::new(),
        permissions: Permissions(Permissions::MANAGE_GUILD),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn p(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * q).round() as usize]
}

/// `VmRSS` of this process, in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A pack of `n` short questions (about 450 bytes each in TOML), ids `{prefix}-{i}`.
fn pack_toml(id: &str, prefix: &str, n: usize) -> String {
    let mut out = format!("[pack]\nid = \"{id}\"\nname = \"Bench pack\"\n");
    for i in 0..n {
        let level = ["junior", "mid", "senior"][i % 3];
        out.push_str(&format!(
            "\n[[question]]\nid = \"{prefix}-{i}\"\nlevel = \"{level}\"\ntopic = \"topic-{t}\"\n\
             prompt = \"Question {i}: how would you find why a service slowed down after release {i}?\"\n\
             look_fors = [\"Compares metrics before and after {i}\", \"Reads traces of slow calls {i}\", \"Rolls back when users suffer {i}\"]\n\
             pass = 3\n\
             bonus = [\"Adds an alert that would have caught it {i}\"]\n\
             red_flags = [\"After follow-up 1, still blames the network {i}\"]\n\
             follow_ups = [\"What if the metrics look normal?\"]\n",
            t = i % 10
        ));
    }
    out
}

fn import_request(guild: u64, bytes: &[u8]) -> Request {
    let req = Request::member(
        guild,
        CHANNEL,
        manager(),
        Invocation::Command {
            name: "pack import".into(),
            options: Vec::new(),
        },
    );
    attach::attach(req, "file", "bench.toml", bytes)
}

fn question_request(guild: u64, i: usize) -> Request {
    Request::member(
        guild,
        CHANNEL,
        manager(),
        Invocation::Command {
            name: "question".into(),
            options: vec![RawOption::text("level", ["junior", "mid", "senior"][i % 3])],
        },
    )
}

fn run(engine: &Engine, req: &Request, front: &mut Instant0) -> interview_bot::engine::Outcome {
    let (o, _) = engine.execute(req, front);
    assert!(!o.is_error, "{o:?}");
    o
}

/// The child process of section 2: `PACKS_BENCH_SERVERS` servers with 500 imported
/// questions each, written into `PACKS_BENCH_POPULATE` with the store's own writes.
fn populate(path: &std::path::Path, servers: u64) {
    let store = Store::open(path).unwrap();
    let template: Vec<Question> =
        interview_bot::bank::check_upload("t.toml", pack_toml("team", "q", 500).as_bytes())
            .unwrap()
            .all()
            .to_vec();
    let pack = TeamPack {
        pack_id: PackId::parse("team").unwrap(),
        name: Some("Team".into()),
        description: None,
        topic_names: "{}".into(),
        imported_by: UserId(MANAGER),
        imported_at: 0,
    };
    for g in 0..servers {
        let questions: Vec<NewTeamQuestion> = template
            .iter()
            .map(|q| {
                let mut q = q.clone();
                q.id = format!("g{g}-{}", q.id);
                NewTeamQuestion {
                    question_id: q.id.clone(),
                    level: q.level,
                    topic: q.topic.clone(),
                    body: q.to_stored_json(),
                    aliases: Vec::new(),
                }
            })
            .collect();
        store
            .write(|db| db.store_team_pack(GuildId(1_000 + g), &pack, &questions, 0))
            .unwrap();
    }
}

/// Section 1: importing a 2,000-question file, p50 of 5 (each into a server of its own).
fn import_section(engine: &Engine, store: &Store, front: &mut Instant0) {
    // 1. Import a 2,000-question file.
    let file = pack_toml("bench-import", "imp", 2000);
    assert!(
        file.len() <= interview_bot::bank::MAX_UPLOAD_BYTES,
        "{}",
        file.len()
    );
    let (mut previews, mut imports, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    for g in 0..5u64 {
        let guild = 10_000 + g;
        let t = Instant::now();
        let preview = run(engine, &import_request(guild, file.as_bytes()), front);
        let previewed = t.elapsed();
        let (_, m) = preview.first_reply().unwrap();
        let button = m
            .buttons
            .iter()
            .find(|b| b.label == "Import")
            .expect("an Import button");
        let press = Request::member(
            guild,
            CHANNEL,
            manager(),
            Invocation::Button {
                custom_id: button.action.clone(),
                message: None,
            },
        );
        let t2 = Instant::now();
        run(engine, &press, front);
        imports.push(t2.elapsed());
        previews.push(previewed);
        totals.push(t.elapsed());
        let held = store
            .read(|db| db.team_question_count(GuildId(guild)))
            .unwrap();
        assert_eq!(held, 2000);
    }
    println!(
        "import 2,000 questions ({} KB file): preview p50 {:.0} ms, Import p50 {:.0} ms, total p50 {:.0} ms (max {:.0} ms); target < 2,000 ms",
        file.len() / 1000,
        ms(p(&mut previews, 0.5)),
        ms(p(&mut imports, 0.5)),
        ms(p(&mut totals, 0.5)),
        ms(p(&mut totals, 1.0)),
    );
}

fn main() {
    if let Some(path) = std::env::var_os("PACKS_BENCH_POPULATE") {
        let servers = std::env::var("PACKS_BENCH_SERVERS")
            .unwrap()
            .parse()
            .unwrap();
        populate(std::path::Path::new(&path), servers);
        return;
    }
    let bank = Arc::new(
        Bank::load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/questions")).unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut front = Instant0(0);

    // 2. 1,000 servers with 500 imported questions each, written by the store in a child
    // process (this binary again), so this process's memory holds none of that writing.
    let servers: u64 = if quick() { 100 } else { 1000 };
    let per_server = 500;
    let path = dir.path().join("servers.sqlite3");
    let t = Instant::now();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .env("PACKS_BENCH_POPULATE", &path)
        .env("PACKS_BENCH_SERVERS", servers.to_string())
        .status()
        .unwrap();
    assert!(status.success());
    eprintln!(
        "wrote {} imported questions in {:.1?}",
        servers as usize * per_server,
        t.elapsed()
    );
    let rss_start = rss_mib();
    let store = Store::open(&path).unwrap();
    let engine = Engine::new(Arc::clone(&bank), store, Arc::new(SystemClock));
    let calls = if quick() { 300 } else { 3000 };
    let mut rng = fastrand::Rng::with_seed(23);
    // Baseline: servers with only the shipped pack.
    let time = |engine: &Engine, base: u64, rng: &mut fastrand::Rng, front: &mut Instant0| {
        let mut samples = Vec::with_capacity(calls);
        for i in 0..calls {
            let req = question_request(base + rng.u64(0..servers), i);
            let t = Instant::now();
            run(engine, &req, front);
            samples.push(t.elapsed());
        }
        samples
    };
    run(&engine, &question_request(100_000, 0), &mut front);
    let rss_before = rss_mib();
    // First call of each server: its index read from SQLite.
    let mut cold = Vec::new();
    for g in 0..servers {
        let req = question_request(1_000 + g, g as usize);
        let t = Instant::now();
        run(&engine, &req, &mut front);
        cold.push(t.elapsed());
    }
    let rss_after = rss_mib();
    let (cached_servers, cached_questions, cached_bytes) = engine.state::<TeamCache>().held();
    time(&engine, 100_000, &mut rng, &mut front); // warm-up, shipped
    let mut shipped = time(&engine, 100_000, &mut rng, &mut front);
    let mut imported = time(&engine, 1_000, &mut rng, &mut front);
    let (s50, i50) = (p(&mut shipped, 0.5), p(&mut imported, 0.5));
    println!(
        "/question p50 / p99: shipped pack only {:.3} / {:.3} ms; {servers} servers x {per_server} imported {:.3} / {:.3} ms ({:.2}x; target <= 1.2x); first call per server p50 {:.3} ms",
        ms(s50),
        ms(p(&mut shipped, 0.99)),
        ms(i50),
        ms(p(&mut imported, 0.99)),
        ms(i50) / ms(s50),
        ms(p(&mut cold, 0.5)),
    );
    println!(
        "memory: RSS {rss_start:.1} MiB with the database opened, {rss_before:.1} MiB after a first /question, {rss_after:.1} MiB with every server's index cached ({:+.1} MiB for {cached_questions} questions of {cached_servers} servers: {:.0} bytes a question; the indexes' heap by count {:.1} MiB, {:.0} bytes a question); the cache holds at most {CACHE_QUESTIONS} questions, so about {:.0} MiB",
        rss_after - rss_before,
        (rss_after - rss_before) * 1024.0 * 1024.0 / cached_questions.max(1) as f64,
        cached_bytes as f64 / 1024.0 / 1024.0,
        cached_bytes as f64 / cached_questions.max(1) as f64,
        cached_bytes as f64 / cached_questions.max(1) as f64 * CACHE_QUESTIONS as f64
            / 1024.0
            / 1024.0,
    );

    // 1 last, so that its allocations are not in the memory figures above.
    let store = Store::open(&dir.path().join("imports.sqlite3")).unwrap();
    let engine = Engine::new(Arc::clone(&bank), store.clone(), Arc::new(SystemClock));
    import_section(&engine, &store, &mut front);
}
