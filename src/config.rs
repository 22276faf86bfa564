//! Configuration: read once at start from `.env` (if present) and the environment into one
//! typed [`Config`] that is passed down. Every problem names the variable and the fix.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// How long an answer may take before the interaction is deferred, by default.
pub const DEFAULT_DEFER_AFTER: Duration = Duration::from_millis(2000);
/// Discord's window is 3 s; past 2.5 s the deferral itself might arrive too late.
const MAX_DEFER_AFTER_MS: u64 = 2500;

/// The bot token. Its `Debug` and `Display` never show the value, so it cannot leak into logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(hidden)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(hidden)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `DISCORD_TOKEN`: needed only to connect to Discord.
    pub discord_token: Option<Token>,
    /// `DATABASE_PATH`, default `interview-bot.sqlite3`.
    pub database_path: PathBuf,
    /// `QUESTIONS_DIR`. Unset: `data/questions` if it exists, else the built-in packs.
    pub questions_dir: Option<PathBuf>,
    /// `DISCORD_GUILD_ID`: register commands to this server only (instant; for development).
    pub guild_id: Option<u64>,
    /// `DISCORD_API_URL`: base URL of a Discord API proxy (or a fake Discord in tests).
    pub api_url: Option<String>,
    /// `DISCORD_DEFER_AFTER_MS`: how long an answer may take before the bot acknowledges the
    /// interaction and delivers the answer later (0 to 2500 ms; default 2000). Discord allows
    /// 3 seconds; a bot far from Discord may want a smaller value. 0 always defers.
    pub defer_after: Duration,
    /// The name the console's local user goes by: `USER` (or `USERNAME`), else "console".
    pub console_user: String,
    /// The `.env` file that was read, if any (it may hold the token: `main` warns when others
    /// can read it).
    pub env_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{var} is not valid: {problem}. {fix}")]
    Invalid {
        var: &'static str,
        problem: String,
        fix: &'static str,
    },
    #[error(
        "DISCORD_TOKEN is not set. Put the bot token from the Discord developer portal in .env (see .env.example), or run `interview-bot console` to try the bot without Discord."
    )]
    MissingToken,
    #[error(".env could not be read: {0}. See .env.example for the format.")]
    DotEnv(String),
    #[error(".env line {line} is not `NAME=value`: fix or remove it (see .env.example).")]
    DotEnvLine { line: usize },
    #[error("{var}: no such folder {path}. {fix}")]
    NoFolder {
        var: &'static str,
        path: String,
        fix: &'static str,
    },
}

impl Config {
    /// Loads `.env` from the working directory if there is one, then reads the environment.
    /// Variables already set in the environment win over `.env`.
    pub fn load() -> Result<Config, ConfigError> {
        let env_file = match dotenvy::dotenv() {
            Ok(path) => Some(path),
            Err(e) if e.not_found() => None,
            // The line's text may hold the token: name its number, never its content.
            Err(dotenvy::Error::LineParse(text, _)) => {
                let line = std::fs::read_to_string(".env")
                    .ok()
                    .and_then(|file| {
                        file.lines()
                            .position(|l| l.trim() == text.trim())
                            .map(|i| i + 1)
                    })
                    .unwrap_or(0);
                return Err(ConfigError::DotEnvLine { line });
            }
            Err(e) => return Err(ConfigError::DotEnv(e.to_string())),
        };
        Ok(Config {
            env_file,
            ..Config::from_lookup(|name| std::env::var(name).ok())?
        })
    }

    /// Builds the config from any lookup function (the environment, or a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let discord_token = match get("DISCORD_TOKEN") {
            None => None,
            // Any text is accepted (a proxy or a test server may use any token); only control
            // characters are refused, since they cannot go into an HTTP header.
            Some(t) if t.trim().chars().any(char::is_control) => {
                return Err(ConfigError::Invalid {
                    var: "DISCORD_TOKEN",
                    problem: "it contains control characters".into(),
                    fix: "Copy the token again from the Bot page of your application in the Discord developer portal.",
                });
            }
            Some(t) => Some(Token(t.trim().to_string())),
        };
        let guild_id = match get("DISCORD_GUILD_ID") {
            None => None,
            Some(raw) => Some(parse_snowflake(&raw).ok_or_else(|| ConfigError::Invalid {
                var: "DISCORD_GUILD_ID",
                problem: format!("`{}` is not a server id", raw.trim()),
                fix: "Use the numeric id (Developer Mode on, right-click the server, Copy Server ID), or leave it unset.",
            })?),
        };
        let api_url = match get("DISCORD_API_URL") {
            None => None,
            Some(raw) => {
                let url = raw.trim().trim_end_matches('/').to_string();
                let rest = url
                    .strip_prefix("http://")
                    .or_else(|| url.strip_prefix("https://"));
                if rest.is_none_or(|r| r.is_empty() || r.contains(char::is_whitespace)) {
                    return Err(ConfigError::Invalid {
                        var: "DISCORD_API_URL",
                        problem: format!("`{url}` is not an http(s) URL"),
                        fix: "Give the proxy's base URL such as http://127.0.0.1:3000, or leave it unset to talk to Discord directly.",
                    });
                }
                Some(url)
            }
        };
        let defer_after = match get("DISCORD_DEFER_AFTER_MS") {
            None => DEFAULT_DEFER_AFTER,
            Some(raw) => match raw.trim().parse::<u64>() {
                Ok(ms) if ms <= MAX_DEFER_AFTER_MS => Duration::from_millis(ms),
                _ => {
                    return Err(ConfigError::Invalid {
                        var: "DISCORD_DEFER_AFTER_MS",
                        problem: format!(
                            "`{}` is not a number of milliseconds from 0 to {MAX_DEFER_AFTER_MS}",
                            raw.trim()
                        ),
                        fix: "Leave it unset for the default (2000), or give a smaller value to defer sooner.",
                    });
                }
            },
        };
        Ok(Config {
            defer_after,
            discord_token,
            database_path: get("DATABASE_PATH")
                .map_or_else(|| PathBuf::from("interview-bot.sqlite3"), PathBuf::from),
            questions_dir: match get("QUESTIONS_DIR") {
                None => None,
                Some(raw) => {
                    let dir = PathBuf::from(raw.trim());
                    if !dir.is_dir() {
                        return Err(ConfigError::NoFolder {
                            var: "QUESTIONS_DIR",
                            path: dir.display().to_string(),
                            fix: "Point it at a folder of *.toml question packs, or unset it to use the packs built into the binary.",
                        });
                    }
                    Some(dir)
                }
            },
            guild_id,
            api_url,
            console_user: get("USER")
                .or_else(|| get("USERNAME"))
                .map_or_else(|| "console".to_string(), |u| u.trim().to_string()),
            env_file: None,
        })
    }

    /// The token, or the error that explains how to get one.
    pub fn require_token(&self) -> Result<&Token, ConfigError> {
        self.discord_token.as_ref().ok_or(ConfigError::MissingToken)
    }
}

/// A Discord id: a positive integer.
pub fn parse_snowflake(s: &str) -> Option<u64> {
    s.trim().parse::<u64>().ok().filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let c = cfg(&[]).unwrap();
        assert_eq!(c.database_path, PathBuf::from("interview-bot.sqlite3"));
        assert_eq!(c.questions_dir, None);
        assert!(c.discord_token.is_none() && c.guild_id.is_none() && c.api_url.is_none());
        assert_eq!(c.require_token().unwrap_err(), ConfigError::MissingToken);
    }

    #[test]
    fn token_is_never_printed() {
        let c = cfg(&[("DISCORD_TOKEN", "secret-token-value-123")]).unwrap();
        assert!(!format!("{c:?}").contains("secret-token-value-123"));
        assert_eq!(
            c.require_token().unwrap().expose(),
            "secret-token-value-123"
        );
    }

    #[test]
    fn a_missing_questions_folder_is_named() {
        let e = cfg(&[("QUESTIONS_DIR", "/nonexistent/packs")]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("QUESTIONS_DIR: no such folder /nonexistent/packs."),
            "{e}"
        );
        let here = cfg(&[("QUESTIONS_DIR", env!("CARGO_MANIFEST_DIR"))]).unwrap();
        assert!(here.questions_dir.is_some());
    }

    #[test]
    fn bad_values_name_the_variable() {
        let e = cfg(&[("DISCORD_GUILD_ID", "my-server")]).unwrap_err();
        assert!(e.to_string().starts_with("DISCORD_GUILD_ID is not valid"));
        let e = cfg(&[("DISCORD_API_URL", "ftp://x")]).unwrap_err();
        assert!(e.to_string().starts_with("DISCORD_API_URL is not valid"));
        let e = cfg(&[("DISCORD_DEFER_AFTER_MS", "3000")]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("DISCORD_DEFER_AFTER_MS is not valid")
        );
        assert_eq!(
            cfg(&[("DISCORD_DEFER_AFTER_MS", "0")]).unwrap().defer_after,
            Duration::ZERO
        );
        assert_eq!(cfg(&[]).unwrap().defer_after, DEFAULT_DEFER_AFTER);
        let e = cfg(&[("DISCORD_TOKEN", "secret\u{7}bell")]).unwrap_err();
        assert!(e.to_string().starts_with("DISCORD_TOKEN is not valid"));
        assert!(!e.to_string().contains("secret"));
        // A short test token is fine.
        assert!(
            cfg(&[("DISCORD_TOKEN", "x")])
                .unwrap()
                .discord_token
                .is_some()
        );
        let c = cfg(&[
            ("DISCORD_API_URL", "http://127.0.0.1:9/"),
            ("DISCORD_GUILD_ID", "42"),
        ])
        .unwrap();
        assert_eq!(c.api_url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(c.guild_id, Some(42));
    }
}
