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
//!
//! A storage fault (a full disk, a file made read-only, an I/O error: [`Fault`]) makes the call
//! fail with [`StoreError::Unavailable`], saying whether it was a write or a read, so the user
//! can be told that nothing was saved. It is logged once when it starts and once when writes (or
//! reads) work again, not once per call; nothing needs restarting, since the next call simply
//! tries again (a write connection that failed is opened afresh first).

mod audit;
mod backup;
mod candidates;
mod daily;
mod evidence;
mod guild_config;
#[cfg(test)]
mod guild_scope;
mod handles;
mod history;
mod packs;
mod scores;
mod sessions;
mod settings;
mod suggestions;
mod team_packs;
mod types;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

pub use audit::{AuditEntry, CandidateFootprint, action as audit_action};
pub use backup::{BackupError, Copied, backup_file, check_copy, restore};
pub use candidates::Candidate;
pub use daily::{DailyPost, NewPost, NewSchedule, Schedule, ScheduleStatus};
pub use evidence::{Agreement, Evidence, RatedEvidence, RubricText, RubricVersion};
pub use history::{ShowCount, ShownQuestion, Source};
pub use packs::PackSwitch;
pub use scores::{
    InterviewerRatings, NewRecommendation, Previous, QuestionRatings, RatingSummary,
    RecommendationRow, ScoreChange, ScoreKey, ScoreRow, SharedCandidate,
};
pub use sessions::{NewSession, Session, SessionKind, SessionStatus};
pub use suggestions::{Decision, NewSuggestion, Suggestion};
pub use team_packs::{
    Dropped, MAX_PENDING_IMPORTS, NewTeamQuestion, PACK_IMPORT_TTL_MS, PackImport, TeamIndexRow,
    TeamPack, TeamQuestion,
};

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
    (
        "0007_evidence.sql",
        include_str!("../../migrations/0007_evidence.sql"),
    ),
    (
        "0008_pack_switches.sql",
        include_str!("../../migrations/0008_pack_switches.sql"),
    ),
    (
        "0009_team_packs.sql",
        include_str!("../../migrations/0009_team_packs.sql"),
    ),
    (
        "0010_suggestions.sql",
        include_str!("../../migrations/0010_suggestions.sql"),
    ),
];

/// How many read-only connections a file database keeps open at most.
const MAX_READERS: usize = 4;
/// Prepared statements kept per connection: more than the store has, so none is parsed twice.
const STATEMENT_CACHE: usize = 128;
/// `PRAGMA synchronous` of every write: `FULL`, so a commit is on the disk (the WAL synced)
/// before the bot says "saved". `NORMAL` would survive a killed process too, but a power cut or
/// an OS crash could take the last commits with it: a confirmed score must not vanish.
pub const SYNCHRONOUS: &str = "FULL";

/// Page cache of each read-only connection, in KiB (SQLite's default is 2,000 KiB each). The
/// readers serve lookups from the OS's file cache just as well; capped, the bot's resident
/// memory stops growing once the caches are full instead of growing by up to 2 MiB a reader.
const READER_CACHE_KIB: i64 = 512;
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
    Sql(rusqlite::Error),
    #[error("the id {0} does not fit in the database's integer type")]
    IdOutOfRange(u64),
    #[error("the database holds a negative id ({0}) where a Discord id belongs")]
    BadStoredId(i64),
    /// A stored value the code cannot read (an unknown value is an error, never a default).
    #[error("the database holds a value that cannot be read: {0}")]
    Corrupt(String),
    /// The storage refused the call for a reason of the machine, not of the request: nothing
    /// was written (or read). Made by [`Store::write`] and [`Store::read`] from what SQLite said.
    #[error("the database cannot be {} now ({}): {detail}", op.verb(), fault.describe())]
    Unavailable {
        fault: Fault,
        op: Op,
        detail: String,
    },
}

impl StoreError {
    /// For a storage fault: whether the refused call was a write or a read.
    pub fn unavailable(&self) -> Option<Op> {
        match self {
            StoreError::Unavailable { op, .. } => Some(*op),
            _ => None,
        }
    }
}

/// Why the database cannot be used right now: a condition of the machine, not of the request,
/// which passes once the condition does (someone frees disk space, makes the file writable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// No room: the disk, a quota or the process's file-size limit (`SQLITE_FULL`).
    Full,
    /// The file cannot be written: `SQLITE_READONLY` (any of its extended codes) or
    /// `SQLITE_PERM`.
    ReadOnly,
    /// The operating system failed a read, write, sync, lock or open (`SQLITE_IOERR_*` except
    /// its out-of-memory code, `SQLITE_CANTOPEN`): a write refused by the file system (an
    /// immutable file gives `EPERM`, a read-only remount `EROFS`) arrives this way too.
    Io,
}

impl Fault {
    /// Whether `e` is a storage fault, and which. Everything else (constraints, a busy
    /// database, a damaged file, a bug in a query) is not: it will not pass by itself.
    pub fn of(e: &rusqlite::Error) -> Option<Fault> {
        use rusqlite::ErrorCode;
        let rusqlite::Error::SqliteFailure(f, _) = e else {
            return None;
        };
        match f.code {
            ErrorCode::DiskFull => Some(Fault::Full),
            ErrorCode::ReadOnly | ErrorCode::PermissionDenied => Some(Fault::ReadOnly),
            ErrorCode::SystemIoFailure if f.extended_code == rusqlite::ffi::SQLITE_IOERR_NOMEM => {
                None
            }
            ErrorCode::SystemIoFailure | ErrorCode::CannotOpen => Some(Fault::Io),
            _ => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Fault::Full => "the disk is full",
            Fault::ReadOnly => "the file is read-only",
            Fault::Io => "an input/output error",
        }
    }
}

/// Which kind of call a storage fault refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Write,
    Read,
}

impl Op {
    fn verb(self) -> &'static str {
        match self {
            Op::Write => "written",
            Op::Read => "read",
        }
    }
}

/// An error type store calls can return: made from a [`StoreError`], and able to hand the store
/// error inside back, so the store can tell a storage fault from the caller's own errors and
/// mark it [`StoreError::Unavailable`].
pub trait HoldsStoreError: From<StoreError> {
    fn store_error(&mut self) -> Option<&mut StoreError>;
}

impl HoldsStoreError for StoreError {
    fn store_error(&mut self) -> Option<&mut StoreError> {
        Some(self)
    }
}

/// A Discord id as SQLite stores it. Snowflakes fit in 63 bits; anything else is refused
/// rather than wrapped into a negative number.
pub(crate) fn sql_id(id: impl Into<u64>) -> Result<i64, StoreError> {
    let id = id.into();
    i64::try_from(id).map_err(|_| StoreError::IdOutOfRange(id))
}

impl From<rusqlite::Error> for StoreError {
    /// A typed id too large for SQLite's integer (refused by its `ToSql`, `types.rs`) is
    /// [`StoreError::IdOutOfRange`]; anything else is SQLite's own error.
    fn from(e: rusqlite::Error) -> StoreError {
        if let rusqlite::Error::ToSqlConversionFailure(inner) = &e
            && let Some(types::IdTooLarge(id)) = inner.downcast_ref()
        {
            return StoreError::IdOutOfRange(*id);
        }
        StoreError::Sql(e)
    }
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

impl<'a> Db<'a> {
    /// Every statement of the store is prepared here (and cached on the connection), so the
    /// test `every_statement_is_scoped_to_a_guild` sees each one, with the line that runs it.
    #[track_caller]
    fn prep(&self, sql: &str) -> rusqlite::Result<rusqlite::CachedStatement<'a>> {
        #[cfg(test)]
        guild_scope::record(sql, std::panic::Location::caller());
        self.conn.prepare_cached(sql)
    }
}

/// A handle on the SQLite database; cheap to clone and shared between threads.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Writer>,
    /// Idle read-only connections; `None` path means an in-memory database (reads use the
    /// writer, since a second connection would see a different database).
    readers: Mutex<Vec<Connection>>,
    path: Option<PathBuf>,
    /// Storage faults in progress, for writes and for reads: how many calls each refused.
    incidents: Mutex<Incidents>,
}

/// The write connection, and whether a storage fault hit it (it is then opened afresh before
/// the next write: a connection's view of its files is fixed when it opens them).
struct Writer {
    conn: Connection,
    faulted: bool,
    /// `synchronous` was relaxed for one commit and not yet restored (a panic in between).
    relaxed: bool,
}

#[derive(Default)]
struct Incidents {
    write: Option<u64>,
    read: Option<u64>,
}

impl Incidents {
    fn of(&mut self, op: Op) -> &mut Option<u64> {
        match op {
            Op::Write => &mut self.write,
            Op::Read => &mut self.read,
        }
    }
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
                writer: Mutex::new(Writer {
                    relaxed: false,
                    conn,
                    faulted: false,
                }),
                readers: Mutex::new(Vec::new()),
                path,
                incidents: Mutex::new(Incidents::default()),
            }),
        }
    }

    /// Runs `f` in one write transaction (`BEGIN IMMEDIATE`, so the write lock is taken up
    /// front and a read-then-write cannot be overtaken by another writer). Commits if `f`
    /// returns `Ok`, rolls back otherwise, and also if `f` panics. A storage fault comes back as
    /// [`StoreError::Unavailable`] with [`Op::Write`]: nothing of `f` was kept.
    pub fn write<T, E: HoldsStoreError>(
        &self,
        f: impl FnOnce(&Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.write_synced(true, f)
    }

    /// Like [`Store::write`], but the commit is not synced to disk on its own
    /// (`synchronous = NORMAL` for this one transaction): it survives a killed process, and a
    /// power cut could lose it until the next synced commit, which syncs it too. Only for records
    /// whose loss is harmless, such as the delivery of a question already claimed durably.
    pub fn write_unsynced<T, E: HoldsStoreError>(
        &self,
        f: impl FnOnce(&Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.write_synced(false, f)
    }

    fn write_synced<T, E: HoldsStoreError>(
        &self,
        synced: bool,
        f: impl FnOnce(&Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut writer = self.writer();
        // A synced write on a relaxed connection restores it; an unsynced one relaxes it.
        if synced == writer.relaxed {
            let (mode, relaxed) = if synced {
                (SYNCHRONOUS, false)
            } else {
                ("NORMAL", true)
            };
            match writer.conn.pragma_update(None, "synchronous", mode) {
                Ok(()) => writer.relaxed = relaxed,
                // Relaxing failed: this commit is synced like any other. Restoring failed: a
                // fresh connection is set up as `open` sets it up.
                Err(e) if !synced => {
                    tracing::debug!(error = %e, "could not relax the sync of one commit")
                }
                Err(_) => writer.faulted = true,
            }
        }
        let before = writer.conn.total_changes();
        let result = (|| {
            let tx = writer
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::from)?;
            let value = f(&Db { conn: &tx })?;
            tx.commit().map_err(StoreError::from)?;
            Ok(value)
        })();
        // Only a commit that wrote rows shows the storage takes writes again: an empty
        // transaction writes nothing to the file.
        let wrote = writer.conn.total_changes() != before;
        let mut result = self.noted(Op::Write, result, wrote);
        if is_fault(&mut result) {
            writer.faulted = true;
        }
        if !synced
            && writer
                .conn
                .pragma_update(None, "synchronous", SYNCHRONOUS)
                .is_err()
        {
            // Never leave the connection relaxed: a fresh one is set up as `open` sets it up.
            writer.faulted = true;
        }
        result
    }

    /// Runs `f` in one read transaction on a read-only connection, beside any writer: it sees
    /// one consistent snapshot, however long it takes. A storage fault comes back as
    /// [`StoreError::Unavailable`] with [`Op::Read`].
    pub fn read<T, E: HoldsStoreError>(
        &self,
        f: impl FnOnce(&Db<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let Some(path) = &self.inner.path else {
            // In memory: only the writer's connection sees the data.
            let mut writer = self.writer();
            let result = (|| {
                let tx = writer.conn.transaction().map_err(StoreError::from)?;
                f(&Db { conn: &tx })
            })();
            return self.noted(Op::Read, result, true);
        };
        let mut conn = match lock(&self.inner.readers).pop() {
            Some(conn) => conn,
            None => match reader_connection(path) {
                Ok(conn) => conn,
                Err(e) => return self.noted(Op::Read, Err(E::from(StoreError::Sql(e))), true),
            },
        };
        let result = (|| {
            let tx = conn.transaction().map_err(StoreError::from)?;
            f(&Db { conn: &tx })
        })();
        let mut result = self.noted(Op::Read, result, true);
        // Reached only without a panic; a panicking read drops its connection instead, and so
        // does one that met a storage fault (the next read opens a fresh one).
        if !is_fault(&mut result) {
            let mut idle = lock(&self.inner.readers);
            if idle.len() < MAX_READERS {
                idle.push(conn);
            }
        }
        result
    }

    /// Marks a storage fault in `result` as [`StoreError::Unavailable`] and logs the incident it
    /// starts (once), or logs the end of one after a call of that kind succeeded (and, if
    /// `proves` is false, did not show that the storage works).
    fn noted<T, E: HoldsStoreError>(
        &self,
        op: Op,
        mut result: Result<T, E>,
        proves: bool,
    ) -> Result<T, E> {
        let fault = match &mut result {
            Ok(_) if !proves => return result,
            Ok(_) => {
                let ended = lock(&self.inner.incidents).of(op).take();
                if let Some(refused) = ended {
                    match op {
                        Op::Write => tracing::info!(refused, "storage writable again"),
                        Op::Read => tracing::info!(refused, "storage readable again"),
                    }
                }
                return result;
            }
            Err(e) => e.store_error().and_then(|e| {
                let StoreError::Sql(sql) = e else {
                    return None;
                };
                let fault = Fault::of(sql)?;
                let detail = sql.to_string();
                *e = StoreError::Unavailable {
                    fault,
                    op,
                    detail: detail.clone(),
                };
                Some((fault, detail))
            }),
        };
        if let Some((fault, detail)) = fault {
            let mut incidents = lock(&self.inner.incidents);
            let incident = incidents.of(op);
            match incident {
                Some(refused) => {
                    *refused += 1;
                    tracing::debug!(?op, fault = fault.describe(), error = %detail, "storage fault goes on");
                }
                None => {
                    *incident = Some(1);
                    match op {
                        Op::Write => tracing::error!(fault = fault.describe(), error = %detail,
                            "storage not writable: commands that save are refused (nothing is recorded) until it recovers"),
                        Op::Read => tracing::error!(fault = fault.describe(), error = %detail,
                            "storage not readable: commands that read the database are refused until it recovers"),
                    }
                }
            }
        }
        result
    }

    /// Whether a storage fault of this kind is in progress.
    #[cfg(test)]
    fn faulted(&self, op: Op) -> bool {
        lock(&self.inner.incidents).of(op).is_some()
    }

    /// The write connection. A panic in an earlier holder poisoned nothing that matters: its
    /// transaction was rolled back as it unwound, so the lock is recovered and work goes on.
    fn writer(&self) -> MutexGuard<'_, Writer> {
        let mut guard = lock(&self.inner.writer);
        if guard.faulted
            && let Some(path) = &self.inner.path
        {
            // After a storage fault, the next write starts on a fresh connection: an old one
            // may keep a file open that was replaced or made read-only, or stay in SQLite's
            // error state. If the file cannot be opened yet, the old one is tried again.
            match open_writer(path) {
                Ok(conn) => {
                    guard.conn = conn;
                    guard.faulted = false;
                    guard.relaxed = false;
                }
                Err(e) => tracing::debug!(error = %e, "the database cannot be reopened yet"),
            }
        }
        if !guard.conn.is_autocommit() {
            // Defensive: a transaction left open by a caller that bypassed `write`.
            let _ = guard.conn.execute_batch("ROLLBACK");
        }
        guard
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .writer()
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Copies every page of the write-ahead log into the database file and truncates the log
    /// to zero bytes, so no older version of a page lives on in it. Called after a deletion
    /// that must leave nothing on disk (`/scores forget`): with `secure_delete` on, the deleted
    /// rows are then in neither file. Waits for readers as any statement does; returns `false`
    /// if one still held the log so the checkpoint could not finish (the caller logs it; the
    /// next checkpoint finishes the job).
    pub fn checkpoint_truncate(&self) -> Result<bool, StoreError> {
        if self.inner.path.is_none() {
            return Ok(true);
        }
        let busy: i64 =
            self.writer()
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        Ok(busy == 0)
    }

    /// Checkpoints the write-ahead log so the database file is complete on its own; called at
    /// shutdown.
    pub fn close(&self) -> Result<(), StoreError> {
        lock(&self.inner.readers).clear();
        self.writer()
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Whether `result` is a storage fault (as marked by `Store::noted`).
fn is_fault<T, E: HoldsStoreError>(result: &mut Result<T, E>) -> bool {
    match result {
        Ok(_) => false,
        Err(e) => e.store_error().is_some_and(|e| e.unavailable().is_some()),
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

/// Sets up a connection that writes: the write connection (also after a fault) and an
/// in-memory database's only one.
fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "foreign_keys", true)?;
    // Deleted rows are overwritten with zeros, not just unlinked: after `/scores forget` (and a
    // checkpoint, [`Store::checkpoint_truncate`]) the candidate is nowhere in the file.
    conn.pragma_update(None, "secure_delete", true)?;
    conn.pragma_update(None, "synchronous", SYNCHRONOUS)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

/// A fresh write connection on an existing database (after a storage fault), set up as
/// [`Store::open`] sets up the first one; the schema is current already.
fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    configure(&conn)?;
    Ok(conn)
}

/// A read-only connection, with the reason worded for a person if it cannot be opened (for
/// the command line's backup).
fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    reader_connection(path).map_err(|e| explain_open(path, StoreError::Sql(e)))
}

/// A read-only connection, with SQLite's own error (so [`Store::read`] can tell a fault).
fn reader_connection(path: &Path) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
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
    fn writes_are_synced_at_every_commit_and_readers_cache_little() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let pragma = |db: &Db<'_>, name: &str| -> Result<i64, StoreError> {
            Ok(db.conn.pragma_query_value(None, name, |r| r.get(0))?)
        };
        // 2 is FULL; after a reopen for a fault too (same set-up).
        assert_eq!(store.write(|db| pragma(db, "synchronous")).unwrap(), 2);
        assert_eq!(store.write(|db| pragma(db, "secure_delete")).unwrap(), 1);
        let mode = store
            .write(|db| -> Result<String, StoreError> {
                Ok(db.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?)
            })
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(
            store.read(|db| pragma(db, "cache_size")).unwrap(),
            -READER_CACHE_KIB
        );
        // An unsynced write is relaxed for its own commit only, even when it panics.
        assert_eq!(
            store
                .write_unsynced(|db| pragma(db, "synchronous"))
                .unwrap(),
            1
        );
        assert_eq!(store.write(|db| pragma(db, "synchronous")).unwrap(), 2);
        let s = store.clone();
        let _ = std::thread::spawn(move || {
            let _: Result<(), StoreError> = s.write_unsynced(|_| panic!("boom"));
        })
        .join();
        assert_eq!(store.write(|db| pragma(db, "synchronous")).unwrap(), 2);
        let reopened = open_writer(&dir.path().join("db.sqlite3")).unwrap();
        let sync: i64 = reopened
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2);
    }

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

    fn sqlite_error(code: std::ffi::c_int) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn storage_faults_are_told_from_other_errors() {
        use rusqlite::ffi;
        let cases = [
            (ffi::SQLITE_FULL, Some(Fault::Full)),
            (ffi::SQLITE_READONLY, Some(Fault::ReadOnly)),
            (ffi::SQLITE_READONLY_DBMOVED, Some(Fault::ReadOnly)),
            (ffi::SQLITE_READONLY_CANTINIT, Some(Fault::ReadOnly)),
            (ffi::SQLITE_PERM, Some(Fault::ReadOnly)),
            (ffi::SQLITE_IOERR, Some(Fault::Io)),
            (ffi::SQLITE_IOERR_WRITE, Some(Fault::Io)),
            (ffi::SQLITE_IOERR_FSYNC, Some(Fault::Io)),
            (ffi::SQLITE_IOERR_SHORT_READ, Some(Fault::Io)),
            (ffi::SQLITE_CANTOPEN, Some(Fault::Io)),
            // Not the storage: memory, locks that time out, a damaged file, the query itself.
            (ffi::SQLITE_IOERR_NOMEM, None),
            (ffi::SQLITE_NOMEM, None),
            (ffi::SQLITE_BUSY, None),
            (ffi::SQLITE_LOCKED, None),
            (ffi::SQLITE_CORRUPT, None),
            (ffi::SQLITE_NOTADB, None),
            (ffi::SQLITE_CONSTRAINT_UNIQUE, None),
            (ffi::SQLITE_CONSTRAINT_FOREIGNKEY, None),
            (ffi::SQLITE_ERROR, None),
            (ffi::SQLITE_MISUSE, None),
        ];
        for (code, fault) in cases {
            assert_eq!(Fault::of(&sqlite_error(code)), fault, "code {code}");
        }
        assert_eq!(Fault::of(&rusqlite::Error::QueryReturnedNoRows), None);
        assert_eq!(Fault::of(&rusqlite::Error::InvalidColumnIndex(3)), None);
    }

    fn audit_rows(store: &Store) -> i64 {
        store
            .read(|db| {
                Ok::<_, StoreError>(db.conn.query_row(
                    "SELECT COUNT(*) FROM audit_log",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap()
    }

    fn add_audit_row(store: &Store) -> Result<(), StoreError> {
        store.write(|db| {
            db.conn.execute(
                "INSERT INTO audit_log (guild_id, actor_id, action, at) VALUES (1, 1, 'x', 0)",
                [],
            )?;
            Ok(())
        })
    }

    /// A real SQLITE_FULL: SQLite's own page limit (`max_page_count`) set to the pages the
    /// file has, so the next row does not fit. It is a setting of the connection, so the
    /// fresh connection the store opens after the fault no longer has it: the store recovers.
    #[test]
    fn a_full_database_refuses_the_write_keeps_nothing_and_recovers_on_a_fresh_connection() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("full.sqlite3")).unwrap();
        add_audit_row(&store).unwrap();
        {
            let w = store.writer();
            let pages: i64 = w
                .conn
                .query_row("PRAGMA page_count", [], |r| r.get(0))
                .unwrap();
            w.conn.pragma_update(None, "max_page_count", pages).unwrap();
        }
        // Enough rows that they need a new page.
        let refused = store.write(|db| {
            for _ in 0..200 {
                db.conn.execute(
                    "INSERT INTO audit_log (guild_id, actor_id, action, at, detail) VALUES (1, 1, 'y', 0, ?1)",
                    ["a detail long enough to fill pages quickly"],
                )?;
            }
            Ok::<_, StoreError>(())
        });
        match refused {
            Err(StoreError::Unavailable {
                fault: Fault::Full,
                op: Op::Write,
                ..
            }) => {}
            other => panic!("not a storage fault: {other:?}"),
        }
        assert!(store.faulted(Op::Write));
        // Nothing of the refused transaction was kept; reads go on.
        assert_eq!(audit_rows(&store), 1);
        // A transaction that writes nothing proves nothing: the incident goes on.
        store.write(|_| Ok::<_, StoreError>(())).unwrap();
        assert!(store.faulted(Op::Write));
        // The next write runs on a fresh connection, without the limit, and ends the incident.
        add_audit_row(&store).unwrap();
        assert!(!store.faulted(Op::Write));
        assert_eq!(audit_rows(&store), 2);
    }

    /// A real SQLITE_READONLY: the write connection opened read-only (as SQLite does by itself
    /// when it cannot open a file for writing). The fresh connection after the fault can.
    #[test]
    fn a_read_only_connection_refuses_writes_as_a_fault_and_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ro.sqlite3");
        Store::open(&path).unwrap();
        let read_only = open_reader(&path).unwrap();
        let store = Store::from_writer(read_only, Some(path));
        match add_audit_row(&store) {
            Err(e) => assert_eq!(e.unavailable(), Some(Op::Write), "{e}"),
            Ok(()) => panic!("a read-only connection wrote"),
        }
        assert_eq!(audit_rows(&store), 0);
        add_audit_row(&store).unwrap();
        assert_eq!(audit_rows(&store), 1);
    }

    /// A read that cannot open its connection (the files moved away for a moment) is a read
    /// fault, which ends with the next read that works.
    #[test]
    fn a_database_that_cannot_be_opened_for_reading_is_a_read_fault_until_it_can() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("moved.sqlite3");
        let store = Store::open(&path).unwrap();
        add_audit_row(&store).unwrap();
        let away = |f: &Path| {
            let mut s = f.as_os_str().to_os_string();
            s.push(".away");
            PathBuf::from(s)
        };
        let files: Vec<PathBuf> = crate::files::sqlite_files(&path)
            .into_iter()
            .filter(|f| f.exists())
            .collect();
        for f in &files {
            std::fs::rename(f, away(f)).unwrap();
        }
        let refused = store
            .read(|db| Ok::<i64, StoreError>(db.conn.query_row("SELECT 1", [], |r| r.get(0))?));
        match refused {
            Err(e) => assert_eq!(e.unavailable(), Some(Op::Read), "{e}"),
            Ok(_) => panic!("read a database that is not there"),
        }
        assert!(store.faulted(Op::Read) && !store.faulted(Op::Write));
        for f in &files {
            std::fs::rename(away(f), f).unwrap();
        }
        assert_eq!(audit_rows(&store), 1);
        assert!(!store.faulted(Op::Read));
    }

    /// The caller's own errors, and SQL errors that are not storage faults, stay as they are and
    /// start no incident.
    #[test]
    fn other_errors_are_not_storage_faults() {
        let store = Store::open_in_memory().unwrap();
        let bad = store.write(|db| {
            db.conn
                .execute("INSERT INTO no_such_table VALUES (1)", [])?;
            Ok::<_, StoreError>(())
        });
        assert!(matches!(bad, Err(StoreError::Sql(_))), "{bad:?}");
        let own: Result<(), StoreError> = store.write(|_| Err(StoreError::IdOutOfRange(7)));
        assert!(matches!(own, Err(StoreError::IdOutOfRange(7))));
        assert!(!store.faulted(Op::Write) && !store.faulted(Op::Read));
    }

    #[test]
    fn ids_out_of_range_are_refused_not_wrapped() {
        assert_eq!(sql_id(42u64).unwrap(), 42);
        assert!(matches!(sql_id(u64::MAX), Err(StoreError::IdOutOfRange(_))));
        assert!(matches!(discord_id(-1), Err(StoreError::BadStoredId(-1))));
        // A typed id binds itself and is checked there, with the same error.
        let store = Store::open_in_memory().unwrap();
        let got = store.read(|db| db.schedules(crate::model::GuildId(u64::MAX)));
        assert!(
            matches!(got, Err(StoreError::IdOutOfRange(u64::MAX))),
            "{got:?}"
        );
    }
}
