//! Issue 19, finding 3: `interview-bot backup PATH` cannot be redirected by a local user who
//! can write to the destination folder. The backup never follows a symbolic link placed at a
//! name it could write (its temporary files, SQLite's journals beside them), whether placed
//! before it starts or swapped in while it runs, and refuses a folder others may write to
//! unless it is sticky.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use interview_bot::model::{GuildId, UserId};
use interview_bot::store::{Store, backup_file, check_copy};

const BAIT: &[u8] = b"the attacker's file, untouched\n";

fn with(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    s.into()
}

/// A database with a row of hiring data in it.
fn database(dir: &Path) -> PathBuf {
    let db = dir.join("bot.sqlite3");
    let store = Store::open(&db).unwrap();
    store
        .write(|db| db.audit(GuildId(1), UserId(2), "secret-row", "", "HIRING-DATA", 0))
        .unwrap();
    store.close().unwrap();
    db
}

/// Every name beside `dest` the old and new backups could predictably write to.
fn predictable(dest: &Path) -> Vec<PathBuf> {
    let mut names = Vec::new();
    for base in [
        dest.to_path_buf(),
        with(dest, ".partial"),
        with(dest, ".tmp"),
    ] {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            if base == dest && suffix.is_empty() {
                continue;
            }
            names.push(with(&base, suffix));
        }
    }
    names
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// The attacker's files are as they were: same bytes, same mode.
fn assert_untouched(baits: &[PathBuf]) {
    for bait in baits {
        assert_eq!(
            std::fs::read(bait).unwrap(),
            BAIT,
            "{} was written through a link",
            bait.display()
        );
        assert_eq!(mode(bait), 0o644, "{} was chmodded", bait.display());
    }
}

fn bait_in(dir: &Path, n: usize) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bait = dir.join(format!("bait-{n}"));
    std::fs::write(&bait, BAIT).unwrap();
    std::fs::set_permissions(&bait, std::fs::Permissions::from_mode(0o644)).unwrap();
    bait
}

/// `dest` is a complete copy of [`database`]: checked away from the attacker's links beside it
/// (a link at `dest-journal` would look like a journal to roll back to any reader).
fn valid(dest: &Path) -> interview_bot::store::Copied {
    let clean = tempfile::tempdir().unwrap();
    let copy = clean.path().join("copy.sqlite3");
    std::fs::copy(dest, &copy).unwrap();
    let copied = check_copy(&copy).unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE detail = 'HIRING-DATA'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 1);
    copied
}

#[test]
fn links_placed_beforehand_at_every_predictable_name_are_never_followed() {
    let home = tempfile::tempdir().unwrap();
    let attacker = tempfile::tempdir().unwrap();
    let shared = tempfile::tempdir().unwrap();
    let db = database(home.path());
    let dest = shared.path().join("backup.sqlite3");
    let mut baits = Vec::new();
    for (n, name) in predictable(&dest).into_iter().enumerate() {
        let bait = bait_in(attacker.path(), n);
        std::os::unix::fs::symlink(&bait, &name).unwrap();
        baits.push(bait);
    }
    let copied = backup_file(&db, &dest).unwrap();
    assert_untouched(&baits);
    assert!(!std::fs::symlink_metadata(&dest).unwrap().is_symlink());
    assert_eq!(mode(&dest), 0o600);
    assert_eq!(valid(&dest), copied);
    // Nothing of the backup's own is left in the folder beside it.
    let mut left: Vec<String> = std::fs::read_dir(shared.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            !predictable(&dest)
                .iter()
                .any(|p| p.file_name().unwrap().to_string_lossy() == *name)
        })
        .collect();
    left.sort();
    assert_eq!(left, ["backup.sqlite3"]);
}

#[test]
fn links_swapped_in_while_the_backup_runs_are_never_followed() {
    let home = tempfile::tempdir().unwrap();
    let attacker = tempfile::tempdir().unwrap();
    let shared = tempfile::tempdir().unwrap();
    let db = database(home.path());
    let dest = shared.path().join("backup.sqlite3");
    let names = predictable(&dest);
    let baits: Vec<PathBuf> = (0..names.len())
        .map(|n| bait_in(attacker.path(), n))
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    // The attacker: puts a link back at every predictable name as soon as it is gone.
    let racer = {
        let (stop, names, baits) = (stop.clone(), names.clone(), baits.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for (name, bait) in names.iter().zip(&baits) {
                    let _ = std::os::unix::fs::symlink(bait, name);
                }
            }
        })
    };
    let mut ok = 0;
    for _ in 0..100 {
        if backup_file(&db, &dest).is_ok() {
            ok += 1;
        }
        assert_untouched(&baits);
    }
    stop.store(true, Ordering::Relaxed);
    racer.join().unwrap();
    assert_untouched(&baits);
    assert_eq!(ok, 100, "every backup succeeded despite the links");
    valid(&dest);
}

#[test]
fn a_folder_others_may_write_to_is_refused_unless_sticky() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let db = database(home.path());
    let open = tempfile::tempdir().unwrap();
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let refused = backup_file(&db, &open.path().join("b.sqlite3")).unwrap_err();
    assert!(
        refused.to_string().contains("other users can write"),
        "{refused}"
    );
    assert!(!open.path().join("b.sqlite3").exists());
    // Group-writable is writable by others too.
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o770)).unwrap();
    assert!(backup_file(&db, &open.path().join("b.sqlite3")).is_err());
    // Sticky (as /tmp): others cannot rename or remove what the backup creates.
    std::fs::set_permissions(open.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    backup_file(&db, &open.path().join("b.sqlite3")).unwrap();
    check_copy(&open.path().join("b.sqlite3")).unwrap();
}

/// The hiring data row of a restored or copied database: its `detail`.
fn hiring_row(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT detail FROM audit_log WHERE action = 'secret-row'")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// `restore` copies the backup into a private folder first and opens only that copy: a
/// `-journal` planted beside the backup by whoever can write to its folder, garbage or a hot
/// journal that would roll the backup back to a forged database, neither makes the restore
/// fail nor gets applied. The restored database holds the backup's data.
#[test]
fn a_journal_planted_beside_a_backup_does_not_touch_the_restore() {
    use interview_bot::store::restore;
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let dest = dir.path().join("backup.sqlite3");
    backup_file(&db, &dest).unwrap();
    // A hostile journal: the pre-images of a forged copy's pages, caught while a transaction
    // on it is open (synchronous off: the journal's page count is taken from its size).
    let forged = dir.path().join("forged.sqlite3");
    std::fs::copy(&dest, &forged).unwrap();
    let conn = rusqlite::Connection::open(&forged).unwrap();
    conn.execute(
        "UPDATE audit_log SET detail = 'FORGED' WHERE action = 'secret-row'",
        [],
    )
    .unwrap();
    conn.execute_batch("PRAGMA synchronous = OFF; BEGIN; UPDATE audit_log SET detail = 'x';")
        .unwrap();
    let hostile = std::fs::read(with(&forged, "-journal")).unwrap();
    conn.execute_batch("ROLLBACK").unwrap();
    drop(conn);
    // It is hostile indeed: beside a plain copy of the backup, the next writer applies it.
    let probe = dir.path().join("probe.sqlite3");
    std::fs::copy(&dest, &probe).unwrap();
    std::fs::write(with(&probe, "-journal"), &hostile).unwrap();
    assert_eq!(hiring_row(&probe), ["FORGED"]);
    let backup_bytes = std::fs::read(&dest).unwrap();
    let garbage = b"not a journal at all \xff\x00".repeat(200);
    for (n, planted) in [garbage, hostile].into_iter().enumerate() {
        std::fs::write(with(&dest, "-journal"), &planted).unwrap();
        let target = dir.path().join(format!("restored-{n}.sqlite3"));
        let copied = restore(&dest, &target).unwrap_or_else(|e| panic!("journal {n}: {e}"));
        assert!(copied.schema_version >= 1);
        assert_eq!(hiring_row(&target), ["HIRING-DATA"], "journal {n}");
        // Neither the backup nor the planted journal was touched.
        assert_eq!(std::fs::read(&dest).unwrap(), backup_bytes, "journal {n}");
        assert_eq!(
            std::fs::read(with(&dest, "-journal")).unwrap(),
            planted,
            "journal {n}"
        );
    }
}
