//! Logging set up in one place: `RUST_LOG` if set, otherwise a quiet default. Logs go to
//! standard error so the console's output stays clean.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// `bot` picks a default suited to a long-running bot (info); other commands default to
/// warnings only.
pub fn init(bot: bool) {
    let default = if bot {
        "interview_bot=info,serenity=warn,warn"
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, not in files or journald.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
    std::panic::set_hook(Box::new(|info| {
        tracing::error!(panic = %info, "panic");
    }));
}
