//! Interview scorecards (issue 10) against a real temporary SQLite file: who may do what,
//! blind scoring, re-scoring with its audit trail, sessions with two interviewers, auto-close,
//! every lookup's numbers on a known data set (expectations computed by hand in the comments),
//! the CSV export, forget, guild isolation and hostile text.

mod common;

// The request builders keep the short names the tests below use.
use common::{
    CHANNEL, Fixture, GUILD, button_as as click_req, command_as as cmd_req, fixture, message_text,
    modal_as, ok, refused, who,
};
use interview_bot::clock::Clock;
use interview_bot::engine::rubric::{RubricAccess, RubricContext, RubricRefusal};
use interview_bot::engine::{
    Effect, Engine, Error, Member, Message, Outcome, Permissions, Refusal, Request, ResolvedRole,
    Visibility, limits,
};
use interview_bot::features::config::NotAZone;
use interview_bot::features::scores::ScoreError;
use interview_bot::model::{ChannelId, GuildId, MessageId, RoleId, UserId};
use interview_bot::store::{SessionStatus, Store};

const ROLE: u64 = 444_444_444_444_444_444;
const Q1: &str = "aws-s3-basics";
const Q2: &str = "aws-regions-azs";
const DAY: i64 = 24 * 60 * 60 * 1000;

/// Three interviewers with the role, a manager, and a plain member.
fn alice() -> Member {
    who(1001, "Alice", &[ROLE], 0)
}
fn bob() -> Member {
    who(1002, "Bob", &[ROLE], 0)
}
fn carol() -> Member {
    who(1003, "Carol", &[ROLE], 0)
}
fn manager() -> Member {
    who(1004, "Mia", &[], Permissions::MANAGE_GUILD)
}
fn plain() -> Member {
    who(1005, "Pat", &[], 0)
}

fn setup() -> Fixture {
    let f = fixture();
    for g in [GUILD, GUILD + 1] {
        f.engine
            .store()
            .write(|db| db.set_interviewer_role(GuildId(g), Some(RoleId(ROLE)), UserId(1), 0))
            .unwrap();
    }
    f
}

/// The session's notes modal submitted with `notes`.
fn modal_req(guild: u64, m: &Member, id: &str, notes: &str) -> Request {
    modal_as(guild, m, id, &[("notes", notes)])
}

/// All the text of an outcome's messages.
fn text(o: &Outcome) -> String {
    let mut out = String::new();
    for e in &o.effects {
        if let Some(m) = e.message() {
            out.push_str(&message_text(m));
        }
    }
    out
}

fn first_reply(o: &Outcome) -> (Visibility, &Message) {
    o.first_reply().expect("a reply")
}

fn score(e: &Engine, guild: u64, m: &Member, cand: &str, q: &str, rating: &str) -> Outcome {
    ok(
        e,
        &cmd_req(
            guild,
            m,
            "score",
            &[("candidate", cand), ("question", q), ("rating", rating)],
        ),
    )
}

fn recommend(e: &Engine, guild: u64, m: &Member, cand: &str, rec: &str) -> Outcome {
    ok(
        e,
        &cmd_req(
            guild,
            m,
            "recommend",
            &[("candidate", cand), ("recommendation", rec)],
        ),
    )
}

/// Alice's scorecard for Ada, submitted: a 4 on `Q1` with a note only she and those who may
/// see it should read, and her strong-yes recommendation.
fn alice_scores_and_recommends_ada(e: &Engine) {
    ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "score",
            &[
                ("candidate", "Ada"),
                ("question", Q1),
                ("rating", "4"),
                ("notes", "Alice's secret note"),
            ],
        ),
    );
    recommend(e, GUILD, &alice(), "Ada", "strong-yes");
}

/// The posted session message of `/interview start` (effect 1).
fn session_buttons(o: &Outcome) -> Vec<String> {
    let msg = match &o.effects[1] {
        Effect::Post { message, .. } => message,
        other => panic!("expected a post, got {other:?}"),
    };
    msg.buttons.iter().map(|b| b.action.clone()).collect()
}

fn updated_buttons(o: &Outcome) -> Option<Vec<String>> {
    o.effects.iter().find_map(|e| match e {
        Effect::Update(m) => Some(m.buttons.iter().map(|b| b.action.clone()).collect()),
        _ => None,
    })
}

// ---------------------------------------------------------------------------------------
// Who may do what

#[test]
fn a_member_without_the_role_is_refused_every_scoring_command_and_button() {
    let f = setup();
    let e = &f.engine;
    let start = ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "interview start",
            &[("candidate", "Ada"), ("level", "junior")],
        ),
    );
    let buttons = session_buttons(&start);
    for leaf in interview_bot::features::REGISTRY.leaves() {
        let path = leaf.path();
        let root = path.split(' ').next().unwrap();
        if !["config", "score", "recommend", "interview", "scores"].contains(&root) {
            continue;
        }
        let err = refused(e, &cmd_req(GUILD, &plain(), &path, &[]));
        assert!(matches!(err, Error::NotAllowed { .. }), "/{path}: {err:?}");
        let msg = err.user_message();
        assert!(msg.starts_with("Only "), "{msg}");
        // The answer is private, as planned before any work.
        let o = e.run(&cmd_req(GUILD, &plain(), &path, &[]));
        assert_eq!(first_reply(&o).0, Visibility::Private);
        // Discord hides them from most members too.
        assert_eq!(
            leaf.root.default_permissions,
            Some(Permissions::MANAGE_GUILD),
            "/{path}"
        );
    }
    // The lookup buttons too: team paging, forget's confirm and cancel.
    let lookups = [
        "sc:team:1:".to_string(),
        "sc:forget:1:0".into(),
        "sc:keep:1".into(),
    ];
    for id in buttons.iter().chain(&lookups) {
        let err = refused(e, &click_req(GUILD, &plain(), id));
        assert!(matches!(err, Error::NotAllowed { .. }), "{id}: {err:?}");
    }
    let notes = buttons.iter().find(|b| b.starts_with("s:notes:")).unwrap();
    let modal = notes.replacen("s:notes:", "s:note:", 1);
    assert!(matches!(
        refused(e, &modal_req(GUILD, &plain(), &modal, "x")),
        Error::NotAllowed { .. }
    ));
    // Nothing was recorded by the refused clicks.
    let scores = e
        .store()
        .read(|db| db.guild_scores(GuildId(GUILD)))
        .unwrap();
    assert!(scores.is_empty());
}

#[test]
fn interviewers_score_and_look_up_but_only_managers_configure_export_and_forget() {
    let f = setup();
    let e = &f.engine;
    score(e, GUILD, &alice(), "Ada", Q1, "3");
    ok(
        e,
        &cmd_req(GUILD, &alice(), "scores candidate", &[("candidate", "ada")]),
    );
    ok(e, &cmd_req(GUILD, &alice(), "scores team", &[]));
    ok(e, &cmd_req(GUILD, &alice(), "scores interviewer", &[]));
    ok(
        e,
        &cmd_req(GUILD, &alice(), "scores question", &[("id", Q1)]),
    );
    for (path, opts) in [
        ("scores export", vec![]),
        ("scores forget", vec![("candidate", "Ada")]),
        ("config show", vec![]),
        ("config timezone", vec![("zone", "UTC")]),
        ("config rubric-access", vec![("access", "everyone")]),
    ] {
        let err = refused(e, &cmd_req(GUILD, &alice(), path, &opts));
        assert!(matches!(err, Error::NotAllowed { .. }), "/{path}: {err:?}");
    }
    // The role only counts in its own guild.
    let elsewhere = refused(e, &cmd_req(GUILD + 7, &alice(), "scores team", &[]));
    assert!(matches!(elsewhere, Error::NotAllowed { .. }));
    // Managers may.
    ok(e, &cmd_req(GUILD, &manager(), "scores export", &[]));
    ok(e, &cmd_req(GUILD, &manager(), "config show", &[]));
    // Looking at another interviewer's calibration takes Manage Server.
    let mut req = cmd_req(GUILD, &alice(), "scores interviewer", &[("user", "1002")]);
    req.resolved.users.insert(
        UserId(1002),
        interview_bot::engine::ResolvedUser {
            id: UserId(1002),
            name: "Bob".into(),
        },
    );
    assert!(matches!(refused(e, &req), Error::NotAllowed { .. }));
    let mut req = cmd_req(GUILD, &manager(), "scores interviewer", &[("user", "1002")]);
    req.resolved.users.insert(
        UserId(1002),
        interview_bot::engine::ResolvedUser {
            id: UserId(1002),
            name: "Bob".into(),
        },
    );
    ok(e, &req);
}

#[test]
fn config_sets_the_role_rubric_access_and_time_zone_and_shows_them() {
    let f = fixture();
    let e = &f.engine;
    // Fresh install: only managers are interviewers.
    assert!(matches!(
        refused(
            e,
            &cmd_req(
                GUILD,
                &alice(),
                "score",
                &[("candidate", "A"), ("question", Q1), ("rating", "3")]
            )
        ),
        Error::NotAllowed { .. }
    ));
    let mut req = cmd_req(
        GUILD,
        &manager(),
        "config interviewer-role",
        &[("role", &ROLE.to_string())],
    );
    req.resolved.roles.insert(
        RoleId(ROLE),
        ResolvedRole {
            id: RoleId(ROLE),
            name: "interviewers".into(),
            mentionable: true,
        },
    );
    let o = ok(e, &req);
    assert!(text(&o).contains(&format!("<@&{ROLE}>")));
    score(e, GUILD, &alice(), "A", Q1, "3");
    ok(
        e,
        &cmd_req(
            GUILD,
            &manager(),
            "config timezone",
            &[("zone", "Europe/Berlin")],
        ),
    );
    let err = refused(
        e,
        &cmd_req(
            GUILD,
            &manager(),
            "config timezone",
            &[("zone", "Mars/Base")],
        ),
    );
    assert!(matches!(err.refusal::<NotAZone>(), Some(NotAZone { .. })));
    assert!(err.user_message().contains("IANA"));
    ok(
        e,
        &cmd_req(
            GUILD,
            &manager(),
            "config rubric-access",
            &[("access", "everyone")],
        ),
    );
    let shown = text(&ok(e, &cmd_req(GUILD, &manager(), "config show", &[])));
    assert!(shown.contains(&format!("<@&{ROLE}>")), "{shown}");
    assert!(shown.contains("`Europe/Berlin`"), "{shown}");
    assert!(shown.contains("Server: everyone"), "{shown}");
    assert_eq!(
        e.store()
            .read(|db| db.guild_timezone(GuildId(GUILD)))
            .unwrap()
            .as_deref(),
        Some("Europe/Berlin")
    );
}

#[test]
fn rubrics_are_for_interviewers_from_a_fresh_install_and_admins_can_open_them_up() {
    let f = setup();
    let e = &f.engine;
    // /question by anyone: the card says the rubric is limited, and a plain member is refused.
    let card = ok(
        e,
        &cmd_req(GUILD, &plain(), "question", &[("level", "junior")]),
    );
    let (vis, msg) = first_reply(&card);
    assert_eq!(vis, Visibility::Public);
    assert_eq!(msg.buttons[0].label, "🔒 Model answer (interviewers only)");
    let answer_id = msg.buttons[0].action.clone();
    let err = refused(e, &click_req(GUILD, &plain(), &answer_id));
    assert!(
        matches!(err.refusal::<RubricRefusal>(), Some(RubricRefusal::Limited)),
        "{err:?}"
    );
    assert!(
        err.user_message().contains("/config rubric-access"),
        "{}",
        err.user_message()
    );
    let err = refused(e, &cmd_req(GUILD, &plain(), "answer", &[("id", Q1)]));
    assert!(matches!(
        err.refusal::<RubricRefusal>(),
        Some(RubricRefusal::Limited)
    ));
    // Interviewers open it privately; public:true is refused while it is limited.
    let o = ok(e, &click_req(GUILD, &alice(), &answer_id));
    assert_eq!(first_reply(&o).0, Visibility::Private);
    ok(e, &cmd_req(GUILD, &alice(), "answer", &[("id", Q1)]));
    let err = refused(
        e,
        &cmd_req(
            GUILD,
            &manager(),
            "answer",
            &[("id", Q1), ("public", "true")],
        ),
    );
    assert!(matches!(
        err.refusal::<RubricRefusal>(),
        Some(RubricRefusal::NotPublic)
    ));
    // The daily feature's default: everyone.
    assert_eq!(
        e.rubric_access(GuildId(GUILD), ChannelId(CHANNEL), RubricContext::Daily)
            .unwrap(),
        RubricAccess::Everyone
    );
    assert_eq!(
        e.rubric_access(GuildId(GUILD), ChannelId(CHANNEL), RubricContext::Question)
            .unwrap(),
        RubricAccess::Interviewers
    );
    // Open it up for the server: everyone may, and public:true works.
    ok(
        e,
        &cmd_req(
            GUILD,
            &manager(),
            "config rubric-access",
            &[("access", "everyone")],
        ),
    );
    ok(e, &click_req(GUILD, &plain(), &answer_id));
    let o = ok(
        e,
        &cmd_req(GUILD, &plain(), "answer", &[("id", Q1), ("public", "true")]),
    );
    assert_eq!(first_reply(&o).0, Visibility::Public);
    let card = ok(
        e,
        &cmd_req(GUILD, &plain(), "question", &[("level", "junior")]),
    );
    assert_eq!(
        first_reply(&card).1.buttons[0].label,
        "🔒 Model answer (only you)"
    );
    // A channel's own setting wins over the server's.
    let mut req = cmd_req(
        GUILD,
        &manager(),
        "config rubric-access",
        &[
            ("access", "interviewers"),
            ("channel", &CHANNEL.to_string()),
        ],
    );
    req.resolved.channels.insert(
        ChannelId(CHANNEL),
        interview_bot::engine::ResolvedChannel {
            id: ChannelId(CHANNEL),
            name: "interviews".into(),
            kind: interview_bot::engine::ChannelKind::Text,
            bot_permissions: None,
        },
    );
    ok(e, &req);
    assert!(matches!(
        refused(e, &click_req(GUILD, &plain(), &answer_id)).refusal::<RubricRefusal>(),
        Some(RubricRefusal::Limited)
    ));
    assert_eq!(
        e.rubric_access(
            GuildId(GUILD),
            ChannelId(CHANNEL + 1),
            RubricContext::Question
        )
        .unwrap(),
        RubricAccess::Everyone
    );
    assert_eq!(
        e.rubric_access(GuildId(GUILD), ChannelId(CHANNEL), RubricContext::Daily)
            .unwrap(),
        RubricAccess::Interviewers
    );
    // Another guild keeps its own default.
    assert_eq!(
        e.rubric_access(
            GuildId(GUILD + 1),
            ChannelId(CHANNEL + 1),
            RubricContext::Question
        )
        .unwrap(),
        RubricAccess::Interviewers
    );
}

#[test]
fn the_model_answer_inside_a_session_is_for_interviewers_even_where_rubrics_are_open() {
    let f = setup();
    let e = &f.engine;
    ok(
        e,
        &cmd_req(
            GUILD,
            &manager(),
            "config rubric-access",
            &[("access", "everyone")],
        ),
    );
    let start = ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "interview start",
            &[("candidate", "Ada"), ("level", "junior")],
        ),
    );
    let answer = session_buttons(&start)
        .into_iter()
        .find(|b| b.starts_with("s:answer:"))
        .unwrap();
    assert!(matches!(
        refused(e, &click_req(GUILD, &plain(), &answer)),
        Error::NotAllowed { .. }
    ));
    let o = ok(e, &click_req(GUILD, &bob(), &answer));
    assert_eq!(first_reply(&o).0, Visibility::Private);
    assert!(text(&o).contains("Yes at this level"));
}

// ---------------------------------------------------------------------------------------
// Blind scoring

#[test]
fn blind_scoring_hides_others_until_you_have_recommended_and_managers_see_all() {
    let f = setup();
    let e = &f.engine;
    alice_scores_and_recommends_ada(e);
    let before = ok(
        e,
        &cmd_req(GUILD, &bob(), "scores candidate", &[("candidate", "ADA")]),
    );
    let t = text(&before);
    assert_eq!(first_reply(&before).0, Visibility::Private);
    let blind = e
        .scorecard_report(
            &cmd_req(GUILD, &bob(), "scores candidate", &[("candidate", "ADA")]),
            "ADA",
        )
        .unwrap();
    assert_eq!(
        blind,
        interview_bot::features::scores::lookups::Scorecard::Blind {
            name: "Ada".into(),
            scorecards: 1,
            interviewers: 1
        }
    );
    assert!(t.contains("1 scorecard from 1 interviewer"), "{t}");
    for hidden in ["secret", "Strong yes", "4 ", "Alice"] {
        assert!(!t.contains(hidden), "{hidden} leaked: {t}");
    }
    // The team view hides the numbers too.
    let team = text(&ok(e, &cmd_req(GUILD, &bob(), "scores team", &[])));
    let report = e
        .team_report(&cmd_req(GUILD, &bob(), "scores team", &[]), None, 0)
        .unwrap();
    assert!(report.blind);
    assert_eq!(report.rows.len(), 1);
    assert_eq!(report.rows[0].summary.scorecards, 1);
    assert_eq!(report.rows[0].figures, None);
    assert!(team.contains("blind: 1 scorecard"), "{team}");
    assert!(!team.contains("average"), "{team}");
    // Notes alone do not count as a submitted score.
    let start = ok(
        e,
        &cmd_req(
            GUILD,
            &bob(),
            "interview start",
            &[("candidate", "Ada"), ("level", "junior")],
        ),
    );
    let notes = session_buttons(&start)
        .into_iter()
        .find(|b| b.starts_with("s:notes:"))
        .unwrap();
    ok(
        e,
        &modal_req(
            GUILD,
            &bob(),
            &notes.replacen("s:notes:", "s:note:", 1),
            "only notes",
        ),
    );
    assert!(
        !text(&ok(
            e,
            &cmd_req(GUILD, &bob(), "scores candidate", &[("candidate", "Ada")])
        ))
        .contains("secret")
    );
    // Bob's own rating does not lift it either: his scorecard is in only with his
    // recommendation.
    score(e, GUILD, &bob(), "Ada", Q2, "2");
    let rated = text(&ok(
        e,
        &cmd_req(GUILD, &bob(), "scores candidate", &[("candidate", "Ada")]),
    ));
    assert!(
        !rated.contains("secret") && rated.contains("/recommend"),
        "{rated}"
    );
    // After his recommendation he sees Alice's rating, notes and recommendation.
    recommend(e, GUILD, &bob(), "Ada", "no");
    let after = text(&ok(
        e,
        &cmd_req(GUILD, &bob(), "scores candidate", &[("candidate", "Ada")]),
    ));
    assert!(after.contains("Alice's secret note"), "{after}");
    assert!(after.contains("**4 Strong yes**"), "{after}");
    assert!(after.contains("Alice: **Strong yes**"), "{after}");
    // A manager sees everything without scoring.
    let m = text(&ok(
        e,
        &cmd_req(
            GUILD,
            &manager(),
            "scores candidate",
            &[("candidate", "Ada")],
        ),
    ));
    assert!(
        m.contains("Alice's secret note") && m.contains("only notes"),
        "{m}"
    );
}

/// Greenhouse's default: another interviewer's ratings, notes and recommendations show only
/// once you have submitted your own scorecard (your recommendation, by /recommend or
/// /interview end); a rating alone does not lift it, on any lookup. Manage Server sees all.
#[test]
fn ratings_alone_stay_blind_until_your_recommendation_is_in_and_managers_see_all() {
    use interview_bot::features::scores::lookups::Scorecard;
    let f = setup();
    let e = &f.engine;
    alice_scores_and_recommends_ada(e);
    // Bob rates Ada on both questions, but has not recommended.
    score(e, GUILD, &bob(), "Ada", Q1, "2");
    score(e, GUILD, &bob(), "Ada", Q2, "2");
    let card_req = |m: &Member| cmd_req(GUILD, m, "scores candidate", &[("candidate", "Ada")]);
    let team_req = |m: &Member| cmd_req(GUILD, m, "scores team", &[]);
    let question_req = |m: &Member| cmd_req(GUILD, m, "scores question", &[("id", Q1)]);
    let calibration_req = |m: &Member| cmd_req(GUILD, m, "scores interviewer", &[]);

    // Only ratings: blind everywhere, each reply saying what lifts it.
    assert!(matches!(
        e.scorecard_report(&card_req(&bob()), "Ada").unwrap(),
        Scorecard::Blind {
            scorecards: 2,
            interviewers: 2,
            ..
        }
    ));
    let t = text(&ok(e, &card_req(&bob())));
    for hidden in ["secret", "Strong yes", "Alice"] {
        assert!(!t.contains(hidden), "{hidden} leaked: {t}");
    }
    assert!(t.contains("/recommend"), "{t}");
    let team = e.team_report(&team_req(&bob()), None, 0).unwrap();
    assert!(team.blind);
    assert_eq!(team.rows[0].figures, None);
    let t = text(&ok(e, &team_req(&bob())));
    assert!(!t.contains("average") && t.contains("/recommend"), "{t}");
    let q = e.question_report(&question_req(&bob()), Q1).unwrap();
    assert!(q.blind);
    assert_eq!((q.stats.times, q.stats.candidates), (0, 0));
    assert!(text(&ok(e, &question_req(&bob()))).contains("/recommend"));
    // Calibration compares Bob with no one yet: the others' mean would give their ratings away.
    let c = e
        .calibration_report(&calibration_req(&bob()), None)
        .unwrap();
    let own = c.of(UserId(1002)).unwrap();
    assert_eq!((own.ratings, own.mean), (2, Some(2.0)));
    assert_eq!((own.difference, own.shared), (None, 0));
    let t = text(&ok(e, &calibration_req(&bob())));
    assert!(!t.contains("-2.00") && t.contains("/recommend"), "{t}");

    // A manager sees everything without recommending.
    assert!(matches!(
        e.scorecard_report(&card_req(&manager()), "Ada").unwrap(),
        Scorecard::Full(_)
    ));
    let t = text(&ok(e, &card_req(&manager())));
    assert!(
        t.contains("Alice's secret note") && t.contains("Alice: **Strong yes**"),
        "{t}"
    );
    let team = e.team_report(&team_req(&manager()), None, 0).unwrap();
    assert!(!team.blind && team.rows[0].figures.is_some());
    let q = e.question_report(&question_req(&manager()), Q1).unwrap();
    assert_eq!((q.blind, q.stats.times), (false, 2));

    // Bob's recommendation lifts it everywhere.
    recommend(e, GUILD, &bob(), "Ada", "no");
    let t = text(&ok(e, &card_req(&bob())));
    assert!(
        t.contains("Alice's secret note")
            && t.contains("**4 Strong yes**")
            && t.contains("Alice: **Strong yes**"),
        "{t}"
    );
    let team = e.team_report(&team_req(&bob()), None, 0).unwrap();
    assert!(team.rows[0].figures.is_some());
    let q = e.question_report(&question_req(&bob()), Q1).unwrap();
    assert_eq!((q.stats.times, q.stats.candidates), (2, 1));
    let c = e
        .calibration_report(&calibration_req(&bob()), None)
        .unwrap();
    let own = c.of(UserId(1002)).unwrap();
    // Bob 2.00 against Alice's 4.00.
    assert_eq!((own.difference, own.shared), (Some(-2.0), 1));

    // /interview end with a recommendation submits the scorecard too.
    ok(
        e,
        &cmd_req(
            GUILD,
            &carol(),
            "interview start",
            &[("candidate", "Ada"), ("level", "junior")],
        ),
    );
    score(e, GUILD, &carol(), "Ada", Q2, "3");
    assert!(matches!(
        e.scorecard_report(&card_req(&carol()), "Ada").unwrap(),
        Scorecard::Blind { .. }
    ));
    ok(
        e,
        &cmd_req(
            GUILD,
            &carol(),
            "interview end",
            &[("recommendation", "yes")],
        ),
    );
    let t = text(&ok(e, &card_req(&carol())));
    assert!(t.contains("Alice's secret note"), "{t}");
}

// ---------------------------------------------------------------------------------------
// Re-scoring

#[test]
fn rescoring_replaces_the_rating_keeps_the_old_one_in_the_history_and_a_new_interview_is_new() {
    let f = setup();
    let e = &f.engine;
    let first = score(e, GUILD, &alice(), "Ada", Q1, "2");
    assert!(text(&first).contains("Recorded **2 No**"));
    f.clock.advance(1000);
    let again = score(e, GUILD, &alice(), "ada", Q1, "4");
    assert!(
        text(&again).contains("replaces your earlier 2 No"),
        "{}",
        text(&again)
    );
    let c = e
        .store()
        .read(|db| db.candidate_by_key(GuildId(GUILD), "ada"))
        .unwrap()
        .unwrap();
    assert_eq!(c.name, "Ada", "stored as first given");
    let rows = e
        .store()
        .read(|db| db.candidate_scores(GuildId(GUILD), c.id))
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].rating, Some(4));
    let history = e
        .store()
        .read(|db| db.score_history(GuildId(GUILD), c.id))
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].old_rating, history[0].new_rating),
        (Some(2), Some(4))
    );
    assert_eq!(history[0].changed_by, UserId(1001));
    // 24 hours later the ad-hoc interview has closed: the next score is a new scorecard.
    f.clock.advance(DAY);
    e.close_stale_sessions(f.clock.now_ms()).unwrap();
    score(e, GUILD, &alice(), "Ada", Q1, "1");
    let rows = e
        .store()
        .read(|db| db.candidate_scores(GuildId(GUILD), c.id))
        .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.rating).collect::<Vec<_>>(),
        [Some(4), Some(1)]
    );
    assert_ne!(rows[0].session_id, rows[1].session_id);
    recommend(e, GUILD, &alice(), "Ada", "no");
    let req = cmd_req(GUILD, &alice(), "scores candidate", &[("candidate", "Ada")]);
    let card = text(&ok(e, &req));
    let interview_bot::features::scores::lookups::Scorecard::Full(report) =
        e.scorecard_report(&req, "Ada").unwrap()
    else {
        panic!("Alice recommended Ada: {card}")
    };
    assert_eq!((report.scorecards, report.interviewers), (2, 1));
    assert_eq!(
        report.averages,
        [
            interview_bot::features::scores::lookups::InterviewerAverage {
                interviewer_id: UserId(1001),
                mean: Some(2.5),
                ratings: 2
            }
        ]
    );
    assert!(card.contains("Alice: 2.50 (2 ratings)"), "{card}");
}

/// A candidate stored before names were NFKC-normalised keeps the key it was stored with
/// (its name trimmed and lower-cased as typed). `/score` and `/interview start` of the
/// normalised name find it and re-key it, instead of adding a second candidate.
#[test]
fn a_candidate_keyed_before_normalisation_is_rekeyed_and_never_duplicated() {
    let f = setup();
    let e = &f.engine;
    // As an earlier release stored "Ｄａｎａ  Scully": fullwidth, two spaces.
    let conn = rusqlite::Connection::open(&f.db_path).unwrap();
    conn.execute(
        "INSERT INTO candidates (guild_id, name, name_key, created_by, created_at)
         VALUES (?1, 'Ｄａｎａ  Scully', 'ｄａｎａ  scully', 1, 0)",
        [GUILD as i64],
    )
    .unwrap();
    drop(conn);
    let legacy = e
        .store()
        .read(|db| db.candidates(GuildId(GUILD)))
        .unwrap()
        .remove(0);
    score(e, GUILD, &alice(), "Dana Scully", Q1, "3");
    ok(
        e,
        &cmd_req(
            GUILD,
            &bob(),
            "interview start",
            &[("candidate", "dana  SCULLY"), ("level", "junior")],
        ),
    );
    let candidates = e.store().read(|db| db.candidates(GuildId(GUILD))).unwrap();
    assert_eq!(candidates.len(), 1, "{candidates:?}");
    assert_eq!(candidates[0].id, legacy.id);
    // Re-keyed under the normalised key.
    let found = e
        .store()
        .read(|db| db.candidate_by_key(GuildId(GUILD), "dana scully"))
        .unwrap();
    assert_eq!(found.map(|c| c.id), Some(legacy.id));
    let scores = e
        .store()
        .read(|db| db.candidate_scores(GuildId(GUILD), legacy.id))
        .unwrap();
    assert_eq!(
        scores
            .iter()
            .map(|s| (s.rating, s.interviewer_id))
            .collect::<Vec<_>>(),
        [(Some(3), UserId(1001))]
    );
    let sessions = e
        .store()
        .read(|db| db.candidate_sessions(GuildId(GUILD), legacy.id))
        .unwrap();
    assert_eq!(sessions.len(), 2, "the /score interview and the session");
}

// ---------------------------------------------------------------------------------------
// Sessions

#[test]
fn a_session_with_two_interviewers_records_each_and_advances_on_the_starter() {
    let f = setup();
    let e = &f.engine;
    let start = ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "interview start",
            &[
                ("candidate", "Ada"),
                ("level", "junior"),
                ("questions", "2"),
            ],
        ),
    );
    assert_eq!(first_reply(&start).0, Visibility::Private);
    let Effect::Post {
        channel_id,
        message,
        ..
    } = &start.effects[1]
    else {
        panic!()
    };
    assert_eq!(*channel_id, ChannelId(CHANNEL));
    let labels: Vec<&str> = message.buttons.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "1 Strong no",
            "2 No",
            "3 Yes",
            "4 Strong yes",
            "Notes",
            "🔒 Rubric and evidence (interviewers only)",
            "Skip"
        ]
    );
    assert!(message_text(message).contains("question 1 of 2"));
    let b1 = session_buttons(&start);
    // A second start in the channel is refused with a pointer to the open one.
    let err = refused(
        e,
        &cmd_req(
            GUILD,
            &bob(),
            "interview start",
            &[("candidate", "Bea"), ("level", "mid")],
        ),
    );
    assert!(matches!(
        err.refusal::<ScoreError>(),
        Some(ScoreError::SessionOpenHere { .. })
    ));
    let msg = err.user_message();
    assert!(msg.contains("`Ada`") && msg.contains("<@1001>"), "{msg}");
    assert!(
        msg.contains(&format!(
            "https://discord.com/channels/{GUILD}/{CHANNEL}/9002"
        )),
        "{msg}"
    );
    // Bob rates question 1: recorded, privately, and the session stays on question 1.
    let o = ok(e, &click_req(GUILD, &bob(), &b1[2]));
    assert!(updated_buttons(&o).is_none());
    assert_eq!(first_reply(&o).0, Visibility::Private);
    assert!(text(&o).contains("Recorded **3 Yes**"));
    // Bob cannot skip; Alice's rating moves the message on (an update of the same message).
    assert!(matches!(
        refused(e, &click_req(GUILD, &bob(), &b1[6])).refusal::<ScoreError>(),
        Some(ScoreError::NotStarter {
            started_by: UserId(1001)
        })
    ));
    let o = ok(e, &click_req(GUILD, &alice(), &b1[3]));
    let b2 = updated_buttons(&o).expect("the session moved on");
    assert!(text(&o).contains("question 2 of 2"));
    assert_ne!(b1, b2);
    // Bob's notes through the modal, prefilled the second time.
    let Effect::OpenModal(modal) = &ok(e, &click_req(GUILD, &bob(), &b2[4])).effects[0] else {
        panic!()
    };
    assert!(limits::check_modal(modal).is_empty());
    ok(
        e,
        &modal_req(GUILD, &bob(), &modal.action, "Knows AZs, unsure on regions"),
    );
    let Effect::OpenModal(again) = &ok(e, &click_req(GUILD, &bob(), &b2[4])).effects[0] else {
        panic!()
    };
    assert_eq!(
        again.inputs[0].value.as_deref(),
        Some("Knows AZs, unsure on regions")
    );
    ok(e, &click_req(GUILD, &bob(), &b2[0]));
    // Alice skips question 2: all asked.
    let o = ok(e, &click_req(GUILD, &alice(), &b2[6]));
    assert!(text(&o).contains("All 2 questions have been asked"));
    assert!({
        let err = refused(e, &click_req(GUILD, &alice(), &b2[6]));
        matches!(err, Error::UnknownAction)
            || matches!(
                err.refusal::<ScoreError>(),
                Some(ScoreError::AlreadyMovedOn)
            )
    });
    // Stored: Bob 3 and 1 (with notes), Alice 4 on the first question.
    let c = e
        .store()
        .read(|db| db.candidate_by_key(GuildId(GUILD), "ada"))
        .unwrap()
        .unwrap();
    let rows = e
        .store()
        .read(|db| db.candidate_scores(GuildId(GUILD), c.id))
        .unwrap();
    let mut got: Vec<(u64, Option<u8>, String)> = rows
        .iter()
        .map(|r| (r.interviewer_id.get(), r.rating, r.notes.clone()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            (1001, Some(4), String::new()),
            (1002, Some(1), "Knows AZs, unsure on regions".into()),
            (1002, Some(3), String::new())
        ]
    );
    // Bob ends it with his recommendation: his scorecard privately, the message edited.
    let end = ok(
        e,
        &cmd_req(GUILD, &bob(), "interview end", &[("recommendation", "no")]),
    );
    assert_eq!(first_reply(&end).0, Visibility::Private);
    let t = text(&end);
    assert!(
        t.contains("**3 Yes**")
            && t.contains("**1 Strong no**")
            && t.contains("Your recommendation: **No**"),
        "{t}"
    );
    assert!(!t.contains("4 Strong yes"), "only Bob's own scorecard: {t}");
    // Alice started it: Bob's end records his recommendation and leaves it open; hers ends it.
    assert!(!end.effects.iter().any(|e| matches!(e, Effect::Edit { .. })));
    let end = ok(e, &cmd_req(GUILD, &alice(), "interview end", &[]));
    assert!(end.effects.iter().any(|e| matches!(e, Effect::Edit { .. })));
    let recs = e
        .store()
        .read(|db| db.candidate_recommendations(GuildId(GUILD), c.id))
        .unwrap();
    assert_eq!(recs[0].recommendation.as_str(), "no");
    // Closed: buttons refuse, and a new session can start.
    assert!(matches!(
        refused(e, &click_req(GUILD, &alice(), &b2[1])).refusal::<ScoreError>(),
        Some(ScoreError::SessionClosed)
    ));
    assert!(matches!(
        refused(e, &cmd_req(GUILD, &alice(), "interview end", &[])).refusal::<ScoreError>(),
        Some(ScoreError::NoSessionHere)
    ));
    ok(
        e,
        &cmd_req(
            GUILD,
            &bob(),
            "interview start",
            &[("candidate", "Bea"), ("level", "mid")],
        ),
    );
}

#[test]
fn a_session_left_open_for_24_hours_is_closed_and_says_so() {
    let f = setup();
    let e = &f.engine;
    let start = ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "interview start",
            &[("candidate", "Ada"), ("level", "senior")],
        ),
    );
    let buttons = session_buttons(&start);
    f.clock.advance(DAY - 1);
    assert!(e.close_stale_sessions(f.clock.now_ms()).unwrap().is_empty());
    f.clock.advance(1);
    let closed = e.close_stale_sessions(f.clock.now_ms()).unwrap();
    assert_eq!(closed.len(), 1);
    let Effect::Edit { target, message } = &closed[0].effects[0] else {
        panic!()
    };
    // The recorder gave the posted message id 9002 (the private reply was 9001).
    assert_eq!(
        *target,
        interview_bot::engine::MessageRef::Existing {
            channel_id: ChannelId(CHANNEL),
            message_id: MessageId(9002)
        }
    );
    assert!(
        message_text(message).contains("Closed automatically"),
        "{message:?}"
    );
    assert!(message.buttons.is_empty());
    let s = e
        .store()
        .read(|db| db.candidate_sessions(GuildId(GUILD), interview_bot::model::CandidateId(1)))
        .unwrap();
    assert_eq!(s[0].status, SessionStatus::Expired);
    assert!(matches!(
        refused(e, &click_req(GUILD, &alice(), &buttons[2])).refusal::<ScoreError>(),
        Some(ScoreError::SessionClosed)
    ));
    // Once only.
    assert!(
        e.close_stale_sessions(f.clock.now_ms() + DAY)
            .unwrap()
            .is_empty()
    );
    ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "interview start",
            &[("candidate", "Ada"), ("level", "senior")],
        ),
    );
}

// ---------------------------------------------------------------------------------------
// Lookups on a known data set
//
// Ada (day 1): Alice Q1=4 Q2=3, Bob Q1=3 Q2=2; Alice strong-yes, Bob yes.
// Bob's candidate "Ben" (day 3): Alice Q1=2, Carol Q1=1 Q2=2; Alice no, Carol no-decision.

fn known(f: &Fixture) {
    let e = &f.engine;
    score(e, GUILD, &alice(), "Ada", Q1, "4");
    score(e, GUILD, &alice(), "Ada", Q2, "3");
    score(e, GUILD, &bob(), "Ada", Q1, "3");
    score(e, GUILD, &bob(), "Ada", Q2, "2");
    recommend(e, GUILD, &alice(), "Ada", "strong-yes");
    recommend(e, GUILD, &bob(), "Ada", "yes");
    f.clock.advance(2 * DAY);
    score(e, GUILD, &alice(), "Ben", Q1, "2");
    score(e, GUILD, &carol(), "Ben", Q1, "1");
    score(e, GUILD, &carol(), "Ben", Q2, "2");
    recommend(e, GUILD, &alice(), "Ben", "no");
    recommend(e, GUILD, &carol(), "Ben", "no-decision");
}

#[test]
fn the_candidate_scorecard_has_each_rating_the_averages_recommendations_and_interviews() {
    let f = setup();
    known(&f);
    let req = cmd_req(
        GUILD,
        &manager(),
        "scores candidate",
        &[("candidate", "ada")],
    );
    let t = text(&ok(&f.engine, &req));
    let interview_bot::features::scores::lookups::Scorecard::Full(report) =
        f.engine.scorecard_report(&req, "ada").unwrap()
    else {
        panic!("a manager sees everything: {t}")
    };
    // Alice (4+3)/2 = 3.50, Bob (3+2)/2 = 2.50, overall 12/4 = 3.00.
    assert_eq!((report.scorecards, report.interviewers), (2, 2));
    let averages: Vec<(u64, Option<f64>, usize)> = report
        .averages
        .iter()
        .map(|a| (a.interviewer_id.get(), a.mean, a.ratings))
        .collect();
    assert_eq!(averages, [(1001, Some(3.5), 2), (1002, Some(2.5), 2)]);
    assert_eq!((report.overall, report.ratings), (Some(3.0), 4));
    for want in [
        "2 scorecards from 2 interviewers",
        "Alice: **4 Strong yes**",
        "Bob: **2 No**",
        "Alice: 3.50 (2 ratings)",
        "Alice: **Strong yes**",
        "Bob: **Yes**",
        "2026-05-28 · scored by command · Alice",
    ] {
        assert!(t.contains(want), "missing {want}: {t}");
    }
}

#[test]
fn the_team_view_counts_averages_and_mixes_newest_first_and_pages() {
    let f = setup();
    known(&f);
    let e = &f.engine;
    let t = text(&ok(e, &cmd_req(GUILD, &manager(), "scores team", &[])));
    // Ben: 2 interviewers, 2 questions (3 ratings), (2+1+2)/3 = 1.67; Ada: 2, 2 (4), 12/4 = 3.00.
    let report = e
        .team_report(&cmd_req(GUILD, &manager(), "scores team", &[]), None, 0)
        .unwrap();
    use interview_bot::model::Recommendation;
    let rows: Vec<_> = report
        .rows
        .iter()
        .map(|r| {
            let f = r.figures.clone().expect("a manager sees the numbers");
            (
                r.name.as_str(),
                interview_bot::time::date_utc(r.last_interview),
                (
                    r.summary.interviewers,
                    r.summary.questions,
                    r.summary.ratings,
                ),
                f.average,
                f.recommendations,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "Ben",
                "2026-05-30".to_string(),
                (2, 2, 3),
                Some(5.0 / 3.0),
                vec![(Recommendation::No, 1), (Recommendation::NoDecision, 1)]
            ),
            (
                "Ada",
                "2026-05-28".to_string(),
                (2, 2, 4),
                Some(3.0),
                vec![(Recommendation::StrongYes, 1), (Recommendation::Yes, 1)]
            ),
        ],
        "newest first"
    );
    assert!(
        t.contains(
            "2 interviewers · 2 questions scored (3 ratings) · average 1.67 · No 1, No decision 1"
        ),
        "{t}"
    );
    let since = text(&ok(
        e,
        &cmd_req(GUILD, &manager(), "scores team", &[("since", "2026-05-29")]),
    ));
    assert!(
        since.contains("Ben") && !since.contains("**Ada**"),
        "{since}"
    );
    assert!(matches!(
        refused(
            e,
            &cmd_req(GUILD, &manager(), "scores team", &[("since", "May 1")])
        )
        .refusal::<ScoreError>(),
        Some(ScoreError::Date { .. })
    ));
    // 12 candidates: two pages of 10 and 2, with working buttons.
    for i in 0..10 {
        f.clock.advance(1000);
        score(e, GUILD, &alice(), &format!("Extra {i:02}"), Q1, "3");
    }
    let first = ok(e, &cmd_req(GUILD, &manager(), "scores team", &[]));
    let (_, msg) = first_reply(&first);
    let report = e
        .team_report(&cmd_req(GUILD, &manager(), "scores team", &[]), None, 0)
        .unwrap();
    assert_eq!((report.page, report.pages, report.listed), (0, 2, 12));
    assert_eq!(report.rows.len(), 10);
    assert!(message_text(msg).contains("page 1 of 2 · 12 candidates"));
    assert!(msg.buttons[0].disabled && !msg.buttons[1].disabled);
    assert!(message_text(msg).contains("Extra 09") && !message_text(msg).contains("**Ada**"));
    let next = ok(e, &click_req(GUILD, &manager(), &msg.buttons[1].action));
    let Effect::Update(page2) = &next.effects[0] else {
        panic!()
    };
    let p2 = message_text(page2);
    assert!(
        p2.contains("page 2 of 2")
            && p2.contains("**Ada**")
            && p2.contains("**Ben**")
            && !p2.contains("Extra"),
        "{p2}"
    );
    assert!(!page2.buttons[0].disabled && page2.buttons[1].disabled);
}

#[test]
fn calibration_shows_mean_spread_no_decision_and_the_difference_from_the_team() {
    let f = setup();
    known(&f);
    let req = cmd_req(GUILD, &manager(), "scores interviewer", &[]);
    let t = text(&ok(&f.engine, &req));
    let report = f.engine.calibration_report(&req, None).unwrap();
    let shown: Vec<u64> = report
        .interviewers
        .iter()
        .map(|i| i.user_id.get())
        .collect();
    assert_eq!(shown, [1001, 1002, 1003]);
    // (scorecards, ratings, mean, lowest, highest), (recommendations, no decision, its
    // percent), (difference, shared candidates, flagged); the spread apart.
    let figures = |id: u64| {
        let c = report.of(UserId(id)).unwrap();
        (
            (c.scorecards, c.ratings, c.mean, c.lowest, c.highest),
            (c.recommendations, c.no_decision, c.no_decision_percent()),
            (c.difference, c.shared, c.large()),
        )
    };
    let spread = |id: u64| report.of(UserId(id)).unwrap().spread.unwrap();
    // Alice: ratings 4,3,2: mean 3.00, spread sqrt(2/3) = 0.82; 2 scorecards; 0 of 2 no
    // decision; Ada 3.5 - 2.5 = +1.0, Ben 2 - 1.5 = +0.5: +0.75, flagged.
    assert_eq!(
        figures(1001),
        (
            (2, 3, Some(3.0), 2, 4),
            (2, 0, Some(0.0)),
            (Some(0.75), 2, true)
        )
    );
    assert!((spread(1001) - (2.0f64 / 3.0).sqrt()).abs() < 1e-9);
    assert!(t.contains("⚠️ +0.75 on 2 shared candidates (large)"), "{t}");
    // Bob: 3,2: 2.50, 0.50; Ada 2.5 - 3.5 = -1.00, flagged.
    assert_eq!(
        figures(1002),
        (
            (1, 2, Some(2.5), 2, 3),
            (1, 0, Some(0.0)),
            (Some(-1.0), 1, true)
        )
    );
    assert!((spread(1002) - 0.5).abs() < 1e-9);
    // Carol: 1,2: 1.50, 0.50; 1 of 1 no decision; Ben 1.5 - 2 = -0.50, not flagged.
    assert_eq!(
        figures(1003),
        (
            (1, 2, Some(1.5), 1, 2),
            (1, 1, Some(100.0)),
            (Some(-0.5), 1, false)
        )
    );
    assert!((spread(1003) - 0.5).abs() < 1e-9);
    assert!(
        t.contains("No decision: 1 of 1 recommendations (100%)"),
        "{t}"
    );
    assert!(
        t.contains("Difference from the team: -0.50 on 1 shared candidate\n")
            || t.ends_with("-0.50 on 1 shared candidate"),
        "{t}"
    );
    // An interviewer sees their own.
    let own = f
        .engine
        .calibration_report(&cmd_req(GUILD, &carol(), "scores interviewer", &[]), None)
        .unwrap();
    assert_eq!(own.interviewers.len(), 1);
    assert_eq!(own.interviewers[0].user_id, UserId(1003));
    assert_eq!(own.interviewers[0].calibration.mean, Some(1.5));
}

#[test]
fn the_question_view_shows_how_a_question_separates_candidates() {
    let f = setup();
    known(&f);
    let req = cmd_req(GUILD, &manager(), "scores question", &[("id", Q1)]);
    let t = text(&ok(&f.engine, &req));
    let q = f.engine.question_report(&req, Q1).unwrap();
    assert!(!q.blind);
    let q = q.stats;
    // Q1: 4,3,2,1: mean 2.50, spread sqrt(5/4) = 1.12; one of each rating. Agreement: Alice/Ada
    // 4 strong-yes, Bob/Ada 3 yes, Alice/Ben 2 no agree; Carol's no-decision is left out: 3 of 3.
    // Mean where yes: (4+3)/2 = 3.50; where no: 2.00.
    assert_eq!((q.times, q.candidates, q.mean), (4, 2, Some(2.5)));
    assert!((q.spread.unwrap() - 1.25f64.sqrt()).abs() < 1e-9);
    assert_eq!(q.distribution, [1, 1, 1, 1]);
    assert_eq!(
        (q.agreeing, q.compared, q.agreement_percent()),
        (3, 3, Some(100.0))
    );
    assert_eq!((q.mean_when_yes, q.mean_when_no), (Some(3.5), Some(2.0)));
    assert!(
        t.contains("1 Strong no: 1 · 2 No: 1 · 3 Yes: 1 · 4 Strong yes: 1"),
        "{t}"
    );
    // Blind: Carol only counts Ben (Q1: 2 and 1).
    let c = f
        .engine
        .question_report(
            &cmd_req(GUILD, &carol(), "scores question", &[("id", Q1)]),
            Q1,
        )
        .unwrap();
    assert!(c.blind);
    assert_eq!(
        (c.stats.times, c.stats.candidates, c.stats.mean),
        (2, 1, Some(1.5))
    );
    assert!(matches!(
        refused(
            &f.engine,
            &cmd_req(GUILD, &manager(), "scores question", &[("id", "nope")])
        ),
        Error::UnknownQuestion { .. }
    ));
}

// ---------------------------------------------------------------------------------------
// Export

#[test]
fn the_export_holds_every_score_exactly_with_formulas_neutralised() {
    let f = setup();
    let e = &f.engine;
    let hostile_notes = "=HYPERLINK(\"http://x\",\"y\"), \"quoted\"\nsecond line";
    ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "score",
            &[
                ("candidate", "+Eve, \"the\" tester"),
                ("question", Q1),
                ("rating", "2"),
                ("notes", hostile_notes),
            ],
        ),
    );
    ok(
        e,
        &cmd_req(
            GUILD,
            &bob(),
            "score",
            &[
                ("candidate", "Ada"),
                ("question", Q2),
                ("rating", "3"),
                ("notes", "plain; ok"),
            ],
        ),
    );
    ok(
        e,
        &cmd_req(
            GUILD + 1,
            &bob(),
            "score",
            &[
                ("candidate", "Other guild"),
                ("question", Q2),
                ("rating", "1"),
            ],
        ),
    );
    let o = ok(e, &cmd_req(GUILD, &manager(), "scores export", &[]));
    let (vis, msg) = first_reply(&o);
    assert_eq!(vis, Visibility::Private);
    assert!(
        msg.content
            .as_deref()
            .unwrap()
            .contains("2 scores of 2 candidates")
    );
    let file = &msg.attachments[0];
    assert!(file.filename.ends_with(".csv"));
    let mut reader = csv::Reader::from_reader(file.bytes.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "candidate",
            "question_id",
            "level",
            "topic",
            "interviewer_id",
            "interviewer_name",
            "rating",
            "notes",
            "scored_at",
            "session_id",
            "look_fors_covered",
            "bonus_reached",
            "red_flags_heard",
            "suggested_rating",
            "override",
            "override_reason",
            "rubric"
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let stored = e
        .store()
        .read(|db| db.guild_scores(GuildId(GUILD)))
        .unwrap();
    assert_eq!(rows.len(), stored.len());
    let at = interview_bot::features::scores::timestamp_utc(stored[0].updated_at);
    assert_eq!(
        rows[0],
        [
            "'+Eve, \"the\" tester".to_string(),
            Q1.into(),
            "junior".into(),
            "storage".into(),
            "1001".into(),
            "Alice".into(),
            "2".into(),
            format!("'{hostile_notes}"),
            at,
            stored[0].session_id.to_string(),
            // No evidence behind this score: the evidence columns are empty.
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]
    );
    assert_eq!(rows[1][0], "Ada");
    assert_eq!(rows[1][7], "plain; ok");
    assert!(!String::from_utf8_lossy(&file.bytes).contains("Other guild"));
    // Neutralisation of every formula start, nothing else touched.
    for (cell, want) in [
        ("=1", "'=1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@a", "'@a"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        (" =1", " =1"),
    ] {
        assert_eq!(interview_bot::features::scores::neutralise(cell), want);
    }
}

// ---------------------------------------------------------------------------------------
// Forget

#[test]
fn forget_shows_what_goes_asks_and_deletes_that_candidate_only_with_an_audit_row() {
    let f = setup();
    let e = &f.engine;
    known(&f);
    let start = ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "interview start",
            &[
                ("candidate", "Ada"),
                ("level", "junior"),
                ("questions", "1"),
            ],
        ),
    );
    let b = session_buttons(&start);
    ok(
        e,
        &modal_req(
            GUILD,
            &alice(),
            &b[4].replacen("s:notes:", "s:note:", 1),
            "note",
        ),
    );
    score(e, GUILD + 1, &alice(), "Ada", Q1, "4");
    let ask = ok(
        e,
        &cmd_req(GUILD, &manager(), "scores forget", &[("candidate", "ADA")]),
    );
    let (vis, msg) = first_reply(&ask);
    assert_eq!(vis, Visibility::Private);
    // 4 scores (the notes-only row is not a score), 1 note, 3 interviews (Alice's and Bob's
    // ad-hoc ones, the session), 2 recommendations, 1 bot message.
    assert!(
        message_text(msg)
            .contains("4 scores, 1 note, 3 interviews, 2 recommendations and 1 bot message"),
        "{}",
        message_text(msg)
    );
    assert_eq!(msg.buttons.len(), 2);
    let cancel = ok(e, &click_req(GUILD, &manager(), &msg.buttons[1].action));
    assert!(text(&cancel).contains("nothing was deleted"));
    assert!(
        e.store()
            .read(|db| db.candidate_by_key(GuildId(GUILD), "ada"))
            .unwrap()
            .is_some()
    );
    // Interviewers cannot confirm.
    assert!(matches!(
        refused(e, &click_req(GUILD, &alice(), &msg.buttons[0].action)),
        Error::NotAllowed { .. }
    ));
    let done = ok(e, &click_req(GUILD, &manager(), &msg.buttons[0].action));
    assert!(matches!(done.effects[0], Effect::Update(_)));
    assert!(done.effects.iter().any(|e| matches!(
        e,
        Effect::Delete {
            target: interview_bot::engine::MessageRef::Existing {
                message_id: MessageId(9002),
                ..
            }
        }
    )));
    let store = e.store();
    assert!(
        store
            .read(|db| db.candidate_by_key(GuildId(GUILD), "ada"))
            .unwrap()
            .is_none()
    );
    let left = store.read(|db| db.guild_scores(GuildId(GUILD))).unwrap();
    assert!(left.iter().all(|s| s.candidate_name == "Ben"));
    assert_eq!(left.len(), 3, "Ben's scores are untouched");
    assert_eq!(
        store
            .read(|db| db.guild_recommendations(GuildId(GUILD)))
            .unwrap()
            .len(),
        2
    );
    // The other guild's Ada is untouched.
    assert_eq!(
        store
            .read(|db| db.guild_scores(GuildId(GUILD + 1)))
            .unwrap()
            .len(),
        1
    );
    // Nothing of Ada's is left in any table; the audit row names no one.
    let conn = rusqlite::Connection::open(&f.db_path).unwrap();
    for table in [
        "scores",
        "score_history",
        "interview_sessions",
        "recommendations",
        "candidate_messages",
        "candidates",
    ] {
        let n: i64 = conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE guild_id = ?1 AND candidate_id = 1"),
                [GUILD as i64],
                |r| r.get(0),
            )
            .or_else(|_| {
                conn.query_row(
                    &format!("SELECT COUNT(*) FROM {table} WHERE guild_id = ?1 AND id = 1"),
                    [GUILD as i64],
                    |r| r.get(0),
                )
            })
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    let audit = store.read(|db| db.audit_entries(GuildId(GUILD))).unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].actor_id, audit[0].action.as_str()),
        (UserId(1004), "candidate-deleted")
    );
    assert!(!format!("{audit:?}").contains("Ada"));
    // The same button again deletes nothing more.
    assert!(matches!(
        refused(e, &click_req(GUILD, &manager(), &msg.buttons[0].action)).refusal::<ScoreError>(),
        Some(ScoreError::AlreadyForgotten)
    ));
}

// ---------------------------------------------------------------------------------------
// Guild isolation, hostile text, durability

#[test]
fn the_same_candidate_name_in_two_guilds_never_mixes() {
    let f = setup();
    let e = &f.engine;
    score(e, GUILD, &alice(), "Ada", Q1, "4");
    score(e, GUILD + 1, &bob(), "Ada", Q1, "1");
    let one = text(&ok(
        e,
        &cmd_req(
            GUILD,
            &manager(),
            "scores candidate",
            &[("candidate", "Ada")],
        ),
    ));
    let two = text(&ok(
        e,
        &cmd_req(
            GUILD + 1,
            &manager(),
            "scores candidate",
            &[("candidate", "Ada")],
        ),
    ));
    assert!(
        one.contains("Alice: **4 Strong yes**") && !one.contains("Bob"),
        "{one}"
    );
    assert!(
        two.contains("Bob: **1 Strong no**") && !two.contains("Alice"),
        "{two}"
    );
    // Alice's rating in guild 1 does not lift blindness in guild 2.
    let mut alice2 = alice();
    alice2.roles = vec![RoleId(ROLE)];
    assert!(
        text(&ok(
            e,
            &cmd_req(
                GUILD + 1,
                &alice2,
                "scores candidate",
                &[("candidate", "Ada")]
            )
        ))
        .contains("Blind scoring")
    );
    // A session's buttons only work in their guild.
    let start = ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "interview start",
            &[("candidate", "Ada"), ("level", "junior")],
        ),
    );
    let b = session_buttons(&start);
    assert!(matches!(
        refused(e, &click_req(GUILD + 1, &bob(), &b[2])),
        Error::UnknownAction
    ));
    // Lookups of one guild never count the other's.
    let team = e
        .team_report(&cmd_req(GUILD + 1, &manager(), "scores team", &[]), None, 0)
        .unwrap();
    assert_eq!(team.listed, 1);
    let row = &team.rows[0];
    assert_eq!(
        (
            row.summary.interviewers,
            row.summary.questions,
            row.summary.ratings
        ),
        (1, 1, 1)
    );
    assert_eq!(row.figures.as_ref().unwrap().average, Some(1.0));
    let ac = e.autocomplete(&interview_bot::engine::AutocompleteRequest {
        guild_id: GuildId(GUILD + 1),
        channel_id: ChannelId(CHANNEL),
        command: "score".into(),
        option: "candidate".into(),
        partial: "a".into(),
        options: vec![],
        member: Some(bob()),
    });
    assert_eq!(ac.len(), 1);
    assert_eq!(ac[0].value, "Ada");
    // Only interviewers get candidate names.
    for member in [Some(plain()), None] {
        let none = e.autocomplete(&interview_bot::engine::AutocompleteRequest {
            guild_id: GuildId(GUILD + 1),
            channel_id: ChannelId(CHANNEL),
            command: "score".into(),
            option: "candidate".into(),
            partial: "a".into(),
            options: vec![],
            member,
        });
        assert!(none.is_empty());
    }
}

#[test]
fn hostile_names_and_notes_are_stored_exactly_shown_escaped_and_ping_no_one() {
    let f = setup();
    let e = &f.engine;
    let name = "@everyone <@123> **Ada** ' OR 1=1; DROP TABLE scores; -- 🎉 שלום";
    let notes =
        "<@&999> @here `code` ||spoiler|| # heading\n> quote\n'); DELETE FROM candidates; --";
    ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "score",
            &[
                ("candidate", &format!("  {name}  ")),
                ("question", Q1),
                ("rating", "3"),
                ("notes", notes),
            ],
        ),
    );
    let key = interview_bot::features::scores::name_key(name);
    let c = e
        .store()
        .read(|db| db.candidate_by_key(GuildId(GUILD), &key))
        .unwrap()
        .unwrap();
    assert_eq!(c.name, name);
    let rows = e
        .store()
        .read(|db| db.candidate_scores(GuildId(GUILD), c.id))
        .unwrap();
    assert_eq!(rows[0].notes, notes);
    // Every answer that shows them: escaped, no raw mention, within limits, no ping roles.
    let start = ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "interview start",
            &[("candidate", name), ("level", "junior")],
        ),
    );
    for o in [
        ok(
            e,
            &cmd_req(
                GUILD,
                &alice(),
                "scores candidate",
                &[("candidate", &name.to_uppercase())],
            ),
        ),
        ok(e, &cmd_req(GUILD, &alice(), "scores team", &[])),
        ok(
            e,
            &cmd_req(GUILD, &manager(), "scores forget", &[("candidate", name)]),
        ),
        ok(e, &cmd_req(GUILD, &alice(), "interview end", &[])),
        start,
    ] {
        let t = text(&o);
        for raw in ["@everyone", "@here", "<@123>", "<@&999>", "**Ada**"] {
            assert!(!t.contains(raw), "{raw} unescaped in {t}");
        }
        assert!(t.contains("🎉 שלום"), "{t}");
        for e in &o.effects {
            if let Some(m) = e.message() {
                assert!(m.ping_roles.is_empty());
            }
        }
    }
    // Case-insensitive, Unicode-aware matching; stored as first given.
    score(e, GUILD, &alice(), "ÅSA Öberg", Q1, "2");
    score(e, GUILD, &bob(), "åsa öberg", Q1, "3");
    let c = e
        .store()
        .read(|db| db.candidate_by_key(GuildId(GUILD), "åsa öberg"))
        .unwrap()
        .unwrap();
    assert_eq!(c.name, "ÅSA Öberg");
    assert_eq!(
        e.store()
            .read(|db| db.candidate_scores(GuildId(GUILD), c.id))
            .unwrap()
            .len(),
        2
    );
    // Names: trimmed, 1-100 characters.
    let long = "n".repeat(101);
    assert!(matches!(
        refused(
            e,
            &cmd_req(
                GUILD,
                &alice(),
                "score",
                &[("candidate", &long), ("question", Q1), ("rating", "3")]
            )
        ),
        Error::InvalidValue { .. }
    ));
    assert!(matches!(
        refused(
            e,
            &cmd_req(
                GUILD,
                &alice(),
                "score",
                &[("candidate", "   "), ("question", Q1), ("rating", "3")]
            )
        ),
        Error::InvalidValue { .. }
    ));
    let ok100 = "é".repeat(100);
    score(e, GUILD, &alice(), &ok100, Q1, "3");
}

#[test]
fn a_confirmed_score_survives_the_process_going_away() {
    let f = setup();
    score(&f.engine, GUILD, &alice(), "Ada", Q1, "4");
    // No close, no checkpoint: as if the process were killed right after the confirmation.
    let reopened = Store::open(&f.db_path).unwrap();
    let rows = reopened.read(|db| db.guild_scores(GuildId(GUILD))).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].rating, Some(4));
}

#[test]
fn help_shows_the_scale_and_every_answer_fits_discord() {
    let f = setup();
    let o = ok(&f.engine, &cmd_req(GUILD, &plain(), "help", &[]));
    let t = text(&o);
    for (v, n, a) in interview_bot::features::scores::SCALE {
        assert!(t.contains(&format!("**{v} {n}**: {a}")), "{t}");
    }
}

// ---------------------------------------------------------------------------------------
// Look-alike names (issue 19, finding 8) and who ends a session

#[test]
fn names_with_hidden_characters_are_refused_and_lookalikes_are_one_candidate() {
    let f = setup();
    let e = &f.engine;
    score(e, GUILD, &alice(), "Dana Scully", Q1, "3");
    for hidden in [
        "Dana\u{200b} Scully",
        "Dana \u{202e}yllucS",
        "Dana\u{2066} Scully\u{2069}",
        "\u{feff}Dana Scully",
        "Dana\u{1b}[2J Scully",
        "Dana\u{85}Scully",
        "Dana\tScully",
    ] {
        let err = refused(
            e,
            &cmd_req(
                GUILD,
                &alice(),
                "score",
                &[("candidate", hidden), ("question", Q1), ("rating", "3")],
            ),
        );
        assert_eq!(
            err.refusal::<ScoreError>().map(|r| r.kind()),
            Some("candidate name with hidden characters"),
            "{hidden:?}: {err:?}"
        );
        let msg = err.user_message();
        assert!(msg.contains("invisible formatting characters"), "{msg}");
        // Private, like every refusal, and neither a session nor a lookup accepts it.
        for (cmd, opts) in [
            (
                "interview start",
                vec![("candidate", hidden), ("level", "junior")],
            ),
            ("scores candidate", vec![("candidate", hidden)]),
        ] {
            let err = refused(e, &cmd_req(GUILD, &alice(), cmd, &opts));
            assert_eq!(
                err.refusal::<ScoreError>().map(|r| r.kind()),
                Some("candidate name with hidden characters"),
                "{cmd} {hidden:?}"
            );
        }
    }
    // Fullwidth letters, doubled and unusual spaces: the same candidate (NFKC, collapsed
    // spaces). A tab is a control character, refused like the others.
    score(e, GUILD, &bob(), "Ｄａｎａ  Scully", Q1, "2");
    score(e, GUILD, &carol(), " dana\u{a0}\u{3000}scully ", Q1, "4");
    let names = e
        .store()
        .read(|db| db.candidate_names(GuildId(GUILD), 100))
        .unwrap();
    assert_eq!(names.len(), 1, "{names:?}");
    let c = e
        .store()
        .read(|db| db.candidate_by_key(GuildId(GUILD), "dana scully"))
        .unwrap()
        .unwrap();
    assert_eq!(c.name, "Dana Scully");
    assert_eq!(
        e.store()
            .read(|db| db.candidate_scores(GuildId(GUILD), c.id))
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn only_the_starter_or_a_manager_ends_a_session_and_others_still_record_their_recommendation() {
    let f = setup();
    let e = &f.engine;
    let start = ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "interview start",
            &[
                ("candidate", "Ada"),
                ("level", "junior"),
                ("questions", "2"),
            ],
        ),
    );
    let b1 = session_buttons(&start);
    ok(e, &click_req(GUILD, &bob(), &b1[2]));
    let open = |e: &Engine| {
        e.store()
            .read(|db| db.open_session_in_channel(GuildId(GUILD), ChannelId(CHANNEL)))
            .unwrap()
    };
    // Bob did not start it: a private explanation, his scorecard and recommendation kept,
    // the session still open and its message untouched.
    let end = ok(
        e,
        &cmd_req(GUILD, &bob(), "interview end", &[("recommendation", "yes")]),
    );
    let (visibility, _) = first_reply(&end);
    assert_eq!(visibility, Visibility::Private);
    let t = text(&end);
    assert!(
        t.contains(
            "Only <@1001>, who started this session, or a member with Manage Server ends it"
        ),
        "{t}"
    );
    assert!(
        t.contains("**3 Yes**") && t.contains("Your recommendation: **Yes**"),
        "{t}"
    );
    assert!(!end.effects.iter().any(|e| matches!(e, Effect::Edit { .. })));
    let session = open(e).expect("still open");
    let recs = e
        .store()
        .read(|db| db.candidate_recommendations(GuildId(GUILD), session.candidate_id))
        .unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].interviewer_id, UserId(1002));
    assert_eq!(recs[0].recommendation.as_str(), "yes");
    // The buttons still work for everyone.
    ok(e, &click_req(GUILD, &carol(), &b1[1]));
    // A manager ends it; so would Alice.
    let end = ok(e, &cmd_req(GUILD, &manager(), "interview end", &[]));
    assert!(end.effects.iter().any(|e| matches!(e, Effect::Edit { .. })));
    assert!(!text(&end).contains("Only <@"), "{}", text(&end));
    assert!(open(e).is_none());
    let start = ok(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "interview start",
            &[("candidate", "Bea"), ("level", "junior")],
        ),
    );
    drop(start);
    let end = ok(e, &cmd_req(GUILD, &alice(), "interview end", &[]));
    assert!(end.effects.iter().any(|e| matches!(e, Effect::Edit { .. })));
    assert!(open(e).is_none());
}

#[test]
fn a_lookalike_stored_before_names_were_checked_can_still_be_looked_up_and_forgotten() {
    let f = setup();
    let e = &f.engine;
    let old = "Dana\u{200b} Scully";
    e.store()
        .write(|db| {
            db.find_or_add_candidate(GuildId(GUILD), old, &old.to_lowercase(), UserId(1001), 0)
        })
        .unwrap();
    let o = ok(
        e,
        &cmd_req(GUILD, &manager(), "scores forget", &[("candidate", old)]),
    );
    assert!(
        text(&o).contains("Delete everything recorded about"),
        "{}",
        text(&o)
    );
    // A new score under that name is still refused.
    let err = refused(
        e,
        &cmd_req(
            GUILD,
            &alice(),
            "score",
            &[("candidate", old), ("question", Q1), ("rating", "3")],
        ),
    );
    assert_eq!(
        err.refusal::<ScoreError>().map(|r| r.kind()),
        Some("candidate name with hidden characters")
    );
}
