//! The engine's errors, and the one place they become messages a user understands.

use crate::store::{HoldsStoreError, Op, StoreError};
use crate::text::quote;

use super::access::Access;
use super::command::Leaf;
use super::effect::{Message, Outcome, Visibility};
use super::feature::Registry;
use super::request::ChannelKind;

/// What a command, button or job handler returns: the effects to deliver, or why not.
pub type Handled = Result<Outcome, Error>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `registry` is what the message lists and suggests from.
    #[error("unknown command")]
    UnknownCommand { name: String, registry: Registry },
    #[error("unknown option {option} for /{command}")]
    UnknownOption { command: Leaf, option: String },
    #[error("option {option} given twice for /{command}")]
    DuplicateOption { command: Leaf, option: &'static str },
    #[error("missing option {option} for /{command}")]
    MissingOption { command: Leaf, option: &'static str },
    #[error("invalid value for {option}: expected {expected}")]
    InvalidValue {
        option: &'static str,
        value: String,
        expected: String,
    },
    #[error("unknown {what} for {option}")]
    UnknownEntity {
        option: &'static str,
        what: &'static str,
        value: String,
        /// The names of those the request knows (the console's channel, role and users;
        /// on Discord, what it resolved), to list.
        known: Vec<String>,
    },
    #[error("channel of the wrong kind for {option}")]
    WrongChannelKind {
        option: &'static str,
        channel: String,
        got: ChannelKind,
        allowed: &'static [ChannelKind],
    },
    #[error("unknown question id {id}")]
    UnknownQuestion {
        id: String,
        suggestions: Vec<String>,
    },
    #[error("unknown topic {topic}")]
    UnknownTopic {
        topic: String,
        topics: Vec<String>,
        suggestion: Option<String>,
    },
    #[error("the question {0} of a posted button is no longer in the bank")]
    QuestionGone(String),
    #[error("the button was used already")]
    AlreadyUsed,
    #[error("cooling down")]
    Cooldown { seconds: i64 },
    /// A rate-limited command run again too soon by the same member.
    #[error("rate limited: /{command}")]
    RateLimited {
        command: &'static str,
        max: usize,
        window_s: i64,
        seconds: i64,
    },
    #[error("no {level} questions for the chosen topic")]
    NoQuestions {
        level: String,
        topic: Option<String>,
        /// Packs switched off in the server, which might have had some.
        off: Vec<String>,
    },
    #[error("unknown or outdated button action")]
    UnknownAction,
    #[error("not allowed: needs {}", rule.describe())]
    NotAllowed { rule: Access },
    #[error("used outside a server")]
    OutsideGuild,
    #[error("not a time of day")]
    InvalidTime(String),
    #[error("not a duration")]
    InvalidDuration(String),
    #[error("not a list of days")]
    InvalidDays(String),
    #[error("unknown time zone")]
    UnknownZone {
        name: String,
        suggestions: Vec<String>,
    },
    #[error("no daily schedule in that channel")]
    NoSchedule(String),
    #[error("the bot lacks permissions in the channel")]
    BotLacksPermissions {
        channel: String,
        missing: Vec<&'static str>,
    },
    /// A console line that is not a command.
    #[error("console input error")]
    Input(InputError),
    /// Something a feature refuses, in the feature's own terms ([`Refusal`]). Logged by kind
    /// only: the details may hold user text.
    #[error("refused: {}", .0.kind())]
    Refused(Box<dyn Refusal>),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A failure outside the engine's own logic (a panic caught by a front end, a bug).
    #[error("internal error: {0}")]
    Internal(String),
}

/// What a feature refuses, declared by the feature beside the code that refuses it: the
/// framework shows [`Refusal::user_message`] privately and logs only [`Refusal::kind`].
/// `Error::refusal::<T>()` gives the typed value back to tests.
pub trait Refusal: std::fmt::Debug + Send + Sync + std::any::Any {
    /// What was refused, for logs: a fixed phrase, never user text.
    fn kind(&self) -> &'static str;
    /// The private reply that says what to do instead.
    fn user_message(&self) -> String;
}

impl<R: Refusal> From<R> for Error {
    fn from(r: R) -> Error {
        Error::Refused(Box::new(r))
    }
}

impl Error {
    /// The feature's refusal of type `R`, if this is one.
    pub fn refusal<R: Refusal>(&self) -> Option<&R> {
        match self {
            Error::Refused(r) => (r.as_ref() as &dyn std::any::Any).downcast_ref(),
            _ => None,
        }
    }
}

/// What can be wrong with a line typed in the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    NotACommand,
    EmptyCommand,
    UnclosedQuote,
    TooManyValues {
        command: Leaf,
        /// What probably happened: a choice written as two words, or a value with spaces.
        hint: Option<String>,
    },
    BadButtonNumber(String),
    /// `!N` with no message of buttons or drop-down lists shown yet.
    NoButtons,
    /// `!N` past the last button or list; `lists`: some of them are lists.
    NoSuchButton {
        pressed: usize,
        count: usize,
        lists: bool,
    },
    /// `!N 1 2` where `!N` is a button.
    ButtonTakesNoValues {
        pressed: usize,
    },
    /// `!N 1 x`: `typed` is not the number of an option.
    BadOptionNumber {
        list: usize,
        typed: String,
    },
    /// `!N 1 1`: an option given twice.
    RepeatedOption {
        list: usize,
        option: usize,
    },
    /// `!N 9` where list N has `count` options.
    NoSuchOption {
        list: usize,
        option: usize,
        count: usize,
    },
    /// More or fewer options than the list takes: `allowed` says how many, in words (`one
    /// option`, `up to 3 options`, `1-3 options`).
    WrongOptionCount {
        list: usize,
        allowed: String,
        chosen: usize,
    },
    /// A positional value that fits another option: `networking` where the level goes.
    Misplaced {
        command: String,
        value: String,
        belongs: &'static str,
        expected: &'static str,
    },
    /// A group was typed without one of its subcommands.
    NeedsSubcommand {
        group: String,
        /// Its subcommands' paths.
        subcommands: Vec<String>,
        /// The word typed where the subcommand goes, if any (`stats` in `/daily stats`).
        typed: Option<String>,
    },
    /// The line could not be read (not UTF-8, say).
    Unreadable,
}

impl HoldsStoreError for Error {
    fn store_error(&mut self) -> Option<&mut StoreError> {
        match self {
            Error::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl Error {
    /// Failures on our side (as opposed to a mistake in the request), each logged as an error.
    /// A storage fault is not counted: the store logs it once per incident, not per request.
    pub fn is_internal(&self) -> bool {
        match self {
            Error::Store(_) => !self.is_storage_fault(),
            Error::Internal(_) => true,
            _ => false,
        }
    }

    /// A full disk, a read-only database, an I/O error: the store logs each incident once.
    pub fn is_storage_fault(&self) -> bool {
        matches!(self, Error::Store(e) if e.unavailable().is_some())
    }

    /// The message shown to the user. Anything the user typed is quoted safely; internal
    /// detail never appears here.
    pub fn user_message(&self) -> String {
        match self {
            Error::UnknownCommand { name, registry } => {
                let names: Vec<String> = registry
                    .commands()
                    .map(|c| format!("/{}", c.name))
                    .collect();
                let paths: Vec<String> = registry.leaves().iter().map(|l| l.path()).collect();
                let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
                let hint = crate::text::closest(name, &paths)
                    .map_or(String::new(), |p| format!(" Did you mean /{p}?"));
                format!(
                    "There is no command /{}.{hint} Commands: {}. Try /help.",
                    quote(name).trim_matches('`'),
                    names.join(", ")
                )
            }
            Error::UnknownOption { command, option } => {
                format!(
                    "/{command} has no option {}. {}",
                    quote(option),
                    option_names(command)
                )
            }
            Error::DuplicateOption { command, option } => {
                format!(
                    "The option `{option}` was given twice. Usage: `{}`",
                    command.usage()
                )
            }
            Error::MissingOption { command, option } => {
                format!(
                    "/{command} needs the option `{option}`. Usage: `{}`",
                    command.usage()
                )
            }
            Error::InvalidValue {
                option,
                value,
                expected,
            } => format!(
                "{} is not a valid `{option}`: expected {expected}.",
                quote(value)
            ),
            Error::UnknownEntity {
                option,
                what,
                value,
                known,
            } => {
                let listed = if known.is_empty() {
                    "pick one from the list, or give its mention or id".to_string()
                } else {
                    let known: Vec<String> = known.iter().map(|k| quote(k)).collect();
                    format!("the {what}s here: {}", known.join(", "))
                };
                format!("No {what} matches {} for `{option}`: {listed}.", quote(value))
            }
            Error::WrongChannelKind {
                option,
                channel,
                got,
                allowed,
            } => {
                let allowed: Vec<&str> = allowed.iter().map(|k| k.describe()).collect();
                format!(
                    "{} is {}; `{option}` needs {}.",
                    quote(channel),
                    got.describe(),
                    allowed.join(" or ")
                )
            }
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
            Error::UnknownTopic {
                topic,
                topics,
                suggestion,
            } => {
                let hint = suggestion
                    .as_ref()
                    .map_or(String::new(), |s| format!(" Did you mean `{s}`?"));
                format!(
                    "No topic called {}.{hint} Topics: {}.",
                    quote(topic),
                    topics.join(", ")
                )
            }
            Error::QuestionGone(_) => {
                "That question was removed from the bank or renamed since this card was posted. Run /question for a new one."
                    .to_string()
            }
            Error::AlreadyUsed => {
                "This card already gave its next question: use the newest card, or run /question."
                    .to_string()
            }
            Error::Cooldown { seconds } => format!(
                "A question was posted here a moment ago. Try again in {seconds} second{}.",
                if *seconds == 1 { "" } else { "s" }
            ),
            Error::RateLimited {
                command,
                max,
                window_s,
                seconds,
            } => {
                let often = match (max, window_s) {
                    (1, 60) => "once a minute".to_string(),
                    (n, 60) => format!("{n} times a minute"),
                    (1, w) => format!("once every {w} seconds"),
                    (n, w) => format!("{n} times every {w} seconds"),
                };
                format!(
                    "/{command} can be run {often} per member. Try again in {seconds} second{}.",
                    if *seconds == 1 { "" } else { "s" }
                )
            }
            Error::NoQuestions { level, topic, off } => {
                let mut text = match topic {
                    Some(t) => format!(
                        "There are no {level} questions on `{t}` yet. Try another topic or level."
                    ),
                    None => format!("There are no {level} questions yet."),
                };
                if !off.is_empty() {
                    let packs: Vec<String> = off.iter().map(|p| format!("`{p}`")).collect();
                    text.push_str(&format!(
                        " Switched off in this server: {} (`/pack list`, `/pack on`).",
                        packs.join(", ")
                    ));
                }
                text
            }
            Error::UnknownAction => {
                "That button no longer works (the bot was updated since it was posted). Run the command again."
                    .to_string()
            }
            Error::NotAllowed { rule } => format!(
                "Only {} can do this. Ask a server admin if you need access.",
                rule.describe()
            ),
            Error::InvalidTime(t) => format!(
                "{} is not a time: give it as HH:MM on a 24-hour clock, such as `09:00` or `17:30`.",
                quote(t)
            ),
            Error::InvalidDuration(d) => format!(
                "{} is not a delay: write it like `12h`, `90m` or `1h30m` (at most 24h), or `0` for no reveal.",
                quote(d)
            ),
            Error::InvalidDays(d) => format!(
                "{} is not a set of days: use `every day`, `weekdays`, or a list such as `mon,wed,fri`.",
                quote(d)
            ),
            Error::UnknownZone { name, suggestions } => {
                let hint = if suggestions.is_empty() {
                    String::new()
                } else {
                    let s: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
                    format!(" Did you mean {}?", s.join(", "))
                };
                format!(
                    "{} is not a time zone I know.{hint} Use an IANA name such as `Europe/Berlin` or `America/New_York`; the option suggests them as you type.",
                    quote(name)
                )
            }
            Error::NoSchedule(channel) => format!(
                "There is no daily practice in #{}. Start it with `/daily set`.",
                quote(channel).trim_matches('`')
            ),
            Error::BotLacksPermissions { channel, missing } => format!(
                "I cannot run daily practice in #{}: I am missing {} there. Give me these permissions in the channel's settings, then run `/daily set` again.",
                quote(channel).trim_matches('`'),
                missing.join(", ")
            ),
            Error::OutsideGuild => {
                "interview-bot works inside servers only: use it in a server channel.".to_string()
            }
            Error::Input(e) => input_message(e),
            Error::Refused(r) => r.user_message(),
            // A full disk or a read-only database: say plainly that nothing was kept, so nobody
            // takes a missing confirmation for a lost one, or thinks a retry would double it.
            Error::Store(e) if e.unavailable() == Some(Op::Write) => {
                "Nothing was saved: the bot cannot write to its database right now (its disk may be full or read-only), so none of this was recorded. Please try again later."
                    .to_string()
            }
            Error::Store(e) if e.unavailable() == Some(Op::Read) => {
                "The bot cannot read its database right now, so this could not be done and nothing was changed. Please try again later."
                    .to_string()
            }
            Error::Store(_) | Error::Internal(_) => {
                "Something went wrong on our side and it has been logged. Please try again in a moment."
                    .to_string()
            }
        }
    }

    /// The message for this error.
    pub fn to_message(&self) -> Message {
        Message::text(format!("⚠️ {}", self.user_message()))
    }

    /// The private answer for this error.
    pub fn to_outcome(&self) -> Outcome {
        Outcome {
            is_error: true,
            ..Outcome::private(self.to_message())
        }
    }
}

/// What an acknowledged interaction shows if nothing else answered it (a bug, logged).
pub const NOT_COMPLETED: &str = "This request could not be completed. Please try again.";

/// What a "thinking" placeholder of the given visibility turns into when the answer has to go
/// with the other visibility (Discord fixes a placeholder's visibility when it is created).
/// The placeholder is removed right after, so this shows only for a moment, if at all.
pub fn placeholder_note(placeholder: Visibility) -> &'static str {
    match placeholder {
        Visibility::Public => "This request was answered privately.",
        Visibility::Private => "Posted in the channel.",
    }
}

fn input_message(e: &InputError) -> String {
    match e {
        InputError::NotACommand => {
            "Commands start with `/`, for example `/question senior`. Type /help for the list."
                .into()
        }
        InputError::EmptyCommand => {
            "Type a command after `/`, for example `/question senior`.".into()
        }
        InputError::UnclosedQuote => {
            "A quote is not closed: close it, or leave the quotes out.".into()
        }
        InputError::TooManyValues { command, hint } => format!(
            "Too many values for /{command}.{} Usage: `{}`",
            hint.as_ref().map_or(String::new(), |h| format!(" {h}")),
            command.usage()
        ),
        InputError::BadButtonNumber(typed) => format!(
            "{} is not a button or list number: type !1, !2, ...",
            quote(typed)
        ),
        InputError::NoButtons => "There are no buttons or lists to use yet.".into(),
        InputError::NoSuchButton {
            pressed,
            count,
            lists,
        } => {
            let what = if *lists { "button or list" } else { "button" };
            format!("No {what} {pressed}: choose !1 to !{count}.")
        }
        InputError::ButtonTakesNoValues { pressed } => format!(
            "!{pressed} is a button: buttons take no values. Type !{pressed} alone to press it."
        ),
        InputError::BadOptionNumber { list, typed } => format!(
            "{} is not an option number: after `!{list}` type the numbers of the options to choose, as in `!{list} 1 3` or `!{list} 1,3` (`!{list}` alone lists them).",
            quote(typed)
        ),
        InputError::RepeatedOption { list, option } => {
            format!("Option {option} is given twice: give each option of list !{list} once.")
        }
        InputError::NoSuchOption {
            list,
            option,
            count,
        } => match count {
            1 => format!("List !{list} has no option {option}: its only option is 1."),
            _ => format!("List !{list} has no option {option}: its options are 1 to {count}."),
        },
        InputError::WrongOptionCount {
            list,
            allowed,
            chosen,
        } => {
            let chosen = match chosen {
                0 => "none".to_string(),
                n => n.to_string(),
            };
            format!("List !{list} takes {allowed}; you chose {chosen}.")
        }
        InputError::Misplaced {
            command,
            value,
            belongs,
            expected,
        } => format!(
            "{} is a {belongs}, not a {expected}: put the {expected} first, as in `/{command} <{expected}> {}`.",
            quote(value),
            quote(value).trim_matches('`')
        ),
        InputError::NeedsSubcommand {
            group,
            subcommands,
            typed,
        } => {
            let subs: Vec<String> = subcommands.iter().map(|p| format!("`/{p}`")).collect();
            match typed {
                None => format!("/{group} needs a subcommand: {}.", subs.join(", ")),
                Some(typed) => {
                    let paths: Vec<&str> = subcommands.iter().map(String::as_str).collect();
                    let hint = crate::text::closest(&format!("{group} {typed}"), &paths)
                        .map_or(String::new(), |p| format!(" Did you mean `/{p}`?"));
                    format!(
                        "/{group} has no subcommand {}.{hint} Subcommands: {}.",
                        quote(typed),
                        subs.join(", ")
                    )
                }
            }
        }
        InputError::Unreadable => {
            "That line could not be read (it is not valid UTF-8 text); nothing was run.".into()
        }
    }
}

fn option_names(command: &Leaf) -> String {
    if command.spec.options.is_empty() {
        return format!("/{command} takes no options.");
    }
    format!(
        "Options: {}.",
        command
            .spec
            .options
            .iter()
            .map(|o| format!("`{}`", o.name))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Fault;

    fn fault(op: Op) -> Error {
        Error::Store(StoreError::Unavailable {
            fault: Fault::Full,
            op,
            detail: "database or disk is full at /srv/secret/path".into(),
        })
    }

    #[test]
    fn a_storage_fault_says_nothing_was_saved_privately_and_is_logged_by_the_store() {
        let outcome = fault(Op::Write).to_outcome();
        let (visibility, message) = outcome.first_reply().unwrap();
        assert!(outcome.is_error && visibility == Visibility::Private);
        let text = message.content.clone().unwrap();
        assert!(text.contains("Nothing was saved"), "{text}");
        assert!(
            !text.contains("/srv") && !text.contains("disk is full at"),
            "{text}"
        );
        let read = fault(Op::Read).user_message();
        assert!(
            read.contains("cannot read") && !read.contains("saved"),
            "{read}"
        );
        // Logged once per incident by the store, not once per request by the engine.
        assert!(!fault(Op::Write).is_internal() && fault(Op::Read).is_storage_fault());
        assert!(Error::Store(StoreError::BadStoredId(-1)).is_internal());
    }
}
