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
