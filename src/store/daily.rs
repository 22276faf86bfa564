//! `daily_schedules` and `daily_posts`: daily practice, with each post claimed before it is
//! sent and recorded once Discord returned it, so nothing is posted twice.

use std::fmt::Debug;

use jiff::civil::Date;
use rusqlite::types::{FromSql, ToSql};
use rusqlite::{Row, params};

use super::types::{all, first, id, opt_id};
use super::{Db, StoreError};
use crate::model::{
    ChannelId, GuildId, LevelPlan, MessageId, NextStep, PostId, PostKind, PostStatus, RevealStatus,
    RoleId, ScheduleId, UserId,
};
use crate::time::{Days, TimeOfDay, Zone};

pub use crate::model::ScheduleStatus;

/// A channel's schedule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub id: ScheduleId,
    pub guild_id: GuildId,
    pub channel_id: ChannelId,
    pub channel_name: String,
    pub post_time: TimeOfDay,
    pub timezone: Zone,
    pub level: LevelPlan,
    pub topic: Option<String>,
    pub role_id: Option<RoleId>,
    pub reveal_after_s: u32,
    pub days: Days,
    pub status: ScheduleStatus,
    pub paused_reason: Option<String>,
    pub failing_since: Option<i64>,
    pub retry_at: Option<i64>,
    pub created_by: UserId,
    pub updated_at: i64,
}

/// What `/daily set` stores.
#[derive(Debug, Clone)]
pub struct NewSchedule<'a> {
    pub guild_id: GuildId,
    pub channel_id: ChannelId,
    pub channel_name: &'a str,
    pub post_time: TimeOfDay,
    pub timezone: &'a Zone,
    pub level: LevelPlan,
    pub topic: Option<&'a str>,
    pub role_id: Option<RoleId>,
    pub reveal_after_s: u32,
    pub days: Days,
    pub by: UserId,
    pub at_ms: i64,
}

/// One daily post as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyPost {
    pub id: PostId,
    pub guild_id: GuildId,
    pub channel_id: ChannelId,
    pub schedule_id: ScheduleId,
    pub kind: PostKind,
    pub local_date: Date,
    pub question_id: String,
    pub history_claim: Option<i64>,
    pub nonce: String,
    pub status: PostStatus,
    pub message_id: Option<MessageId>,
    pub claimed_at: i64,
    pub posted_at: Option<i64>,
    pub reveal_due_at: Option<i64>,
    /// `None`: no reveal (none was asked for, or it was given up).
    pub reveal_status: Option<RevealStatus>,
    pub thread_id: Option<ChannelId>,
    /// For a claim: what to do once `retry_at` has come; `None` after a stop (settle first).
    pub next_step: Option<NextStep>,
    pub retry_at: Option<i64>,
}

/// A post to claim before it is sent: a schedule's question for a local date.
#[derive(Debug, Clone)]
pub struct NewPost<'a> {
    pub schedule: &'a Schedule,
    pub kind: PostKind,
    pub local_date: Date,
    pub question_id: &'a str,
    /// The `question_history` row claimed with the post.
    pub history_claim: i64,
    pub reveal_due_at: Option<i64>,
    pub at_ms: i64,
}

/// The value in `column` of `table` read as `R` and made a `T` by `parse`; a value `parse`
/// refuses is an error naming the column and the value.
fn parsed<R: FromSql + Debug, T>(
    r: &Row<'_>,
    table: &str,
    column: &str,
    parse: impl Fn(&R) -> Option<T>,
) -> Result<T, StoreError> {
    let raw: R = r.get(column)?;
    match parse(&raw) {
        Some(value) => Ok(value),
        None => Err(StoreError::Sql(rusqlite::Error::FromSqlConversionFailure(
            r.as_ref().column_index(column)?,
            r.get_ref(column)?.data_type(),
            format!("unknown {table}.{column} {raw:?}").into(),
        ))),
    }
}

/// The columns [`schedule`] decodes.
const SCHEDULE_COLUMNS: &str = "id, guild_id, channel_id, channel_name, post_time, timezone, level,
    topic, role_id, reveal_after_s, days, status, paused_reason, failing_since, retry_at,
    created_by, updated_at";

/// What [`Db::select`] reads schedules from.
const SCHEDULES: (&str, &str) = (SCHEDULE_COLUMNS, "daily_schedules");

/// A row of [`SCHEDULE_COLUMNS`].
fn schedule(r: &Row<'_>) -> Result<Schedule, StoreError> {
    Ok(Schedule {
        id: r.get("id")?,
        guild_id: id(r, "guild_id")?,
        channel_id: id(r, "channel_id")?,
        channel_name: r.get("channel_name")?,
        post_time: parsed(r, "daily_schedules", "post_time", |t: &String| {
            TimeOfDay::parse(t)
        })?,
        timezone: parsed(r, "daily_schedules", "timezone", |z: &String| {
            Zone::named(z)
        })?,
        level: r.get("level")?,
        topic: r.get("topic")?,
        role_id: opt_id(r, "role_id")?,
        reveal_after_s: r.get("reveal_after_s")?,
        days: parsed(r, "daily_schedules", "days", |&d: &u8| Days::of(d))?,
        status: r.get("status")?,
        paused_reason: r.get("paused_reason")?,
        failing_since: r.get("failing_since")?,
        retry_at: r.get("retry_at")?,
        created_by: id(r, "created_by")?,
        updated_at: r.get("updated_at")?,
    })
}

/// The columns [`post`] decodes.
const POST_COLUMNS: &str = "id, guild_id, channel_id, schedule_id, kind, local_date, question_id,
    history_claim, nonce, status, message_id, claimed_at, posted_at, reveal_due_at,
    reveal_status, thread_id, next_step, retry_at";

/// What [`Db::select`] reads posts from.
const POSTS: (&str, &str) = (POST_COLUMNS, "daily_posts");

/// A row of [`POST_COLUMNS`].
fn post(r: &Row<'_>) -> Result<DailyPost, StoreError> {
    Ok(DailyPost {
        id: r.get("id")?,
        guild_id: id(r, "guild_id")?,
        channel_id: id(r, "channel_id")?,
        schedule_id: r.get("schedule_id")?,
        kind: r.get("kind")?,
        local_date: parsed(r, "daily_posts", "local_date", |d: &String| d.parse().ok())?,
        question_id: r.get("question_id")?,
        history_claim: r.get("history_claim")?,
        nonce: r.get("nonce")?,
        status: r.get("status")?,
        message_id: opt_id(r, "message_id")?,
        claimed_at: r.get("claimed_at")?,
        posted_at: r.get("posted_at")?,
        reveal_due_at: r.get("reveal_due_at")?,
        reveal_status: r.get("reveal_status")?,
        thread_id: opt_id(r, "thread_id")?,
        next_step: r.get("next_step")?,
        retry_at: r.get("retry_at")?,
    })
}

impl Db<'_> {
    /// Creates or replaces the channel's schedule (a paused or turned-off one becomes active
    /// again, keeping its id); returns it.
    pub fn set_schedule(&self, s: &NewSchedule<'_>) -> Result<Schedule, StoreError> {
        self.prep(
            "INSERT INTO daily_schedules (guild_id, channel_id, channel_name, post_time, timezone,
                 level, topic, role_id, reveal_after_s, days, status, created_by, created_at,
                 updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'active', ?11, ?12, ?12)
             ON CONFLICT (guild_id, channel_id) DO UPDATE SET
                 channel_name = ?3, post_time = ?4, timezone = ?5, level = ?6, topic = ?7,
                 role_id = ?8, reveal_after_s = ?9, days = ?10, status = 'active',
                 paused_reason = NULL, failing_since = NULL, retry_at = NULL,
                 created_by = ?11, updated_at = ?12",
        )?
        .execute(params![
            s.guild_id,
            s.channel_id,
            s.channel_name,
            s.post_time.to_string(),
            s.timezone.name(),
            s.level,
            s.topic,
            s.role_id,
            s.reveal_after_s,
            s.days.0,
            s.by,
            s.at_ms,
        ])?;
        self.schedule_in(s.guild_id, s.channel_id)?
            .ok_or(StoreError::Sql(rusqlite::Error::QueryReturnedNoRows))
    }

    /// Changes one row of `table` (`daily_schedules` or `daily_posts`), the guild's row `id`:
    /// `UPDATE {table} SET {set} WHERE guild_id = ?1 AND id = ?2 {and}`, with `values` bound
    /// from `?3` on. Returns how many rows changed (0 or 1).
    fn update_row(
        &self,
        table: &str,
        (guild_id, id): (GuildId, &dyn ToSql),
        set: &str,
        and: &str,
        values: &[&dyn ToSql],
    ) -> Result<usize, StoreError> {
        let guild = guild_id;
        let mut all: Vec<&dyn ToSql> = vec![&guild, id];
        all.extend_from_slice(values);
        Ok(self
            .prep(&format!(
                "UPDATE {table} SET {set} WHERE guild_id = ?1 AND id = ?2 {and}"
            ))?
            .execute(all.as_slice())?)
    }

    /// [`Db::update_row`] of a schedule.
    fn update_schedule(
        &self,
        guild_id: GuildId,
        id: ScheduleId,
        set: &str,
        and: &str,
        values: &[&dyn ToSql],
    ) -> Result<(), StoreError> {
        self.update_row("daily_schedules", (guild_id, &id), set, and, values)?;
        Ok(())
    }

    /// [`Db::update_row`] of a post.
    fn update_post(
        &self,
        guild_id: GuildId,
        id: PostId,
        set: &str,
        and: &str,
        values: &[&dyn ToSql],
    ) -> Result<(), StoreError> {
        self.update_row("daily_posts", (guild_id, &id), set, and, values)?;
        Ok(())
    }

    /// `SELECT {columns} FROM {table} WHERE {clause}` ([`SCHEDULES`] or [`POSTS`]), its rows
    /// read by `read` ([`all`] or [`first`], with the table's decoder).
    fn select<T>(
        &self,
        (columns, table): (&str, &str),
        clause: &str,
        params: impl rusqlite::Params,
        read: impl FnOnce(rusqlite::Rows<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut stmt = self.prep(&format!("SELECT {columns} FROM {table} WHERE {clause}"))?;
        read(stmt.query(params)?)
    }

    /// The channel's schedule, whatever its status.
    pub fn schedule_in(
        &self,
        guild_id: GuildId,
        channel_id: ChannelId,
    ) -> Result<Option<Schedule>, StoreError> {
        self.select(
            SCHEDULES,
            "guild_id = ?1 AND channel_id = ?2",
            params![guild_id, channel_id],
            |rows| first(rows, schedule),
        )
    }

    pub fn schedule_by_id(
        &self,
        guild_id: GuildId,
        id: ScheduleId,
    ) -> Result<Option<Schedule>, StoreError> {
        self.select(
            SCHEDULES,
            "guild_id = ?1 AND id = ?2",
            params![guild_id, id],
            |rows| first(rows, schedule),
        )
    }

    /// The guild's schedules that are not off, by channel name.
    pub fn schedules(&self, guild_id: GuildId) -> Result<Vec<Schedule>, StoreError> {
        self.select(
            SCHEDULES,
            "guild_id = ?1 AND status != 'off' ORDER BY channel_name, channel_id",
            [guild_id],
            |rows| all(rows, schedule),
        )
    }

    /// Every active schedule of every guild (for the scheduler).
    pub fn active_schedules(&self) -> Result<Vec<Schedule>, StoreError> {
        self.select(SCHEDULES, "status = 'active'", [], |rows| {
            all(rows, schedule)
        })
    }

    /// Turns the channel's schedule off; false if it had none (or it was off already).
    pub fn schedule_off(
        &self,
        guild_id: GuildId,
        channel_id: ChannelId,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        Ok(self
            .prep(
                "UPDATE daily_schedules SET status = 'off', updated_at = ?3
              WHERE guild_id = ?1 AND channel_id = ?2 AND status != 'off'",
            )?
            .execute(params![guild_id, channel_id, at_ms])?
            == 1)
    }

    /// Discord refused for good: the schedule waits for `/daily set`.
    pub fn pause_schedule(
        &self,
        guild_id: GuildId,
        id: ScheduleId,
        reason: &str,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.update_schedule(
            guild_id,
            id,
            "status = 'paused', paused_reason = ?3, failing_since = NULL, retry_at = NULL,
                 updated_at = ?4",
            "AND status = 'active'",
            &[&reason, &at_ms],
        )
    }

    /// A transient failure: try again at `retry_at`. Returns whether this opened a new
    /// incident (so it is logged once).
    pub fn schedule_failed(
        &self,
        guild_id: GuildId,
        id: ScheduleId,
        at_ms: i64,
        retry_at: i64,
    ) -> Result<bool, StoreError> {
        let guild = guild_id;
        let open: Option<i64> = self
            .prep("SELECT failing_since FROM daily_schedules WHERE guild_id = ?1 AND id = ?2")?
            .query_row(params![guild, id], |r| r.get(0))?;
        self.update_schedule(
            guild_id,
            id,
            "failing_since = COALESCE(failing_since, ?3), retry_at = ?4",
            "",
            &[&at_ms, &retry_at],
        )?;
        Ok(open.is_none())
    }

    /// A post went through: the incident, if any, is over.
    pub fn schedule_recovered(&self, guild_id: GuildId, id: ScheduleId) -> Result<(), StoreError> {
        self.update_schedule(
            guild_id,
            id,
            "failing_since = NULL, retry_at = NULL",
            "",
            &[],
        )
    }

    /// Claims a post before it is sent. For a scheduled post, `None` if the channel already
    /// has one for that local date (posted, or claimed by an earlier attempt).
    pub fn claim_post(&self, new: &NewPost<'_>) -> Result<Option<DailyPost>, StoreError> {
        let NewPost {
            schedule,
            kind,
            local_date,
            question_id,
            history_claim,
            reveal_due_at,
            at_ms,
        } = *new;
        let local_date = local_date.to_string();
        let inserted = self
            .prep(
                "INSERT INTO daily_posts (guild_id, channel_id, schedule_id, kind, local_date,
                 question_id, history_claim, nonce, status, claimed_at, reveal_due_at,
                 reveal_status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '', 'claimed', ?8, ?9,
                     CASE WHEN ?9 IS NULL THEN NULL ELSE 'claimed' END)
             ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                schedule.guild_id,
                schedule.channel_id,
                schedule.id,
                kind,
                &local_date,
                question_id,
                history_claim,
                at_ms,
                reveal_due_at,
            ])?;
        if inserted == 0 {
            return Ok(None);
        }
        let id = PostId(self.conn.last_insert_rowid());
        // Derived from the schedule and the day (or the row, for extra posts), at most 25
        // characters as Discord wants, so Discord itself drops a repeat sent soon after.
        let nonce = match kind {
            PostKind::Scheduled => format!("ib{}-{}", schedule.id, local_date.replace('-', "")),
            PostKind::Extra => format!("ibx{id}"),
        };
        self.update_post(schedule.guild_id, id, "nonce = ?3", "", &[&nonce])?;
        self.post(schedule.guild_id, id)
    }

    /// The guild's post `id`, if there is one.
    pub fn post(&self, guild_id: GuildId, id: PostId) -> Result<Option<DailyPost>, StoreError> {
        self.select(
            POSTS,
            "guild_id = ?1 AND id = ?2",
            params![guild_id, id],
            |rows| first(rows, post),
        )
    }

    /// The guild's post that Discord gave the message id `message_id`, if any (how a daily
    /// post's first-release button, which names only its question, is checked).
    pub fn post_by_message(
        &self,
        guild_id: GuildId,
        message_id: MessageId,
    ) -> Result<Option<DailyPost>, StoreError> {
        self.select(
            POSTS,
            "guild_id = ?1 AND message_id = ?2",
            params![guild_id, message_id],
            |rows| first(rows, post),
        )
    }

    /// The scheduled post of a channel on a local date, if any.
    pub fn post_on(
        &self,
        guild_id: GuildId,
        channel_id: ChannelId,
        local_date: Date,
    ) -> Result<Option<DailyPost>, StoreError> {
        self.select(
            POSTS,
            "guild_id = ?1 AND channel_id = ?2 AND local_date = ?3 AND kind = 'scheduled'",
            params![guild_id, channel_id, local_date.to_string()],
            |rows| first(rows, post),
        )
    }

    /// The channel's latest scheduled post.
    pub fn last_post(
        &self,
        guild_id: GuildId,
        channel_id: ChannelId,
    ) -> Result<Option<DailyPost>, StoreError> {
        self.select(
            POSTS,
            "guild_id = ?1 AND channel_id = ?2 AND kind = 'scheduled'
                  ORDER BY local_date DESC LIMIT 1",
            params![guild_id, channel_id],
            |rows| first(rows, post),
        )
    }

    /// Posts claimed but never recorded as sent (the process stopped in between).
    pub fn unsettled_posts(&self) -> Result<Vec<DailyPost>, StoreError> {
        self.select(POSTS, "status = 'claimed' ORDER BY id", [], |rows| {
            all(rows, post)
        })
    }

    /// Posts whose reveal is due by `now` and not done.
    pub fn due_reveals(&self, now_ms: i64) -> Result<Vec<DailyPost>, StoreError> {
        self.select(
            POSTS,
            "reveal_status IN ('claimed', 'reply') AND status = 'posted' AND reveal_due_at <= ?1
                AND (reveal_retry_at IS NULL OR reveal_retry_at <= ?1)
              ORDER BY reveal_due_at",
            [now_ms],
            |rows| all(rows, post),
        )
    }

    /// The earliest reveal still to come after `now`.
    pub fn next_reveal_at(&self, now_ms: i64) -> Result<Option<i64>, StoreError> {
        Ok(self
            .prep(
                "SELECT MIN(MAX(reveal_due_at, COALESCE(reveal_retry_at, 0))) FROM daily_posts
              WHERE reveal_status IN ('claimed', 'reply') AND status = 'posted'
                AND MAX(reveal_due_at, COALESCE(reveal_retry_at, 0)) > ?1",
            )?
            .query_row([now_ms], |r| r.get(0))?)
    }

    /// Discord took the post.
    pub fn post_sent(
        &self,
        guild_id: GuildId,
        id: PostId,
        message_id: MessageId,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.update_post(
            guild_id,
            id,
            "status = 'posted', message_id = ?3, posted_at = ?4, next_step = NULL,
                 retry_at = NULL",
            "",
            &[&message_id, &at_ms],
        )
    }

    /// What to do with a claim next, and not before when.
    pub fn post_retry(
        &self,
        guild_id: GuildId,
        id: PostId,
        step: NextStep,
        retry_at: i64,
    ) -> Result<(), StoreError> {
        self.update_post(
            guild_id,
            id,
            "next_step = ?3, retry_at = ?4",
            "AND status = 'claimed'",
            &[&step, &retry_at],
        )
    }

    /// A reveal failed on Discord's side: try again after `retry_at`.
    pub fn reveal_failed(
        &self,
        guild_id: GuildId,
        id: PostId,
        retry_at: i64,
    ) -> Result<(), StoreError> {
        self.update_post(guild_id, id, "reveal_retry_at = ?3", "", &[&retry_at])
    }

    /// The post never went out: forget the claim so it can be tried again (or not, if the
    /// day is over).
    pub fn release_post(&self, guild_id: GuildId, id: PostId) -> Result<(), StoreError> {
        self.prep(
            "DELETE FROM daily_posts WHERE guild_id = ?1 AND id = ?2 AND status = 'claimed'",
        )?
        .execute(params![guild_id, id])?;
        Ok(())
    }

    /// The answer was revealed (in a thread, or as a reply when no thread could be made).
    pub fn post_revealed(
        &self,
        guild_id: GuildId,
        id: PostId,
        thread_id: Option<ChannelId>,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        self.update_post(
            guild_id,
            id,
            "reveal_status = 'revealed', revealed_at = ?4, thread_id = ?3,
                 reveal_retry_at = NULL",
            "",
            &[&thread_id, &at_ms],
        )
    }

    /// No thread could be made for the reveal: post it as a reply instead.
    pub fn reveal_as_reply(&self, guild_id: GuildId, id: PostId) -> Result<(), StoreError> {
        self.update_post(guild_id, id, "reveal_status = 'reply'", "", &[])
    }

    /// Gives up a reveal that cannot happen (the post is gone).
    pub fn drop_reveal(&self, guild_id: GuildId, id: PostId) -> Result<(), StoreError> {
        self.update_post(guild_id, id, "reveal_status = NULL", "", &[])
    }

    /// Questions of a channel's history, for the per-channel non-repeat rule.
    pub fn channel_show_counts(
        &self,
        guild_id: GuildId,
        channel_id: ChannelId,
    ) -> Result<std::collections::HashMap<String, super::ShowCount>, StoreError> {
        let mut stmt = self.prep(
            "SELECT question_id, COUNT(*), MAX(shown_at) FROM question_history
              WHERE guild_id = ?1 AND channel_id = ?2 AND source = 'daily'
              GROUP BY question_id",
        )?;
        let rows = stmt.query_map(params![guild_id, channel_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                super::ShowCount {
                    times: r.get(1)?,
                    last_ms: r.get(2)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Store, StoreError};

    /// A stored time, zone, day set or date that does not read as one (a damaged or
    /// hand-edited file) fails the read that meets it, naming the column and the value.
    #[test]
    fn an_invalid_stored_time_zone_days_or_date_is_an_error_naming_it() {
        let cases = [
            ("'25:00', 'UTC', 127", "daily_schedules.post_time \"25:00\""),
            (
                "'09:00', 'Mars/Olympus', 127",
                "daily_schedules.timezone \"Mars/Olympus\"",
            ),
            ("'09:00', 'UTC', 128", "daily_schedules.days 128"),
        ];
        for (values, named) in cases {
            let store = Store::open_in_memory().unwrap();
            store
                .write(|db| {
                    db.conn
                        .pragma_update(None, "ignore_check_constraints", true)?;
                    db.conn.execute_batch(&format!(
                        "INSERT INTO daily_schedules (id, guild_id, channel_id, post_time,
                             timezone, days, level, reveal_after_s, status, created_by,
                             created_at, updated_at)
                         VALUES (1, 5, 6, {values}, 'mid', 60, 'active', 1, 0, 0)"
                    ))?;
                    Ok::<_, StoreError>(())
                })
                .unwrap();
            let e = store
                .read(|db| db.schedules(crate::model::GuildId(5)))
                .unwrap_err()
                .to_string();
            assert!(e.contains(&format!("unknown {named}")), "{e}");
        }
        let store = Store::open_in_memory().unwrap();
        store
            .write(|db| {
                db.conn.execute_batch(
                    "INSERT INTO daily_schedules (id, guild_id, channel_id, post_time, timezone,
                         days, level, reveal_after_s, status, created_by, created_at, updated_at)
                     VALUES (1, 5, 6, '09:00', 'UTC', 127, 'mid', 60, 'active', 1, 0, 0);
                     INSERT INTO daily_posts (id, guild_id, channel_id, schedule_id, kind,
                         local_date, question_id, nonce, status, claimed_at)
                     VALUES (1, 5, 6, 1, 'scheduled', 'someday', 'q', 'n', 'claimed', 0);",
                )?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let e = store
            .read(|db| db.unsettled_posts())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown daily_posts.local_date \"someday\""),
            "{e}"
        );
    }
}
