//! Every engine command against a real temporary SQLite file: what a user sees and what the
//! database holds.

mod common;

use std::collections::HashSet;

use common::{CHANNEL, GUILD, Handle, Reply, USER, command, press, shown_question};
use interview_bot::bank::Level;
use interview_bot::engine::{
    AutocompleteRequest, Engine, Error, Invocation, RawOption, RawValue, Request, Visibility,
    limits,
};
use interview_bot::model::{ChannelId, GuildId, MessageId, RubricAccess, UserId};
use rusqlite::Connection;

/// A fixture whose guilds open rubrics to everyone: these tests are about questions, not who
/// may see rubrics (interviewers only by default; `tests/scores.rs` covers that rule).
fn fixture() -> common::Fixture {
    let f = common::fixture();
    for guild in [GUILD, GUILD + 1] {
        f.engine
            .store()
            .write(|db| {
                db.set_rubric_access(
                    GuildId(guild),
                    None,
                    RubricAccess::Everyone,
                    UserId(USER),
                    0,
                )
            })
            .unwrap();
    }
    f
}

fn ask(engine: &Engine, guild: u64, opts: &[(&str, &str)]) -> Reply {
    let reply = engine.handle(&command(guild, "question", opts));
    assert!(!reply.is_error, "{reply:?}");
    reply
}

#[test]
fn question_posts_publicly_with_level_topic_id_and_buttons() {
    let f = fixture();
    for level in Level::ALL {
        let reply = ask(&f.engine, GUILD, &[("level", level.as_str())]);
        assert_eq!(reply.visibility, Visibility::Public);
        let id = shown_question(&reply.buttons);
        let q = f.engine.bank().get(&id).expect("a real question");
        assert_eq!(q.level, level);
        let card = &reply.cards[0];
        assert_eq!(card.description.as_deref(), Some(q.prompt.as_str()));
        // Level and topic in the title, the level's colour, the id once, no repeating fields.
        assert_eq!(
            card.title.as_deref(),
            Some(
                format!(
                    "{} · {}",
                    level.title(),
                    f.engine.bank().topic_name(&q.topic)
                )
                .as_str()
            )
        );
        assert_eq!(
            card.colour,
            Some(interview_bot::engine::cards::level_colour(level))
        );
        assert!(card.fields.is_empty());
        let shown = format!("{:?}{:?}", reply.cards, reply.buttons);
        assert_eq!(
            shown.matches(&q.id).count(),
            2,
            "the id once in the footer, once on the rubric button"
        );
        // The public message never carries the rubric.
        let all_text = format!("{reply:?}");
        assert!(!all_text.contains(&q.red_flags[0]));
        let labels: Vec<&str> = reply.buttons.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["🔒 Model answer (only you)", "Another question"]);
        assert!(limits::check_outcome(&reply.outcome).is_empty());
    }
    // Each question shown is in the history, with guild, channel and user.
    let conn = Connection::open(&f.db_path).unwrap();
    let rows: Vec<(i64, i64, i64, String)> = conn
        .prepare("SELECT guild_id, channel_id, shown_by, source FROM question_history")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|r| *r == (GUILD as i64, CHANNEL as i64, USER as i64, "command".into()))
    );
}

#[test]
fn topic_filter_is_respected_and_case_insensitive() {
    let f = fixture();
    for _ in 0..5 {
        let reply = ask(
            &f.engine,
            GUILD,
            &[("level", "mid"), ("topic", "Networking")],
        );
        let q = f
            .engine
            .bank()
            .get(&shown_question(&reply.buttons))
            .unwrap();
        assert_eq!((q.level, q.topic.as_str()), (Level::Mid, "networking"));
    }
}

#[test]
fn no_repeats_until_the_pool_is_exhausted_then_a_new_cycle() {
    let f = fixture();
    let pool: HashSet<String> = f
        .engine
        .bank()
        .filter(Some(Level::Senior), None)
        .map(|q| q.id.clone())
        .collect();
    let mut seen = HashSet::new();
    let mut last = String::new();
    for _ in 0..pool.len() {
        f.clock.advance(1000);
        let id = shown_question(&ask(&f.engine, GUILD, &[("level", "senior")]).buttons);
        assert!(seen.insert(id.clone()), "{id} repeated within a cycle");
        last = id;
    }
    assert_eq!(seen, pool);
    // Second cycle: starts again, never with the question just shown, and again no repeats.
    let mut second = HashSet::new();
    for i in 0..pool.len() {
        f.clock.advance(1000);
        let id = shown_question(&ask(&f.engine, GUILD, &[("level", "senior")]).buttons);
        if i == 0 {
            assert_ne!(id, last);
        }
        assert!(
            second.insert(id.clone()),
            "{id} repeated in the second cycle"
        );
    }
    // Another guild has its own history: its first question may be any of the pool.
    let other = shown_question(&ask(&f.engine, GUILD + 1, &[("level", "senior")]).buttons);
    assert!(pool.contains(&other));
    let conn = Connection::open(&f.db_path).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM question_history WHERE guild_id = ?1",
            [GUILD as i64],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n as usize, 2 * pool.len());
}

#[test]
fn model_answer_button_is_private_and_shows_the_rubric() {
    let f = fixture();
    let reply = ask(&f.engine, GUILD, &[("level", "junior")]);
    let id = shown_question(&reply.buttons);
    let answer = f.engine.handle(&press(GUILD, &reply.buttons[0].action));
    assert_eq!(answer.visibility, Visibility::Private);
    let q = f.engine.bank().get(&id).unwrap();
    // One scannable description: the question quoted, then each part under a heading; the
    // detail and facts, if any, in a second card.
    let more = q.detail.is_some() || !q.facts.is_empty();
    assert_eq!(answer.cards.len(), if more { 2 } else { 1 });
    assert!(answer.cards[0].fields.is_empty());
    let text = answer.cards[0].description.clone().unwrap();
    assert!(text.starts_with(&format!("> {}", q.prompt.lines().next().unwrap())));
    let plain = text.replace("**", "");
    for item in q
        .look_fors
        .iter()
        .chain(&q.bonus)
        .chain(&q.red_flags)
        .chain(&q.follow_ups)
    {
        assert!(plain.contains(item.as_str()), "rubric misses: {item}");
    }
    let bar = if q.pass == q.look_fors.len() {
        format!("**Yes at this level: all {} of these**", q.pass)
    } else {
        format!(
            "**Yes at this level: {} of these {}**",
            q.pass,
            q.look_fors.len()
        )
    };
    for heading in [
        bar.as_str(),
        "**A strong yes adds**",
        "**Red flags**",
        "**Follow-up probes**",
    ] {
        assert!(text.contains(heading), "{heading}");
    }
    // The bar comes before the depth points, and the look-fors are numbered.
    assert!(text.find("Yes at this level").unwrap() < text.find("A strong yes adds").unwrap());
    assert!(plain.contains(&format!("1. {}", q.look_fors[0])));
    // How to tick follows the numbered look-fors, before the depth points.
    let rule = text
        .find(interview_bot::engine::rubric::TICK_RULE)
        .expect("the tick rule is on the rubric");
    assert!(text.find(&format!("{}. ", q.look_fors.len())).unwrap() < rule);
    assert!(rule < text.find("A strong yes adds").unwrap());
    assert!(
        answer
            .cards
            .last()
            .unwrap()
            .footer
            .as_deref()
            .unwrap()
            .starts_with(&q.id)
    );
}

#[test]
fn another_question_button_keeps_the_filters() {
    let f = fixture();
    let reply = ask(&f.engine, GUILD, &[("level", "senior"), ("topic", "cost")]);
    let next = f.engine.handle(&press(GUILD, &reply.buttons[1].action));
    assert_eq!(next.visibility, Visibility::Public);
    let q = f.engine.bank().get(&shown_question(&next.buttons)).unwrap();
    assert_eq!((q.level, q.topic.as_str()), (Level::Senior, "cost"));
    assert_ne!(
        shown_question(&next.buttons),
        shown_question(&reply.buttons)
    );
}

#[test]
fn answer_is_private_unless_public_is_asked_for() {
    let f = fixture();
    let private = f
        .engine
        .handle(&command(GUILD, "answer", &[("id", "aws-s3-basics")]));
    assert_eq!(private.visibility, Visibility::Private);
    assert!(
        private
            .cards
            .last()
            .unwrap()
            .footer
            .as_deref()
            .unwrap()
            .starts_with("aws-s3-basics")
    );
    let public = f.engine.handle(&command(
        GUILD,
        "answer",
        &[("id", "aws-s3-basics"), ("public", "true")],
    ));
    assert_eq!(public.visibility, Visibility::Public);
    // Discord sends booleans typed.
    let typed = Request {
        invocation: Invocation::Command {
            name: "answer".into(),
            options: vec![
                RawOption::text("id", "aws-s3-basics"),
                RawOption {
                    name: "public".into(),
                    value: RawValue::Bool(false),
                },
            ],
        },
        ..command(GUILD, "answer", &[])
    };
    assert_eq!(f.engine.handle(&typed).visibility, Visibility::Private);
}

fn error_text(engine: &Engine, req: &Request) -> String {
    let reply = engine.handle(req);
    assert!(reply.is_error, "{reply:?}");
    assert_eq!(reply.visibility, Visibility::Private);
    assert!(
        limits::check_outcome(&reply.outcome).is_empty(),
        "{reply:?}"
    );
    reply.content.unwrap()
}

#[test]
fn every_error_is_private_and_clear() {
    let f = fixture();
    let e = &f.engine;
    let msg = error_text(e, &command(GUILD, "answer", &[("id", "aws-s3-basic")]));
    assert!(
        msg.contains("No question has the id `aws-s3-basic`") && msg.contains("`aws-s3-basics`"),
        "{msg}"
    );
    let msg = error_text(e, &command(GUILD, "question", &[("level", "expert")]));
    assert!(msg.contains("junior, mid, senior"), "{msg}");
    let msg = error_text(
        e,
        &command(GUILD, "question", &[("level", "mid"), ("topic", "quantum")]),
    );
    assert!(
        msg.contains("No topic called `quantum`") && msg.contains("networking"),
        "{msg}"
    );
    let msg = error_text(e, &command(GUILD, "question", &[]));
    assert!(
        msg.contains("needs the option `level`") && msg.contains("/question level:"),
        "{msg}"
    );
    let msg = error_text(
        e,
        &command(GUILD, "question", &[("level", "mid"), ("colour", "red")]),
    );
    assert!(
        msg.contains("has no option `colour`") && msg.contains("`topic`"),
        "{msg}"
    );
    let msg = error_text(
        e,
        &command(GUILD, "question", &[("level", "mid"), ("level", "senior")]),
    );
    assert!(msg.contains("twice"), "{msg}");
    let msg = error_text(
        e,
        &command(
            GUILD,
            "answer",
            &[("id", "aws-s3-basics"), ("public", "maybe")],
        ),
    );
    assert!(msg.contains("true or false"), "{msg}");
    let msg = error_text(e, &command(GUILD, "frobnicate", &[]));
    assert!(msg.contains("/question") && msg.contains("/help"), "{msg}");
    let msg = error_text(e, &press(GUILD, "q:answer:no-such-question"));
    assert!(msg.contains("removed from the bank or renamed"), "{msg}");
    let msg = error_text(e, &press(GUILD, "old:format"));
    assert!(msg.contains("no longer works"), "{msg}");
    // The typed error is available to callers that need it.
    assert!(matches!(
        e.dispatch(&command(GUILD, "answer", &[("id", "x")])),
        Err(Error::UnknownQuestion { .. })
    ));
}

#[test]
fn hostile_input_is_defused_and_bounded() {
    let f = fixture();
    let hostile = format!("@everyone **bold** <@123> `code` {}", "A".repeat(10_000));
    for req in [
        command(GUILD, "answer", &[("id", &hostile)]),
        command(GUILD, "question", &[("level", "mid"), ("topic", &hostile)]),
        command(GUILD, "question", &[("level", &hostile)]),
        command(GUILD, &hostile, &[]),
        command(GUILD, "question", &[(hostile.as_str(), "x")]),
        press(GUILD, &hostile),
    ] {
        let msg = error_text(&f.engine, &req);
        assert!(!msg.contains("@everyone"), "{msg}");
        assert!(!msg.contains("<@123>"), "{msg}");
        assert!(msg.chars().count() < 600, "{} chars", msg.chars().count());
    }
}

#[test]
fn help_lists_every_command() {
    let f = fixture();
    let unknown = f
        .engine
        .handle(&command(GUILD, "help", &[("command", "dialy")]));
    assert!(unknown.is_error);
    assert!(
        unknown
            .content
            .as_deref()
            .is_some_and(|t| t.contains("no command /dialy. Did you mean /daily")),
        "{unknown:?}"
    );
    let reply = f.engine.handle(&command(GUILD, "help", &[]));
    assert_eq!(reply.visibility, Visibility::Private);
    let text = format!("{:?}", reply.cards);
    for spec in interview_bot::features::REGISTRY.commands() {
        // Options in full are one `/help command:` away (tested below).
        assert!(text.contains(&format!("/{}", spec.name)));
    }
}

#[test]
fn autocomplete_suggests_topics_and_ids_best_first() {
    let f = fixture();
    let ac = |command: &str, option: &str, partial: &str| {
        let c = f.engine.autocomplete(&AutocompleteRequest {
            guild_id: GuildId(GUILD),
            channel_id: ChannelId(CHANNEL),
            command: command.into(),
            option: option.into(),
            partial: partial.into(),
            options: vec![],
            member: None,
        });
        assert!(limits::check_choices(&c).is_empty());
        c
    };
    let topics = ac("question", "topic", "net");
    assert_eq!(topics[0].value, "networking");
    assert_eq!(
        ac("question", "topic", "").len(),
        f.engine.bank().topics().count()
    );
    let ids = ac("answer", "id", "aws-s3");
    assert!(ids[0].value.starts_with("aws-s3"), "{ids:?}");
    let by_words = ac("answer", "id", "security group");
    assert!(
        by_words.iter().any(|c| c.value == "aws-sg-vs-nacl"),
        "{by_words:?}"
    );
    assert!(ac("answer", "id", "").len() <= 25);
    assert!(ac("answer", "id", &"z".repeat(5000)).is_empty());
    assert!(ac("question", "level", "j").is_empty());
    // `/help command:` offers the registry's commands, so a new command is offered with no
    // list to update.
    let commands: Vec<String> = interview_bot::features::REGISTRY
        .commands()
        .map(|c| c.name.to_string())
        .collect();
    let offered: Vec<String> = ac("help", "command", "")
        .into_iter()
        .map(|c| c.value)
        .collect();
    assert_eq!(offered, commands);
    let sc: Vec<String> = ac("help", "command", "/sc")
        .into_iter()
        .map(|c| c.value)
        .collect();
    assert_eq!(sc, ["score", "scores"]);
    assert!(ac("nope", "id", "a").is_empty());
}

#[test]
fn every_question_and_rubric_fits_discord_limits() {
    let f = fixture();
    for q in f.engine.bank().all() {
        let reply = f.engine.handle(&command(GUILD, "answer", &[("id", &q.id)]));
        assert!(!reply.is_error);
        assert_eq!(
            limits::check_outcome(&reply.outcome),
            Vec::<String>::new(),
            "{}",
            q.id
        );
        // The whole rubric in one description, within Discord's 4096 characters; the detail
        // and facts, if any, in one more card.
        let more = q.detail.is_some() || !q.facts.is_empty();
        assert_eq!(reply.cards.len(), if more { 2 } else { 1 }, "{}", q.id);
        for card in &reply.cards {
            let text = card.description.as_ref().unwrap();
            assert!(text.chars().count() <= 4096, "{}", q.id);
            assert!(!text.ends_with('…'), "{}: cut short", q.id);
        }
    }
}

/// Buttons posted by the first release carry these exact ids; they must keep working.
#[test]
fn buttons_posted_by_the_first_release_still_work() {
    let f = fixture();
    let answer = f.engine.handle(&press(GUILD, "q:answer:aws-s3-basics"));
    assert!(!answer.is_error, "{answer:?}");
    assert_eq!(answer.visibility, Visibility::Private);
    assert!(format!("{:?}", answer.cards).contains("Red flags"));
    for (id, level, topic) in [
        ("q:next:senior:", Level::Senior, None),
        ("q:next:mid:networking", Level::Mid, Some("networking")),
        ("q:next:junior:storage", Level::Junior, Some("storage")),
    ] {
        // Past the channel's cooldown between two "Another question" presses.
        f.clock.advance(5_000);
        let next = f.engine.handle(&press(GUILD, id));
        assert!(!next.is_error, "{id}: {next:?}");
        assert_eq!(next.visibility, Visibility::Public);
        let q = f.engine.bank().get(&shown_question(&next.buttons)).unwrap();
        assert_eq!(q.level, level, "{id}");
        if let Some(t) = topic {
            assert_eq!(q.topic, t, "{id}");
        }
        // The new card's buttons use the same format, so they too survive upgrades.
        assert_eq!(next.buttons[0].action, format!("q:answer:{}", q.id));
        // "Another question" keeps the format, plus the claim that makes it work once per card.
        let again = &next.buttons[1].action;
        assert!(
            again.starts_with(id)
                && again[id.len()..]
                    .trim_start_matches(':')
                    .parse::<i64>()
                    .is_ok(),
            "{again}"
        );
    }
}

#[test]
fn a_question_is_confirmed_after_delivery_and_released_when_delivery_fails() {
    use interview_bot::engine::{Deliver, Delivered, Effect};
    struct Refusing;
    impl Deliver for Refusing {
        fn deliver(&mut self, _: &Effect, _: &[Delivered]) -> Delivered {
            Delivered::Failed("403 Missing Access".into())
        }
    }
    let f = fixture();
    let req = command(GUILD, "question", &[("level", "mid")]);
    let (outcome, _) = f.engine.execute(&req, &mut Refusing);
    assert!(!outcome.is_error);
    let history = f
        .engine
        .store()
        .read(|db| db.history(GuildId(GUILD)))
        .unwrap();
    assert!(
        history.is_empty(),
        "an undelivered question is not history: {history:?}"
    );
    ask(&f.engine, GUILD, &[("level", "mid")]);
    let history = f
        .engine
        .store()
        .read(|db| db.history(GuildId(GUILD)))
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].1, "shown");
    assert_eq!(
        history[0].2,
        Some(9_001),
        "the delivered message id is kept"
    );
    // Between pick and delivery the question is claimed (pending), so a second request
    // at the same moment gets another one.
    let first = f.engine.run(&req);
    let second = f.engine.run(&req);
    let id = |o: &interview_bot::engine::Outcome| {
        let (_, m) = o.first_reply().unwrap();
        m.cards[0].footer.clone().unwrap()
    };
    assert_ne!(id(&first), id(&second));
    let pending = f
        .engine
        .store()
        .read(|db| db.history(GuildId(GUILD)))
        .unwrap();
    assert_eq!(pending.iter().filter(|r| r.1 == "pending").count(), 2);
}

#[test]
fn concurrent_questions_in_one_guild_never_repeat_within_a_cycle() {
    let f = fixture();
    let pool = f.engine.bank().filter(Some(Level::Junior), None).count();
    let ids = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..pool / 4 {
                    let reply =
                        f.engine
                            .handle(&command(GUILD, "question", &[("level", "junior")]));
                    assert!(!reply.is_error, "{reply:?}");
                    ids.lock().unwrap().push(shown_question(&reply.buttons));
                }
            });
        }
    });
    let ids = ids.into_inner().unwrap();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "a question was handed out twice: {ids:?}"
    );
}

#[test]
fn seeded_engines_pick_the_same_questions() {
    let picks = |seed| {
        let f = fixture();
        let engine = f.engine.clone().with_seed(seed);
        (0..5)
            .map(|_| {
                shown_question(
                    &engine
                        .handle(&command(GUILD, "question", &[("level", "senior")]))
                        .buttons,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(picks(7), picks(7));
}

#[test]
fn long_action_ids_become_handles_that_only_work_in_their_guild() {
    let f = fixture();
    let long = format!("q:answer:{}", "x".repeat(120));
    let id = f.engine.action_id(GuildId(GUILD), long.clone()).unwrap();
    assert!(
        id.len() <= interview_bot::engine::MAX_ACTION_LEN && id.starts_with("h:"),
        "{id}"
    );
    // The same action gets the same handle.
    assert_eq!(f.engine.action_id(GuildId(GUILD), long).unwrap(), id);
    // A handle resolves to its action: here a question that is not in the bank.
    let reply = f.engine.handle(&press(GUILD, &id));
    assert!(reply.content.unwrap().contains("removed from the bank"));
    // The same handle pressed in another guild is not that guild's action.
    let other = f.engine.handle(&press(GUILD + 1, &id));
    assert!(other.content.unwrap().contains("no longer works"));
    let forged = f.engine.handle(&press(GUILD, "h:99999"));
    assert!(forged.content.unwrap().contains("no longer works"));
    // An id longer than Discord allows was never posted by us: refused, not looked up.
    let oversized = f.engine.handle(&press(GUILD, &"q:answer:x".repeat(20)));
    assert!(oversized.content.unwrap().contains("no longer works"));
    // A short id stays as it is.
    assert_eq!(
        f.engine
            .action_id(GuildId(GUILD), "q:answer:aws-s3-basics".into())
            .unwrap(),
        "q:answer:aws-s3-basics"
    );
}

#[test]
fn the_answer_visibility_is_known_before_any_work() {
    use interview_bot::engine::Ack;
    let f = fixture();
    let plan = |req: &Request| f.engine.plan(req);
    assert_eq!(
        plan(&command(GUILD, "question", &[("level", "mid")])),
        Ack::Reply(Visibility::Public)
    );
    assert_eq!(
        plan(&command(GUILD, "answer", &[("id", "x")])),
        Ack::Reply(Visibility::Private)
    );
    assert_eq!(
        plan(&command(
            GUILD,
            "answer",
            &[("id", "x"), ("public", "true")]
        )),
        Ack::Reply(Visibility::Public)
    );
    assert_eq!(
        plan(&command(GUILD, "nosuch", &[])),
        Ack::Reply(Visibility::Private)
    );
    assert_eq!(
        plan(&press(GUILD, "q:answer:x")),
        Ack::Reply(Visibility::Private)
    );
    // "Another question" first updates its card (disabling itself), then posts.
    assert_eq!(plan(&press(GUILD, "q:next:mid:")), Ack::Update);
    // And the outcome agrees with the plan.
    for req in [
        command(GUILD, "question", &[("level", "mid")]),
        command(
            GUILD,
            "answer",
            &[("id", "aws-s3-basics"), ("public", "yes")],
        ),
        press(GUILD, "q:answer:aws-s3-basics"),
    ] {
        let Ack::Reply(planned) = plan(&req) else {
            panic!()
        };
        assert_eq!(f.engine.handle(&req).visibility, planned, "{req:?}");
    }
}

#[test]
fn a_long_read_does_not_hold_up_writes() {
    let f = fixture();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|s| {
        let store = f.engine.store().clone();
        s.spawn(move || {
            store
                .read(|db| {
                    let before = db.history(GuildId(GUILD))?.len();
                    started_tx.send(()).unwrap();
                    // Hold the read transaction open until the write is done.
                    done_rx
                        .recv_timeout(std::time::Duration::from_secs(10))
                        .unwrap();
                    // A snapshot: the write that happened meanwhile is not visible.
                    assert_eq!(db.history(GuildId(GUILD))?.len(), before);
                    Ok::<_, interview_bot::store::StoreError>(())
                })
                .unwrap();
        });
        started_rx.recv().unwrap();
        let t = std::time::Instant::now();
        ask(&f.engine, GUILD, &[("level", "mid")]);
        assert!(
            t.elapsed() < std::time::Duration::from_secs(2),
            "the write waited for the read"
        );
        done_tx.send(()).unwrap();
    });
}

/// A press of "Another question" on a card Discord shows (the click carries the card's buttons).
fn press_on_card(reply: &Reply, button: usize) -> Request {
    use interview_bot::engine::SourceMessage;
    let mut req = press(GUILD, &reply.buttons[button].action);
    if let Invocation::Button { message, .. } = &mut req.invocation {
        *message = Some(SourceMessage {
            id: MessageId(77),
            buttons: reply.buttons.clone(),
            selects: Vec::new(),
        });
    }
    req
}

#[test]
fn another_question_disables_itself_once_per_card_and_respects_a_cooldown() {
    use interview_bot::engine::Effect;
    let f = fixture();
    let card = ask(&f.engine, GUILD, &[("level", "mid")]);
    f.clock.advance(10_000);
    let next = f.engine.handle(&press_on_card(&card, 1));
    assert!(!next.is_error, "{next:?}");
    let Effect::UpdateButtons(buttons) = &next.outcome.effects[0] else {
        panic!("{:?}", next.outcome.effects)
    };
    // The pressed button is disabled on its card; the rubric button stays usable.
    assert!(buttons[1].disabled && !buttons[0].disabled);
    assert_eq!(buttons[0].action, card.buttons[0].action);
    // The new question follows, public, and is the one recorded as shown.
    assert_eq!(next.visibility, Visibility::Public);
    let history = f
        .engine
        .store()
        .read(|db| db.history(GuildId(GUILD)))
        .unwrap();
    assert_eq!(history.len(), 2);
    assert!(history.iter().all(|r| r.1 == "shown"), "{history:?}");
    assert_eq!(history[1].0, shown_question(&next.buttons));
    // A second press of the same card (a click racing the update) is refused.
    f.clock.advance(10_000);
    let again = f.engine.handle(&press_on_card(&card, 1));
    assert!(again.is_error && again.visibility == Visibility::Private);
    assert!(
        again
            .content
            .unwrap()
            .contains("already gave its next question")
    );
    // The new card's button works, but the next card's not within the channel's cooldown.
    let third = f.engine.handle(&press_on_card(&next, 1));
    assert!(!third.is_error, "{third:?}");
    f.clock.advance(1_000);
    let too_soon = f.engine.handle(&press_on_card(&third, 1));
    assert!(too_soon.content.unwrap().contains("Try again in 2 seconds"));
    // The cooldown refusal did not use up that card: later it works.
    f.clock.advance(5_000);
    assert!(!f.engine.handle(&press_on_card(&third, 1)).is_error);
    // Four cards were posted; the refused presses claimed nothing.
    assert_eq!(
        f.engine
            .store()
            .read(|db| db.history(GuildId(GUILD)))
            .unwrap()
            .len(),
        4
    );
}

#[test]
fn cards_show_progress_and_say_when_a_pool_starts_over() {
    let f = fixture();
    // The smallest pool of a level and topic in the bank.
    let (level, topic, size) = Level::ALL
        .iter()
        .flat_map(|l| f.engine.bank().topics().map(move |t| (*l, t)))
        .map(|(l, t)| {
            (
                l,
                t.to_string(),
                f.engine.bank().filter(Some(l), Some(t)).count(),
            )
        })
        .filter(|(_, _, n)| *n >= 2)
        .min_by_key(|(_, _, n)| *n)
        .unwrap();
    let opts = [("level", level.as_str()), ("topic", topic.as_str())];
    for k in 1..=size {
        f.clock.advance(1000);
        let card = ask(&f.engine, GUILD, &opts);
        let footer = card.cards[0].footer.clone().unwrap();
        assert!(
            footer.ends_with(&format!("question {k} of {size} this round")),
            "{footer}"
        );
        assert_eq!(card.content, None);
    }
    f.clock.advance(1000);
    let over = ask(&f.engine, GUILD, &opts);
    let note = over.content.unwrap();
    assert!(
        note.contains("starting over") && note.contains(&f.engine.bank().topic_name(&topic)),
        "{note}"
    );
    assert!(
        over.cards[0]
            .footer
            .as_deref()
            .unwrap()
            .ends_with(&format!("question 1 of {size} this round"))
    );
}

#[test]
fn suggestions_are_level_aware_and_ids_match_by_prefix() {
    let f = fixture();
    let ac = |option: &str, partial: &str, options: Vec<RawOption>| {
        f.engine.autocomplete(&AutocompleteRequest {
            guild_id: GuildId(GUILD),
            channel_id: ChannelId(CHANNEL),
            command: if option == "id" { "answer" } else { "question" }.into(),
            option: option.into(),
            partial: partial.into(),
            options,
            member: None,
        })
    };
    let senior = ac("topic", "", vec![RawOption::text("level", "senior")]);
    for c in &senior {
        let n = f
            .engine
            .bank()
            .filter(Some(Level::Senior), Some(&c.value))
            .count();
        assert!(
            c.name.contains(&format!("({n} senior question")),
            "{}",
            c.name
        );
    }
    let ids = ac("id", "aws-s3", vec![]);
    assert!(!ids.is_empty());
    assert!(ids.iter().all(|c| c.value.starts_with("aws-s3")), "{ids:?}");
    // Suggestions lead with level and topic, then the question.
    let q = f.engine.bank().get(&ids[0].value).unwrap();
    assert!(ids[0].name.starts_with(q.level.title()), "{}", ids[0].name);
    // With nothing typed, what was last posted in this channel comes first.
    let shown = shown_question(&ask(&f.engine, GUILD, &[("level", "junior")]).buttons);
    f.clock.advance(1000);
    let latest = shown_question(&ask(&f.engine, GUILD, &[("level", "senior")]).buttons);
    let empty = ac("id", "", vec![]);
    assert_eq!(empty[0].value, latest);
    assert_eq!(empty[1].value, shown);
    // The unknown-topic error offers the close one.
    let msg = f.engine.handle(&command(
        GUILD,
        "question",
        &[("level", "mid"), ("topic", "netwroking")],
    ));
    assert!(msg.content.unwrap().contains("Did you mean `networking`?"));
}

#[test]
fn help_walks_through_a_session_and_mentions_commands_when_it_can() {
    use interview_bot::engine::Presentation;
    let f = fixture();
    let plain = format!("{:?}", f.engine.handle(&command(GUILD, "help", &[])).cards);
    assert!(plain.contains("1. Post a question") && plain.contains("3. Open the rubric"));
    assert!(plain.contains("`/question`") && plain.contains("interview-bot: how it works"));
    f.engine.set_presentation(Presentation {
        bot_name: Some("Quizzy".into()),
        command_ids: [("question".to_string(), 111), ("answer".to_string(), 222)].into(),
    });
    let reply = f.engine.handle(&command(GUILD, "help", &[]));
    let text = format!("{:?}", reply.cards);
    assert!(
        text.contains("</question:111>") && text.contains("</answer:222>"),
        "{text}"
    );
    assert!(text.contains("Quizzy: how it works"));
    assert_eq!(
        reply.cards[0].colour,
        Some(interview_bot::engine::BOT_COLOUR)
    );
}

#[test]
fn a_pool_of_one_says_so_instead_of_repeating_silently() {
    let pack = r#"
[[question]]
id = "only-one"
level = "mid"
topic = "networking"
prompt = "The only question?"
answer = ["A point."]
bonus = ["A deeper point."]
red_flags = ["A flag."]
follow_ups = ["A probe?"]
"#;
    let bank = std::sync::Arc::new(interview_bot::bank::load_str("one.toml", pack).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let store = interview_bot::store::Store::open(&dir.path().join("db")).unwrap();
    let clock = std::sync::Arc::new(interview_bot::clock::ManualClock::new(0));
    let engine = Engine::new(bank, store, clock.clone());
    let first = ask(&engine, GUILD, &[("level", "mid")]);
    assert_eq!(first.content, None);
    clock.advance(10_000);
    let again = engine.handle(&press(GUILD, &first.buttons[1].action));
    let note = again.content.clone().expect("a note");
    assert!(note.contains("only mid-level question"), "{note}");
    assert_eq!(shown_question(&again.buttons), "only-one");
}

#[test]
fn help_fits_one_discord_message_and_explains_each_command_in_full() {
    let f = fixture();
    let overview = f.engine.handle(&command(GUILD, "help", &[]));
    assert_eq!(
        limits::check_outcome(&overview.outcome),
        Vec::<String>::new()
    );
    let text = format!("{:?}", overview.cards);
    for leaf in interview_bot::features::REGISTRY.leaves() {
        assert!(
            text.contains(&format!("/{}", leaf.path())),
            "{}",
            leaf.path()
        );
    }
    for topic in interview_bot::features::REGISTRY.commands() {
        let one = f
            .engine
            .handle(&command(GUILD, "help", &[("command", topic.name)]));
        assert!(!one.is_error, "{}", topic.name);
        assert_eq!(
            limits::check_outcome(&one.outcome),
            Vec::<String>::new(),
            "{}",
            topic.name
        );
        let detail = format!("{:?}", one.cards);
        let leaf = interview_bot::features::REGISTRY
            .leaves()
            .into_iter()
            .find(|l| l.root.name == topic.name)
            .unwrap();
        for o in leaf.spec.options {
            assert!(
                detail.contains(&format!("`{}`", o.name)),
                "{} {}",
                topic.name,
                o.name
            );
        }
    }
}

/// The overview names every command as a clickable mention on Discord: with every command's
/// id as long as Discord's (19 digits), it still fits one message (6,000 characters of embeds).
#[test]
fn help_fits_discord_with_every_command_mentioned() {
    use interview_bot::engine::Presentation;
    let f = fixture();
    f.engine.set_presentation(Presentation {
        bot_name: Some("interview-bot".into()),
        command_ids: f
            .engine
            .registry()
            .commands()
            .map(|c| (c.name.to_string(), 1_300_000_000_000_000_001))
            .collect(),
    });
    let outcome = common::ok(&f.engine, &command(GUILD, "help", &[]));
    let (_, m) = outcome.first_reply().unwrap();
    let size: usize = m.cards.iter().map(|c| c.text_len()).sum();
    // Room is left for the next commands.
    assert!(size <= 5_800, "the /help overview holds {size} characters");
}
