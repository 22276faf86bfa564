//! Issue 19, findings 2 and 9: `/scores forget` leaves no copy of the candidate in the database
//! file or its write-ahead log, and every `/scores export` is in the audit trail.

mod common;

use common::{Handle, command_as, fixture, who};
use interview_bot::clock::Clock;
use interview_bot::engine::{Member, Permissions};
use interview_bot::model::{GuildId, RoleId, UserId};

const GUILD: u64 = common::GUILD;
const ROLE: u64 = 444_444_444_444_444_444;
/// Distinctive enough that it appears nowhere else in a fresh database.
const NAME: &str = "Zephyrine Quillfeatherstone";
const NOTE: &str = "NOTEMARKER-4f9c1e-only-in-this-note";
const REASON: &str = "REASONMARKER-77ab01-only-in-this-reason";

fn interviewer() -> Member {
    who(1001, "Alice", &[ROLE], 0)
}
fn manager() -> Member {
    who(1004, "Mia", &[], Permissions::MANAGE_GUILD)
}

fn setup() -> common::Fixture {
    let f = fixture();
    f.engine
        .store()
        .write(|db| db.set_interviewer_role(GuildId(GUILD), Some(RoleId(ROLE)), UserId(1), 0))
        .unwrap();
    f
}

/// Whether `needle` occurs in the raw bytes of `path` (a file that does not exist holds
/// nothing).
fn file_holds(path: &std::path::Path, needle: &str) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn wal(path: &std::path::Path) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push("-wal");
    s.into()
}

#[test]
fn a_forgotten_candidate_leaves_no_bytes_in_the_database_or_its_wal() {
    let f = setup();
    let e = &f.engine;
    for (q, rating) in [("aws-s3-basics", "3"), ("aws-regions-azs", "4")] {
        let r = e.handle(&command_as(
            GUILD,
            &interviewer(),
            "score",
            &[
                ("candidate", NAME),
                ("question", q),
                ("rating", rating),
                ("notes", NOTE),
            ],
        ));
        assert!(!r.is_error, "{:?}", r.content);
    }
    // Evidence with a reason on the first score: ticks, and the interviewer's own words.
    let panel = e.handle(&command_as(
        GUILD,
        &interviewer(),
        "score",
        &[
            ("candidate", NAME),
            ("question", "aws-s3-basics"),
            ("rating", "4"),
        ],
    ));
    let covered = &panel.outcome.first_reply().unwrap().1.selects[0].action;
    let ticked = common::ok(
        e,
        &common::select_as(GUILD, &interviewer(), covered, &["l1"]),
    );
    let Some(interview_bot::engine::Effect::Update(updated)) = ticked.effects.first() else {
        panic!("{ticked:?}")
    };
    let why = updated
        .buttons
        .iter()
        .find(|b| b.label == "Give a reason")
        .expect("a 4 on one look-for asks for a reason");
    let modal = common::ok(e, &common::button_as(GUILD, &interviewer(), &why.action));
    let Some(interview_bot::engine::Effect::OpenModal(modal)) = modal.effects.first() else {
        panic!("{modal:?}")
    };
    let r = e.handle(&common::modal_as(
        GUILD,
        &interviewer(),
        &modal.action,
        &[("reason", REASON)],
    ));
    assert!(!r.is_error, "{:?}", r.content);
    // Another candidate stays, so the pages that held the forgotten one stay in use.
    let r = e.handle(&command_as(
        GUILD,
        &interviewer(),
        "score",
        &[
            ("candidate", "Ben"),
            ("question", "aws-s3-basics"),
            ("rating", "2"),
            ("notes", "kept"),
        ],
    ));
    assert!(!r.is_error);
    let db = &f.db_path;
    // The marker is on disk before the forget (in the WAL or the file), so the scan below
    // would see it.
    assert!(file_holds(db, NAME) || file_holds(&wal(db), NAME));
    assert!(file_holds(db, NOTE) || file_holds(&wal(db), NOTE));
    assert!(file_holds(db, REASON) || file_holds(&wal(db), REASON));

    let ask = e.handle(&command_as(
        GUILD,
        &manager(),
        "scores forget",
        &[("candidate", NAME)],
    ));
    let confirm = ask
        .buttons
        .iter()
        .find(|b| b.action.starts_with("sc:forget:"))
        .expect("a confirm button");
    // Run, delivered and committed, as a front end does.
    let (done, _) = e.execute(
        &common::button_as(GUILD, &manager(), &confirm.action),
        &mut common::Recorder::default(),
    );
    assert!(!done.is_error, "{done:?}");
    assert!(
        e.store()
            .read(|db| db.candidate_by_key(GuildId(GUILD), &NAME.to_lowercase()))
            .unwrap()
            .is_none()
    );

    // The store is still open (as in the running bot): neither file holds a copy.
    for file in [db.clone(), wal(db)] {
        for needle in [NAME, &NAME.to_lowercase(), NOTE, REASON] {
            assert!(
                !file_holds(&file, needle),
                "{} still holds {needle:?} after the forget",
                file.display()
            );
        }
    }
    // The other candidate is intact.
    let left = e
        .store()
        .read(|db| db.guild_scores(GuildId(GUILD)))
        .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].candidate_name, "Ben");
    // No evidence of the forgotten candidate is left either (the rubric versions, the pack's
    // own words, stay).
    let evidence = e
        .store()
        .read(|db| db.guild_evidence(GuildId(GUILD)))
        .unwrap();
    assert!(evidence.is_empty(), "{evidence:?}");
}

#[test]
fn every_export_is_in_the_audit_trail_with_who_when_and_how_many_rows() {
    let f = setup();
    let e = &f.engine;
    for cand in ["Ada", "Ben"] {
        let r = e.handle(&command_as(
            GUILD,
            &interviewer(),
            "score",
            &[
                ("candidate", cand),
                ("question", "aws-s3-basics"),
                ("rating", "3"),
            ],
        ));
        assert!(!r.is_error);
    }
    let export = e.handle(&command_as(GUILD, &manager(), "scores export", &[]));
    assert!(!export.is_error, "{:?}", export.content);
    let entries = e
        .store()
        .read(|db| db.audit_entries(GuildId(GUILD)))
        .unwrap();
    let exported: Vec<_> = entries
        .iter()
        .filter(|a| a.action == "scores-exported")
        .collect();
    assert_eq!(exported.len(), 1, "{entries:?}");
    assert_eq!(exported[0].actor_id, UserId(1004));
    assert_eq!(exported[0].at, f.clock.now_ms());
    assert!(exported[0].detail.contains("2 rows"), "{:?}", exported[0]);

    // `/config audit` shows it.
    let audit = e.handle(&command_as(GUILD, &manager(), "config audit", &[]));
    let shown: String = audit
        .cards
        .iter()
        .filter_map(|c| c.description.clone())
        .collect();
    assert!(shown.contains("<@1004>"), "{shown}");
    assert!(
        shown.contains("exported") && shown.contains("2 rows"),
        "{shown}"
    );

    // A second export is a second entry.
    f.clock.advance(3_600_000);
    e.handle(&command_as(GUILD, &manager(), "scores export", &[]));
    let n = e
        .store()
        .read(|db| db.audit_entries(GuildId(GUILD)))
        .unwrap()
        .iter()
        .filter(|a| a.action == "scores-exported")
        .count();
    assert_eq!(n, 2);
}
