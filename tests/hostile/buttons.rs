//! Buttons, lists and modals: forged and replayed custom ids, another guild's ids, session notes.

use super::*;
use crate::interactions::{button_json, member_json, modal_json, permissions, select_json};
use interview_bot::model::{GuildId, RoleId, UserId};

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
            .write(|db| db.set_interviewer_role(GuildId(g), Some(RoleId(ROLE)), UserId(1), 0))
            .unwrap();
    }
    let interviewer = interviewer(41);
    let run = |req: Request| {
        let (o, _) = e.execute(&req, &mut Recorder::default());
        assert!(!o.is_error, "{o:?}");
        o
    };
    let cmd =
        |m: &Member, name: &str, opts: &[(&str, &str)]| command_as(OTHER_GUILD, m, name, opts);
    let scored = run(cmd(
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
    // The session's evidence panel: its lists and rating buttons.
    let panel = run(Request::member(
        OTHER_GUILD,
        common::CHANNEL,
        interviewer.clone(),
        interview_bot::engine::Invocation::Button {
            custom_id: "s:answer:2:0".into(),
            message: None,
        },
    ));
    for o in [&scored, &start, &forget, &team, &panel] {
        for effect in &o.effects {
            if let Some(m) = effect.message() {
                ids.extend(m.buttons.iter().map(|b| b.action.clone()));
                ids.extend(m.selects.iter().map(|s| s.action.clone()));
            }
        }
    }
    assert!(ids.iter().any(|i| i.starts_with("s:rate")), "{ids:?}");
    assert!(ids.iter().any(|i| i.starts_with("ev:cov")), "{ids:?}");
    assert!(ids.iter().any(|i| i.starts_with("ev:red")), "{ids:?}");
    assert!(ids.iter().any(|i| i.starts_with("sc:forget")), "{ids:?}");
    // Handles of the other guild: long ids stored for it.
    let handles: Vec<String> = ids
        .iter()
        .map(|id| {
            let long = format!("{id}:{}", "0".repeat(120));
            e.action_id(GuildId(OTHER_GUILD), long).unwrap()
        })
        .chain(std::iter::once(
            e.action_id(
                GuildId(OTHER_GUILD),
                format!("q:answer:{}", "a".repeat(120)),
            )
            .unwrap(),
        ))
        .collect();
    assert!(handles.iter().all(|h| h.starts_with("h:")), "{handles:?}");
    OtherGuild { ids, handles }
}

/// What the other guild holds, to check nothing changed.
fn other_guild_state(e: &Engine) -> String {
    let req = command_as(
        OTHER_GUILD,
        &admin(42),
        "scores candidate",
        &[("candidate", SECRET)],
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
    let interviewer = interviewer(51);
    let mut runner = proptest::test_runner::TestRunner::new(config(256));
    let strategy = (
        forged_id(&other),
        0..3u8,
        prop::collection::vec(("[a-z]{1,8}", hostile_text()), 0..3),
        permissions(),
        prop::collection::vec(
            prop_oneof![3 => "[lbr][0-9]{1,2}", 1 => hostile_text()],
            0..6,
        ),
    );
    runner
        .run(&strategy, |(id, kind, fields, perms, values)| {
            let modal = kind == 1;
            let member = if perms == 0 {
                interviewer.clone()
            } else {
                Member {
                    permissions: Permissions(perms),
                    ..interviewer.clone()
                }
            };
            let roles: Vec<u64> = member.roles.iter().map(|r| r.get()).collect();
            let member_value = member_json(member.user_id.get(), member.permissions.0, &roles);
            let payload = match kind {
                1 => modal_json(Some(GUILD), member_value, &id, &fields),
                2 => select_json(Some(GUILD), member_value, &id, &values),
                _ => button_json(Some(GUILD), member_value, &id),
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
            prop_assert_eq!(req.guild_id, GuildId(GUILD));
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
        let req = button_as(GUILD, &manager, id);
        let (o, _) = f.engine.execute(&req, &mut Recorder::default());
        assert!(o.is_error, "{id}: {o:?}");
        let text = outcome_text(&o);
        assert!(text.contains("removed from the bank"), "{id}: {text}");
    }
    let long = format!("q:answer:aws-s3-basics{}", " ".repeat(100));
    let req = button_as(GUILD, &manager, &long);
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
    let confirm = |id: &str| run(&button_as(OTHER_GUILD, &admin(42), id));
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

/// Notes typed into a session's Notes modal, of any text and length: kept exactly (and
/// shown escaped) or refused clearly, never a panic; the session goes on.
#[test]
fn session_notes_of_any_text_are_kept_exactly_or_refused_clearly() {
    let f = with_interviewers();
    let e = &f.engine;
    let interviewer = interviewer(61);
    let start = command_as(
        GUILD,
        &interviewer,
        "interview start",
        &[("candidate", "Nora"), ("level", "junior")],
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
        &button_as(GUILD, &interviewer, &notes_button),
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
    let f = with_interviewers();
    let e = &f.engine;
    let starter = interviewer(71);
    let other = Member {
        roles: vec![RoleId(ROLE)],
        permissions: Permissions(0),
        ..admin(72)
    };
    let start = command_as(
        GUILD,
        &starter,
        "interview start",
        &[
            ("candidate", "Rhea"),
            ("level", "junior"),
            ("questions", "3"),
        ],
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
    let press = |m: &Member, id: &str| common::run(e, &button_as(GUILD, m, id));
    for _ in 0..2 {
        let o = press(&other, &rate);
        assert!(!o.is_error, "{}", outcome_text(&o));
    }
    let scores = e
        .store()
        .read(|db| db.guild_scores(GuildId(GUILD)))
        .unwrap();
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

/// Issue 19, finding 7: a forged `sc:team:0:` pressed on a public question card turned the
/// card into the team's scorecard summary for everyone. A team page turns only a team page
/// (the bot's private reply); pressed on anything else it is answered privately.
#[test]
fn a_forged_team_page_button_on_a_public_card_answers_privately() {
    use interview_bot::engine::{Button, ButtonStyle};
    let f = with_interviewers();
    let boss = interviewer(9);
    // A candidate scored, so the summary holds something to leak.
    let scored = command_as(
        GUILD,
        &boss,
        "score",
        &[
            ("candidate", SECRET),
            ("question", &f.engine.bank().all()[0].id),
            ("rating", "3"),
        ],
    );
    let (o, _) = f.engine.execute(&scored, &mut Recorder::default());
    assert!(!o.is_error, "{}", outcome_text(&o));
    let card = command_as(GUILD, &boss, "question", &[("level", "junior")]);
    let (o, _) = f.engine.execute(&card, &mut Recorder::default());
    let (visibility, card) = o.first_reply().unwrap();
    assert_eq!(visibility, Visibility::Public);
    let pressed = |buttons: Vec<Button>| press_on(&f, &boss, "sc:team:0:", buttons);
    for buttons in [card.buttons.clone(), vec![]] {
        let o = pressed(buttons);
        assert!(!o.is_error, "{}", outcome_text(&o));
        assert!(!updates(&o), "the public card was rewritten: {o:?}");
        let (visibility, page) = o.first_reply().expect("a private answer");
        assert_eq!(visibility, Visibility::Private);
        assert!(message_text(page).contains("Team scorecards"));
    }
    // On a team page, the page turns as before.
    let team_button = |action: &str| Button {
        label: "Older ▶".into(),
        action: action.into(),
        style: ButtonStyle::Secondary,
        disabled: false,
    };
    let o = pressed(vec![team_button("sc:team:1:"), team_button("sc:team:0:")]);
    assert!(updates(&o), "{o:?}");
}

/// The same check for a session's rating buttons and Skip: pressed on a public card of
/// another kind (forged ids), they still record the rating or skip, but answer privately and
/// move the session's own message on by an edit, leaving the card alone; pressed on the
/// session's message they update it, as before.
#[test]
fn forged_session_buttons_on_a_public_card_answer_privately() {
    use interview_bot::engine::{Button, ButtonStyle, MessageRef};
    use interview_bot::model::SessionId;
    let f = with_interviewers();
    let boss = interviewer(9);
    let rate = session_started_by(&f, &boss)
        .into_iter()
        .find(|b| b.action.starts_with("s:rate:"))
        .expect("the session's rating buttons")
        .action;
    let session: i64 = rate.split(':').nth(2).unwrap().parse().unwrap();
    let session_message = f
        .engine
        .store()
        .read(|db| db.session(GuildId(GUILD), SessionId(session)))
        .unwrap()
        .unwrap()
        .message_id
        .expect("the session's message was recorded");
    let id = |kind: &str, index: usize, rest: &str| format!("s:{kind}:{session}:{index}{rest}");
    let edits_session = |o: &Outcome| {
        o.effects.iter().any(|e| {
            matches!(e, Effect::Edit { target: MessageRef::Existing { message_id, .. }, .. }
                if *message_id == session_message)
        })
    };
    let card = command_as(GUILD, &boss, "question", &[("level", "junior")]);
    let (o, _) = f.engine.execute(&card, &mut Recorder::default());
    let (visibility, card) = o.first_reply().unwrap();
    assert_eq!(visibility, Visibility::Public);
    let private_only = |o: &Outcome| {
        assert!(!o.is_error, "{}", outcome_text(o));
        assert!(!updates(o), "the public card was rewritten: {o:?}");
        assert_eq!(o.first_reply().unwrap().0, Visibility::Private);
    };
    // The starter rates question 1 on the card: recorded, the session moves on by an edit.
    let o = press_on(&f, &boss, &id("rate", 0, ":3"), card.buttons.clone());
    private_only(&o);
    assert!(
        outcome_text(&o).contains("Recorded **3 Yes**"),
        "{}",
        outcome_text(&o)
    );
    assert!(edits_session(&o), "{o:?}");
    // Rated again with no buttons around it: recorded, nothing rewritten.
    let o = press_on(&f, &boss, &id("rate", 0, ":4"), vec![]);
    private_only(&o);
    // Skip of question 2 on the card.
    let o = press_on(&f, &boss, &id("skip", 1, ""), card.buttons.clone());
    private_only(&o);
    assert!(edits_session(&o), "{o:?}");
    // On the session's own message (at question 3), Skip updates it, as before.
    let own: Vec<Button> = ["rate", "notes", "skip"]
        .iter()
        .map(|kind| Button {
            label: kind.to_string(),
            action: id(kind, 2, if *kind == "rate" { ":2" } else { "" }),
            style: ButtonStyle::Secondary,
            disabled: false,
        })
        .collect();
    let o = press_on(&f, &boss, &id("skip", 2, ""), own);
    assert!(!o.is_error, "{}", outcome_text(&o));
    assert!(updates(&o), "{o:?}");
    assert!(!edits_session(&o), "{o:?}");
}

/// And for a question card's "Another question": pressed on a public message of another kind
/// (a session's, with a forged id) it posts the next question as the command would but leaves
/// that message alone; on its own card it disables itself there, as before.
#[test]
fn a_forged_another_question_button_on_a_session_message_leaves_it_alone() {
    let f = with_interviewers();
    let boss = interviewer(9);
    let session_buttons = session_started_by(&f, &boss);
    assert!(!session_buttons.is_empty());
    let card = command_as(GUILD, &boss, "question", &[("level", "junior")]);
    let (o, _) = f.engine.execute(&card, &mut Recorder::default());
    let next = next_of_buttons(&o.first_reply().unwrap().1.buttons);
    for (press, buttons) in [session_buttons.clone(), vec![]].into_iter().enumerate() {
        f.clock.advance(60_000);
        let o = press_on(&f, &boss, &next, buttons);
        assert!(!updates(&o), "the session's message was rewritten: {o:?}");
        if press == 0 {
            // The next question, posted as the command posts it.
            assert!(!o.is_error, "{}", outcome_text(&o));
            let (visibility, posted) = o.first_reply().unwrap();
            assert_eq!(visibility, Visibility::Public);
            assert!(
                posted
                    .buttons
                    .iter()
                    .any(|b| b.action.starts_with("q:next:"))
            );
        } else {
            // The card's one next question is used up, wherever it was pressed.
            assert!(o.is_error, "{o:?}");
        }
    }
    // On its own card, the button disables itself there.
    f.clock.advance(60_000);
    let (o, _) = f.engine.execute(&card, &mut Recorder::default());
    let buttons = o.first_reply().unwrap().1.buttons.clone();
    let o = press_on(&f, &boss, &next_of_buttons(&buttons), buttons);
    assert!(!o.is_error, "{}", outcome_text(&o));
    assert!(updates(&o), "{o:?}");
}

/// `/interview start` for Quinn (junior) by `who`: the buttons the session posted.
fn session_started_by(f: &Fixture, who: &Member) -> Vec<interview_bot::engine::Button> {
    let start = command_as(
        GUILD,
        who,
        "interview start",
        &[("candidate", "Quinn"), ("level", "junior")],
    );
    let (o, _) = f.engine.execute(&start, &mut Recorder::default());
    assert!(!o.is_error, "{}", outcome_text(&o));
    o.effects
        .iter()
        .filter_map(Effect::message)
        .flat_map(|m| m.buttons.iter().cloned())
        .collect()
}

fn next_of_buttons(buttons: &[interview_bot::engine::Button]) -> String {
    buttons
        .iter()
        .find(|b| b.action.starts_with("q:next:"))
        .unwrap()
        .action
        .clone()
}

/// Issue 19, finding 7, for the forget confirmation: `sc:keep` and `sc:forget` pressed on a
/// public card (forged ids) answer privately and leave the card alone; pressed on their own
/// confirmation they replace it, as before.
#[test]
fn forged_forget_buttons_on_a_public_card_answer_privately() {
    use interview_bot::engine::Button;
    let f = with_interviewers();
    let boss = admin(9);
    let card = command_as(GUILD, &boss, "question", &[("level", "junior")]);
    let (o, _) = f.engine.execute(&card, &mut Recorder::default());
    let (visibility, card) = o.first_reply().unwrap();
    assert_eq!(visibility, Visibility::Public);
    let pressed = |id: &str, buttons: Vec<Button>| press_on(&f, &boss, id, buttons);
    // Cancel: on the public card, private; on its confirmation, in place.
    let o = pressed("sc:keep:5", card.buttons.clone());
    assert!(!updates(&o), "the public card was rewritten: {o:?}");
    assert_eq!(o.first_reply().unwrap().0, Visibility::Private);
    // A real confirmation, then its Delete button pressed on the public card.
    let scored = command_as(
        GUILD,
        &boss,
        "score",
        &[
            ("candidate", "Quinn"),
            ("question", &f.engine.bank().all()[0].id),
            ("rating", "2"),
        ],
    );
    let (o, _) = f.engine.execute(&scored, &mut Recorder::default());
    assert!(!o.is_error, "{}", outcome_text(&o));
    let ask = command_as(GUILD, &boss, "scores forget", &[("candidate", "Quinn")]);
    let (o, _) = f.engine.execute(&ask, &mut Recorder::default());
    let confirmation = o.first_reply().unwrap().1.buttons.clone();
    let delete = confirmation[0].action.clone();
    assert!(delete.starts_with("sc:forget:"), "{delete}");
    let o = pressed(&delete, card.buttons.clone());
    assert!(!o.is_error, "{}", outcome_text(&o));
    assert!(!updates(&o), "the public card was rewritten: {o:?}");
    assert_eq!(o.first_reply().unwrap().0, Visibility::Private);
    assert!(message_text(o.first_reply().unwrap().1).contains("Deleted"));
    // On its own confirmation, the answer replaces it.
    let cancel = confirmation[1].action.clone();
    assert!(cancel.starts_with("sc:keep:"), "{cancel}");
    let o = pressed(&cancel, confirmation);
    assert!(updates(&o), "{o:?}");
}

/// `id` pressed by `member` on a message (9001) holding `buttons`.
fn press_on(
    f: &Fixture,
    member: &Member,
    id: &str,
    buttons: Vec<interview_bot::engine::Button>,
) -> Outcome {
    let req = Request::member(
        GUILD,
        CHANNEL,
        member.clone(),
        Invocation::Button {
            custom_id: id.into(),
            message: Some(interview_bot::engine::SourceMessage {
                id: 9_001.into(),
                buttons,
                selects: Vec::new(),
            }),
        },
    );
    f.engine.execute(&req, &mut Recorder::default()).0
}

/// Whether an outcome rewrites the message its button sits on.
fn updates(o: &Outcome) -> bool {
    o.effects
        .iter()
        .any(|e| matches!(e, Effect::Update(_) | Effect::UpdateButtons(_)))
}
