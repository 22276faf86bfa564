//! The bot's features, each a folder that owns its surface: its commands with their typed
//! options, its button and modal ids, its scheduled jobs and its state. Each exports one
//! [`Feature`] value; this list is the only place that names them all. Features use the
//! engine's framework, the store, the bank and shared presentation, never each other
//! (`tests/architecture.rs` checks).

pub mod config;
pub mod daily;
pub mod help;
pub mod packs;
pub mod questions;
pub mod scores;
pub mod suggestions;

use std::sync::Arc;

use crate::bank::Bank;
use crate::clock::Clock;
use crate::engine::{Engine, Feature, Registry};
use crate::store::Store;

/// Every feature, in the order `/help` lists their commands.
pub static FEATURES: &[&Feature] = &[
    &questions::FEATURE,
    &help::FEATURE,
    &daily::FEATURE,
    &config::FEATURE,
    &packs::FEATURE,
    &scores::FEATURE,
    &suggestions::FEATURE,
];

/// The bot's features as the engine sees them.
pub const REGISTRY: Registry = Registry::new(FEATURES);

impl Engine {
    /// The engine with the bot's features.
    pub fn new(bank: Arc<Bank>, store: Store, clock: Arc<dyn Clock>) -> Engine {
        Engine::with_features(bank, store, clock, REGISTRY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::check_declarations;

    #[test]
    fn every_declaration_is_well_formed() {
        let roots: Vec<_> = REGISTRY.commands().collect();
        check_declarations(&roots);
        assert!(!REGISTRY.leaves().is_empty());
        for leaf in REGISTRY.leaves() {
            let found = REGISTRY.find(&leaf.path()).unwrap();
            assert!(std::ptr::eq(found.spec, leaf.spec));
        }
        let mut names: Vec<&str> = roots.iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), roots.len(), "a command name is declared twice");
    }

    #[test]
    fn action_prefixes_are_unique_across_features() {
        let mut prefixes: Vec<&str> = REGISTRY.actions().map(|a| a.prefix).collect();
        let count = prefixes.len();
        prefixes.sort();
        prefixes.dedup();
        assert_eq!(prefixes.len(), count);
        assert!(REGISTRY.action("zzz").is_none());
    }

    /// Every form of id a release ever put on a button or modal, as posted, and the action it
    /// still is: posted messages outlive the process, so none of these may stop working.
    #[test]
    fn every_id_any_release_posted_still_parses_to_the_same_action() {
        use crate::bank::Level;
        use daily::DailyButton;
        use questions::QuestionButton;
        use scores::commands::{ScoresAction, SessionQuestion};

        let question = |id: &str| id.parse::<QuestionButton>().unwrap();
        // The first release: no claim on "Another question".
        assert_eq!(
            question("q:answer:aws-s3-basics"),
            QuestionButton::ModelAnswer {
                question: "aws-s3-basics".into()
            }
        );
        assert_eq!(
            question("q:next:mid:multi-account"),
            QuestionButton::Another {
                level: Level::Mid,
                topic: Some("multi-account".into()),
                claim: None
            }
        );
        assert_eq!(
            question("q:next:senior:"),
            QuestionButton::Another {
                level: Level::Senior,
                topic: None,
                claim: None
            }
        );
        // Since: the claim of the card, so a card gives one next question.
        assert_eq!(
            question("q:next:junior::42"),
            QuestionButton::Another {
                level: Level::Junior,
                topic: None,
                claim: Some(42)
            }
        );
        // Daily posts until issue 19 named their question (checked against the post the
        // button is pressed on); since, they name their post.
        assert_eq!(
            "d:answer:aws-s3-basics".parse::<DailyButton>().unwrap(),
            DailyButton::ModelAnswer {
                question: "aws-s3-basics".into()
            }
        );
        assert_eq!(
            "d:answer:post:42".parse::<DailyButton>().unwrap(),
            DailyButton::PostAnswer {
                post: crate::model::PostId(42)
            }
        );
        let scores = |id: &str| id.parse::<ScoresAction>().unwrap();
        let at = SessionQuestion {
            session: crate::model::SessionId(7),
            index: 2,
        };
        assert_eq!(
            scores("s:rate:7:2:3"),
            ScoresAction::Rate {
                at,
                rating: crate::features::scores::Rating::new(3).unwrap()
            }
        );
        assert_eq!(scores("s:notes:7:2"), ScoresAction::Notes(at));
        assert_eq!(scores("s:note:7:2"), ScoresAction::NoteSubmit(at));
        assert_eq!(scores("s:answer:7:2"), ScoresAction::Answer(at));
        assert_eq!(scores("s:skip:7:2"), ScoresAction::Skip(at));
        assert_eq!(
            scores("sc:team:1:"),
            ScoresAction::TeamPage {
                page: 1,
                since: None
            }
        );
        assert_eq!(
            scores("sc:team:0:1767225600000"),
            ScoresAction::TeamPage {
                page: 0,
                since: Some(1_767_225_600_000)
            }
        );
        assert_eq!(
            scores("sc:forget:5:1767225600000"),
            ScoresAction::Forget {
                candidate: crate::model::CandidateId(5),
                created: 1_767_225_600_000
            }
        );
        assert_eq!(
            scores("sc:keep:5"),
            ScoresAction::Keep {
                candidate: Some(crate::model::CandidateId(5))
            }
        );
        // The evidence panel's lists, ratings and reason (issue 21).
        let ev = crate::features::scores::commands::EvidenceAt {
            session: crate::model::SessionId(7),
            rubric: crate::model::RubricId(12),
        };
        assert_eq!(scores("ev:cov:7:12"), ScoresAction::Covered(ev));
        assert_eq!(scores("ev:red:7:12"), ScoresAction::Flags(ev));
        assert_eq!(
            scores("ev:rate:7:12:4"),
            ScoresAction::RateWith {
                at: ev,
                rating: crate::features::scores::Rating::new(4).unwrap()
            }
        );
        assert_eq!(scores("ev:why:7:12"), ScoresAction::Why(ev));
        assert_eq!(scores("ev:reason:7:12"), ScoresAction::ReasonSubmit(ev));
        // And each goes to the action registered for its prefix.
        for id in [
            "q:answer:x",
            "q:next:mid:",
            "d:answer:x",
            "d:answer:post:1",
            "s:rate:1:0:1",
            "s:notes:1:0",
            "s:note:1:0",
            "s:answer:1:0",
            "s:skip:1:0",
            "sc:team:0:",
            "sc:forget:1:2",
            "sc:keep:1",
            "ev:cov:1:2",
            "ev:red:1:2",
            "ev:rate:1:2:3",
            "ev:why:1:2",
            "ev:reason:1:2",
        ] {
            let spec = REGISTRY
                .action(id)
                .unwrap_or_else(|| panic!("{id}: no action"));
            assert!(id.starts_with(spec.prefix), "{id}");
        }
    }

    #[test]
    fn question_button_ids_round_trip() {
        use crate::bank::Level;
        use crate::engine::action::check_ids;
        check_ids(
            &[
                questions::QuestionButton::ModelAnswer {
                    question: "aws-s3-basics".into(),
                },
                questions::QuestionButton::Another {
                    level: Level::Senior,
                    topic: Some("networking".into()),
                    claim: Some(9),
                },
                questions::QuestionButton::Another {
                    level: Level::Junior,
                    topic: None,
                    claim: None,
                },
            ],
            questions::FEATURE.actions,
        );
    }
}
