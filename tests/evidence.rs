//! Evidence-based scoring (issue 21) as interviewers use it: two interviewers tick different
//! evidence on the same session question, each in their own panel, and get the suggestions the
//! anchors give; one overrides with a reason; a pack edit afterwards leaves the old evidence on
//! the old words; stale, forged and cross-server lists are refused or trimmed.
//! Expected figures are worked out by hand in the comments.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{CHANNEL, GUILD, button_as, command_as, modal_as, ok, refused, select_as, who};
use interview_bot::bank::Bank;
use interview_bot::clock::ManualClock;
use interview_bot::engine::{Effect, Engine, Error, Member, Message, Outcome};
use interview_bot::model::{GuildId, RoleId, Ticks, UserId};
use interview_bot::store::{Evidence, ScoreKey, Store};

const ROLE: u64 = 444_444_444_444_444_444;

fn alice() -> Member {
    who(1001, "Alice", &[ROLE], 0)
}
fn bob() -> Member {
    who(1002, "Bob", &[ROLE], 0)
}
fn pat() -> Member {
    who(1005, "Pat", &[], 0)
}

/// One mid question with four look-fors (a yes needs three), a bonus point and two red flags.
const PACK_V1: &str = r#"
[pack]
name = "Evidence pack"
description = "One question for the evidence tests."

[[question]]
id = "ev-rollout"
level = "mid"
topic = "operations"
prompt = "How would you roll out a risky change to a busy service?"
look_fors = [
  "Ships to a small share of traffic first",
  "Compares error rate and latency with a baseline",
  "Has a rollback quicker than a fix",
  "Widens in steps, with a pause to watch",
]
pass = 3
bonus = ["Automates the halt on health signals"]
red_flags = ["Deploys everywhere at once", "Watches only the logs"]
follow_ups = ["What would make you stop halfway?"]
"#;

/// The same question after an edit: look-for 1 and red flag 1 reworded, the last two
/// look-fors and the two red flags swapped.
const PACK_V2: &str = r#"
[pack]
name = "Evidence pack"
description = "One question for the evidence tests."

[[question]]
id = "ev-rollout"
level = "mid"
topic = "operations"
prompt = "How would you roll out a risky change to a busy service?"
look_fors = [
  "Starts with a canary: a small share of traffic",
  "Compares error rate and latency with a baseline",
  "Widens in steps, with a pause to watch",
  "Has a rollback quicker than a fix",
]
pass = 3
bonus = ["Automates the halt on health signals"]
red_flags = ["Watches only the logs", "Ships to every host at once"]
follow_ups = ["What would make you stop halfway?"]
"#;

fn bank(dir: &Path, pack: &str) -> Arc<Bank> {
    std::fs::write(dir.join("pack.toml"), pack).unwrap();
    std::fs::write(
        dir.join("topics.toml"),
        "[topics]\noperations = \"Operations\"\n",
    )
    .unwrap();
    Arc::new(Bank::load(dir).unwrap())
}

struct World {
    engine: Engine,
    db: std::path::PathBuf,
    dir: tempfile::TempDir,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let packs = dir.path().join("v1");
    std::fs::create_dir(&packs).unwrap();
    let db = dir.path().join("bot.sqlite3");
    let store = Store::open(&db).unwrap();
    let clock = Arc::new(ManualClock::new(1_780_000_000_000));
    let engine = Engine::new(bank(&packs, PACK_V1), store, clock);
    for g in [GUILD, GUILD + 1] {
        engine
            .store()
            .write(|db| db.set_interviewer_role(GuildId(g), Some(RoleId(ROLE)), UserId(1), 0))
            .unwrap();
    }
    World { engine, db, dir }
}

/// The message an outcome answers with: its update, else its first reply.
fn answer(o: &Outcome) -> &Message {
    o.effects
        .iter()
        .find_map(|e| match e {
            Effect::Update(m) => Some(m),
            Effect::Reply { message, .. } => Some(message),
            _ => None,
        })
        .expect("an answer")
}

/// The action id of the list whose placeholder starts with `starts`.
fn list(m: &Message, starts: &str) -> String {
    m.selects
        .iter()
        .find(|s| s.placeholder.starts_with(starts))
        .unwrap_or_else(|| panic!("no list {starts}: {m:?}"))
        .action
        .clone()
}

fn button(m: &Message, label: &str) -> String {
    m.buttons
        .iter()
        .find(|b| b.label.starts_with(label))
        .unwrap_or_else(|| panic!("no button {label}: {m:?}"))
        .action
        .clone()
}

/// The evidence stored for `m`'s score of the question in session 1.
fn stored(e: &Engine, m: &Member) -> Option<Evidence> {
    e.store()
        .read(|db| {
            let key = ScoreKey {
                guild_id: GuildId(GUILD),
                candidate_id: interview_bot::model::CandidateId(1),
                session_id: interview_bot::model::SessionId(1),
                question_id: "ev-rollout",
                interviewer_id: m.user_id,
                interviewer_name: &m.name,
            };
            let Some(score) = db.score(&key)? else {
                return Ok::<_, interview_bot::store::StoreError>(None);
            };
            db.evidence(GuildId(GUILD), score.id)
        })
        .unwrap()
}

fn content(m: &Message) -> String {
    m.content.clone().unwrap_or_default()
}

/// Starts the session and opens Alice's and Bob's panels: (Alice's, Bob's).
fn panels(w: &World) -> (Message, Message) {
    let started = ok(
        &w.engine,
        &command_as(
            GUILD,
            &alice(),
            "interview start",
            &[("candidate", "Ada"), ("level", "mid"), ("questions", "1")],
        ),
    );
    // The session's public message carries no list: a candidate could open one and read the
    // look-fors.
    let public: Vec<&Message> = started
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Post { message, .. } => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(public.len(), 1);
    assert!(public[0].selects.is_empty());
    let a = ok(&w.engine, &button_as(GUILD, &alice(), "s:answer:1:0"));
    let b = ok(&w.engine, &button_as(GUILD, &bob(), "s:answer:1:0"));
    (answer(&a).clone(), answer(&b).clone())
}

#[test]
fn two_interviewers_tick_their_own_evidence_get_suggestions_and_one_overrides_with_a_reason() {
    let w = world();
    let e = &w.engine;
    let (alice_panel, bob_panel) = panels(&w);
    // Each panel is private, has the rubric, the two lists and the four ratings.
    assert_eq!(alice_panel.selects.len(), 2);
    let covered = &alice_panel.selects[0];
    assert_eq!(
        covered
            .options
            .iter()
            .map(|o| o.value.as_str())
            .collect::<Vec<_>>(),
        ["l1", "l2", "l3", "l4", "b1"]
    );
    assert_eq!((covered.min, covered.max), (0, 5));
    assert_eq!(alice_panel.selects[1].options.len(), 2);
    assert!(content(&alice_panel).contains("No evidence ticked yet"));
    assert!(
        alice_panel.cards[0]
            .description
            .as_deref()
            .unwrap()
            .contains("3 of these 4")
    );
    // The same question, the same ids: the panel's ids name the interview and the rubric
    // version, not the interviewer.
    assert_eq!(list(&alice_panel, "Covered"), list(&bob_panel, "Covered"));

    // Alice hears look-fors 1-3 and no red flag: the pass rule (3) met, so 3 Yes.
    let a = ok(
        e,
        &select_as(
            GUILD,
            &alice(),
            &list(&alice_panel, "Covered"),
            &["l1", "l2", "l3"],
        ),
    );
    let a_panel = answer(&a).clone();
    assert!(matches!(a.effects[0], Effect::Update(_)));
    assert!(
        content(&a_panel).contains("covered **3 of 4** look-fors (a yes needs 3)"),
        "{}",
        content(&a_panel)
    );
    assert!(content(&a_panel).contains("suggests **3 Yes**"));
    assert_eq!(a_panel.buttons[2].label, "3 Yes (suggested)");
    assert!(a_panel.selects[0].options[..3].iter().all(|o| o.default));
    assert!(!a_panel.selects[0].options[3].default);

    // Bob, at the same time, hears only look-fors 1 and 2 and red flag 2: a red flag, so 1.
    let b = ok(
        e,
        &select_as(GUILD, &bob(), &list(&bob_panel, "Covered"), &["l1", "l2"]),
    );
    assert!(
        content(answer(&b)).contains("suggests **2 No**"),
        "{}",
        content(answer(&b))
    );
    let b = ok(
        e,
        &select_as(GUILD, &bob(), &list(&bob_panel, "Red flags"), &["r2"]),
    );
    assert!(content(answer(&b)).contains("**1 red flag** heard: suggests **1 Strong no**"));
    // Their ticks are their own.
    assert_eq!(stored(e, &alice()).unwrap().covered, Ticks::of([0, 1, 2]));
    assert_eq!(stored(e, &alice()).unwrap().red_flags, Ticks(0));
    assert_eq!(stored(e, &bob()).unwrap().covered, Ticks::of([0, 1]));
    assert_eq!(stored(e, &bob()).unwrap().red_flags, Ticks::of([1]));
    assert_eq!(stored(e, &bob()).unwrap().suggested, 1);

    // Bob rates 2 from his panel: above the evidence (+1), not an extreme: no reason asked.
    let b = ok(e, &button_as(GUILD, &bob(), &button(answer(&b), "2 No")));
    let b_panel = answer(&b);
    assert!(content(b_panel).contains("Recorded **2 No**"));
    assert!(content(b_panel).contains("above the evidence (+1), recorded as an override"));
    assert!(!b_panel.buttons.iter().any(|x| x.label == "Give a reason"));
    // Bob did not start the session: its message stays on the question.
    assert_eq!(b.effects.len(), 1);

    // Alice, the starter, rates 4 on the session's own button: above the suggested 3, and a 4,
    // so the confirmation asks for a reason; the session moves on.
    let a = ok(e, &button_as(GUILD, &alice(), "s:rate:1:0:4"));
    let reply = a
        .effects
        .iter()
        .find_map(|x| match x {
            Effect::Reply { message, .. } => Some(message),
            _ => None,
        })
        .unwrap();
    assert!(
        content(reply).contains("above the evidence (+1)"),
        "{}",
        content(reply)
    );
    assert!(content(reply).contains("Please give a one-line reason"));
    let why = button(reply, "Give a reason");
    let modal = ok(e, &button_as(GUILD, &alice(), &why));
    let Effect::OpenModal(modal) = &modal.effects[0] else {
        panic!("{modal:?}")
    };
    let saved = ok(
        e,
        &modal_as(
            GUILD,
            &alice(),
            &modal.action,
            &[("reason", "Explained the\nrollback drill @everyone")],
        ),
    );
    assert!(content(answer(&saved)).contains("Reason saved"));
    let alice_evidence = stored(e, &alice()).unwrap();
    assert_eq!(
        alice_evidence.reason,
        "Explained the rollback drill @everyone"
    );
    assert_eq!(alice_evidence.suggested, 3);
    // The panel now says so.
    let again = ok(
        e,
        &select_as(GUILD, &alice(), &list(&alice_panel, "Red flags"), &[]),
    );
    assert!(content(answer(&again)).contains("Your reason: Explained the rollback drill"));
    assert!(
        !content(answer(&again)).contains("@everyone"),
        "user text is escaped"
    );
    // A reason too long is refused and nothing changes.
    let long = "x".repeat(201);
    let err = refused(
        e,
        &modal_as(GUILD, &alice(), &modal.action, &[("reason", &long)]),
    );
    assert!(
        matches!(&err, Error::Refused(r) if r.kind() == "reason too long"),
        "{err:?}"
    );
    assert_eq!(stored(e, &alice()).unwrap().reason, alice_evidence.reason);

    // A second candidate, by quick scores with evidence after them: Alice rates Lin 3 and
    // ticks look-fors 1-3 (3 suggested: as rated); Bob rates Lin 1 and ticks 1-2 (2
    // suggested: his 1 is an override below the evidence).
    quick_score(e, &alice(), "Lin", "3", &["l1", "l2", "l3"]);
    quick_score(e, &bob(), "Lin", "1", &["l1", "l2"]);

    // What the evidence shows, to a manager (who sees everything). By hand, four scores on the
    // current rubric: Ada/Alice 4 {1,2,3}, Ada/Bob 2 {1,2} + red flag 2, Lin/Alice 3 {1,2,3},
    // Lin/Bob 1 {1,2}. Yes (3-4): the two of Alice; no (1-2): the two of Bob.
    let mia = who(
        1004,
        "Mia",
        &[],
        interview_bot::engine::Permissions::MANAGE_GUILD,
    );
    let asked = command_as(GUILD, &mia, "scores question", &[("id", "ev-rollout")]);
    let report = e.question_report(&asked, "ev-rollout").unwrap();
    let ev = report.evidence.expect("evidence");
    assert_eq!((ev.scores, ev.yes, ev.no, ev.older), (4, 2, 2, 0));
    // Hit rates: look-fors 1 and 2 in all four, 3 in the two yes, 4 never.
    let hits: Vec<(usize, usize, usize)> = ev
        .look_fors
        .iter()
        .map(|c| (c.covered, c.covered_yes, c.covered_no))
        .collect();
    assert_eq!(hits, [(4, 2, 2), (4, 2, 2), (2, 2, 0), (0, 0, 0)]);
    // Look-for 3 separates: yes 2/2 = 100%, no 0/2 = 0%: +100 points; 1 and 2 separate
    // nothing (100% on both sides); 4 has no hit on either side (0).
    assert_eq!(ev.separation(2), Some(100.0));
    assert_eq!(ev.separation(0), Some(0.0));
    assert_eq!(ev.separation(3), Some(0.0));
    assert_eq!(ev.most_separating(), Some(2));
    // Red flag 2 heard once, red flag 1 never; no bonus point reached.
    assert_eq!(
        (ev.red_flags.clone(), ev.bonus.clone()),
        (vec![0, 1], vec![0])
    );
    // Overrides: Ada/Alice 4 over 3 and Ada/Bob 2 over 1 are lenient, Lin/Bob 1 under 2 is
    // severe, Lin/Alice as suggested.
    assert_eq!(
        (ev.rated, ev.lenient, ev.severe, ev.as_suggested()),
        (4, 2, 1, 1)
    );
    // Agreement with the rubric: Alice 1 of 2 equal (50%), mean (+1 + 0) / 2 = +0.5,
    // lenient; Bob 0 of 2, mean (+1 - 1) / 2 = 0; both with evidence on every rating.
    let cal = e.calibration_report(&asked, None).unwrap();
    let agreement = |m: &Member| {
        cal.interviewers
            .iter()
            .find(|i| i.user_id == m.user_id)
            .unwrap()
            .agreement
    };
    let a = agreement(&alice());
    assert_eq!(
        (a.ratings, a.with_evidence, a.equal, a.signed_sum),
        (2, 2, 1, 1)
    );
    assert_eq!(
        (a.equal_percent(), a.mean_difference()),
        (Some(50.0), Some(0.5))
    );
    assert_eq!(a.evidence_percent(), Some(100.0));
    let b = agreement(&bob());
    assert_eq!(
        (b.ratings, b.with_evidence, b.equal, b.signed_sum),
        (2, 2, 0, 0)
    );
    assert_eq!(b.mean_difference(), Some(0.0));
    // The rendered lookups say the same.
    let shown = ok(e, &asked);
    let text = common::message_text(answer(&shown));
    assert!(
        text.contains("look-for 3: yes 2/2, no 0/2, +100 pts"),
        "{text}"
    );
    assert!(
        text.contains("2 higher (lenient), 1 lower (severe)"),
        "{text}"
    );
    // Blind scoring: Carol, an interviewer who recommended no one, sees no evidence.
    let carol = who(1003, "Carol", &[ROLE], 0);
    let blind = e
        .question_report(
            &command_as(GUILD, &carol, "scores question", &[("id", "ev-rollout")]),
            "ev-rollout",
        )
        .unwrap();
    assert_eq!(blind.evidence.map(|s| s.scores), Some(0));
}

/// `/score` by `m` of `candidate` with `rating`, then the `look_fors` ticked in its
/// confirmation's Covered list.
fn quick_score(e: &Engine, m: &Member, candidate: &str, rating: &str, look_fors: &[&str]) {
    let o = ok(
        e,
        &command_as(
            GUILD,
            m,
            "score",
            &[
                ("candidate", candidate),
                ("question", "ev-rollout"),
                ("rating", rating),
            ],
        ),
    );
    ok(
        e,
        &select_as(GUILD, m, &list(answer(&o), "Covered"), look_fors),
    );
}

#[test]
fn a_pack_edit_leaves_old_evidence_on_the_old_words_and_stale_lists_keep_what_still_matches() {
    let w = world();
    let (alice_panel, _) = panels(&w);
    let cov = list(&alice_panel, "Covered");
    ok(
        &w.engine,
        &select_as(GUILD, &alice(), &cov, &["l1", "l3", "b1"]),
    );
    let before = stored(&w.engine, &alice()).unwrap();
    assert_eq!(before.covered, Ticks::of([0, 2]));
    assert_eq!(
        before.suggested, 2,
        "2 of 4 is half, below the pass rule of 3"
    );
    ok(
        &w.engine,
        &select_as(
            GUILD,
            &alice(),
            &list(&alice_panel, "Red flags"),
            &["r1", "r2"],
        ),
    );
    let before = stored(&w.engine, &alice()).unwrap();
    assert_eq!(before.suggested, 1, "a red flag heard");

    // The pack is edited and the bot restarted on the same database.
    let packs = w.dir.path().join("v2");
    std::fs::create_dir(&packs).unwrap();
    let clock = Arc::new(ManualClock::new(1_780_000_100_000));
    let e2 = Engine::new(bank(&packs, PACK_V2), Store::open(&w.db).unwrap(), clock);
    // The stored evidence still names the old version, whose words are kept as they were.
    let after = stored(&e2, &alice()).unwrap();
    assert_eq!(after, before);
    let old = e2
        .store()
        .read(|db| db.rubric(GuildId(GUILD), before.rubric))
        .unwrap()
        .unwrap();
    assert_eq!(
        old.text.look_fors[0],
        "Ships to a small share of traffic first"
    );
    assert_eq!(old.text.look_fors[2], "Has a rollback quicker than a fix");
    // `/scores question` says that score was taken against an older version and leaves it
    // out of the current look-fors' rates.
    let mia = who(
        1004,
        "Mia",
        &[],
        interview_bot::engine::Permissions::MANAGE_GUILD,
    );
    let asked = command_as(GUILD, &mia, "scores question", &[("id", "ev-rollout")]);
    let ev = e2
        .question_report(&asked, "ev-rollout")
        .unwrap()
        .evidence
        .unwrap();
    assert_eq!((ev.scores, ev.older), (0, 1));
    let text = common::message_text(answer(&ok(&e2, &asked)));
    assert!(text.contains("older version"), "{text}");

    // Her panel opened again shows her ticks on the wording she ticked, with the suggestion
    // the lookups count, and says the rubric changed.
    let reopened = ok(&e2, &button_as(GUILD, &alice(), "s:answer:1:0"));
    let panel = answer(&reopened);
    assert!(
        content(panel).contains("rubric has changed since you ticked"),
        "{}",
        content(panel)
    );
    assert!(content(panel).contains("suggests **1 Strong no**"));
    assert_eq!(
        panel.selects[0].options[0].label,
        "Ships to a small share of traffic first"
    );
    assert!(
        panel.cards.is_empty(),
        "the current rubric card would not match the ticks"
    );
    // A rating from it goes with the evidence as stored: 1, as suggested.
    let rated = ok(
        &e2,
        &button_as(GUILD, &alice(), &button(panel, "1 Strong no")),
    );
    assert!(
        content(answer(&rated)).contains("as the evidence suggests"),
        "{}",
        content(answer(&rated))
    );
    assert_eq!(stored(&e2, &alice()).unwrap(), before);

    // Alice uses the list she was shown before the edit: "l1" (reworded since) is dropped and
    // named, and so is red flag 1 of the other list (reworded too); "l3" (now the fourth
    // look-for), "l2" and red flag 2 (now the first) are carried by their words.
    let o = ok(&e2, &select_as(GUILD, &alice(), &cov, &["l1", "l2", "l3"]));
    let text = content(answer(&o));
    assert!(text.contains("2 choices no longer exist"), "{text}");
    assert!(
        text.contains("Ships to a small share of traffic first"),
        "{text}"
    );
    assert!(text.contains("Deploys everywhere at once"), "{text}");
    let now = stored(&e2, &alice()).unwrap();
    assert_ne!(
        now.rubric, before.rubric,
        "recorded against the current version"
    );
    assert_eq!(now.covered, Ticks::of([1, 3]));
    assert_eq!(
        now.bonus,
        Ticks(0),
        "this choice of the list had no bonus point"
    );
    assert_eq!(
        now.red_flags,
        Ticks::of([0]),
        "the other list's ticks were carried too"
    );
    // The panel shows the current version's lists with the carried ticks chosen.
    let panel = answer(&o);
    let chosen: Vec<&str> = panel.selects[0]
        .options
        .iter()
        .filter(|o| o.default)
        .map(|o| o.label.as_str())
        .collect();
    assert_eq!(
        chosen,
        [
            "Compares error rate and latency with a baseline",
            "Has a rollback quicker than a fix",
        ]
    );
    // The old version is still stored as it was.
    let old_again = e2
        .store()
        .read(|db| db.rubric(GuildId(GUILD), before.rubric))
        .unwrap()
        .unwrap();
    assert_eq!(old_again, old);
}

#[test]
fn forged_cross_server_and_foreign_lists_are_refused_and_plain_members_too() {
    let w = world();
    let e = &w.engine;
    let (alice_panel, _) = panels(&w);
    let cov = list(&alice_panel, "Covered");
    // A member without the role: the same refusal as for any scoring button.
    let err = refused(e, &select_as(GUILD, &pat(), &cov, &["l1"]));
    assert!(matches!(err, Error::NotAllowed { .. }), "{err:?}");
    // Another server: the interview and the rubric version are not there.
    assert!(matches!(
        refused(e, &select_as(GUILD + 1, &alice(), &cov, &["l1"])),
        Error::UnknownAction
    ));
    // Made-up interviews and versions.
    for forged in [
        "ev:cov:99:1",
        "ev:cov:1:99",
        "ev:red:1:x",
        "ev:rate:1:1:7",
        "ev:cov:1:1:extra",
    ] {
        assert!(
            matches!(
                refused(e, &select_as(GUILD, &alice(), forged, &["l1"])),
                Error::UnknownAction
            ),
            "{forged}"
        );
    }
    // Values the list never had are ignored and said so; the rest is recorded.
    let o = ok(
        e,
        &select_as(GUILD, &alice(), &cov, &["l2", "l9", "r1", "zz", "l02"]),
    );
    assert!(
        content(answer(&o)).contains("4 choices matched nothing"),
        "{}",
        content(answer(&o))
    );
    assert_eq!(stored(e, &alice()).unwrap().covered, Ticks::of([1]));
    // A forged panel id used on the session's public message never rewrites it (it would
    // show the rubric to the channel): the answer is private, and that message is left alone.
    let public = interview_bot::engine::SourceMessage {
        id: interview_bot::model::MessageId(77),
        buttons: vec![interview_bot::engine::Button {
            label: "3 Yes".into(),
            action: "s:rate:1:0:3".into(),
            style: interview_bot::engine::ButtonStyle::Primary,
            disabled: false,
        }],
        selects: Vec::new(),
    };
    for forged in [button(&alice_panel, "2 No"), list(&alice_panel, "Covered")] {
        let invocation = if forged.starts_with("ev:cov") {
            interview_bot::engine::Invocation::Select {
                custom_id: forged.clone(),
                values: vec!["l1".into()],
                message: Some(public.clone()),
            }
        } else {
            interview_bot::engine::Invocation::Button {
                custom_id: forged.clone(),
                message: Some(public.clone()),
            }
        };
        let req = interview_bot::engine::Request::member(GUILD, CHANNEL, alice(), invocation);
        let o = ok(e, &req);
        assert!(
            o.effects.iter().all(|x| !matches!(x, Effect::Update(_))),
            "{forged}: {o:?}"
        );
        assert!(matches!(
            &o.effects[0],
            Effect::Reply {
                visibility: interview_bot::engine::Visibility::Private,
                ..
            }
        ));
    }
    // Once the session is closed, ticking is refused; a reason asked for may still be given
    // by whoever has a score there, and no one else.
    ok(e, &command_as(GUILD, &alice(), "interview end", &[]));
    let why = button(&alice_panel, "1 Strong no").replace("ev:rate", "ev:why");
    let why = why.rsplit_once(':').unwrap().0.to_string();
    let opened = ok(e, &button_as(GUILD, &alice(), &why));
    assert!(matches!(opened.effects[0], Effect::OpenModal(_)));
    let err = refused(e, &button_as(GUILD, &bob(), &why));
    assert!(
        matches!(&err, Error::Refused(r) if r.kind() == "session closed"),
        "{err:?}"
    );
    let err = refused(e, &select_as(GUILD, &alice(), &cov, &["l1"]));
    assert!(
        matches!(&err, Error::Refused(r) if r.kind() == "session closed"),
        "{err:?}"
    );
}

#[test]
fn score_confirmation_carries_the_lists_and_evidence_can_follow_a_quick_score() {
    let w = world();
    let e = &w.engine;
    let o = ok(
        e,
        &command_as(
            GUILD,
            &alice(),
            "score",
            &[
                ("candidate", "Lin"),
                ("question", "ev-rollout"),
                ("rating", "4"),
            ],
        ),
    );
    let m = answer(&o);
    assert!(content(m).contains("Recorded **4 Strong yes**"));
    assert_eq!(m.selects.len(), 2);
    assert!(
        m.cards.is_empty(),
        "a quick score's confirmation stays short"
    );
    // Every look-for and the bonus: 4, as rated; no override.
    let o = ok(
        e,
        &select_as(
            GUILD,
            &alice(),
            &list(m, "Covered"),
            &["l1", "l2", "l3", "l4", "b1"],
        ),
    );
    assert!(content(answer(&o)).contains("suggests **4 Strong yes**"));
    assert!(content(answer(&o)).contains("as the evidence suggests"));
    // Bob cannot tick on Alice's ad-hoc interview: he has no score there.
    let err = refused(e, &select_as(GUILD, &bob(), &list(m, "Covered"), &["l1"]));
    assert!(matches!(err, Error::UnknownAction), "{err:?}");
    // CHANNEL is where it happened.
    let _ = CHANNEL;
}

/// Issue 22's renames: a session planned before a question was renamed names it by its old
/// id, which is now an alias; its panel, ticks and rating still make one score, under the
/// question's id now.
#[test]
fn a_session_planned_before_a_rename_scores_under_the_new_id() {
    let w = world();
    panels(&w);
    // Before the rename, Bob rates the question under its old id.
    ok(&w.engine, &button_as(GUILD, &bob(), "s:rate:1:0:2"));
    let packs = w.dir.path().join("renamed");
    std::fs::create_dir(&packs).unwrap();
    let renamed = PACK_V1.replace(
        "id = \"ev-rollout\"",
        "id = \"ev-canary-rollout\"\naliases = [\"ev-rollout\"]",
    );
    let clock = Arc::new(ManualClock::new(1_780_000_100_000));
    let e = Engine::new(bank(&packs, &renamed), Store::open(&w.db).unwrap(), clock);
    let panel = ok(&e, &button_as(GUILD, &alice(), "s:answer:1:0"));
    let panel = answer(&panel);
    assert!(
        !panel.cards.is_empty(),
        "the rubric card of the renamed question"
    );
    ok(
        &e,
        &select_as(
            GUILD,
            &alice(),
            &list(panel, "Covered"),
            &["l1", "l2", "l3"],
        ),
    );
    ok(&e, &button_as(GUILD, &alice(), "s:rate:1:0:3"));
    let (score, evidence) = e
        .store()
        .read(|db| {
            let key = ScoreKey {
                guild_id: GuildId(GUILD),
                candidate_id: interview_bot::model::CandidateId(1),
                session_id: interview_bot::model::SessionId(1),
                question_id: "ev-canary-rollout",
                interviewer_id: alice().user_id,
                interviewer_name: "Alice",
            };
            let score = db.score(&key)?.expect("one score under the new id");
            let evidence = db.evidence(GuildId(GUILD), score.id)?;
            Ok::<_, interview_bot::store::StoreError>((score, evidence))
        })
        .unwrap();
    assert_eq!(score.rating, Some(3));
    assert_eq!(evidence.unwrap().covered, Ticks::of([0, 1, 2]));
    assert_eq!(stored(&e, &alice()), None, "nothing under the old id");
    // History recorded under the old id counts for the question under its id now.
    use interview_bot::store::ShowCount;
    let counts = e.catalog(GuildId(GUILD)).unwrap().shown_by_current_id(
        [
            (
                "ev-rollout".to_string(),
                ShowCount {
                    times: 2,
                    last_ms: 5,
                },
            ),
            (
                "ev-canary-rollout".to_string(),
                ShowCount {
                    times: 1,
                    last_ms: 9,
                },
            ),
            (
                "gone-question".to_string(),
                ShowCount {
                    times: 4,
                    last_ms: 1,
                },
            ),
        ]
        .into_iter()
        .collect(),
    );
    assert_eq!(counts.len(), 2);
    assert_eq!(
        counts["ev-canary-rollout"],
        ShowCount {
            times: 3,
            last_ms: 9
        }
    );
    assert_eq!(counts["gone-question"].times, 4);
    // `/scores question` by either id counts both scores: Bob's under the old id, Alice's
    // under the new one.
    let mia = who(
        1004,
        "Mia",
        &[],
        interview_bot::engine::Permissions::MANAGE_GUILD,
    );
    for id in ["ev-rollout", "ev-canary-rollout"] {
        let asked = command_as(GUILD, &mia, "scores question", &[("id", id)]);
        let report = e.question_report(&asked, id).unwrap();
        assert_eq!(report.stats.times, 2, "{id}");
        assert_eq!(report.stats.distribution, [0, 1, 1, 0], "{id}");
    }
}
