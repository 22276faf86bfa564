//! Hostile input (issue 12): property tests with bounded case counts over the console parser,
//! the question-pack loader, the conversion of Discord interactions into requests (and of
//! effects into Discord payloads), and the CSV export. Each property checks that nothing
//! panics, that every refusal is a clear message (no Rust `Debug` text), and what a user would
//! see. Regression tests for the bugs these found are kept beside them, named after the bug.
//!
//! No persistence files are written (`failure_persistence: None`): a failing case is printed,
//! and kept here as an explicit test.

mod common;

use std::collections::HashSet;
use std::sync::OnceLock;

use common::{CHANNEL, Fixture, GUILD, Recorder, fixture};
use interview_bot::bank::{self, BUILTIN_PACKS, Bank, Problem};
use interview_bot::console::{Line, parse_line, parse_line_in};
use interview_bot::discord::convert;
use interview_bot::engine::OptionKind;
use interview_bot::engine::command::bind;
use interview_bot::engine::{
    AutocompleteRequest, ChannelKind, Completion, Effect, Engine, Error, Invocation, Member,
    Message, Outcome, Permissions, RawOption, RawValue, Request, Resolved, ResolvedAttachment,
    ResolvedChannel, ResolvedRole, ResolvedUser, Visibility,
};
use interview_bot::features::REGISTRY;
use interview_bot::features::scores::export::{COLUMNS, neutralise, to_csv};
use interview_bot::store::ScoreRow;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};

/// A bounded run: `cases` cases, no persistence files in the repository.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// Shared checks

/// Text that only Rust's `Debug` output (or a panic) would put in a message.
const NOISE: &[&str] = &[
    "Err(",
    "Ok(",
    "Some(",
    "None)",
    "{ ",
    " }",
    "{}",
    "\\\"",
    "\\n",
    "Error {",
    "Error::",
    "panicked",
    "unwrap",
    "RawValue",
    "Spanned",
    "DeValue",
    "Internal(",
    "Scores(",
    "Input(",
];

/// A message a user can read: not empty, within Discord's 2000 characters, and free of Debug
/// noise that the hostile `input` did not bring itself (user text is quoted back).
fn check_clear(msg: &str, input: &str) -> Result<(), TestCaseError> {
    let trimmed = msg.trim().trim_start_matches("⚠️").trim();
    prop_assert!(!trimmed.is_empty(), "empty message for {input:?}");
    prop_assert!(
        msg.chars().count() <= 2000,
        "message of {} characters for {input:?}",
        msg.chars().count()
    );
    // User text comes back inside inline code, control characters made spaces: leave it out.
    let outside_quotes: String = msg
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, s)| s)
        .collect::<Vec<_>>()
        .join(" ");
    for noise in NOISE {
        prop_assert!(
            !outside_quotes.contains(noise) || input.contains(noise),
            "message has `{noise}`: {msg:?} (input {input:?})"
        );
    }
    Ok(())
}

/// All the text of a message: content, cards and button labels.
fn message_text(m: &Message) -> String {
    let mut out = m.content.clone().unwrap_or_default();
    for c in &m.cards {
        for s in [&c.title, &c.description, &c.footer].into_iter().flatten() {
            out.push('\n');
            out.push_str(s);
        }
        for f in &c.fields {
            out.push_str(&format!("\n{}\n{}", f.name, f.value));
        }
    }
    for b in &m.buttons {
        out.push('\n');
        out.push_str(&b.label);
    }
    out
}

/// All the text an outcome would show, in every effect.
fn outcome_text(o: &Outcome) -> String {
    let mut out = String::new();
    for e in &o.effects {
        if let Some(m) = e.message() {
            out.push_str(&message_text(m));
            out.push('\n');
        }
        if let Effect::OpenModal(modal) = e {
            out.push_str(&modal.title);
            for i in &modal.inputs {
                out.push_str(&format!(
                    "\n{}\n{}",
                    i.label,
                    i.value.clone().unwrap_or_default()
                ));
            }
        }
    }
    out
}

/// An outcome is answered; an error answer is private and clear.
fn check_outcome(o: &Outcome, input: &str) -> Result<(), TestCaseError> {
    let (visibility, message) = match o.first_reply() {
        Some(r) => r,
        // An update of the pressed message, or a modal, answers a button instead.
        None => {
            prop_assert!(
                o.effects.iter().any(Effect::answers_interaction),
                "nothing answers {input:?}: {o:?}"
            );
            return Ok(());
        }
    };
    if o.is_error {
        prop_assert_eq!(visibility, Visibility::Private);
        check_clear(message.content.as_deref().unwrap_or(""), input)?;
    }
    let problems = interview_bot::engine::limits::check_outcome(o);
    prop_assert!(problems.is_empty(), "{problems:?} for {input:?}");
    Ok(())
}

fn admin(id: u64) -> Member {
    Member {
        user_id: id,
        name: format!("admin{id}"),
        roles: vec![],
        permissions: Permissions(Permissions::ADMINISTRATOR | Permissions::MANAGE_GUILD),
    }
}

/// Pieces that hostile lines and texts are made of.
fn hostile_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,12}",
        "\\PC{0,8}",
        "[\\x00-\\x1f\\x7f\\u{200B}\\u{202E}\\u{FEFF}]{1,4}",
        Just("\"".to_string()),
        Just("'".to_string()),
        Just(":".to_string()),
        Just("=HYPERLINK(\"http://x\")".to_string()),
        Just("+1".to_string()),
        Just("-1".to_string()),
        Just("@everyone".to_string()),
        Just("<@&1>".to_string()),
        Just("\t".to_string()),
        Just("\r\n".to_string()),
        Just("\0".to_string()),
        Just("9223372036854775807".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("18446744073709551616".to_string()),
        Just("1e400".to_string()),
        Just("NaN".to_string()),
        Just("-inf".to_string()),
        Just("`".to_string()),
        Just("é\u{301}👩‍👩‍👧".to_string()),
        Just("Err(Internal(\"x\"))".to_string()),
    ]
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::collection::vec(hostile_piece(), 0..8).prop_map(|v| v.concat()),
        1 => (hostile_piece(), 1usize..3000).prop_map(|(p, n)| p.repeat(n.min(6_000 / p.len().max(1)))),
    ]
}

/// One engine and database for all the cases of a property (a fresh one per case would
/// spend the run opening databases).
fn shared(cell: &'static OnceLock<Fixture>) -> &'static Fixture {
    cell.get_or_init(fixture)
}

static CONSOLE: OnceLock<Fixture> = OnceLock::new();
static COMMANDS: OnceLock<Fixture> = OnceLock::new();

// ---------------------------------------------------------------------------------------
// 1. The console parser

fn bank() -> &'static Bank {
    static BANK: OnceLock<Bank> = OnceLock::new();
    BANK.get_or_init(|| Bank::load_configured(None).unwrap().0)
}

/// Words a console line is made of: command paths, option names in every form, values.
fn console_word() -> impl Strategy<Value = String> {
    let paths: Vec<String> = REGISTRY.leaves().iter().map(|l| l.path()).collect();
    let names: Vec<String> = REGISTRY
        .leaves()
        .iter()
        .flat_map(|l| l.spec.options.iter().map(|o| o.name.to_string()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    prop_oneof![
        3 => hostile_piece(),
        2 => prop::sample::select(paths.clone()).prop_map(|p| format!("/{p}")),
        1 => prop::sample::select(paths),
        2 => (prop::sample::select(names.clone()), hostile_piece()).prop_map(|(n, v)| format!("{n}:{v}")),
        1 => prop::sample::select(names.clone()).prop_map(|n| format!("{n}:")),
        1 => (prop::sample::select(names), "[^\"]{0,20}").prop_map(|(n, v)| format!("{n}:\"{v}\"")),
        1 => Just("!".to_string()),
        1 => Just("#".to_string()),
    ]
}

fn console_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(console_word(), 0..8).prop_map(|w| w.join(" ")),
        2 => hostile_text(),
        // A very long line: a command with a huge value, or a huge unknown command.
        1 => (1usize..20_000).prop_map(|n| format!("/question topic:{}", "x".repeat(n))),
        1 => (1usize..10_000).prop_map(|n| format!("/{}", "a:".repeat(n))),
        1 => (1usize..10_000).prop_map(|n| format!("!{}", "9".repeat(n))),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// Any line: no panic; a refusal is a clear message; a parsed command runs in the engine
    /// and any error it gives is clear too.
    #[test]
    fn console_lines_never_panic_and_refusals_are_clear(line in console_line()) {
        let f = shared(&CONSOLE);
        match parse_line(&line, &f.engine) {
            Err(e) => check_clear(&e.user_message(), &line)?,
            Ok(Line::Run(invocation)) => {
                let req = Request::member(GUILD, CHANNEL, admin(7), invocation);
                let (outcome, _) = f.engine.execute(&req, &mut Recorder::default());
                check_outcome(&outcome, &line)?;
            }
            Ok(Line::Empty | Line::Quit | Line::Press(_)) => {}
        }
    }
}

/// A generated command: its line, and what it must parse to.
#[derive(Debug, Clone)]
struct Generated {
    line: String,
    path: String,
    options: Vec<(String, String)>,
    /// Every required option is one the generator gives a value for, so `bind` must accept it.
    bindable: bool,
}

/// A value that `bind` accepts for a declared option, or `None` for options that name a
/// member, role, channel or file (those need resolved data).
fn value_for(kind: &OptionKind, choices: &[&'static str]) -> Option<BoxedStrategy<String>> {
    if !choices.is_empty() {
        let choices: Vec<String> = choices.iter().map(|c| c.to_string()).collect();
        return Some(
            (prop::sample::select(choices), any::<bool>())
                .prop_map(|(c, upper)| if upper { c.to_uppercase() } else { c })
                .boxed(),
        );
    }
    match kind {
        OptionKind::Text { max_len } => {
            let max = usize::from(*max_len).clamp(1, 40);
            // Starts with a visible character, so it is not empty once trimmed; no `"`, which
            // quotes the value on the line.
            Some(
                (
                    "[a-zA-Z0-9=+@#!é👩-]",
                    prop::collection::vec("[^\"\\x00-\\x08]", 0..max),
                )
                    .prop_map(move |(first, rest)| {
                        let s: String = std::iter::once(first).chain(rest).collect();
                        s.chars()
                            .take(max)
                            .collect::<String>()
                            .trim_end()
                            .to_string()
                    })
                    .boxed(),
            )
        }
        OptionKind::Integer { min, max } => Some((*min..=*max).prop_map(|n| n.to_string()).boxed()),
        OptionKind::Boolean => Some(
            prop::sample::select(vec!["true", "false", "yes", "no", "on", "off"])
                .prop_map(str::to_string)
                .boxed(),
        ),
        _ => None,
    }
}

fn generated_command() -> impl Strategy<Value = Generated> {
    let paths: Vec<String> = REGISTRY.leaves().iter().map(|l| l.path()).collect();
    prop::sample::select(paths).prop_flat_map(|path| {
        let leaf = REGISTRY.find(&path).unwrap();
        let mut opts: Vec<BoxedStrategy<Option<(String, String, u8)>>> = Vec::new();
        let mut bindable = true;
        for o in leaf.spec.options {
            let choices: Vec<&'static str> = o.choices.iter().map(|c| c.value).collect();
            match value_for(&o.kind, &choices) {
                Some(values) => {
                    let name = o.name.to_string();
                    let required = o.required;
                    opts.push(
                        (values, any::<bool>(), 0u8..3, prop::bool::weighted(0.1))
                            .prop_map(move |(v, give, form, empty)| {
                                // Sometimes an explicitly empty value: `topic:""`.
                                let v = if empty { String::new() } else { v };
                                (required || give).then(|| (name.clone(), v, form))
                            })
                            .boxed(),
                    );
                }
                None => bindable &= !o.required,
            }
        }
        let path = leaf.path();
        (
            opts,
            any::<bool>(),
            prop::sample::subsequence((0..8).collect::<Vec<_>>(), 0..=8),
        )
            .prop_map(move |(given, upper, order)| {
                let given: Vec<(String, String, u8)> = given.into_iter().flatten().collect();
                // Shuffle deterministically from the sampled order.
                let mut indexed: Vec<(usize, (String, String, u8))> =
                    given.into_iter().enumerate().collect();
                indexed.sort_by_key(|(i, _)| order.iter().position(|o| o == i).unwrap_or(99));
                let mut line = format!(
                    "/{}",
                    if upper {
                        path.to_uppercase()
                    } else {
                        path.clone()
                    }
                );
                let mut options = Vec::new();
                for (_, (name, value, form)) in indexed {
                    let key = if form == 1 {
                        name.to_uppercase()
                    } else {
                        name.clone()
                    };
                    match form {
                        // `name: "value"`: the value is the next word.
                        2 => line.push_str(&format!(" {key}: \"{value}\"")),
                        _ => line.push_str(&format!("  {key}:\"{value}\"")),
                    }
                    options.push((name, value));
                }
                Generated {
                    line,
                    path: path.clone(),
                    options,
                    bindable,
                }
            })
    })
}

proptest! {
    #![proptest_config(config(256))]

    /// A command written with named options in any order, any case of the names, quoted
    /// values with spaces, quotes of the other kind and formula characters, parses back to its
    /// command and options, and `bind` accepts it.
    #[test]
    fn generated_console_commands_parse_back_to_their_command_and_options(g in generated_command()) {
        let parsed = parse_line_in(&g.line, bank(), REGISTRY);
        let Ok(Line::Run(Invocation::Command { name, options })) = parsed else {
            return Err(TestCaseError::fail(format!("{:?} gave {parsed:?}", g.line)));
        };
        prop_assert_eq!(&name, &g.path);
        let got: Vec<(String, String)> = options
            .iter()
            .map(|o| match &o.value {
                RawValue::Text(t) => (o.name.clone(), t.clone()),
                other => (o.name.clone(), format!("{other:?}")),
            })
            .collect();
        prop_assert_eq!(&got, &g.options, "line {:?}", g.line);
        // An empty value is the engine's to refuse, clearly.
        let empty = g.options.iter().any(|(_, v)| v.is_empty());
        if g.bindable && !empty {
            let leaf = REGISTRY.find(&name).unwrap();
            let bound = bind(leaf, &options, &Resolved::default());
            prop_assert!(bound.is_ok(), "{:?}: {:?}", g.line, bound.err().map(|e| e.user_message()));
        }
    }
}

// ---------------------------------------------------------------------------------------
// 2. The question-pack loader

/// Problems are located: every one names the file, and a line inside it, unless it is about
/// the whole file; the message is clear.
fn check_problems(problems: &[Problem], file: &str, text: &str) -> Result<(), TestCaseError> {
    prop_assert!(!problems.is_empty());
    let lines = text.lines().count() + 1;
    for p in problems {
        prop_assert_eq!(p.file.to_str(), Some(file));
        let shown = p.to_string();
        if p.line == 0 {
            prop_assert!(
                p.message.starts_with("no questions"),
                "problem without a line: {shown:?}"
            );
        } else {
            prop_assert!(p.line <= lines, "line {} of {lines}: {shown:?}", p.line);
            let located = format!("{file}:{}: ", p.line);
            prop_assert!(shown.starts_with(&located), "{shown:?}");
        }
        // TOML's messages quote values as Rust strings (`string "a\nb"`): escapes are
        // expected there, the rest of the noise is not.
        let unescaped = p.message.replace("\\\"", "\"").replace("\\n", " ");
        check_clear(&unescaped, text)?;
        prop_assert!(!p.message.contains('\n'), "multi-line message: {shown:?}");
        prop_assert!(p.message.chars().count() <= 301, "long message: {shown:?}");
    }
    Ok(())
}

fn toml_line() -> impl Strategy<Value = String> {
    let keys = vec![
        "id",
        "level",
        "topic",
        "tags",
        "prompt",
        "answer",
        "bonus",
        "red_flags",
        "follow_ups",
        "name",
        "description",
        "junk",
        "question",
        "pack",
        "topics",
    ];
    let values = prop_oneof![
        Just("\"junior\"".to_string()),
        Just("\"Senior\"".to_string()),
        Just("\"expert\"".to_string()),
        Just("\"a-slug\"".to_string()),
        Just("[\"one\", \"two\"]".to_string()),
        Just("[]".to_string()),
        Just("[1, 2]".to_string()),
        Just("5".to_string()),
        Just("9999999999999999999999".to_string()),
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("true".to_string()),
        Just("{ a = 1 }".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        Just("\"\"\"".to_string()),
        Just("'''".to_string()),
        Just("\"unclosed".to_string()),
        (1usize..5000).prop_map(|n| format!("\"{}\"", "é".repeat(n))),
        hostile_piece().prop_map(|s| format!("{s:?}")),
        hostile_piece(),
    ];
    prop_oneof![
        4 => (prop::sample::select(keys), values).prop_map(|(k, v)| format!("{k} = {v}")),
        2 => Just("[[question]]".to_string()),
        1 => Just("[pack]".to_string()),
        1 => Just("[topics]".to_string()),
        1 => Just("[question]".to_string()),
        1 => Just("[[pack]]".to_string()),
        1 => hostile_piece(),
        1 => Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// Random TOML-ish text: no panic; a pack that does not load reports each problem as
    /// `file:line: message`.
    #[test]
    fn random_pack_text_never_panics_and_each_problem_is_located(
        lines in prop::collection::vec(toml_line(), 0..30),
        crlf in any::<bool>(),
    ) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        if let Err(e) = bank::load_str("hostile.toml", &text) {
            check_problems(&e.0, "hostile.toml", &text)?;
        }
    }
}

/// One change to a shipped pack.
#[derive(Debug, Clone)]
enum Mutation {
    /// Cut the file after this many characters.
    Truncate(usize),
    /// Write line `n` twice.
    DuplicateLine(usize),
    DeleteLine(usize),
    /// Give the `n`-th `key = value` line another value.
    WrongValue(usize, String),
    /// The `n`-th `level = ...` line gets this level.
    Level(usize, String),
    /// The `n`-th `prompt = ...` line gets a string of this many characters.
    HugePrompt(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let wrong = prop_oneof![
        Just("5".to_string()),
        Just("true".to_string()),
        Just("[1, 2]".to_string()),
        Just("{ x = 1 }".to_string()),
        Just("[]".to_string()),
        Just("\"\"".to_string()),
        Just("\"   \"".to_string()),
        Just("\"unclosed".to_string()),
        Just("[\"x\", 5]".to_string()),
        hostile_piece().prop_map(|s| format!("{s:?}")),
    ];
    prop_oneof![
        (0usize..200_000).prop_map(Mutation::Truncate),
        (0usize..1500).prop_map(Mutation::DuplicateLine),
        (0usize..1500).prop_map(Mutation::DeleteLine),
        (0usize..1500, wrong).prop_map(|(n, v)| Mutation::WrongValue(n, v)),
        (0usize..100, hostile_piece()).prop_map(|(n, l)| Mutation::Level(n, l)),
        (0usize..100, 1usize..60_000).prop_map(|(n, len)| Mutation::HugePrompt(n, len)),
    ]
}

/// The mutated text, and the (1-based) line the change is on, where there is one.
fn mutate(text: &str, m: &Mutation) -> (String, Option<usize>) {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let nth_with = |lines: &[String], pred: &dyn Fn(&str) -> bool, n: usize| {
        let hits: Vec<usize> = (0..lines.len()).filter(|&i| pred(&lines[i])).collect();
        (!hits.is_empty()).then(|| hits[n % hits.len()])
    };
    let changed = match m {
        Mutation::Truncate(n) => {
            let cut: String = text.chars().take(*n % (text.chars().count() + 1)).collect();
            return (cut, None);
        }
        Mutation::DuplicateLine(n) => {
            let i = n % lines.len();
            lines.insert(i + 1, lines[i].clone());
            Some(i + 2)
        }
        Mutation::DeleteLine(n) => {
            lines.remove(n % lines.len());
            None
        }
        Mutation::WrongValue(n, value) => {
            let one_line = |l: &str| {
                let l = l.trim_start();
                l.contains(" = ")
                    && !l.starts_with('#')
                    && l.ends_with(['"', ']'])
                    && !l.ends_with("\"\"\"")
                    && !l.ends_with('[')
            };
            nth_with(&lines, &one_line, *n).map(|i| {
                let key = lines[i].split(" = ").next().unwrap().to_string();
                lines[i] = format!("{key} = {value}");
                i + 1
            })
        }
        Mutation::Level(n, level) => nth_with(&lines, &|l: &str| l.starts_with("level = "), *n)
            .map(|i| {
                lines[i] = format!("level = {level:?}");
                i + 1
            }),
        Mutation::HugePrompt(n, len) => {
            nth_with(&lines, &|l: &str| l.starts_with("prompt = \""), *n).map(|i| {
                lines[i] = format!("prompt = \"{}\"", "y".repeat(*len));
                i + 1
            })
        }
    };
    (lines.join("\n") + "\n", changed)
}

proptest! {
    #![proptest_config(config(128))]

    /// Mutations of the shipped packs: no panic; every problem located; and the problems a
    /// change must cause are reported on the line of the change.
    #[test]
    fn mutated_shipped_packs_never_panic_and_point_at_the_change(
        pack in 0..BUILTIN_PACKS.len(),
        m in mutation(),
    ) {
        let (name, original) = BUILTIN_PACKS[pack];
        // The pack's head and first questions: enough to change every kind of line, and
        // quick to parse in a debug build.
        let original: String = original.split_inclusive("[[question]]").take(6).collect();
        let original = original.trim_end_matches("[[question]]");
        let (text, line) = mutate(original, &m);
        let loaded = bank::load_str(name, &text);
        if let Err(e) = &loaded {
            check_problems(&e.0, name, &text)?;
        }
        let at_line = |needle: &str| -> Result<(), TestCaseError> {
            let Some(line) = line else { return Ok(()) };
            let Err(e) = &loaded else {
                return Err(TestCaseError::fail(format!("{m:?} loaded")));
            };
            prop_assert!(
                e.0.iter().any(|p| p.line == line && p.message.contains(needle)),
                "{m:?}: expected `{needle}` at line {line}, got {:?}",
                e.0
            );
            Ok(())
        };
        match &m {
            Mutation::Level(_, level) if !["junior", "mid", "senior"].contains(&level.trim().to_lowercase().as_str()) => {
                // A level TOML cannot hold as written is a syntax error instead; both are on
                // the changed line.
                at_line("")?;
            }
            Mutation::HugePrompt(_, len) if *len > 1000 => at_line("characters")?,
            Mutation::WrongValue(_, v) if ["5", "true", "[1, 2]", "{ x = 1 }"].contains(&v.as_str()) => at_line("")?,
            Mutation::DuplicateLine(_) => {
                let l = line.unwrap();
                let dup = text.lines().nth(l - 1).unwrap().trim();
                let is_key = dup.contains(" = ") && !dup.starts_with('#');
                if is_key {
                    // The key is defined twice in its table; TOML says so at one of the two.
                    let Err(e) = &loaded else {
                        return Err(TestCaseError::fail(format!("{m:?} loaded")));
                    };
                    prop_assert!(
                        e.0.iter().any(|p| p.line == l || p.line == l - 1),
                        "{m:?}: {:?}", e.0
                    );
                }
            }
            _ => {}
        }
    }
}

#[test]
fn the_shipped_packs_still_load_from_the_folder_and_built_in() {
    let builtin = bank::load_named(BUILTIN_PACKS).expect("the built-in packs load");
    let folder = bank::load_dir(&common::questions_dir()).expect("the folder loads");
    assert!(builtin.len() >= 100, "{}", builtin.len());
    assert_eq!(builtin.len(), folder.len());
}

// ---------------------------------------------------------------------------------------
// 3. Discord interactions into requests, and effects into Discord payloads

const OTHER_GUILD: u64 = GUILD + 1;
const ROLE: u64 = 444_444_444_444_444_444;

fn user_json(id: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": null,
        "bot": false,
        "public_flags": 0,
    })
}

fn member_json(id: u64, permissions: u64, roles: &[u64]) -> Value {
    json!({
        "user": user_json(id, &format!("user{id}")),
        "nick": null,
        "roles": roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "permissions": permissions.to_string(),
    })
}

/// An interaction as Discord dispatches it (INTERACTION_CREATE's `d`).
fn interaction_json(kind: u8, guild: Option<u64>, member: Value, data: Value) -> Value {
    let mut v = json!({
        "id": "900000000000000001",
        "application_id": "800000000000000001",
        "type": kind,
        "data": data,
        "channel_id": CHANNEL.to_string(),
        "token": "tok",
        "version": 1,
        "app_permissions": "2251799813685247",
        "locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD.to_string()},
        "context": 0,
        "attachment_size_limit": 10_485_760,
    });
    match guild {
        Some(g) => {
            v["guild_id"] = json!(g.to_string());
            v["guild_locale"] = json!("en-US");
            v["member"] = member;
        }
        // In a DM Discord sends `user` instead of `member`.
        None => v["user"] = member["user"].clone(),
    }
    v
}

fn command_json(
    guild: Option<u64>,
    member: Value,
    name: &str,
    options: Value,
    resolved: Value,
) -> Value {
    interaction_json(
        2,
        guild,
        member,
        json!({"id": "700000000000000001", "name": name, "type": 1, "options": options, "resolved": resolved}),
    )
}

fn button_json(guild: Option<u64>, member: Value, custom_id: &str) -> Value {
    let mut v = interaction_json(
        3,
        guild,
        member,
        json!({"custom_id": custom_id, "component_type": 2}),
    );
    v["message"] = json!({
        "id": "600000000000000001",
        "channel_id": CHANNEL.to_string(),
        "author": user_json(800_000_000_000_000_001, "bot"),
        "content": "",
        "timestamp": "2026-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [{"type": 1, "components": [
            {"type": 2, "style": 1, "label": "Press", "custom_id": custom_id.chars().take(100).collect::<String>()}
        ]}],
        "pinned": false,
        "type": 0,
        "flags": 0,
    });
    v
}

fn modal_json(
    guild: Option<u64>,
    member: Value,
    custom_id: &str,
    fields: &[(String, String)],
) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(id, value)| {
            json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]})
        })
        .collect();
    interaction_json(
        5,
        guild,
        member,
        json!({"custom_id": custom_id, "components": rows}),
    )
}

/// Every Discord payload the outcome would send, as the Discord front end builds it, checked
/// against the vendored OpenAPI spec.
fn check_payloads(o: &Outcome, input: &str) -> Result<(), TestCaseError> {
    let callback = "/api/v10/interactions/1/tok/callback";
    for e in &o.effects {
        let (method, path, body) = match e {
            Effect::Reply {
                visibility,
                message,
            } => (
                "POST",
                callback,
                json!({"type": 4, "data": serde_json::to_value(convert::response_message(message, *visibility == Visibility::Private)).unwrap()}),
            ),
            Effect::Update(message) => (
                "POST",
                callback,
                json!({"type": 7, "data": serde_json::to_value(convert::response_message(message, false)).unwrap()}),
            ),
            Effect::UpdateButtons(buttons) => (
                "POST",
                callback,
                json!({"type": 7, "data": {"components": serde_json::to_value(convert::buttons_only(buttons)).unwrap()}}),
            ),
            Effect::OpenModal(modal) => (
                "POST",
                callback,
                json!({"type": 9, "data": serde_json::to_value(convert::modal(modal)).unwrap()}),
            ),
            Effect::Post { message, .. } => (
                "POST",
                "/api/v10/channels/1/messages",
                serde_json::to_value(convert::channel_message(message)).unwrap(),
            ),
            Effect::Edit { message, .. } => (
                "PATCH",
                "/api/v10/channels/1/messages/2",
                serde_json::to_value(convert::edit_message(message)).unwrap(),
            ),
            _ => continue,
        };
        let problems = fake_discord::FakeDiscord::validate(method, path, &body);
        prop_assert!(problems.is_empty(), "{problems:?} in {body} for {input:?}");
    }
    Ok(())
}

/// Option names: every declared one and some that are not.
fn option_name() -> impl Strategy<Value = String> {
    let names: Vec<String> = REGISTRY
        .leaves()
        .iter()
        .flat_map(|l| l.spec.options.iter().map(|o| o.name.to_string()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    prop_oneof![
        4 => prop::sample::select(names),
        1 => "[a-z_]{1,12}",
        1 => hostile_piece(),
    ]
}

/// A JSON option value of any type Discord has, including extremes and wrong types.
fn option_value() -> impl Strategy<Value = (u8, Value)> {
    let integer = prop_oneof![
        Just(json!(i64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1)),
        Just(json!(10)),
        Just(json!(9_007_199_254_740_993_i64)),
        any::<i64>().prop_map(|n| json!(n)),
    ];
    let number = prop_oneof![
        Just(json!(u64::MAX)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(5e-324)),
        Just(json!(-0.0)),
        Just(json!(2.5)),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(|f| json!(f)),
    ];
    let id = prop_oneof![
        prop::sample::select(vec![5u64, 6, 7, 8, CHANNEL, USER_ID, u64::MAX]),
        1u64..,
    ];
    prop_oneof![
        6 => hostile_text().prop_map(|s| (3u8, json!(s))),
        3 => integer.clone().prop_map(|n| (4u8, n)),
        2 => prop_oneof![integer, number.clone()].prop_map(|n| (10u8, n)),
        1 => any::<bool>().prop_map(|b| (5u8, json!(b))),
        // Users, channels, roles, mentionables, attachments: ids, resolved or not.
        3 => (prop::sample::select(vec![6u8, 7, 8, 9, 11]), id).prop_map(|(t, id)| (t, json!(id.to_string()))),
        // A float or an integer past i64 for an integer option (serenity cannot read it).
        1 => number.prop_map(|n| (4u8, n)),
        // The right JSON type for the wrong option type, and the wrong JSON type.
        1 => (prop::sample::select(vec![3u8, 4, 5, 6, 10]), prop_oneof![Just(json!(null)), Just(json!([])), Just(json!({})), Just(json!("12")), Just(json!(12))]).prop_map(|(t, v)| (t, v)),
        // An option type Discord may add later.
        1 => Just((99u8, json!("x"))),
    ]
}

fn command_options() -> impl Strategy<Value = Value> {
    prop::collection::vec((option_name(), option_value(), any::<bool>()), 0..4).prop_map(|opts| {
        Value::Array(
            opts.into_iter()
                .map(|(name, (kind, value), focused)| {
                    let mut o = json!({"name": name, "type": kind, "value": value});
                    if focused && kind == 3 {
                        o["focused"] = json!(true);
                    }
                    o
                })
                .collect(),
        )
    })
}

fn command_name_and_options() -> impl Strategy<Value = (String, Value)> {
    let paths: Vec<String> = REGISTRY.leaves().iter().map(|l| l.path()).collect();
    let path = prop_oneof![
        5 => prop::sample::select(paths),
        1 => "[a-z-]{1,32}",
        1 => hostile_piece(),
    ];
    (path, command_options()).prop_map(|(path, options)| {
        // `daily set` arrives as `daily` with a subcommand option around the leaf options.
        let mut words: Vec<&str> = path.split(' ').collect();
        let name = words.remove(0).to_string();
        let mut options = options;
        for (depth, word) in words.iter().enumerate().rev() {
            let kind = if depth + 1 < words.len() { 2 } else { 1 };
            let kind = if words.len() == 2 && depth == 0 {
                2
            } else {
                kind
            };
            options = json!([{"name": word, "type": kind, "options": options}]);
        }
        (name, options)
    })
}

/// Users, roles and channels that ids in options may point at.
fn resolved_json() -> Value {
    json!({
        "users": {"5": user_json(5, "five")},
        "members": {"5": {"roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0, "pending": false, "permissions": "0"}},
        "roles": {"6": {"id": "6", "name": "@everyone\u{202E}", "color": 0, "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null}, "hoist": false, "position": 1, "permissions": "0", "managed": false, "mentionable": true, "flags": 0}},
        "channels": {"7": {"id": "7", "name": "voice", "type": 2, "permissions": "0"}},
    })
}

fn permissions() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(Permissions::ADMINISTRATOR),
        Just(Permissions::MANAGE_GUILD),
        Just(u64::MAX >> 1),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// Slash commands as Discord would send them, with any option names, types and values:
    /// no panic; outside a server, a refusal; inside, an answer whose error is clear; every
    /// payload the bot would send is valid for Discord.
    #[test]
    fn hostile_command_interactions_get_a_clear_answer(
        (name, options) in command_name_and_options(),
        in_guild in prop::bool::weighted(0.9),
        perms in permissions(),
        with_resolved in any::<bool>(),
    ) {
        let f = shared(&COMMANDS);
        let guild = in_guild.then_some(GUILD);
        let resolved = if with_resolved { resolved_json() } else { json!({}) };
        let payload = command_json(guild, member_json(USER_ID, perms, &[]), &name, options, resolved);
        let input = payload.to_string();
        // A payload serenity cannot read (a float for an integer option, an integer past
        // i64) never reaches the bot: serenity's gateway drops the event. Discord does not
        // send them (its integers are within ±2^53).
        let Ok(cmd) = serde_json::from_value(payload) else {
            return Ok(());
        };
        match convert::command_request(&cmd) {
            Err(e) => {
                prop_assert!(!in_guild);
                prop_assert!(matches!(e, Error::OutsideGuild));
                check_clear(&e.user_message(), &input)?;
            }
            Ok(req) => {
                prop_assert!(in_guild);
                prop_assert_eq!(req.guild_id, GUILD);
                let (outcome, _) = f.engine.execute(&req, &mut Recorder::default());
                check_outcome(&outcome, &input)?;
                check_payloads(&outcome, &input)?;
            }
        }
    }
}

const USER_ID: u64 = 333_333_333_333_333_333;

/// The payload builders above make what serenity reads as Discord's own (so the properties
/// test the bot, not a payload serenity drops): a command with every kind of option, resolved
/// entities, a subcommand; a button; a modal.
#[test]
fn the_hostile_payloads_are_interactions_serenity_reads() {
    let f = fixture();
    let member = || member_json(USER_ID, Permissions::ADMINISTRATOR, &[]);
    let options = json!([{"name": "candidate", "type": 3, "value": "Ada"}, {"name": "level", "type": 3, "value": "junior"}]);
    let payload = command_json(
        Some(GUILD),
        member(),
        "interview",
        json!([{"name": "start", "type": 1, "options": options}]),
        resolved_json(),
    );
    let cmd = serde_json::from_value(payload).expect("serenity reads the command");
    let req = convert::command_request(&cmd).unwrap();
    assert_eq!(req.resolved.users.len(), 1);
    assert_eq!(req.resolved.roles.len(), 1);
    assert_eq!(req.resolved.channels.len(), 1);
    let Invocation::Command { name, options } = &req.invocation else {
        panic!()
    };
    assert_eq!(name, "interview start");
    assert_eq!(options.len(), 2);
    let (o, _) = f.engine.execute(&req, &mut Recorder::default());
    assert!(!o.is_error, "{}", outcome_text(&o));
    let click =
        serde_json::from_value(button_json(Some(GUILD), member(), "q:answer:aws-s3-basics"))
            .expect("serenity reads the click");
    let req = convert::component_request(&click).unwrap();
    assert!(
        matches!(&req.invocation, Invocation::Button { custom_id, message: Some(m) } if custom_id == "q:answer:aws-s3-basics" && m.buttons.len() == 1)
    );
    let submit = serde_json::from_value(modal_json(
        Some(GUILD),
        member(),
        "s:note:1:0",
        &[("notes".into(), "hi".into())],
    ))
    .expect("serenity reads the modal");
    let req = convert::modal_request(&submit).unwrap();
    assert!(
        matches!(&req.invocation, Invocation::Modal { fields, .. } if fields == &[("notes".to_string(), "hi".to_string())])
    );
    // Outside a server: a refusal that says so.
    let dm = serde_json::from_value(button_json(None, member(), "q:answer:aws-s3-basics"))
        .expect("serenity reads a DM click");
    let err = convert::component_request(&dm).unwrap_err();
    assert!(
        err.user_message().contains("inside servers"),
        "{}",
        err.user_message()
    );
}

/// What another guild holds: a candidate with a distinctive name and notes, an open session,
/// a forget confirmation, and a stored handle; with the ids of the buttons it was shown.
struct OtherGuild {
    ids: Vec<String>,
    handles: Vec<String>,
}

const SECRET: &str = "Zebulon Secretcandidate";
const SECRET_NOTES: &str = "secret-notes-of-the-other-guild";

fn other_guild(e: &Engine) -> OtherGuild {
    for g in [GUILD, OTHER_GUILD] {
        e.store()
            .write(|db| db.set_interviewer_role(g, Some(ROLE), 1, 0))
            .unwrap();
    }
    let interviewer = Member {
        roles: vec![ROLE],
        ..admin(41)
    };
    let run = |req: Request| {
        let (o, _) = e.execute(&req, &mut Recorder::default());
        assert!(!o.is_error, "{o:?}");
        o
    };
    let cmd = |m: &Member, name: &str, opts: &[(&str, &str)]| {
        Request::member(
            OTHER_GUILD,
            CHANNEL,
            m.clone(),
            Invocation::Command {
                name: name.into(),
                options: opts.iter().map(|(k, v)| RawOption::text(k, v)).collect(),
            },
        )
    };
    run(cmd(
        &interviewer,
        "score",
        &[
            ("candidate", SECRET),
            ("question", "aws-s3-basics"),
            ("rating", "3"),
            ("notes", SECRET_NOTES),
        ],
    ));
    let mut ids = Vec::new();
    let start = run(cmd(
        &interviewer,
        "interview start",
        &[("candidate", SECRET), ("level", "junior")],
    ));
    let forget = run(cmd(&admin(42), "scores forget", &[("candidate", SECRET)]));
    let team = run(cmd(&admin(42), "scores team", &[]));
    for o in [&start, &forget, &team] {
        for effect in &o.effects {
            if let Some(m) = effect.message() {
                ids.extend(m.buttons.iter().map(|b| b.action.clone()));
            }
        }
    }
    assert!(ids.iter().any(|i| i.starts_with("s:rate")), "{ids:?}");
    assert!(ids.iter().any(|i| i.starts_with("sc:forget")), "{ids:?}");
    // Handles of the other guild: long ids stored for it.
    let handles: Vec<String> = ids
        .iter()
        .map(|id| {
            let long = format!("{id}:{}", "0".repeat(120));
            e.action_id(OTHER_GUILD, long).unwrap()
        })
        .chain(std::iter::once(
            e.action_id(OTHER_GUILD, format!("q:answer:{}", "a".repeat(120)))
                .unwrap(),
        ))
        .collect();
    assert!(handles.iter().all(|h| h.starts_with("h:")), "{handles:?}");
    OtherGuild { ids, handles }
}

/// What the other guild holds, to check nothing changed.
fn other_guild_state(e: &Engine) -> String {
    let req = Request::member(
        OTHER_GUILD,
        CHANNEL,
        admin(42),
        Invocation::Command {
            name: "scores candidate".into(),
            options: vec![RawOption::text("candidate", SECRET)],
        },
    );
    let (o, _) = e.execute(&req, &mut Recorder::default());
    assert!(!o.is_error, "{o:?}");
    outcome_text(&o)
}

/// Custom ids a forger might send: the other guild's ids and handles, changed or not; known
/// prefixes with random args; random text; ids over Discord's 100 characters.
fn forged_id(other: &OtherGuild) -> impl Strategy<Value = String> {
    let real: Vec<String> = other.ids.iter().chain(&other.handles).cloned().collect();
    let prefixes: Vec<&'static str> = REGISTRY.actions().map(|a| a.prefix).collect();
    prop_oneof![
        3 => prop::sample::select(real.clone()),
        2 => (prop::sample::select(real), hostile_piece()).prop_map(|(id, tail)| format!("{id}{tail}")),
        2 => (prop::sample::select(prefixes), hostile_text()).prop_map(|(p, a)| format!("{p}:{a}")),
        1 => prop_oneof![
            Just(i64::MAX.to_string()), Just(i64::MIN.to_string()), Just("-1".to_string()),
            Just("0".to_string()), Just(u64::MAX.to_string()), Just("1e3".to_string()), Just(String::new()),
            any::<i64>().prop_map(|n| n.to_string()),
        ].prop_map(|n| format!("h:{n}")),
        1 => "q:answer:[a-z0-9-]{0,40}",
        1 => hostile_text(),
        1 => (1usize..400).prop_map(|n| format!("q:answer:{}", "a".repeat(n))),
    ]
}

#[test]
fn forged_and_unknown_custom_ids_get_a_clear_refusal_and_reveal_nothing_of_another_guild() {
    let f = fixture();
    let other = other_guild(&f.engine);
    let before = other_guild_state(&f.engine);
    assert!(
        before.contains(SECRET_NOTES) || before.contains("Secretcandidate"),
        "{before}"
    );
    let interviewer = Member {
        roles: vec![ROLE],
        ..admin(51)
    };
    let mut runner = proptest::test_runner::TestRunner::new(config(256));
    let strategy = (
        forged_id(&other),
        any::<bool>(),
        prop::collection::vec(("[a-z]{1,8}", hostile_text()), 0..3),
        permissions(),
    );
    runner
        .run(&strategy, |(id, modal, fields, perms)| {
            let member = if perms == 0 {
                interviewer.clone()
            } else {
                Member {
                    permissions: Permissions(perms),
                    ..interviewer.clone()
                }
            };
            let member_value = member_json(member.user_id, member.permissions.0, &member.roles);
            let payload = if modal {
                modal_json(Some(GUILD), member_value, &id, &fields)
            } else {
                button_json(Some(GUILD), member_value, &id)
            };
            let input = payload.to_string();
            let req = if modal {
                let submit = serde_json::from_value(payload)
                    .map_err(|e| TestCaseError::fail(format!("{e}: {input}")))?;
                convert::modal_request(&submit)
            } else {
                let click = serde_json::from_value(payload)
                    .map_err(|e| TestCaseError::fail(format!("{e}: {input}")))?;
                convert::component_request(&click)
            };
            let req = req.map_err(|e| TestCaseError::fail(e.user_message()))?;
            prop_assert_eq!(req.guild_id, GUILD);
            let (outcome, _) = f.engine.execute(&req, &mut Recorder::default());
            check_outcome(&outcome, &input)?;
            check_payloads(&outcome, &input)?;
            let shown = outcome_text(&outcome);
            for secret in ["Secretcandidate", "Zebulon", SECRET_NOTES] {
                prop_assert!(!shown.contains(secret), "{id:?} revealed {secret}: {shown}");
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(
        other_guild_state(&f.engine),
        before,
        "the other guild's data changed"
    );
}

/// A handle stored for one guild, pressed in another, is an unknown button there.
#[test]
fn another_guilds_handle_is_an_unknown_button() {
    let f = fixture();
    let other = other_guild(&f.engine);
    for handle in &other.handles {
        let req = common::press(GUILD, handle);
        let err = f.engine.dispatch(&req).unwrap_err();
        assert!(matches!(err, Error::UnknownAction), "{handle}: {err:?}");
        assert!(err.user_message().contains("no longer works"));
        // In its own guild it still works (as far as access allows).
        let own = common::press(OTHER_GUILD, handle);
        assert!(
            !matches!(f.engine.dispatch(&own), Err(Error::UnknownAction)),
            "{handle}"
        );
    }
}

/// `q:answer:` with ids the bank does not hold, and ids past Discord's 100 characters.
#[test]
fn model_answer_buttons_with_unknown_question_ids_are_refused_clearly() {
    let f = fixture();
    let manager = admin(9);
    for id in [
        "q:answer:",
        "q:answer:no-such-question",
        "q:answer:AWS-S3-BASICS",
        "q:answer:../../etc/passwd",
        "q:answer:aws-s3-basics\u{0}",
    ] {
        let req = Request::member(
            GUILD,
            CHANNEL,
            manager.clone(),
            Invocation::Button {
                custom_id: id.into(),
                message: None,
            },
        );
        let (o, _) = f.engine.execute(&req, &mut Recorder::default());
        assert!(o.is_error, "{id}: {o:?}");
        let text = outcome_text(&o);
        assert!(text.contains("removed from the bank"), "{id}: {text}");
    }
    let long = format!("q:answer:aws-s3-basics{}", " ".repeat(100));
    let req = Request::member(
        GUILD,
        CHANNEL,
        manager,
        Invocation::Button {
            custom_id: long,
            message: None,
        },
    );
    let err = f.engine.dispatch(&req).unwrap_err();
    assert!(matches!(err, Error::UnknownAction), "{err:?}");
}

/// The same button pressed twice (a replayed interaction) acts once where it matters, and the
/// second press gets a clear answer.
#[test]
fn replayed_button_presses_act_once_and_answer_clearly() {
    let f = fixture();
    let e = &f.engine;
    let run = |req: &Request| e.execute(req, &mut Recorder::default()).0;
    // "Another question" on a card: once.
    let card = run(&common::command(GUILD, "question", &[("level", "junior")]));
    assert!(!card.is_error, "{card:?}");
    let next = card
        .first_reply()
        .unwrap()
        .1
        .buttons
        .iter()
        .find(|b| b.action.starts_with("q:next"))
        .unwrap()
        .action
        .clone();
    let first = run(&common::press(GUILD, &next));
    assert!(!first.is_error, "{first:?}");
    f.clock.advance(60_000);
    let again = run(&common::press(GUILD, &next));
    assert!(again.is_error);
    assert!(
        outcome_text(&again).contains("already gave its next question"),
        "{}",
        outcome_text(&again)
    );
    // Forget, confirmed twice: the second says it is done already.
    let other = other_guild(e);
    let forget = other
        .ids
        .iter()
        .find(|i| i.starts_with("sc:forget"))
        .unwrap();
    let confirm = |id: &str| {
        run(&Request::member(
            OTHER_GUILD,
            CHANNEL,
            admin(42),
            Invocation::Button {
                custom_id: id.into(),
                message: None,
            },
        ))
    };
    let done = confirm(forget);
    assert!(!done.is_error, "{done:?}");
    let replay = confirm(forget);
    assert!(replay.is_error, "{replay:?}");
    assert!(
        outcome_text(&replay).contains("deleted already"),
        "{}",
        outcome_text(&replay)
    );
}

/// Users, roles, channels and files a request's ids may name (the console and Discord
/// resolve them the same way).
fn resolved_entities() -> Resolved {
    let mut r = Resolved::default();
    r.users.insert(
        5,
        ResolvedUser {
            id: 5,
            name: "five\u{202E}@everyone".into(),
        },
    );
    r.roles.insert(
        6,
        ResolvedRole {
            id: 6,
            name: "@everyone".into(),
            mentionable: true,
        },
    );
    r.channels.insert(
        CHANNEL,
        ResolvedChannel {
            id: CHANNEL,
            name: "general".into(),
            kind: ChannelKind::Text,
            bot_permissions: Some(Permissions(u64::MAX)),
        },
    );
    r.channels.insert(
        7,
        ResolvedChannel {
            id: 7,
            name: "voice".into(),
            kind: ChannelKind::Voice,
            bot_permissions: None,
        },
    );
    r.attachments.insert(
        8,
        ResolvedAttachment {
            id: 8,
            filename: "x.csv".into(),
            size: u64::MAX,
            url: "https://cdn/x".into(),
        },
    );
    r
}

/// A value the declaration accepts, to fill the required options around the one under test.
fn valid_value(o: &interview_bot::engine::OptionSpec) -> RawValue {
    if let Some(c) = o.choices.first() {
        return RawValue::Text(c.value.to_string());
    }
    match o.kind {
        OptionKind::Text { .. } => RawValue::Text(
            match o.completion {
                Some(Completion::QuestionId) => "aws-s3-basics",
                Some(Completion::Topic) => "networking",
                Some(Completion::Timezone) => "UTC",
                _ => "Ada",
            }
            .to_string(),
        ),
        OptionKind::Integer { min, .. } => RawValue::Integer(min),
        OptionKind::Number { min, .. } => RawValue::Number(min),
        OptionKind::Boolean => RawValue::Bool(true),
        OptionKind::User => RawValue::Id(5),
        OptionKind::Role => RawValue::Id(6),
        OptionKind::Channel { .. } => RawValue::Id(CHANNEL),
        OptionKind::Attachment => RawValue::Id(8),
    }
}

/// Every option of every command, given each extreme or wrongly typed value Discord's types
/// allow (NaN and infinities too, which JSON cannot carry but a front end might make): no
/// panic, and a clear answer.
#[test]
fn every_option_of_every_command_takes_extreme_and_wrongly_typed_values_clearly() {
    let f = fixture();
    let hostile = [
        RawValue::Text(String::new()),
        RawValue::Text(" \t ".into()),
        RawValue::Text("\0".into()),
        RawValue::Text("x".repeat(10_000)),
        RawValue::Text("NaN".into()),
        RawValue::Text("-9223372036854775809".into()),
        RawValue::Text("99999999999999999999".into()),
        RawValue::Text("<@18446744073709551615>".into()),
        RawValue::Text("<#0>".into()),
        RawValue::Text("=cmd|' /C calc'!A0".into()),
        RawValue::Integer(i64::MIN),
        RawValue::Integer(i64::MAX),
        RawValue::Integer(-1),
        RawValue::Number(f64::NAN),
        RawValue::Number(f64::INFINITY),
        RawValue::Number(f64::NEG_INFINITY),
        RawValue::Number(1e308),
        RawValue::Number(-0.0),
        RawValue::Bool(false),
        RawValue::Id(0),
        RawValue::Id(u64::MAX),
        RawValue::Id(5),
        RawValue::Id(7),
        RawValue::Id(8),
    ];
    let mut runs = 0;
    for leaf in REGISTRY.leaves() {
        for o in leaf.spec.options {
            for value in &hostile {
                let mut options = vec![RawOption {
                    name: o.name.to_string(),
                    value: value.clone(),
                }];
                for other in leaf
                    .spec
                    .options
                    .iter()
                    .filter(|x| x.required && x.name != o.name)
                {
                    options.push(RawOption {
                        name: other.name.to_string(),
                        value: valid_value(other),
                    });
                }
                let req = Request {
                    guild_id: GUILD,
                    channel_id: CHANNEL,
                    origin: interview_bot::engine::Origin::Member(admin(7)),
                    invocation: Invocation::Command {
                        name: leaf.path(),
                        options,
                    },
                    resolved: resolved_entities(),
                };
                let input = format!("/{} {}: {value:?}", leaf.path(), o.name);
                let (outcome, _) = f.engine.execute(&req, &mut Recorder::default());
                check_outcome(&outcome, &input).unwrap_or_else(|e| panic!("{e}"));
                check_payloads(&outcome, &input).unwrap_or_else(|e| panic!("{e}"));
                f.clock.advance(61_000);
                runs += 1;
            }
        }
    }
    assert!(runs > 500, "{runs}");
}

/// Suggestions while typing anything: within Discord's limits (at most 25, names and values
/// 1 to 100 characters), whatever the guild's candidates are called.
#[test]
fn autocomplete_suggestions_stay_within_discord_limits_for_any_partial_text() {
    let f = fixture();
    let e = &f.engine;
    e.store()
        .write(|db| db.set_interviewer_role(GUILD, Some(ROLE), 1, 0))
        .unwrap();
    let hundred = "Ω".repeat(99) + "👩";
    for name in [
        hundred.as_str(),
        "=1+1",
        "a\u{0}b",
        "@everyone",
        "Ada Lovelace",
        "  spaced  ",
        "é\u{301}",
    ] {
        let req = common::command(
            GUILD,
            "score",
            &[
                ("candidate", name),
                ("question", "aws-s3-basics"),
                ("rating", "3"),
            ],
        );
        let req = Request {
            origin: interview_bot::engine::Origin::Member(admin(7)),
            ..req
        };
        let (o, _) = e.execute(&req, &mut Recorder::default());
        assert!(!o.is_error, "{name:?}: {}", outcome_text(&o));
    }
    let completing: Vec<(String, String)> = REGISTRY
        .leaves()
        .iter()
        .flat_map(|l| {
            l.spec
                .options
                .iter()
                .filter(|o| o.completion.is_some())
                .map(move |o| (l.path(), o.name.to_string()))
        })
        .collect();
    assert!(completing.len() >= 4, "{completing:?}");
    let mut runner = proptest::test_runner::TestRunner::new(config(128));
    runner
        .run(
            &(
                prop::sample::select(completing),
                hostile_text(),
                any::<bool>(),
            ),
            |((command, option), partial, member)| {
                let choices = e.autocomplete(&AutocompleteRequest {
                    guild_id: GUILD,
                    channel_id: CHANNEL,
                    command,
                    option,
                    partial: partial.clone(),
                    options: vec![RawOption::text("level", &partial)],
                    member: member.then(|| admin(7)),
                });
                prop_assert!(
                    interview_bot::engine::limits::check_choices(&choices).is_empty(),
                    "{choices:?}"
                );
                for c in &choices {
                    prop_assert!(
                        !c.name.trim().is_empty() && !c.value.is_empty(),
                        "{choices:?}"
                    );
                    prop_assert!(
                        c.name.chars().count() <= 100 && c.value.chars().count() <= 100,
                        "{c:?}"
                    );
                }
                Ok(())
            },
        )
        .unwrap();
}

/// Notes typed into a session's Notes modal, of any text and length: kept exactly (and
/// shown escaped) or refused clearly, never a panic; the session goes on.
#[test]
fn session_notes_of_any_text_are_kept_exactly_or_refused_clearly() {
    let f = fixture();
    let e = &f.engine;
    e.store()
        .write(|db| db.set_interviewer_role(GUILD, Some(ROLE), 1, 0))
        .unwrap();
    let interviewer = Member {
        roles: vec![ROLE],
        ..admin(61)
    };
    let start = Request::member(
        GUILD,
        CHANNEL,
        interviewer.clone(),
        Invocation::Command {
            name: "interview start".into(),
            options: vec![
                RawOption::text("candidate", "Nora"),
                RawOption::text("level", "junior"),
            ],
        },
    );
    let (o, _) = e.execute(&start, &mut Recorder::default());
    assert!(!o.is_error, "{o:?}");
    let notes_button = o
        .effects
        .iter()
        .filter_map(Effect::message)
        .flat_map(|m| m.buttons.iter())
        .find(|b| b.action.starts_with("s:notes"))
        .unwrap()
        .action
        .clone();
    let (opened, _) = e.execute(
        &Request::member(
            GUILD,
            CHANNEL,
            interviewer.clone(),
            Invocation::Button {
                custom_id: notes_button,
                message: None,
            },
        ),
        &mut Recorder::default(),
    );
    let Some(Effect::OpenModal(modal)) = opened.effects.first() else {
        panic!("{opened:?}")
    };
    let (modal_id, field) = (modal.action.clone(), modal.inputs[0].id.clone());
    let mut runner = proptest::test_runner::TestRunner::new(config(64));
    runner
        .run(&(hostile_text(), any::<bool>()), |(notes, extra_field)| {
            let mut fields = vec![(field.clone(), notes.clone())];
            if extra_field {
                fields.push(("forged".into(), "x".repeat(5000)));
            }
            let req = Request::member(
                GUILD,
                CHANNEL,
                interviewer.clone(),
                Invocation::Modal {
                    custom_id: modal_id.clone(),
                    fields,
                },
            );
            let (o, _) = e.execute(&req, &mut Recorder::default());
            check_outcome(&o, &notes)?;
            check_payloads(&o, &notes)?;
            if o.is_error {
                prop_assert!(
                    notes.trim().chars().count() > 1000,
                    "{notes:?} refused: {}",
                    outcome_text(&o)
                );
                prop_assert!(outcome_text(&o).contains("at most 1000 characters"));
            }
            Ok(())
        })
        .unwrap();
}

/// A session's buttons pressed twice: a rating replayed replaces itself (one score), a
/// replayed Skip does not skip a second question.
#[test]
fn replayed_session_buttons_record_once_and_skip_once() {
    let f = fixture();
    let e = &f.engine;
    e.store()
        .write(|db| db.set_interviewer_role(GUILD, Some(ROLE), 1, 0))
        .unwrap();
    let starter = Member {
        roles: vec![ROLE],
        ..admin(71)
    };
    let other = Member {
        roles: vec![ROLE],
        permissions: Permissions(0),
        ..admin(72)
    };
    let start = Request::member(
        GUILD,
        CHANNEL,
        starter.clone(),
        Invocation::Command {
            name: "interview start".into(),
            options: vec![
                RawOption::text("candidate", "Rhea"),
                RawOption::text("level", "junior"),
                RawOption::text("questions", "3"),
            ],
        },
    );
    let (o, _) = e.execute(&start, &mut Recorder::default());
    assert!(!o.is_error, "{o:?}");
    let ids: Vec<String> = o
        .effects
        .iter()
        .filter_map(Effect::message)
        .flat_map(|m| m.buttons.iter().map(|b| b.action.clone()))
        .collect();
    let rate = ids
        .iter()
        .find(|i| i.starts_with("s:rate") && i.ends_with(":2"))
        .unwrap()
        .clone();
    let skip = ids
        .iter()
        .find(|i| i.starts_with("s:skip"))
        .unwrap()
        .clone();
    let press = |m: &Member, id: &str| {
        let req = Request::member(
            GUILD,
            CHANNEL,
            m.clone(),
            Invocation::Button {
                custom_id: id.into(),
                message: None,
            },
        );
        e.execute(&req, &mut Recorder::default()).0
    };
    for _ in 0..2 {
        let o = press(&other, &rate);
        assert!(!o.is_error, "{}", outcome_text(&o));
    }
    let scores = e.store().read(|db| db.guild_scores(GUILD)).unwrap();
    let mine: Vec<&ScoreRow> = scores
        .iter()
        .filter(|s| s.candidate_name == "Rhea")
        .collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0].rating, Some(2));
    let first = press(&starter, &skip);
    assert!(!first.is_error, "{}", outcome_text(&first));
    assert!(
        outcome_text(&first).contains("question 2 of 3"),
        "{}",
        outcome_text(&first)
    );
    let again = press(&starter, &skip);
    assert!(again.is_error, "{}", outcome_text(&again));
    check_clear(&outcome_text(&again), "").unwrap();
    assert!(
        outcome_text(&again).contains("moved on"),
        "{}",
        outcome_text(&again)
    );
}

// ---------------------------------------------------------------------------------------
// 4. The CSV export

fn score_row() -> impl Strategy<Value = ScoreRow> {
    (
        hostile_text(),
        hostile_text(),
        hostile_text(),
        hostile_text(),
        prop::option::weighted(0.85, 1u8..=4),
        any::<u64>(),
        any::<i64>(),
        -62_000_000_000_000i64..253_000_000_000_000,
    )
        .prop_map(
            |(candidate, question, interviewer, notes, rating, interviewer_id, session, at)| {
                ScoreRow {
                    id: 1,
                    candidate_id: 1,
                    candidate_name: candidate,
                    session_id: session,
                    session_started_at: at,
                    question_id: question,
                    interviewer_id,
                    interviewer_name: interviewer,
                    rating,
                    notes,
                    created_at: at,
                    updated_at: at,
                }
            },
        )
}

proptest! {
    #![proptest_config(config(256))]

    /// Any names, notes and ids: the CSV parses back to the same cells, formulas neutralised,
    /// and no cell starts with a character a spreadsheet runs.
    #[test]
    fn the_csv_export_parses_back_to_the_same_cells_and_runs_no_formula(
        rows in prop::collection::vec(score_row(), 0..4),
        level in hostile_piece(),
        topic in hostile_piece(),
    ) {
        let bytes = to_csv(&rows, |_| (level.clone(), topic.clone())).unwrap();
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes.as_slice());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        prop_assert_eq!(headers, COLUMNS.to_vec());
        let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().unwrap();
        let rated: Vec<&ScoreRow> = rows.iter().filter(|r| r.rating.is_some()).collect();
        prop_assert_eq!(records.len(), rated.len());
        for (record, row) in records.iter().zip(rated) {
            let cells: Vec<&str> = record.iter().collect();
            prop_assert_eq!(cells.len(), COLUMNS.len());
            prop_assert_eq!(cells[0], neutralise(&row.candidate_name));
            prop_assert_eq!(cells[1], neutralise(&row.question_id));
            prop_assert_eq!(cells[2], neutralise(&level));
            prop_assert_eq!(cells[3], neutralise(&topic));
            prop_assert_eq!(cells[4], row.interviewer_id.to_string());
            prop_assert_eq!(cells[5], neutralise(&row.interviewer_name));
            prop_assert_eq!(cells[6], row.rating.unwrap().to_string());
            prop_assert_eq!(cells[7], neutralise(&row.notes));
            prop_assert_eq!(cells[9], neutralise(&row.session_id.to_string()));
            for cell in &cells {
                prop_assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\0']),
                    "cell runs as a formula: {cell:?}"
                );
            }
            // The neutralised cell is the original with at most a leading `'`.
            let original = cells[7].strip_prefix('\'').filter(|_| cells[7] != row.notes).unwrap_or(cells[7]);
            prop_assert_eq!(original, row.notes.as_str());
        }
    }
}

// ---------------------------------------------------------------------------------------
// Regression tests for the bugs the properties found

/// Found by `mutated_shipped_packs_never_panic_and_point_at_the_change`: a level (id, topic,
/// tag, key) holding a line break was quoted raw, so its problem spread over two lines and the
/// `file:line: message` report no longer read as one problem per line.
#[test]
fn a_line_break_in_a_pack_value_keeps_its_problem_on_one_line() {
    let pack = BUILTIN_PACKS[0]
        .1
        .replacen("level = \"junior\"", "level = \"jun\\r\\nior\"", 1);
    let err = bank::load_str("pack.toml", &pack).unwrap_err();
    let shown = err.0.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0].ends_with(": unknown level `jun\\r\\nior`: use junior, mid or senior"),
        "{shown:?}"
    );
    assert!(!shown[0].contains(['\r', '\n']), "{shown:?}");
    // The same for a key TOML itself reports.
    let pack = BUILTIN_PACKS[0]
        .1
        .replacen("level = \"junior\"", "\"lev\\nel\" = \"junior\"", 1);
    let err = bank::load_str("pack.toml", &pack).unwrap_err();
    assert!(
        err.0.iter().all(|p| !p.message.contains('\n')),
        "{:?}",
        err.0
    );
}

/// Found with the same property: a value of the wrong type was quoted whole by TOML's
/// message, so a 50,000-character string made a 50,000-character problem.
#[test]
fn a_huge_value_of_the_wrong_type_gives_a_short_problem() {
    let huge = "z".repeat(50_000);
    let pack = BUILTIN_PACKS[0].1.replacen(
        "answer = [",
        &format!("answer = \"{huge}\"\nanswer_was = ["),
        1,
    );
    let err = bank::load_str("pack.toml", &pack).unwrap_err();
    assert!(!err.0.is_empty());
    for p in &err.0 {
        assert!(p.line > 0, "{p}");
        assert!(
            p.message.chars().count() <= 301,
            "{} characters",
            p.message.len()
        );
    }
}

/// Found by `console_lines_never_panic_and_refusals_are_clear` (its long lines ran for
/// seconds): "did you mean" compared a pasted 200,000-character command with every command
/// name, about 3 s for one line in a debug build. Strings ten times longer than a name can
/// never be close to it, and are no longer compared.
#[test]
fn a_huge_unknown_command_is_answered_without_comparing_it_to_every_name() {
    let f = fixture();
    let line = format!("/{}", "a:".repeat(100_000));
    let started = std::time::Instant::now();
    let Ok(Line::Run(invocation)) = parse_line(&line, &f.engine) else {
        panic!("an unknown command goes to the engine");
    };
    let req = Request::member(GUILD, CHANNEL, admin(7), invocation);
    let (outcome, _) = f.engine.execute(&req, &mut Recorder::default());
    let elapsed = started.elapsed();
    assert!(outcome.is_error);
    let text = outcome_text(&outcome);
    assert!(
        text.contains("There is no command /a:a:") && text.contains("Try /help"),
        "{text}"
    );
    assert!(text.chars().count() < 2000);
    assert!(elapsed < std::time::Duration::from_secs(1), "{elapsed:?}");
    // Close misspellings are still suggested.
    let names = ["question", "daily set"];
    assert_eq!(
        interview_bot::text::closest("questoin", &names),
        Some("question")
    );
    assert_eq!(
        interview_bot::text::closest(&"questoin".repeat(20), &names),
        None
    );
}

/// Found by `generated_console_commands_parse_back_to_their_command_and_options` once it
/// gave empty values too: `name:` with nothing after the colon took the next word as its
/// value even when that word was another option, so `/question topic:"" level:mid` asked for
/// the topic `level:mid` and lost the level.
#[test]
fn an_empty_option_value_no_longer_swallows_the_next_option() {
    let parsed = |line: &str| match parse_line_in(line, bank(), REGISTRY) {
        Ok(Line::Run(Invocation::Command { options, .. })) => options
            .into_iter()
            .map(|o| match o.value {
                RawValue::Text(t) => (o.name, t),
                other => panic!("{other:?}"),
            })
            .collect::<Vec<_>>(),
        other => panic!("{line}: {other:?}"),
    };
    let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
    assert_eq!(
        parsed("/question topic:\"\" level:mid"),
        [pair("topic", ""), pair("level", "mid")]
    );
    assert_eq!(
        parsed("/question topic: level:mid"),
        [pair("topic", ""), pair("level", "mid")]
    );
    assert_eq!(
        parsed("/answer id:'' public:yes"),
        [pair("id", ""), pair("public", "yes")]
    );
    // `name: value` with a space still works, and a quoted empty value stays empty.
    assert_eq!(
        parsed("/question topic: networking"),
        [pair("topic", "networking")]
    );
    assert_eq!(
        parsed("/question topic:\"\" mid"),
        [pair("topic", ""), pair("level", "mid")]
    );
    // The engine then says what is wrong with the empty value.
    let f = fixture();
    let req = common::command(GUILD, "question", &[("topic", ""), ("level", "mid")]);
    let err = f.engine.dispatch(&req).unwrap_err();
    assert!(
        err.user_message().contains("`topic`"),
        "{}",
        err.user_message()
    );
}

/// Found against OWASP ASVS 5.0 requirement 1.2.10, which lists the NUL character beside
/// `=`, `+`, `-`, `@` and tab: a name or note starting with NUL went out as it was.
#[test]
fn a_csv_cell_starting_with_nul_is_neutralised() {
    assert_eq!(
        neutralise("\0=HYPERLINK(\"http://x\")"),
        "'\0=HYPERLINK(\"http://x\")"
    );
    let row = ScoreRow {
        id: 1,
        candidate_id: 1,
        candidate_name: "\0=1+1".into(),
        session_id: 1,
        session_started_at: 0,
        question_id: "aws-s3-basics".into(),
        interviewer_id: 5,
        interviewer_name: "Ada".into(),
        rating: Some(3),
        notes: "\0".into(),
        created_at: 0,
        updated_at: 0,
    };
    let bytes = to_csv(&[row], |_| ("junior".into(), "storage".into())).unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let record = reader.records().next().unwrap().unwrap();
    assert_eq!(&record[0], "'\0=1+1");
    assert_eq!(&record[7], "'\0");
}

/// Candidate names at the longest (100 characters) made of what escaping doubles (markdown
/// characters) or widens: every message that shows them stays within Discord's limits.
#[test]
fn the_longest_hostile_candidate_names_fit_every_message_that_shows_them() {
    let f = fixture();
    let e = &f.engine;
    e.store()
        .write(|db| db.set_interviewer_role(GUILD, Some(ROLE), 1, 0))
        .unwrap();
    let lead = Member {
        roles: vec![ROLE],
        ..admin(81)
    };
    let mut runner = proptest::test_runner::TestRunner::new(config(24));
    let name = prop::collection::vec(
        prop::sample::select(vec![
            '*', '_', '`', '|', '<', '>', '#', '-', '[', ']', '(', ')', ':', '\\', '@', '~', '👩',
            'é', '\u{200B}', 'W',
        ]),
        100,
    )
    .prop_map(|c| c.into_iter().collect::<String>())
    .prop_filter("a name is not blank", |n| !n.trim().is_empty());
    let channel = std::sync::atomic::AtomicU64::new(CHANNEL);
    runner
        .run(&name, |name| {
            // A channel per case: one session is open per channel.
            let here = channel.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // Past the rate limits of the lookups.
            f.clock.advance(61_000);
            let run = |m: &Member, cmd: &str, opts: &[(&str, &str)]| {
                let req = Request::member(
                    GUILD,
                    here,
                    m.clone(),
                    Invocation::Command {
                        name: cmd.into(),
                        options: opts.iter().map(|(k, v)| RawOption::text(k, v)).collect(),
                    },
                );
                let (o, _) = e.execute(&req, &mut Recorder::default());
                o
            };
            let mut outcomes = vec![
                run(
                    &lead,
                    "score",
                    &[
                        ("candidate", &name),
                        ("question", "aws-s3-basics"),
                        ("rating", "4"),
                        ("notes", &name),
                    ],
                ),
                run(
                    &lead,
                    "recommend",
                    &[("candidate", &name), ("recommendation", "strong-yes")],
                ),
                run(
                    &lead,
                    "interview start",
                    &[("candidate", &name), ("level", "junior")],
                ),
                run(&lead, "scores candidate", &[("candidate", &name)]),
                run(&lead, "scores team", &[]),
                run(&lead, "scores question", &[("id", "aws-s3-basics")]),
                run(&lead, "scores interviewer", &[]),
                run(&admin(82), "scores forget", &[("candidate", &name)]),
            ];
            // The session's buttons too.
            let ids: Vec<String> = outcomes[2]
                .effects
                .iter()
                .filter_map(Effect::message)
                .flat_map(|m| m.buttons.iter().map(|b| b.action.clone()))
                .collect();
            for id in ids {
                let req = Request::member(
                    GUILD,
                    here,
                    lead.clone(),
                    Invocation::Button {
                        custom_id: id,
                        message: None,
                    },
                );
                outcomes.push(e.execute(&req, &mut Recorder::default()).0);
            }
            outcomes.push(run(&lead, "interview end", &[]));
            for (i, o) in outcomes.iter().enumerate() {
                // All succeed but the session's buttons after its first rating moved it on
                // (the ids are for question 1): the name reached each message.
                prop_assert!(!o.is_error || i > 8, "{i}: {}", outcome_text(o));
                check_outcome(o, &name)?;
                check_payloads(o, &name)?;
            }
            Ok(())
        })
        .unwrap();
}
