//! The database: migrations from scratch, twice, and from every older version.

use std::collections::BTreeSet;

use interview_bot::model::{ChannelId, GuildId};
use interview_bot::store::{self, MIGRATIONS, Store};
use rusqlite::Connection;

fn version(conn: &Connection) -> usize {
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

fn tables(conn: &Connection) -> BTreeSet<String> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn every_migration_file_is_embedded_in_order() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    let embedded: Vec<&str> = MIGRATIONS.iter().map(|(name, _)| *name).collect();
    assert_eq!(files, embedded);
    for (i, name) in embedded.iter().enumerate() {
        assert!(
            name.starts_with(&format!("{:04}_", i + 1)),
            "{name} is out of sequence"
        );
    }
}

#[test]
fn a_new_database_gets_the_whole_schema_and_reopening_is_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap() as usize, MIGRATIONS.len());
    drop(store);
    // Applying twice (a restart) changes nothing and loses nothing.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap() as usize, MIGRATIONS.len());
    drop(store);

    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let t = tables(&conn);
    for name in [
        "guild_settings",
        "question_history",
        "daily_schedules",
        "daily_posts",
        "candidates",
        "interview_sessions",
        "scores",
        "audit_log",
        "score_history",
        "recommendations",
        "candidate_messages",
        "rubric_access",
    ] {
        assert!(t.contains(name), "missing table {name}");
        // Every table carries its guild.
        let cols: Vec<String> = conn
            .prepare(&format!("PRAGMA table_info({name})"))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(1))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(
            cols.iter().any(|c| c == "guild_id"),
            "{name} has no guild_id"
        );
    }
}

#[test]
fn upgrades_from_every_older_version() {
    for start in 0..MIGRATIONS.len() {
        let mut conn = Connection::open_in_memory().unwrap();
        store::migrate_partially(&mut conn, start).unwrap();
        assert_eq!(version(&conn), start);
        store::migrate(&mut conn).unwrap();
        assert_eq!(version(&conn), MIGRATIONS.len());
        store::migrate(&mut conn).unwrap();
        assert_eq!(version(&conn), MIGRATIONS.len());
    }
}

#[test]
fn schema_enforces_ratings_and_cascades_candidate_deletion() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    drop(Store::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    conn.execute_batch(
        "INSERT INTO candidates (id, guild_id, name, name_key, created_by, created_at)
             VALUES (1, 10, 'Ada', 'ada', 5, 0);
         INSERT INTO interview_sessions (id, guild_id, channel_id, candidate_id, kind, started_by, started_at)
             VALUES (1, 10, 20, 1, 'adhoc', 5, 0);
         INSERT INTO scores (guild_id, candidate_id, session_id, question_id, interviewer_id, interviewer_name, rating, created_at, updated_at)
             VALUES (10, 1, 1, 'aws-s3-basics', 5, 'x', 4, 0, 0);",
    )
    .unwrap();
    let bad = conn.execute(
        "INSERT INTO scores (guild_id, candidate_id, session_id, question_id, interviewer_id, interviewer_name, rating, created_at, updated_at)
             VALUES (10, 1, 1, 'aws-vpc-basics', 5, 'x', 5, 0, 0)",
        [],
    );
    assert!(bad.is_err(), "a rating of 5 must be refused");
    // A score cannot point at a candidate or session of another guild.
    let cross = conn.execute(
        "INSERT INTO scores (guild_id, candidate_id, session_id, question_id, interviewer_id, interviewer_name, rating, created_at, updated_at)
             VALUES (99, 1, 1, 'aws-vpc-basics', 5, 'x', 3, 0, 0)",
        [],
    );
    assert!(cross.is_err(), "cross-guild reference must be refused");
    // One open guided session per channel.
    conn.execute_batch(
        "INSERT INTO interview_sessions (guild_id, channel_id, candidate_id, kind, started_by, started_at)
             VALUES (10, 21, 1, 'guided', 5, 0);",
    )
    .unwrap();
    let second = conn.execute(
        "INSERT INTO interview_sessions (guild_id, channel_id, candidate_id, kind, started_by, started_at)
             VALUES (10, 21, 1, 'guided', 6, 0)",
        [],
    );
    assert!(
        second.is_err(),
        "a second open session in a channel must be refused"
    );
    conn.execute("DELETE FROM candidates WHERE id = 1", [])
        .unwrap();
    let left: i64 = conn
        .query_row("SELECT COUNT(*) FROM scores", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn a_database_from_a_newer_version_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    drop(Store::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let err = Store::open(&path).unwrap_err().to_string();
    assert!(err.contains("migrate"), "{err}");
}

#[test]
fn question_counts_follow_claims_and_releases_and_are_backfilled() {
    use interview_bot::store::{ShownQuestion, Source, StoreError};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    // History written before version 5 is counted by the migration.
    {
        let mut conn = Connection::open(&path).unwrap();
        store::migrate_partially(&mut conn, 4).unwrap();
        conn.execute_batch(
            "INSERT INTO question_history (guild_id, channel_id, question_id, source, shown_at)
                 VALUES (1, 2, 'q-a', 'command', 10), (1, 2, 'q-a', 'command', 30),
                        (1, 2, 'q-b', 'command', 20), (9, 2, 'q-a', 'command', 5);",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let counts = store.read(|db| db.show_counts(GuildId(1))).unwrap();
    assert_eq!((counts["q-a"].times, counts["q-a"].last_ms), (2, 30));
    assert_eq!((counts["q-b"].times, counts["q-b"].last_ms), (1, 20));
    assert_eq!(
        store.read(|db| db.show_counts(GuildId(9))).unwrap()["q-a"].times,
        1
    );
    // Claims count at once; a released claim no longer counts.
    let shown = |q: &'static str, at: i64| ShownQuestion {
        guild_id: GuildId(1),
        channel_id: ChannelId(2),
        question_id: q,
        shown_by: None,
        source: Source::Command,
        at_ms: at,
    };
    let c1 = store.write(|db| db.claim_shown(&shown("q-a", 40))).unwrap();
    let c2 = store.write(|db| db.claim_shown(&shown("q-c", 50))).unwrap();
    let counts = store.read(|db| db.show_counts(GuildId(1))).unwrap();
    assert_eq!((counts["q-a"].times, counts["q-a"].last_ms), (3, 40));
    assert_eq!(counts["q-c"].times, 1);
    store
        .write(|db| {
            db.release_shown(GuildId(1), c1)?;
            db.release_shown(GuildId(1), c2)?;
            // Releasing twice, or another guild's claim, changes nothing.
            db.release_shown(GuildId(1), c1)?;
            db.release_shown(GuildId(9), c2)?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    let counts = store.read(|db| db.show_counts(GuildId(1))).unwrap();
    assert_eq!((counts["q-a"].times, counts["q-a"].last_ms), (2, 30));
    assert!(!counts.contains_key("q-c"));
    // They agree with the history itself.
    let conn = Connection::open(&path).unwrap();
    let from_history: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM question_history WHERE guild_id = 1 AND question_id = 'q-a'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(from_history, 2);
}
