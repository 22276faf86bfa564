//! The command table: every command declared once. Discord registration, the console parser,
//! `/help` and option checking are all derived from these declarations.

use std::collections::HashMap;

use super::Engine;
use super::error::Error;
use super::reply::Reply;
use super::request::{RawOption, RawValue, Request};

/// Runs a command once its options have been checked.
pub type Handler = fn(&Engine, &Request, &Args) -> Result<Reply, Error>;

pub struct CommandSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub options: &'static [OptionSpec],
    pub handler: Handler,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    /// Free text of at most `max_len` characters.
    Text {
        max_len: u16,
    },
    Integer {
        min: i64,
        max: i64,
    },
    Boolean,
}

/// Where suggestions for an option come from while the user types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    Topic,
    QuestionId,
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
    /// A closed set of values; empty for free input.
    pub choices: &'static [ChoiceSpec],
    pub completion: Option<Completion>,
}

impl CommandSpec {
    pub fn option(&self, name: &str) -> Option<&'static OptionSpec> {
        self.options.iter().find(|o| o.name == name)
    }

    /// `/question level:<junior|mid|senior> [topic:<text>]`
    pub fn usage(&self) -> String {
        let mut s = format!("/{}", self.name);
        for o in self.options {
            let shape = if !o.choices.is_empty() {
                o.choices
                    .iter()
                    .map(|c| c.value)
                    .collect::<Vec<_>>()
                    .join("|")
            } else {
                match o.kind {
                    OptionKind::Text { .. } => "text".to_string(),
                    OptionKind::Integer { min, max } => format!("{min}-{max}"),
                    OptionKind::Boolean => "true|false".to_string(),
                }
            };
            if o.required {
                s.push_str(&format!(" {}:<{shape}>", o.name));
            } else {
                s.push_str(&format!(" [{}:<{shape}>]", o.name));
            }
        }
        s
    }
}

const LEVEL_CHOICES: &[ChoiceSpec] = &[
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
        name: "question",
        description: "Post an interview question for a level, optionally on one topic",
        options: &[
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
        handler: Engine::cmd_question,
    },
    CommandSpec {
        name: "answer",
        description: "Show a question's model answer, red flags and follow-ups (privately)",
        options: &[
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
        handler: Engine::cmd_answer,
    },
    CommandSpec {
        name: "help",
        description: "List the bot's commands and how to use them",
        options: &[],
        handler: Engine::cmd_help,
    },
];

pub fn find(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// A checked option value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Integer(i64),
    Bool(bool),
}

/// A command's options after checking against its declaration.
#[derive(Debug, Default)]
pub struct Args(HashMap<&'static str, Value>);

impl Args {
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.0.get(name) {
            Some(Value::Text(s)) => Some(s),
            _ => None,
        }
    }

    pub fn integer(&self, name: &str) -> Option<i64> {
        match self.0.get(name) {
            Some(Value::Integer(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn flag(&self, name: &str) -> Option<bool> {
        match self.0.get(name) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }
}

/// Checks raw options against the declaration: known names, no duplicates, required ones
/// present, values of the right kind, within bounds and among the choices.
pub fn bind(spec: &'static CommandSpec, raw: &[RawOption]) -> Result<Args, Error> {
    let mut args = Args::default();
    for opt in raw {
        let Some(decl) = spec.option(&opt.name) else {
            return Err(Error::UnknownOption {
                command: spec.name,
                option: opt.name.clone(),
            });
        };
        let value = convert(spec, decl, &opt.value)?;
        if args.0.insert(decl.name, value).is_some() {
            return Err(Error::DuplicateOption {
                command: spec.name,
                option: decl.name,
            });
        }
    }
    if let Some(missing) = spec
        .options
        .iter()
        .find(|o| o.required && !args.0.contains_key(o.name))
    {
        return Err(Error::MissingOption {
            command: spec.name,
            option: missing.name,
        });
    }
    Ok(args)
}

fn convert(
    spec: &'static CommandSpec,
    decl: &'static OptionSpec,
    raw: &RawValue,
) -> Result<Value, Error> {
    let invalid = |expected: String| Error::InvalidValue {
        command: spec.name,
        option: decl.name,
        value: match raw {
            RawValue::Text(s) => s.clone(),
            RawValue::Integer(n) => n.to_string(),
            RawValue::Bool(b) => b.to_string(),
        },
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
                        invalid(format!(
                            "one of: {}",
                            decl.choices
                                .iter()
                                .map(|c| c.value)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
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
                RawValue::Bool(_) => None,
            };
            match n {
                Some(n) if (min..=max).contains(&n) => Ok(Value::Integer(n)),
                _ => Err(invalid(format!("a whole number from {min} to {max}"))),
            }
        }
        OptionKind::Boolean => {
            let b = match raw {
                RawValue::Bool(b) => Some(*b),
                RawValue::Text(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "y" | "on" | "1" => Some(true),
                    "false" | "no" | "n" | "off" | "0" => Some(false),
                    _ => None,
                },
                RawValue::Integer(_) => None,
            };
            b.map(Value::Bool)
                .ok_or_else(|| invalid("true or false".into()))
        }
    }
}
