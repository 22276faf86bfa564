//! What a front end hands the engine: who asked, where, and what.

/// Discord permission bits the engine cares about (same values as Discord's, so the Discord
/// front end passes the member's permission integer through unchanged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Permissions(pub u64);

impl Permissions {
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_GUILD: u64 = 1 << 5;
}

/// The person behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: u64,
    pub name: String,
    pub roles: Vec<u64>,
    pub permissions: Permissions,
}

/// A value as the front end received it. The console only has text; Discord sends typed values.
/// The engine checks and converts both against the command's declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Text(String),
    Integer(i64),
    Bool(bool),
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
    /// A slash command with its options.
    Command {
        name: String,
        options: Vec<RawOption>,
    },
    /// A button press, identified by the action id the engine put on the button.
    Action { custom_id: String },
}

/// One thing a user asked the bot to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The Discord server; 0 for the local console.
    pub guild_id: u64,
    pub channel_id: u64,
    pub caller: Caller,
    pub invocation: Invocation,
}

impl Request {
    /// A short name for logs: `/question` or `button q:answer`.
    pub fn label(&self) -> String {
        match &self.invocation {
            Invocation::Command { name, .. } => format!("/{name}"),
            Invocation::Action { custom_id } => super::Action::label(custom_id),
        }
    }
}

/// A user typing into an option that offers suggestions.
#[derive(Debug, Clone, PartialEq)]
pub struct AutocompleteRequest {
    pub guild_id: u64,
    pub command: String,
    pub option: String,
    /// What the user has typed so far.
    pub partial: String,
}
