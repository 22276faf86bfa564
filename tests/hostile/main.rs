//! Hostile input (issue 12): property tests with bounded case counts over the console parser,
//! the question-pack loader, the conversion of Discord interactions into requests (and of
//! effects into Discord payloads), and the CSV export. Each property checks that nothing
//! panics, that every refusal is a clear message (no Rust `Debug` text), and what a user would
//! see. Regression tests for the bugs these found are kept beside them, named after the bug.
//!
//! No persistence files are written (`failure_persistence: None`): a failing case is printed,
//! and kept here as an explicit test.
//!
//! One test binary, a module per surface; this file holds what they share (the bounded
//! configuration, the clarity and payload checks, hostile text). Each module starts with
//! `use super::*`.

#[path = "../common/mod.rs"]
mod common;

mod buttons;
mod commands;
mod console;
mod export;
mod interactions;
mod packs;
mod uploads;

use std::collections::HashSet;
use std::sync::OnceLock;

use common::{
    CHANNEL, Fixture, GUILD, Recorder, USER, admin, button_as, button_in, command_as, command_in,
    fixture,
};
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
use interview_bot::features::scores::export::{COLUMNS, ExportEvidence, neutralise, to_csv};
use interview_bot::model::{GuildId, RoleId, UserId};
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
    let mut out = common::message_text(m);
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

/// A fresh fixture whose `GUILD` has `ROLE` as its interviewer role.
fn with_interviewers() -> Fixture {
    let f = fixture();
    f.engine
        .store()
        .write(|db| db.set_interviewer_role(GuildId(GUILD), Some(RoleId(ROLE)), UserId(1), 0))
        .unwrap();
    f
}

/// An admin who also has the interviewer role.
fn interviewer(id: u64) -> Member {
    Member {
        roles: vec![RoleId(ROLE)],
        ..admin(id)
    }
}

/// Every option name any command declares, once each.
fn option_names() -> Vec<String> {
    REGISTRY
        .leaves()
        .iter()
        .flat_map(|l| l.spec.options.iter().map(|o| o.name.to_string()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect()
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
// Shared by the interaction surfaces

const OTHER_GUILD: u64 = GUILD + 1;
const ROLE: u64 = 444_444_444_444_444_444;

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
