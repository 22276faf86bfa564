//! Logging set up in one place: `RUST_LOG` if set, otherwise a quiet default. Logs go to
//! standard error so the console's output stays clean.
//!
//! Two rules hold whatever `RUST_LOG` says:
//!
//! - The crates that speak Discord's protocol ([`PROTOCOL_CRATES`]) log at most warnings. Below
//!   that they print what goes over the wire: serenity's `#[instrument]` spans hold whole
//!   requests (interaction tokens in the URL, scorecards and notes, the CSV export) and gateway
//!   events; tungstenite traces frames; reqwest logs URLs. Only [`PROTOCOL_LOG_VAR`]` = 1`
//!   lifts the cap, for protocol debugging; such a log holds tokens and hiring data.
//! - One event is one line: newlines and other control characters inside an event (a value a
//!   member typed, an error that quotes it) are written escaped, so nothing can forge a line.
//!   Call sites log user text with `?` (quoted, escaped) or through [`escaped`].

use std::fmt;
use std::io::{self, IsTerminal, Write};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The environment variable that lifts the cap on [`PROTOCOL_CRATES`] (value `1`).
pub const PROTOCOL_LOG_VAR: &str = "INTERVIEW_BOT_PROTOCOL_LOG";

/// The log targets (crates, and everything under them) that print request and response
/// bodies, URLs with interaction tokens, or gateway frames below [`PROTOCOL_CAP`]. A target
/// matches by prefix, so `hyper` covers `hyper_util` and `hyper_rustls`.
pub const PROTOCOL_CRATES: &[&str] = &[
    "serenity",
    "tungstenite",
    "tokio_tungstenite",
    "reqwest",
    "hyper",
    "h2",
    "tower_http",
    "rustls",
    "tokio_rustls",
    "webpki",
    "rustls_webpki",
];

/// The most verbose level [`PROTOCOL_CRATES`] may log at. serenity's `#[instrument]` spans are
/// at `info`, so `warn` keeps them (and the requests they hold) out of the log.
pub const PROTOCOL_CAP: LevelFilter = LevelFilter::WARN;

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
    let lifted = match std::env::var(PROTOCOL_LOG_VAR).as_deref().map(str::trim) {
        Ok("1") => true,
        Ok("" | "0") | Err(_) => false,
        Ok(_) => {
            return Err(format!(
                "{PROTOCOL_LOG_VAR} must be 1 (log Discord's protocol, tokens and hiring data included) or 0; leave it unset."
            ));
        }
    };
    // Colours only for a person at a terminal, not in files or journald.
    let ansi = io::stderr().is_terminal();
    let _ = tracing_subscriber::registry()
        // A filter of its own beside RUST_LOG's: an event is logged only if both allow it, so
        // no directive in RUST_LOG (`serenity::http=trace` included) gets past the cap.
        .with((!lifted).then(protocol_cap))
        .with(filter)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(OneLine { ansi })
                .with_ansi(ansi),
        )
        .try_init();
    if lifted {
        // Straight to standard error, whatever RUST_LOG keeps: whoever reads this log is told.
        let _ = writeln!(
            io::stderr(),
            "interview-bot: {PROTOCOL_LOG_VAR}=1: the protocol crates log at the RUST_LOG level; this log may hold the bot token, interaction tokens and hiring data. Keep it private."
        );
    }
    std::panic::set_hook(Box::new(|info| {
        tracing::error!(panic = %escaped(info), "panic");
    }));
    Ok(())
}

/// Everything allowed, except [`PROTOCOL_CRATES`] above [`PROTOCOL_CAP`].
pub fn protocol_cap() -> Targets {
    PROTOCOL_CRATES
        .iter()
        .fold(Targets::new().with_default(LevelFilter::TRACE), |t, c| {
            t.with_target(*c, PROTOCOL_CAP)
        })
}

/// `value`'s `Display` with control and invisible formatting characters escaped (`\n`,
/// `\u{1b}`, ...), for a value that may hold user text and reads better unquoted.
pub fn escaped<T: fmt::Display + ?Sized>(value: &T) -> Escaped<'_, T> {
    Escaped(value)
}

/// See [`escaped`].
pub struct Escaped<'a, T: ?Sized>(&'a T);

impl<T: fmt::Display + ?Sized> fmt::Display for Escaped<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = EscapingWriter(f);
        fmt::write(&mut out, format_args!("{}", self.0))
    }
}

struct EscapingWriter<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl fmt::Write for EscapingWriter<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            if needs_escape(c) {
                write!(self.0, "{}", c.escape_unicode())?;
            } else {
                self.0.write_char(c)?;
            }
        }
        Ok(())
    }
}

/// Control characters (C0, DEL, C1), the invisible formatting ones that reorder or hide
/// text (the same set candidate names refuse: [`crate::text::is_control_or_format`]), and the
/// line and paragraph separators, which start a new line in some viewers (and U+2065, the one
/// unassigned code point among the invisible operators, in case a future Unicode fills it).
fn needs_escape(c: char) -> bool {
    crate::text::is_control_or_format(c) || matches!(c, '\u{2028}' | '\u{2029}' | '\u{2065}')
}

/// One log event as one line: control characters inside an event are escaped, whichever field
/// they came from, and only the event's final newline is kept. With colours on, escape
/// sequences (the formatter's own) pass.
#[derive(Clone, Copy)]
struct OneLine {
    ansi: bool,
}

impl<'a> MakeWriter<'a> for OneLine {
    type Writer = OneLine;

    fn make_writer(&'a self) -> OneLine {
        *self
    }
}

impl Write for OneLine {
    /// The formatter hands over each event whole, in one call.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let line = one_line(&String::from_utf8_lossy(buf), self.ansi);
        io::stderr().lock().write_all(line.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// `event` with every control character but a final newline (and, with `ansi`, escape
/// characters) escaped.
pub fn one_line(event: &str, ansi: bool) -> String {
    let (body, end) = match event.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (event, ""),
    };
    let mut out = String::with_capacity(event.len() + 2);
    for c in body.chars() {
        match c {
            '\u{1b}' if ansi => out.push(c),
            '\t' => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out.push_str(end);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_stays_one_line() {
        let forged = "INFO request refused error=unknown question id z\n2026-01-01 ERROR bot: FORGED line\r\n";
        let line = one_line(&format!("{forged}\n"), false);
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(line.ends_with('\n'));
        assert!(
            line.contains("z\\n2026-01-01 ERROR bot: FORGED line\\r\\n"),
            "{line}"
        );
        assert_eq!(
            one_line("\u{1b}]0;title\u{7}x\n", false),
            "\\u{1b}]0;title\\u{7}x\n"
        );
        assert_eq!(
            one_line("\u{1b}[2mx\u{1b}[0m\n", true),
            "\u{1b}[2mx\u{1b}[0m\n"
        );
    }

    #[test]
    fn escaped_values_hold_no_control_or_bidi_characters() {
        let s = escaped("a\nb\u{202e}c\u{200b}d\te").to_string();
        assert_eq!(s, "a\\u{a}b\\u{202e}c\\u{200b}d\\u{9}e");
        assert_eq!(escaped("Dana Scully ✓").to_string(), "Dana Scully ✓");
    }

    #[test]
    fn the_cap_holds_for_every_protocol_crate_and_leaves_the_rest() {
        use tracing::Level;
        let cap = protocol_cap();
        // Module paths as the crates log them (the Discord client's own, too).
        let client = PROTOCOL_CRATES[0];
        for target in [
            format!("{client}::http::client"),
            format!("{client}::gateway::shard"),
            "tungstenite::protocol".into(),
            "tokio_tungstenite".into(),
            "reqwest::connect".into(),
            "hyper_util::client::legacy".into(),
            "rustls::client::hs".into(),
            "tokio_rustls".into(),
        ] {
            let target = target.as_str();
            assert!(!cap.would_enable(target, &Level::INFO), "{target}");
            assert!(cap.would_enable(target, &Level::WARN), "{target}");
        }
        assert!(cap.would_enable("interview_bot::engine", &Level::TRACE));
        assert!(cap.would_enable("tokio::runtime", &Level::TRACE));
    }
}
