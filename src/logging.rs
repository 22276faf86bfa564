//! Logging set up in one place: `RUST_LOG` if set, otherwise a quiet default. Logs go to
//! standard error so the console's output stays clean.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// `bot` picks a default suited to a long-running bot (info); other commands (the console
/// among them) default to warnings only, so log lines stay out of their output. A `RUST_LOG`
/// that is not a valid filter is an error that names it, not silently ignored.
pub fn init(bot: bool) -> Result<(), String> {
    let default = if bot {
        "interview_bot=info,serenity=warn,warn"
    } else {
        "warn"
    };
    let filter = match std::env::var("RUST_LOG") {
        Ok(value) if !value.trim().is_empty() => EnvFilter::try_new(value.trim()).map_err(|e| {
            format!(
                "RUST_LOG is not a valid log filter ({e}). Use for example `interview_bot=info,warn`, or leave it unset."
            )
        })?,
        _ => EnvFilter::new(default),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, not in files or journald.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
    std::panic::set_hook(Box::new(|info| {
        tracing::error!(panic = %info, "panic");
    }));
    Ok(())
}
