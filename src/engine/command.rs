//! Command declarations: each command declared once, by the feature that owns it. Discord
//! registration, the console parser, `/help`, option checking and permission checks are all
//! derived from these declarations.
//!
//! A command's options are a struct declared with [`options!`](crate::options): the field
//! names are the option names, the field types say what each option holds (`Option<_>` for an
//! optional one), and the struct's [`Run::run`] is the command's handler. The declaration the
//! front ends see ([`OptionSpec`]) and the typed value the handler gets come from that one
//! struct, and a mismatch between an option's kind and its field's type fails to compile.

use super::Handled;
use std::collections::HashMap;

use super::Engine;
use super::access::Access;
use super::effect::Visibility;
use super::error::Error;
use super::request::{
    ChannelKind, RawOption, RawValue, Request, Resolved, ResolvedAttachment, ResolvedChannel,
    ResolvedRole, ResolvedUser,
};

/// Runs a command once its caller and options have been checked.
pub type Handler = fn(&Engine, &Request, &Args) -> Handled;

/// A command's typed options (see [`options!`](crate::options)).
pub trait Options: Sized {
    /// The options as declared to the front ends, in order.
    const SPECS: &'static [OptionSpec];
    /// The typed value of checked options.
    fn from_args(args: &Args) -> Result<Self, Error>;
}

/// What a command does with its typed options: its handler.
pub trait Run: Options {
    fn run(self, engine: &Engine, req: &Request) -> Handled;
}

/// The handler of a command whose options are `O`.
fn run<O: Run>(engine: &Engine, req: &Request, args: &Args) -> Handled {
    O::from_args(args)?.run(engine, req)
}

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
    /// A leaf command with the defaults (everyone may run it, answered privately): its options
    /// and its handler are those of `O`.
    pub const fn leaf<O: Run>(name: &'static str, description: &'static str) -> CommandSpec {
        CommandSpec {
            name,
            description,
            options: O::SPECS,
            subcommands: &[],
            handler: Some(run::<O>),
            access: Access::Everyone,
            answer: Answer::Private,
            default_permissions: None,
        }
    }

    pub fn option(&self, name: &str) -> Option<&'static OptionSpec> {
        self.options.iter().find(|o| o.name == name)
    }

    /// A subcommand group (or a command with subcommands): no options, no handler.
    pub const fn group(
        name: &'static str,
        description: &'static str,
        access: Access,
        subcommands: &'static [CommandSpec],
    ) -> CommandSpec {
        CommandSpec {
            name,
            description,
            options: &[],
            subcommands,
            handler: None,
            access,
            answer: Answer::Private,
            default_permissions: None,
        }
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
    /// The bot's top-level commands, from the registry (`/help command:`).
    Command,
    /// The question packs (`/pack on pack:`).
    Pack,
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

/// Builders for [`options!`](crate::options), which fills in `name` and `required`.
impl OptionSpec {
    const fn of(description: &'static str, kind: OptionKind) -> OptionSpec {
        OptionSpec {
            name: "",
            description,
            kind,
            required: false,
            choices: &[],
            completion: None,
        }
    }

    /// Free text of at most `max_len` characters.
    pub const fn text(description: &'static str, max_len: u16) -> OptionSpec {
        OptionSpec::of(description, OptionKind::Text { max_len })
    }

    pub const fn integer(description: &'static str, min: i64, max: i64) -> OptionSpec {
        OptionSpec::of(description, OptionKind::Integer { min, max })
    }

    pub const fn boolean(description: &'static str) -> OptionSpec {
        OptionSpec::of(description, OptionKind::Boolean)
    }

    pub const fn user(description: &'static str) -> OptionSpec {
        OptionSpec::of(description, OptionKind::User)
    }

    pub const fn role(description: &'static str) -> OptionSpec {
        OptionSpec::of(description, OptionKind::Role)
    }

    /// A channel of one of `kinds`.
    pub const fn channel(description: &'static str, kinds: &'static [ChannelKind]) -> OptionSpec {
        OptionSpec::of(description, OptionKind::Channel { kinds })
    }

    pub const fn attachment(description: &'static str) -> OptionSpec {
        OptionSpec::of(description, OptionKind::Attachment)
    }

    /// The same option with a closed set of values.
    pub const fn choices(self, choices: &'static [ChoiceSpec]) -> OptionSpec {
        OptionSpec { choices, ..self }
    }

    /// The same option with suggestions while the user types.
    pub const fn complete(self, completion: Completion) -> OptionSpec {
        OptionSpec {
            completion: Some(completion),
            ..self
        }
    }
}

/// A runnable command found by its path. Shown as its path (`daily set`).
#[derive(Clone, Copy)]
pub struct Leaf {
    /// The top-level command (carries `default_permissions`).
    pub root: &'static CommandSpec,
    pub spec: &'static CommandSpec,
}

impl std::fmt::Display for Leaf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.path())
    }
}

impl std::fmt::Debug for Leaf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "/{}", self.path())
    }
}

/// The same command.
impl PartialEq for Leaf {
    fn eq(&self, other: &Leaf) -> bool {
        std::ptr::eq(self.spec, other.spec)
    }
}

impl Eq for Leaf {}

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

/// The kind of value a field type holds, checked against its option's kind at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueClass {
    Text,
    Integer,
    Number,
    Bool,
    User,
    Role,
    Channel,
    Attachment,
}

/// Whether an option of `kind` gives values of `class`.
pub const fn fits(class: ValueClass, kind: &OptionKind) -> bool {
    matches!(
        (class, kind),
        (ValueClass::Text, OptionKind::Text { .. })
            | (ValueClass::Integer, OptionKind::Integer { .. })
            | (ValueClass::Number, OptionKind::Number { .. })
            | (ValueClass::Bool, OptionKind::Boolean)
            | (ValueClass::User, OptionKind::User)
            | (ValueClass::Role, OptionKind::Role)
            | (ValueClass::Channel, OptionKind::Channel { .. })
            | (ValueClass::Attachment, OptionKind::Attachment)
    )
}

/// A field type of an [`Options`] struct: `T` for a required option, `Option<T>` for an
/// optional one.
pub trait Arg: Sized {
    const REQUIRED: bool;
    const CLASS: ValueClass;
    fn take(args: &Args, name: &'static str) -> Result<Self, Error>;
}

/// An optional option: the same kind of value as `T`, absent when not given.
impl<T: Arg + FromValue> Arg for Option<T> {
    const REQUIRED: bool = false;
    const CLASS: ValueClass = T::CLASS;
    fn take(args: &Args, name: &'static str) -> Result<Self, Error> {
        args.get(name)
    }
}

/// A text value with a closed set of values (the option's choices), read as a typed value.
pub trait FromText: Sized {
    fn from_text(text: &str) -> Option<Self>;
}

/// Implements [`FromValue`] and [`Arg`] for an option value type (`Option<T>` follows).
#[macro_export]
macro_rules! option_value {
    ($t:ty, $class:ident, $variant:ident) => {
        impl $crate::engine::command::FromValue for $t {
            fn from_value(value: &$crate::engine::command::Value) -> Option<Self> {
                match value {
                    $crate::engine::command::Value::$variant(v) => Some(v.clone()),
                    _ => None,
                }
            }
        }
        $crate::option_value!(@arg $t, $class);
    };
    (text $t:ty) => {
        impl $crate::engine::command::FromValue for $t {
            fn from_value(value: &$crate::engine::command::Value) -> Option<Self> {
                match value {
                    $crate::engine::command::Value::Text(v) => {
                        <$t as $crate::engine::command::FromText>::from_text(v)
                    }
                    _ => None,
                }
            }
        }
        $crate::option_value!(@arg $t, Text);
    };
    (@arg $t:ty, $class:ident) => {
        impl $crate::engine::command::Arg for $t {
            const REQUIRED: bool = true;
            const CLASS: $crate::engine::command::ValueClass =
                $crate::engine::command::ValueClass::$class;
            fn take(
                args: &$crate::engine::command::Args,
                name: &'static str,
            ) -> Result<Self, $crate::engine::Error> {
                args.require(name)
            }
        }
    };
}

option_value!(String, Text, Text);
option_value!(i64, Integer, Integer);
option_value!(f64, Number, Number);
option_value!(bool, Bool, Bool);
option_value!(ResolvedUser, User, User);
option_value!(ResolvedRole, Role, Role);
option_value!(ResolvedChannel, Channel, Channel);
option_value!(ResolvedAttachment, Attachment, Attachment);

/// The closed sets an option's choices can stand for, read typed.
macro_rules! choice_values {
    ($($t:ty),*) => {$(
        impl FromText for $t {
            fn from_text(text: &str) -> Option<Self> {
                <$t>::parse(text)
            }
        }
        option_value!(text $t);
    )*};
}
choice_values!(
    crate::model::Level,
    crate::model::LevelPlan,
    crate::model::Recommendation,
    crate::model::RubricAccess
);

/// Declares a command's options as a struct: each field is an option of that name, its type
/// says what it holds (`Option<_>` when optional), and the expression after `=` declares it
/// for the front ends (description, kind, choices, completion):
///
/// ```ignore
/// options! {
///     /// `/answer`
///     pub struct AnswerOptions {
///         id: String = OptionSpec::text("Question id, as shown under the question", 64)
///             .complete(Completion::QuestionId),
///         public: Option<bool> = OptionSpec::boolean("Post it for the whole channel"),
///     }
/// }
/// ```
///
/// The struct then implements [`Options`]; implementing [`Run`] for it makes it a command
/// ([`CommandSpec::leaf`]). An option whose kind cannot hold its field's type fails to compile.
#[macro_export]
macro_rules! options {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $spec:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        $vis struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::engine::command::Options for $name {
            const SPECS: &'static [$crate::engine::command::OptionSpec] = &[
                $( $crate::engine::command::OptionSpec {
                    name: stringify!($field),
                    required: <$ty as $crate::engine::command::Arg>::REQUIRED,
                    ..$spec
                } ),*
            ];

            #[allow(unused_variables)]
            fn from_args(
                args: &$crate::engine::command::Args,
            ) -> Result<Self, $crate::engine::Error> {
                Ok($name {
                    $( $field: <$ty as $crate::engine::command::Arg>::take(
                        args,
                        stringify!($field),
                    )?, )*
                })
            }
        }

        const _: () = {
            $( assert!(
                $crate::engine::command::fits(
                    <$ty as $crate::engine::command::Arg>::CLASS,
                    &$spec.kind,
                ),
                concat!(
                    "option `", stringify!($field), "` of ", stringify!($name),
                    ": its kind cannot hold a ", stringify!($ty)
                ),
            ); )*
        };
    };
}

/// Makes a command's options struct run a handler that takes them: `fn(&Engine, &Request,
/// Options) -> Result<Outcome, Error>`.
#[macro_export]
macro_rules! run_with {
    ($opts:ty => $handler:path) => {
        impl $crate::engine::command::Run for $opts {
            fn run(
                self,
                engine: &$crate::engine::Engine,
                req: &$crate::engine::Request,
            ) -> Result<$crate::engine::Outcome, $crate::engine::Error> {
                $handler(engine, req, self)
            }
        }
    };
}

/// A command's options after checking against its declaration. Reading an option the command
/// does not declare, or as the wrong type, is a bug and fails loudly rather than defaulting
/// (the typed structs of [`options!`](crate::options) rule both out at compile time).
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
                command: leaf,
                option: opt.name.clone(),
            });
        };
        let value = convert(decl, &opt.value, resolved)?;
        if values.insert(decl.name, value).is_some() {
            return Err(Error::DuplicateOption {
                command: leaf,
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
            command: leaf,
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
fn lookup<'a, K: From<u64> + std::hash::Hash + Eq, T>(
    raw: &RawValue,
    map: &'a HashMap<K, T>,
    name_of: impl Fn(&T) -> &str,
    sigil: char,
) -> Option<&'a T> {
    match raw {
        RawValue::Id(id) => map.get(&K::from(*id)),
        RawValue::Integer(n) => u64::try_from(*n).ok().and_then(|id| map.get(&K::from(id))),
        RawValue::Text(text) => match mention_id(text) {
            Some(id) => map.get(&K::from(id)),
            None => {
                let wanted = text.trim().trim_start_matches(sigil);
                map.values()
                    .find(|v| name_of(v).eq_ignore_ascii_case(wanted))
            }
        },
        _ => None,
    }
}

/// [`lookup`], or the error naming every one the request knows (`#console`, `@interviewers`).
fn find<'a, K: From<u64> + std::hash::Hash + Eq, T>(
    raw: &RawValue,
    map: &'a HashMap<K, T>,
    name_of: impl Fn(&T) -> &str,
    sigil: char,
    decl: &'static OptionSpec,
    what: &'static str,
) -> Result<&'a T, Error> {
    lookup(raw, map, &name_of, sigil).ok_or_else(|| {
        let mut known: Vec<String> = map
            .values()
            .map(|v| format!("{sigil}{}", name_of(v)))
            .collect();
        known.sort();
        Error::UnknownEntity {
            option: decl.name,
            what,
            value: raw_text(raw),
            known,
        }
    })
}

fn convert(decl: &'static OptionSpec, raw: &RawValue, resolved: &Resolved) -> Result<Value, Error> {
    let invalid = |expected: String| Error::InvalidValue {
        option: decl.name,
        value: raw_text(raw),
        expected,
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
                        let hint = crate::text::closest(&text, &values)
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
        OptionKind::User => find(raw, &resolved.users, |u| &u.name, '@', decl, "member")
            .cloned()
            .map(Value::User),
        OptionKind::Role => find(raw, &resolved.roles, |r| &r.name, '@', decl, "role")
            .cloned()
            .map(Value::Role),
        OptionKind::Channel { kinds } => {
            let channel = find(raw, &resolved.channels, |c| &c.name, '#', decl, "channel")?.clone();
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
            .ok_or_else(|| Error::UnknownEntity {
                option: decl.name,
                what: "file",
                value: raw_text(raw),
                known: Vec::new(),
            }),
    }
}

/// Checks every declaration of a command table: nesting, a handler or subcommands, required
/// options before optional ones, choices only on text, `PublicIf` naming a boolean. For the
/// tests of each registry.
pub fn check_declarations(commands: &[&CommandSpec]) {
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
    for c in commands {
        check(c, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Outcome;
    use crate::model::ChannelId;

    crate::options! {
        struct Sample {
            id: String = OptionSpec::text("An id", 64),
            public: Option<bool> = OptionSpec::boolean("Public"),
        }
    }

    impl Run for Sample {
        fn run(self, _: &Engine, _: &Request) -> Handled {
            Ok(Outcome::default())
        }
    }

    static SAMPLE: CommandSpec = CommandSpec {
        answer: Answer::PublicIf("public"),
        ..CommandSpec::leaf::<Sample>("sample", "A sample")
    };

    fn leaf() -> Leaf {
        Leaf {
            root: &SAMPLE,
            spec: &SAMPLE,
        }
    }

    #[test]
    fn typed_options_are_declared_once_and_read_typed() {
        check_declarations(&[&SAMPLE]);
        let names: Vec<(&str, bool)> = SAMPLE
            .options
            .iter()
            .map(|o| (o.name, o.required))
            .collect();
        assert_eq!(names, [("id", true), ("public", false)]);
        let args = bind(
            leaf(),
            &[RawOption::text("id", "x"), RawOption::text("public", "yes")],
            &Resolved::default(),
        )
        .unwrap();
        assert_eq!(
            Sample::from_args(&args).unwrap(),
            Sample {
                id: "x".into(),
                public: Some(true)
            }
        );
        let args = bind(leaf(), &[RawOption::text("id", "y")], &Resolved::default()).unwrap();
        assert_eq!(Sample::from_args(&args).unwrap().public, None);
    }

    #[test]
    fn untyped_access_refuses_undeclared_names_and_wrong_types() {
        let args = bind(
            leaf(),
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
            leaf().visibility(&[RawOption::text("public", "yes")]),
            Visibility::Public
        );
        assert_eq!(leaf().visibility(&[]), Visibility::Private);
    }

    #[test]
    fn option_kinds_fit_only_their_value_types() {
        assert!(fits(ValueClass::Text, &OptionKind::Text { max_len: 1 }));
        assert!(!fits(ValueClass::Integer, &OptionKind::Text { max_len: 1 }));
        assert!(fits(
            ValueClass::Channel,
            &OptionKind::Channel { kinds: &[] }
        ));
        assert!(!fits(ValueClass::Bool, &OptionKind::Role));
    }

    #[test]
    fn users_roles_and_channels_resolve_by_id_mention_or_name() {
        let mut resolved = Resolved::default();
        resolved.channels.insert(
            ChannelId(7),
            ResolvedChannel {
                id: ChannelId(7),
                name: "interviews".into(),
                kind: ChannelKind::Text,
                bot_permissions: None,
            },
        );
        let by =
            |raw: RawValue| lookup(&raw, &resolved.channels, |c| &c.name, '#').map(|c| c.id.get());
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
