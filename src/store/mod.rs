//! The store: the only module that talks SQL. One file per table group; each adds methods to
//! [`Db`], a view of one connection inside a transaction, and takes and returns domain types.
//!
//! Writes go through one connection ([`Store::write`]: one transaction per call, so writes that
//! belong together commit together). Reads run on a small pool of read-only connections
//! ([`Store::read`]), which WAL mode lets run beside the writer, so a long lookup never holds up
//! an interaction. A panic inside either leaves the store usable: the transaction rolls back and
//! the connection goes back into service.
//!
//! Calls are synchronous and may block on the database: front ends running on an async runtime
//! call the engine (and so the store) from `spawn_blocking`, never from an async task directly.

mod audit;
mod backup;
mod candidates;
mod daily;
mod guild_config;
mod handles;
mod history;
mod scores;
mod sessions;
mod settings;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

pub use audit::{AuditEntry, CandidateFootprint, action as audit_action};
pub use backup::{BackupError, Copied, backup_file, check_copy, restore};
pub use candidates::Candidate;
pub use daily::{DailyPost, NewSchedule, Schedule, ScheduleStatus};
pub use history::{ShowCount, ShownQuestion, Source};
pub use scores::{
    InterviewerRatings, Previous, QuestionRatings, RatingSummary, RecommendationRow, ScoreChange,
    ScoreKey, ScoreRow, SharedCandidate,
};
pub use sessions::{NewSession, Session, SessionKind, SessionStatus};

/// Schema migrations, in order. Never edit one that has landed: add a new file and a line here.
/// A test checks that every file in `migrations/` is listed.
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_initial.sql",
        include_str!("../../migrations/0001_initial.sql"),
    ),
    (
        "0002_delivery_and_handles.sql",
        include_str!("../../migrations/0002_delivery_and_handles.sql"),
    ),
    (
        "0003_daily_practice.sql",
        include_str!("../../migrations/0003_daily_practice.sql"),
    ),
    (
        "0004_scores.sql",
        include_str!("../../migrations/0004_scores.sql"),
    ),
    (
        "0005_question_counts.sql",
        include_str!("../../migrations/0005_question_counts.sql"),
    ),
    (
        "0006_score_lookups.sql",
        include_str!("../../migrations/0006_score_lookups.sql"),
    ),
];

/// How many read-only connections a file database keeps open at most.
const MAX_READERS: usize = 4;
/// Prepared statements kept per connection: more than the store has, so none is parsed twice.
const STATEMENT_CACHE: usize = 128;
/// How long a statement waits for a lock held by another connection before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|(_, sql)| M::up(sql)).collect())
}

/// What can go wrong in the store. The detail is for the log; users see a generic message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {problem}")]
    Open { path: String, problem: String },
    #[error("cannot migrate the database schema: {0}")]
    Migrate(#[from] rusqlite_migration::Error),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("the id {0} does not fit in the database's integer type")]
    IdOutOfRange(u64),
    #[error("the database holds a negative id ({0}) where a Discord id belongs")]
    BadStoredId(i64),
}

/// A Discord id as SQLite stores it. Snowflakes fit in 63 bits; anything else is refused
/// rather than wrapped into a negative number.
pub(crate) fn sql_id(id: u64) -> Result<i64, StoreError> {
    i64::try_from(id).map_err(|_| StoreError::IdOutOfRange(id))
}

/// The inverse of [`sql_id`].
pub(crate) fn discord_id(raw: i64) -> Result<u64, StoreError> {
    u64::try_from(raw).map_err(|_| StoreError::BadStoredId(raw))
}

/// One connection inside a transaction. Every table group adds its queries as methods here, so
/// several calls in one [`Store::write`] closure commit together or not at all.
pub struct Db<'a> {
    conn: &'a Connection,
}

/// A handle on the SQLite database; cheap to clone and shared between threads.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Connection>,
    /// Idle read-only connections; `None` path means an in-memory database (reads use the
    /// writer, since a second connection would see a different database).
    readers: Mutex<Vec<Connection>>,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date. A file
    /// that cannot be used gets an error naming it and saying what to do.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if path.is_dir() {
            return Err(StoreError::Open {
                path: path.display().to_string(),
                problem: "it is a folder. Set DATABASE_PATH to a file, such as interview-bot.sqlite3 in that folder.".into(),
            });
        }
        Self::open_file(path).map_err(|e| explain_open(path, e))
    }

    fn open_file(path: &Path) -> Result<Store, StoreError> {
        // Owner-only from the start; SQLite gives its -wal and -shm files the same mode. If
        // this fails (no such folder), SQLite's own error below says why.
        let _ = crate::files::create_owner_only(path);
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // journal_mode returns a row, so it is read rather than executed.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        configure(&conn)?;
        migrations().to_latest(&mut conn)?;
        // A database made before files were owner-only, or by another program: narrow it and
        // the -wal and -shm files (which exist now that the connection has read the database).
        for file in crate::files::sqlite_files(path) {
            crate::files::owner_only(&file).map_err(|e| StoreError::Open {
                path: file.display().to_string(),
                problem: format!("its mode cannot be set to owner-only (0600): {e}"),
            })?;
        }
        Ok(Store::from_writer(conn, Some(path.to_path_buf())))
    }

    /// A private in-memory database, for tests and experiments.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn)?;
        migrations().to_latest(&mut conn)?;
        Ok(Store::from_writer(conn, None))
    }

    fn from_writer(conn: Connection, path: Option<PathBuf>) -> Store {
        Store {
            inner: Arc::new(Inner {
                writer: Mutex::new(conn),
                readers: Mutex::new(Vec::new()),
                path,
            }),
        }
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`, so the write lock is taken up
    /// front and a read-then-write cannot be overtaken by another writer). Commits if `f`
    /// returns `Ok`, rolls back otherwise, and also if `f` panics.
    pub fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.writer();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let value = f(&Db { conn: &tx })?;
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    /// Runs `f` in one read transaction on a read-only connection, beside any writer: it sees
    /// one consistent snapshot, however long it takes.
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let Some(path) = &self.inner.path else {
            // In memory: only the writer's connection sees the data.
            let mut conn = self.writer();
            let tx = conn.transaction().map_err(StoreError::from)?;
            return f(&Db { conn: &tx });
        };
        let mut conn = match lock(&self.inner.readers).pop() {
            Some(conn) => conn,
            None => open_reader(path)?,
        };
        let result = {
            let tx = conn.transaction().map_err(StoreError::from)?;
            f(&Db { conn: &tx })
        };
        // Reached only without a panic; a panicking read drops its connection instead.
        let mut idle = lock(&self.inner.readers);
        if idle.len() < MAX_READERS {
            idle.push(conn);
        }
        result
    }

    /// The write connection. A panic in an earlier holder poisoned nothing that matters: its
    /// transaction was rolled back as it unwound, so the lock is recovered and work goes on.
    fn writer(&self) -> MutexGuard<'_, Connection> {
        let guard = lock(&self.inner.writer);
        if !guard.is_autocommit() {
            // Defensive: a transaction left open by a caller that bypassed `write`.
            let _ = guard.execute_batch("ROLLBACK");
        }
        guard
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .writer()
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Checkpoints the write-ahead log so the database file is complete on its own; called at
    /// shutdown.
    pub fn close(&self) -> Result<(), StoreError> {
        lock(&self.inner.readers).clear();
        self.writer()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Words the common reasons a database file cannot be opened for the person who has to fix it.
fn explain_open(path: &Path, e: StoreError) -> StoreError {
    use rusqlite::ErrorCode;
    let code = match &e {
        StoreError::Sql(rusqlite::Error::SqliteFailure(f, _)) => Some(f.code),
        StoreError::Migrate(rusqlite_migration::Error::RusqliteError { err, .. }) => {
            err.sqlite_error_code()
        }
        _ => None,
    };
    let problem = match code {
        Some(ErrorCode::NotADatabase) => {
            "it is not an SQLite database (or it is damaged). Point DATABASE_PATH at another file, or move this one aside."
        }
        Some(ErrorCode::ReadOnly) => {
            "it is read-only. Make the file and its folder writable: SQLite keeps its -wal and -shm files beside it."
        }
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            "it cannot be opened: check that its folder exists and that the bot may read and write the file and the folder."
        }
        _ => return e,
    };
    StoreError::Open {
        path: path.display().to_string(),
        problem: problem.into(),
    }
}

/// Locks a mutex, recovering it if a panicking thread poisoned it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| {
        m.clear_poison();
        poisoned.into_inner()
    })
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .map_err(|e| explain_open(path, StoreError::Sql(e)))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// Applies the first `count` migrations only: for tests that upgrade from an older version.
#[doc(hidden)]
pub fn migrate_partially(conn: &mut Connection, count: usize) -> Result<(), StoreError> {
    if count == 0 {
        return Ok(());
    }
    let partial = Migrations::new(
        MIGRATIONS[..count]
            .iter()
            .map(|(_, sql)| M::up(sql))
            .collect(),
    );
    partial.to_latest(conn)?;
    Ok(())
}

/// Applies all migrations to an open connection: for tests.
#[doc(hidden)]
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrations().to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_a_write_rolls_back_and_the_store_goes_on() {
        let store = Store::open_in_memory().unwrap();
        let s = store.clone();
        let crashed = std::thread::spawn(move || {
            let _: Result<(), StoreError> = s.write(|db| {
                db.conn.execute(
                    "INSERT INTO audit_log (guild_id, actor_id, action, at) VALUES (1, 1, 'x', 0)",
                    [],
                )?;
                panic!("boom while holding the connection");
            });
        })
        .join();
        assert!(crashed.is_err());
        let rows: i64 = store
            .read(|db| {
                Ok::<_, StoreError>(db.conn.query_row(
                    "SELECT COUNT(*) FROM audit_log",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(rows, 0, "the panicking transaction was rolled back");
        store
            .write(|db| {
                db.conn.execute(
                    "INSERT INTO audit_log (guild_id, actor_id, action, at) VALUES (1, 1, 'y', 0)",
                    [],
                )?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
    }

    #[test]
    fn ids_out_of_range_are_refused_not_wrapped() {
        assert_eq!(sql_id(42).unwrap(), 42);
        assert!(matches!(sql_id(u64::MAX), Err(StoreError::IdOutOfRange(_))));
        assert!(matches!(discord_id(-1), Err(StoreError::BadStoredId(-1))));
    }
}
