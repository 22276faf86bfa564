//! Issue 23, first step: a server switches packs on and off, lists them, exports one as a file
//! that loads back unchanged, and gets a template. A pack that is off gives no question to
//! `/question`, sessions or topic suggestions, while its questions stay readable; another
//! server is not affected.

mod common;

use common::{Handle, command_as, fixture, manager, member, ok, refused, who};
use interview_bot::bank::{PackId, check_upload, load_str};
use interview_bot::engine::{AutocompleteRequest, Error, Request};
use interview_bot::model::{GuildId, RoleId, UserId};

const GUILD: u64 = common::GUILD;
const OTHER: u64 = GUILD + 1;
const ROLE: u64 = 555_555_555_555_555_555;

fn interviewer() -> interview_bot::engine::Member {
    who(1001, "Alice", &[ROLE], 0)
}

fn setup() -> common::Fixture {
    let f = fixture();
    for g in [GUILD, OTHER] {
        f.engine
            .store()
            .write(|db| db.set_interviewer_role(GuildId(g), Some(RoleId(ROLE)), UserId(1), 0))
            .unwrap();
    }
    f
}

fn text_of(r: &common::Reply) -> String {
    common::message_text(r.outcome.first_reply().expect("answered").1)
}

fn topic_suggestions(e: &interview_bot::engine::Engine, guild: u64) -> usize {
    let req = AutocompleteRequest {
        guild_id: GuildId(guild),
        channel_id: interview_bot::model::ChannelId(common::CHANNEL),
        command: "question".into(),
        option: "topic".into(),
        partial: String::new(),
        options: Vec::new(),
        member: Some(interviewer()),
    };
    e.autocomplete(&req).len()
}

#[test]
fn a_pack_switched_off_asks_nothing_here_but_stays_readable_and_other_servers_keep_it() {
    let f = setup();
    let e = &f.engine;
    let boss = manager(9);
    assert!(topic_suggestions(e, GUILD) > 0);

    let off = e.handle(&command_as(GUILD, &boss, "pack off", &[("pack", "aws")]));
    assert!(!off.is_error, "{off:?}");
    assert!(text_of(&off).contains("is off in this server"), "{off:?}");
    assert!(text_of(&off).contains("No pack is on now"));

    // Nothing to ask in this server, and the refusal names the switched-off pack.
    match refused(
        e,
        &command_as(GUILD, &interviewer(), "question", &[("level", "junior")]),
    ) {
        Error::NoQuestions { off, .. } => assert_eq!(off, vec!["aws".to_string()]),
        other => panic!("expected NoQuestions, got {other:?}"),
    }
    let r = e.handle(&command_as(
        GUILD,
        &interviewer(),
        "question",
        &[("level", "junior")],
    ));
    assert!(r.is_error);
    assert!(
        text_of(&r).contains("Switched off in this server: `aws`"),
        "{r:?}"
    );
    assert!(matches!(
        refused(
            e,
            &command_as(
                GUILD,
                &interviewer(),
                "interview start",
                &[("candidate", "Ada"), ("level", "mid")]
            )
        ),
        Error::NoQuestions { .. }
    ));
    assert_eq!(
        topic_suggestions(e, GUILD),
        0,
        "no topics of a pack that is off"
    );
    let help = e.handle(&command_as(GUILD, &member(5), "help", &[]));
    assert!(
        text_of(&help).contains("0 questions across 0 topics"),
        "{help:?}"
    );

    // Its questions stay readable by id.
    let answer = e.handle(&command_as(
        GUILD,
        &interviewer(),
        "answer",
        &[("id", "aws-s3-basics")],
    ));
    assert!(!answer.is_error, "{answer:?}");

    // The other server still has the pack.
    ok(
        e,
        &command_as(OTHER, &interviewer(), "question", &[("level", "junior")]),
    );
    assert!(topic_suggestions(e, OTHER) > 0);

    // The list says so, and the switch is in the audit trail.
    let list = e.handle(&command_as(GUILD, &interviewer(), "pack list", &[]));
    let listed = text_of(&list);
    assert!(listed.contains("**off** here since"), "{listed}");
    assert!(listed.contains("junior 45, mid 52, senior 47"), "{listed}");
    let audit = e.handle(&command_as(GUILD, &boss, "config audit", &[]));
    assert!(text_of(&audit).contains("switched the pack `aws` off"));
    let other_audit = e.handle(&command_as(OTHER, &boss, "config audit", &[]));
    assert!(!text_of(&other_audit).contains("switched the pack"));

    // Switching it off again changes nothing; on brings the questions back.
    let again = e.handle(&command_as(GUILD, &boss, "pack off", &[("pack", "aws")]));
    assert!(text_of(&again).contains("already off"));
    let on = e.handle(&command_as(GUILD, &boss, "pack on", &[("pack", "AWS")]));
    assert!(text_of(&on).contains("is on again"), "{on:?}");
    ok(
        e,
        &command_as(GUILD, &interviewer(), "question", &[("level", "junior")]),
    );
    let switches = e
        .store()
        .read(|db| db.pack_switches(GuildId(GUILD)))
        .unwrap();
    assert_eq!(switches.len(), 1);
    assert!(switches[0].enabled);
    assert_eq!(switches[0].changed_by, UserId(9));
}

#[test]
fn only_managers_switch_export_or_get_the_template_and_only_interviewers_list() {
    let f = setup();
    let e = &f.engine;
    for (path, opts) in [
        ("pack on", vec![("pack", "aws")]),
        ("pack off", vec![("pack", "aws")]),
        ("pack export", vec![("pack", "aws")]),
        ("pack template", vec![]),
    ] {
        let err = refused(e, &command_as(GUILD, &interviewer(), path, &opts));
        assert!(matches!(err, Error::NotAllowed { .. }), "{path}: {err:?}");
    }
    let err = refused(e, &command_as(GUILD, &member(5), "pack list", &[]));
    assert!(matches!(err, Error::NotAllowed { .. }), "{err:?}");
    ok(e, &command_as(GUILD, &interviewer(), "pack list", &[]));
    // Nothing was switched.
    assert!(
        e.store()
            .read(|db| db.packs_off(GuildId(GUILD)))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_unknown_pack_is_refused_with_the_closest_id() {
    let f = setup();
    let r = f.engine.handle(&command_as(
        GUILD,
        &manager(9),
        "pack off",
        &[("pack", "aw")],
    ));
    assert!(r.is_error);
    let text = text_of(&r);
    assert!(text.contains("There is no pack `aw`") && text.contains("Did you mean `aws`?"));
    let hostile = f.engine.handle(&command_as(
        GUILD,
        &manager(9),
        "pack off",
        &[("pack", "@everyone `x` <@1>")],
    ));
    assert!(hostile.is_error);
    assert!(!text_of(&hostile).contains("`x`"), "user text is escaped");
}

/// The attachment of the first reply, as text.
fn attachment(e: &interview_bot::engine::Engine, req: &Request) -> (String, String) {
    let out = ok(e, req);
    let (_, m) = out.first_reply().unwrap();
    assert_eq!(m.attachments.len(), 1);
    let a = &m.attachments[0];
    (
        a.filename.clone(),
        String::from_utf8(a.bytes.clone()).unwrap(),
    )
}

#[test]
fn an_exported_pack_loads_back_to_the_same_questions() {
    let f = setup();
    let e = &f.engine;
    let (name, text) = attachment(
        e,
        &command_as(GUILD, &manager(9), "pack export", &[("pack", "aws")]),
    );
    assert_eq!(name, "aws.toml");
    let again = load_str("aws.toml", &text).unwrap_or_else(|err| panic!("{err}"));
    let shipped = e.bank();
    assert_eq!(again.len(), shipped.len());
    for (a, b) in again.all().iter().zip(shipped.all()) {
        let mut a = a.clone();
        a.source = b.source.clone();
        assert_eq!(&a, b);
    }
    let aws = PackId::parse("aws").unwrap();
    assert_eq!(again.pack(&aws), shipped.pack(&aws));
    for t in shipped.topics() {
        assert_eq!(again.topic_name(t), shipped.topic_name(t));
    }
    // Exported twice, the same bytes.
    let (_, twice) = attachment(
        e,
        &command_as(GUILD, &manager(9), "pack export", &[("pack", "aws")]),
    );
    assert_eq!(text, twice);
    let audit = e.handle(&command_as(GUILD, &manager(9), "config audit", &[]));
    assert!(text_of(&audit).contains("exported the pack `aws`"));
}

#[test]
fn the_templates_are_valid_packs_of_the_same_two_questions() {
    let f = setup();
    let out = ok(
        &f.engine,
        &command_as(GUILD, &manager(9), "pack template", &[]),
    );
    let (_, m) = out.first_reply().unwrap();
    let names: Vec<&str> = m.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, ["pack-template.toml", "backend-basics.csv"]);
    let toml = check_upload(&m.attachments[0].filename, &m.attachments[0].bytes)
        .unwrap_or_else(|p| panic!("{p:?}"));
    let csv = check_upload(&m.attachments[1].filename, &m.attachments[1].bytes)
        .unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(toml.len(), 2);
    let id = PackId::parse("backend-basics").unwrap();
    assert_eq!(toml.pack(&id).unwrap().title(), "Backend basics");
    assert!(toml.all().iter().all(|q| q.pack == id));
    // The CSV holds the same questions in the same pack (named after the file).
    for (a, b) in csv.all().iter().zip(toml.all()) {
        let mut a = a.clone();
        a.source = b.source.clone();
        assert_eq!(&a, b);
    }
    // Either file dropped into a questions folder beside the shipped packs loads: the topic
    // names it repeats are the same.
    for a in &m.attachments {
        let mut packs: Vec<(&str, &str)> = interview_bot::bank::BUILTIN_PACKS.to_vec();
        let text = String::from_utf8(a.bytes.clone()).unwrap();
        if a.filename.ends_with(".toml") {
            packs.push((&a.filename, &text));
            let bank = interview_bot::bank::load_named(&packs).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(bank.packs().count(), 2);
        }
    }
}

#[test]
fn packs_in_the_older_format_or_without_a_name_round_trip_too() {
    let text = r#"
[pack]
id = "old"

[[question]]
id = "old-one"
level = "junior"
topic = "t"
prompt = "P?"
answer = ["Only two points", "The second point, much longer than a look-for may be: it goes on and on past a hundred characters"]
bonus = ["b"]
red_flags = ["r"]
follow_ups = ["f"]
facts = []
facts_checked = 2026-12-07
"#;
    let bank = load_str("old.toml", text).unwrap_or_else(|e| panic!("{e}"));
    let id = PackId::parse("old").unwrap();
    assert_eq!(bank.pack(&id).unwrap().name, None);
    let exported = interview_bot::bank::pack_to_toml(&bank, &id).unwrap();
    let again = load_str("old.toml", &exported).unwrap_or_else(|e| panic!("{e}\n{exported}"));
    assert_eq!(again.pack(&id), bank.pack(&id));
    for (a, b) in again.all().iter().zip(bank.all()) {
        assert_eq!(a, b);
        assert!(a.legacy);
    }
}

#[test]
fn the_console_runs_the_pack_commands() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::output_with_input(
        common::bin()
            .arg("console")
            .current_dir(dir.path())
            .env("DATABASE_PATH", dir.path().join("c.sqlite3")),
        b"/pack off pack:aws\n/question junior\n/pack on pack:aws\n/pack list\n",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("is off in this server"), "{stdout}");
    // Errors go to stderr, in words (no Discord markup).
    assert!(
        stderr.contains("Switched off in this server: aws"),
        "{stderr}"
    );
    assert!(stdout.contains("is on again"), "{stdout}");
    assert!(
        stdout.contains("comes with the bot") && stdout.contains("junior 45, mid 52,"),
        "{stdout}"
    );
}

#[test]
fn the_console_imports_a_pack_from_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("house.toml");
    std::fs::write(&file, interview_bot::features::packs::TEMPLATE).unwrap();
    let input = format!(
        "/pack import file:{}\n!1\n/pack list\n/pack import file:{}\n",
        file.display(),
        dir.path().join("missing.toml").display()
    );
    let out = common::output_with_input(
        common::bin()
            .arg("console")
            .current_dir(dir.path())
            .env("DATABASE_PATH", dir.path().join("c.sqlite3")),
        input.as_bytes(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("Import preview"), "{stdout}");
    assert!(stdout.contains("Imported Backend basics"), "{stdout}");
    assert!(
        stdout.contains("Backend basics (backend-basics)"),
        "{stdout}"
    );
    assert!(stderr.contains("There is no such file"), "{stderr}");
}
