//! Scorecards end to end: the real bot binary against the fake Discord, with several members
//! (interviewers with the role, a manager, a plain member). Every body the bot sends is
//! validated by the fake against Discord's OpenAPI spec and limits.

mod common;

use std::path::Path;

use fake_discord::{FakeDiscord, InteractionRef, Member, Recorded};
use serde_json::{Value, json};

use common::e2e::{
    Bot, EPHEMERAL, MIA, assert_clean, button, channel_cards, eventually, is_ephemeral, manager,
    opt, settle, sub,
};
const ROLE: u64 = 1_300_000_000_000_000_900;
const ALICE: u64 = 1_300_000_000_000_000_901;
const BOB: u64 = 1_300_000_000_000_000_902;
const CAROL: u64 = 1_300_000_000_000_000_903;
const PAT: u64 = 1_300_000_000_000_000_904;

async fn connected(db: Option<&Path>) -> (FakeDiscord, Bot) {
    let (fake, bot) = common::e2e::start(db, &[]).await;
    fake.add_role(ROLE, "interviewers");
    (fake, bot)
}

fn interviewer(id: u64) -> Member {
    Member::new(id).roles([ROLE])
}

async fn run(fake: &FakeDiscord, bot: &Bot, who: &Member, name: &str, options: Value) -> Recorded {
    let i = fake.send_command_as(name, options, who).await;
    settle(fake, &i, || bot.log()).await
}

/// `/config interviewer-role` to `ROLE`, as `who`.
async fn set_interviewer_role(fake: &FakeDiscord, bot: &Bot, who: &Member) -> Recorded {
    let role = json!([{"name": "role", "type": 8, "value": ROLE.to_string()}]);
    run(fake, bot, who, "config", sub("interviewer-role", role)).await
}

/// `/recommend` as `who`.
async fn recommend(fake: &FakeDiscord, bot: &Bot, who: &Member, cand: &str, rec: &str) -> Recorded {
    let options = json!([
        opt("candidate", json!(cand)),
        opt("recommendation", json!(rec))
    ]);
    run(fake, bot, who, "recommend", options).await
}

/// Clicks the button `label` on `message` as `who`.
async fn click(
    fake: &FakeDiscord,
    bot: &Bot,
    who: &Member,
    message: &Value,
    label: &str,
) -> (InteractionRef, Recorded) {
    let id = button(message, label);
    let data = json!({"custom_id": id, "component_type": 2});
    let i = fake
        .send_interaction_as(3, data, who, Some(message.clone()))
        .await;
    let r = settle(fake, &i, || bot.log()).await;
    (i, r)
}

/// The session message the bot posted in the channel.
fn session_message(fake: &FakeDiscord) -> Value {
    channel_cards(fake, "Interview")
        .pop()
        .expect("a session message")
}

fn scores_in(db: &Path) -> Vec<(String, String, i64, Option<i64>, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.prepare(
        "SELECT c.name, s.question_id, s.interviewer_id, s.rating, s.notes FROM scores s
           JOIN candidates c ON c.id = s.candidate_id ORDER BY s.id",
    )
    .unwrap()
    .query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interviewers_score_by_command_and_session_buttons_and_others_are_refused() {
    let (fake, bot) = connected(None).await;
    let (alice, bob, carol, pat) = (
        interviewer(ALICE),
        interviewer(BOB),
        interviewer(CAROL),
        Member::new(PAT),
    );
    // The admin sets the interviewer role.
    let r = set_interviewer_role(&fake, &bot, &manager()).await;
    assert!(
        is_ephemeral(&r) && r.body.to_string().contains(&format!("<@&{ROLE}>")),
        "{}",
        r.body
    );

    // A plain member: refused by every scoring command, privately.
    for (name, options) in [
        (
            "score",
            json!([
                opt("candidate", json!("Ada")),
                opt("question", json!("aws-s3-basics")),
                opt("rating", json!("3"))
            ]),
        ),
        ("scores", sub("team", json!([]))),
        (
            "interview",
            sub(
                "start",
                json!([
                    opt("candidate", json!("Ada")),
                    opt("level", json!("junior"))
                ]),
            ),
        ),
    ] {
        let r = run(&fake, &bot, &pat, name, options).await;
        assert!(is_ephemeral(&r), "{}", r.body);
        assert!(
            r.body.to_string().contains("Only interviewers"),
            "{}",
            r.body
        );
    }
    // A fresh install's /question: the rubric is for interviewers only.
    let q = run(
        &fake,
        &bot,
        &pat,
        "question",
        json!([opt("level", json!("junior"))]),
    )
    .await;
    assert!(!is_ephemeral(&q));
    let card = fake
        .visible_to_channel(FakeDiscord::CHANNEL_ID)
        .pop()
        .unwrap();
    let (_, r) = click(
        &fake,
        &bot,
        &pat,
        &card,
        "🔒 Model answer (interviewers only)",
    )
    .await;
    assert!(
        is_ephemeral(&r) && r.body.to_string().contains("/config rubric-access"),
        "{}",
        r.body
    );
    assert!(!r.body.to_string().contains("Red flags"));
    let (_, r) = click(
        &fake,
        &bot,
        &alice,
        &card,
        "🔒 Model answer (interviewers only)",
    )
    .await;
    assert!(
        is_ephemeral(&r) && r.body.to_string().contains("Red flags"),
        "{}",
        r.body
    );

    // /score by an interviewer.
    let r = run(
        &fake,
        &bot,
        &alice,
        "score",
        json!([
            opt("candidate", json!("Ada")),
            opt("question", json!("aws-s3-basics")),
            opt("rating", json!("3")),
            opt("notes", json!("@everyone solid"))
        ]),
    )
    .await;
    assert!(
        is_ephemeral(&r) && r.body.to_string().contains("Recorded **3 Yes**"),
        "{}",
        r.body
    );

    // A session: Alice starts it; the question is posted in the channel with its buttons.
    let r = run(
        &fake,
        &bot,
        &alice,
        "interview",
        sub(
            "start",
            json!([
                opt("candidate", json!("Bea")),
                opt("level", json!("junior")),
                opt("questions", json!(2))
            ]),
        ),
    )
    .await;
    assert!(is_ephemeral(&r), "{}", r.body);
    eventually("the fake's state", &bot, || {
        fake.visible_to_channel(FakeDiscord::CHANNEL_ID)
            .iter()
            .any(|m| m.to_string().contains("Interview · question 1 of 2"))
    })
    .await;
    let first = session_message(&fake);
    let first_id = first["id"].as_str().unwrap().to_string();
    // Bob rates: his score, privately; the question stays.
    let (_, r) = click(&fake, &bot, &bob, &first, "2 No").await;
    assert_eq!(r.body["type"], 4);
    assert!(
        is_ephemeral(&r) && r.body.to_string().contains("Recorded **2 No**"),
        "{}",
        r.body
    );
    // Pat is refused the buttons, the model answer included.
    for label in [
        "3 Yes",
        "Notes",
        "🔒 Rubric and evidence (interviewers only)",
        "Skip",
    ] {
        let (_, r) = click(&fake, &bot, &pat, &first, label).await;
        assert!(
            is_ephemeral(&r) && r.body.to_string().contains("Only interviewers"),
            "{label}: {}",
            r.body
        );
    }
    // Alice rates: the same message moves on to question 2, and she gets a private note.
    let (i, r) = click(&fake, &bot, &alice, &first, "4 Strong yes").await;
    assert_eq!(r.body["type"], 7, "an update of the message: {}", r.body);
    assert!(r.body.to_string().contains("question 2 of 2"));
    eventually("the fake's state", &bot, || {
        fake.followups(&i)
            .iter()
            .any(|m| m.to_string().contains("Recorded **4 Strong yes**"))
    })
    .await;
    assert!(
        fake.followups(&i)
            .iter()
            .all(|m| m["flags"].as_u64().unwrap_or(0) & EPHEMERAL != 0)
    );
    let second = fake.message(first_id.parse().unwrap()).unwrap();
    assert!(second.to_string().contains("question 2 of 2"));
    // Bob's notes in the modal.
    let (_, r) = click(&fake, &bot, &bob, &second, "Notes").await;
    assert_eq!(r.body["type"], 9, "{}", r.body);
    let modal_id = r.body["data"]["custom_id"].as_str().unwrap().to_string();
    let i = fake
        .send_interaction_as(
            5,
            json!({"custom_id": modal_id, "components": [{"type": 1, "id": 1, "components": [{"type": 4, "id": 2, "custom_id": "notes", "value": "Clear on AZs **bold** <@1>"}]}]}),
            &bob,
            Some(second.clone()),
        )
        .await;
    let r = settle(&fake, &i, || bot.log()).await;
    assert!(
        is_ephemeral(&r) && r.body.to_string().contains("Notes saved"),
        "{}",
        r.body
    );
    let (_, r) = click(&fake, &bot, &bob, &second, "3 Yes").await;
    assert!(is_ephemeral(&r), "{}", r.body);
    let stored = scores_in(&bot.db);
    let bea: Vec<_> = stored.iter().filter(|s| s.0 == "Bea").collect();
    assert_eq!(bea.len(), 3, "{stored:?}");
    assert!(
        bea.iter()
            .any(|s| s.2 == BOB as i64 && s.3 == Some(3) && s.4 == "Clear on AZs **bold** <@1>")
    );
    assert!(bea.iter().any(|s| s.2 == ALICE as i64 && s.3 == Some(4)));
    assert!(bea.iter().any(|s| s.2 == BOB as i64 && s.3 == Some(2)));

    // Blind: Carol has scored nothing and sees only the count; Bob, once his recommendation
    // is in (his ratings alone do not lift it), sees Alice's rating.
    let r = run(
        &fake,
        &bot,
        &carol,
        "scores",
        sub("candidate", json!([opt("candidate", json!("bea"))])),
    )
    .await;
    let t = r.body.to_string();
    assert!(
        is_ephemeral(&r) && t.contains("2 scorecards from 2 interviewers"),
        "{t}"
    );
    assert!(!t.contains("Strong yes") && !t.contains("Clear on"), "{t}");
    let r = run(
        &fake,
        &bot,
        &bob,
        "scores",
        sub("candidate", json!([opt("candidate", json!("Bea"))])),
    )
    .await;
    let t = r.body.to_string();
    assert!(
        is_ephemeral(&r) && !t.contains("4 Strong yes") && t.contains("/recommend"),
        "{t}"
    );
    recommend(&fake, &bot, &bob, "Bea", "yes").await;
    let r = run(
        &fake,
        &bot,
        &bob,
        "scores",
        sub("candidate", json!([opt("candidate", json!("Bea"))])),
    )
    .await;
    let t = r.body.to_string();
    assert!(is_ephemeral(&r) && t.contains("4 Strong yes"), "{t}");
    // Notes are shown escaped: nothing pings.
    assert!(t.contains("\\\\*\\\\*bold") && !t.contains("<@1>"), "{t}");

    // Alice ends it: her scorecard privately; the session message says it ended.
    let r = run(
        &fake,
        &bot,
        &alice,
        "interview",
        sub("end", json!([opt("recommendation", json!("yes"))])),
    )
    .await;
    assert!(
        is_ephemeral(&r) && r.body.to_string().contains("Your recommendation: **Yes**"),
        "{}",
        r.body
    );
    eventually("the fake's state", &bot, || {
        fake.message(first_id.parse().unwrap())
            .is_some_and(|m| m.to_string().contains("session closed"))
    })
    .await;
    // Nothing the bot posted in public carries a rubric or a rating.
    for m in fake.visible_to_channel(FakeDiscord::CHANNEL_ID) {
        let s = m.to_string();
        assert!(!s.contains("Red flags") && !s.contains("Recorded"), "{s}");
    }
    assert_clean(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_holds_every_score_and_forget_removes_one_candidate_and_scores_survive_a_kill() {
    let (fake, bot) = connected(None).await;
    let mia = manager();
    let alice = interviewer(ALICE);
    set_interviewer_role(&fake, &bot, &mia).await;
    for (who, cand, q, rating, notes) in [
        (
            &alice,
            "=Eve, \"E\"",
            "aws-s3-basics",
            "2",
            "=cmd|' /C calc'!A0\nline two, \"quoted\"",
        ),
        (&alice, "Ada", "aws-regions-azs", "4", "plain"),
        (&mia, "Ada", "aws-s3-basics", "1", "@here -minus"),
    ] {
        let r = run(
            &fake,
            &bot,
            who,
            "score",
            json!([
                opt("candidate", json!(cand)),
                opt("question", json!(q)),
                opt("rating", json!(rating)),
                opt("notes", json!(notes))
            ]),
        )
        .await;
        assert!(is_ephemeral(&r), "{}", r.body);
    }
    // Interviewers may not export; the manager gets a private multipart attachment.
    let r = run(&fake, &bot, &alice, "scores", sub("export", json!([]))).await;
    assert!(
        r.files.is_empty()
            && r.body
                .to_string()
                .contains("Only members with Manage Server")
    );
    let r = run(&fake, &bot, &mia, "scores", sub("export", json!([]))).await;
    assert!(is_ephemeral(&r), "{}", r.body);
    assert_eq!(r.files.len(), 1, "{r:?}");
    assert!(r.files[0].ends_with(".csv"));
    let mut reader = csv::Reader::from_reader(r.file_contents[0].as_slice());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let stored = scores_in(&bot.db);
    assert_eq!(rows.len(), stored.len());
    let unneutralise = |s: &str| match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => s.to_string(),
    };
    for (row, s) in rows.iter().zip(&stored) {
        assert_eq!(unneutralise(&row[0]), s.0);
        assert_eq!(row[1], s.1);
        assert_eq!(row[4], s.2.to_string());
        assert_eq!(row[6], s.3.unwrap().to_string());
        assert_eq!(unneutralise(&row[7]), s.4);
    }
    assert_eq!(rows[0][0], "'=Eve, \"E\"");
    assert_eq!(rows[2][7], "'@here -minus");

    // Ada's interview session message is public: forget removes it too.
    run(
        &fake,
        &bot,
        &mia,
        "interview",
        sub(
            "start",
            json!([
                opt("candidate", json!("Ada")),
                opt("level", json!("mid")),
                opt("questions", json!(1))
            ]),
        ),
    )
    .await;
    eventually("the fake's state", &bot, || {
        fake.visible_to_channel(FakeDiscord::CHANNEL_ID)
            .iter()
            .any(|m| m.to_string().contains("Interview · question 1 of 1"))
    })
    .await;
    let session_id: u64 = session_message(&fake)["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // Forget Ada: confirmation first, then only Ada goes, with an audit row.
    let i = fake
        .send_command_as(
            "scores",
            sub("forget", json!([opt("candidate", json!("ADA"))])),
            &mia,
        )
        .await;
    let r = settle(&fake, &i, || bot.log()).await;
    assert!(
        is_ephemeral(&r) && r.body.to_string().contains("2 scores"),
        "{}",
        r.body
    );
    assert_eq!(
        scores_in(&bot.db).len(),
        3,
        "nothing deleted before confirming"
    );
    let ask = fake
        .original_response(&i)
        .expect("the confirmation message");
    let (_, r) = click(&fake, &bot, &alice, &ask, "Delete everything").await;
    assert!(
        r.body
            .to_string()
            .contains("Only members with Manage Server"),
        "{}",
        r.body
    );
    let (_, r) = click(&fake, &bot, &mia, &ask, "Delete everything").await;
    assert_eq!(r.body["type"], 7, "{}", r.body);
    assert!(
        r.body.to_string().contains("Deleted: 2 scores"),
        "{}",
        r.body
    );
    eventually("the fake's state", &bot, || {
        fake.message(session_id).is_none()
    })
    .await;
    let left = scores_in(&bot.db);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, "=Eve, \"E\"");
    let conn = rusqlite::Connection::open(&bot.db).unwrap();
    let audit: Vec<(i64, String, String)> = conn
        // Settings changes made above are in the trail too; the deletion is one row.
        .prepare(
            "SELECT actor_id, action, subject || detail FROM audit_log WHERE action = 'candidate-deleted'",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].0, audit[0].1.as_str()),
        (MIA as i64, "candidate-deleted")
    );
    assert!(!audit[0].2.contains("Ada"));
    assert_clean(&fake, &bot);

    // A confirmed score survives the process being killed (SIGKILL, no shutdown).
    let r = run(
        &fake,
        &bot,
        &alice,
        "score",
        json!([
            opt("candidate", json!("Zed")),
            opt("question", json!("aws-s3-basics")),
            opt("rating", json!("4"))
        ]),
    )
    .await;
    assert!(r.body.to_string().contains("Recorded"));
    let db = bot.db.clone();
    let mut bot = bot;
    bot.child.kill().unwrap();
    bot.child.wait().unwrap();
    let (fake2, bot2) = connected(Some(&db)).await;
    let r = run(
        &fake2,
        &bot2,
        &mia,
        "scores",
        sub("candidate", json!([opt("candidate", json!("zed"))])),
    )
    .await;
    assert!(r.body.to_string().contains("4 Strong yes"), "{}", r.body);
    assert_clean(&fake2, &bot2);
    drop(bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_answer_privately_and_the_team_pages_with_buttons() {
    let (fake, bot) = connected(None).await;
    let mia = manager();
    set_interviewer_role(&fake, &bot, &mia).await;
    let (alice, bob) = (interviewer(ALICE), interviewer(BOB));
    // Ada: Alice 4, Bob 2 on the same question; both recommend.
    for (who, rating) in [(&alice, "4"), (&bob, "2")] {
        run(
            &fake,
            &bot,
            who,
            "score",
            json!([
                opt("candidate", json!("Ada")),
                opt("question", json!("aws-s3-basics")),
                opt("rating", json!(rating))
            ]),
        )
        .await;
    }
    recommend(&fake, &bot, &alice, "Ada", "yes").await;
    recommend(&fake, &bot, &bob, "Ada", "no").await;
    // Calibration: Alice 4 vs Bob 2 on Ada: +2.00 and -2.00, both flagged.
    let r = run(&fake, &bot, &mia, "scores", sub("interviewer", json!([]))).await;
    let t = r.body.to_string();
    assert!(
        is_ephemeral(&r)
            && t.contains("+2.00 on 1 shared candidate")
            && t.contains("-2.00 on 1 shared candidate"),
        "{t}"
    );
    // Alice sees only herself.
    let r = run(&fake, &bot, &alice, "scores", sub("interviewer", json!([]))).await;
    assert!(!r.body.to_string().contains("-2.00"), "{}", r.body);
    // The question: 2 ratings, mean 3.00, spread 1.00; both agree with their recommendation.
    let r = run(
        &fake,
        &bot,
        &bob,
        "scores",
        sub("question", json!([opt("id", json!("aws-s3-basics"))])),
    )
    .await;
    let t = r.body.to_string();
    assert!(
        is_ephemeral(&r)
            && t.contains("Scored 2 times for 1 candidate · mean 3.00 · spread 1.00")
            && t.contains("2 of 2 ratings (100%)"),
        "{t}"
    );
    // Eleven candidates: the team view pages.
    for n in 0..10 {
        run(
            &fake,
            &bot,
            &mia,
            "score",
            json!([
                opt("candidate", json!(format!("Extra {n:02}"))),
                opt("question", json!("aws-s3-basics")),
                opt("rating", json!("3"))
            ]),
        )
        .await;
    }
    let i = fake
        .send_command_as("scores", sub("team", json!([])), &alice)
        .await;
    let r = settle(&fake, &i, || bot.log()).await;
    assert!(
        is_ephemeral(&r) && r.body.to_string().contains("page 1 of 2 · 11 candidates"),
        "{}",
        r.body
    );
    // Alice scored only Ada: the others are blind to her.
    assert!(
        r.body.to_string().contains("blind: 1 scorecard"),
        "{}",
        r.body
    );
    let page = fake.original_response(&i).unwrap();
    let (_, r) = click(&fake, &bot, &alice, &page, "Older ▶").await;
    assert_eq!(r.body["type"], 7, "{}", r.body);
    let t = r.body.to_string();
    assert!(
        t.contains("page 2 of 2")
            && t.contains("**Ada**")
            && t.contains("1 question scored (2 ratings) · average 3.00 · Yes 1, No 1"),
        "{t}"
    );
    assert_clean(&fake, &bot);
}

/// The custom id of the select whose placeholder starts with `starts` on `message`.
fn select_id(message: &Value, starts: &str) -> String {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .find(|c| {
            c["type"] == 3
                && c["placeholder"]
                    .as_str()
                    .is_some_and(|p| p.starts_with(starts))
        })
        .and_then(|c| c["custom_id"].as_str())
        .unwrap_or_else(|| panic!("no select {starts} on {message}"))
        .to_string()
}

/// Issue 21 through the fake Discord: the panel's lists are sent within Discord's limits
/// (validated by the fake against the spec and its select rules), choices arrive as Discord
/// sends them (component type 3 with `values`) and update the panel in place; the starter's
/// rating from the panel moves the session's public message on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_lists_arrive_as_discord_sends_them_and_update_the_panel() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bot.sqlite3");
    let (fake, bot) = connected(Some(&db)).await;
    let (alice, bob) = (interviewer(ALICE), interviewer(BOB));
    set_interviewer_role(&fake, &bot, &manager()).await;
    run(
        &fake,
        &bot,
        &alice,
        "interview",
        sub(
            "start",
            json!([
                opt("candidate", json!("Ada")),
                opt("level", json!("junior")),
                opt("questions", json!(2))
            ]),
        ),
    )
    .await;
    eventually("the session's message", &bot, || {
        !channel_cards(&fake, "Interview").is_empty()
    })
    .await;
    let public = session_message(&fake);
    // The public message has buttons only: no list a candidate could open.
    assert!(!public.to_string().contains("\"type\":3"), "{public}");
    let first_title = public["embeds"][0]["title"].as_str().unwrap().to_string();

    // Alice and Bob open their own panels on the same question.
    let label = "🔒 Rubric and evidence (interviewers only)";
    let (ia, ra) = click(&fake, &bot, &alice, &public, label).await;
    let (ib, _) = click(&fake, &bot, &bob, &public, label).await;
    assert!(is_ephemeral(&ra), "{}", ra.body);
    let alice_panel = fake.original_response(&ia).expect("Alice's panel");
    let bob_panel = fake.original_response(&ib).expect("Bob's panel");
    let covered = select_id(&alice_panel, "Covered");
    let flags = select_id(&alice_panel, "Red flags");

    // Alice ticks look-fors 1 and 2: Discord sends type 3 with both values; the bot answers
    // by updating her panel (type 7) with the suggestion.
    let i = fake
        .send_select_as(&alice_panel, &covered, &["l1", "l2"], &alice)
        .await;
    let payload = fake.dispatched(&i).unwrap();
    assert_eq!(payload["data"]["component_type"], 3);
    assert_eq!(payload["data"]["values"], json!(["l1", "l2"]));
    let r = settle(&fake, &i, || bot.log()).await;
    assert_eq!(r.body["type"], 7, "{}", r.body);
    let updated = fake
        .message(alice_panel["id"].as_str().unwrap().parse().unwrap())
        .unwrap();
    let text = updated["content"].as_str().unwrap();
    assert!(text.contains("covered **2 of"), "{text}");
    assert!(text.contains("suggests **"), "{text}");
    // The chosen options show as chosen.
    let options = &updated["components"][0]["components"][0]["options"];
    assert_eq!(options[0]["default"], true, "{updated}");
    assert_eq!(options[1]["default"], true);
    assert_eq!(options[2]["default"], false);

    // Bob, at the same time, hears a red flag in his own panel; Alice's ticks are untouched.
    let i = fake
        .send_select_as(
            &bob_panel,
            &select_id(&bob_panel, "Red flags"),
            &["r1"],
            &bob,
        )
        .await;
    let r = settle(&fake, &i, || bot.log()).await;
    assert_eq!(r.body["type"], 7, "{}", r.body);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let ticks: Vec<(i64, i64, i64, i64)> = conn
        .prepare("SELECT interviewer_id, covered, red_flags, suggested FROM score_evidence ORDER BY interviewer_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        ticks,
        vec![(ALICE as i64, 0b11, 0, ticks[0].3), (BOB as i64, 0, 1, 1)]
    );
    // Clearing a list is a choice of nothing.
    let updated = fake
        .message(alice_panel["id"].as_str().unwrap().parse().unwrap())
        .unwrap();
    let i = fake.send_select_as(&updated, &flags, &[], &alice).await;
    assert_eq!(settle(&fake, &i, || bot.log()).await.body["type"], 7);

    // Alice, who started the session, rates from her panel: the panel says so and the
    // session's public message moves on to question 2.
    let updated = fake
        .message(alice_panel["id"].as_str().unwrap().parse().unwrap())
        .unwrap();
    let (_, r) = click(
        &fake,
        &bot,
        &alice,
        &updated,
        &button_labelled(&updated, "3 Yes"),
    )
    .await;
    assert_eq!(r.body["type"], 7, "{}", r.body);
    eventually("the session message moves on", &bot, || {
        session_message(&fake)["embeds"][0]["title"].as_str() != Some(first_title.as_str())
    })
    .await;
    assert!(
        session_message(&fake)["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("question 2 of 2"),
    );
    assert_clean(&fake, &bot);
}

/// The full label of the button on `message` whose label starts with `starts`.
fn button_labelled(message: &Value, starts: &str) -> String {
    message["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .filter_map(|c| c["label"].as_str())
        .find(|l| l.starts_with(starts))
        .unwrap_or_else(|| panic!("no button {starts} on {message}"))
        .to_string()
}
