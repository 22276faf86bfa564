//! Online backup and restore with SQLite's backup API.
//!
//! [`Store::backup`] copies the database page by page from a read-only connection beside the
//! running bot: in WAL mode the copy is one consistent snapshot (taken in a single step, so a
//! write in between cannot restart it), and writers go on meanwhile. The copy is written to a
//! file created exclusively in a new private folder beside the destination (so no other local
//! user can redirect it: [`backup_file`]), made self-contained (rollback journal, no `-wal`),
//! synced and then renamed into place, mode 0600.
//!
//! [`restore`] first copies the backup file alone into a private folder (so nothing planted
//! beside the backup, a `-journal`, is read), checks that copy (`PRAGMA integrity_check`, a
//! schema version this binary knows) and copies it over the database through SQLite, so a `-wal` left beside the old database
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
///
/// Nothing another local user controls is ever opened: the copy is made in a new private
/// folder (mode 0700, a random name, created exclusively) beside `dest`, in a file created
/// exclusively without following links (mode 0600), so SQLite's own files for it (its journal)
/// are in that folder too; it is synced through the handle that created it and renamed into
/// place, and the folder is removed. A destination folder other users may write to is refused
/// unless it is sticky (as `/tmp`), where they cannot rename or remove what the backup creates.
pub fn backup_file(path: &Path, dest: &Path) -> Result<Copied, BackupError> {
    if dest.is_dir() {
        return Err(write_error(dest, "it is a folder; give a file name"));
    }
    let folder = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    safe_folder(folder).map_err(|problem| write_error(dest, problem))?;
    let private = PrivateDir::create(folder).map_err(|e| write_error(dest, e))?;
    let tmp = private.path.join("backup.sqlite3");
    let file = create_exclusive(&tmp).map_err(|e| write_error(dest, e))?;
    let src = super::open_reader(path)?;
    let mut dst = Connection::open_with_flags(
        &tmp,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW,
    )
    .map_err(|e| write_error(dest, e))?;
    copy(&src, &mut dst).map_err(|e| write_error(dest, e))?;
    // A single file: the copy needs no -wal to be complete.
    let _mode: String = dst.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    let copied = Copied {
        schema_version: dst.query_row("PRAGMA user_version", [], |r| r.get(0))?,
        pages: dst.query_row("PRAGMA page_count", [], |r| r.get(0))?,
    };
    dst.close().map_err(|(_, e)| write_error(dest, e))?;
    drop(src);
    file.sync_all().map_err(|e| write_error(dest, e))?;
    std::fs::rename(&tmp, dest).map_err(|e| write_error(dest, e))?;
    // The rename itself on the disk.
    #[cfg(unix)]
    File::open(folder)
        .and_then(|d| d.sync_all())
        .map_err(|e| write_error(dest, e))?;
    drop(private);
    Ok(copied)
}

/// Whether a backup may be written in `folder`: `Err` with the reason when another local user
/// could rename or replace what it creates there (the folder is writable by group or others and
/// not sticky, or belongs to another user who is not root).
fn safe_folder(folder: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(folder).map_err(|e| format!("its folder: {e}"))?;
        let mode = meta.mode();
        let sticky = mode & 0o1000 != 0;
        // SAFETY: geteuid(2) cannot fail and touches no memory.
        let me = unsafe { libc::geteuid() };
        if mode & 0o022 != 0 && !sticky {
            return Err(format!(
                "other users can write to the folder {} (mode {:04o}) and it is not sticky, so they could redirect the copy: choose a folder only you can write to (chmod go-w), or a sticky one such as /tmp",
                folder.display(),
                mode & 0o7777
            ));
        }
        if meta.uid() != me && meta.uid() != 0 {
            return Err(format!(
                "the folder {} belongs to another user (uid {}), who could redirect the copy: choose a folder of your own",
                folder.display(),
                meta.uid()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

/// A folder only this user may use, with a random name, removed (with anything left in it)
/// when dropped.
struct PrivateDir {
    path: PathBuf,
}

impl PrivateDir {
    fn create(folder: &Path) -> std::io::Result<PrivateDir> {
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        let mut last = None;
        for _ in 0..16 {
            let path = folder.join(format!(".interview-bot-backup-{:016x}", fastrand::u64(..)));
            // mkdir(2) creates a new folder or fails; it never follows a link at that name.
            match builder.create(&path) {
                Ok(()) => return Ok(PrivateDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        // Removes links inside without following them.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Creates `path`, which must not exist (not even as a link), mode 0600, and returns it open.
fn create_exclusive(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options
            .mode(files::PRIVATE_MODE)
            .custom_flags(libc::O_NOFOLLOW);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(files::PRIVATE_MODE))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

/// Checks that `copy` is an intact database this binary can open: an SQLite file,
/// `PRAGMA integrity_check` ok, and a schema version from 1 to the binary's own.
pub fn check_copy(copy: &Path) -> Result<Copied, BackupError> {
    check_copy_as(copy, copy)
}

/// [`check_copy`] of the file at `open`, its problems worded for `shown` (the backup a
/// private copy was made of).
fn check_copy_as(open: &Path, shown: &Path) -> Result<Copied, BackupError> {
    let bad = |problem: String| BackupError::BadCopy {
        path: shown.display().to_string(),
        problem,
    };
    if !open.is_file() {
        return Err(bad("there is no such file".into()));
    }
    let conn = Connection::open_with_flags(
        open,
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

/// Copies the backup file `copy` (its bytes only, never a `-journal` or `-wal` beside it) to
/// `private`, a file created exclusively without following links, mode 0600, and synced.
fn private_copy(copy: &Path, private: &Path) -> Result<(), BackupError> {
    let bad = |problem: String| BackupError::BadCopy {
        path: copy.display().to_string(),
        problem,
    };
    if !copy.is_file() {
        return Err(bad("there is no such file".into()));
    }
    let mut from = File::open(copy).map_err(|e| bad(format!("it cannot be read ({e})")))?;
    let mut to = create_exclusive(private).map_err(|e| write_error(private, e))?;
    std::io::copy(&mut from, &mut to).map_err(|e| bad(format!("it cannot be read ({e})")))?;
    to.sync_all().map_err(|e| write_error(private, e))
}

/// Restores `copy` over the database at `database` (created if missing), after checking the
/// copy. Refuses if any process has the database open (the bot must be stopped). The restored
/// database and its files are owner-only.
///
/// The backup's folder may be writable by others (a shared backups folder), who could plant a
/// `-journal` beside it that SQLite would roll back into it, or fail on, when opening it. So
/// the backup file alone is first copied into a new private folder (mode 0700, random name)
/// beside the database, as [`backup_file`] writes its copy, and only that copy is checked and
/// opened; the folder goes when the restore ends.
pub fn restore(copy: &Path, database: &Path) -> Result<Copied, BackupError> {
    if database.is_dir() {
        return Err(write_error(database, "it is a folder"));
    }
    let folder = match database.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let private = PrivateDir::create(folder).map_err(|e| write_error(database, e))?;
    let private_copy_path = private.path.join("restore.sqlite3");
    private_copy(copy, &private_copy_path)?;
    let copied = check_copy_as(&private_copy_path, copy)?;
    let restored = restore_checked(&private_copy_path, database);
    drop(private);
    restored.map(|()| copied)
}

/// Copies `copy`, checked, over `database` (see [`restore`]).
fn restore_checked(copy: &Path, database: &Path) -> Result<(), BackupError> {
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
    drop(src);
    for f in files::sqlite_files(database) {
        files::owner_only(&f).map_err(|e| write_error(&f, e))?;
    }
    Ok(())
}

fn copy_into(src: &Connection, dst: &mut Connection) -> Result<(), rusqlite::Error> {
    copy(src, dst)
}
