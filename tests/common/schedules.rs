//! Daily schedules all due at once, written straight into a database before the bot starts:
//! for the 300-schedule test (`tests/discord_e2e.rs`) and the benchmark's daily section
//! (`benches/interview.rs`, which includes this file by path).

use std::path::Path;

use interview_bot::model::{ChannelId, GuildId, Level, LevelPlan, UserId};
use interview_bot::store::{NewSchedule, Store, StoreError};
use interview_bot::time::{Days, TimeOfDay, Zone};

/// The first of the channels [`due_now`] schedules (`practice-0`); the others follow.
pub const FIRST_CHANNEL: u64 = 700_000_000_000_000_000;

/// `n` schedules in guild `guild`, channels `FIRST_CHANNEL..FIRST_CHANNEL + n` named
/// `practice-{i}`, each posting at this minute in UTC and set an hour ago, so that today's post
/// is owed at once. One write transaction.
pub fn due_now(db: &Path, guild: u64, n: u64) {
    let now = jiff::Timestamp::now();
    let utc = now.to_zoned(jiff::tz::TimeZone::UTC);
    let time = TimeOfDay::parse(&format!("{:02}:{:02}", utc.hour(), utc.minute())).unwrap();
    let zone = Zone::named("UTC").unwrap();
    let store = Store::open(db).unwrap();
    store
        .write(|d| {
            for i in 0..n {
                let name = format!("practice-{i}");
                d.set_schedule(&NewSchedule {
                    guild_id: GuildId(guild),
                    channel_id: ChannelId(FIRST_CHANNEL + i),
                    channel_name: &name,
                    post_time: time,
                    timezone: &zone,
                    level: LevelPlan::Fixed(Level::Mid),
                    topic: None,
                    role_id: None,
                    reveal_after_s: 12 * 3600,
                    days: Days::EVERY_DAY,
                    by: UserId(1),
                    at_ms: now.as_millisecond() - 3_600_000,
                })?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    store.close().unwrap();
}
