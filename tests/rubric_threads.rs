//! A channel's rubric rule reaches its threads (issue 19, finding 4): with rubrics open
//! server-wide and for interviewers only in one channel, a plain member in a thread of that
//! channel sees no rubric, by `/answer` or by a question card's "Model answer".

mod common;

use common::{CHANNEL, GUILD, Handle, USER, admin, button_in, command_in, member, shown_question};
use interview_bot::engine::{Engine, Request};
use interview_bot::model::{ChannelId, GuildId, RubricAccess, UserId};

/// A thread under `CHANNEL`.
const THREAD: u64 = CHANNEL + 7;
/// Another channel, with no rule of its own.
const ELSEWHERE: u64 = CHANNEL + 9;

/// Rubrics for everyone in the server, for interviewers only in `CHANNEL`.
fn fixture() -> common::Fixture {
    let f = common::fixture();
    common::rubrics_closed_in(&f.engine, CHANNEL);
    f
}

/// A question id, from a card an admin posts in `channel`.
fn a_question(e: &Engine, req: Request) -> String {
    let reply = e.handle(&req);
    assert!(!reply.is_error, "{reply:?}");
    shown_question(&reply.buttons)
}

fn shows_a_rubric(e: &Engine, req: &Request) -> bool {
    let reply = e.handle(req);
    !reply.is_error
        && reply
            .cards
            .first()
            .and_then(|c| c.title.as_deref())
            .is_some_and(|t| t.starts_with("Model answer"))
}

#[test]
fn a_channels_interviewers_only_rule_reaches_its_threads() {
    let f = fixture();
    let e = &f.engine;
    let plain = member(USER + 1);
    let q = a_question(
        e,
        command_in(
            GUILD,
            THREAD,
            &admin(USER),
            "question",
            &[("level", "junior")],
        )
        .in_thread(CHANNEL),
    );

    // The rule holds in the channel itself, and the server's opening holds elsewhere.
    let answer_in = |channel: u64| command_in(GUILD, channel, &plain, "answer", &[("id", &q)]);
    assert!(!shows_a_rubric(e, &answer_in(CHANNEL)));
    assert!(shows_a_rubric(e, &answer_in(ELSEWHERE)));
    assert!(shows_a_rubric(
        e,
        &answer_in(THREAD + 1).in_thread(ELSEWHERE)
    ));

    // In a thread under the channel: `/answer` and the card's "Model answer" are refused.
    assert!(
        !shows_a_rubric(e, &answer_in(THREAD).in_thread(CHANNEL)),
        "/answer in a thread of an interviewers-only channel showed the rubric"
    );
    let press = button_in(GUILD, THREAD, &plain, &format!("q:answer:{q}")).in_thread(CHANNEL);
    assert!(
        !shows_a_rubric(e, &press),
        "the Model answer button in a thread of an interviewers-only channel showed the rubric"
    );
    // An interviewer still sees it there.
    assert!(shows_a_rubric(
        e,
        &command_in(GUILD, THREAD, &admin(USER), "answer", &[("id", &q)]).in_thread(CHANNEL)
    ));

    // A thread's own rule comes first.
    e.store()
        .write(|db| {
            db.set_rubric_access(
                GuildId(GUILD),
                Some(ChannelId(THREAD)),
                RubricAccess::Everyone,
                UserId(USER),
                0,
            )
        })
        .unwrap();
    assert!(shows_a_rubric(e, &answer_in(THREAD).in_thread(CHANNEL)));
}

/// A private refusal naming the rule, with no rubric card.
fn is_refused(callback: &serde_json::Value) -> bool {
    common::e2e::is_ephemeral(callback)
        && callback["data"]["embeds"] == serde_json::json!([])
        && callback["data"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("for interviewers only here"))
}

/// The same rule end to end: the fake Discord sends the interactions from a thread under the
/// channel, with the thread's channel object (`type` 11, `parent_id`) as Discord does, and a
/// plain member is refused both ways while an admin there sees the rubric.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_discord_a_thread_keeps_its_channels_rubric_rule() {
    use common::e2e::{WAIT, channel_opt, connected, is_ephemeral, opt, settle};
    use fake_discord::{DEFAULT_USER_ID, FakeDiscord, Member};
    use serde_json::json;

    const THREAD_ID: u64 = FakeDiscord::CHANNEL_ID + 1_000;
    let (fake, bot) = connected().await;
    fake.add_thread(
        THREAD_ID,
        FakeDiscord::CHANNEL_ID,
        DEFAULT_USER_ID,
        "round 1",
    );
    let admin = Member::new(DEFAULT_USER_ID).permissions("32");
    let plain = Member::new(DEFAULT_USER_ID + 1).permissions("0");
    // Open server-wide, interviewers only in the channel; each answer complete before the next.
    let config = |options: serde_json::Value| json!([{"name": "rubric-access", "type": 1, "options": options}]);
    for options in [
        json!([opt("access", json!("everyone"))]),
        json!([opt("access", json!("interviewers")), channel_opt()]),
    ] {
        let i = fake
            .send_command_as("config", config(options), &admin)
            .await;
        settle(&fake, &i, || bot.log()).await;
        let deadline = std::time::Instant::now() + WAIT;
        while fake
            .interaction_messages(&i)
            .iter()
            .all(FakeDiscord::is_loading)
        {
            assert!(std::time::Instant::now() < deadline, "{}", bot.log());
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    // An admin posts a question card in the thread.
    let data = fake.command_data("question", json!([opt("level", json!("mid"))]));
    let i = fake
        .send_interaction_in(THREAD_ID, 2, data, &admin, None)
        .await;
    let card = settle(&fake, &i, || bot.log()).await.body;
    assert!(!is_ephemeral(&card), "{card}");
    let card_message = fake
        .channel_messages(THREAD_ID)
        .into_iter()
        .last()
        .expect("the card, in the thread");
    // The card itself says who may open its rubric here.
    let rubric_button = common::e2e::button(&card_message, "🔒 Model answer (interviewers only)");
    let question = common::e2e::shown_question(&card_message);

    // A plain member in the thread: `/answer` and the card's button are both refused.
    let data = fake.command_data("answer", json!([opt("id", json!(question))]));
    let i = fake
        .send_interaction_in(THREAD_ID, 2, data, &plain, None)
        .await;
    let refused = settle(&fake, &i, || bot.log()).await.body;
    assert!(is_refused(&refused), "{refused}");
    let data = json!({"custom_id": rubric_button, "component_type": 2});
    let i = fake
        .send_interaction_in(THREAD_ID, 3, data, &plain, Some(card_message.clone()))
        .await;
    let refused = settle(&fake, &i, || bot.log()).await.body;
    assert!(is_refused(&refused), "{refused}");

    // An admin there sees it, privately.
    let data = fake.command_data("answer", json!([opt("id", json!(question))]));
    let i = fake
        .send_interaction_in(THREAD_ID, 2, data, &admin, None)
        .await;
    let shown = settle(&fake, &i, || bot.log()).await;
    let deadline = std::time::Instant::now() + WAIT;
    while !fake
        .interaction_messages(&i)
        .iter()
        .chain(std::iter::once(&shown.body))
        .any(|m| {
            m["embeds"][0]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Model answer"))
                || m["data"]["embeds"][0]["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Model answer"))
        })
    {
        assert!(std::time::Instant::now() < deadline, "{}", bot.log());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(is_ephemeral(&shown.body), "{}", shown.body);
    common::e2e::assert_clean(&fake, &bot);
}

/// Autocomplete from the bot's DM (no server): no suggestions, and nothing of any server's
/// data, as Discord sends a DM interaction (no `guild_id`, a `user` instead of a `member`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_in_a_dm_suggests_nothing() {
    use common::e2e::{connected, settle};
    use fake_discord::DEFAULT_USER_ID;
    use serde_json::json;

    let (fake, bot) = connected().await;
    // A candidate in the server, so that a server-blind look-up would have one to suggest.
    let i = fake
        .send_command_as(
            "score",
            json!([
                {"name": "candidate", "type": 3, "value": "Dana Scully"},
                {"name": "question", "type": 3, "value": "aws-s3-basics"},
                {"name": "rating", "type": 3, "value": "3"},
            ]),
            &common::e2e::manager(),
        )
        .await;
    settle(&fake, &i, || bot.log()).await;
    let data = fake.command_data(
        "scores",
        json!([{"name": "candidate", "type": 1, "options": [
            {"name": "candidate", "type": 3, "value": "Da", "focused": true}
        ]}]),
    );
    // In the server, the manager is offered the candidate.
    let i = fake
        .send_interaction_as(4, data.clone(), &common::e2e::manager(), None)
        .await;
    let cb = settle(&fake, &i, || bot.log()).await.body;
    assert_eq!(cb["data"]["choices"][0]["value"], "Dana Scully", "{cb}");
    let i = fake.send_dm_interaction(4, data, DEFAULT_USER_ID).await;
    let cb = settle(&fake, &i, || bot.log()).await.body;
    assert_eq!(cb["type"], 8, "{cb}");
    assert_eq!(cb["data"]["choices"], json!([]), "{cb}");
    common::e2e::assert_clean(&fake, &bot);
}
