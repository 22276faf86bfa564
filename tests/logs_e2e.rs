//! What the bot's log may hold: the real bot binary against the fake Discord, at the most
//! verbose filters an operator might set. Neither the bot token, nor an interaction token
//! (which can post as the bot for 15 minutes), nor hiring data (a note's text, a candidate's
//! name) reaches the log unless `INTERVIEW_BOT_PROTOCOL_LOG=1` lifts the cap on the protocol
//! crates; and what a member types cannot forge a log line.

mod common;

use fake_discord::{FakeDiscord, InteractionRef, Recorded};
use serde_json::{Value, json};

use common::e2e::{Bot, is_ephemeral, manager, opt, settle, sub};

/// The token `bot_command` gives the bot.
const BOT_TOKEN: &str = "fake-token-for-tests";
/// Text typed into a scorecard's notes: hiring data (letters only, so that replies show it
/// unescaped).
const NOTE: &str = "notemarkerq7ZrXw";
/// A candidate's name: hiring data.
const CANDIDATE: &str = "CandidatemarkerVb3kLp";

async fn run(
    fake: &FakeDiscord,
    bot: &Bot,
    name: &str,
    options: Value,
) -> (InteractionRef, Recorded) {
    let i = fake.send_command_as(name, options, &manager()).await;
    let r = settle(fake, &i, || bot.log()).await;
    (i, r)
}

/// Starts the bot with `env`, scores a candidate with a note, looks the scorecard up, exports
/// the scores and posts a question; returns the log (after a clean stop) and the interaction
/// tokens the fake handed out.
async fn drive(env: &[(&str, &str)]) -> (String, Vec<String>) {
    let (fake, mut bot) = common::e2e::connected_with(env).await;
    let mut tokens = Vec::new();
    let (i, r) = run(
        &fake,
        &bot,
        "score",
        json!([
            opt("candidate", json!(CANDIDATE)),
            opt("question", json!("aws-s3-basics")),
            opt("rating", json!("3")),
            opt("notes", json!(NOTE))
        ]),
    )
    .await;
    assert!(is_ephemeral(&r), "{}", r.body);
    tokens.push(i.token);
    // The scorecard and the export carry the note in the bodies the bot sends.
    let (i, r) = run(
        &fake,
        &bot,
        "scores",
        sub("candidate", json!([opt("candidate", json!(CANDIDATE))])),
    )
    .await;
    assert!(r.body.to_string().contains(NOTE), "{}", r.body);
    tokens.push(i.token);
    let (i, r) = run(&fake, &bot, "scores", sub("export", json!([]))).await;
    assert_eq!(r.files.len(), 1, "{r:?}");
    tokens.push(i.token);
    let (i, r) = run(
        &fake,
        &bot,
        "question",
        json!([opt("level", json!("junior"))]),
    )
    .await;
    assert_eq!(r.body["type"], 4, "{}", r.body);
    tokens.push(i.token);
    assert_eq!(bot.terminate(common::e2e::WAIT), Some(0), "{}", bot.log());
    (bot.log(), tokens)
}

/// The secrets and hiring data found in `log`, by name.
fn leaks(log: &str, tokens: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    // tungstenite prints a frame's payload as text, as hex ("writing frame") or as a list of
    // bytes (`Frame`'s Debug).
    let hex: String = BOT_TOKEN.bytes().map(|b| format!("{b:02x}")).collect();
    let bytes = BOT_TOKEN
        .bytes()
        .map(|b| b.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if [BOT_TOKEN, &hex, &bytes].iter().any(|t| log.contains(t)) {
        found.push("the bot token".to_string());
    }
    if log.contains(NOTE) {
        found.push("a note's text".to_string());
    }
    if log.contains(CANDIDATE) {
        found.push("a candidate's name".to_string());
    }
    for t in tokens {
        if log.contains(t.as_str()) {
            found.push(format!("interaction token {t}"));
        }
    }
    found
}

fn assert_no_leaks(filter: &str, log: &str, tokens: &[String]) {
    // The log is not empty: the filter was taken, the bot's own lines are there.
    assert!(
        log.contains("interview_bot") && log.contains("interaction"),
        "RUST_LOG={filter}: the bot's own lines are missing:\n{log}"
    );
    let leaks = leaks(log, tokens);
    assert!(
        leaks.is_empty(),
        "RUST_LOG={filter}: the log holds {leaks:?} ({} bytes)",
        log.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_rust_log_trace_the_log_holds_no_token_and_no_hiring_data() {
    let filter = "trace";
    let (log, tokens) = drive(&[("RUST_LOG", filter)]).await;
    assert_no_leaks(filter, &log, &tokens);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn naming_the_protocol_crates_in_rust_log_does_not_lift_the_cap() {
    let filter = "serenity=trace,serenity::http=trace,serenity::gateway=trace,tungstenite=trace,\
                  tokio_tungstenite=trace,reqwest=trace,hyper=trace,rustls=trace,interview_bot=trace";
    let (log, tokens) = drive(&[("RUST_LOG", filter)]).await;
    assert_no_leaks(filter, &log, &tokens);
}

/// The documented switch for protocol debugging does lift the cap (and so the two tests above
/// would see a leak if the cap were not there): such a log holds tokens and hiring data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interview_bot_protocol_log_lifts_the_cap() {
    let (log, tokens) = drive(&[("RUST_LOG", "trace"), ("INTERVIEW_BOT_PROTOCOL_LOG", "1")]).await;
    assert!(
        log.contains("INTERVIEW_BOT_PROTOCOL_LOG=1"),
        "the log says so:\n{log}"
    );
    let leaks = leaks(&log, &tokens);
    for leak in ["the bot token", "a note's text", "a candidate's name"] {
        assert!(leaks.iter().any(|l| l == leak), "{leak} not in {leaks:?}");
    }
    assert!(
        leaks.iter().any(|l| l.starts_with("interaction token")),
        "no interaction token in {leaks:?}"
    );
}

/// Finding 10: what a member types is escaped in the log, so it cannot start a line of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_newline_cannot_forge_a_log_line() {
    let forged = "2026-01-01T00:00:00Z ERROR interview_bot: FORGED line";
    let (fake, mut bot) = common::e2e::connected_with(&[("RUST_LOG", "interview_bot=trace")]).await;
    for (name, options) in [
        ("answer", json!([opt("id", json!(format!("z\n{forged}")))])),
        (
            "question",
            json!([
                opt("level", json!("junior")),
                opt("topic", json!(format!("t\r\n{forged}")))
            ]),
        ),
    ] {
        let (_, r) = run(&fake, &bot, name, options).await;
        assert!(is_ephemeral(&r), "{}", r.body);
    }
    assert_eq!(bot.terminate(common::e2e::WAIT), Some(0), "{}", bot.log());
    let log = bot.log();
    assert!(log.contains("request refused"), "{log}");
    for line in log.lines() {
        assert!(
            !line
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("2026-01-01t00:00:00z"),
            "a forged line: {line:?}\n{log}"
        );
    }
}
