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
                        .read(|db| db.question_ratings(GUILD, q, viewer))
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
