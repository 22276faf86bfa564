//! The lookups' aggregates in SQL give the numbers every row of a pseudo-random guild gives:
//! calibration, the question view (for a manager and blind for each interviewer) and the team
//! view's per-candidate summary and order.

use std::collections::{BTreeSet, HashSet};

use super::{Calibration, QuestionStats, calibration, leaning, question_stats, ratings};
use crate::features::scores::{RECOMMENDATIONS, mean, spread};
use crate::model::{CandidateId, ChannelId, GuildId, Recommendation, SessionId, UserId};
use crate::store::{NewRecommendation, NewSession, ScoreKey, Store, StoreError};
use crate::store::{RecommendationRow, ScoreRow};

const GUILD: GuildId = GuildId(7);
const QUESTIONS: [&str; 4] = ["q-a", "q-b", "q-c", "q-d"];

/// A guild with pseudo-random scores: several interviews per candidate, re-scores, notes
/// without a rating, and recommendations of every kind.
fn random_guild(mut seed: u64) -> Store {
    let store = Store::open_in_memory().unwrap();
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    store
        .write(|db| {
            let mut sessions = Vec::new();
            for c in 0..12 {
                let name = format!("Cand {c}");
                let (cand, _) =
                    db.find_or_add_candidate(GUILD, &name, &name.to_lowercase(), UserId(1), c)?;
                for k in 0..1 + next(3) {
                    let by = UserId(100 + next(5));
                    let id = db.create_session(&NewSession {
                        guild_id: GUILD,
                        channel_id: ChannelId(1),
                        candidate_id: cand.id,
                        kind: crate::store::SessionKind::Adhoc,
                        started_by: by,
                        level: None,
                        topic: None,
                        questions: &[],
                        at_ms: (next(50) as i64) * 1000 + k as i64,
                    })?;
                    sessions.push((cand.id, id));
                }
            }
            for step in 0..400 {
                let (cand, session) = sessions[next(sessions.len() as u64) as usize];
                let by = UserId(100 + next(5));
                let rating = [None, Some(1), Some(2), Some(3), Some(4)][next(5) as usize];
                db.put_score(
                    &ScoreKey {
                        guild_id: GUILD,
                        candidate_id: cand,
                        session_id: session,
                        question_id: QUESTIONS[next(4) as usize],
                        interviewer_id: by,
                        interviewer_name: &format!("I{by}"),
                    },
                    rating,
                    (next(3) == 0).then_some("notes"),
                    step,
                )?;
                if next(4) == 0 {
                    let rec = RECOMMENDATIONS[next(5) as usize].0;
                    db.set_recommendation(&NewRecommendation {
                        guild_id: GUILD,
                        candidate_id: cand,
                        interviewer_id: by,
                        interviewer_name: "I",
                        recommendation: rec,
                        session_id: None,
                        at_ms: step,
                    })?;
                }
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    store
}

/// The calibration as computed from every row of the guild, before the lookups aggregated
/// in SQL.
fn calibration_from_rows(
    rated: &[&ScoreRow],
    recs: &[RecommendationRow],
    who: UserId,
) -> Calibration {
    let mine: Vec<&ScoreRow> = rated
        .iter()
        .copied()
        .filter(|s| s.interviewer_id == who)
        .collect();
    let scorecards: BTreeSet<SessionId> = mine.iter().map(|s| s.session_id).collect();
    let my_recs: Vec<&RecommendationRow> =
        recs.iter().filter(|r| r.interviewer_id == who).collect();
    let candidates: BTreeSet<CandidateId> = mine.iter().map(|s| s.candidate_id).collect();
    let mut diffs = Vec::new();
    for c in candidates {
        let own: Vec<f64> = ratings(
            &mine
                .iter()
                .copied()
                .filter(|s| s.candidate_id == c)
                .collect::<Vec<_>>(),
        );
        let others: Vec<f64> = ratings(
            &rated
                .iter()
                .copied()
                .filter(|s| s.candidate_id == c && s.interviewer_id != who)
                .collect::<Vec<_>>(),
        );
        if let (Some(a), Some(b)) = (mean(&own), mean(&others)) {
            diffs.push(a - b);
        }
    }
    let values = ratings(&mine);
    Calibration {
        scorecards: scorecards.len(),
        ratings: values.len(),
        mean: mean(&values),
        spread: spread(&values),
        recommendations: my_recs.len(),
        no_decision: my_recs
            .iter()
            .filter(|r| r.recommendation == Recommendation::NoDecision)
            .count(),
        difference: mean(&diffs),
        shared: diffs.len(),
        lowest: mine.iter().filter_map(|s| s.rating).min().unwrap_or(0),
        highest: mine.iter().filter_map(|s| s.rating).max().unwrap_or(0),
    }
}

/// Equal, the spread within rounding (its squares are added in another order).
fn same_spread(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-12,
        (a, b) => a == b,
    }
}

#[test]
fn aggregates_in_sql_give_the_numbers_the_rows_give() {
    for seed in [1, 2, 3] {
        let store = random_guild(seed);
        let (rows, recs) = store
            .read(|db| {
                Ok::<_, StoreError>((db.guild_scores(GUILD)?, db.guild_recommendations(GUILD)?))
            })
            .unwrap();
        let rated: Vec<&ScoreRow> = rows.iter().filter(|s| s.rating.is_some()).collect();
        let interviewers: BTreeSet<UserId> = rated.iter().map(|s| s.interviewer_id).collect();
        assert!(interviewers.len() >= 4 && rated.len() > 100, "seed {seed}");
        // Calibration, and who is listed.
        let listed = store.read(|db| db.rating_interviewers(GUILD, 24)).unwrap();
        assert_eq!(listed, interviewers.iter().copied().collect::<Vec<_>>());
        for who in interviewers.iter().copied().chain([UserId(999)]) {
            let sql = calibration(&store.read(|db| db.interviewer_ratings(GUILD, who)).unwrap());
            let mut want = calibration_from_rows(&rated, &recs, who);
            assert!(same_spread(sql.spread, want.spread), "seed {seed}, {who}");
            want.spread = sql.spread;
            assert_eq!(sql, want, "seed {seed}, interviewer {who}");
        }
        // The question view, for a manager and blind for each interviewer.
        for q in QUESTIONS {
            for viewer in [None]
                .into_iter()
                .chain(interviewers.iter().copied().map(Some))
            {
                // Blind: the candidates the viewer submitted a recommendation for.
                let seen: Option<HashSet<CandidateId>> = viewer.map(|v| {
                    recs.iter()
                        .filter(|r| r.interviewer_id == v)
                        .map(|r| r.candidate_id)
                        .collect()
                });
                let visible: Vec<&ScoreRow> = rated
                    .iter()
                    .copied()
                    .filter(|s| s.question_id == q)
                    .filter(|s| seen.as_ref().is_none_or(|v| v.contains(&s.candidate_id)))
                    .collect();
                let sql = question_stats(
                    &store
                        .read(|db| db.question_ratings(GUILD, &[q], viewer))
                        .unwrap(),
                );
                let values = ratings(&visible);
                assert!(same_spread(sql.spread, spread(&values)));
                let lean = |s: &ScoreRow| {
                    recs.iter()
                        .find(|r| {
                            r.candidate_id == s.candidate_id && r.interviewer_id == s.interviewer_id
                        })
                        .and_then(|r| leaning(&r.recommendation))
                };
                let side = |want: bool| -> Vec<f64> {
                    ratings(
                        &visible
                            .iter()
                            .copied()
                            .filter(|s| lean(s) == Some(want))
                            .collect::<Vec<_>>(),
                    )
                };
                let (yes, no) = (side(true), side(false));
                let agreeing = visible
                    .iter()
                    .filter(|s| lean(s).is_some_and(|l| (s.rating.unwrap_or(0) >= 3) == l))
                    .count();
                let mut distribution = [0; 4];
                for r in visible.iter().filter_map(|s| s.rating) {
                    distribution[usize::from(r - 1)] += 1;
                }
                let want = QuestionStats {
                    times: values.len(),
                    candidates: visible
                        .iter()
                        .map(|s| s.candidate_id)
                        .collect::<BTreeSet<_>>()
                        .len(),
                    mean: mean(&values),
                    spread: sql.spread,
                    distribution,
                    compared: yes.len() + no.len(),
                    agreeing,
                    mean_when_yes: mean(&yes),
                    mean_when_no: mean(&no),
                };
                assert_eq!(sql, want, "seed {seed}, {q}, viewer {viewer:?}");
            }
        }
        // The team view's numbers per candidate, and its order.
        let order = store
            .read(|db| db.last_interviews(GUILD, None, 0, 100))
            .unwrap();
        assert_eq!(order.len(), 12);
        for (id, _, last) in &order {
            let sessions = store.read(|db| db.candidate_sessions(GUILD, *id)).unwrap();
            assert_eq!(Some(*last), sessions.iter().map(|s| s.started_at).max());
            let mine: Vec<&ScoreRow> = rated
                .iter()
                .copied()
                .filter(|s| s.candidate_id == *id)
                .collect();
            // Interviewers and scorecards count notes without a rating too.
            let recorded: Vec<&ScoreRow> = rows.iter().filter(|s| s.candidate_id == *id).collect();
            let sum = store
                .read(|db| db.candidate_rating_summary(GUILD, *id))
                .unwrap();
            assert_eq!(sum.ratings as usize, mine.len());
            assert_eq!(
                sum.rating_sum,
                mine.iter()
                    .filter_map(|s| s.rating)
                    .map(u64::from)
                    .sum::<u64>()
            );
            assert_eq!(
                sum.interviewers as usize,
                recorded
                    .iter()
                    .map(|s| s.interviewer_id)
                    .collect::<BTreeSet<_>>()
                    .len()
            );
            assert_eq!(
                sum.questions as usize,
                mine.iter()
                    .map(|s| &s.question_id)
                    .collect::<BTreeSet<_>>()
                    .len()
            );
            assert_eq!(
                sum.scorecards as usize,
                recorded
                    .iter()
                    .map(|s| (s.session_id, s.interviewer_id))
                    .collect::<BTreeSet<_>>()
                    .len()
            );
        }
        assert!(
            order
                .windows(2)
                .all(|w| (w[0].2, w[0].0) > (w[1].2, w[1].0)),
            "{order:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Evidence (issue 21): figures worked out by hand.

mod evidence {
    use std::collections::BTreeMap;

    use super::GUILD;
    use crate::features::scores::evidence::{ScoreEvidence, suggest};
    use crate::features::scores::export::ExportEvidence;
    use crate::features::scores::lookups::{
        EvidenceStats, LookForCount, RubricAgreement, evidence_by_score, evidence_stats,
    };
    use crate::model::{CandidateId, ChannelId, Recommendation, RubricId, Ticks, UserId};
    use crate::store::{
        Evidence, NewRecommendation, NewSession, RubricText, ScoreKey, Store, StoreError,
    };

    const A: UserId = UserId(10);
    const B: UserId = UserId(20);

    fn rubric(last: &str) -> RubricText {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        RubricText {
            question_id: "q".into(),
            look_fors: words(&["l1", "l2", "l3", last]),
            pass: 3,
            bonus: words(&["b1"]),
            red_flags: words(&["r1", "r2"]),
        }
    }

    fn current() -> RubricText {
        rubric("l4")
    }

    /// One score: candidate (1-5), interviewer, rating, the look-fors covered (numbered from
    /// 1), bonus points and red flags (from 1), and whether it was given on the older version.
    type Given = (
        usize,
        UserId,
        Option<u8>,
        &'static [usize],
        &'static [usize],
        &'static [usize],
        bool,
    );

    /// Candidates 1-4 rated by A and B on the current rubric (4 lenient/severe cases among B's);
    /// candidate 5: B on the older version (rated 3, suggested 1), A unrated on the current one.
    const GIVEN: [Given; 10] = [
        (1, A, Some(4), &[1, 2, 3, 4], &[1], &[], false), // suggested 4
        (1, B, Some(4), &[1, 2, 3], &[], &[], false),     // 3: +1
        (2, A, Some(3), &[1, 2, 3], &[], &[], false),     // 3
        (2, B, Some(3), &[1, 3, 4], &[], &[], false),     // 3
        (3, A, Some(2), &[1, 2], &[], &[], false),        // 2
        (3, B, Some(2), &[1, 2], &[], &[1], false),       // 1: +1
        (4, A, Some(1), &[1], &[], &[], false),           // 1
        (4, B, Some(2), &[1, 3, 4], &[], &[], false),     // 3: -1
        (5, B, Some(3), &[1], &[], &[], true),            // 1 (older): +2
        (5, A, None, &[2], &[], &[], false),              // 1, unrated
    ];

    /// The guild of [`GIVEN`], plus a rating of A's without evidence (on another question),
    /// and A's recommendations for candidates 1 and 2 only. Returns the candidates' ids.
    fn guild() -> (Store, Vec<CandidateId>) {
        let store = Store::open_in_memory().unwrap();
        let ids = store
            .write(|db| {
                let current_id = db.rubric_version(GUILD, &current(), 1)?;
                let older_id = db.rubric_version(GUILD, &rubric("l4, worded before"), 1)?;
                let mut ids = Vec::new();
                let mut sessions = Vec::new();
                for c in 1..=5 {
                    let name = format!("Cand {c}");
                    let (cand, _) =
                        db.find_or_add_candidate(GUILD, &name, &name.to_lowercase(), A, c)?;
                    let session = db.create_session(&NewSession {
                        guild_id: GUILD,
                        channel_id: ChannelId(1),
                        candidate_id: cand.id,
                        kind: crate::store::SessionKind::Adhoc,
                        started_by: A,
                        level: None,
                        topic: None,
                        questions: &[],
                        at_ms: c,
                    })?;
                    ids.push(cand.id);
                    sessions.push(session);
                }
                for (step, (c, by, rating, covered, bonus, red, older)) in
                    GIVEN.into_iter().enumerate()
                {
                    let key = ScoreKey {
                        guild_id: GUILD,
                        candidate_id: ids[c - 1],
                        session_id: sessions[c - 1],
                        question_id: "q",
                        interviewer_id: by,
                        interviewer_name: "I",
                    };
                    let at = step as i64;
                    let score_id = db.score_id_for(&key, at)?;
                    if rating.is_some() {
                        db.put_score(&key, rating, None, at)?;
                    }
                    let from1 = |items: &[usize]| Ticks::of(items.iter().map(|i| i - 1));
                    let (covered, bonus, red_flags) = (from1(covered), from1(bonus), from1(red));
                    let version = if older {
                        rubric("l4, worded before")
                    } else {
                        current()
                    };
                    let e = Evidence {
                        rubric: if older { older_id } else { current_id },
                        covered,
                        bonus,
                        red_flags,
                        suggested: suggest(&version, covered, bonus, red_flags).get(),
                        reason: if by == B { "why".into() } else { String::new() },
                    };
                    db.put_evidence(&key, score_id, &e, at)?;
                }
                // A's rating without evidence.
                db.put_score(
                    &ScoreKey {
                        guild_id: GUILD,
                        candidate_id: ids[0],
                        session_id: sessions[0],
                        question_id: "q-other",
                        interviewer_id: A,
                        interviewer_name: "I",
                    },
                    Some(3),
                    None,
                    99,
                )?;
                for c in [0, 1] {
                    db.set_recommendation(&NewRecommendation {
                        guild_id: GUILD,
                        candidate_id: ids[c],
                        interviewer_id: A,
                        interviewer_name: "I",
                        recommendation: Recommendation::Yes,
                        session_id: None,
                        at_ms: 100,
                    })?;
                }
                Ok::<_, StoreError>(ids)
            })
            .unwrap();
        (store, ids)
    }

    fn question_evidence(store: &Store, viewer: Option<UserId>) -> EvidenceStats {
        store
            .read(|db| {
                let id = db.find_rubric_version(GUILD, &current())?;
                Ok::<_, StoreError>(evidence_stats(
                    &current(),
                    id,
                    &db.question_evidence(GUILD, &["q"], viewer)?,
                ))
            })
            .unwrap()
    }

    #[test]
    fn the_question_view_counts_the_current_rubrics_evidence() {
        let (store, _) = guild();
        let e = question_evidence(&store, None);
        // Nine scores on the current rubric (candidate 5's by B is on the older one).
        assert_eq!((e.scores, e.older), (9, 1));
        let count = |covered, covered_yes, covered_no| LookForCount {
            covered,
            covered_yes,
            covered_no,
        };
        // Look-for 1 by all eight rated; 2 by 1A 1B 2A 3A 3B 5A; 3 by 1A 1B 2A 2B 4B; 4 by
        // 1A 2B 4B. Yes (3-4): 1A 1B 2A 2B; no (1-2): 3A 3B 4A 4B.
        assert_eq!(
            e.look_fors,
            [
                count(8, 4, 4),
                count(6, 3, 2),
                count(5, 4, 1),
                count(3, 2, 1)
            ]
        );
        assert_eq!((e.yes, e.no), (4, 4));
        let pts: Vec<Option<f64>> = (0..4).map(|i| e.separation(i)).collect();
        assert_eq!(pts, [Some(0.0), Some(25.0), Some(75.0), Some(25.0)]);
        assert_eq!(e.most_separating(), Some(2), "look-for 3: yes 4/4, no 1/4");
        assert_eq!(
            (e.red_flags.clone(), e.bonus.clone()),
            (vec![1, 0], vec![1])
        );
        // Eight rated: 1B and 3B above the suggestion, 4B below, five as suggested.
        assert_eq!(
            (e.rated, e.lenient, e.severe, e.as_suggested()),
            (8, 2, 1, 5)
        );
    }

    #[test]
    fn the_question_views_evidence_is_blind_like_its_ratings() {
        let (store, _) = guild();
        // A recommended candidates 1 and 2 only: their four scores, all rated yes.
        let e = question_evidence(&store, Some(A));
        assert_eq!((e.scores, e.older, e.yes, e.no), (4, 0, 4, 0));
        assert_eq!(
            e.look_fors[2],
            LookForCount {
                covered: 4,
                covered_yes: 4,
                covered_no: 0
            }
        );
        assert_eq!((e.separation(2), e.most_separating()), (None, None));
        assert_eq!((e.rated, e.lenient, e.severe), (4, 1, 0));
        // B recommended no one.
        let e = question_evidence(&store, Some(B));
        assert_eq!((e.scores, e.older, e.rated), (0, 0, 0));
        // Against a rubric never given evidence, everything is older.
        let rows = store
            .read(|db| db.question_evidence(GUILD, &["q"], None))
            .unwrap();
        let e = evidence_stats(&rubric("new words"), None, &rows);
        assert_eq!((e.scores, e.older), (0, 10));
    }

    #[test]
    fn agreement_with_the_rubric_per_interviewer() {
        let (store, _) = guild();
        let of = |who, ratings| {
            RubricAgreement::of(
                &store
                    .read(|db| db.interviewer_agreement(GUILD, who))
                    .unwrap(),
                ratings,
            )
        };
        // A: four ratings with evidence, all as suggested, and one rating without (5 in all).
        let a = of(A, 5);
        assert_eq!((a.with_evidence, a.equal, a.signed_sum), (4, 4, 0));
        assert_eq!(
            (a.equal_percent(), a.mean_difference(), a.evidence_percent()),
            (Some(100.0), Some(0.0), Some(80.0))
        );
        // B: +1, 0, +1, -1 and +2 (the older version's): 1 of 5 equal, mean +0.6 (lenient).
        let b = of(B, 5);
        assert_eq!((b.with_evidence, b.equal, b.signed_sum), (5, 1, 3));
        assert_eq!(
            (b.equal_percent(), b.mean_difference(), b.evidence_percent()),
            (Some(20.0), Some(0.6), Some(100.0))
        );
        let none = of(UserId(99), 0);
        assert_eq!(
            (
                none.equal_percent(),
                none.mean_difference(),
                none.evidence_percent()
            ),
            (None, None, None)
        );
    }

    #[test]
    fn a_scorecard_reads_each_scores_evidence_against_its_own_version() {
        let (store, ids) = guild();
        let now: BTreeMap<String, RubricText> = [("q".to_string(), current())].into();
        let of = |c: CandidateId| -> Vec<ScoreEvidence> {
            store
                .read(|db| {
                    let versions: BTreeMap<RubricId, RubricText> = db
                        .candidate_rubrics(GUILD, c)?
                        .into_iter()
                        .map(|v| (v.id, v.text))
                        .collect();
                    let rows = db.candidate_evidence(GUILD, c)?;
                    Ok::<_, StoreError>(
                        evidence_by_score(&rows, &versions, &now)
                            .into_values()
                            .collect(),
                    )
                })
                .unwrap()
        };
        let one = of(ids[0]);
        assert_eq!(one.len(), 2);
        // 1A: everything and the bonus, as suggested (4).
        assert_eq!(
            (
                one[0].covered.clone(),
                one[0].missed.clone(),
                one[0].bonus.clone()
            ),
            (vec![0, 1, 2, 3], vec![], vec![0])
        );
        assert_eq!(
            (one[0].suggested, one[0].override_by, one[0].older),
            (4, None, false)
        );
        // 1B: look-fors 1-3, missed 4; 4 against a suggested 3.
        assert_eq!(
            (one[1].covered.clone(), one[1].missed.clone()),
            (vec![0, 1, 2], vec![3])
        );
        assert_eq!((one[1].suggested, one[1].override_by), (3, Some(1)));
        // Candidate 5: B on the older version (rubric since changed), A not rated yet.
        let five = of(ids[4]);
        assert_eq!(
            five.iter()
                .map(|e| (e.suggested, e.override_by, e.older))
                .collect::<Vec<_>>(),
            [(1, Some(2), true), (1, None, false)]
        );
        // Candidate 3: B heard red flag 1.
        assert_eq!(of(ids[2])[1].red_flags, vec![0]);
    }

    #[test]
    fn the_export_writes_the_words_ticked() {
        let (store, ids) = guild();
        let (rows, versions, scores) = store
            .read(|db| {
                Ok::<_, StoreError>((
                    db.guild_evidence(GUILD)?,
                    db.guild_rubrics(GUILD)?,
                    db.guild_scores(GUILD)?,
                ))
            })
            .unwrap();
        let in_bank = |q: &str| (q == "q").then(current);
        let export = ExportEvidence::of(&rows, versions.clone(), in_bank);
        let cells = |c: usize, by: UserId, q: &str| {
            let s = scores
                .iter()
                .find(|s| {
                    s.candidate_id == ids[c - 1] && s.interviewer_id == by && s.question_id == q
                })
                .unwrap();
            export.cells(s.id)
        };
        assert_eq!(
            cells(1, A, "q"),
            ["l1; l2; l3; l4", "b1", "", "4", "", "", "current"].map(String::from)
        );
        assert_eq!(
            cells(3, B, "q"),
            ["l1; l2", "", "r1", "1", "+1", "why", "current"].map(String::from)
        );
        assert_eq!(
            cells(4, B, "q"),
            ["l1; l3; l4", "", "", "3", "-1", "why", "current"].map(String::from)
        );
        assert_eq!(
            cells(5, B, "q"),
            ["l1", "", "", "1", "+2", "why", "older"].map(String::from)
        );
        // A reason with no override is not written; a score without evidence has none.
        assert_eq!(cells(2, B, "q")[5], "");
        assert_eq!(cells(1, A, "q-other"), <[String; 7]>::default());
        // A question gone from the bank: its newest stored version is the current one (here
        // the one worded before, stored second).
        let gone = ExportEvidence::of(&rows, versions, |_| None);
        let rubric_of = |c: usize, by: UserId| {
            let s = scores
                .iter()
                .find(|s| {
                    s.candidate_id == ids[c - 1] && s.interviewer_id == by && s.question_id == "q"
                })
                .unwrap();
            gone.cells(s.id)[6].clone()
        };
        assert_eq!(
            (rubric_of(5, B), rubric_of(1, A)),
            ("current".into(), "older".into())
        );
    }
}
