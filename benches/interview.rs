//! The measured benchmark of issue 12: `cargo bench --bench interview`.
//!
//! Prints one table; each figure stands beside its baseline measured in the same run:
//! 1. engine `/question` and `/score` against a real SQLite file opened with `Store::open`,
//!    beside raw rusqlite single-row insert transactions with the same pragmas;
//!    `/question` at 0, 10k and 100k history rows;
//! 2. end to end through the fake Discord (release bot binary), one at a time and 32 in
//!    flight, with the bot process's CPU time, beside a bare serenity client (this binary
//!    re-executed with `INTERVIEW_BENCH_BARE=1`) answering a trivial command;
//! 3. peak RSS (VmHWM) and start-up (spawn to guild commands registered);
//! 4. `/scores` lookups over 100,000 scores, nine in ten with the evidence behind them, and
//!    loading a 10,000-question bank;
//! 5. load: 32 mixed interactions in flight for 60 s, each answered once within 3 s, RSS flat;
//! 6. daily: 300 and 10,000 daily schedules due the same minute, through a fake Discord that
//!    enforces Discord's global limit (50/s) and per-channel buckets, beside the floor that
//!    limit sets (N / 50 s); with the 429s the bot caused and the slowest command answered
//!    during the burst.
//!
//! Sizes can be reduced for a quick look with `INTERVIEW_BENCH_QUICK=1`, and the sections
//! chosen with `INTERVIEW_BENCH_ONLY=engine,e2e,load,scale,daily` (comma-separated).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_discord::{
    DEFAULT_MEMBER_PERMISSIONS, DEFAULT_USER_ID, FakeDiscord, Member as FakeMember,
};
use interview_bot::bank::Bank;
use interview_bot::clock::SystemClock;
use interview_bot::engine::{
    Engine, Invocation, Member, Origin, Permissions, RawOption, Request, ResolvedUser,
};
use interview_bot::features::scores::evidence::{rubric_text, suggest};
use interview_bot::features::scores::lookups::Scorecard;
use interview_bot::model::{GuildId, RoleId, RubricId, Ticks, UserId};
use interview_bot::store::{RubricText, Store};
use rusqlite::{Connection, TransactionBehavior, params};
use serde_json::{Value, json};

#[path = "shared/instant.rs"]
mod instant;
use instant::{CHANNEL, Instant0};

const ROLE: u64 = 1_300_000_000_000_000_900;
const ALICE: u64 = 1_300_000_000_000_000_901;
const GUILD: u64 = 42;
const WAIT: Duration = Duration::from_secs(15);

/// Daily schedules due at once, shared with the 300-schedule end-to-end test.
#[path = "../tests/common/schedules.rs"]
mod schedules;

// ---------------------------------------------------------------------------------------------
// Figures and the table.

#[derive(Clone, Copy)]
struct Stats {
    n: usize,
    p50: Duration,
    p99: Duration,
    total: Duration,
}

impl Stats {
    fn of(mut samples: Vec<Duration>, total: Duration) -> Stats {
        samples.sort();
        let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
        Stats {
            n: samples.len(),
            p50: pick(0.5),
            p99: pick(0.99),
            total,
        }
    }
    fn rate(&self) -> f64 {
        self.n as f64 / self.total.as_secs_f64()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn lat(s: &Stats) -> String {
    format!("{:.3} / {:.3} ms", ms(s.p50), ms(s.p99))
}

#[derive(Default)]
struct Table {
    rows: Vec<[String; 5]>,
}

impl Table {
    fn row(
        &mut self,
        case: &str,
        figure: String,
        baseline: String,
        goal: &str,
        holds: Option<bool>,
    ) {
        let verdict = match holds {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "",
        };
        eprintln!("  {case}: {figure} (baseline {baseline}) {goal} {verdict}");
        self.rows.push([
            case.to_string(),
            figure,
            baseline,
            goal.to_string(),
            verdict.to_string(),
        ]);
    }

    fn print(&self) {
        let mut out = String::new();
        out.push_str(
            "| case | figure | baseline (same run) | goal | holds |\n|---|---|---|---|---|\n",
        );
        for r in &self.rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                r[0], r[1], r[2], r[3], r[4]
            );
        }
        println!("\n{out}");
    }
}

fn quick() -> bool {
    std::env::var_os("INTERVIEW_BENCH_QUICK").is_some()
}

/// Whether `INTERVIEW_BENCH_ONLY` (comma-separated section names) is unset or names `section`.
fn runs(section: &str) -> bool {
    std::env::var("INTERVIEW_BENCH_ONLY")
        .map_or(true, |only| only.split(',').any(|s| s.trim() == section))
}

fn scaled(n: usize) -> usize {
    if quick() { (n / 10).max(50) } else { n }
}

// ---------------------------------------------------------------------------------------------
// Engine.

fn questions_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/questions")
}

fn member(user_id: u64, roles: Vec<u64>, permissions: u64) -> Member {
    Member {
        user_id: UserId(user_id),
        name: format!("user {user_id}"),
        roles: roles.into_iter().map(RoleId).collect(),
        permissions: Permissions(permissions),
    }
}

fn request(m: &Member, name: &str, options: &[(&str, &str)]) -> Request {
    Request::member(
        GUILD,
        CHANNEL,
        m.clone(),
        Invocation::Command {
            name: name.into(),
            options: options.iter().map(|(k, v)| RawOption::text(k, v)).collect(),
        },
    )
}

/// Runs `make(i)` through the whole engine cycle `n` times (after a short warm-up).
fn time_engine(engine: &Engine, n: usize, make: impl Fn(usize) -> Request) -> Stats {
    let mut front = Instant0(0);
    for i in 0..(n / 10).clamp(1, 20) {
        let (o, _) = engine.execute(&make(1_000_000 + i), &mut front);
        assert!(!o.is_error, "{o:?}");
    }
    let mut samples = Vec::with_capacity(n);
    let all = Instant::now();
    for i in 0..n {
        let req = make(i);
        let t = Instant::now();
        let (o, _) = engine.execute(&req, &mut front);
        samples.push(t.elapsed());
        assert!(!o.is_error, "{o:?}");
    }
    Stats::of(samples, all.elapsed())
}

/// Raw single-row insert transactions with the store's pragmas: the limit for any write.
fn raw_inserts(path: &Path, n: usize) -> Stats {
    let mut conn = Connection::open(path).unwrap();
    let _: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    conn.pragma_update(None, "synchronous", interview_bot::store::SYNCHRONOUS)
        .unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    conn.execute_batch(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, guild_id INTEGER NOT NULL,
         question_id TEXT NOT NULL, rating INTEGER, created_at INTEGER NOT NULL) STRICT",
    )
    .unwrap();
    let mut samples = Vec::with_capacity(n);
    let all = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        tx.execute(
            "INSERT INTO t (guild_id, question_id, rating, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![GUILD as i64, "aws-s3-basics", (i % 4 + 1) as i64, i as i64],
        )
        .unwrap();
        tx.commit().unwrap();
        samples.push(t.elapsed());
    }
    Stats::of(samples, all.elapsed())
}

/// A database file with the production schema and `rows` question history rows.
fn history_db(path: &Path, ids: &[String], rows: usize) {
    Store::open(path).unwrap().close().unwrap();
    let mut conn = Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO question_history
                 (guild_id, channel_id, question_id, shown_by, source, shown_at, status, message_id)
                 VALUES (?1, ?2, ?3, 1, 'command', ?4, 'shown', ?5)",
            )
            .unwrap();
        let base = 1_700_000_000_000i64;
        for i in 0..rows {
            insert
                .execute(params![
                    GUILD as i64,
                    CHANNEL as i64,
                    ids[i % ids.len()],
                    base + i as i64 * 1000,
                    i as i64 + 1
                ])
                .unwrap();
        }
    }
    // The per-guild counts the store keeps beside the history, as if these rows had been
    // claimed one by one.
    tx.execute_batch(
        "DELETE FROM question_counts;
         INSERT INTO question_counts (guild_id, question_id, times, last_shown)
             SELECT guild_id, question_id, COUNT(*), MAX(shown_at)
               FROM question_history GROUP BY guild_id, question_id;",
    )
    .unwrap();
    tx.commit().unwrap();
}

fn engine_section(table: &mut Table, bank: &Arc<Bank>, ids: &[String]) {
    eprintln!("engine ...");
    let dir = tempfile::tempdir().unwrap();
    let n = scaled(3000);
    let raw = raw_inserts(&dir.path().join("raw.sqlite3"), n);

    // /score: an interviewer scoring, each call one durable write transaction.
    let store = Store::open(&dir.path().join("score.sqlite3")).unwrap();
    store
        .write(|db| db.set_interviewer_role(GuildId(GUILD), Some(RoleId(ROLE)), UserId(1), 0))
        .unwrap();
    let engine = Engine::new(Arc::clone(bank), store, Arc::new(SystemClock));
    let alice = member(ALICE, vec![ROLE], 0);
    let score = time_engine(&engine, n, |i| {
        let cand = format!("Cand {}", i % 500);
        let rating = (i % 4 + 1).to_string();
        request(
            &alice,
            "score",
            &[
                ("candidate", &cand),
                ("question", &ids[(i / 500) % ids.len()]),
                ("rating", &rating),
            ],
        )
    });
    drop(engine);
    let share = score.rate() / raw.rate();
    table.row(
        "engine `/score` throughput (durable write each)",
        format!("{:.0}/s ({:.0}% of raw)", score.rate(), share * 100.0),
        format!("raw insert tx {:.0}/s", raw.rate()),
        ">= 80% of raw",
        Some(share >= 0.8),
    );
    table.row(
        "engine `/score` p50 / p99",
        lat(&score),
        format!("raw insert tx {}", lat(&raw)),
        "",
        None,
    );

    // /question at history sizes 0, 10k, 100k.
    let plain = member(1, vec![], 0);
    let mut at_zero = None;
    for rows in [0usize, 10_000, 100_000] {
        let path = dir.path().join(format!("question-{rows}.sqlite3"));
        history_db(&path, ids, rows);
        let store = Store::open(&path).unwrap();
        let engine = Engine::new(Arc::clone(bank), store, Arc::new(SystemClock));
        // Bounded: at 100k rows each call takes long while the cost grows with history.
        let calls = scaled(match rows {
            0 => 1000,
            10_000 => 400,
            _ => 100,
        });
        let s = time_engine(&engine, calls, |i| {
            request(
                &plain,
                "question",
                &[("level", ["junior", "mid", "senior"][i % 3])],
            )
        });
        drop(engine);
        let base = *at_zero.get_or_insert(s);
        let growth = ms(s.p50) / ms(base.p50);
        table.row(
            &format!("engine `/question` p50 / p99, {rows} history rows"),
            format!("{} ({:.0}/s)", lat(&s), s.rate()),
            if rows == 0 {
                format!("raw insert tx {}", lat(&raw))
            } else {
                format!("0 rows: {} ({:.1}x)", lat(&base), growth)
            },
            "flat 0 to 100k",
            (rows > 0).then_some(growth < 1.5),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Scale: lookups over 100,000 scores, and a 10,000-question bank.

/// The rubric versions of the scale guilds' questions: per guild, per question (in the order
/// of `ids`), the current version (the bank's words) and an older one (its last look-for
/// worded differently), each with its id.
type Versions = Vec<Vec<[(RubricId, RubricText); 2]>>;

/// Evidence behind about nine scores in ten, one in twenty of those on the older version:
/// look-fors covered more often the higher the rating, red flags heard now and then on a no,
/// bonus points on a yes, and the suggestion the ticks make ([`suggest`]). Returns the
/// evidence row's values, or `None` for a score without evidence.
fn scale_evidence(
    versions: &[(RubricId, RubricText); 2],
    rating: u8,
    next: &mut impl FnMut(u64) -> u64,
) -> Option<(RubricId, Ticks, Ticks, Ticks, u8)> {
    if next(10) == 0 {
        return None;
    }
    let (id, text) = &versions[usize::from(next(20) == 0)];
    let chance = [25, 45, 70, 90][usize::from(rating - 1)];
    let pick = |n: usize, percent: u64, next: &mut dyn FnMut(u64) -> u64| {
        Ticks::of((0..n).filter(|_| next(100) < percent).collect::<Vec<_>>())
    };
    let covered = pick(text.look_fors.len(), chance, next);
    let bonus = pick(text.bonus.len(), if rating >= 3 { 30 } else { 0 }, next);
    let red_flags = pick(text.red_flags.len(), if rating <= 2 { 10 } else { 0 }, next);
    let suggested = suggest(text, covered, bonus, red_flags).get();
    Some((*id, covered, bonus, red_flags, suggested))
}

/// The scale guilds' scores, and with `evidence` the evidence behind most of them; returns
/// how many scores have evidence.
fn scale_db(path: &Path, bank: &Bank, ids: &[String], evidence: bool) -> usize {
    let with_evidence = evidence;
    let store = Store::open(path).unwrap();
    let guilds = [(GUILD, 2000usize), (GUILD + 1, 200), (GUILD + 2, 200)];
    let versions: Versions = store
        .write(|db| {
            db.set_interviewer_role(GuildId(GUILD), Some(RoleId(ROLE)), UserId(1), 0)?;
            let mut out = Vec::new();
            for (guild, _) in guilds {
                let mut per_question = Vec::new();
                for q in ids.iter().take(50) {
                    let current = rubric_text(bank.get(q).unwrap());
                    let mut older = current.clone();
                    if let Some(last) = older.look_fors.last_mut() {
                        last.push_str(" (worded before)");
                    }
                    let older_id = db.rubric_version(GuildId(guild), &older, 0)?;
                    let current_id = db.rubric_version(GuildId(guild), &current, 1)?;
                    per_question.push([(current_id, current), (older_id, older)]);
                }
                out.push(per_question);
            }
            Ok::<_, interview_bot::store::StoreError>(out)
        })
        .unwrap();
    store.close().unwrap();
    drop(store);
    let mut conn = Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    let mut written = 0;
    {
        let mut cand = tx
            .prepare(
                "INSERT INTO candidates (id, guild_id, name, name_key, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5)",
            )
            .unwrap();
        let mut session = tx
            .prepare(
                "INSERT INTO interview_sessions
                 (id, guild_id, channel_id, candidate_id, kind, started_by, status, started_at, ended_at)
                 VALUES (?1, ?2, ?3, ?1, 'adhoc', ?4, 'ended', ?5, ?5)",
            )
            .unwrap();
        let mut score = tx
            .prepare(
                "INSERT INTO scores (guild_id, candidate_id, session_id, question_id, interviewer_id,
                 interviewer_name, rating, notes, created_at, updated_at)
                 VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, '', ?7, ?7)",
            )
            .unwrap();
        let mut evidence = tx
            .prepare(
                "INSERT INTO score_evidence (score_id, guild_id, candidate_id, question_id,
                 interviewer_id, rubric_id, covered, bonus, red_flags, suggested, reason,
                 updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '', ?11)",
            )
            .unwrap();
        let mut seed: u64 = 21;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let base = 1_780_000_000_000i64;
        // 2,000 candidates x 50 questions in the guild; noise: 200 x 50 in each of 2 others.
        let mut id = 0i64;
        for (g, (guild, candidates)) in guilds.into_iter().enumerate() {
            for c in 0..candidates {
                id += 1;
                let at = base + id * 60_000;
                let name = format!("Cand {c}");
                cand.execute(params![id, guild as i64, name, name.to_lowercase(), at])
                    .unwrap();
                session
                    .execute(params![
                        id,
                        guild as i64,
                        CHANNEL as i64,
                        5000 + (c % 50) as i64,
                        at
                    ])
                    .unwrap();
                for (j, q) in ids.iter().take(50).enumerate() {
                    let who = 5000 + ((c + j) % 50) as i64;
                    let rating = ((c * 7 + j) % 4 + 1) as u8;
                    score
                        .execute(params![
                            guild as i64,
                            id,
                            q,
                            who,
                            format!("Interviewer {who}"),
                            i64::from(rating),
                            at + j as i64
                        ])
                        .unwrap();
                    if !with_evidence {
                        continue;
                    }
                    let Some((rubric, covered, bonus, red_flags, suggested)) =
                        scale_evidence(&versions[g][j], rating, &mut next)
                    else {
                        continue;
                    };
                    evidence
                        .execute(params![
                            tx.last_insert_rowid(),
                            guild as i64,
                            id,
                            q,
                            who,
                            rubric,
                            covered,
                            bonus,
                            red_flags,
                            i64::from(suggested),
                            at + j as i64
                        ])
                        .unwrap();
                    written += 1;
                }
            }
        }
    }
    tx.commit().unwrap();
    written
}

fn scale_section(table: &mut Table, bank: &Arc<Bank>, ids: &[String], dir: &Path) {
    eprintln!("scale ...");
    assert!(ids.len() >= 50, "the shipped bank needs 50 questions");
    let t = Instant::now();
    let path = dir.join("scale.sqlite3");
    let evidence = scale_db(&path, bank, ids, true);
    eprintln!(
        "  100,000 scores (120,000 in all) and the evidence behind {evidence} written in {:.1?}",
        t.elapsed()
    );
    // The baseline: the same scores without evidence (as before issue 21).
    let plain = dir.join("scale-plain.sqlite3");
    scale_db(&plain, bank, ids, false);
    let open = |path: &Path| {
        Engine::new(
            Arc::clone(bank),
            Store::open(path).unwrap(),
            Arc::new(SystemClock),
        )
    };
    let (engine, plain) = (open(&path), open(&plain));
    let manager = member(9, vec![], Permissions::MANAGE_GUILD);
    let mut interviewer = request(&manager, "scores interviewer", &[("user", "5007")]);
    interviewer.resolved.users.insert(
        UserId(5007),
        ResolvedUser {
            id: UserId(5007),
            name: "Interviewer 5007".into(),
        },
    );
    let cases = [
        ("team", request(&manager, "scores team", &[])),
        ("interviewer", interviewer),
        (
            "interviewer (all)",
            request(&manager, "scores interviewer", &[]),
        ),
        (
            "candidate",
            request(&manager, "scores candidate", &[("candidate", "Cand 1234")]),
        ),
        (
            "question",
            request(&manager, "scores question", &[("id", &ids[7])]),
        ),
    ];
    // What is measured reads the evidence.
    let Ok(Scorecard::Full(card)) = engine.scorecard_report(&cases[3].1, "Cand 1234") else {
        panic!("a manager sees the scorecard");
    };
    assert!(card.evidence.len() >= 40, "{}", card.evidence.len());
    let question = engine.question_report(&cases[4].1, &ids[7]).unwrap();
    assert!(question.evidence.is_some_and(|e| e.scores >= 1500));
    let reps = if quick() { 3 } else { 10 };
    for (name, req) in cases {
        // A different manager each time: team lookups are rate-limited per member (5 a minute).
        let time = |engine: &Engine, first: u64| {
            time_engine(engine, reps, |i| {
                let mut req = req.clone();
                if let Origin::Member(m) = &mut req.origin {
                    m.user_id = UserId(first + i as u64);
                }
                req
            })
        };
        let s = time(&engine, 10_000);
        let before = time(&plain, 20_000);
        table.row(
            &format!(
                "`/scores {name}` p50 (100k scores, 90% with evidence, 2,000 candidates, 50 interviewers)"
            ),
            format!("{:.2} ms", ms(s.p50)),
            format!(
                "p99 {:.2} ms; without evidence p50 {:.2} ms",
                ms(s.p99),
                ms(before.p50)
            ),
            "< 20 ms",
            Some(s.p50 < Duration::from_millis(20)),
        );
    }

    let shipped = Stats::of(
        (0..10)
            .map(|_| {
                let t = Instant::now();
                Bank::load(&questions_dir()).unwrap();
                t.elapsed()
            })
            .collect(),
        Duration::from_secs(1),
    );
    let generated = generated_bank(dir, 10_000);
    let big = Stats::of(
        (0..3)
            .map(|_| {
                let t = Instant::now();
                let b = Bank::load(&generated).unwrap();
                assert_eq!(b.len(), 10_000);
                t.elapsed()
            })
            .collect(),
        Duration::from_secs(1),
    );
    table.row(
        "load and validate a 10,000-question bank (p50)",
        format!("{:.1} ms", ms(big.p50)),
        format!(
            "shipped {} questions: {:.1} ms",
            bank.len(),
            ms(shipped.p50)
        ),
        "< 100 ms",
        Some(big.p50 < Duration::from_millis(100)),
    );
}

/// A questions folder with `count` questions: the shipped ones copied under new ids.
fn generated_bank(dir: &Path, count: usize) -> PathBuf {
    let out = dir.join(format!("bank-{count}"));
    if out.exists() {
        return out;
    }
    std::fs::create_dir_all(&out).unwrap();
    std::fs::copy(questions_dir().join("topics.toml"), out.join("topics.toml")).unwrap();
    let mut blocks = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(questions_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != "topics.toml"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        for block in text.split("\n[[question]]\n").skip(1) {
            blocks.push(block.to_string());
        }
    }
    let per_file = 1000;
    let mut made = 0;
    let mut file = 0;
    while made < count {
        let mut text = format!("[pack]\nname = \"Generated {file}\"\n");
        for _ in 0..per_file.min(count - made) {
            let block = &blocks[made % blocks.len()];
            let copy = made / blocks.len();
            text.push_str("\n[[question]]\n");
            text.push_str(&block.replacen("id = \"", &format!("id = \"g{copy}-"), 1));
            text.push('\n');
            made += 1;
        }
        std::fs::write(out.join(format!("gen-{file:02}.toml")), text).unwrap();
        file += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// End to end.

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of a process, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of stat(5); `after` starts at field 3.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / clock_ticks()
}

/// Peak resident set (VmHWM), in MiB.
fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024.0
}

struct Proc {
    child: Child,
    startup: Duration,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    fn pid(&self) -> u32 {
        self.child.id()
    }
}

async fn registered(fake: &FakeDiscord, started: Instant, child: Child) -> Proc {
    let path = format!(
        "/applications/{}/guilds/{}/commands",
        FakeDiscord::APP_ID,
        FakeDiscord::GUILD_ID
    );
    fake.wait_request(|r| r.method == "PUT" && r.path == path, WAIT)
        .await
        .expect("guild commands registered");
    let startup = started.elapsed();
    Proc { child, startup }
}

async fn start_bot(fake: &FakeDiscord, dir: &Path, questions: &Path) -> Proc {
    let db = dir.join("bot.sqlite3");
    if !db.exists() {
        let store = Store::open(&db).unwrap();
        store
            .write(|d| {
                d.set_interviewer_role(
                    GuildId(FakeDiscord::GUILD_ID),
                    Some(RoleId(ROLE)),
                    UserId(1),
                    0,
                )
            })
            .unwrap();
        store.close().unwrap();
    }
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_interview-bot"))
        .arg("run")
        .current_dir(dir)
        .env("DISCORD_TOKEN", "bench")
        .env("DISCORD_API_URL", fake.api_url())
        .env("DISCORD_GUILD_ID", FakeDiscord::GUILD_ID.to_string())
        .env("DATABASE_PATH", &db)
        .env("QUESTIONS_DIR", questions)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    registered(fake, started, child).await
}

async fn start_bare(fake: &FakeDiscord) -> Proc {
    let started = Instant::now();
    let child = Command::new(std::env::current_exe().unwrap())
        .env("INTERVIEW_BENCH_BARE", "1")
        .env("DISCORD_API_URL", fake.api_url())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    registered(fake, started, child).await
}

type Make = Arc<dyn Fn(usize) -> (String, Value, FakeMember) + Send + Sync>;

/// `n` daily schedules in `n` channels, all due this minute (set an hour ago), and a fake
/// Discord that knows the channels; the bot starts, and the burst is timed from its first
/// post to its last. Meanwhile a member runs `/question` every 250 ms.
async fn daily_section(table: &mut Table, n: usize, dir: &Path) {
    use schedules::{FIRST_CHANNEL as FIRST, due_now};
    eprintln!("daily, {n} due at once ...");
    let bot_dir = dir.join(format!("daily-{n}"));
    std::fs::create_dir_all(&bot_dir).unwrap();
    due_now(
        &bot_dir.join("bot.sqlite3"),
        FakeDiscord::GUILD_ID,
        n as u64,
    );
    let fake = Arc::new(FakeDiscord::start().await);
    for i in 0..n as u64 {
        fake.add_channel(FIRST + i, &format!("practice-{i}"), 0);
    }
    let bot = start_bot(&fake, &bot_dir, &questions_dir()).await;
    // A member's commands during the burst.
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let member = {
        let (fake, done) = (Arc::clone(&fake), Arc::clone(&done));
        tokio::spawn(async move {
            let mut slowest = Duration::ZERO;
            let mut count = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let since = fake.request_count();
                let t = Instant::now();
                let r = fake
                    .send_command_as(
                        "question",
                        json!([{"name": "level", "type": 3, "value": "mid"}]),
                        &FakeMember::new(DEFAULT_USER_ID).permissions(DEFAULT_MEMBER_PERMISSIONS),
                    )
                    .await;
                let path = format!("/interactions/{}/{}/callback", r.id, r.token);
                fake.wait_request_since(since, |q| q.method == "POST" && q.path == path, WAIT)
                    .await
                    .unwrap();
                slowest = slowest.max(t.elapsed());
                count += 1;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            (slowest, count)
        })
    };
    let deadline = Instant::now() + Duration::from_secs(60 + n as u64 / 10);
    // Commands answered publicly post in the default channel too: count the schedules' only.
    let posted = |fake: &FakeDiscord| {
        fake.message_count() - fake.channel_messages(FakeDiscord::CHANNEL_ID).len()
    };
    while posted(&fake) < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (slowest, commands) = member.await.unwrap();
    let requests = fake.requests();
    let is_post = |r: &&fake_discord::Recorded| {
        r.method == "POST"
            && r.path.ends_with("/messages")
            && r.status == 200
            && r.path != format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID)
    };
    let count = requests.iter().filter(is_post).count();
    let times: Vec<Instant> = requests.iter().filter(is_post).map(|r| r.at).collect();
    let burst = match (times.iter().min(), times.iter().max()) {
        (Some(a), Some(b)) => *b - *a,
        _ => Duration::ZERO,
    };
    let limited = fake.rate_limited().len();
    let floor = Duration::from_secs_f64(n as f64 / 50.0);
    let ratio = burst.as_secs_f64() / floor.as_secs_f64();
    let rss = peak_rss_mib(bot.pid());
    drop(bot);
    assert_eq!(count, n, "every schedule posted once");
    let goal = if n >= 10_000 {
        "within 1.5x of the floor, no 429"
    } else {
        "under 15 s, no 429"
    };
    let holds = limited == 0
        && if n >= 10_000 {
            ratio <= 1.5
        } else {
            burst < Duration::from_secs(15)
        };
    table.row(
        &format!("daily: {n} due at once, first post to last"),
        format!(
            "{:.1} s ({ratio:.2}x floor), {limited} x 429, slowest of {commands} commands meanwhile {} ms, peak RSS {rss:.1} MiB",
            burst.as_secs_f64(),
            slowest.as_millis()
        ),
        format!("floor {:.1} s (N / 50 per s)", floor.as_secs_f64()),
        goal,
        Some(holds),
    );
}

/// Sends `n` interactions, `inflight` at a time (closed loop), timing each from the
/// INTERACTION_CREATE dispatch leaving the fake to its callback arriving there.
async fn drive(fake: &Arc<FakeDiscord>, n: usize, inflight: usize, make: Make) -> Stats {
    let all = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..inflight {
        let fake = Arc::clone(fake);
        let make = Arc::clone(&make);
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            for i in (w..n).step_by(inflight) {
                let (name, options, who) = make(i);
                let since = fake.request_count();
                let t = Instant::now();
                let r = fake.send_command_as(&name, options, &who).await;
                let path = format!("/interactions/{}/{}/callback", r.id, r.token);
                fake.wait_request_since(since, |q| q.method == "POST" && q.path == path, WAIT)
                    .await
                    .unwrap();
                samples.push(t.elapsed());
            }
            samples
        }));
    }
    let mut samples = Vec::with_capacity(n);
    for t in tasks {
        samples.extend(t.await.unwrap());
    }
    Stats::of(samples, all.elapsed())
}

struct Run {
    seq: Stats,
    par: Stats,
    cpu_ms_per_interaction: f64,
}

/// With `INTERVIEW_BENCH_PERF=prefix`, `perf record` samples the process during a run
/// (written to `prefix-label.data`), for the profile in BENCHMARKS.md.
struct Perf(Option<Child>);

impl Perf {
    async fn start(pid: u32, label: &str) -> Perf {
        let Some(prefix) = std::env::var_os("INTERVIEW_BENCH_PERF") else {
            return Perf(None);
        };
        let out = format!("{}-{label}.data", prefix.to_string_lossy());
        let child = Command::new("perf")
            .args([
                "record",
                "-e",
                "cpu-clock",
                "-F",
                "2000",
                "-g",
                "-o",
                &out,
                "-p",
            ])
            .arg(pid.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok();
        tokio::time::sleep(Duration::from_millis(500)).await;
        Perf(child)
    }

    fn stop(self) {
        if let Some(mut child) = self.0 {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }
}

async fn measure(fake: &Arc<FakeDiscord>, pid: u32, n: usize, make: Make, label: &str) -> Run {
    drive(fake, 100, 1, Arc::clone(&make)).await;
    let perf = Perf::start(pid, label).await;
    let c0 = cpu_seconds(pid);
    let seq = drive(fake, n, 1, Arc::clone(&make)).await;
    let par = drive(fake, n, 32, make).await;
    let c1 = cpu_seconds(pid);
    perf.stop();
    Run {
        seq,
        par,
        cpu_ms_per_interaction: (c1 - c0) * 1e3 / (2 * n) as f64,
    }
}

async fn end_to_end_section(table: &mut Table, ids: Vec<String>, dir: &Path) {
    eprintln!("end to end ...");
    let n = scaled(2000);
    let ping: Make = Arc::new(|_| {
        (
            "ping".into(),
            json!([]),
            FakeMember::new(DEFAULT_USER_ID).permissions(DEFAULT_MEMBER_PERMISSIONS),
        )
    });

    // The floor: a bare serenity client answering a trivial command.
    let fake = Arc::new(FakeDiscord::start().await);
    let bare = start_bare(&fake).await;
    let bare_run = measure(&fake, bare.pid(), n, ping, "bare").await;
    let bare_rss = peak_rss_mib(bare.pid());
    let bare_startup = bare.startup;
    drop(bare);
    drop(fake);

    // interview-bot, shipped bank.
    let fake = Arc::new(FakeDiscord::start().await);
    fake.add_role(ROLE, "interviewers");
    let bot_dir = dir.join("bot");
    std::fs::create_dir_all(&bot_dir).unwrap();
    let bot = start_bot(&fake, &bot_dir, &questions_dir()).await;
    let question: Make = Arc::new(|i| {
        let level = ["junior", "mid", "senior"][i % 3];
        (
            "question".into(),
            json!([{"name": "level", "type": 3, "value": level}]),
            FakeMember::new(DEFAULT_USER_ID).permissions(DEFAULT_MEMBER_PERMISSIONS),
        )
    });
    let q = measure(&fake, bot.pid(), n, question, "question").await;
    let ids = Arc::new(ids);
    let score: Make = Arc::new(move |i| {
        (
            "score".into(),
            json!([
                {"name": "candidate", "type": 3, "value": format!("Cand {}", i % 500)},
                {"name": "question", "type": 3, "value": ids[(i / 500) % ids.len()]},
                {"name": "rating", "type": 3, "value": ((i % 4) + 1).to_string()},
            ]),
            FakeMember::new(ALICE).roles([ROLE]),
        )
    });
    let s = measure(&fake, bot.pid(), n, score, "score").await;
    let bot_rss = peak_rss_mib(bot.pid());
    let bot_startup = bot.startup;
    let violations = fake.violations();
    drop(bot);
    drop(fake);

    for (name, run) in [("/question", &q), ("/score", &s)] {
        table.row(
            &format!("e2e `{name}` p50 / p99, one at a time (n={n})"),
            lat(&run.seq),
            format!("bare serenity {}", lat(&bare_run.seq)),
            "p99 < 2 ms",
            Some(run.seq.p99 < Duration::from_millis(2)),
        );
        let ratio = ms(run.par.p99) / ms(bare_run.par.p99);
        table.row(
            &format!("e2e `{name}` p50 / p99, 32 in flight (n={n})"),
            format!(
                "{} ({:.0}/s, p99 {:.2}x bare)",
                lat(&run.par),
                run.par.rate(),
                ratio
            ),
            format!(
                "bare serenity {} ({:.0}/s)",
                lat(&bare_run.par),
                bare_run.par.rate()
            ),
            "p99 <= 1.2x bare",
            Some(ratio <= 1.2),
        );
        table.row(
            &format!("bot CPU per interaction, `{name}`"),
            format!("{:.3} ms", run.cpu_ms_per_interaction),
            format!("bare serenity {:.3} ms", bare_run.cpu_ms_per_interaction),
            "< 0.3 ms",
            Some(run.cpu_ms_per_interaction < 0.3),
        );
    }
    if !violations.is_empty() {
        eprintln!(
            "  fake Discord violations: {} (first: {})",
            violations.len(),
            violations[0]
        );
    }

    // 10,000-question bank: start-up and memory.
    let fake = Arc::new(FakeDiscord::start().await);
    let big_dir = dir.join("bot-big");
    std::fs::create_dir_all(&big_dir).unwrap();
    let bank = generated_bank(dir, 10_000);
    let big = start_bot(&fake, &big_dir, &bank).await;
    let question: Make = Arc::new(|_| {
        (
            "question".into(),
            json!([]),
            FakeMember::new(DEFAULT_USER_ID).permissions(DEFAULT_MEMBER_PERMISSIONS),
        )
    });
    drive(&fake, scaled(500), 1, question).await;
    let big_rss = peak_rss_mib(big.pid());
    let big_startup = big.startup;
    drop(big);
    drop(fake);

    table.row(
        "bot peak RSS (VmHWM), shipped bank, after the e2e runs",
        format!("{bot_rss:.1} MiB"),
        format!("bare serenity {bare_rss:.1} MiB"),
        "< 20 MiB",
        Some(bot_rss < 20.0),
    );
    table.row(
        "bot peak RSS, 10,000-question bank",
        format!("{big_rss:.1} MiB"),
        format!("bare serenity {bare_rss:.1} MiB"),
        "< 40 MiB",
        Some(big_rss < 40.0),
    );
    table.row(
        "start to commands registered, shipped bank",
        format!("{:.1} ms", ms(bot_startup)),
        format!("bare serenity {:.1} ms", ms(bare_startup)),
        "< 100 ms",
        Some(bot_startup < Duration::from_millis(100)),
    );
    table.row(
        "start to commands registered, 10,000-question bank",
        format!("{:.1} ms", ms(big_startup)),
        format!("bare serenity {:.1} ms", ms(bare_startup)),
        "< 100 ms",
        Some(big_startup < Duration::from_millis(100)),
    );
}

// ---------------------------------------------------------------------------------------------
// Load: 32 interactions in flight for 60 s, mixed commands.

/// Resident set now (VmRSS), in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    let kib: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024.0
}

/// The mixed command of the `i`-th interaction of the load: a public question, a score, a
/// candidate's scorecard and the help, in turn.
fn mixed(ids: &[String], i: usize) -> (String, Value, FakeMember) {
    let interviewer = FakeMember::new(ALICE).roles([ROLE]);
    let candidate = format!("Load {}", (i / 4) % 200);
    let level = ["junior", "mid", "senior"][(i / 4) % 3];
    match i % 4 {
        0 => (
            "question".into(),
            json!([{"name": "level", "type": 3, "value": level}]),
            FakeMember::new(DEFAULT_USER_ID).permissions(DEFAULT_MEMBER_PERMISSIONS),
        ),
        1 => (
            "score".into(),
            json!([
                {"name": "candidate", "type": 3, "value": candidate},
                {"name": "question", "type": 3, "value": ids[(i / 4) % ids.len()]},
                {"name": "rating", "type": 3, "value": ((i % 3) + 1).to_string()},
            ]),
            interviewer,
        ),
        2 => (
            "scores".into(),
            json!([{"name": "candidate", "type": 1, "options": [
                {"name": "candidate", "type": 3, "value": candidate},
            ]}]),
            interviewer,
        ),
        _ => (
            "help".into(),
            json!([]),
            FakeMember::new(DEFAULT_USER_ID).permissions(DEFAULT_MEMBER_PERMISSIONS),
        ),
    }
}

/// Issue 12, item 5: the bot under 32 interactions in flight for 60 s (6 s quick): every one
/// answered within Discord's 3 s, none answered twice, resident memory flat.
async fn load_section(table: &mut Table, ids: Vec<String>, dir: &Path) {
    let secs = if quick() { 6 } else { 60 };
    eprintln!("load: 32 in flight for {secs} s ...");
    let fake = Arc::new(FakeDiscord::start().await);
    fake.add_role(ROLE, "interviewers");
    let bot_dir = dir.join("bot-load");
    std::fs::create_dir_all(&bot_dir).unwrap();
    let bot = start_bot(&fake, &bot_dir, &questions_dir()).await;
    let pid = bot.pid();
    let ids = Arc::new(ids);
    let started = Instant::now();
    let until = started + Duration::from_secs(secs);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (fake, ids, next) = (Arc::clone(&fake), Arc::clone(&ids), Arc::clone(&next));
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut unanswered = 0usize;
            while Instant::now() < until {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (name, options, who) = mixed(&ids, i);
                let since = fake.request_count();
                let t = Instant::now();
                let r = fake.send_command_as(&name, options, &who).await;
                let path = format!("/interactions/{}/{}/callback", r.id, r.token);
                match fake
                    .wait_request_since(since, |q| q.method == "POST" && q.path == path, WAIT)
                    .await
                {
                    Ok(_) => samples.push(t.elapsed()),
                    Err(_) => unanswered += 1,
                }
            }
            (samples, unanswered)
        }));
    }
    // Resident memory every 5 s while the load runs.
    let mut rss = vec![(0u64, rss_mib(pid))];
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_secs(if quick() { 1 } else { 5 })).await;
        rss.push((started.elapsed().as_secs(), rss_mib(pid)));
    }
    let mut samples = Vec::new();
    let mut unanswered = 0;
    for t in tasks {
        let (s, u) = t.await.unwrap();
        samples.extend(s);
        unanswered += u;
    }
    let elapsed = started.elapsed();
    // Let late follow-ups land before counting callbacks per interaction.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut callbacks: std::collections::HashMap<String, usize> = Default::default();
    for r in fake.requests() {
        if r.method == "POST" && r.path.ends_with("/callback") {
            *callbacks.entry(r.path.clone()).or_default() += 1;
        }
    }
    let twice = callbacks.values().filter(|&&n| n > 1).count();
    let violations = fake.violations().len();
    let stats = Stats::of(samples.clone(), elapsed);
    let max = samples.iter().max().copied().unwrap_or_default();
    let late = samples
        .iter()
        .filter(|d| **d > Duration::from_secs(3))
        .count();
    drop(bot);
    drop(fake);

    // "Flat": after the first third (caches and the runtime warmed up), RSS grows by less
    // than 10% by the end.
    let warm = rss[rss.len() / 3].1;
    let end = rss.last().unwrap().1;
    let growth = (end - warm) / warm;
    table.row(
        &format!(
            "load: 32 in flight for {secs} s, mixed (question, score, scores candidate, help)"
        ),
        format!(
            "{} answered ({:.0}/s), p50 / p99 / max {:.2} / {:.2} / {:.1} ms",
            stats.n,
            stats.rate(),
            ms(stats.p50),
            ms(stats.p99),
            ms(max)
        ),
        "Discord's 3 s to answer".into(),
        "all within 3 s",
        Some(late == 0 && unanswered == 0),
    );
    table.row(
        "load: interactions answered twice / unanswered / fake violations",
        format!("{twice} / {unanswered} / {violations}"),
        format!("{} interactions", callbacks.len()),
        "0 / 0 / 0",
        Some(twice == 0 && unanswered == 0 && violations == 0),
    );
    let curve: Vec<String> = rss.iter().map(|(t, m)| format!("{t}s {m:.1}")).collect();
    eprintln!("  load RSS (MiB): {}", curve.join(", "));
    table.row(
        "load: bot RSS after the first third -> at the end",
        format!("{warm:.1} -> {end:.1} MiB ({:+.1}%)", growth * 100.0),
        format!("start {:.1} MiB", rss[0].1),
        "flat (< 10% growth)",
        Some(growth < 0.10),
    );
}

// ---------------------------------------------------------------------------------------------
// The bare serenity client (this binary, re-executed).

mod bare {
    use serenity::all::{
        Client, ClientBuilder, Context, CreateCommand, CreateInteractionResponse,
        CreateInteractionResponseMessage, EventHandler, GatewayIntents, GuildId, HttpBuilder,
        Interaction, Ready,
    };

    struct Handler;

    #[serenity::async_trait]
    impl EventHandler for Handler {
        async fn ready(&self, ctx: Context, _ready: Ready) {
            let command = CreateCommand::new("ping").description("Replies with pong");
            let guild = GuildId::new(fake_discord::FakeDiscord::GUILD_ID);
            if let Err(e) = guild.set_commands(&ctx.http, vec![command]).await {
                eprintln!("bare bot: set_commands: {e}");
            }
        }

        async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
            if let Interaction::Command(cmd) = interaction {
                let message = CreateInteractionResponseMessage::new()
                    .content("pong")
                    .ephemeral(true);
                if let Err(e) = cmd
                    .create_response(&ctx.http, CreateInteractionResponse::Message(message))
                    .await
                {
                    eprintln!("bare bot: create_response: {e}");
                }
            }
        }
    }

    pub fn main() {
        let url = std::env::var("DISCORD_API_URL").unwrap();
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let http = HttpBuilder::new("bench")
                    .proxy(url)
                    .ratelimiter_disabled(true)
                    .build();
                let mut client: Client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
                    .event_handler(Handler)
                    .await
                    .unwrap();
                let _ = client.start().await;
            });
    }
}

fn main() {
    if std::env::var_os("INTERVIEW_BENCH_BARE").is_some() {
        bare::main();
        return;
    }
    let bank = Arc::new(Bank::load(&questions_dir()).unwrap());
    let ids: Vec<String> = bank.all().iter().map(|q| q.id.clone()).collect();
    let dir = tempfile::tempdir().unwrap();
    let mut table = Table::default();
    let started = Instant::now();
    if runs("engine") {
        engine_section(&mut table, &bank, &ids);
    }
    if runs("e2e") || runs("load") || runs("daily") {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
                if runs("e2e") {
                    end_to_end_section(&mut table, ids.clone(), dir.path()).await;
                }
                if runs("load") {
                    load_section(&mut table, ids.clone(), dir.path()).await;
                }
                if runs("daily") {
                    for n in [300, 10_000] {
                        daily_section(&mut table, scaled(n), dir.path()).await;
                    }
                }
            });
    }
    if runs("scale") {
        scale_section(&mut table, &bank, &ids, dir.path());
    }
    table.print();
    println!(
        "machine: {} cores, {}; whole run {:.0?}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        started.elapsed()
    );
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}
