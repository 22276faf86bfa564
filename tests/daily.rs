//! Daily practice against a real temporary SQLite file with an injected clock: weeks of posts,
//! daylight-saving days, restarts at every point, catch-up, reveals, refusals and retries,
//! many channels at once. A small stand-in for Discord delivers the effects and, like Discord,
//! drops a post repeated with the same nonce.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use interview_bot::bank::Level;
use interview_bot::clock::{Clock, ManualClock};
use interview_bot::engine::{
    ChannelKind, Deliver, Delivered, Effect, Engine, Invocation, Message, Outcome, Permissions,
    RawOption, Request, Resolved, ResolvedChannel, ResolvedRole, SourceMessage,
};
use interview_bot::features::daily::DailyButton;
use interview_bot::model::{ChannelId, MessageId, RoleId};
use interview_bot::store::Store;

const GUILD: u64 = 501;
const CHANNEL: u64 = 601;

fn ms(s: &str) -> i64 {
    s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

/// What "Discord" did with the effects.
#[derive(Default)]
struct FakeDiscord {
    next_id: u64,
    /// (channel, message id, nonce, message)
    posts: Vec<(ChannelId, MessageId, Option<String>, Message)>,
    /// (thread id, on message, message)
    threads: Vec<(ChannelId, MessageId, Message)>,
    /// The next deliveries of posts fail like this.
    fail_next: Vec<Delivered>,
    /// Thread creation is refused (no permission).
    no_threads: bool,
}

impl Deliver for FakeDiscord {
    fn deliver(&mut self, effect: &Effect, _earlier: &[Delivered]) -> Delivered {
        match effect {
            Effect::Post {
                channel_id,
                message,
                nonce,
                ..
            } => {
                if !self.fail_next.is_empty() {
                    return self.fail_next.remove(0);
                }
                // Discord drops a repeat of a recent nonce and returns the first message.
                if let Some(n) = nonce
                    && let Some(p) = self.posts.iter().find(|p| p.2.as_ref() == Some(n))
                {
                    return Delivered::Message {
                        channel_id: Some(p.0),
                        message_id: Some(p.1),
                    };
                }
                self.next_id += 1;
                let id = MessageId(self.next_id);
                self.posts
                    .push((*channel_id, id, nonce.clone(), message.clone()));
                Delivered::Message {
                    channel_id: Some(*channel_id),
                    message_id: Some(id),
                }
            }
            Effect::Thread { on, message, .. } => {
                if self.no_threads {
                    return Delivered::Refused("Missing Permissions (50013)".into());
                }
                let interview_bot::engine::MessageRef::Existing { message_id, .. } = on else {
                    return Delivered::Skipped;
                };
                self.next_id += 1;
                self.threads
                    .push((ChannelId(self.next_id), *message_id, message.clone()));
                Delivered::Thread {
                    thread_id: ChannelId(self.next_id),
                    message_id: MessageId(self.next_id + 1000),
                }
            }
            Effect::FindPost { nonce, .. } => {
                match self.posts.iter().find(|p| p.2.as_ref() == Some(nonce)) {
                    Some(p) => Delivered::Message {
                        channel_id: Some(p.0),
                        message_id: Some(p.1),
                    },
                    None => Delivered::NotFound,
                }
            }
            _ => Delivered::Message {
                channel_id: None,
                message_id: None,
            },
        }
    }
}

struct World {
    engine: Engine,
    clock: Arc<ManualClock>,
    discord: FakeDiscord,
    db: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl World {
    fn new(start: &str) -> World {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("daily.sqlite3");
        let clock = Arc::new(ManualClock::new(ms(start)));
        let engine = Engine::new(
            common::real_bank(),
            Store::open(&db).unwrap(),
            clock.clone(),
        )
        .with_seed(11);
        World {
            engine,
            clock,
            discord: FakeDiscord::default(),
            db,
            _dir: dir,
        }
    }

    /// The process stops and starts again on the same database file.
    fn restart(&mut self) {
        self.engine = Engine::new(
            common::real_bank(),
            Store::open(&self.db).unwrap(),
            self.clock.clone(),
        );
    }

    fn set(&mut self, guild: u64, channel: u64, options: &[(&str, &str)]) -> Outcome {
        let mut opts: Vec<RawOption> = vec![RawOption::text("channel", &format!("<#{channel}>"))];
        opts.extend(options.iter().map(|(k, v)| RawOption::text(k, v)));
        self.command(guild, "daily set", opts, Permissions::ADMINISTRATOR)
    }

    fn command(&mut self, guild: u64, name: &str, options: Vec<RawOption>, perms: u64) -> Outcome {
        let mut resolved = Resolved::default();
        for c in [CHANNEL, CHANNEL + 1, CHANNEL + 2]
            .into_iter()
            .chain(options.iter().filter_map(|o| {
                match &o.value {
                    interview_bot::engine::RawValue::Text(t) => t
                        .trim_start_matches("<#")
                        .trim_end_matches('>')
                        .parse::<u64>()
                        .ok(),
                    _ => None,
                }
            }))
        {
            resolved.channels.insert(
                ChannelId(c),
                ResolvedChannel {
                    id: ChannelId(c),
                    name: format!("practice-{c}"),
                    kind: ChannelKind::Text,
                    bot_permissions: None,
                },
            );
        }
        resolved.roles.insert(
            RoleId(77),
            ResolvedRole {
                id: RoleId(77),
                name: "learners".into(),
                mentionable: true,
            },
        );
        let req = Request {
            guild_id: guild.into(),
            channel_id: CHANNEL.into(),
            origin: interview_bot::engine::Origin::Member(common::who(9, "admin", &[], perms)),
            invocation: Invocation::Command {
                name: name.into(),
                options,
            },
            resolved,
        };
        self.engine.execute(&req, &mut self.discord).0
    }

    /// Runs every job due now, as the scheduler does; returns how many ran.
    fn tick(&mut self) -> usize {
        let mut ran = 0;
        // As the scheduler: look again after running anything.
        for _ in 0..10 {
            let due = self.engine.daily_jobs(self.clock.now_ms()).unwrap();
            if due.jobs.is_empty() {
                break;
            }
            for job in due.jobs {
                self.engine.execute(&job, &mut self.discord);
                ran += 1;
            }
        }
        ran
    }

    /// Walks the clock forward in steps of `step_ms` until `until`, running due jobs.
    fn walk(&mut self, until: &str, step_ms: i64) {
        let end = ms(until);
        while self.clock.now_ms() < end {
            self.clock.advance(step_ms);
            self.tick();
        }
    }

    /// The question a daily post shows: its button names the post, whose row says which.
    fn question_of(&self, post: &Message) -> String {
        let id = &post.buttons[0].action;
        let Ok(DailyButton::PostAnswer { post }) = id.parse::<DailyButton>() else {
            panic!("not a daily post's button: {id}")
        };
        let db = rusqlite::Connection::open(&self.db).unwrap();
        db.query_row(
            "SELECT question_id FROM daily_posts WHERE id = ?1",
            [post.0],
            |r| r.get(0),
        )
        .unwrap()
    }

    fn posts_in(&self, channel: u64) -> Vec<&(ChannelId, MessageId, Option<String>, Message)> {
        self.discord
            .posts
            .iter()
            .filter(|p| p.0 == ChannelId(channel))
            .collect()
    }
}

fn card_level(m: &Message) -> String {
    m.cards[0].title.clone().unwrap()
}

#[test]
fn three_weeks_of_ramp_posts_one_a_day_without_repeats() {
    // Monday 2026-06-01, 06:00 UTC (08:00 in Berlin).
    let mut w = World::new("2026-06-01T06:00:00Z");
    let set = w.set(
        GUILD,
        CHANNEL,
        &[("time", "09:00"), ("timezone", "Europe/Berlin")],
    );
    assert!(!set.is_error, "{set:?}");
    w.walk("2026-06-22T06:00:00Z", 15 * 60 * 1000);
    let posts = w.posts_in(CHANNEL);
    assert_eq!(posts.len(), 21, "one post a day for three weeks");
    // Ramp: junior Mon/Tue, mid Wed/Thu, senior Fri-Sun.
    let expected = [
        "Junior",
        "Junior",
        "Mid-level",
        "Mid-level",
        "Senior",
        "Senior",
        "Senior",
    ];
    for (i, p) in posts.iter().enumerate() {
        let title = card_level(&p.3);
        assert!(title.contains(expected[i % 7]), "day {i}: {title}");
    }
    // No question twice while its pool lasts (each level's pool holds 30+ questions).
    let ids: Vec<String> = posts.iter().map(|p| w.question_of(&p.3)).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    // Each carries the nonce of its schedule and day.
    let nonces: HashSet<&String> = posts.iter().filter_map(|p| p.2.as_ref()).collect();
    assert_eq!(nonces.len(), 21);
    // Each was posted at 09:00 Berlin (07:00 UTC in summer): the first at the step after.
    let db = rusqlite::Connection::open(&w.db).unwrap();
    let first: i64 = db
        .query_row("SELECT MIN(posted_at) FROM daily_posts", [], |r| r.get(0))
        .unwrap();
    assert!(first >= ms("2026-06-01T07:00:00Z") && first < ms("2026-06-01T07:15:00Z"));
}

#[test]
fn a_small_pool_starts_a_new_cycle_only_when_used_up() {
    let mut w = World::new("2026-06-01T00:00:00Z");
    let bank = common::real_bank();
    let (topic, n) = bank
        .topics()
        .map(|t| {
            (
                t.to_string(),
                bank.filter(Some(Level::Junior), Some(t)).count(),
            )
        })
        .filter(|(_, n)| *n >= 2)
        .min_by_key(|(_, n)| *n)
        .unwrap();
    w.set(
        GUILD,
        CHANNEL,
        &[("time", "08:00"), ("level", "junior"), ("topic", &topic)],
    );
    w.walk("2026-06-15T00:00:00Z", 3600 * 1000);
    let ids: Vec<String> = w
        .posts_in(CHANNEL)
        .iter()
        .map(|p| w.question_of(&p.3))
        .collect();
    assert_eq!(ids.len(), 14);
    for window in ids.chunks(n) {
        let unique: HashSet<&String> = window.iter().collect();
        assert_eq!(
            unique.len(),
            window.len(),
            "a repeat inside a cycle: {ids:?}"
        );
    }
}

#[test]
fn daylight_saving_days_post_once_at_the_right_instant() {
    for (zone, start, time, expected) in [
        // Berlin springs forward at 02:00 on 2026-03-29: 02:30 does not exist.
        (
            "Europe/Berlin",
            "2026-03-28T12:00:00Z",
            "02:30",
            ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"],
        ),
        // Berlin falls back at 03:00 on 2026-10-25: 02:30 happens twice.
        (
            "Europe/Berlin",
            "2026-10-24T12:00:00Z",
            "02:30",
            ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"],
        ),
        // New York springs forward at 02:00 on 2026-03-08.
        (
            "America/New_York",
            "2026-03-07T12:00:00Z",
            "02:15",
            ["2026-03-08T07:00:00Z", "2026-03-09T06:15:00Z"],
        ),
        // New York falls back at 02:00 on 2026-11-01: 01:30 happens twice.
        (
            "America/New_York",
            "2026-10-31T12:00:00Z",
            "01:30",
            ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"],
        ),
    ] {
        let mut w = World::new(start);
        w.set(
            GUILD,
            CHANNEL,
            &[("time", time), ("timezone", zone), ("reveal_after", "0")],
        );
        w.walk(expected[1], 60 * 1000);
        w.clock.advance(60_000);
        w.tick();
        let db = rusqlite::Connection::open(&w.db).unwrap();
        let mut stmt = db
            .prepare("SELECT posted_at FROM daily_posts ORDER BY id")
            .unwrap();
        let times: Vec<i64> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(times.len(), 2, "{zone} {time}: {times:?}");
        for (got, want) in times.iter().zip(expected) {
            let want = ms(want);
            assert!(
                *got >= want && *got < want + 60_000,
                "{zone} {time}: posted {got}, due {want}"
            );
        }
    }
}

#[test]
fn a_restart_between_claim_and_send_settles_without_posting_twice() {
    let mut w = World::new("2026-06-01T08:59:00Z");
    w.set(GUILD, CHANNEL, &[("time", "09:00")]);
    w.clock.set(ms("2026-06-01T09:00:30Z"));
    // The post is claimed, then the process dies before sending.
    let due = w.engine.daily_jobs(w.clock.now_ms()).unwrap();
    assert_eq!(due.jobs.len(), 1);
    let claimed = w.engine.run(&due.jobs[0]);
    assert!(matches!(claimed.effects[0], Effect::Post { .. }));
    w.restart();
    // Straight after the restart nothing is sent (the claim might still be in flight) ...
    assert_eq!(w.tick(), 0);
    // ... then the claim is settled: not found in the channel, so it is posted once.
    w.clock.advance(3 * 60 * 1000);
    w.tick();
    assert_eq!(w.posts_in(CHANNEL).len(), 1);
    // A second restart changes nothing.
    w.restart();
    w.clock.advance(10 * 60 * 1000);
    assert_eq!(w.tick(), 0);
    assert_eq!(w.posts_in(CHANNEL).len(), 1);
}

#[test]
fn a_restart_after_send_finds_the_post_and_records_it() {
    let mut w = World::new("2026-06-01T08:59:00Z");
    w.set(GUILD, CHANNEL, &[("time", "09:00"), ("reveal_after", "1h")]);
    w.clock.set(ms("2026-06-01T09:00:30Z"));
    let due = w.engine.daily_jobs(w.clock.now_ms()).unwrap();
    let outcome = w.engine.run(&due.jobs[0]);
    // Sent, but the process dies before recording the message id.
    let delivered = w.discord.deliver(&outcome.effects[0], &[]);
    assert!(delivered.ok());
    w.restart();
    w.clock.advance(3 * 60 * 1000);
    w.tick();
    assert_eq!(w.posts_in(CHANNEL).len(), 1, "found, not posted again");
    let db = rusqlite::Connection::open(&w.db).unwrap();
    let (status, message): (String, i64) = db
        .query_row("SELECT status, message_id FROM daily_posts", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((status.as_str(), message), ("posted", 1));
    // And its reveal still follows.
    w.walk("2026-06-01T10:05:00Z", 60 * 1000);
    assert_eq!(w.discord.threads.len(), 1);
}

#[test]
fn a_late_start_catches_up_the_same_day_but_never_a_day_gone() {
    let mut w = World::new("2026-06-01T08:00:00Z");
    w.set(GUILD, CHANNEL, &[("time", "09:00")]);
    // Down at 09:00; back at 13:00, within six hours: posts then.
    w.clock.set(ms("2026-06-01T13:00:00Z"));
    w.tick();
    assert_eq!(w.posts_in(CHANNEL).len(), 1);
    // Down all of the 2nd, back on the 3rd at 16:00 (seven hours late): nothing for the 2nd,
    // nothing for the 3rd either (past the catch-up window).
    w.clock.set(ms("2026-06-03T16:00:00Z"));
    w.tick();
    assert_eq!(w.posts_in(CHANNEL).len(), 1);
    // The 4th at 09:00 posts as usual.
    w.walk("2026-06-04T09:30:00Z", 10 * 60 * 1000);
    assert_eq!(w.posts_in(CHANNEL).len(), 2);
    // Catch-up never crosses midnight: a 23:30 schedule missed until 00:30 waits for tonight.
    let mut late = World::new("2026-06-01T20:00:00Z");
    late.set(GUILD, CHANNEL, &[("time", "23:30")]);
    late.clock.set(ms("2026-06-02T00:30:00Z"));
    late.tick();
    assert_eq!(late.posts_in(CHANNEL).len(), 0);
}

#[test]
fn the_answer_is_revealed_in_a_thread_after_the_delay_behind_spoilers() {
    let mut w = World::new("2026-06-01T08:59:00Z");
    w.set(GUILD, CHANNEL, &[("time", "09:00"), ("reveal_after", "2h")]);
    w.walk("2026-06-01T10:58:00Z", 60 * 1000);
    assert_eq!(w.posts_in(CHANNEL).len(), 1);
    assert!(w.discord.threads.is_empty(), "not before two hours");
    w.walk("2026-06-01T11:05:00Z", 60 * 1000);
    assert_eq!(w.discord.threads.len(), 1);
    let (_, on, reveal) = &w.discord.threads[0];
    assert_eq!(
        *on,
        w.posts_in(CHANNEL)[0].1,
        "the thread hangs on the post"
    );
    let text = reveal.cards[0].description.clone().unwrap();
    assert!(text.starts_with("||") && text.ends_with("||"), "{text}");
    assert!(text.contains("Yes at this level"));
    // Once only.
    w.walk("2026-06-01T15:00:00Z", 10 * 60 * 1000);
    assert_eq!(w.discord.threads.len(), 1);
    // Without thread permission, the answer comes as a reply instead.
    let mut w = World::new("2026-06-01T08:59:00Z");
    w.discord.no_threads = true;
    w.set(
        GUILD,
        CHANNEL,
        &[("time", "09:00"), ("reveal_after", "30m")],
    );
    w.walk("2026-06-01T09:40:00Z", 60 * 1000);
    let posts = w.posts_in(CHANNEL);
    assert_eq!(posts.len(), 2, "the question, then the answer as a reply");
    assert!(
        posts[1].3.cards[0]
            .description
            .as_ref()
            .unwrap()
            .starts_with("||")
    );
}

#[test]
fn refusals_pause_the_schedule_and_server_errors_are_retried() {
    let mut w = World::new("2026-06-01T08:59:00Z");
    w.set(GUILD, CHANNEL, &[("time", "09:00")]);
    w.discord
        .fail_next
        .push(Delivered::Refused("Missing Access (50001)".into()));
    w.walk("2026-06-01T10:00:00Z", 60 * 1000);
    assert!(w.posts_in(CHANNEL).is_empty());
    let status = w.command(GUILD, "daily status", vec![], Permissions::ADMINISTRATOR);
    let text = format!("{:?}", status.first_reply().unwrap().1);
    assert!(
        text.contains("Paused") && text.contains("Missing Access"),
        "{text}"
    );
    // Nothing more until it is set again; set again after the day's time, it starts the next
    // day.
    w.walk("2026-06-01T11:00:00Z", 10 * 60 * 1000);
    assert!(w.posts_in(CHANNEL).is_empty());
    w.set(GUILD, CHANNEL, &[("time", "09:00")]);
    w.tick();
    assert!(w.posts_in(CHANNEL).is_empty());
    w.walk("2026-06-02T09:10:00Z", 10 * 60 * 1000);
    assert_eq!(w.posts_in(CHANNEL).len(), 1);

    // Server errors: retried with backoff within the day.
    let mut w = World::new("2026-06-01T08:59:00Z");
    w.set(GUILD, CHANNEL, &[("time", "09:00")]);
    w.discord
        .fail_next
        .push(Delivered::Failed("500 Internal Server Error".into()));
    w.discord
        .fail_next
        .push(Delivered::Failed("timed out".into()));
    w.clock.set(ms("2026-06-01T09:00:10Z"));
    w.tick();
    assert!(w.posts_in(CHANNEL).is_empty());
    // Not retried at once ...
    w.clock.advance(10_000);
    assert_eq!(w.tick(), 0);
    // ... but a little later, and it gets through on the third attempt.
    w.walk("2026-06-01T09:10:00Z", 30_000);
    assert_eq!(w.posts_in(CHANNEL).len(), 1);
}

#[test]
fn weekday_and_custom_cadences_and_many_channels_in_many_guilds() {
    let mut w = World::new("2026-06-01T00:00:00Z"); // a Monday
    w.set(GUILD, CHANNEL, &[("time", "09:00"), ("days", "weekdays")]);
    w.set(
        GUILD,
        CHANNEL + 1,
        &[("time", "10:00"), ("days", "mon,wed,fri")],
    );
    w.set(
        GUILD + 1,
        CHANNEL + 2,
        &[("time", "11:00"), ("level", "senior")],
    );
    w.walk("2026-06-08T00:00:00Z", 30 * 60 * 1000);
    assert_eq!(w.posts_in(CHANNEL).len(), 5);
    assert_eq!(w.posts_in(CHANNEL + 1).len(), 3);
    assert_eq!(w.posts_in(CHANNEL + 2).len(), 7);
    assert!(
        w.posts_in(CHANNEL + 2)
            .iter()
            .all(|p| card_level(&p.3).contains("Senior"))
    );
    // Turning one off stops it and keeps the others.
    let off = w.command(
        GUILD,
        "daily off",
        vec![RawOption::text("channel", &format!("<#{}>", CHANNEL + 1))],
        Permissions::ADMINISTRATOR,
    );
    assert!(!off.is_error);
    w.walk("2026-06-09T00:00:00Z", 30 * 60 * 1000);
    assert_eq!(w.posts_in(CHANNEL + 1).len(), 3);
    assert_eq!(w.posts_in(CHANNEL).len(), 6);
}

#[test]
fn many_schedules_due_the_same_minute_are_all_posted_once() {
    let mut w = World::new("2026-06-01T08:00:00Z");
    for c in 0..40 {
        w.set(GUILD + c % 4, 9000 + c, &[("time", "09:00")]);
    }
    w.clock.set(ms("2026-06-01T09:00:05Z"));
    let due = w.engine.daily_jobs(w.clock.now_ms()).unwrap();
    assert_eq!(due.jobs.len(), 40);
    w.tick();
    let per_channel: HashMap<ChannelId, usize> =
        w.discord.posts.iter().fold(HashMap::new(), |mut m, p| {
            *m.entry(p.0).or_default() += 1;
            m
        });
    assert_eq!(per_channel.len(), 40);
    assert!(per_channel.values().all(|n| *n == 1));
    // The next wake-up is tomorrow's 09:00, not a poll.
    let due = w.engine.daily_jobs(w.clock.now_ms()).unwrap();
    assert!(due.jobs.is_empty());
    assert_eq!(
        due.next_ms,
        Some(ms("2026-06-01T21:00:05Z").min(due.next_ms.unwrap()))
    );
}

#[test]
fn bad_input_and_members_without_permission_get_clear_private_answers() {
    let mut w = World::new("2026-06-01T08:00:00Z");
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![("time", "25:00")], "HH:MM"),
        (vec![("time", "9am")], "HH:MM"),
        (vec![("time", "09:00"), ("reveal_after", "3 days")], "12h"),
        (
            vec![("time", "09:00"), ("reveal_after", "25h")],
            "at most 24h",
        ),
        (
            vec![("time", "09:00"), ("timezone", "Europe/Berln")],
            "`Europe/Berlin`",
        ),
        (vec![("time", "09:00"), ("days", "funday")], "mon,wed,fri"),
        (
            vec![("time", "09:00"), ("topic", "quantum")],
            "No topic called",
        ),
    ];
    for (opts, expected) in cases {
        let out = w.set(GUILD, CHANNEL, &opts);
        assert!(out.is_error, "{opts:?}");
        let (vis, m) = out.first_reply().unwrap();
        assert_eq!(vis, interview_bot::engine::Visibility::Private);
        let text = m.content.clone().unwrap();
        assert!(text.contains(expected), "{opts:?}: {text}");
    }
    // A plain member is refused.
    let out = w.command(
        GUILD,
        "daily set",
        vec![
            RawOption::text("channel", &format!("<#{CHANNEL}>")),
            RawOption::text("time", "09:00"),
        ],
        0,
    );
    assert!(
        out.first_reply()
            .unwrap()
            .1
            .content
            .clone()
            .unwrap()
            .contains("Only interviewers")
    );
    // A channel where the bot cannot post: what is missing, exactly.
    let mut req_opts = vec![
        RawOption::text("channel", "<#777>"),
        RawOption::text("time", "09:00"),
        RawOption::text("role", "<@&78>"),
    ];
    let mut resolved = Resolved::default();
    resolved.channels.insert(
        ChannelId(777),
        ResolvedChannel {
            id: ChannelId(777),
            name: "locked".into(),
            kind: ChannelKind::Text,
            bot_permissions: Some(Permissions(
                Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES,
            )),
        },
    );
    resolved.roles.insert(
        RoleId(78),
        ResolvedRole {
            id: RoleId(78),
            name: "quiet".into(),
            mentionable: false,
        },
    );
    let req = Request {
        guild_id: GUILD.into(),
        channel_id: ChannelId(777),
        origin: interview_bot::engine::Origin::Member(common::who(
            9,
            "admin",
            &[],
            Permissions::MANAGE_GUILD,
        )),
        invocation: Invocation::Command {
            name: "daily set".into(),
            options: std::mem::take(&mut req_opts),
        },
        resolved,
    };
    let out = w.engine.run(&req);
    let text = out.first_reply().unwrap().1.content.clone().unwrap();
    for missing in [
        "Embed Links",
        "Create Public Threads",
        "Send Messages in Threads",
        "Mention",
    ] {
        assert!(text.contains(missing), "{text}");
    }
    assert!(!text.contains("View Channel"));
    // A voice channel is the wrong kind.
    let w2 = World::new("2026-06-01T08:00:00Z");
    let mut req = req.clone();
    if let Some(c) = req.resolved.channels.get_mut(&ChannelId(777)) {
        c.kind = ChannelKind::Voice;
    }
    let out = w2.engine.run(&req);
    assert!(
        out.first_reply()
            .unwrap()
            .1
            .content
            .clone()
            .unwrap()
            .contains("voice channel")
    );
}

#[test]
fn status_preview_and_an_extra_post_now() {
    let mut w = World::new("2026-06-01T06:00:00Z"); // Monday
    w.set(
        GUILD,
        CHANNEL,
        &[
            ("time", "09:00"),
            ("timezone", "America/New_York"),
            ("role", "<@&77>"),
        ],
    );
    let status = w.command(GUILD, "daily status", vec![], Permissions::ADMINISTRATOR);
    let text = format!("{:?}", status.first_reply().unwrap().1);
    assert!(text.contains("09:00 America/New_York"), "{text}");
    // The next post: 09:00 New York = 13:00 UTC, as a Discord timestamp.
    assert!(
        text.contains(&format!("<t:{}:F>", ms("2026-06-01T13:00:00Z") / 1000)),
        "{text}"
    );
    let preview = w.command(
        GUILD,
        "daily preview",
        vec![RawOption::text("channel", &format!("<#{CHANNEL}>"))],
        Permissions::ADMINISTRATOR,
    );
    let text = preview.first_reply().unwrap().1.cards[0]
        .description
        .clone()
        .unwrap();
    assert_eq!(text.lines().count(), 7);
    assert!(text.lines().next().unwrap().contains("Junior"));
    assert!(text.lines().nth(4).unwrap().contains("Senior"), "{text}");
    // An extra post now: public in the channel, with the role mentioned (and only it), and
    // a private confirmation; it does not count as the day's post.
    let now = w.command(
        GUILD,
        "daily now",
        vec![RawOption::text("channel", &format!("<#{CHANNEL}>"))],
        Permissions::ADMINISTRATOR,
    );
    assert!(!now.is_error, "{now:?}");
    let posts = w.posts_in(CHANNEL);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].3.ping_roles, vec![RoleId(77)]);
    assert!(posts[0].3.content.clone().unwrap().contains("<@&77>"));
    w.walk("2026-06-01T13:30:00Z", 10 * 60 * 1000);
    assert_eq!(w.posts_in(CHANNEL).len(), 2, "the day's post still comes");
}

#[test]
fn a_failed_send_is_sent_again_with_the_same_question_and_nonce() {
    let mut w = World::new("2026-06-01T08:59:00Z");
    w.set(GUILD, CHANNEL, &[("time", "09:00")]);
    w.discord
        .fail_next
        .push(Delivered::Failed("504 Gateway Timeout".into()));
    w.clock.set(ms("2026-06-01T09:00:10Z"));
    w.tick();
    let db = rusqlite::Connection::open(&w.db).unwrap();
    let (claimed, nonce, step): (String, String, String) = db
        .query_row(
            "SELECT question_id, nonce, next_step FROM daily_posts WHERE status = 'claimed'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(step, "resend", "the claim and its question are kept");
    w.walk("2026-06-01T09:10:00Z", 30_000);
    let posts = w.posts_in(CHANNEL);
    assert_eq!(posts.len(), 1);
    assert_eq!(
        w.question_of(&posts[0].3),
        claimed,
        "the question claimed first is the one posted"
    );
    assert_eq!(posts[0].2.as_deref(), Some(nonce.as_str()));
}

#[test]
fn a_young_claim_makes_the_scheduler_wait_not_spin() {
    let mut w = World::new("2026-06-01T08:59:00Z");
    w.set(GUILD, CHANNEL, &[("time", "09:00")]);
    w.clock.set(ms("2026-06-01T09:00:30Z"));
    let due = w.engine.daily_jobs(w.clock.now_ms()).unwrap();
    // Claimed, then the process stops before sending.
    let _ = w.engine.run(&due.jobs[0]);
    w.restart();
    let now = w.clock.now_ms();
    let due = w.engine.daily_jobs(now).unwrap();
    assert!(due.jobs.is_empty());
    let next = due.next_ms.expect("a time to look again");
    assert!(
        next > now,
        "no wake-up in the past (the scheduler would spin)"
    );
    assert!(next <= now + 120_000);
}

#[test]
fn a_failure_recorded_with_an_in_memory_store_does_not_deadlock() {
    let dir_less = Store::open_in_memory().unwrap();
    let clock = Arc::new(ManualClock::new(ms("2026-06-01T08:59:00Z")));
    let mut w = World::new("2026-06-01T08:59:00Z");
    w.engine = Engine::new(common::real_bank(), dir_less, clock.clone());
    w.clock = clock;
    w.set(
        GUILD,
        CHANNEL,
        &[("time", "09:00"), ("reveal_after", "10m")],
    );
    w.discord.fail_next.push(Delivered::Failed("500".into()));
    // The failure's backoff is read while recording it: with an in-memory store (one
    // connection) this must not wait on itself.
    w.walk("2026-06-01T09:05:00Z", 30_000);
    assert_eq!(w.posts_in(CHANNEL).len(), 1);
}

/// A press of `custom_id` by a plain member in `guild` and `channel`, on the message `on`
/// (with that message's buttons as Discord sends them), or on no known message.
fn press_on(
    guild: u64,
    channel: u64,
    custom_id: &str,
    on: Option<(MessageId, &Message)>,
) -> Request {
    Request::member(
        guild,
        channel,
        common::member(77),
        Invocation::Button {
            custom_id: custom_id.to_string(),
            message: on.map(|(id, m)| SourceMessage {
                id,
                buttons: m.buttons.clone(),
                selects: Vec::new(),
            }),
        },
    )
}

/// The rubric's question, if the answer is one (its last card's footer starts with the id).
fn rubric_shown(e: &Engine, req: &Request) -> Option<String> {
    let o = common::run(e, req);
    if o.is_error {
        return None;
    }
    let (_, m) = o.first_reply()?;
    m.cards[0]
        .title
        .as_deref()
        .filter(|t| t.starts_with("Model answer"))?;
    let footer = m.cards.last()?.footer.clone()?;
    Some(footer.split(' ').next().unwrap().to_string())
}

/// The question of the channel's one daily post, from its row.
fn posted_question_id(w: &World) -> String {
    let db = rusqlite::Connection::open(&w.db).unwrap();
    db.query_row("SELECT question_id FROM daily_posts", [], |r| r.get(0))
        .unwrap()
}

/// Issue 19, finding 5: a forged `d:answer:<question id>` showed any question's rubric to any
/// member, on any server (daily answers are open to everyone). It now needs the daily post
/// it was posted on: this server's, this channel's, showing that question.
#[test]
fn a_forged_daily_answer_button_shows_no_rubric() {
    let mut w = World::new("2026-06-01T08:59:00Z");
    let other = common::real_bank().all()[3].id.clone();
    // A server with no schedule at all.
    let forged = format!("d:answer:{other}");
    assert_eq!(
        rubric_shown(&w.engine, &press_on(GUILD, CHANNEL, &forged, None)),
        None
    );

    w.set(GUILD, CHANNEL, &[("time", "09:00")]);
    w.walk("2026-06-01T09:05:00Z", 30_000);
    let (_, posted, _, post) = w.posts_in(CHANNEL)[0].clone();
    let q = posted_question_id(&w);
    assert_ne!(q, other);
    // Pressed on the post, an id naming another question: refused.
    let on_post = Some((posted, &post));
    assert_eq!(
        rubric_shown(&w.engine, &press_on(GUILD, CHANNEL, &forged, on_post)),
        None
    );
    // The post's own question, but on another message, or from another server or channel.
    let own = format!("d:answer:{q}");
    let elsewhere = Message::default();
    for req in [
        press_on(GUILD, CHANNEL, &own, None),
        press_on(
            GUILD,
            CHANNEL,
            &own,
            Some((MessageId(posted.0 + 5000), &elsewhere)),
        ),
        press_on(GUILD + 1, CHANNEL, &own, on_post),
        press_on(GUILD, CHANNEL + 1, &own, on_post),
    ] {
        assert_eq!(rubric_shown(&w.engine, &req), None, "{req:?}");
    }
    // Refused as any unknown button is.
    let o = common::run(&w.engine, &press_on(GUILD + 1, CHANNEL, &forged, None));
    let (_, m) = o.first_reply().unwrap();
    assert!(
        m.content
            .as_deref()
            .unwrap_or("")
            .contains("no longer works"),
        "{m:?}"
    );
}

/// A daily post's button names the post: it shows the post's question to anyone in its
/// channel, and nowhere else. A first-release button (`d:answer:<question id>`) still works
/// on its own post.
#[test]
fn daily_answer_buttons_work_on_their_post_only_and_old_ones_still_work() {
    let mut w = World::new("2026-06-01T08:59:00Z");
    w.set(GUILD, CHANNEL, &[("time", "09:00")]);
    w.walk("2026-06-01T09:05:00Z", 30_000);
    let (_, posted, _, post) = w.posts_in(CHANNEL)[0].clone();
    let q = posted_question_id(&w);
    let id = post.buttons[0].action.clone();
    let Ok(DailyButton::PostAnswer { post: named }) = id.parse::<DailyButton>() else {
        panic!("the button does not name its post: {id}")
    };
    let on_post = Some((posted, &post));
    assert_eq!(
        rubric_shown(&w.engine, &press_on(GUILD, CHANNEL, &id, on_post)),
        Some(q.clone())
    );
    assert_eq!(
        rubric_shown(&w.engine, &press_on(GUILD, CHANNEL, &id, None)),
        Some(q.clone())
    );
    // From another server or channel, on another message, or naming a post that is not there.
    let elsewhere = Message::default();
    let missing = DailyButton::PostAnswer {
        post: interview_bot::model::PostId(named.0 + 1),
    }
    .to_string();
    for req in [
        press_on(GUILD + 1, CHANNEL, &id, on_post),
        press_on(GUILD, CHANNEL + 1, &id, on_post),
        press_on(
            GUILD,
            CHANNEL,
            &id,
            Some((MessageId(posted.0 + 5000), &elsewhere)),
        ),
        press_on(GUILD, CHANNEL, &missing, None),
        press_on(GUILD, CHANNEL, "d:answer:post:x", None),
    ] {
        assert_eq!(rubric_shown(&w.engine, &req), None, "{req:?}");
    }
    // A button the first releases posted on this post, pressed there.
    let old = format!("d:answer:{q}");
    assert_eq!(
        rubric_shown(&w.engine, &press_on(GUILD, CHANNEL, &old, on_post)),
        Some(q)
    );
}

/// Issue 23: a pack switched off after the schedule was set leaves nothing to post, so the
/// schedule pauses with the reason instead of posting from the pack; `/daily set` refuses.
#[test]
fn a_schedule_pauses_when_its_pack_is_switched_off() {
    let mut w = World::new("2026-06-01T08:59:00Z");
    w.set(GUILD, CHANNEL, &[("time", "09:00")]);
    let aws = interview_bot::bank::PackId::parse("aws").unwrap();
    w.engine
        .store()
        .write(|db| {
            db.set_pack_enabled(
                interview_bot::model::GuildId(GUILD),
                &aws,
                false,
                interview_bot::model::UserId(1),
                0,
            )
        })
        .unwrap();
    w.clock.set(ms("2026-06-01T09:00:30Z"));
    w.tick();
    assert!(
        w.posts_in(CHANNEL).is_empty(),
        "nothing posted from a pack that is off"
    );
    let status = w.command(GUILD, "daily status", vec![], Permissions::ADMINISTRATOR);
    let text = format!("{:?}", status.first_reply().unwrap().1);
    assert!(
        text.contains("Paused") && text.contains("packs switched on"),
        "{text}"
    );
    let out = w.set(GUILD, CHANNEL + 1, &[("time", "10:00")]);
    assert!(out.is_error);
    let reply = out.first_reply().unwrap().1.content.clone().unwrap();
    assert!(
        reply.contains("Switched off in this server: `aws`"),
        "{reply}"
    );
}
