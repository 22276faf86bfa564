//! `/question`, `/answer`, the question buttons, and their autocomplete.
//!
//! A question card shows its level at a glance (colour and title), the question, and in its
//! footer the id and how far the guild is through the pool of its filters. The rubric is one
//! scannable description: the question quoted, then what a strong answer covers, red flags and
//! follow-ups under headings.

use crate::engine::Handled;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

use crate::bank::{Level, Question};
use crate::engine::action::{Action, ActionSpec};
use crate::engine::cards::{
    LEVEL_CHOICES, MODEL_ANSWER_LABEL, MODEL_ANSWER_LIMITED_LABEL, question_card,
};
use crate::engine::catalog::Listed;
use crate::engine::command::{CommandSpec, Completion, OptionSpec, Run};
use crate::engine::pool::choose_least_shown_in;
use crate::engine::rubric::{RubricAccess, RubricContext, RubricRefusal};
use crate::engine::{
    Access, Ack, Answer, ButtonStyle, Catalog, Delivered, Effect, Engine, Error, Feature,
    Invocation, Message, Outcome, Record, Request, Visibility,
};
use crate::model::{ChannelId, GuildId};
use crate::store::{ShowCount, ShownQuestion, Source};

/// The questions feature: `/question`, `/answer` and the buttons on question cards.
pub static FEATURE: Feature = Feature {
    name: "questions",
    commands: &[QUESTION, ANSWER],
    actions: ACTIONS,
    due: None,
};

const QUESTION: CommandSpec = CommandSpec {
    answer: Answer::Public,
    ..CommandSpec::leaf::<QuestionOptions>(
        "question",
        "Post an interview question for a level, optionally on one topic",
    )
};

const ANSWER: CommandSpec = CommandSpec {
    answer: Answer::PublicIf("public"),
    ..CommandSpec::leaf::<AnswerOptions>(
        "answer",
        "Show a question's model answer, red flags and follow-ups (privately)",
    )
};

crate::options! {
    /// `/question level:<level> [topic:<topic>]`
    pub struct QuestionOptions {
        level: Level = OptionSpec::text("Seniority the question is pitched at", 20)
            .choices(LEVEL_CHOICES),
        topic: Option<String> = OptionSpec::text("Only questions on this topic (e.g. networking)", 64)
            .complete(Completion::Topic),
    }
}

impl Run for QuestionOptions {
    fn run(self, engine: &Engine, req: &Request) -> Handled {
        let topic = self.topic.map(|t| t.to_lowercase());
        let mut outcome = Outcome::default();
        engine.post_question(req, self.level, topic.as_deref(), None, &mut outcome)?;
        Ok(outcome)
    }
}

crate::options! {
    /// `/answer id:<question> [public:<bool>]`
    pub struct AnswerOptions {
        id: String = OptionSpec::text("Question id, as shown under the question", 64)
            .complete(Completion::QuestionId),
        public: Option<bool> = OptionSpec::boolean("Post it for the whole channel instead of only you"),
    }
}

impl Run for AnswerOptions {
    fn run(self, engine: &Engine, req: &Request) -> Handled {
        let catalog = engine.catalog(req.guild_id)?;
        let q = catalog.question(&self.id)?;
        let public = self.public.unwrap_or(false);
        let access = engine.check_rubric(req, RubricContext::Question)?;
        if public && access == RubricAccess::Interviewers {
            return Err(RubricRefusal::NotPublic.into());
        }
        let visibility = if public {
            Visibility::Public
        } else {
            Visibility::Private
        };
        Ok(Outcome::reply(
            visibility,
            engine.rubric_message(&catalog, &q),
        ))
    }
}

/// The buttons of a question card. Posted buttons outlive the process: these ids are a stable
/// format, and every form a release ever posted still parses (a test holds them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionButton {
    /// "Model answer": `q:answer:<question id>`.
    ModelAnswer { question: String },
    /// "Another question": `q:next:<level>:<topic>:<claim>`; the first release's
    /// `q:next:<level>:<topic>` (no claim) still works, without the once-per-card check.
    Another {
        level: Level,
        topic: Option<String>,
        claim: Option<i64>,
    },
}

const MODEL_ANSWER: &str = "q:answer";
const ANOTHER: &str = "q:next";

impl fmt::Display for QuestionButton {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuestionButton::ModelAnswer { question } => write!(f, "{MODEL_ANSWER}:{question}"),
            QuestionButton::Another {
                level,
                topic,
                claim,
            } => {
                write!(f, "{ANOTHER}:{level}:{}", topic.as_deref().unwrap_or(""))?;
                match claim {
                    Some(c) => write!(f, ":{c}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl FromStr for QuestionButton {
    type Err = Error;

    fn from_str(id: &str) -> Result<Self, Error> {
        let (prefix, args) = crate::engine::action::split(id);
        match prefix {
            MODEL_ANSWER => Ok(QuestionButton::ModelAnswer {
                question: args.trim().to_string(),
            }),
            ANOTHER => {
                let mut parts = args.split(':');
                let level = parts
                    .next()
                    .and_then(Level::parse)
                    .ok_or(Error::UnknownAction)?;
                let topic = parts.next().ok_or(Error::UnknownAction)?;
                let claim = match parts.next() {
                    None => None,
                    Some(c) => Some(c.parse::<i64>().map_err(|_| Error::UnknownAction)?),
                };
                Ok(QuestionButton::Another {
                    level,
                    topic: (!topic.is_empty()).then(|| topic.to_string()),
                    claim,
                })
            }
            _ => Err(Error::UnknownAction),
        }
    }
}

static ACTIONS: &[ActionSpec] = &[
    ActionSpec::of::<QuestionButton>(
        MODEL_ANSWER,
        Ack::Reply(Visibility::Private),
        Access::Everyone,
    ),
    // The pressed card's button is disabled (an update), then the new card follows.
    ActionSpec::of::<QuestionButton>(ANOTHER, Ack::Update, Access::Everyone),
];

impl Action for QuestionButton {
    fn run(self, engine: &Engine, req: &Request) -> Handled {
        match self {
            // The rubric, privately, to whoever pressed.
            QuestionButton::ModelAnswer { question } => {
                engine.private_rubric(req, RubricContext::Question, question)
            }
            // A new public question with the same filters, once per card: the pressed button
            // is disabled on its card, then the new card follows. Pressed on a message of
            // another kind (a forged id on a session's message, say), that message is left
            // alone: only the new card is posted, as `/question` would.
            QuestionButton::Another {
                level,
                topic,
                claim,
            } => {
                let mut outcome = Outcome::default();
                if let Invocation::Button {
                    custom_id,
                    message: Some(source),
                } = &req.invocation
                    && req.pressed_on_its_own(|id| id.parse::<QuestionButton>().is_ok())
                {
                    let buttons = source
                        .buttons
                        .iter()
                        .map(|b| {
                            let mut b = b.clone();
                            if b.action == *custom_id {
                                b.disabled = true;
                            }
                            b
                        })
                        .collect();
                    outcome.push(Effect::UpdateButtons(buttons));
                }
                engine.post_question(
                    req,
                    level,
                    topic.as_deref(),
                    Some(Next { claim }),
                    &mut outcome,
                )?;
                Ok(outcome)
            }
        }
    }
}

/// When "Another question" last posted in each (guild, channel).
#[derive(Debug, Default)]
struct Cooldowns(Mutex<HashMap<(GuildId, ChannelId), i64>>);

/// A question claimed in the guild's history: confirmed with its message once delivered,
/// released if it was not.
#[derive(Debug)]
struct Shown {
    guild_id: GuildId,
    claim: i64,
}

impl Record for Shown {
    fn record(&self, engine: &Engine, delivered: &Delivered) -> Result<(), Error> {
        // The claim was committed (synced) before delivery; losing this record to a power cut
        // only leaves the claim pending, counted as shown: not worth a sync.
        if delivered.ok() {
            let message_id = delivered.message_id();
            engine
                .store()
                .write_unsynced(|db| db.confirm_shown(self.guild_id, self.claim, message_id))?;
        } else {
            engine
                .store()
                .write_unsynced(|db| db.release_shown(self.guild_id, self.claim))?;
        }
        Ok(())
    }
}

/// How long a channel waits between two "Another question" presses.
pub const NEXT_COOLDOWN_MS: i64 = 3_000;
pub const ANOTHER_LABEL: &str = "Another question";

/// An "Another question" press: the claim of the card it was on, if its id carries one.
#[derive(Debug, Clone, Copy)]
struct Next {
    claim: Option<i64>,
}

/// Where a question stands in its pool once it has been picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Progress {
    /// 1-based position in the current round.
    position: usize,
    size: usize,
    /// Rounds completed before this one.
    rounds_before: u32,
}

impl Engine {
    /// Picks a question for the guild and claims it in one transaction (so two requests at
    /// once never get the same one), and answers publicly with it. For "Another question"
    /// (`next`), the earlier card's button is used up in the same transaction (a card gives
    /// one next question) and the channel's cooldown applies. The claim is confirmed or
    /// released once the front end reports the delivery.
    fn post_question(
        &self,
        req: &Request,
        level: Level,
        topic: Option<&str>,
        next: Option<Next>,
        outcome: &mut Outcome,
    ) -> Result<(), Error> {
        let cooldowns = self.state::<Cooldowns>();
        let catalog = self.catalog(req.guild_id)?;
        let pool = self.pool(&catalog, level, topic)?;
        let now = self.now_ms();
        let key = (req.guild_id, req.channel_id);
        let (q, claim, progress) = self.store().write(|db| {
            if let Some(Next {
                claim: Some(earlier),
            }) = next
                && !db.use_next(req.guild_id, earlier, now)?
            {
                return Err(Error::AlreadyUsed);
            }
            if next.is_some() {
                let cooldowns = cooldowns.0.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(last) = cooldowns.get(&key)
                    && now - last < NEXT_COOLDOWN_MS
                {
                    // Returning the error rolls back the use of the card's button too.
                    let wait = (NEXT_COOLDOWN_MS - (now - last) + 999) / 1000;
                    return Err(Error::Cooldown { seconds: wait });
                }
            }
            let counts = catalog.shown_by_current_id(db.show_counts(req.guild_id)?);
            let q = choose_least_shown_in(&pool, &counts, |n| self.random_below(n));
            let claim = db.claim_shown(&ShownQuestion {
                guild_id: req.guild_id,
                channel_id: req.channel_id,
                question_id: q.id,
                shown_by: req.origin.user_id(),
                source: Source::Command,
                at_ms: now,
            })?;
            let at = progress(&pool, &counts, q.id);
            Ok::<_, Error>((catalog.load_in(db, q)?, claim, at))
        })?;
        if next.is_some() {
            // Counted from a question actually claimed, not from a refused press.
            cooldowns
                .0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key, now);
        }
        let limited =
            self.rubric_access_for(req, RubricContext::Question)? == RubricAccess::Interviewers;
        let mut message =
            self.question_message(&catalog, req.guild_id, &q, topic, claim, progress, limited)?;
        message.content = pool_note(&catalog, level, topic, progress);
        let card = outcome.push(Effect::reply(Visibility::Public, message));
        outcome.commit(
            card,
            Shown {
                guild_id: req.guild_id,
                claim,
            },
        );
        Ok(())
    }

    /// The public card for a question, with its two buttons.
    #[allow(clippy::too_many_arguments)]
    fn question_message(
        &self,
        catalog: &Catalog<'_>,
        guild_id: GuildId,
        q: &Question,
        topic_filter: Option<&str>,
        claim: i64,
        p: Progress,
        rubric_limited: bool,
    ) -> Result<Message, Error> {
        let card = question_card(
            &format!("{} · {}", q.level.title(), catalog.topic_name(&q.topic)),
            &q.prompt,
            q.level,
            format!(
                "{} · question {} of {} this round",
                q.id, p.position, p.size
            ),
        );
        let answer = self.action_id(
            guild_id,
            QuestionButton::ModelAnswer {
                question: q.id.clone(),
            }
            .to_string(),
        )?;
        let next = self.action_id(
            guild_id,
            QuestionButton::Another {
                level: q.level,
                topic: topic_filter.map(String::from),
                claim: Some(claim),
            }
            .to_string(),
        )?;
        Ok(Message::default()
            .card(card)
            .button(
                if rubric_limited {
                    MODEL_ANSWER_LIMITED_LABEL
                } else {
                    MODEL_ANSWER_LABEL
                },
                answer,
                ButtonStyle::Primary,
            )
            .button(ANOTHER_LABEL, next, ButtonStyle::Secondary))
    }
}

/// A line above the card when the pool has been used up, or holds one question.
fn pool_note(
    catalog: &Catalog<'_>,
    level: Level,
    topic: Option<&str>,
    p: Progress,
) -> Option<String> {
    let what = match topic {
        Some(t) => format!(
            "{} {} question",
            level.title().to_lowercase(),
            catalog.topic_name(t)
        ),
        None => format!("{} question", level.title().to_lowercase()),
    };
    if p.size == 1 && p.rounds_before > 0 {
        Some(format!(
            "This is the only {what} there is, so here it is again."
        ))
    } else if p.position == 1 && p.rounds_before > 0 {
        Some(format!(
            "That was the last {what} of the round; starting over."
        ))
    } else {
        None
    }
}

/// Where `picked` stands in its pool once claimed.
fn progress(pool: &[Listed<'_>], counts: &HashMap<String, ShowCount>, picked: &str) -> Progress {
    // One look-up per question (a pool may hold thousands).
    let times: Vec<u32> = pool
        .iter()
        .map(|q| counts.get(q.id).map_or(0, |c| c.times) + u32::from(q.id == picked))
        .collect();
    let fewest = times.iter().copied().min().unwrap_or(0);
    let most = times.iter().copied().max().unwrap_or(0);
    let ahead = times.iter().filter(|t| **t > fewest).count();
    let size = pool.len();
    if fewest == most {
        // Everyone has been shown as often: the round just ended with this question.
        Progress {
            position: size,
            size,
            rounds_before: most.saturating_sub(1),
        }
    } else {
        Progress {
            position: ahead,
            size,
            rounds_before: fewest,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rubric::bold_lead;
    use crate::text::closest;

    fn q(id: &str) -> Question {
        Question {
            id: id.into(),
            level: Level::Junior,
            topic: "t".into(),
            tags: vec![],
            prompt: "p?".into(),
            look_fors: vec!["a".into()],
            pass: 1,
            bonus: vec!["b".into()],
            red_flags: vec!["r".into()],
            follow_ups: vec!["f?".into()],
            detail: None,
            facts: vec![],
            facts_checked: None,
            aliases: Vec::new(),
            legacy: false,
            pack: crate::bank::PackId::from_file_stem("test"),
            source: Default::default(),
        }
    }

    fn count(times: u32, last_ms: i64) -> ShowCount {
        ShowCount { times, last_ms }
    }

    #[test]
    fn least_shown_wins_and_latest_is_not_repeated() {
        let qs = [q("a"), q("b"), q("c")];
        let pool: Vec<Listed<'_>> = qs.iter().map(Listed::of).collect();
        let mut counts = HashMap::new();
        counts.insert("a".to_string(), count(1, 10));
        counts.insert("b".to_string(), count(1, 30));
        // Only c has never been shown: it must be chosen whatever the random number.
        for r in 0..6 {
            assert_eq!(choose_least_shown_in(&pool, &counts, |_| r).id, "c");
        }
        counts.insert("c".to_string(), count(1, 20));
        // New cycle: b was shown last, so only a or c.
        for r in 0..6 {
            assert_ne!(choose_least_shown_in(&pool, &counts, |_| r).id, "b");
        }
    }

    #[test]
    fn progress_counts_through_each_round() {
        let qs = [q("a"), q("b"), q("c")];
        let pool: Vec<Listed<'_>> = qs.iter().map(Listed::of).collect();
        let mut counts = HashMap::new();
        let p = progress(&pool, &counts, "a");
        assert_eq!((p.position, p.size, p.rounds_before), (1, 3, 0));
        counts.insert("a".to_string(), count(1, 1));
        assert_eq!(progress(&pool, &counts, "b").position, 2);
        counts.insert("b".to_string(), count(1, 2));
        let last = progress(&pool, &counts, "c");
        assert_eq!((last.position, last.rounds_before), (3, 0));
        counts.insert("c".to_string(), count(1, 3));
        let again = progress(&pool, &counts, "a");
        assert_eq!((again.position, again.rounds_before), (1, 1));
        // A pool of one: every showing is a round of its own.
        let single = [q("z")];
        let one: Vec<Listed<'_>> = single.iter().map(Listed::of).collect();
        let mut c1 = HashMap::new();
        assert_eq!(progress(&one, &c1, "z").rounds_before, 0);
        c1.insert("z".to_string(), count(1, 1));
        assert_eq!(progress(&one, &c1, "z").rounds_before, 1);
    }

    #[test]
    fn lead_phrases_are_bold_and_plain_points_are_left_alone() {
        assert_eq!(
            bold_lead("Begins with the business: agrees an RTO"),
            "**Begins with the business:** agrees an RTO"
        );
        assert_eq!(bold_lead("Uses S3. Then: more"), "Uses S3. Then: more");
        assert_eq!(bold_lead("No colon here"), "No colon here");
        let long = "one two three four five six seven eight nine: rest";
        assert_eq!(bold_lead(long), long);
    }

    #[test]
    fn close_topic_names_are_suggested() {
        let topics = ["networking", "storage", "security"];
        assert_eq!(closest("netwroking", &topics), Some("networking"));
        assert_eq!(closest("quantum", &topics), None);
    }
}
