//! Files that hold hiring data are readable by their owner only (mode 0600): the database, its
//! `-wal` and `-shm` files, backups and the console history. On Unix the process umask is set
//! to `0o077` before any of them is created ([`private_umask`]), and files that already exist
//! are narrowed when they are opened ([`owner_only`]). SQLite creates its `-wal` and `-shm`
//! files with the database file's own mode, so a 0600 database keeps them 0600 too.

use std::io;
use std::path::Path;

/// The mode every data file gets.
pub const PRIVATE_MODE: u32 = 0o600;

/// Sets the process umask so that files created from now on are owner-only, whatever umask
/// the process started with. Called by `main` before the commands that write data.
pub fn private_umask() {
    #[cfg(unix)]
    // SAFETY: umask(2) only swaps the process's file mode creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// Takes every permission of group and others off an existing file (Unix; elsewhere nothing
/// is done), so a 0644 file becomes 0600; the owner's own bits are kept (a read-only 0444 file
/// becomes 0400, not writable). A file that does not exist is left alone.
pub fn owner_only(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                let mode = m.permissions().mode() & 0o7700;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            }
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
}

/// Creates `path` (empty) with mode 0600 if it does not exist yet, then takes group and
/// others' permissions off it.
pub fn create_owner_only(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(PRIVATE_MODE);
    }
    options.open(path)?;
    owner_only(path)
}

/// The SQLite files of a database: the file itself, `-wal` and `-shm`.
pub fn sqlite_files(database: &Path) -> [std::path::PathBuf; 3] {
    let with = |suffix: &str| {
        let mut s = database.as_os_str().to_os_string();
        s.push(suffix);
        std::path::PathBuf::from(s)
    };
    [database.to_path_buf(), with("-wal"), with("-shm")]
}

/// Whether a file others may read (or write) holds a secret: the warning to print, as ssh does
/// for keys, or `None` when the file is owner-only or absent.
pub fn secret_file_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then(|| {
            format!(
                "warning: {} is readable by other users (mode {mode:04o}) and holds the bot token: run `chmod 600 {}`",
                path.display(),
                path.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}
