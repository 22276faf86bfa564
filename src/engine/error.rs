//! The engine's errors, and the one place they become messages a user understands.

use crate::store::StoreError;
use crate::text::quote;

use super::commands::{self, COMMANDS};
use super::reply::Reply;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unknown command /{0}")]
    UnknownCommand(String),
    #[error("unknown option {option} for /{command}")]
    UnknownOption {
        command: &'static str,
        option: String,
    },
    #[error("option {option} given twice for /{command}")]
    DuplicateOption {
        command: &'static str,
        option: &'static str,
    },
    #[error("missing option {option} for /{command}")]
    MissingOption {
        command: &'static str,
        option: &'static str,
    },
    #[error("invalid value for {option} of /{command}: expected {expected}")]
    InvalidValue {
        command: &'static str,
        option: &'static str,
        value: String,
        expected: String,
    },
    #[error("unknown question id {id}")]
    UnknownQuestion {
        id: String,
        suggestions: Vec<String>,
    },
    #[error("unknown topic {topic}")]
    UnknownTopic { topic: String, topics: Vec<String> },
    #[error("no {level} questions for the chosen topic")]
    NoQuestions {
        level: String,
        topic: Option<String>,
    },
    #[error("unknown or outdated button action {0}")]
    UnknownAction(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A failure outside the engine's own logic (a panic caught by a front end, say).
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Failures on our side (as opposed to a mistake in the request): logged as errors.
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Store(_) | Error::Internal(_))
    }

    /// The message shown to the user. Anything the user typed is quoted safely; internal
    /// detail never appears here.
    pub fn user_message(&self) -> String {
        match self {
            Error::UnknownCommand(name) => {
                let names: Vec<String> = COMMANDS.iter().map(|c| format!("/{}", c.name)).collect();
                format!(
                    "There is no command /{}. Commands: {}. Try /help.",
                    quote(name).trim_matches('`'),
                    names.join(", ")
                )
            }
            Error::UnknownOption { command, option } => {
                let valid = option_names(command);
                format!(
                    "/{command} has no option {}. {valid}",
                    quote(option)
                )
            }
            Error::DuplicateOption { command, option } => {
                format!("The option `{option}` was given twice. Usage: `{}`", usage(command))
            }
            Error::MissingOption { command, option } => {
                format!(
                    "/{command} needs the option `{option}`. Usage: `{}`",
                    usage(command)
                )
            }
            Error::InvalidValue {
                option,
                value,
                expected,
                ..
            } => format!(
                "{} is not a valid `{option}`: expected {expected}.",
                quote(value)
            ),
            Error::UnknownQuestion { id, suggestions } => {
                let mut msg = format!("No question has the id {}.", quote(id));
                if !suggestions.is_empty() {
                    let s: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
                    msg.push_str(&format!(" Did you mean {}?", s.join(", ")));
                }
                msg.push_str(
                    " Ids are shown under each question; /answer suggests them as you type.",
                );
                msg
            }
            Error::UnknownTopic { topic, topics } => format!(
                "No topic called {}. Topics: {}.",
                quote(topic),
                topics.join(", ")
            ),
            Error::NoQuestions { level, topic } => match topic {
                Some(t) => format!(
                    "There are no {level} questions on `{t}` yet. Try another topic or level."
                ),
                None => format!("There are no {level} questions yet."),
            },
            Error::UnknownAction(_) => {
                "That button no longer works (the bot was updated since it was posted). Run the command again."
                    .to_string()
            }
            Error::Store(_) | Error::Internal(_) => {
                "Something went wrong on our side and it has been logged. Please try again in a moment."
                    .to_string()
            }
        }
    }

    /// The private reply for this error.
    pub fn to_reply(&self) -> Reply {
        Reply {
            is_error: true,
            ..Reply::private_text(format!("⚠️ {}", self.user_message()))
        }
    }
}

fn usage(command: &str) -> String {
    commands::find(command).map_or_else(|| format!("/{command}"), |c| c.usage())
}

fn option_names(command: &str) -> String {
    match commands::find(command) {
        Some(c) if c.options.is_empty() => format!("/{command} takes no options."),
        Some(c) => format!(
            "Options: {}.",
            c.options
                .iter()
                .map(|o| format!("`{}`", o.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => String::new(),
    }
}
