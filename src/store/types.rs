//! The model's closed sets in SQL: each is stored as its one string form
//! ([`crate::model::Closed::as_str`]), and a stored value that is none of them is an error
//! naming the column and the value, never a default. Also the row helpers the decoders share.

use rusqlite::Row;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use super::{StoreError, discord_id};
use crate::model::{
    CandidateId, ChannelId, Closed, GuildId, Level, LevelPlan, MessageId, NextStep, PackId, PostId,
    PostKind, PostStatus, Recommendation, RevealStatus, RoleId, RubricAccess, RubricId, ScheduleId,
    ScheduleStatus, SessionId, SessionKind, SessionStatus, Source, SuggestionStatus, Ticks, UserId,
};

/// `ToSql` and `FromSql` for a closed set kept in one column (named in the error), and the
/// list the round-trip test walks, so every mapped set is tested.
macro_rules! text_column {
    ($($t:ty => $column:literal,)+) => {
        #[cfg(test)]
        fn each_text_column(store: &super::Store) {
            $( tests::each::<$t>(store, $column); )+
        }
        $(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(Closed::as_str(*self)))
            }
        }

        impl FromSql for $t {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let s = value.as_str()?;
                <$t as Closed>::parse_exact(s).ok_or_else(|| {
                    FromSqlError::Other(format!("unknown {} {s:?}", $column).into())
                })
            }
        }
    )+};
}

text_column! {
    Recommendation => "recommendations.recommendation",
    RubricAccess => "rubric_access.access",
    ScheduleStatus => "daily_schedules.status",
    LevelPlan => "daily_schedules.level",
    PostKind => "daily_posts.kind",
    PostStatus => "daily_posts.status",
    RevealStatus => "daily_posts.reveal_status",
    NextStep => "daily_posts.next_step",
    SessionKind => "interview_sessions.kind",
    SessionStatus => "interview_sessions.status",
    Level => "interview_sessions.level",
    Source => "question_history.source",
    SuggestionStatus => "suggestions.status",
}

/// `ToSql` and `FromSql` for an id kept in SQLite's signed 64-bit integer: a row id as it is,
/// a Discord id (a `u64`; Discord's snowflakes stay below 2^63) checked both ways, so a
/// negative stored value is an error, not a wrapped-around number.
/// An id past `i64::MAX`, refused when bound (it would wrap to a negative number); the store
/// reports it as [`super::StoreError::IdOutOfRange`].
#[derive(Debug)]
pub(crate) struct IdTooLarge(pub u64);

impl std::fmt::Display for IdTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the id {} does not fit in the database's integer type",
            self.0
        )
    }
}

impl std::error::Error for IdTooLarge {}

macro_rules! id_column {
    (@from $t:ty) => {
        impl FromSql for $t {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let raw = value.as_i64()?;
                raw.try_into().map(Self).map_err(|_| FromSqlError::OutOfRange(raw))
            }
        }
    };
    (discord: $($d:ty),+; rows: $($r:ty),+ $(,)?) => {
        $(
            // A Discord id is a u64: one past i64::MAX is refused, not wrapped.
            impl ToSql for $d {
                fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                    let raw = i64::try_from(self.0).map_err(|_| {
                        rusqlite::Error::ToSqlConversionFailure(Box::new(IdTooLarge(self.0)))
                    })?;
                    Ok(ToSqlOutput::from(raw))
                }
            }
            id_column!(@from $d);
        )+
        $(
            // A row id is SQLite's own integer.
            impl ToSql for $r {
                fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                    Ok(ToSqlOutput::from(self.0))
                }
            }
            id_column!(@from $r);
        )+
    };
}

id_column! {
    discord: GuildId, UserId, ChannelId, RoleId, MessageId;
    rows: CandidateId, SessionId, ScheduleId, PostId, RubricId,
}

/// A pack id is stored as its slug; a stored value that is not one is an error.
impl ToSql for PackId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for PackId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = value.as_str()?;
        PackId::parse(s).ok_or_else(|| FromSqlError::Other(format!("unknown pack id {s:?}").into()))
    }
}

/// Ticks are stored as their bits, a non-negative integer; anything else is an error.
impl ToSql for Ticks {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(i64::from(self.0)))
    }
}

impl FromSql for Ticks {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let v = i64::column_result(value)?;
        u32::try_from(v)
            .map(Ticks)
            .map_err(|_| FromSqlError::OutOfRange(v))
    }
}

/// The Discord id in `column`, checked.
pub(super) fn id<T: From<u64>>(r: &Row<'_>, column: &str) -> Result<T, StoreError> {
    discord_id(r.get(column)?).map(T::from)
}

/// The Discord id in `column`, if any, checked.
pub(super) fn opt_id<T: From<u64>>(r: &Row<'_>, column: &str) -> Result<Option<T>, StoreError> {
    r.get::<_, Option<i64>>(column)?
        .map(|raw| discord_id(raw).map(T::from))
        .transpose()
}

/// Every row, decoded by `decode`.
pub(super) fn all<T>(
    mut rows: rusqlite::Rows<'_>,
    decode: impl Fn(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(decode(r)?);
    }
    Ok(out)
}

/// The first row, if any, decoded by `decode`.
pub(super) fn first<T>(
    mut rows: rusqlite::Rows<'_>,
    decode: impl Fn(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    rows.next()?.map(decode).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, StoreError};

    fn read<T: FromSql>(store: &Store, sql: &str) -> Result<T, StoreError> {
        store.read(|db| Ok(db.conn.query_row(sql, [], |r| r.get::<_, T>(0))?))
    }

    fn unknown<T: FromSql + std::fmt::Debug>(store: &Store, column: &str) {
        let e = read::<T>(store, "SELECT 'xyz'").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains(&format!("unknown {column} \"xyz\"")),
            "{column}: {text}"
        );
    }

    /// Ids read back what they wrote; a negative stored Discord id is an error, not a
    /// wrapped-around number.
    #[test]
    fn ids_round_trip_through_sql() {
        let store = Store::open_in_memory().unwrap();
        let big = GuildId(u64::try_from(i64::MAX).unwrap());
        let back: GuildId = store
            .read(|db| Ok::<_, StoreError>(db.conn.query_row("SELECT ?1", [big], |r| r.get(0))?))
            .unwrap();
        assert_eq!(back, big);
        let row: SessionId = read(&store, "SELECT 42").unwrap();
        assert_eq!(row, SessionId(42));
        assert!(read::<UserId>(&store, "SELECT -1").is_err());
        assert!(
            store
                .read(|db| Ok::<_, StoreError>(db.conn.query_row(
                    "SELECT ?1",
                    [ChannelId(u64::MAX)],
                    |r| r.get::<_, i64>(0)
                )?))
                .is_err(),
            "an id past i64 is refused, not stored wrapped"
        );
    }

    /// A closed set reads back what it wrote, and a stored value that is not one of its values
    /// is an error naming the column and the value.
    pub(super) fn each<T: Closed + ToSql + FromSql + std::fmt::Debug>(store: &Store, column: &str) {
        for &v in T::VALUES {
            let back: T = store
                .read(|db| Ok::<_, StoreError>(db.conn.query_row("SELECT ?1", [v], |r| r.get(0))?))
                .unwrap();
            assert_eq!(back, v);
        }
        unknown::<T>(store, column);
    }

    /// Every closed set the store maps round-trips, and refuses an unknown stored value.
    #[test]
    fn closed_sets_round_trip_through_sql_and_unknown_values_are_errors() {
        let store = Store::open_in_memory().unwrap();
        super::each_text_column(&store);
        // A level in another case is not the stored form either.
        assert!(read::<Level>(&store, "SELECT 'Junior'").is_err());
    }

    /// A row holding a value outside its column's set (written past the CHECK constraint, as
    /// a damaged or hand-edited file could) makes the read fail, naming the column and the
    /// value, rather than reading as some default.
    #[test]
    fn an_unknown_stored_value_fails_the_read_that_meets_it() {
        let store = Store::open_in_memory().unwrap();
        store
            .write(|db| {
                db.conn.pragma_update(None, "ignore_check_constraints", true)?;
                db.conn.execute_batch(
                    "INSERT INTO daily_schedules (id, guild_id, channel_id, post_time, timezone,
                         level, reveal_after_s, days, status, created_by, created_at, updated_at)
                     VALUES (1, 5, 6, '09:00', 'UTC', 'mid', 60, 127, 'snoozed', 1, 0, 0);
                     INSERT INTO rubric_access (guild_id, channel_id, access, updated_by, updated_at)
                     VALUES (5, 0, 'nobody', 1, 0);",
                )?;
                db.conn.pragma_update(None, "ignore_check_constraints", false)?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let e = store
            .read(|db| db.schedules(GuildId(5)))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown daily_schedules.status \"snoozed\""),
            "{e}"
        );
        let e = store
            .read(|db| db.rubric_access(GuildId(5), ChannelId(6)))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown rubric_access.access \"nobody\""), "{e}");
    }
}
