//! The bot killed (SIGKILL) in the middle of a daily post, then started again: the channel still
//! gets exactly one post for the day, the database stays consistent, and the answer is still
//! revealed. The real binary against the fake Discord.
//!
//! A daily post is claimed in the database (with its nonce) before it is sent, and recorded
//! after Discord answered. The kill lands between the two, in both ways a request can be cut off
//! (`fake_discord::Hold`): Discord never got the post, or Discord made the message but its answer
//! never came back. The claim left behind is settled by the next process once it is two minutes
//! old (it could still be in flight in another process before that): it looks for the post in
//! the channel by nonce and records it, or sends it again with the same nonce, which Discord
//! (`enforce_nonce`) would answer with the first message rather than a second one. So each test
//! waits about two minutes for the settling, bounded by `SETTLE_WAIT`; the two run side by side.
//!
//! To have the post due as soon as the bot starts, the schedule is set through `/daily set` for
//! two minutes ago, and its `updated_at` is then moved back a day, as if it had been set
//! yesterday: the bot owes today's post and catches it up at once (within its catch-up window).
//! The zone is chosen so that it is around noon there, far from the day's end.

mod common;

use std::path::Path;
use std::time::Duration;

use fake_discord::{FakeDiscord, Hold, Member};
use serde_json::{Value, json};

use common::e2e::{
    Bot, WAIT, channel_cards, daily_set_options, integrity, is_ephemeral, opt, settle,
};

/// The bot settles a claim two minutes after it was made; this leaves room for a slow machine.
const SETTLE_WAIT: Duration = Duration::from_secs(210);

fn db(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

/// The daily posts of the database: (status, nonce, message id, reveal status, thread id).
type PostRow = (String, String, Option<i64>, Option<String>, Option<i64>);

fn posts(path: &Path) -> Vec<PostRow> {
    db(path)
        .prepare(
            "SELECT status, nonce, message_id, reveal_status, thread_id FROM daily_posts ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The daily-practice posts the channel holds.
fn daily_messages(fake: &FakeDiscord) -> Vec<Value> {
    channel_cards(fake, "Daily practice")
}

fn id(v: &Value) -> i64 {
    v["id"].as_str().unwrap().parse().unwrap()
}

async fn kill_during_a_daily_post(hold: Hold) {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bot.sqlite3");

    // The schedule, set through the bot for two minutes ago.
    let (zone, now) = common::a_zone_at_noon();
    let at = now
        .checked_sub(jiff::SignedDuration::from_secs(120))
        .unwrap();
    let time = format!("{:02}:{:02}", at.hour(), at.minute());
    let setter = Bot::start_at(&fake, dir.path(), &db_path, "set");
    common::e2e::wait_bot_ready(&fake, WAIT, false, || setter.log()).await;
    let i = fake
        .send_command_as(
            "daily",
            daily_set_options(&time, &zone, &[opt("reveal_after", json!("5s"))]),
            &Member::new(1_300_000_000_000_000_950).permissions("8"),
        )
        .await;
    let set = settle(&fake, &i, || setter.log()).await.body;
    assert!(
        is_ephemeral(&set) && set.to_string().contains(&format!("{time} {zone}")),
        "{set}"
    );
    setter.kill();
    // As if set yesterday: today's post is owed, and overdue.
    let moved = db(&db_path)
        .execute(
            "UPDATE daily_schedules SET updated_at = updated_at - 86400000",
            [],
        )
        .unwrap();
    assert_eq!(moved, 1);

    // The bot starts, claims the post and sends it; the request is cut off and the bot killed.
    let posts_path = format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID);
    fake.hold_next("POST", &posts_path, hold);
    let first = Bot::start_at(&fake, dir.path(), &db_path, "first");
    if let Err(e) = fake.wait_held(1, WAIT).await {
        panic!("{e}\n{}", first.log());
    }
    let first_log = first.kill();
    assert_eq!(integrity(&db_path), "ok");
    let claimed = posts(&db_path);
    assert_eq!(claimed.len(), 1, "{claimed:?}\n{first_log}");
    let (status, nonce, message, _, _) = claimed[0].clone();
    assert_eq!((status.as_str(), message), ("claimed", None), "{first_log}");
    let made_before = daily_messages(&fake);
    match hold {
        // Discord made the message; the bot never learnt its id.
        Hold::Unanswered => {
            assert_eq!(made_before.len(), 1);
            assert_eq!(made_before[0]["nonce"], nonce.as_str());
        }
        Hold::Unhandled => assert!(made_before.is_empty()),
    }

    // Started again: the claim is settled, the post recorded (or sent once), the answer
    // revealed in a thread on it.
    let before = fake.request_count();
    let second = Bot::start_at(&fake, dir.path(), &db_path, "second");
    let thread_answer = fake
        .wait_request_since(
            before,
            |r| {
                r.method == "POST"
                    && r.path.starts_with("/channels/")
                    && r.path.ends_with("/messages")
                    && r.path != posts_path
            },
            SETTLE_WAIT,
        )
        .await
        .unwrap_or_else(|e| panic!("no reveal: {e}\n{}", second.log()));
    let text = thread_answer.body["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(text.starts_with("||"), "{}", thread_answer.body);
    // Give a double post the time to show up, were there one.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let made = daily_messages(&fake);
    assert_eq!(made.len(), 1, "exactly one post\n{}", second.log());
    assert_eq!(made[0]["nonce"], nonce.as_str());
    let creates = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == posts_path)
        .count();
    assert_eq!(creates, 1, "one create request reached Discord");
    let threads = fake.threads();
    assert_eq!(threads.len(), 1);
    // A thread started from a message has the message's id.
    assert_eq!(id(&threads[0]), id(&made[0]));
    assert_eq!(
        thread_answer.path,
        format!("/channels/{}/messages", id(&threads[0]))
    );

    let second_log = second.kill();
    assert_eq!(integrity(&db_path), "ok");
    let recorded = posts(&db_path);
    assert_eq!(
        recorded,
        vec![(
            "posted".to_string(),
            nonce,
            Some(id(&made[0])),
            Some("revealed".to_string()),
            Some(id(&threads[0])),
        )],
        "{second_log}"
    );
    assert_eq!(fake.violations(), Vec::<String>::new(), "\n{second_log}");
    assert_eq!(fake.unknown_routes(), Vec::<String>::new());
}

/// Killed while Discord held the answer to a post it had made: found by its nonce and recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_discord_answers_a_daily_post_the_post_is_found_not_doubled() {
    kill_during_a_daily_post(Hold::Unanswered).await;
}

/// Killed before the post reached Discord: not found, so sent again, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_before_a_daily_post_reached_discord_it_is_sent_once_after_restart() {
    kill_during_a_daily_post(Hold::Unhandled).await;
}
