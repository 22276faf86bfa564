//! Process-wide settings `main` applies once at start: how much memory the allocator keeps and
//! how many threads may wait on SQLite.

/// Threads the async runtime may run blocking work on (engine calls, which wait on SQLite).
/// SQLite has one writer and a few readers, so more threads would only queue on its locks,
/// each with its own stack and allocator arena; beyond this many, work waits in tokio's queue.
pub const BLOCKING_THREADS: usize = 8;

/// Caps glibc's malloc arenas at two. By default glibc gives each thread that allocates at once
/// with others an arena of its own (up to eight per core), and each keeps the memory it freed:
/// with many blocking threads the bot's resident memory grows with the number of threads that
/// ever ran, not with what it holds. Other C libraries need nothing here.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's tuning; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
