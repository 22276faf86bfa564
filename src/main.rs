//! The `interview-bot` command: parses the command line, loads the config, sets up logging,
//! opens the store and hands over to the library.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use interview_bot::bank::{Bank, Level};
use interview_bot::clock::SystemClock;
use interview_bot::config::{Config, ConfigError};
use interview_bot::console::{ConsoleOptions, Style};
use interview_bot::engine::{Engine, Error};
use interview_bot::store::Store;
use interview_bot::text::closest;
use interview_bot::{console, discord, logging, table};

/// A Discord bot for technical interviews: questions by level with private model answers, on
/// Discord or offline in this terminal.
///
/// Configuration comes from the environment and from a `.env` file in the working directory
/// (see .env.example): DISCORD_TOKEN, DATABASE_PATH, QUESTIONS_DIR, DISCORD_GUILD_ID,
/// DISCORD_API_URL, DISCORD_DEFER_AFTER_MS, RUST_LOG, INTERVIEW_BOT_PROTOCOL_LOG (1 lifts the
/// cap on protocol logs, which then hold the token and hiring data). Files holding hiring data (the
/// database, its -wal and -shm files, backups, the console history, exports) are owner-only.
/// Exit codes: 0 success, 1 failure (including a piped console line that failed), 2
/// configuration or usage error, 141 when the reader of the output went away.
#[derive(Parser)]
#[command(
    name = "interview-bot",
    version,
    about = "A Discord bot for technical interviews: questions by level with private model answers, on Discord or offline in this terminal.",
    long_about
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the Discord bot. Needs DISCORD_TOKEN. With no command at all, the bot runs when
    /// DISCORD_TOKEN is set and the console otherwise.
    Run,
    /// Use the bot's commands in this terminal, without Discord: type `/help` to start.
    /// Reads commands from standard input, one per line, so it can also be scripted.
    Console {
        /// Start as a plain member (no interviewer role, no Manage Server) to try the
        /// refusals; by default the local user is a server administrator.
        #[arg(long)]
        member: bool,
    },
    /// Register the slash commands with Discord (one bulk overwrite) and exit, for
    /// deployments that register separately from running. Needs DISCORD_TOKEN.
    Register {
        /// Register to this server only (instant); default DISCORD_GUILD_ID, else globally.
        #[arg(long, value_parser = parse_id)]
        guild: Option<u64>,
    },
    /// Print the URL that adds the bot to a server, with the scopes and permissions it uses.
    InviteUrl {
        /// The application (client) id; without it the id is asked of Discord using
        /// DISCORD_TOKEN.
        #[arg(long, value_parser = parse_id)]
        client_id: Option<u64>,
    },
    /// Copy the database to PATH while the bot runs (SQLite's online backup API). The copy
    /// holds hiring data: it is made readable by its owner only (mode 0600).
    Backup {
        /// Where to write the copy (replaced if it exists).
        path: PathBuf,
    },
    /// Check the copy at PATH and restore it over DATABASE_PATH. Stop the bot first: a
    /// database in use is refused.
    Restore {
        /// The backup to restore.
        path: PathBuf,
    },
    /// Check or list the question packs.
    Bank {
        #[command(subcommand)]
        command: BankCommand,
    },
}

#[derive(Subcommand)]
enum BankCommand {
    /// Validate every pack, or one pack file; report each problem where it is (file:line, or
    /// row and column of a CSV) and exit 1 if there is any.
    Check {
        /// Folder of *.toml packs (default: QUESTIONS_DIR; else data/questions if it exists,
        /// else the packs built into the binary); or one pack file, .toml or .csv, checked as
        /// an upload would be (size, UTF-8, formula cells; problems by line, or row and column).
        #[arg(value_name = "DIR|FILE")]
        dir: Option<PathBuf>,
    },
    /// List the questions as a table, one line per question with its prompt cut to fit the
    /// terminal (filtered or not), or as JSON.
    List {
        /// Only this level: junior, mid or senior.
        #[arg(long, value_parser = parse_level)]
        level: Option<Level>,
        /// Only this topic, e.g. networking.
        #[arg(long)]
        topic: Option<String>,
        /// Print a JSON array with id, level, topic, tags, prompt, answer, bonus, red_flags, follow_ups.
        #[arg(long)]
        json: bool,
        /// Print whole prompts instead of fitting the table to the terminal (80 columns when
        /// piped).
        #[arg(long, conflicts_with = "json")]
        wide: bool,
    },
}

fn parse_id(s: &str) -> Result<u64, String> {
    interview_bot::config::parse_snowflake(s).ok_or_else(|| format!("`{s}` is not a Discord id"))
}

fn parse_level(s: &str) -> Result<Level, String> {
    Level::parse(s).ok_or_else(|| format!("`{s}` is not a level: use junior, mid or senior"))
}

/// A failure that ends the program: the message for the terminal and the exit code. An empty
/// message prints nothing (the reason was already shown).
struct Fatal(String, u8);

/// The exit code of a program whose reader closed the pipe, as for a Unix tool ended by
/// SIGPIPE (128 + 13).
const CLOSED_PIPE: u8 = 141;

/// What happened writing the output: a closed pipe (`| head`) ends quietly; anything else (a
/// full disk) is said in one line, and never exits 0.
fn output_failed(e: io::Error) -> Fatal {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Fatal(String::new(), CLOSED_PIPE)
    } else {
        Fatal(format!("cannot write the output: {e}"), 1)
    }
}

/// Writes all of `text` to standard output, or says why it could not.
fn emit(text: &str) -> Result<(), Fatal> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(output_failed)
}

impl From<ConfigError> for Fatal {
    fn from(e: ConfigError) -> Fatal {
        Fatal(format!("configuration error: {e}"), 2)
    }
}

fn main() -> ExitCode {
    interview_bot::process::limit_malloc_arenas();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fatal(msg, code)) => {
            if !msg.is_empty() {
                // Standard error may be closed too; nothing more can be done then.
                let _ = writeln!(io::stderr(), "interview-bot: {msg}");
            }
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Fatal> {
    let config = Config::load()?;
    if let Some(warning) = config
        .env_file
        .as_deref()
        .and_then(interview_bot::files::secret_file_warning)
    {
        let _ = writeln!(io::stderr(), "interview-bot: {warning}");
    }
    let command = match cli.command {
        Some(c) => c,
        None if config.discord_token.is_some() => Command::Run,
        None => {
            let _ = writeln!(
                io::stderr(),
                "interview-bot: DISCORD_TOKEN is not set, so this is the console (type /help). Set it in .env to run the Discord bot."
            );
            Command::Console { member: false }
        }
    };
    logging::init(matches!(command, Command::Run))
        .map_err(|e| Fatal(format!("configuration error: {e}"), 2))?;
    if matches!(
        command,
        Command::Run | Command::Console { .. } | Command::Backup { .. } | Command::Restore { .. }
    ) {
        // Hiring data: every file these commands create is owner-only, whatever the umask.
        interview_bot::files::private_umask();
    }
    match command {
        Command::Backup { path } => {
            let db = &config.database_path;
            if !db.is_file() {
                return Err(Fatal(
                    format!(
                        "backup failed: there is no database at {} (check DATABASE_PATH)",
                        db.display()
                    ),
                    1,
                ));
            }
            // Read-only: never migrates or writes the running bot's database.
            let copied = interview_bot::store::backup_file(db, &path)
                .map_err(|e| Fatal(format!("backup failed: {e}"), 1))?;
            emit(&format!(
                "Backed up {} to {} (schema version {}, {} pages). It holds hiring data: keep it private.\n",
                db.display(),
                path.display(),
                copied.schema_version,
                copied.pages
            ))
        }
        Command::Restore { path } => {
            let db = &config.database_path;
            let copied = interview_bot::store::restore(&path, db)
                .map_err(|e| Fatal(format!("restore refused: {e}"), 1))?;
            emit(&format!(
                "Restored {} over {} (schema version {}, {} pages). Start the bot again.\n",
                path.display(),
                db.display(),
                copied.schema_version,
                copied.pages
            ))
        }
        Command::Bank {
            command: BankCommand::Check { dir: Some(file) },
        } if file.is_file() => {
            // A file over the limit is refused by its size, unread.
            let size = std::fs::metadata(&file).map_or(0, |m| m.len());
            let max = interview_bot::bank::MAX_UPLOAD_BYTES;
            if size > max as u64 {
                return Err(Fatal(
                    format!(
                        "{}: the file has {size} bytes; a pack file may have at most {max} (split it into several packs)",
                        file.display()
                    ),
                    1,
                ));
            }
            let bytes = std::fs::read(&file)
                .map_err(|e| Fatal(format!("cannot read {}: {e}", file.display()), 1))?;
            let name = file
                .file_name()
                .map_or(String::new(), |n| n.to_string_lossy().into_owned());
            match interview_bot::bank::check_upload(&name, &bytes) {
                Ok(bank) => emit(&format!("{}: ok, {}\n", file.display(), bank.summary())),
                Err(problems) => {
                    let lines: Vec<String> = problems
                        .iter()
                        .map(|p| format!("  {}: {p}", file.display()))
                        .collect();
                    Err(Fatal(
                        format!(
                            "the pack file has {} problem{}:\n{}",
                            problems.len(),
                            if problems.len() == 1 { "" } else { "s" },
                            lines.join("\n")
                        ),
                        1,
                    ))
                }
            }
        }
        Command::Bank {
            command: BankCommand::Check { dir },
        } => {
            let (bank, source) = load_bank(dir.as_deref().or(config.questions_dir.as_deref()))?;
            let note = bank
                .legacy_note()
                .map_or(String::new(), |n| format!("{n}\n"));
            emit(&format!("{source}: ok, {}\n{note}", bank.summary()))
        }
        Command::Bank {
            command:
                BankCommand::List {
                    level,
                    topic,
                    json,
                    wide,
                },
        } => {
            let (bank, _) = load_bank(config.questions_dir.as_deref())?;
            let topic = topic.map(|t| t.to_lowercase());
            if let Some(t) = &topic
                && !bank.has_topic(t)
            {
                let topics: Vec<&str> = bank.topics().collect();
                let err = Error::UnknownTopic {
                    topic: t.clone(),
                    suggestion: closest(t, &topics).map(String::from),
                    topics: topics.into_iter().map(String::from).collect(),
                };
                return Err(Fatal(err.user_message(), 2));
            }
            let questions: Vec<_> = bank.filter(level, topic.as_deref()).collect();
            let text = if json {
                serde_json::to_string_pretty(&questions).map_err(|e| Fatal(e.to_string(), 1))?
            } else {
                let width = if wide {
                    None
                } else {
                    Some(stdout_style().width)
                };
                table::questions(&questions, width)
            };
            emit(&format!("{text}\n"))
        }
        Command::Console { member } => {
            let engine = open_engine(&config)?;
            let opts = ConsoleOptions {
                user_name: config.console_user.clone(),
                plain_member: member,
                interactive: io::stdin().is_terminal() && io::stdout().is_terminal(),
                history: Some(history_path(&config.database_path)),
                out_style: stdout_style(),
                err_style: Style::detect(
                    io::stderr().is_terminal(),
                    std::env::var_os("NO_COLOR").is_some(),
                    terminal_size::terminal_size_of(io::stderr()).map(|(w, _)| usize::from(w.0)),
                ),
            };
            let ran = console::run(
                &engine,
                &opts,
                io::stdin().lock(),
                io::stdout().lock(),
                io::stderr().lock(),
            );
            let closed = engine.store().close();
            let all_ok = ran.map_err(|e| output_failed(e.0))?;
            closed.map_err(|e| Fatal(e.to_string(), 1))?;
            // Each failed line was already explained. Piped, the exit code tells scripts that
            // one failed; a person at a terminal saw it and leaves normally.
            if all_ok || opts.interactive {
                Ok(())
            } else {
                Err(Fatal(String::new(), 1))
            }
        }
        Command::Run => {
            let conn = connection(&config, config.guild_id)?;
            let engine = open_engine(&config)?;
            let rt = runtime()?;
            let result = rt.block_on(discord::run(&conn, engine.clone(), shutdown_signal()));
            // Background tasks still running (a reconnect attempt, say) are not waited for.
            rt.shutdown_timeout(std::time::Duration::from_secs(2));
            let closed = engine.store().close();
            result.map_err(|e| Fatal(format!("the bot stopped: {e}"), 1))?;
            closed.map_err(|e| Fatal(e.to_string(), 1))?;
            tracing::info!("stopped cleanly");
            Ok(())
        }
        Command::Register { guild } => {
            let conn = connection(&config, guild.or(config.guild_id))?;
            let count = runtime()?
                .block_on(async {
                    let http = conn.http();
                    discord::check_reachable(&http, &conn).await?;
                    discord::application_id(&http).await?;
                    discord::register_commands(
                        &http,
                        interview_bot::features::REGISTRY,
                        conn.guild_id,
                    )
                    .await
                    .map(|c| c.len())
                })
                .map_err(|e| Fatal(format!("registration failed: {e}"), 1))?;
            match conn.guild_id {
                Some(g) => emit(&format!("Registered {count} commands to server {g}.\n")),
                None => emit(&format!(
                    "Registered {count} commands globally (Discord may take a few minutes to show them).\n"
                )),
            }
        }
        Command::InviteUrl { client_id } => {
            let id = match client_id {
                Some(id) => id,
                None => {
                    if config.discord_token.is_none() {
                        return Err(Fatal(
                            "DISCORD_TOKEN is not set, so the application id cannot be asked of Discord: pass it with --client-id <id> (the Application ID on the developer portal's General Information page), or set DISCORD_TOKEN in .env.".into(),
                            2,
                        ));
                    }
                    let conn = connection(&config, None)?;
                    runtime()?
                        .block_on(async { discord::application_id(&conn.http()).await })
                        .map_err(|e| {
                            Fatal(
                                format!("could not ask Discord for the application id ({e}); pass --client-id"),
                                1,
                            )
                        })?
                        .get()
                }
            };
            emit(&format!("{}\n", discord::invite::url(id)))
        }
    }
}

fn connection(config: &Config, guild_id: Option<u64>) -> Result<discord::Connection, Fatal> {
    Ok(discord::Connection {
        token: config.require_token()?.clone(),
        api_url: config.api_url.clone(),
        guild_id,
        defer_after: config.defer_after,
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, Fatal> {
    tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(interview_bot::process::BLOCKING_THREADS)
        .enable_all()
        .build()
        .map_err(|e| Fatal(format!("cannot start the async runtime: {e}"), 1))
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

fn load_bank(dir: Option<&Path>) -> Result<(Bank, String), Fatal> {
    Bank::load_configured(dir).map_err(|e| Fatal(e.to_string(), 1))
}

fn open_engine(config: &Config) -> Result<Engine, Fatal> {
    let (bank, source) = load_bank(config.questions_dir.as_deref())?;
    tracing::info!(questions = bank.len(), from = %source, "question bank loaded");
    let store = Store::open(&config.database_path).map_err(|e| Fatal(e.to_string(), 1))?;
    Ok(Engine::new(Arc::new(bank), store, Arc::new(SystemClock)))
}

/// How standard output is styled: colour and width on a terminal, plain 80 columns otherwise.
fn stdout_style() -> Style {
    Style::detect(
        io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").is_some(),
        terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)),
    )
}

/// The console's line history: beside the database, `interview-bot.history` for
/// `interview-bot.sqlite3`.
fn history_path(database: &Path) -> PathBuf {
    database.with_extension("history")
}
