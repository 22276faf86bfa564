//! Issue 23, members' suggestions: a server allows them with `/config suggestions`; a member
//! suggests with a form (`/suggest question`), at most 3 waiting; interviewers approve one into
//! an imported pack (checked as any import) or reject it with a reason; the member sees where
//! each stands (`/suggest mine`); another server sees none of it.

mod common;

use common::{button_as, command_as, fixture, manager, member, message_text, ok, refused, run};
use interview_bot::engine::{Effect, Invocation, Outcome, Request};

const GUILD: u64 = common::GUILD;
const OTHER: u64 = GUILD + 1;
const MEMBER: u64 = 4242;
const TEMPLATE: &str = include_str!("../src/features/packs/template.toml");

fn text(outcome: &Outcome) -> String {
    message_text(outcome.first_reply().expect("answered").1)
}

/// The member's form, filled in and submitted.
fn suggest(f: &common::Fixture, guild: u64, user: u64, prompt: &str) -> Result<String, String> {
    let open = run(
        &f.engine,
        &command_as(guild, &member(user), "suggest question", &[]),
    );
    let Some(Effect::OpenModal(modal)) = open.effects.first() else {
        return Err(text(&open));
    };
    let fields = [
        ("prompt", prompt),
        ("level", "mid"),
        ("topic", "Message queues"),
        (
            "look_fors",
            "Makes consumers idempotent\nUses a dead-letter queue for poison messages\nMonitors queue age",
        ),
        ("red_flag", "Drops messages to keep the queue short"),
    ];
    let submit = Request::member(
        guild,
        common::CHANNEL,
        member(user),
        Invocation::Modal {
            custom_id: modal.action.clone(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        },
    );
    let done = run(&f.engine, &submit);
    if done.is_error {
        Err(text(&done))
    } else {
        Ok(text(&done))
    }
}

fn allow_suggestions(f: &common::Fixture) {
    ok(
        &f.engine,
        &command_as(
            GUILD,
            &manager(1004),
            "config suggestions",
            &[("allow", "true")],
        ),
    );
}

/// `who` picks `pack` in the review's select `action`.
fn pick(who: u64, action: &str, pack: &str) -> Request {
    Request::member(
        GUILD,
        common::CHANNEL,
        manager(who),
        Invocation::Select {
            custom_id: action.to_string(),
            values: vec![pack.into()],
            message: None,
        },
    )
}

fn import_pack(f: &common::Fixture, guild: u64) {
    let req = common::attach(
        command_as(guild, &manager(1004), "pack import", &[]),
        "file",
        "house.toml",
        TEMPLATE.as_bytes(),
    );
    let preview = ok(&f.engine, &req);
    let (_, m) = preview.first_reply().unwrap();
    let import = &m
        .buttons
        .iter()
        .find(|b| b.label == "Import")
        .unwrap()
        .action;
    ok(&f.engine, &button_as(guild, &manager(1004), import));
}

#[test]
fn suggestions_are_made_reviewed_and_followed() {
    let f = fixture();
    // Not until the server allows them.
    let off = suggest(&f, GUILD, MEMBER, "How do you handle poison messages?").unwrap_err();
    assert!(off.contains("/config suggestions allow:true"), "{off}");
    allow_suggestions(&f);
    let thanks = suggest(&f, GUILD, MEMBER, "How do you handle poison messages?").unwrap();
    assert!(thanks.contains("suggestion #1 waits"), "{thanks}");
    suggest(&f, GUILD, MEMBER, "Second idea?").unwrap();
    suggest(&f, GUILD, MEMBER, "Third idea?").unwrap();
    let fourth = suggest(&f, GUILD, MEMBER, "Fourth idea?").unwrap_err();
    assert!(fourth.contains("3 suggestions waiting"), "{fourth}");
    // The other server takes none, and lists none.
    assert!(suggest(&f, OTHER, MEMBER, "Elsewhere?").is_err());
    let none = ok(
        &f.engine,
        &command_as(OTHER, &manager(1004), "pack suggestions", &[]),
    );
    assert!(
        text(&none).contains("No suggestion waits"),
        "{}",
        text(&none)
    );
    // Plain members do not review.
    assert!(
        run(
            &f.engine,
            &command_as(GUILD, &member(MEMBER), "pack suggestions", &[])
        )
        .is_error
    );

    // With no pack of the server's own, only rejecting is offered.
    let review = ok(
        &f.engine,
        &command_as(GUILD, &manager(1004), "pack suggestions", &[]),
    );
    let (_, m) = review.first_reply().unwrap();
    assert!(m.selects.is_empty());
    assert!(
        text(&review).contains("no pack of its own"),
        "{}",
        text(&review)
    );
    assert!(text(&review).contains("How do you handle poison messages?"));

    // Approve #1 into the imported pack: pick it, fill in the form.
    import_pack(&f, GUILD);
    let review = ok(
        &f.engine,
        &command_as(GUILD, &manager(1004), "pack suggestions", &[]),
    );
    let (_, m) = review.first_reply().unwrap();
    let select = m.selects.first().expect("a pack select");
    assert_eq!(select.options[0].value, "backend-basics");
    let form = ok(&f.engine, &pick(1004, &select.action, "backend-basics"));
    let Some(Effect::OpenModal(modal)) = form.effects.first() else {
        panic!("{form:?}");
    };
    let prefilled = |id: &str| {
        modal
            .inputs
            .iter()
            .find(|i| i.id == id)
            .and_then(|i| i.value.clone())
    };
    assert_eq!(
        prefilled("id").as_deref(),
        Some("message-queues-suggested-1")
    );
    assert_eq!(prefilled("pass").as_deref(), Some("3"));
    let approve = |bonus: &str| {
        Request::member(
            GUILD,
            common::CHANNEL,
            manager(1004),
            Invocation::Modal {
                custom_id: modal.action.clone(),
                fields: vec![
                    ("id".into(), "queues-poison-messages".into()),
                    ("pass".into(), "3".into()),
                    ("bonus".into(), bonus.into()),
                    (
                        "follow_ups".into(),
                        "What if the consumer crashes mid-message?".into(),
                    ),
                    (
                        "red_flags".into(),
                        prefilled("red_flags").unwrap_or_default(),
                    ),
                ],
            },
        )
    };
    // A form the pack's rules refuse keeps the suggestion waiting.
    let empty = refused(&f.engine, &approve(""));
    assert!(
        empty.user_message().contains("still waits"),
        "{:?}",
        empty.user_message()
    );
    let added = ok(&f.engine, &approve("Replays dead letters after a fix"));
    assert!(
        text(&added).contains("the question `queues-poison-messages`"),
        "{}",
        text(&added)
    );
    let answer = ok(
        &f.engine,
        &command_as(
            GUILD,
            &manager(1004),
            "answer",
            &[("id", "queues-poison-messages")],
        ),
    );
    assert!(
        text(&answer).contains("Message queues"),
        "{}",
        text(&answer)
    );
    // Approving it again does nothing.
    assert!(
        refused(&f.engine, &approve("x"))
            .user_message()
            .contains("decided already")
    );

    // Reject #2 with a reason.
    let review = ok(
        &f.engine,
        &command_as(GUILD, &manager(1004), "pack suggestions", &[]),
    );
    assert!(text(&review).contains("Suggestion #2"), "{}", text(&review));
    let (_, m) = review.first_reply().unwrap();
    let reject = &m
        .buttons
        .iter()
        .find(|b| b.label == "Reject…")
        .unwrap()
        .action;
    let form = ok(&f.engine, &button_as(GUILD, &manager(1004), reject));
    let Some(Effect::OpenModal(modal)) = form.effects.first() else {
        panic!("{form:?}");
    };
    let why = Request::member(
        GUILD,
        common::CHANNEL,
        manager(1004),
        Invocation::Modal {
            custom_id: modal.action.clone(),
            fields: vec![("reason".into(), "Too close to `backend-slow-query`.".into())],
        },
    );
    assert!(text(&ok(&f.engine, &why)).contains("#2 is rejected"));

    // The member sees each where it stands.
    let mine = text(&ok(
        &f.engine,
        &command_as(GUILD, &member(MEMBER), "suggest mine", &[]),
    ));
    assert!(
        mine.contains("approved") && mine.contains("queues-poison-messages"),
        "{mine}"
    );
    assert!(
        mine.contains("not taken") && mine.contains("Too close"),
        "{mine}"
    );
    assert!(mine.contains("waiting for review"), "{mine}");
    // A slot freed: a new suggestion is taken again.
    suggest(&f, GUILD, MEMBER, "Fourth idea, again?").unwrap();
    // The audit trail has the setting and both decisions.
    let audit = text(&ok(
        &f.engine,
        &command_as(GUILD, &manager(1004), "config audit", &[]),
    ));
    assert!(audit.contains("turned suggestions on"), "{audit}");
    assert!(
        audit.contains("approved suggestion #1") && audit.contains("rejected suggestion #2"),
        "{audit}"
    );
}

#[test]
fn nobody_decides_their_own_suggestion() {
    let f = fixture();
    allow_suggestions(&f);
    import_pack(&f, GUILD);
    // The manager suggests, then tries to approve it.
    suggest(&f, GUILD, 1004, "How do you size a connection pool?").unwrap();
    let review = ok(
        &f.engine,
        &command_as(GUILD, &manager(1004), "pack suggestions", &[]),
    );
    let (_, m) = review.first_reply().unwrap();
    let own = refused(
        &f.engine,
        &pick(1004, &m.selects[0].action, "backend-basics"),
    );
    assert!(
        own.user_message().contains("your own suggestion"),
        "{:?}",
        own.user_message()
    );
    // Another interviewer may.
    let form = ok(
        &f.engine,
        &pick(1005, &m.selects[0].action, "backend-basics"),
    );
    assert!(matches!(form.effects.first(), Some(Effect::OpenModal(_))));
}
