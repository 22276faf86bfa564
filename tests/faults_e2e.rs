//! Faults end to end: the real `interview-bot` binary against the fake Discord while the gateway
//! drops, resumes and invalidates sessions, and while REST answers 429, 5xx, late or not at all.
//! Every drop point and fault plan comes from a seeded generator; the seed is printed (and can be
//! set with `FAULTS_SEED`) so a failure can be replayed. Each test is bounded by timeouts.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use fake_discord::{DEFAULT_MEMBER_PERMISSIONS, DEFAULT_USER_ID, FakeDiscord, InteractionRef};
use fake_discord::{Member, RestFault, random_plan};
use serde_json::{Value, json};

use common::e2e::{
    Bot, WAIT, channel_opt, connected, connected_with, daily_set_options, eventually,
};

fn seed(default: u64) -> u64 {
    let seed = std::env::var("FAULTS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    println!("fault seed: {seed} (set FAULTS_SEED to replay another)");
    seed
}

fn callback_path(i: &InteractionRef) -> String {
    format!("/interactions/{}/{}/callback", i.id, i.token)
}

/// Callback requests of `i`: (accepted ones, all attempts).
fn callbacks(fake: &FakeDiscord, i: &InteractionRef) -> (usize, usize) {
    let path = callback_path(i);
    let all: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect();
    // A dropped answer was carried out: it counts as accepted (the user saw it).
    let accepted = all
        .iter()
        .filter(|r| (200..300).contains(&r.status))
        .count();
    (accepted, all.len())
}

fn question(level: &str) -> Value {
    json!([{"name": "level", "type": 3, "value": level}])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GatewayFault {
    /// The connection drops (no close frame) right after a command was sent: resumed.
    DropAfterSend,
    /// The command is lost in transit and the connection drops: the RESUME replays it.
    LostThenResumed,
    /// The command is lost in transit and the RESUME is refused (op 9): a new session, and
    /// the command never reaches the bot (Discord would show "did not respond").
    LostThenNewSession,
    /// Close code 4000 (unknown error; resumable).
    Close4000,
    /// Close code 4009 (session timed out: a new session), at a quiet moment.
    Close4009,
    /// Op 9 INVALID_SESSION, at a quiet moment: a new session.
    InvalidSession,
}

impl GatewayFault {
    fn new_session(self) -> bool {
        matches!(
            self,
            GatewayFault::LostThenNewSession
                | GatewayFault::Close4009
                | GatewayFault::InvalidSession
        )
    }
}

/// Twenty gateway faults at seeded points of a stream of commands: the bot reconnects each
/// time (resuming or identifying as Discord tells it), answers every interaction that reached
/// it exactly once and in time, registers once, starts one daily scheduler, and keeps running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_gateway_faults_never_lose_or_double_an_answer() {
    let started = Instant::now();
    let seed = seed(20_261_201);
    let mut rng = fastrand::Rng::with_seed(seed);
    let (fake, mut bot) = connected().await;

    const COMMANDS: usize = 36;
    const FAULTS: usize = 20;
    // A new session costs serenity about 5 s (its shard restart waits that long for the old
    // runner), so four of the twenty end the session; the others are resumed.
    let mut faults = vec![
        GatewayFault::LostThenNewSession,
        GatewayFault::Close4009,
        GatewayFault::InvalidSession,
        GatewayFault::LostThenNewSession,
    ];
    let resumable = [
        GatewayFault::DropAfterSend,
        GatewayFault::LostThenResumed,
        GatewayFault::Close4000,
    ];
    while faults.len() < FAULTS {
        faults.push(resumable[rng.usize(..resumable.len())]);
    }
    rng.shuffle(&mut faults);
    let mut points: Vec<usize> = (0..COMMANDS).collect();
    rng.shuffle(&mut points);
    points.truncate(FAULTS);
    points.sort_unstable();
    let plan: HashMap<usize, GatewayFault> = points.iter().copied().zip(faults).collect();
    let mut listed: Vec<_> = plan.iter().collect();
    listed.sort_by_key(|(n, _)| **n);
    println!("gateway faults (command index, fault): {listed:?}");

    let levels = ["junior", "mid", "senior"];
    let mut sent: Vec<(InteractionRef, Option<GatewayFault>)> = Vec::new();
    let mut new_sessions = 0;
    for n in 0..COMMANDS {
        let fault = plan.get(&n).copied();
        let level = levels[rng.usize(..levels.len())];
        let mut readies = fake.ready_count();
        if matches!(
            fault,
            Some(GatewayFault::Close4009 | GatewayFault::InvalidSession)
        ) {
            // A quiet moment: everything sent so far reached the bot and was answered, so
            // ending the session loses nothing the bot had not read.
            for (i, f) in &sent {
                if *f != Some(GatewayFault::LostThenNewSession) {
                    let what = format!("{} ({f:?}) answered before a new session", i.id);
                    eventually(what, &bot, || callbacks(&fake, i).0 == 1).await;
                }
            }
            if fault == Some(GatewayFault::Close4009) {
                fake.close_gateway(4009).await;
            } else {
                fake.invalidate_session().await;
            }
            if let Err(e) = fake.wait_ready_after(readies, WAIT).await {
                panic!("{e}\n{}", bot.log());
            }
            readies = fake.ready_count();
        }
        match fault {
            Some(GatewayFault::LostThenResumed) => fake.drop_gateway_in_transit(),
            Some(GatewayFault::LostThenNewSession) => {
                fake.set_reject_resume(true);
                fake.drop_gateway_in_transit();
            }
            _ => {}
        }
        let i = fake
            .send_command(
                "question",
                question(level),
                DEFAULT_USER_ID + n as u64,
                DEFAULT_MEMBER_PERMISSIONS,
            )
            .await;
        match fault {
            Some(GatewayFault::DropAfterSend) => fake.drop_gateway().await,
            Some(GatewayFault::Close4000) => fake.close_gateway(4000).await,
            _ => {}
        }
        if matches!(
            fault,
            Some(
                GatewayFault::DropAfterSend
                    | GatewayFault::Close4000
                    | GatewayFault::LostThenResumed
                    | GatewayFault::LostThenNewSession
            )
        ) {
            // Reconnected (resumed, or identified after the refused RESUME) before the next.
            if let Err(e) = fake.wait_ready_after(readies, WAIT).await {
                panic!("after {fault:?}: {e}\n{}", bot.log());
            }
        }
        if fault.is_some_and(GatewayFault::new_session) {
            new_sessions += 1;
            fake.set_reject_resume(false);
        }
        println!("command {n}: interaction {} {fault:?}", i.id);
        sent.push((i, fault));
    }

    // Every interaction that reached the bot is answered once; a lost one never.
    for (i, fault) in &sent {
        if *fault == Some(GatewayFault::LostThenNewSession) {
            continue;
        }
        eventually(format!("{} ({fault:?}) answered", i.id), &bot, || {
            callbacks(&fake, i).0 >= 1
        })
        .await;
    }
    // Time for a duplicate to show up, if the bot were to send one.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for (i, fault) in &sent {
        let (accepted, attempts) = callbacks(&fake, i);
        let lost = *fault == Some(GatewayFault::LostThenNewSession);
        assert_eq!(fake.delivered(i), !lost, "interaction {} ({fault:?})", i.id);
        assert_eq!(
            (accepted, attempts),
            if lost { (0, 0) } else { (1, 1) },
            "interaction {} ({fault:?}): callbacks\n{}",
            i.id,
            bot.log()
        );
        if !lost {
            // What the member sees: the question, once.
            let shown = fake.interaction_messages(i);
            assert_eq!(shown.len(), 1, "{shown:?}");
            assert!(shown[0]["embeds"][0]["description"].is_string());
        }
    }
    let resumable = sent
        .iter()
        .filter(|(_, f)| f.is_some_and(|f| !f.new_session()))
        .count();
    assert!(
        fake.resume_count() >= resumable,
        "resumes {} < resumable faults {resumable}",
        fake.resume_count()
    );
    assert_eq!(
        fake.identify_count() - fake.resume_count(),
        1 + new_sessions,
        "one IDENTIFY at start and one per new session"
    );
    let log = bot.log();
    assert!(bot.running(), "the bot stopped\n{log}");
    assert_eq!(
        log.matches("daily scheduler started").count(),
        1,
        "one daily scheduler for the whole run\n{log}"
    );
    let registrations = fake
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.path.ends_with("/commands"))
        .count();
    assert_eq!(registrations, 1, "commands registered once");
    assert!(!log.contains("panicked"), "{log}");
    assert_eq!(fake.violations(), Vec::<String>::new(), "\n{log}");
    println!(
        "{FAULTS} gateway faults ({new_sessions} new sessions, {} resumes) in {:?}",
        fake.resume_count(),
        started.elapsed()
    );
}

/// Interaction callbacks meet 5xx, a 429 and dropped answers at seeded points: the bot tries
/// again within the 3-second window, and no interaction is ever answered twice. One that could
/// not be answered is in the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interaction_callbacks_are_retried_within_the_window_and_never_doubled() {
    let seed = seed(4_290_500);
    let (fake, bot) = connected().await;
    let kinds = [
        RestFault::ServerError(500),
        RestFault::ServerError(502),
        RestFault::RateLimited {
            retry_after: 0.3,
            global: false,
        },
        RestFault::Drop,
    ];
    let plan = random_plan(seed, 24, 0.5, &kinds);
    println!("callback faults: {plan:?}");
    fake.inject_faults("POST", "/interactions/*/*/callback", plan);
    let mut sent = Vec::new();
    for n in 0..10u64 {
        let i = fake
            .send_command(
                "question",
                question("mid"),
                DEFAULT_USER_ID + n,
                DEFAULT_MEMBER_PERMISSIONS,
            )
            .await;
        // One at a time, so that the plan meets the attempts in a fixed order.
        let deadline = Instant::now() + Duration::from_secs(6);
        loop {
            let id = format!("interaction={}", i.id);
            let done = bot
                .log()
                .lines()
                .any(|l| l.contains(&id) && l.contains("command=/question"));
            if done {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "no outcome for {}\n{}",
                i.id,
                bot.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        sent.push(i);
    }
    let log = bot.log();
    let mut answered = 0;
    for i in &sent {
        let (accepted, attempts) = callbacks(&fake, i);
        assert!(
            accepted <= 1,
            "interaction {} answered {accepted} times",
            i.id
        );
        assert!((1..=3).contains(&attempts), "{attempts} attempts");
        if accepted == 1 {
            answered += 1;
            assert_eq!(fake.interaction_messages(i).len(), 1);
        } else {
            // Reported: the interaction's log line says the answer could not be sent.
            let line = log
                .lines()
                .find(|l| l.contains(&format!("interaction={}", i.id)) && l.contains("command="))
                .unwrap_or_default();
            assert!(
                line.contains("send-failed") || line.contains("partly-delivered"),
                "{line}\n{log}"
            );
        }
    }
    assert!(answered >= 7, "only {answered} of 10 answered\n{log}");
    assert!(log.contains("trying again"), "{log}");
    // No late answer (10062) and no double answer: nothing the fake calls a mistake.
    assert_eq!(fake.violations(), Vec::<String>::new(), "\n{log}");
}

const ADMIN: u64 = DEFAULT_USER_ID + 500;

/// `/daily set` far from now (nothing posts by itself during the test), so `/daily now` can post.
async fn daily_schedule(fake: &FakeDiscord, bot: &Bot) {
    let admin = Member::new(ADMIN).permissions("8");
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(6);
    let at = later.to_zoned(jiff::tz::TimeZone::UTC);
    let time = format!("{:02}:{:02}", at.hour(), at.minute());
    let i = fake
        .send_command_as("daily", daily_set_options(&time, "UTC", &[]), &admin)
        .await;
    if let Err(e) = fake.wait_callback(&i, WAIT).await {
        panic!("{e}\n{}", bot.log());
    }
}

async fn daily_now(fake: &FakeDiscord) -> InteractionRef {
    let channel = channel_opt();
    fake.send_command_as(
        "daily",
        json!([{"name": "now", "type": 1, "options": [channel]}]),
        &Member::new(ADMIN).permissions("8"),
    )
    .await
}

fn channel_posts(fake: &FakeDiscord) -> Vec<fake_discord::Recorded> {
    let path = format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID);
    fake.requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == path)
        .collect()
}

/// Texts the member saw in answer to `i` (responses and follow-ups).
fn answer_texts(fake: &FakeDiscord, i: &InteractionRef) -> String {
    fake.interaction_messages(i)
        .iter()
        .map(|m| format!("{} {}", m["content"], m["embeds"]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A channel post (`/daily now`, with a nonce) whose answer is held past the bot's 5 s limit,
/// then meets a 502; another whose connection drops, then a 429: each is sent again with the
/// same nonce and shows once in the channel (Discord's `enforce_nonce` dedupe).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_post_whose_answer_was_lost_is_sent_again_and_shows_once() {
    let (fake, bot) = connected().await;
    daily_schedule(&fake, &bot).await;
    let plans = [
        vec![
            Some(RestFault::Hold(Duration::from_secs(7))),
            Some(RestFault::ServerError(502)),
        ],
        vec![
            Some(RestFault::Drop),
            Some(RestFault::RateLimited {
                retry_after: 0.2,
                global: false,
            }),
        ],
    ];
    for (round, plan) in plans.into_iter().enumerate() {
        let before = channel_posts(&fake).len();
        let shown_before = fake.visible_to_channel(FakeDiscord::CHANNEL_ID).len();
        fake.inject_faults(
            "POST",
            &format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID),
            plan,
        );
        let i = daily_now(&fake).await;
        eventually("the private confirmation", &bot, || {
            answer_texts(&fake, &i).contains("An extra question is going to")
        })
        .await;
        let posts: Vec<_> = channel_posts(&fake).into_iter().skip(before).collect();
        assert_eq!(
            posts.len(),
            3,
            "round {round}: two failures, then through\n{}",
            bot.log()
        );
        let nonce = &posts[0].body["nonce"];
        assert!(nonce.is_string());
        assert!(
            posts
                .iter()
                .all(|p| &p.body["nonce"] == nonce && p.body["enforce_nonce"] == true)
        );
        let shown = fake.visible_to_channel(FakeDiscord::CHANNEL_ID);
        let daily: Vec<_> = shown[shown_before..]
            .iter()
            .filter(|m| m["nonce"] == *nonce)
            .collect();
        assert_eq!(
            daily.len(),
            1,
            "round {round}: the post shows once: {shown:?}"
        );
        assert!(!answer_texts(&fake, &i).contains("could not be completed"));
    }
    assert!(bot.log().contains("trying again"));
    assert_eq!(fake.violations(), Vec::<String>::new(), "\n{}", bot.log());
}

/// A channel post that fails every time (5xx, held, 5xx): the bot gives up after its attempts,
/// posts nothing twice, tells the member privately, and logs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_that_keeps_failing_is_reported_to_the_member_and_the_log() {
    let (fake, bot) = connected().await;
    daily_schedule(&fake, &bot).await;
    fake.inject_faults(
        "POST",
        &format!("/channels/{}/messages", FakeDiscord::CHANNEL_ID),
        vec![Some(RestFault::ServerError(500)); 3],
    );
    let i = daily_now(&fake).await;
    eventually("the member is told", &bot, || {
        answer_texts(&fake, &i).contains("could not be completed")
    })
    .await;
    assert_eq!(channel_posts(&fake).len(), 3);
    assert!(
        fake.visible_to_channel(FakeDiscord::CHANNEL_ID)
            .iter()
            .all(|m| m["embeds"][0]["title"]
                .as_str()
                .is_none_or(|t| !t.starts_with("Daily"))),
        "nothing was posted"
    );
    // The telling is private.
    let sorry = fake
        .interaction_messages(&i)
        .into_iter()
        .find(|m| {
            m["content"]
                .as_str()
                .is_some_and(|c| c.contains("could not be completed"))
        })
        .unwrap();
    assert!(FakeDiscord::is_ephemeral(&sorry));
    let log = bot.log();
    assert!(log.contains("Discord refused an effect"), "{log}");
    assert_eq!(fake.violations(), Vec::<String>::new(), "\n{log}");
}

/// Every answer deferred (`DISCORD_DEFER_AFTER_MS=0`), and the edit that delivers it meets a
/// 500, then a dropped answer: edits are the same however often they are made, so the bot
/// sends it again and the member sees the question, not "thinking..." for ever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferred_answer_whose_edit_fails_is_edited_again() {
    let (fake, bot) = connected_with(&[("DISCORD_DEFER_AFTER_MS", "0")]).await;
    fake.inject_faults(
        "PATCH",
        "/webhooks/*/*/messages/@original",
        vec![Some(RestFault::ServerError(500)), Some(RestFault::Drop)],
    );
    let i = fake
        .send_command(
            "question",
            question("senior"),
            DEFAULT_USER_ID,
            DEFAULT_MEMBER_PERMISSIONS,
        )
        .await;
    let cb = fake.wait_callback(&i, WAIT).await.unwrap();
    assert_eq!(cb.body["type"], 5);
    eventually("the question replaces the placeholder", &bot, || {
        fake.original_response(&i).is_some_and(|m| {
            !FakeDiscord::is_loading(&m) && m["embeds"][0]["description"].is_string()
        })
    })
    .await;
    // The dropped edit was carried out at once; the bot learns of it when the connection ends.
    let id = format!("interaction={}", i.id);
    eventually("the interaction's log line", &bot, || {
        bot.log()
            .lines()
            .any(|l| l.contains(&id) && l.contains("command=/question"))
    })
    .await;
    let edits: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH" && r.path.ends_with("/messages/@original"))
        .map(|r| r.status)
        .collect();
    assert_eq!(
        edits,
        vec![500, 200, 200],
        "500, dropped (carried out), then again"
    );
    assert!(
        bot.log().contains("outcome=\"ok-deferred\""),
        "{}",
        bot.log()
    );
    assert_eq!(fake.interaction_messages(&i).len(), 1);
    assert_eq!(fake.violations(), Vec::<String>::new(), "\n{}", bot.log());
}

/// Command registration that fails (two 5xx in a row) is retried with backoff, and the
/// commands are registered once it goes through; the bot keeps its gateway session meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_registration_is_retried_until_it_goes_through() {
    let fake = FakeDiscord::start().await;
    let path = format!(
        "/applications/{}/guilds/{}/commands",
        FakeDiscord::APP_ID,
        FakeDiscord::GUILD_ID
    );
    fake.inject_faults(
        "PUT",
        &path,
        vec![
            Some(RestFault::ServerError(500)),
            Some(RestFault::ServerError(503)),
        ],
    );
    let bot = Bot::start(&fake, None, &[]);
    common::e2e::wait_bot_ready(&fake, WAIT, false, || bot.log()).await;
    eventually("the commands registered", &bot, || {
        !fake
            .registered_commands(Some(FakeDiscord::GUILD_ID))
            .is_empty()
    })
    .await;
    let puts = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path == path)
        .count();
    assert_eq!(puts, 3, "two failures, then through\n{}", bot.log());
    let log = bot.log();
    assert_eq!(
        log.matches("command registration failed; retrying").count(),
        2,
        "{log}"
    );
    assert!(log.contains("registered commands to the server"), "{log}");
    assert_eq!(fake.identify_count(), 1, "one gateway session throughout");
}
