//! What a front end hands the engine: who asked, where, and what.

use std::collections::HashMap;

use super::effect::Button;
use crate::model::{ChannelId, GuildId, MessageId, RoleId, UserId};

/// Discord permission bits the engine cares about (same values as Discord's, so the Discord
/// front end passes the member's permission integer through unchanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Permissions(pub u64);

impl Permissions {
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_GUILD: u64 = 1 << 5;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const EMBED_LINKS: u64 = 1 << 14;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    pub const MENTION_EVERYONE: u64 = 1 << 17;
    pub const CREATE_PUBLIC_THREADS: u64 = 1 << 35;
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;

    pub fn has(self, bits: u64) -> bool {
        self.0 & bits == bits
    }
}

/// A member of the server behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: UserId,
    pub name: String,
    pub roles: Vec<RoleId>,
    /// The member's permissions in the channel, as Discord computed them.
    pub permissions: Permissions,
}

/// Who a request comes from. Front ends only ever build `Member`; `Bot` is for work the bot
/// starts itself (the scheduler), which goes through the same engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Member(Member),
    Bot,
}

impl Origin {
    /// The member's user id, or `None` for the bot's own work.
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Origin::Member(m) => Some(m.user_id),
            Origin::Bot => None,
        }
    }
}

/// The kind of a channel, as far as the engine cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    Text,
    Announcement,
    Voice,
    Category,
    Thread,
    Forum,
    Other,
}

impl ChannelKind {
    pub fn describe(self) -> &'static str {
        match self {
            ChannelKind::Text => "a text channel",
            ChannelKind::Announcement => "an announcement channel",
            ChannelKind::Voice => "a voice channel",
            ChannelKind::Category => "a category",
            ChannelKind::Thread => "a thread",
            ChannelKind::Forum => "a forum",
            ChannelKind::Other => "another kind of channel",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedUser {
    pub id: UserId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRole {
    pub id: RoleId,
    pub name: String,
    /// Whether anyone may mention it (otherwise only with Mention Everyone).
    pub mentionable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedChannel {
    pub id: ChannelId,
    pub name: String,
    pub kind: ChannelKind,
    /// The bot's own permissions there, when the front end knows them.
    pub bot_permissions: Option<Permissions>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedAttachment {
    pub id: u64,
    pub filename: String,
    /// The size Discord declares, in bytes.
    pub size: u64,
    pub url: String,
    /// The file's bytes, when the front end fetched them for a command that reads files
    /// (the engine never goes to the network).
    pub content: Fetched,
}

/// What the front end fetched of an attachment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Fetched {
    /// Not fetched: the command does not read files, or the front end cannot.
    #[default]
    NotFetched,
    Bytes(Vec<u8>),
    /// Not fetched, for this reason.
    Refused(FetchRefusal),
}

/// Why an attachment was not fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchRefusal {
    /// Larger than the command accepts (declared, or found while reading), in bytes.
    TooLarge { limit: u64 },
    /// Its address is not on Discord's attachment host.
    NotDiscord,
    /// The download took longer than the time limit.
    TimedOut,
    /// The download failed (the detail is in the log).
    Failed,
    /// No such file (the console's path).
    NotFound,
}

/// Users, roles, channels and attachments a request's options refer to, with their names,
/// as Discord sends them beside the options (`data.resolved`). The console fills it from the
/// entities it knows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resolved {
    pub users: HashMap<UserId, ResolvedUser>,
    pub roles: HashMap<RoleId, ResolvedRole>,
    pub channels: HashMap<ChannelId, ResolvedChannel>,
    pub attachments: HashMap<u64, ResolvedAttachment>,
    /// When the request comes from a thread, the channel the thread is in (Discord sends the
    /// interaction's channel object with its `parent_id`). Rules set per channel (rubric
    /// access) reach the channel's threads through it. `None` outside threads, and from
    /// front ends that have none (the console).
    pub thread_parent: Option<ChannelId>,
}

/// A value as the front end received it. The console only has text; Discord sends typed
/// values, and ids for users, roles, channels and attachments (their data is in [`Resolved`]).
/// The engine checks and converts both against the command's declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Text(String),
    Integer(i64),
    Number(f64),
    Bool(bool),
    /// A user, role, channel or attachment id.
    Id(u64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct RawOption {
    pub name: String,
    pub value: RawValue,
}

impl RawOption {
    pub fn text(name: &str, value: &str) -> RawOption {
        RawOption {
            name: name.to_string(),
            value: RawValue::Text(value.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    /// A slash command with its options. `name` is the full path, space-separated, as Discord
    /// shows it: `question`, or `daily set` for a subcommand.
    Command {
        name: String,
        options: Vec<RawOption>,
    },
    /// A button press, identified by the action id the engine put on the button.
    Button {
        custom_id: String,
        /// The message the button sits on, when the front end knows it.
        message: Option<SourceMessage>,
    },
    /// Options chosen in a drop-down list: the action id the engine put on it and the values
    /// of the chosen options (Discord sends every chosen value each time, not a change).
    Select {
        custom_id: String,
        values: Vec<String>,
        /// The message the list sits on, when the front end knows it.
        message: Option<SourceMessage>,
    },
    /// A submitted modal: its action id and the value of each text input by its id.
    Modal {
        custom_id: String,
        fields: Vec<(String, String)>,
    },
    /// Work the bot starts itself (the scheduler), typed by the feature that scheduled it.
    Job(super::feature::Job),
}

/// The message a pressed button (or a used drop-down list) sits on, as Discord sends it with
/// the click.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMessage {
    pub id: MessageId,
    /// Its buttons, in order, as they are now.
    pub buttons: Vec<Button>,
    /// The action ids of its drop-down lists, in order.
    pub selects: Vec<String>,
}

/// One thing asked of the bot.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The Discord server (the console has a server of its own, [`GuildId::CONSOLE`]).
    pub guild_id: GuildId,
    pub channel_id: ChannelId,
    pub origin: Origin,
    pub invocation: Invocation,
    pub resolved: Resolved,
}

impl Request {
    /// Whether a button was pressed on a message of its own kind: a message whose buttons are
    /// all ones `same_kind` accepts, the pressed one among them. An action that answers by
    /// rewriting its message checks this first, so a forged id pressed on another message (a
    /// public card) cannot rewrite that one. A front end that does not say which message was
    /// pressed has no shared messages to rewrite (the console); Discord always says.
    pub fn pressed_on_its_own(&self, same_kind: impl Fn(&str) -> bool) -> bool {
        let (custom_id, message) = match &self.invocation {
            Invocation::Button { custom_id, message }
            | Invocation::Select {
                custom_id, message, ..
            } => (custom_id, message),
            _ => return false,
        };
        let Some(source) = message else {
            return true;
        };
        let ids = || {
            source
                .buttons
                .iter()
                .map(|b| b.action.as_str())
                .chain(source.selects.iter().map(String::as_str))
        };
        ids().any(|id| id == custom_id) && ids().all(same_kind)
    }

    /// A submitted modal's fields (input id, value), if this request is one.
    pub fn submitted(&self) -> Option<&[(String, String)]> {
        match &self.invocation {
            Invocation::Modal { fields, .. } => Some(fields),
            _ => None,
        }
    }

    /// The values chosen in a drop-down list, if this request is one.
    pub fn selected(&self) -> Option<&[String]> {
        match &self.invocation {
            Invocation::Select { values, .. } => Some(values),
            _ => None,
        }
    }

    /// A request from a member with nothing resolved.
    pub fn member(
        guild_id: impl Into<GuildId>,
        channel_id: impl Into<ChannelId>,
        member: Member,
        invocation: Invocation,
    ) -> Request {
        Request {
            guild_id: guild_id.into(),
            channel_id: channel_id.into(),
            origin: Origin::Member(member),
            invocation,
            resolved: Resolved::default(),
        }
    }

    /// The same request, made in a thread of the channel `parent`.
    pub fn in_thread(self, parent: impl Into<ChannelId>) -> Request {
        Request {
            resolved: Resolved {
                thread_parent: Some(parent.into()),
                ..self.resolved
            },
            ..self
        }
    }

    /// The channel the request's thread is in, when it comes from a thread.
    pub fn thread_parent(&self) -> Option<ChannelId> {
        self.resolved.thread_parent
    }
}

/// A user typing into an option that offers suggestions.
#[derive(Debug, Clone, PartialEq)]
pub struct AutocompleteRequest {
    pub guild_id: GuildId,
    pub channel_id: ChannelId,
    /// The command's full path (`question`, `daily set`).
    pub command: String,
    pub option: String,
    /// What the user has typed so far.
    pub partial: String,
    /// The other options already filled in (for suggestions that depend on them).
    pub options: Vec<RawOption>,
    /// Who is typing, when the front end knows; suggestions that need access (candidate
    /// names) offer nothing without it.
    pub member: Option<Member>,
}

/// The value of input `id` among a submitted modal's `fields` (empty when it is not there).
pub fn field<'a>(fields: &'a [(String, String)], id: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == id)
        .map_or("", |(_, v)| v.as_str())
}
