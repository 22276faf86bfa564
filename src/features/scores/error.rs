//! What scoring, sessions and lookups refuse, and the private reply for each. The framework
//! shows the reply and logs only the kind (the details may name a candidate).

use crate::engine::Refusal;
use crate::model::{ChannelId, GuildId, MessageId, UserId};
use crate::text::quote;

/// What can be refused in scoring, sessions, lookups and their settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScoreError {
    /// Empty once trimmed, or over 100 characters.
    CandidateName,
    /// The name holds a control or invisible formatting character (the first one found).
    CandidateNameHidden {
        character: char,
    },
    UnknownCandidate {
        name: String,
    },
    /// A session is already open in the channel.
    SessionOpenHere {
        candidate: String,
        started_by: UserId,
        started_at_ms: i64,
        /// (guild, channel, message) of the session's message, once posted.
        message: Option<(GuildId, ChannelId, MessageId)>,
    },
    NoSessionHere,
    SessionClosed,
    /// Only the interviewer who started the session moves it on.
    NotStarter {
        started_by: UserId,
    },
    /// The question was moved on from already.
    AlreadyMovedOn,
    Date {
        value: String,
    },
    NotesTooLong {
        len: usize,
    },
    ReasonTooLong {
        len: usize,
    },
    AlreadyForgotten,
}

impl Refusal for ScoreError {
    fn kind(&self) -> &'static str {
        match self {
            ScoreError::CandidateName => "candidate name",
            ScoreError::CandidateNameHidden { .. } => "candidate name with hidden characters",
            ScoreError::UnknownCandidate { .. } => "unknown candidate",
            ScoreError::SessionOpenHere { .. } => "session open in the channel",
            ScoreError::NoSessionHere => "no session in the channel",
            ScoreError::SessionClosed => "session closed",
            ScoreError::NotStarter { .. } => "not the session's starter",
            ScoreError::AlreadyMovedOn => "session moved on",
            ScoreError::Date { .. } => "date",
            ScoreError::NotesTooLong { .. } => "notes too long",
            ScoreError::ReasonTooLong { .. } => "reason too long",
            ScoreError::AlreadyForgotten => "candidate already deleted",
        }
    }

    fn user_message(&self) -> String {
        match self {
            ScoreError::CandidateName => {
                "A candidate name needs 1 to 100 characters (spaces at either end are left out)."
                    .into()
            }
            ScoreError::CandidateNameHidden { character } => format!(
                "A candidate name cannot hold control or invisible formatting characters (this one has U+{:04X}): they make names that look the same differ, or reorder what is shown. Type the name again without it.",
                u32::from(*character)
            ),
            ScoreError::UnknownCandidate { name } => format!(
                "No candidate called {} in this server. Names are matched ignoring case; /score or /interview start adds a candidate.",
                quote(name)
            ),
            ScoreError::SessionOpenHere {
                candidate,
                started_by,
                started_at_ms,
                message,
            } => format!(
                "An interview session is already open in this channel: {} with <@{started_by}>, started <t:{}:R>{}. Finish it with /interview end first, or start the new one in another channel.",
                quote(candidate),
                started_at_ms / 1000,
                message.map_or(String::new(), |(g, c, m)| format!(
                    " ([its message](https://discord.com/channels/{g}/{c}/{m}))"
                ))
            ),
            ScoreError::NoSessionHere => {
                "No interview session is open in this channel. Start one with /interview start.".into()
            }
            ScoreError::SessionClosed => {
                "This interview session has ended. Use /score to add or change a score, or /interview start for a new session."
                    .into()
            }
            ScoreError::NotStarter { started_by } => format!(
                "Only <@{started_by}>, who started this session, moves it to the next question. Your own ratings and notes are recorded with the buttons as usual."
            ),
            ScoreError::AlreadyMovedOn => {
                "The session has moved on from that question already.".into()
            }
            ScoreError::Date { value } => format!(
                "{} is not a date: use YYYY-MM-DD, for example `2026-03-01`.",
                quote(value)
            ),
            ScoreError::NotesTooLong { len } => {
                format!("Notes can be at most 1000 characters; these have {len}.")
            }
            ScoreError::ReasonTooLong { len } => format!(
                "A reason can be at most {} characters; this one has {len}. Nothing was changed.",
                crate::features::scores::panel::REASON_MAX
            ),
            ScoreError::AlreadyForgotten => {
                "That candidate has been deleted already; nothing else was changed.".into()
            }
        }
    }
}
