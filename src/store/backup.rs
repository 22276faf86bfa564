//! Online backup and restore with SQLite's backup API.
//!
//! [`Store::backup`] copies the database page by page from a read-only connection beside the
//! running bot: in WAL mode the copy is one consistent snapshot (taken in a single step, so a
//! write in between cannot restart it), and writers go on meanwhile. The copy is written to a
//! temporary file beside the destination, made self-contained (rollback journal, no `-wal`) and
//! then renamed into place, mode 0600.
//!
//! [`restore`] checks a copy (`PRAGMA integrity_check`, a schema version this binary knows)
//! and copies it over the database through SQLite, so a `-wal` left beside the old database
//! cannot be replayed over the restored one. It refuses while the database is in use: it
//! needs SQLite's exclusive lock on the file, which no other open connection allows.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};

use super::{MIGRATIONS, Store, StoreError};
use crate::files;

/// What a finished backup or restore copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    /// The schema version of the copy.
    pub schema_version: i64,
    /// Its size in pages.
    pub pages: i64,
}

/// Why a backup or restore was refused; worded for the person at the terminal.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path} is not a usable backup: {problem}")]
    BadCopy { path: String, problem: String },
    #[error("the database {path} is in use: stop the bot first, then restore")]
    InUse { path: String },
    #[error("cannot write {path}: {problem}")]
    Write { path: String, problem: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for BackupError {
    fn from(e: rusqlite::Error) -> BackupError {
        BackupError::Store(StoreError::Sql(e))
    }
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> BackupError {
    BackupError::Write {
        path: path.display().to_string(),
        problem: e.to_string(),
    }
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// Copies every page of `src` into `dst` in one step.
fn copy(src: &Connection, dst: &mut Connection) -> Result<(), rusqlite::Error> {
    use rusqlite::backup::StepResult;
    let backup = Backup::new(src, dst)?;
    loop {
        // -1: all pages in one step, under one read transaction of the source, so writes
        // beside it cannot restart the copy.
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            // Busy or locked (a writer holding the destination, a checkpoint): wait, retry.
            _ => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

impl Store {
    /// Writes a consistent copy of the database to `dest` while the store stays in use. The
    /// copy is owner-only (mode 0600) and complete on its own (no `-wal` beside it).
    pub fn backup(&self, dest: &Path) -> Result<Copied, BackupError> {
        let Some(path) = &self.inner.path else {
            return Err(write_error(
                dest,
                "an in-memory database has no file to copy",
            ));
        };
        backup_file(path, dest)
    }
}

/// [`Store::backup`] without opening a [`Store`]: reads `database` through a read-only
/// connection only, so the `backup` command never migrates or writes the database of a running
/// bot (which may be an older release).
pub fn backup_file(path: &Path, dest: &Path) -> Result<Copied, BackupError> {
    {
        if dest.is_dir() {
            return Err(write_error(dest, "it is a folder; give a file name"));
        }
        let tmp = sibling(dest, ".partial");
        let _ = std::fs::remove_file(&tmp);
        files::create_owner_only(&tmp).map_err(|e| write_error(dest, e))?;
        let result = (|| -> Result<Copied, BackupError> {
            let src = super::open_reader(path)?;
            let mut dst = Connection::open(&tmp).map_err(|e| write_error(dest, e))?;
            copy(&src, &mut dst).map_err(|e| write_error(dest, e))?;
            // A single file: the copy needs no -wal to be complete.
            let _mode: String = dst.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
            let copied = Copied {
                schema_version: dst.query_row("PRAGMA user_version", [], |r| r.get(0))?,
                pages: dst.query_row("PRAGMA page_count", [], |r| r.get(0))?,
            };
            dst.close().map_err(|(_, e)| write_error(dest, e))?;
            File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(|e| write_error(dest, e))?;
            Ok(copied)
        })();
        match result {
            Ok(copied) => {
                std::fs::rename(&tmp, dest).map_err(|e| write_error(dest, e))?;
                files::owner_only(dest).map_err(|e| write_error(dest, e))?;
                Ok(copied)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }
}

/// Checks that `copy` is an intact database this binary can open: an SQLite file,
/// `PRAGMA integrity_check` ok, and a schema version from 1 to the binary's own.
pub fn check_copy(copy: &Path) -> Result<Copied, BackupError> {
    let bad = |problem: String| BackupError::BadCopy {
        path: copy.display().to_string(),
        problem,
    };
    if !copy.is_file() {
        return Err(bad("there is no such file".into()));
    }
    let conn = Connection::open_with_flags(
        copy,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| bad(format!("it cannot be opened ({e})")))?;
    let sql_problem = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => bad("it is not an SQLite database".into()),
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => bad("it is damaged (corrupt)".into()),
        _ => bad(format!("it cannot be read ({e})")),
    };
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql_problem)?;
    let mut stmt = conn
        .prepare("PRAGMA integrity_check")
        .map_err(sql_problem)?;
    let report: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(sql_problem)?;
    if report != ["ok"] {
        let first = report.first().cloned().unwrap_or_default();
        return Err(bad(format!(
            "it is damaged (integrity check: {first}{})",
            if report.len() > 1 { ", ..." } else { "" }
        )));
    }
    let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
    if version < 1 {
        return Err(bad(
            "it holds no interview-bot schema (is it a backup of this bot?)".into(),
        ));
    }
    if version > known {
        return Err(bad(format!(
            "its schema version {version} is newer than this binary's ({known}); restore it with the release that made it"
        )));
    }
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .map_err(sql_problem)?;
    Ok(Copied {
        schema_version: version,
        pages,
    })
}

/// Restores `copy` over the database at `database` (created if missing), after checking the
/// copy. Refuses if any process has the database open (the bot must be stopped). The restored
/// database and its files are owner-only.
pub fn restore(copy: &Path, database: &Path) -> Result<Copied, BackupError> {
    let copied = check_copy(copy)?;
    if database.is_dir() {
        return Err(write_error(database, "it is a folder"));
    }
    files::create_owner_only(database).map_err(|e| write_error(database, e))?;
    let in_use = || BackupError::InUse {
        path: database.display().to_string(),
    };
    let src = Connection::open_with_flags(
        copy,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mut dst = Connection::open(database).map_err(|e| write_error(database, e))?;
    // Exclusive locking mode keeps the lock from the first transaction until the connection
    // closes. Any other connection to a WAL database (the bot's, even idle) holds a shared lock
    // on it for as long as it is open, so this fails while the bot runs, and no bot can start
    // until the restore is done.
    dst.busy_timeout(Duration::from_millis(200))?;
    let _mode: String = dst.query_row("PRAGMA locking_mode = EXCLUSIVE", [], |r| r.get(0))?;
    dst.execute_batch("BEGIN EXCLUSIVE; COMMIT;")
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                in_use()
            }
            _ => write_error(database, e),
        })?;
    copy_into(&src, &mut dst).map_err(|e| write_error(database, e))?;
    let ok: String = dst.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if ok != "ok" {
        return Err(write_error(
            database,
            format!("the restored database fails its integrity check ({ok})"),
        ));
    }
    dst.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    dst.close().map_err(|(_, e)| write_error(database, e))?;
    for f in files::sqlite_files(database) {
        files::owner_only(&f).map_err(|e| write_error(&f, e))?;
    }
    Ok(copied)
}

fn copy_into(src: &Connection, dst: &mut Connection) -> Result<(), rusqlite::Error> {
    copy(src, dst)
}
