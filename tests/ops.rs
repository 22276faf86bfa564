//! Operations and the security of hiring data (issue 12): `backup` while the store is being
//! written, `restore` and its refusals, owner-only files whatever the umask, the warning for a
//! `.env` others can read, the audit trail of settings changes with `/config audit`, and the
//! rate limits of `/scores export` and `/scores team`; and README's exit codes when the reader
//! of the output goes away, run as README writes them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::e2e::integrity;
use common::{CHANNEL, GUILD, command_as, fixture, manager, member, ok};
use interview_bot::clock::Clock;
use interview_bot::engine::{
    ChannelKind, Engine, Error, Member, Outcome, Request, ResolvedChannel, ResolvedRole,
};
use interview_bot::model::{ChannelId, GuildId, RoleId, UserId};
use interview_bot::store::{Store, StoreError, check_copy};

fn bot(dir: &Path, db: &Path, args: &[&str]) -> Output {
    common::bin()
        .args(args)
        .current_dir(dir)
        .env("DATABASE_PATH", db)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The rows the writer thread made (audit entries with action `w`), in order.
fn written(path: &Path) -> Vec<u64> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT actor_id FROM audit_log WHERE action = 'w' ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| r.get::<_, i64>(0))
        .unwrap()
        .map(|r| u64::try_from(r.unwrap()).unwrap())
        .collect()
}

/// Writes numbered rows through the store, one transaction each, until told to stop.
fn writer(store: Store, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut n = 0u64;
        while !stop.load(Ordering::SeqCst) || n < 50 {
            n += 1;
            store
                .write(|db| db.audit(GuildId(GUILD), UserId(n), "w", "", &"x".repeat(200), 0))
                .unwrap();
        }
        n
    })
}

/// A backup taken mid-stream holds exactly the rows committed before some moment: 1..=k.
fn assert_prefix(rows: &[u64], total: u64) {
    assert!(!rows.is_empty(), "the backup holds rows");
    assert!(rows.len() as u64 <= total);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(*r, i as u64 + 1, "a consistent prefix of the writes");
    }
}

#[test]
fn backup_during_writes_then_restore() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bot.sqlite3");
    let store = Store::open(&db).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let handle = writer(store.clone(), stop.clone());
    // Let some rows land first.
    while written(&db).len() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // In this process, through the store the writer is using.
    let inside = dir.path().join("inside.sqlite3");
    let copied = store.backup(&inside).unwrap();
    assert!(copied.schema_version >= 1);
    // From another process, as `interview-bot backup` beside a running bot.
    let outside = dir.path().join("outside.sqlite3");
    let o = bot(dir.path(), &db, &["backup", outside.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Backed up"), "{}", stdout(&o));
    stop.store(true, Ordering::SeqCst);
    let total = handle.join().unwrap();
    for copy in [&inside, &outside] {
        assert_eq!(integrity(copy), "ok");
        assert_prefix(&written(copy), total);
        assert!(
            !PathBuf::from(format!("{}-wal", copy.display())).exists(),
            "a backup is one self-contained file"
        );
        check_copy(copy).unwrap();
    }
    let in_backup = written(&outside);
    assert!((in_backup.len() as u64) < total || total == in_backup.len() as u64);

    // Restoring while the store is open is refused, and changes nothing.
    let o = bot(dir.path(), &db, &["restore", outside.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("stop the bot first"), "{}", stderr(&o));
    assert_eq!(written(&db).len() as u64, total);

    // Stopped: the restore replaces the database with the copy.
    store.close().unwrap();
    drop(store);
    let o = bot(dir.path(), &db, &["restore", outside.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Restored"), "{}", stdout(&o));
    assert_eq!(integrity(&db), "ok");
    assert_eq!(written(&db), in_backup);
    // And the bot's store opens it and goes on writing.
    let store = Store::open(&db).unwrap();
    store
        .write(|db| db.audit(GuildId(GUILD), UserId(0), "after", "", "", 0))
        .unwrap();
    assert_eq!(store.schema_version().unwrap(), copied.schema_version);
}

#[test]
fn restore_refuses_bad_copies_and_leaves_the_database_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bot.sqlite3");
    {
        let store = Store::open(&db).unwrap();
        for n in 1..=300 {
            store
                .write(|db| db.audit(GuildId(GUILD), UserId(n), "w", "", &"y".repeat(500), 0))
                .unwrap();
        }
        store.close().unwrap();
    }
    let good = dir.path().join("good.sqlite3");
    {
        let store = Store::open(&db).unwrap();
        store.backup(&good).unwrap();
        store.close().unwrap();
    }
    let refuse = |copy: &Path, why: &str| {
        let o = bot(dir.path(), &db, &["restore", copy.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("restore refused"), "{err}");
        assert!(err.contains(why), "{why}: {err}");
        assert_eq!(written(&db).len(), 300, "the database is untouched");
    };

    // Not a database at all.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "this is not a database\n".repeat(300)).unwrap();
    refuse(&text, "not an SQLite database");

    // A damaged copy: pages in the middle overwritten.
    let corrupt = dir.path().join("corrupt.sqlite3");
    let mut bytes = std::fs::read(&good).unwrap();
    assert!(bytes.len() > 16 * 4096, "{}", bytes.len());
    for b in &mut bytes[4096 * 3..4096 * 12] {
        *b = 0x5a;
    }
    std::fs::write(&corrupt, &bytes).unwrap();
    refuse(&corrupt, "damaged");

    // A schema newer than this binary's.
    let newer = dir.path().join("newer.sqlite3");
    std::fs::copy(&good, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    refuse(&newer, "newer than this binary");

    // An SQLite file that is not this bot's.
    let other = dir.path().join("other.sqlite3");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x INTEGER)")
        .unwrap();
    refuse(&other, "no interview-bot schema");

    refuse(&dir.path().join("missing.sqlite3"), "no such file");

    // Usage errors exit 2.
    assert_eq!(bot(dir.path(), &db, &["restore"]).status.code(), Some(2));
    assert_eq!(bot(dir.path(), &db, &["backup"]).status.code(), Some(2));
    // A backup with no database says so.
    let o = bot(
        dir.path(),
        &dir.path().join("none.sqlite3"),
        &["backup", "x.sqlite3"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no database"), "{}", stderr(&o));

    // The good one restores.
    let o = bot(dir.path(), &db, &["restore", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[cfg(unix)]
mod modes {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    }

    fn with(path: &Path, suffix: &str) -> PathBuf {
        PathBuf::from(format!("{}{suffix}", path.display()))
    }

    /// The binary under a shell that sets a permissive umask first.
    fn bot_with_umask(dir: &Path, db: &Path, args: &str, stdin: &str) -> Output {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!(
                "umask 022; exec '{}' {args}",
                env!("CARGO_BIN_EXE_interview-bot")
            ))
            .current_dir(dir)
            .env_remove("DISCORD_TOKEN")
            .env_remove("RUST_LOG")
            .env_remove("QUESTIONS_DIR")
            .env("DATABASE_PATH", db);
        common::output_with_input(&mut command, stdin.as_bytes())
    }

    #[test]
    fn the_database_its_wal_and_shm_are_owner_only_even_in_this_process() {
        // This test process keeps its umask (usually 022): the store itself makes them 0600.
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bot.sqlite3");
        let store = Store::open(&db).unwrap();
        store
            .write(|db| db.audit(GuildId(GUILD), UserId(1), "w", "", "", 0))
            .unwrap();
        for f in [db.clone(), with(&db, "-wal"), with(&db, "-shm")] {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
        let backup = dir.path().join("copy.sqlite3");
        store.backup(&backup).unwrap();
        assert_eq!(mode(&backup), 0o600);
        drop(store);

        // A database made readable by others is narrowed when it is opened.
        for f in [db.clone(), with(&db, "-wal"), with(&db, "-shm")] {
            if f.exists() {
                std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
            }
        }
        let store = Store::open(&db).unwrap();
        store
            .write(|db| db.audit(GuildId(GUILD), UserId(2), "w", "", "", 0))
            .unwrap();
        for f in [db.clone(), with(&db, "-wal"), with(&db, "-shm")] {
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
    }

    #[test]
    fn files_the_binary_creates_under_umask_022_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("bot.sqlite3");
        let o = bot_with_umask(
            dir.path(),
            &db,
            "console",
            "/score candidate:Ada question:aws-s3-basics rating:3\n",
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(mode(&db), 0o600);
        let backup = dir.path().join("nightly.sqlite3");
        let o = bot_with_umask(
            dir.path(),
            &db,
            &format!("backup '{}'", backup.display()),
            "",
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(mode(&backup), 0o600);
        // A restore over a missing database creates it owner-only.
        let fresh = dir.path().join("fresh.sqlite3");
        let o = bot_with_umask(
            dir.path(),
            &fresh,
            &format!("restore '{}'", backup.display()),
            "",
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(mode(&fresh), 0o600);
        for f in [with(&fresh, "-wal"), with(&fresh, "-shm")] {
            if f.exists() {
                assert_eq!(mode(&f), 0o600, "{}", f.display());
            }
        }
        // A history file left readable by others is narrowed (the console does this after
        // saving; tests/console.rs checks the file an interactive session writes).
        let history = db.with_extension("history");
        std::fs::write(&history, "/help\n").unwrap();
        std::fs::set_permissions(&history, std::fs::Permissions::from_mode(0o644)).unwrap();
        interview_bot::files::owner_only(&history).unwrap();
        assert_eq!(mode(&history), 0o600);
    }

    #[test]
    fn a_dotenv_others_can_read_gets_one_warning_line() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join(".env");
        std::fs::write(&env, "DISCORD_GUILD_ID=42\n").unwrap();
        let db = dir.path().join("bot.sqlite3");
        let run = || bot(dir.path(), &db, &["invite-url", "--client-id", "1"]);

        std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o644)).unwrap();
        let o = run();
        assert!(o.status.success(), "{}", stderr(&o));
        let err = stderr(&o);
        let lines: Vec<&str> = err.lines().filter(|l| l.contains(".env")).collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(lines[0].contains("readable by other users"), "{err}");
        assert!(lines[0].contains("chmod 600"), "{err}");
        assert!(lines[0].contains(&env.display().to_string()), "{err}");

        std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o600)).unwrap();
        let o = run();
        assert!(o.status.success());
        assert!(!stderr(&o).contains(".env"), "{}", stderr(&o));
    }
}

// ---- the audit trail of settings ----------------------------------------------------------

const ROLE: u64 = 444_444_444_444_444_444;

/// A command from `m` in `GUILD`, with the role and two channels resolved.
fn req(m: &Member, name: &str, options: &[(&str, &str)]) -> Request {
    let mut r = command_as(GUILD, m, name, options);
    r.resolved.roles.insert(
        RoleId(ROLE),
        ResolvedRole {
            id: RoleId(ROLE),
            name: "interviewers".into(),
            mentionable: true,
        },
    );
    for c in [CHANNEL, CHANNEL + 1] {
        r.resolved.channels.insert(
            ChannelId(c),
            ResolvedChannel {
                id: ChannelId(c),
                name: format!("chan-{c}"),
                kind: ChannelKind::Text,
                bot_permissions: None,
            },
        );
    }
    r
}

fn all_text(o: &Outcome) -> String {
    let mut out = String::new();
    for e in &o.effects {
        if let Some(m) = e.message() {
            out.push_str(m.content.as_deref().unwrap_or(""));
            for c in &m.cards {
                for s in [&c.title, &c.description, &c.footer].into_iter().flatten() {
                    out.push('\n');
                    out.push_str(s);
                }
            }
        }
    }
    out
}

#[test]
fn every_settings_change_is_audited_with_who_and_when() {
    let f = fixture();
    let e = &f.engine;
    let t0 = f.clock.now_ms();
    let a = manager(501);
    let b = manager(502);
    ok(
        e,
        &req(
            &a,
            "config interviewer-role",
            &[("role", &ROLE.to_string())],
        ),
    );
    f.clock.advance(1000);
    ok(
        e,
        &req(&b, "config rubric-access", &[("access", "everyone")]),
    );
    f.clock.advance(1000);
    ok(
        e,
        &req(
            &a,
            "config rubric-access",
            &[
                ("access", "interviewers"),
                ("channel", &format!("<#{}>", CHANNEL + 1)),
            ],
        ),
    );
    f.clock.advance(1000);
    ok(e, &req(&b, "config timezone", &[("zone", "Europe/Berlin")]));
    f.clock.advance(1000);
    ok(
        e,
        &req(
            &a,
            "daily set",
            &[
                ("channel", &format!("<#{CHANNEL}>")),
                ("time", "09:30"),
                ("days", "weekdays"),
            ],
        ),
    );
    f.clock.advance(1000);
    ok(
        e,
        &req(&b, "daily off", &[("channel", &format!("<#{CHANNEL}>"))]),
    );
    // A refused change is not audited.
    let refused = e.dispatch(&req(&b, "config timezone", &[("zone", "Mars/Olympus")]));
    assert!(refused.is_err());
    let refused = e.dispatch(&req(&member(9), "config timezone", &[("zone", "UTC")]));
    assert!(matches!(refused, Err(Error::NotAllowed { .. })));

    let entries = e
        .store()
        .read(|db| db.audit_entries(GuildId(GUILD)))
        .map_err(|e: StoreError| e)
        .unwrap();
    let got: Vec<(u64, &str, i64)> = entries
        .iter()
        .map(|x| (x.actor_id.get(), x.action.as_str(), x.at - t0))
        .collect();
    assert_eq!(
        got,
        vec![
            (501, "config-interviewer-role", 0),
            (502, "config-rubric-access", 1000),
            (501, "config-rubric-access", 2000),
            (502, "config-timezone", 3000),
            (501, "daily-set", 4000),
            (502, "daily-off", 5000),
        ]
    );
    assert_eq!(entries[0].subject, ROLE.to_string());
    assert_eq!(entries[2].subject, (CHANNEL + 1).to_string());
    assert_eq!(entries[2].detail, "interviewers");
    assert_eq!(entries[3].detail, "Europe/Berlin");
    assert!(entries[4].detail.contains("09:30"), "{}", entries[4].detail);
    assert!(entries[4].detail.contains("Europe/Berlin"));
    assert!(entries[4].detail.contains("weekdays"));
    // Other guilds see none of it.
    assert!(
        e.store()
            .read(|db| db.audit_entries(GuildId(GUILD + 1)))
            .map_err(|e: StoreError| e)
            .unwrap()
            .is_empty()
    );

    // `/config audit` shows them privately, newest first, to managers only.
    let o = ok(e, &req(&a, "config audit", &[]));
    assert_eq!(o.effects[0].message().map(|_| ()), Some(()), "an answer");
    assert!(matches!(
        o.effects[0],
        interview_bot::engine::Effect::Reply {
            visibility: interview_bot::engine::Visibility::Private,
            ..
        }
    ));
    let text = all_text(&o);
    let off = text.find("turned daily practice off").expect(&text);
    let role = text.find("set the interviewer role").expect(&text);
    assert!(off < role, "newest first: {text}");
    assert!(
        text.contains("<@502> set the time zone to `Europe/Berlin`"),
        "{text}"
    );
    assert!(text.contains(&format!("<@&{ROLE}>")), "{text}");
    assert!(
        text.contains(&format!("in <#{}> to interviewers only", CHANNEL + 1)),
        "{text}"
    );
    assert!(text.contains("for the server to everyone"), "{text}");
    assert!(text.contains("UTC"), "{text}");
    assert!(matches!(
        e.dispatch(&req(&member(9), "config audit", &[])),
        Err(Error::NotAllowed { .. })
    ));
}

#[test]
fn the_audit_view_fits_discord_however_long_the_trail() {
    let f = fixture();
    let a = manager(501);
    let o = ok(&f.engine, &req(&a, "config audit", &[]));
    assert!(all_text(&o).contains("empty"), "{}", all_text(&o));
    for i in 0..200 {
        f.engine
            .store()
            .write(|db| {
                db.audit(
                    GuildId(GUILD),
                    UserId(u64::MAX / 4 + i),
                    "daily-set",
                    &u64::MAX.to_string(),
                    &"<@everyone> **x** ".repeat(40),
                    i64::try_from(i).unwrap(),
                )
            })
            .map_err(|e: StoreError| e)
            .unwrap();
    }
    let o = ok(&f.engine, &req(&a, "config audit", &[]));
    let text = all_text(&o);
    // The newest (at = 199) is shown first.
    assert!(
        text.contains(&format!("<@{}>", u64::MAX / 4 + 199)),
        "{text}"
    );
}

// ---- rate limits --------------------------------------------------------------------------

fn refusal(e: &Engine, r: &Request) -> String {
    match e.dispatch(r) {
        Err(err) => {
            assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
            err.to_outcome();
            err.user_message()
        }
        Ok(o) => panic!("expected a refusal, got {o:?}"),
    }
}

#[test]
fn export_is_limited_to_once_a_minute_per_member() {
    let f = fixture();
    let e = &f.engine;
    let (a, b) = (manager(501), manager(502));
    ok(e, &req(&a, "scores export", &[]));
    f.clock.advance(15_000);
    let msg = refusal(e, &req(&a, "scores export", &[]));
    assert!(msg.contains("/scores export"), "{msg}");
    assert!(msg.contains("once a minute"), "{msg}");
    assert!(msg.contains("Try again in 45 seconds"), "{msg}");
    // The refusal is private, like every error.
    let o = e.run(&req(&a, "scores export", &[]));
    assert!(o.is_error);
    assert!(matches!(
        o.effects[0],
        interview_bot::engine::Effect::Reply {
            visibility: interview_bot::engine::Visibility::Private,
            ..
        }
    ));
    // Another member, or the same member in another server, is not held up.
    ok(e, &req(&b, "scores export", &[]));
    let mut other_guild = req(&a, "scores export", &[]);
    other_guild.guild_id = GuildId(GUILD + 1);
    ok(e, &other_guild);
    // Refused runs do not count: a minute after the first run it works again.
    f.clock.advance(44_000);
    assert!(refusal(e, &req(&a, "scores export", &[])).contains("in 1 second."));
    f.clock.advance(1_000);
    ok(e, &req(&a, "scores export", &[]));
}

#[test]
fn team_lookups_are_limited_to_a_few_a_minute_and_paging_is_not() {
    let f = fixture();
    let e = &f.engine;
    let a = manager(501);
    for _ in 0..5 {
        ok(e, &req(&a, "scores team", &[]));
        f.clock.advance(1_000);
    }
    let msg = refusal(e, &req(&a, "scores team", &[]));
    assert!(msg.contains("5 times a minute"), "{msg}");
    assert!(msg.contains("Try again in 55 seconds"), "{msg}");
    // A bad date is refused for what it is, and not counted.
    f.clock.advance(55_000);
    assert!(matches!(
        e.dispatch(&req(&a, "scores team", &[("since", "yesterday")])),
        Err(e) if e.refusal::<interview_bot::features::scores::ScoreError>().is_some()
    ));
    ok(e, &req(&a, "scores team", &[]));
}

/// Runs `command` in bash exactly as README writes it, with the built `interview-bot` first on
/// the PATH and the shipped packs: what the pipeline printed, and the bot's own exit status
/// (`${PIPESTATUS[0]}`; a pipeline's status is its last command's).
fn as_readme_runs(command: &str) -> (String, String, i32) {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_interview-bot"))
        .parent()
        .unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!("{command}\necho \"status ${{PIPESTATUS[0]}}\""))
        .current_dir(dir.path())
        .env("PATH", path)
        .env("QUESTIONS_DIR", common::questions_dir())
        .env_remove("DISCORD_TOKEN")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let out = stdout(&o);
    let (printed, status) = out.trim_end().rsplit_once("status ").unwrap();
    (printed.to_string(), stderr(&o), status.parse().unwrap())
}

/// Issue 20: README's example of exit code 141 exited 0 (the table fits in the pipe, so it is
/// all written before `head` leaves). The commands README gives are run as written.
#[test]
fn readme_exit_codes_for_a_reader_that_goes_away_are_what_it_says() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // "141 when ... (`COMMAND`...": the first command after it.
    let after = readme.split_once(", 141 when").expect("README gives 141").1;
    let closed = after.split('`').nth(1).unwrap();
    assert!(closed.starts_with("interview-bot "), "{closed}");
    let (printed, err, status) = as_readme_runs(closed);
    assert_eq!(status, 141, "`{closed}` printed {printed:?}, {err}");
    assert_eq!(printed.lines().count(), 1, "{printed}");
    assert_eq!(err, "", "quiet, as a Unix tool");
    // "`COMMAND` exits 0": output that fits in the pipe.
    let whole = readme
        .split_once("` exits 0")
        .expect("README says which command exits 0")
        .0
        .rsplit('`')
        .next()
        .unwrap();
    assert!(whole.starts_with("interview-bot "), "{whole}");
    let (printed, err, status) = as_readme_runs(whole);
    assert_eq!(status, 0, "`{whole}` printed {printed:?}, {err}");
    assert_eq!(printed.lines().count(), 1, "{printed}");
    assert_eq!(err, "");
}
