//! Evidence behind a score (issue 21): which look-fors the candidate covered, which bonus
//! points they reached, which red flags the interviewer heard, and the rating that suggests.
//!
//! The suggestion follows the scale's anchors ([`suggest`]):
//! - **1 Strong no**: a red flag heard, or fewer than half of the look-fors covered;
//! - **2 No**: below the question's pass rule;
//! - **3 Yes**: the pass rule met;
//! - **4 Strong yes**: every look-for, and at least one bonus point.
//!
//! A rating that differs from the suggestion is an override (lenient when higher, severe when
//! lower), read beside the stored suggestion, so changing a rating later never leaves a stale
//! flag. A 1 or a 4 that disagrees asks for a one-line reason.
//!
//! Ticks are stored against the rubric version they were given on ([`RubricText`] as stored),
//! never against the question's current wording: [`remap`] carries ticks to a newer version
//! only for items whose words did not change.

use crate::bank::Question;
use crate::model::Ticks;
use crate::store::{Evidence, RubricText};

use super::Rating;

/// Most options a drop-down list holds (Discord's limit).
pub const MAX_OPTIONS: usize = 25;

/// The rubric lists of a question as evidence is given against them.
pub fn rubric_text(q: &Question) -> RubricText {
    RubricText {
        question_id: q.id.clone(),
        look_fors: q.look_fors.clone(),
        pass: q.pass.min(q.look_fors.len()),
        bonus: q.bonus.clone(),
        red_flags: q.red_flags.clone(),
    }
}

/// The rating the ticks suggest, by the scale's anchors (see the module documentation).
pub fn suggest(rubric: &RubricText, covered: Ticks, bonus: Ticks, red_flags: Ticks) -> Rating {
    let n = rubric.look_fors.len();
    let covered = covered.count().min(n);
    let value = if !red_flags.is_empty() || covered * 2 < n {
        1
    } else if covered < rubric.pass.min(n) {
        2
    } else if covered == n && !bonus.is_empty() {
        4
    } else {
        3
    };
    Rating::new(value).unwrap_or(Rating::ALL[0])
}

/// Which way a rating differs from the suggestion: `+` lenient, `-` severe, `0` agrees.
pub fn difference(rating: Rating, suggested: u8) -> i8 {
    i8::try_from(rating.get()).unwrap_or(0) - i8::try_from(suggested).unwrap_or(0)
}

/// Whether a rating that disagrees with the evidence needs a reason: a 1 or a 4 that is not
/// what the ticks suggest.
pub fn needs_reason(rating: Rating, suggested: u8) -> bool {
    matches!(rating.get(), 1 | 4) && rating.get() != suggested
}

/// The ticks of `from`'s items carried to `to`: an item keeps its tick only where `to` has an
/// item of exactly the same words. Returns the carried ticks and the words of the ticked items
/// that have no match.
pub fn remap(ticks: Ticks, from: &[String], to: &[String]) -> (Ticks, Vec<String>) {
    let mut carried = Vec::new();
    let mut dropped = Vec::new();
    for i in ticks.indexes() {
        let Some(words) = from.get(i) else {
            continue;
        };
        match to.iter().position(|t| t == words) {
            Some(j) => carried.push(j),
            None => dropped.push(words.clone()),
        }
    }
    (Ticks::of(carried), dropped)
}

/// How far a rating overrides the suggestion of its evidence: `rating - suggested` when the
/// score is rated and the two differ (`+` lenient, `-` severe), else `None`.
pub fn override_by(rating: Option<u8>, suggested: u8) -> Option<i8> {
    rating
        .and_then(Rating::new)
        .map(|r| difference(r, suggested))
        .filter(|d| *d != 0)
}

/// What one score's evidence shows beside its rating (`/scores candidate`, the export):
/// item numbers from 0, within the lists of the version it was given against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreEvidence {
    /// The version it was given against.
    pub rubric: crate::model::RubricId,
    /// How many look-fors that version has.
    pub look_fors: usize,
    pub covered: Vec<usize>,
    pub missed: Vec<usize>,
    pub bonus: Vec<usize>,
    pub red_flags: Vec<usize>,
    /// 1 to 4.
    pub suggested: u8,
    /// `rating - suggested`, when they differ ([`override_by`]).
    pub override_by: Option<i8>,
    /// The interviewer's reason ('' if none).
    pub reason: String,
    /// Given against another version than the question's current one: the rubric has changed
    /// since.
    pub older: bool,
}

/// One score's evidence (given against `version`) beside its rating; `current` is the
/// question's rubric now, if known. Ticks beyond the version's lists are left out.
pub fn score_evidence(
    e: &Evidence,
    rating: Option<u8>,
    version: &RubricText,
    current: Option<&RubricText>,
) -> ScoreEvidence {
    let within = |t: Ticks, n: usize| t.indexes().filter(|&i| i < n).collect::<Vec<_>>();
    let n = version.look_fors.len();
    ScoreEvidence {
        rubric: e.rubric,
        look_fors: n,
        covered: within(e.covered, n),
        missed: (0..n).filter(|&i| !e.covered.has(i)).collect(),
        bonus: within(e.bonus, version.bonus.len()),
        red_flags: within(e.red_flags, version.red_flags.len()),
        suggested: e.suggested,
        override_by: override_by(rating, e.suggested),
        reason: e.reason.clone(),
        older: current.is_some_and(|c| c != version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rubric(look_fors: usize, pass: usize, bonus: usize) -> RubricText {
        let items = |p: &str, n: usize| (1..=n).map(|i| format!("{p}{i}")).collect();
        RubricText {
            question_id: "q".into(),
            look_fors: items("l", look_fors),
            pass,
            bonus: items("b", bonus),
            red_flags: items("r", 2),
        }
    }

    #[test]
    fn the_suggestion_follows_the_anchors() {
        let r = rubric(4, 3, 2);
        let s = |covered: &[usize], bonus: &[usize], red: &[usize]| {
            suggest(
                &r,
                Ticks::of(covered.iter().copied()),
                Ticks::of(bonus.iter().copied()),
                Ticks::of(red.iter().copied()),
            )
            .get()
        };
        // Under half of four: 1; half but below the pass rule of 3: 2.
        assert_eq!(s(&[0], &[], &[]), 1);
        assert_eq!(s(&[], &[0, 1], &[]), 1);
        assert_eq!(s(&[0, 1], &[], &[]), 2);
        // The pass rule met: 3, also with every look-for but no bonus.
        assert_eq!(s(&[0, 1, 2], &[], &[]), 3);
        assert_eq!(s(&[0, 1, 2], &[0], &[]), 3);
        assert_eq!(s(&[0, 1, 2, 3], &[], &[]), 3);
        // Every look-for and a bonus point: 4; any red flag: 1.
        assert_eq!(s(&[0, 1, 2, 3], &[1], &[]), 4);
        assert_eq!(s(&[0, 1, 2, 3], &[1], &[0]), 1);
        // Odd counts: 2 of 5 is under half.
        let five = rubric(5, 4, 1);
        assert_eq!(
            suggest(&five, Ticks::of([0, 1]), Ticks(0), Ticks(0)).get(),
            1
        );
        assert_eq!(
            suggest(&five, Ticks::of([0, 1, 2]), Ticks(0), Ticks(0)).get(),
            2
        );
    }

    /// Every pass rule `bank check` accepts (more than half the look-fors) leaves a count of
    /// ticks that suggests a 2: a "no" is always possible, a yes always needs more than half.
    #[test]
    fn every_pass_rule_the_bank_accepts_leaves_room_for_a_no() {
        for n in 3..=6usize {
            let least = (n.div_ceil(2) + 1).min(n);
            for pass in least..=n {
                let r = rubric(n, pass, 1);
                let suggested: Vec<u8> = (0..=n)
                    .map(|c| suggest(&r, Ticks::of(0..c), Ticks(0), Ticks(0)).get())
                    .collect();
                assert!(
                    suggested.contains(&2),
                    "{n} look-fors, pass {pass}: {suggested:?}"
                );
                assert_eq!(suggested[pass], 3, "{n} look-fors, pass {pass}");
                assert_eq!(suggested[pass - 1], 2, "{n} look-fors, pass {pass}");
            }
        }
    }

    #[test]
    fn overrides_have_a_direction_and_only_disagreeing_extremes_need_a_reason() {
        let r = |v| Rating::new(v).unwrap();
        assert_eq!(difference(r(4), 3), 1);
        assert_eq!(difference(r(1), 3), -2);
        assert_eq!(difference(r(3), 3), 0);
        assert!(needs_reason(r(4), 3));
        assert!(needs_reason(r(1), 2));
        assert!(!needs_reason(r(4), 4));
        assert!(!needs_reason(r(2), 3));
    }

    #[test]
    fn a_scores_evidence_reads_its_own_version() {
        let v1 = rubric(4, 3, 1);
        let mut v2 = v1.clone();
        v2.look_fors[3] = "l4 reworded".into();
        let e = Evidence {
            rubric: crate::model::RubricId(9),
            covered: Ticks::of([0, 2, 9]),
            bonus: Ticks::of([0, 5]),
            red_flags: Ticks::of([1]),
            suggested: 1,
            reason: "why".into(),
        };
        let s = score_evidence(&e, Some(3), &v1, Some(&v2));
        assert_eq!((s.covered, s.missed), (vec![0, 2], vec![1, 3]));
        assert_eq!((s.bonus, s.red_flags), (vec![0], vec![1]));
        assert_eq!((s.look_fors, s.suggested, s.override_by), (4, 1, Some(2)));
        assert!(s.older);
        assert!(!score_evidence(&e, None, &v1, Some(&v1)).older);
        assert!(!score_evidence(&e, None, &v1, None).older);
        assert_eq!(override_by(None, 3), None);
        assert_eq!(override_by(Some(3), 3), None);
        assert_eq!(override_by(Some(1), 3), Some(-2));
    }

    #[test]
    fn ticks_carry_only_to_the_same_words() {
        let from: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let to: Vec<String> = ["c", "a", "b2"].map(String::from).to_vec();
        let (carried, dropped) = remap(Ticks::of([0, 1, 2]), &from, &to);
        assert_eq!(carried, Ticks::of([0, 1]));
        assert_eq!(dropped, vec!["b".to_string()]);
        // An index beyond the old list (a forged value) is ignored.
        assert_eq!(remap(Ticks::of([7]), &from, &to), (Ticks(0), vec![]));
    }
}
