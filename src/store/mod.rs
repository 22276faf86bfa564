//! The store: the only module that talks SQL. One file per table group; each adds methods to
//! [`Store`] that take and return domain types.
//!
//! Calls are synchronous and may block on the database: front ends running on an async runtime
//! call the engine (and so the store) from `spawn_blocking`, never from an async task directly.

mod history;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

pub use history::{ShowCount, ShownQuestion, Source};

/// Schema migrations, in order. Never edit one that has landed: add a new file and a line here.
/// A test checks that every file in `migrations/` is listed.
pub const MIGRATIONS: &[(&str, &str)] = &[(
    "0001_initial.sql",
    include_str!("../../migrations/0001_initial.sql"),
)];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|(_, sql)| M::up(sql)).collect())
}

/// What can go wrong in the store. The detail is for the log; users see a generic message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("cannot migrate the database schema: {0}")]
    Migrate(#[from] rusqlite_migration::Error),
    #[error("database error: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("the database lock was poisoned by a panic in another thread")]
    Poisoned,
}

/// A handle on the SQLite database; cheap to clone and shared between threads.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store")
    }
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::setup(conn, true)
    }

    /// A private in-memory database, for tests and experiments.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Self::setup(Connection::open_in_memory()?, false)
    }

    fn setup(mut conn: Connection, wal: bool) -> Result<Store, StoreError> {
        conn.busy_timeout(Duration::from_secs(5))?;
        if wal {
            // journal_mode returns a row, so it is read rather than executed.
            let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        }
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        migrations().to_latest(&mut conn)?;
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn.lock().map_err(|_| StoreError::Poisoned)
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .lock()?
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Checkpoints the write-ahead log so the database file is complete on its own; called at
    /// shutdown.
    pub fn close(&self) -> Result<(), StoreError> {
        self.lock()?
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
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
