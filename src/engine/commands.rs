//! The command table: every command declared once. Discord registration, the console parser,
//! `/help`, option checking and permission checks are all derived from these declarations.

use std::collections::HashMap;

use crate::bank::Level;

use super::Engine;
use super::access::Access;
use super::effect::{Outcome, Visibility};
use super::error::Error;
use super::request::{
    ChannelKind, RawOption, RawValue, Request, Resolved, ResolvedAttachment, ResolvedChannel,
    ResolvedRole, ResolvedUser,
};

/// Runs a command once its caller and options have been checked.
pub type Handler = fn(&Engine, &Request, &Args) -> Result<Outcome, Error>;

/// Who sees a command's answer. Known before the work starts, so a front end that has to
/// acknowledge early (Discord's deferral) can pick the right visibility up front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Public,
    Private,
    /// Public when the named boolean option is true, private otherwise.
    PublicIf(&'static str),
}

/// A command, a subcommand group, or a subcommand. A node has either `subcommands` or a
/// `handler` (with `options`), never both; a test checks every declaration.
pub struct CommandSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [OptionSpec],
    pub subcommands: &'static [CommandSpec],
    pub handler: Option<Handler>,
    /// Who may run it; checked by the engine for every front end.
    pub access: Access,
    pub answer: Answer,
    /// Discord's `default_member_permissions` (top-level commands only): Discord hides the
    /// command from members without these permission bits until a server admin changes it.
    /// A convenience for members, not a guard: `access` is the guard.
    pub default_permissions: Option<u64>,
}

impl CommandSpec {
    /// A leaf command with the defaults: everyone may run it, answered privately.
    pub const fn leaf(
        name: &'static str,
        description: &'static str,
        options: &'static [OptionSpec],
        handler: Handler,
    ) -> CommandSpec {
        CommandSpec {
            name,
            description,
            options,
            subcommands: &[],
            handler: Some(handler),
            access: Access::Everyone,
            answer: Answer::Private,
            default_permissions: None,
        }
    }

    pub fn option(&self, name: &str) -> Option<&'static OptionSpec> {
        self.options.iter().find(|o| o.name == name)
    }

    pub fn is_group(&self) -> bool {
        !self.subcommands.is_empty()
    }
}

/// The kind of value an option takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OptionKind {
    /// Free text of at most `max_len` characters.
    Text {
        max_len: u16,
    },
    Integer {
        min: i64,
        max: i64,
    },
    Number {
        min: f64,
        max: f64,
    },
    Boolean,
    User,
    Role,
    /// A channel of one of these kinds.
    Channel {
        kinds: &'static [ChannelKind],
    },
    Attachment,
}

impl OptionKind {
    /// How the value is written in a usage line.
    fn shape(&self) -> String {
        match self {
            OptionKind::Text { .. } => "text".into(),
            OptionKind::Integer { min, max } => format!("{min}-{max}"),
            OptionKind::Number { min, max } => format!("{min}-{max}"),
            OptionKind::Boolean => "true|false".into(),
            OptionKind::User => "user".into(),
            OptionKind::Role => "role".into(),
            OptionKind::Channel { .. } => "channel".into(),
            OptionKind::Attachment => "file".into(),
        }
    }
}

/// Where suggestions for an option come from while the user types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    Topic,
    QuestionId,
    Timezone,
    /// The guild's candidates (scores).
    Candidate,
}

/// A fixed value the user picks from: `name` is shown, `value` is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChoiceSpec {
    pub name: &'static str,
    pub value: &'static str,
}

pub struct OptionSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub kind: OptionKind,
    pub required: bool,
    /// A closed set of values (text options only); empty for free input.
    pub choices: &'static [ChoiceSpec],
    pub completion: Option<Completion>,
}

/// A runnable command found by its path.
#[derive(Clone, Copy)]
pub struct Leaf {
    /// The top-level command (carries `default_permissions`).
    pub root: &'static CommandSpec,
    pub spec: &'static CommandSpec,
}

impl Leaf {
    /// `question`, `daily set`.
    pub fn path(&self) -> String {
        if std::ptr::eq(self.root, self.spec) {
            return self.spec.name.to_string();
        }
        let mut path = Vec::new();
        walk_path(self.root, self.spec, &mut path);
        path.join(" ")
    }

    /// `/question level:<junior|mid|senior> [topic:<text>]`
    pub fn usage(&self) -> String {
        let mut s = format!("/{}", self.path());
        for o in self.spec.options {
            let shape = if o.choices.is_empty() {
                o.kind.shape()
            } else {
                o.choices
                    .iter()
                    .map(|c| c.value)
                    .collect::<Vec<_>>()
                    .join("|")
            };
            if o.required {
                s.push_str(&format!(" {}:<{shape}>", o.name));
            } else {
                s.push_str(&format!(" [{}:<{shape}>]", o.name));
            }
        }
        s
    }

    /// Who sees the answer, given the options as sent.
    pub fn visibility(&self, options: &[RawOption]) -> Visibility {
        match self.spec.answer {
            Answer::Public => Visibility::Public,
            Answer::Private => Visibility::Private,
            Answer::PublicIf(flag) => {
                let on = options
                    .iter()
                    .find(|o| o.name == flag)
                    .is_some_and(|o| matches!(parse_bool(&o.value), Some(true)));
                if on {
                    Visibility::Public
                } else {
                    Visibility::Private
                }
            }
        }
    }
}

fn walk_path(
    node: &'static CommandSpec,
    target: &CommandSpec,
    path: &mut Vec<&'static str>,
) -> bool {
    path.push(node.name);
    if std::ptr::eq(node, target) {
        return true;
    }
    for sub in node.subcommands {
        if walk_path(sub, target, path) {
            return true;
        }
    }
    path.pop();
    false
}

pub const LEVEL_CHOICES: &[ChoiceSpec] = &[
    ChoiceSpec {
        name: "Junior (0-2 years)",
        value: "junior",
    },
    ChoiceSpec {
        name: "Mid-level (2-5 years)",
        value: "mid",
    },
    ChoiceSpec {
        name: "Senior (5+ years)",
        value: "senior",
    },
];

/// Every command the bot offers, in the order `/help` lists them.
pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        answer: Answer::Public,
        ..CommandSpec::leaf(
            "question",
            "Post an interview question for a level, optionally on one topic",
            &[
                OptionSpec {
                    name: "level",
                    description: "Seniority the question is pitched at",
                    kind: OptionKind::Text { max_len: 20 },
                    required: true,
                    choices: LEVEL_CHOICES,
                    completion: None,
                },
                OptionSpec {
                    name: "topic",
                    description: "Only questions on this topic (e.g. networking)",
                    kind: OptionKind::Text { max_len: 64 },
                    required: false,
                    choices: &[],
                    completion: Some(Completion::Topic),
                },
            ],
            Engine::cmd_question,
        )
    },
    CommandSpec {
        answer: Answer::PublicIf("public"),
        ..CommandSpec::leaf(
            "answer",
            "Show a question's model answer, red flags and follow-ups (privately)",
            &[
                OptionSpec {
                    name: "id",
                    description: "Question id, as shown under the question",
                    kind: OptionKind::Text { max_len: 64 },
                    required: true,
                    choices: &[],
                    completion: Some(Completion::QuestionId),
                },
                OptionSpec {
                    name: "public",
                    description: "Post it for the whole channel instead of only you",
                    kind: OptionKind::Boolean,
                    required: false,
                    choices: &[],
                    completion: None,
                },
            ],
            Engine::cmd_answer,
        )
    },
    CommandSpec::leaf(
        "help",
        "How the bot works and its commands; or one command's options in full",
        &[OptionSpec {
            name: "command",
            description: "Show this command's options in full",
            kind: OptionKind::Text { max_len: 20 },
            required: false,
            choices: HELP_TOPICS,
            completion: None,
        }],
        Engine::cmd_help,
    ),
    CommandSpec {
        name: "daily",
        description: "Daily practice: one question a day in a channel, the answer later",
        options: &[],
        subcommands: &[
            CommandSpec {
                access: Access::Interviewers,
                ..CommandSpec::leaf(
                    "set",
                    "Post a question every day in a channel at a local time",
                    &[
                        CHANNEL_OPTION,
                        OptionSpec {
                            name: "time",
                            description: "Local time of day, HH:MM (24-hour), e.g. 09:00",
                            kind: OptionKind::Text { max_len: 5 },
                            required: true,
                            choices: &[],
                            completion: None,
                        },
                        OptionSpec {
                            name: "timezone",
                            description: "IANA time zone, e.g. Europe/Berlin (default: the server's, else UTC)",
                            kind: OptionKind::Text { max_len: 64 },
                            required: false,
                            choices: &[],
                            completion: Some(Completion::Timezone),
                        },
                        OptionSpec {
                            name: "level",
                            description: "Level of the questions (default: ramp through the week)",
                            kind: OptionKind::Text { max_len: 10 },
                            required: false,
                            choices: DAILY_LEVEL_CHOICES,
                            completion: None,
                        },
                        OptionSpec {
                            name: "topic",
                            description: "Only questions on this topic",
                            kind: OptionKind::Text { max_len: 64 },
                            required: false,
                            choices: &[],
                            completion: Some(Completion::Topic),
                        },
                        OptionSpec {
                            name: "role",
                            description: "A role to mention with each question",
                            kind: OptionKind::Role,
                            required: false,
                            choices: &[],
                            completion: None,
                        },
                        OptionSpec {
                            name: "reveal_after",
                            description: "When to reveal the answer, e.g. 12h, 90m, 1h30m (at most 24h; 0 = never)",
                            kind: OptionKind::Text { max_len: 12 },
                            required: false,
                            choices: &[],
                            completion: None,
                        },
                        OptionSpec {
                            name: "days",
                            description: "every day (default), weekdays, or a list such as mon,wed,fri",
                            kind: OptionKind::Text { max_len: 60 },
                            required: false,
                            choices: &[],
                            completion: None,
                        },
                    ],
                    Engine::cmd_daily_set,
                )
            },
            CommandSpec {
                access: Access::Interviewers,
                ..CommandSpec::leaf(
                    "off",
                    "Stop daily practice in a channel",
                    &[CHANNEL_OPTION],
                    Engine::cmd_daily_off,
                )
            },
            CommandSpec {
                access: Access::Interviewers,
                ..CommandSpec::leaf(
                    "status",
                    "Every daily schedule of this server, with the next and last post",
                    &[],
                    Engine::cmd_daily_status,
                )
            },
            CommandSpec {
                access: Access::Interviewers,
                ..CommandSpec::leaf(
                    "now",
                    "Post an extra question in a channel now (not the day's post)",
                    &[CHANNEL_OPTION],
                    Engine::cmd_daily_now,
                )
            },
            CommandSpec {
                access: Access::Interviewers,
                ..CommandSpec::leaf(
                    "preview",
                    "The next seven posts of a channel, with their levels",
                    &[CHANNEL_OPTION],
                    Engine::cmd_daily_preview,
                )
            },
        ],
        handler: None,
        access: Access::Interviewers,
        answer: Answer::Private,
        default_permissions: Some(crate::engine::Permissions::MANAGE_GUILD),
    },
    // Scorecards (issue 10), declared in `scores/commands.rs`.
    super::scores::commands::CONFIG,
    super::scores::commands::SCORE,
    super::scores::commands::RECOMMEND,
    super::scores::commands::INTERVIEW,
    super::scores::commands::SCORES,
];

/// The commands `/help command:` explains: every top-level command (a test keeps the list
/// complete).
pub const HELP_TOPICS: &[ChoiceSpec] = &[
    ChoiceSpec {
        name: "/question",
        value: "question",
    },
    ChoiceSpec {
        name: "/answer",
        value: "answer",
    },
    ChoiceSpec {
        name: "/help",
        value: "help",
    },
    ChoiceSpec {
        name: "/daily",
        value: "daily",
    },
    ChoiceSpec {
        name: "/config",
        value: "config",
    },
    ChoiceSpec {
        name: "/score",
        value: "score",
    },
    ChoiceSpec {
        name: "/recommend",
        value: "recommend",
    },
    ChoiceSpec {
        name: "/interview",
        value: "interview",
    },
    ChoiceSpec {
        name: "/scores",
        value: "scores",
    },
];

const CHANNEL_OPTION: OptionSpec = OptionSpec {
    name: "channel",
    description: "The text or announcement channel",
    kind: OptionKind::Channel {
        kinds: super::daily::POST_CHANNELS,
    },
    required: true,
    choices: &[],
    completion: None,
};

const DAILY_LEVEL_CHOICES: &[ChoiceSpec] = &[
    ChoiceSpec {
        name: "Ramp: junior early in the week, mid mid-week, senior at its end",
        value: "ramp",
    },
    ChoiceSpec {
        name: "Junior (0-2 years)",
        value: "junior",
    },
    ChoiceSpec {
        name: "Mid-level (2-5 years)",
        value: "mid",
    },
    ChoiceSpec {
        name: "Senior (5+ years)",
        value: "senior",
    },
];

/// The runnable command at `path` (`question`, `daily set`), if there is one.
pub fn find(path: &str) -> Option<Leaf> {
    find_in(COMMANDS, path)
}

/// Like [`find`] over any table (tests declare their own).
pub fn find_in(table: &'static [CommandSpec], path: &str) -> Option<Leaf> {
    let mut words = path.split_whitespace();
    let first = words.next()?;
    let root = table.iter().find(|c| c.name == first)?;
    let mut node = root;
    for word in words {
        node = node.subcommands.iter().find(|c| c.name == word)?;
    }
    node.handler.is_some().then_some(Leaf { root, spec: node })
}

/// Every runnable command of the table, depth first, in declaration order.
pub fn leaves() -> Vec<Leaf> {
    fn walk(root: &'static CommandSpec, node: &'static CommandSpec, out: &mut Vec<Leaf>) {
        if node.handler.is_some() {
            out.push(Leaf { root, spec: node });
        }
        for sub in node.subcommands {
            walk(root, sub, out);
        }
    }
    let mut out = Vec::new();
    for root in COMMANDS {
        walk(root, root, &mut out);
    }
    out
}

/// A checked option value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Integer(i64),
    Number(f64),
    Bool(bool),
    User(ResolvedUser),
    Role(ResolvedRole),
    Channel(ResolvedChannel),
    Attachment(ResolvedAttachment),
}

/// A type an option value can be read as.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Option<Self>;
}

macro_rules! from_value {
    ($t:ty, $variant:ident) => {
        impl FromValue for $t {
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    Value::$variant(v) => Some(v.clone()),
                    _ => None,
                }
            }
        }
    };
}
from_value!(String, Text);
from_value!(i64, Integer);
from_value!(f64, Number);
from_value!(bool, Bool);
from_value!(ResolvedUser, User);
from_value!(ResolvedRole, Role);
from_value!(ResolvedChannel, Channel);
from_value!(ResolvedAttachment, Attachment);

impl FromValue for Level {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(s) => Level::parse(s),
            _ => None,
        }
    }
}

/// A command's options after checking against its declaration. Reading an option the command
/// does not declare, or as the wrong type, is a bug and fails loudly rather than defaulting.
pub struct Args {
    command: &'static str,
    options: &'static [OptionSpec],
    values: HashMap<&'static str, Value>,
}

impl Args {
    /// The value of an optional option, `None` when not given.
    pub fn get<T: FromValue>(&self, name: &str) -> Result<Option<T>, Error> {
        if !self.options.iter().any(|o| o.name == name) {
            return Err(Error::Internal(format!(
                "/{} reads undeclared option {name}",
                self.command
            )));
        }
        match self.values.get(name) {
            None => Ok(None),
            Some(v) => T::from_value(v).map(Some).ok_or_else(|| {
                Error::Internal(format!(
                    "/{} reads option {name} as {}",
                    self.command,
                    std::any::type_name::<T>()
                ))
            }),
        }
    }

    /// The value of a required option (checked present by [`bind`]).
    pub fn require<T: FromValue>(&self, name: &str) -> Result<T, Error> {
        self.get(name)?
            .ok_or_else(|| Error::Internal(format!("/{} has no value for {name}", self.command)))
    }
}

/// Checks raw options against the declaration: known names, no duplicates, required ones
/// present, values of the right kind, within bounds, among the choices, and users, roles and
/// channels that exist (with their names from `resolved`).
pub fn bind(leaf: Leaf, raw: &[RawOption], resolved: &Resolved) -> Result<Args, Error> {
    let spec = leaf.spec;
    let command = spec.name;
    let mut values = HashMap::new();
    for opt in raw {
        let Some(decl) = spec.option(&opt.name) else {
            return Err(Error::UnknownOption {
                command: leaf.path(),
                option: opt.name.clone(),
            });
        };
        let value = convert(decl, &opt.value, resolved)?;
        if values.insert(decl.name, value).is_some() {
            return Err(Error::DuplicateOption {
                command: leaf.path(),
                option: decl.name,
            });
        }
    }
    if let Some(missing) = spec
        .options
        .iter()
        .find(|o| o.required && !values.contains_key(o.name))
    {
        return Err(Error::MissingOption {
            command: leaf.path(),
            option: missing.name,
        });
    }
    Ok(Args {
        command,
        options: spec.options,
        values,
    })
}

fn parse_bool(raw: &RawValue) -> Option<bool> {
    match raw {
        RawValue::Bool(b) => Some(*b),
        RawValue::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "on" | "1" => Some(true),
            "false" | "no" | "n" | "off" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn raw_text(raw: &RawValue) -> String {
    match raw {
        RawValue::Text(s) => s.clone(),
        RawValue::Integer(n) => n.to_string(),
        RawValue::Number(n) => n.to_string(),
        RawValue::Bool(b) => b.to_string(),
        RawValue::Id(id) => id.to_string(),
    }
}

/// An id given as a Discord id or mention (`123`, `<@123>`, `<@&123>`, `<#123>`).
fn mention_id(text: &str) -> Option<u64> {
    let t = text.trim();
    let inner = t
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .map(|t| t.trim_start_matches(['@', '#', '!', '&']))
        .unwrap_or(t);
    crate::config::parse_snowflake(inner)
}

/// Finds an entity by id, mention or (for text from the console) name.
fn lookup<'a, T>(
    raw: &RawValue,
    map: &'a HashMap<u64, T>,
    name_of: impl Fn(&T) -> &str,
    sigil: char,
) -> Option<&'a T> {
    match raw {
        RawValue::Id(id) => map.get(id),
        RawValue::Integer(n) => u64::try_from(*n).ok().and_then(|id| map.get(&id)),
        RawValue::Text(text) => match mention_id(text) {
            Some(id) => map.get(&id),
            None => {
                let wanted = text.trim().trim_start_matches(sigil);
                map.values()
                    .find(|v| name_of(v).eq_ignore_ascii_case(wanted))
            }
        },
        _ => None,
    }
}

fn convert(decl: &'static OptionSpec, raw: &RawValue, resolved: &Resolved) -> Result<Value, Error> {
    let invalid = |expected: String| Error::InvalidValue {
        option: decl.name,
        value: raw_text(raw),
        expected,
    };
    let unknown = |what: &'static str| Error::UnknownEntity {
        option: decl.name,
        what,
        value: raw_text(raw),
    };
    match decl.kind {
        OptionKind::Text { max_len } => {
            let text = match raw {
                RawValue::Text(s) => s.trim().to_string(),
                _ => return Err(invalid("text".into())),
            };
            if text.is_empty() {
                return Err(invalid("a non-empty value".into()));
            }
            if !decl.choices.is_empty() {
                return decl
                    .choices
                    .iter()
                    .find(|c| c.value.eq_ignore_ascii_case(&text))
                    .map(|c| Value::Text(c.value.to_string()))
                    .ok_or_else(|| {
                        let values: Vec<&str> = decl.choices.iter().map(|c| c.value).collect();
                        let hint = super::questions::closest(&text, &values)
                            .map_or(String::new(), |v| format!(" (did you mean `{v}`?)"));
                        invalid(format!("one of: {}{hint}", values.join(", ")))
                    });
            }
            if text.chars().count() > usize::from(max_len) {
                return Err(invalid(format!("at most {max_len} characters")));
            }
            Ok(Value::Text(text))
        }
        OptionKind::Integer { min, max } => {
            let n = match raw {
                RawValue::Integer(n) => Some(*n),
                RawValue::Text(s) => s.trim().parse().ok(),
                _ => None,
            };
            match n {
                Some(n) if (min..=max).contains(&n) => Ok(Value::Integer(n)),
                _ => Err(invalid(format!("a whole number from {min} to {max}"))),
            }
        }
        OptionKind::Number { min, max } => {
            let n = match raw {
                RawValue::Number(n) => Some(*n),
                RawValue::Integer(n) => Some(*n as f64),
                RawValue::Text(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            match n {
                Some(n) if n.is_finite() && n >= min && n <= max => Ok(Value::Number(n)),
                _ => Err(invalid(format!("a number from {min} to {max}"))),
            }
        }
        OptionKind::Boolean => parse_bool(raw)
            .map(Value::Bool)
            .ok_or_else(|| invalid("true or false".into())),
        OptionKind::User => lookup(raw, &resolved.users, |u| &u.name, '@')
            .cloned()
            .map(Value::User)
            .ok_or_else(|| unknown("member")),
        OptionKind::Role => lookup(raw, &resolved.roles, |r| &r.name, '@')
            .cloned()
            .map(Value::Role)
            .ok_or_else(|| unknown("role")),
        OptionKind::Channel { kinds } => {
            let channel = lookup(raw, &resolved.channels, |c| &c.name, '#')
                .cloned()
                .ok_or_else(|| unknown("channel"))?;
            if !kinds.is_empty() && !kinds.contains(&channel.kind) {
                return Err(Error::WrongChannelKind {
                    option: decl.name,
                    channel: channel.name,
                    got: channel.kind,
                    allowed: kinds,
                });
            }
            Ok(Value::Channel(channel))
        }
        OptionKind::Attachment => lookup(raw, &resolved.attachments, |a| &a.filename, ' ')
            .cloned()
            .map(Value::Attachment)
            .ok_or_else(|| unknown("file")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declaration_is_well_formed() {
        fn check(node: &CommandSpec, depth: usize) {
            assert!(
                depth <= 2,
                "/{}: Discord nests at most group > subcommand",
                node.name
            );
            assert!(
                node.handler.is_some() != node.is_group(),
                "/{}: a node has a handler or subcommands, not both",
                node.name
            );
            assert!(
                !node.is_group() || node.options.is_empty(),
                "/{}: a group takes no options",
                node.name
            );
            if depth > 0 {
                assert!(node.default_permissions.is_none(), "/{}", node.name);
            }
            let mut seen_optional = false;
            for o in node.options {
                assert!(
                    !(o.required && seen_optional),
                    "/{} {}: required after optional",
                    node.name,
                    o.name
                );
                seen_optional |= !o.required;
                assert!(
                    o.choices.is_empty() || matches!(o.kind, OptionKind::Text { .. }),
                    "choices only on text options"
                );
                assert!(o.choices.is_empty() || o.completion.is_none());
            }
            if let Answer::PublicIf(flag) = node.answer {
                let o = node.option(flag).expect("PublicIf names a declared option");
                assert_eq!(o.kind, OptionKind::Boolean);
            }
            for sub in node.subcommands {
                check(sub, depth + 1);
            }
        }
        for c in COMMANDS {
            check(c, 0);
        }
        assert!(!leaves().is_empty());
        for leaf in leaves() {
            let found = find(&leaf.path()).unwrap();
            assert!(std::ptr::eq(found.spec, leaf.spec));
        }
    }

    #[test]
    fn help_explains_every_top_level_command() {
        let topics: Vec<&str> = HELP_TOPICS.iter().map(|c| c.value).collect();
        let commands: Vec<&str> = COMMANDS.iter().map(|c| c.name).collect();
        assert_eq!(topics, commands);
    }

    #[test]
    fn typed_access_refuses_undeclared_names_and_wrong_types() {
        let leaf = find("answer").unwrap();
        let args = bind(
            leaf,
            &[RawOption::text("id", "x"), RawOption::text("public", "yes")],
            &Resolved::default(),
        )
        .unwrap();
        assert_eq!(args.require::<String>("id").unwrap(), "x");
        assert!(args.require::<bool>("public").unwrap());
        assert!(matches!(
            args.get::<String>("nope"),
            Err(Error::Internal(_))
        ));
        assert!(matches!(args.get::<i64>("id"), Err(Error::Internal(_))));
        assert_eq!(
            leaf.visibility(&[RawOption::text("public", "yes")]),
            Visibility::Public
        );
        assert_eq!(leaf.visibility(&[]), Visibility::Private);
    }

    #[test]
    fn users_roles_and_channels_resolve_by_id_mention_or_name() {
        let mut resolved = Resolved::default();
        resolved.channels.insert(
            7,
            ResolvedChannel {
                id: 7,
                name: "interviews".into(),
                kind: ChannelKind::Text,
                bot_permissions: None,
            },
        );
        let by = |raw: RawValue| lookup(&raw, &resolved.channels, |c| &c.name, '#').map(|c| c.id);
        assert_eq!(by(RawValue::Id(7)), Some(7));
        assert_eq!(by(RawValue::Text("<#7>".into())), Some(7));
        assert_eq!(by(RawValue::Text("#Interviews".into())), Some(7));
        assert_eq!(by(RawValue::Text("7".into())), Some(7));
        assert_eq!(by(RawValue::Text("general".into())), None);
        assert_eq!(by(RawValue::Integer(-7)), None);
        assert_eq!(mention_id("<@!42>"), Some(42));
        assert_eq!(mention_id("<@&42>"), Some(42));
    }
}
