//! Issue 23, a server's own packs: `/pack import` checks a file, previews what it changes and
//! stores nothing until Import; a re-import shows exactly the changed fields; imported
//! questions are asked, looked up and exported in their server only; a question dropped while
//! history names it stays readable, retired.

mod common;

use common::{Handle, button_as, command_as, fixture, manager, message_text, ok, refused, run};
use interview_bot::engine::{Effect, Fetched, Request};
use interview_bot::model::GuildId;

const GUILD: u64 = common::GUILD;
const OTHER: u64 = GUILD + 1;
const TEMPLATE: &str = include_str!("../src/features/packs/template.toml");

/// `/pack import` with `bytes` attached as `filename`, as a front end hands it over.
fn import(guild: u64, filename: &str, bytes: &[u8], dry_run: bool) -> Request {
    let options: &[(&str, &str)] = if dry_run { &[("dry_run", "true")] } else { &[] };
    common::attach(
        command_as(guild, &manager(1004), "pack import", options),
        "file",
        filename,
        bytes,
    )
}

fn text(outcome: &interview_bot::engine::Outcome) -> String {
    message_text(outcome.first_reply().expect("answered").1)
}

/// The custom id of the reply's button labelled `label`.
fn button(outcome: &interview_bot::engine::Outcome, label: &str) -> String {
    let (_, m) = outcome.first_reply().expect("answered");
    m.buttons
        .iter()
        .find(|b| b.label == label)
        .unwrap_or_else(|| panic!("no {label} button in {m:?}"))
        .action
        .clone()
}

/// Presses a preview button; the preview message is updated in place.
fn press(f: &common::Fixture, guild: u64, id: &str) -> String {
    let outcome = ok(&f.engine, &button_as(guild, &manager(1004), id));
    match outcome.effects.first() {
        Some(Effect::Update(m)) => message_text(m),
        other => panic!("expected an update, got {other:?}"),
    }
}

/// A command from a manager, answered without error.
fn cmd(
    f: &common::Fixture,
    guild: u64,
    name: &str,
    options: &[(&str, &str)],
) -> interview_bot::engine::Outcome {
    ok(&f.engine, &command_as(guild, &manager(1004), name, options))
}

/// A command from a manager, refused.
fn cmd_refused(
    f: &common::Fixture,
    guild: u64,
    name: &str,
    options: &[(&str, &str)],
) -> interview_bot::engine::Error {
    refused(&f.engine, &command_as(guild, &manager(1004), name, options))
}

fn stored_packs(f: &common::Fixture, guild: u64) -> usize {
    f.engine
        .store()
        .read(|db| db.team_packs(GuildId(guild)))
        .unwrap()
        .len()
}

/// The id under a posted question card.
fn asked(f: &common::Fixture, guild: u64, level: &str) -> String {
    let r = f.engine.handle(&command_as(
        guild,
        &manager(1004),
        "question",
        &[("level", level)],
    ));
    assert!(!r.is_error, "{r:?}");
    common::shown_question(&r.buttons)
}

#[test]
fn import_preview_reimport_export_and_isolation() {
    let f = fixture();
    // A file with problems: every one reported, nothing stored.
    let broken = TEMPLATE
        .replace("pass = 3", "pass = 9")
        .replace("level = \"mid\"", "level = \"expert\"");
    let reply = ok(
        &f.engine,
        &import(GUILD, "house.toml", broken.as_bytes(), false),
    );
    let t = text(&reply);
    assert!(t.contains("2 problems, so nothing was stored"), "{t}");
    assert!(t.contains("line "), "{t}");
    assert_eq!(stored_packs(&f, GUILD), 0);

    // Fixed; a dry run previews and stores nothing, with no buttons.
    let dry = ok(
        &f.engine,
        &import(GUILD, "house.toml", TEMPLATE.as_bytes(), true),
    );
    let t = text(&dry);
    assert!(
        t.contains("New (2)") && t.contains("Dry run: nothing was stored"),
        "{t}"
    );
    assert!(dry.first_reply().unwrap().1.buttons.is_empty());
    assert_eq!(stored_packs(&f, GUILD), 0);

    // The preview, then Import.
    let preview = ok(
        &f.engine,
        &import(GUILD, "house.toml", TEMPLATE.as_bytes(), false),
    );
    assert_eq!(stored_packs(&f, GUILD), 0, "nothing stored before Import");
    let done = press(&f, GUILD, &button(&preview, "Import"));
    assert!(
        done.contains("Imported Backend basics") && done.contains("2 new"),
        "{done}"
    );
    assert_eq!(stored_packs(&f, GUILD), 1);
    // Pressing it again stores nothing more.
    let again = refused(
        &f.engine,
        &button_as(GUILD, &manager(1004), &button(&preview, "Import")),
    );
    assert!(
        again
            .user_message()
            .contains("already done, cancelled or has expired"),
        "{again:?}"
    );

    // With AWS off, every question asked is the server's own; the other server never sees them.
    cmd(&f, GUILD, "pack off", &[("pack", "aws")]);
    assert_eq!(asked(&f, GUILD, "junior"), "backend-idempotent-retries");
    assert_eq!(asked(&f, GUILD, "mid"), "backend-slow-query");
    for _ in 0..5 {
        assert!(asked(&f, OTHER, "junior").starts_with("aws-"));
    }
    let answer = cmd(&f, GUILD, "answer", &[("id", "backend-slow-query")]);
    assert!(
        text(&answer).contains("Model answer · Mid-level · Databases"),
        "{}",
        text(&answer)
    );
    let elsewhere = cmd_refused(&f, OTHER, "answer", &[("id", "backend-slow-query")]);
    assert!(
        elsewhere.user_message().contains("backend-slow-query"),
        "{elsewhere:?}"
    );

    // Edit two fields of one question, one of another: the preview names exactly those.
    let edited = TEMPLATE
        .replace(
            "A client times out while creating an order",
            "A client times out while placing an order",
        )
        .replace(
            "tags = [\"retries\", \"idempotency\"]",
            "tags = [\"retries\"]",
        )
        .replace("topic = \"databases\"", "topic = \"data\"")
        .replace("databases = \"Databases\"", "data = \"Data\"");
    assert_ne!(edited, TEMPLATE);
    let preview = ok(
        &f.engine,
        &import(GUILD, "house.toml", edited.as_bytes(), false),
    );
    let t = text(&preview);
    assert!(t.contains("Changed (2)"), "{t}");
    assert!(
        t.contains("• `backend-idempotent-retries`: tags, prompt"),
        "{t}"
    );
    assert!(t.contains("• `backend-slow-query`: topic"), "{t}");
    assert!(
        t.contains("Unchanged:** 0") || t.contains("Unchanged: 0"),
        "{t}"
    );
    assert!(press(&f, GUILD, &button(&preview, "Import")).contains("2 changed"));

    // Export, and import the export: nothing changes.
    let export = cmd(&f, GUILD, "pack export", &[("pack", "backend-basics")]);
    let file = &export.first_reply().unwrap().1.attachments[0];
    assert_eq!(file.filename, "backend-basics.toml");
    let back = ok(
        &f.engine,
        &import(GUILD, "backend-basics.toml", &file.bytes, false),
    );
    let t = text(&back);
    assert!(t.contains("nothing to import"), "{t}");
    assert!(back.first_reply().unwrap().1.buttons.is_empty(), "{t}");

    // A question dropped while history names it stays readable, retired; one never shown is
    // deleted.
    let start = edited.find("[[question]]\n# A unique id").unwrap_or(0);
    let second = edited.rfind("[[question]]").unwrap();
    assert!(second > start);
    let only_first = edited[..second].replace("data = \"Data\"\n", "");
    let preview = ok(
        &f.engine,
        &import(GUILD, "house.toml", only_first.as_bytes(), false),
    );
    let t = text(&preview);
    assert!(
        t.contains("kept as retired") && t.contains("`backend-slow-query`"),
        "{t}"
    );
    press(&f, GUILD, &button(&preview, "Import"));
    let answer = cmd(&f, GUILD, "answer", &[("id", "backend-slow-query")]);
    assert!(text(&answer).contains("Model answer"), "{}", text(&answer));
    // Never picked again: the mid pool is empty with AWS off.
    let none = cmd_refused(&f, GUILD, "question", &[("level", "mid")]);
    assert!(
        none.user_message().contains("aws"),
        "{:?}",
        none.user_message()
    );

    // The other server has no pack of its own throughout.
    assert_eq!(stored_packs(&f, OTHER), 0);
}

#[test]
fn ids_may_not_clash_and_pings_are_refused() {
    let f = fixture();
    let shipped = f.engine.bank().all()[0].id.clone();
    let clash = TEMPLATE.replace("backend-idempotent-retries", &shipped);
    let t = text(&ok(
        &f.engine,
        &import(GUILD, "house.toml", clash.as_bytes(), false),
    ));
    assert!(t.contains("comes with the bot"), "{t}");
    let aws = TEMPLATE.replace("id = \"backend-basics\"", "id = \"aws\"");
    let t = text(&ok(
        &f.engine,
        &import(GUILD, "house.toml", aws.as_bytes(), false),
    ));
    assert!(t.contains("is a pack that comes with the bot"), "{t}");
    let ping = TEMPLATE.replace("What can go wrong", "@everyone what can go wrong");
    let t = text(&ok(
        &f.engine,
        &import(GUILD, "house.toml", ping.as_bytes(), false),
    ));
    assert!(
        t.contains("everyone or @\u{200B}here is not allowed"),
        "{t}"
    );
    assert_eq!(stored_packs(&f, GUILD), 0);

    // Another pack of the same server may not take the first one's ids.
    let preview = ok(
        &f.engine,
        &import(GUILD, "house.toml", TEMPLATE.as_bytes(), false),
    );
    press(&f, GUILD, &button(&preview, "Import"));
    let second = TEMPLATE.replace("id = \"backend-basics\"", "id = \"backend-two\"");
    let t = text(&ok(
        &f.engine,
        &import(GUILD, "two.toml", second.as_bytes(), false),
    ));
    assert!(
        t.contains("of the pack `backend-basics` in this server"),
        "{t}"
    );
    // Another server may use the same ids.
    let preview = ok(
        &f.engine,
        &import(OTHER, "house.toml", second.as_bytes(), false),
    );
    assert!(press(&f, OTHER, &button(&preview, "Import")).contains("2 new"));
}

#[test]
fn a_preview_is_refused_once_the_packs_changed_and_cancel_stores_nothing() {
    let f = fixture();
    let preview = ok(
        &f.engine,
        &import(GUILD, "house.toml", TEMPLATE.as_bytes(), false),
    );
    cmd(&f, GUILD, "pack off", &[("pack", "aws")]);
    let stale = refused(
        &f.engine,
        &button_as(GUILD, &manager(1004), &button(&preview, "Import")),
    );
    assert!(
        stale
            .user_message()
            .contains("changed since this was shown"),
        "{stale:?}"
    );
    assert_eq!(stored_packs(&f, GUILD), 0);

    let preview = ok(
        &f.engine,
        &import(GUILD, "house.toml", TEMPLATE.as_bytes(), false),
    );
    assert!(press(&f, GUILD, &button(&preview, "Cancel")).contains("nothing was stored"));
    assert_eq!(stored_packs(&f, GUILD), 0);
    // Only managers press them.
    let preview = ok(
        &f.engine,
        &import(GUILD, "house.toml", TEMPLATE.as_bytes(), false),
    );
    let member = run(
        &f.engine,
        &button_as(GUILD, &common::member(42), &button(&preview, "Import")),
    );
    assert!(member.is_error);
    assert_eq!(stored_packs(&f, GUILD), 0);
}

#[test]
fn files_refused_before_reading_say_why() {
    let f = fixture();
    let mut req = import(GUILD, "big.toml", b"x", false);
    req.resolved.attachments.get_mut(&1).unwrap().size = 10_000_000;
    assert!(
        refused(&f.engine, &req)
            .user_message()
            .contains("too large")
    );
    let mut req = import(GUILD, "x.toml", b"x", false);
    req.resolved.attachments.get_mut(&1).unwrap().content =
        Fetched::Refused(interview_bot::engine::FetchRefusal::NotDiscord);
    assert!(
        refused(&f.engine, &req)
            .user_message()
            .contains("attachment server")
    );
    let t = text(&ok(&f.engine, &import(GUILD, "pack.pdf", b"%PDF", false)));
    assert!(t.contains("nothing was stored"), "{t}");
}

#[test]
fn removing_a_pack_keeps_what_scores_name_readable() {
    let f = fixture();
    let preview = ok(
        &f.engine,
        &import(GUILD, "house.toml", TEMPLATE.as_bytes(), false),
    );
    press(&f, GUILD, &button(&preview, "Import"));
    // One of its questions is scored; the other was never used.
    cmd(
        &f,
        GUILD,
        "score",
        &[
            ("candidate", "Ada"),
            ("question", "backend-slow-query"),
            ("rating", "3"),
        ],
    );

    // A shipped pack is switched off, not removed.
    let shipped = cmd_refused(&f, GUILD, "pack remove", &[("pack", "aws")]);
    assert!(
        shipped.user_message().contains("/pack off pack:aws"),
        "{shipped:?}"
    );

    let confirm = cmd(&f, GUILD, "pack remove", &[("pack", "backend-basics")]);
    let t = text(&confirm);
    assert!(t.contains("1 of them are named by scores"), "{t}");
    assert!(t.contains("The other 1 are deleted"), "{t}");
    assert_eq!(
        stored_packs(&f, GUILD),
        1,
        "nothing removed before the button"
    );
    let done = press(&f, GUILD, &button(&confirm, "Remove"));
    assert!(
        done.contains("1 questions deleted, 1 kept as retired"),
        "{done}"
    );
    assert_eq!(stored_packs(&f, GUILD), 0);
    // The scored question stays readable, marked retired in the lookup; the other is gone;
    // the pack is not listed.
    let answer = cmd(&f, GUILD, "answer", &[("id", "backend-slow-query")]);
    assert!(text(&answer).contains("Model answer"), "{}", text(&answer));
    let lookup = text(&cmd(
        &f,
        GUILD,
        "scores question",
        &[("id", "backend-slow-query")],
    ));
    assert!(
        lookup.contains("(retired)") && lookup.contains("Databases"),
        "{lookup}"
    );
    let card = text(&cmd(&f, GUILD, "scores candidate", &[("candidate", "Ada")]));
    assert!(card.contains("backend-slow-query"), "{card}");
    cmd_refused(&f, GUILD, "answer", &[("id", "backend-idempotent-retries")]);
    let list = text(&cmd(&f, GUILD, "pack list", &[]));
    assert!(!list.contains("backend-basics"), "{list}");
    // The audit trail has the import and the removal.
    let audit = text(&cmd(&f, GUILD, "config audit", &[]));
    assert!(
        audit.contains("imported the pack") && audit.contains("removed the pack"),
        "{audit}"
    );
    // An old confirmation does nothing more.
    let again = refused(
        &f.engine,
        &button_as(GUILD, &manager(1004), &button(&confirm, "Remove")),
    );
    assert!(again.user_message().contains("changed since"), "{again:?}");
}

#[test]
fn what_a_pack_shows_is_checked_and_a_full_server_lists_within_discords_limits() {
    let f = fixture();
    // A masked link in a topic's name, and a question answering to too many old ids.
    let link = TEMPLATE.replace(
        "http = \"HTTP and APIs\"",
        "http = \"[Click me](https://evil.example)\"",
    );
    let t = text(&cmd_import(&f, "house.toml", &link));
    assert!(t.contains("a topic's name: a masked link"), "{t}");
    let aliases: Vec<String> = (0..11).map(|i| format!("\"old-{i}\"")).collect();
    let many = TEMPLATE.replace(
        "tags = [\"retries\", \"idempotency\"]",
        &format!("tags = [\"retries\"]\naliases = [{}]", aliases.join(", ")),
    );
    let t = text(&cmd_import(&f, "house.toml", &many));
    assert!(t.contains("more than 10 aliases"), "{t}");
    assert_eq!(stored_packs(&f, GUILD), 0);

    // Twenty packs with the longest names and descriptions: /pack list still fits one message
    // (`ok` checks every reply against Discord's limits).
    for n in 0..20 {
        let name = format!("{n:02} {}", "N".repeat(100));
        let file = TEMPLATE
            .replace("id = \"backend-basics\"", &format!("id = \"team-{n}\""))
            .replace("name = \"Backend basics\"", &format!("name = \"{}\"", &name[..80]))
            .replace(
                "description = \"Two example questions for backend engineers; replace them with your own.\"",
                &format!("description = \"{}\"", "D".repeat(300)),
            )
            .replace("backend-idempotent-retries", &format!("t{n}-retries"))
            .replace("backend-slow-query", &format!("t{n}-slow-query"));
        let preview = cmd_import(&f, "house.toml", &file);
        press(&f, GUILD, &button(&preview, "Import"));
    }
    assert_eq!(stored_packs(&f, GUILD), 20);
    let list = cmd(&f, GUILD, "pack list", &[]);
    assert!(
        text(&list).contains("more packs not shown"),
        "{}",
        text(&list)
    );
}

/// `/pack import` of `file` in `GUILD`, answered without error.
fn cmd_import(f: &common::Fixture, filename: &str, file: &str) -> interview_bot::engine::Outcome {
    ok(&f.engine, &import(GUILD, filename, file.as_bytes(), false))
}

#[test]
fn many_problems_come_whole_in_an_attached_file() {
    let f = fixture();
    // Twenty questions, each with a level that does not exist.
    let mut file = String::from("[pack]\nid = \"broken\"\n");
    for i in 0..20 {
        file.push_str(&format!(
            "\n[[question]]\nid = \"q{i}\"\nlevel = \"expert\"\ntopic = \"t\"\nprompt = \"p\"\nlook_fors = [\"a\", \"b\", \"c\"]\nbonus = [\"x\"]\nred_flags = [\"r\"]\nfollow_ups = [\"f\"]\n"
        ));
    }
    let reply = cmd_import(&f, "broken.toml", &file);
    let (_, m) = reply.first_reply().unwrap();
    assert!(text(&reply).contains("20 problems") && text(&reply).contains("attached file"));
    let attached = String::from_utf8(m.attachments[0].bytes.clone()).unwrap();
    assert_eq!(m.attachments[0].filename, "pack-problems.txt");
    assert_eq!(
        attached.lines().filter(|l| l.contains("expert")).count(),
        20,
        "{attached}"
    );
    assert_eq!(stored_packs(&f, GUILD), 0);
}
