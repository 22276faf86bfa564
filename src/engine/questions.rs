//! `/question`, `/answer`, the question buttons, and their autocomplete.

use std::collections::HashMap;

use crate::bank::{Level, Question};
use crate::store::{ShowCount, ShownQuestion, Source};
use crate::text::{bullet_chunks, truncate};

use super::commands::Args;
use super::{
    ButtonStyle, Card, Choice, Commit, Engine, Error, MAX_CHOICES, Message, Outcome, Request,
    Visibility, actions,
};

/// Discord's limit for one embed field value.
const FIELD_MAX: usize = 1024;
const QUESTION_COLOUR: u32 = 0x2B7BB9;
const RUBRIC_COLOUR: u32 = 0x3BA55C;

impl Engine {
    pub(super) fn cmd_question(&self, req: &Request, args: &Args) -> Result<Outcome, Error> {
        let level: Level = args.require("level")?;
        let topic = args.get::<String>("topic")?.map(|t| t.to_lowercase());
        self.post_question(req, level, topic.as_deref())
    }

    pub(super) fn cmd_answer(&self, _req: &Request, args: &Args) -> Result<Outcome, Error> {
        let id: String = args.require("id")?;
        let q = self.question(&id)?;
        let visibility = if args.get::<bool>("public")?.unwrap_or(false) {
            Visibility::Public
        } else {
            Visibility::Private
        };
        Ok(Outcome::reply(visibility, rubric_message(q)))
    }

    /// "Model answer": the rubric, privately, to whoever pressed.
    pub(super) fn action_model_answer(&self, _req: &Request, args: &str) -> Result<Outcome, Error> {
        let q = self.question(args)?;
        Ok(Outcome::private(rubric_message(q)))
    }

    /// "Another question": a new public question with the same filters.
    pub(super) fn action_another(&self, req: &Request, args: &str) -> Result<Outcome, Error> {
        let (level, topic) = args.split_once(':').ok_or(Error::UnknownAction)?;
        let level = Level::parse(level).ok_or(Error::UnknownAction)?;
        let topic = (!topic.is_empty()).then_some(topic);
        self.post_question(req, level, topic)
    }

    /// Finds a question by id, or explains what ids exist.
    pub(super) fn question(&self, id: &str) -> Result<&Question, Error> {
        let id = id.trim();
        self.bank().get(id).ok_or_else(|| Error::UnknownQuestion {
            id: id.to_string(),
            suggestions: self
                .bank()
                .suggest(id, 3)
                .into_iter()
                .map(String::from)
                .collect(),
        })
    }

    /// Picks a question for the guild and claims it in one transaction (so two requests at
    /// once never get the same one), and answers publicly with it. The claim is confirmed or
    /// released once the front end reports the delivery.
    pub(super) fn post_question(
        &self,
        req: &Request,
        level: Level,
        topic: Option<&str>,
    ) -> Result<Outcome, Error> {
        let pool = self.pool(level, topic)?;
        let now = self.clock.now_ms();
        let (q, claim) = self.store.write(|db| {
            let counts = db.show_counts(req.guild_id)?;
            let q = choose_least_shown(&pool, &counts, |n| self.random_below(n));
            let claim = db.claim_shown(&ShownQuestion {
                guild_id: req.guild_id,
                channel_id: req.channel_id,
                question_id: &q.id,
                shown_by: req.origin.user_id(),
                source: Source::Command,
                at_ms: now,
            })?;
            Ok::<_, Error>((q, claim))
        })?;
        let message = self.question_message(req.guild_id, q, topic)?;
        Ok(Outcome::public(message).with_commit(Commit::QuestionShown {
            guild_id: req.guild_id,
            claim,
            effect: 0,
        }))
    }

    /// The questions matching a level and topic; an unknown topic or an empty pool is an
    /// error that says what exists.
    fn pool(&self, level: Level, topic: Option<&str>) -> Result<Vec<&Question>, Error> {
        if let Some(t) = topic
            && !self.bank().has_topic(t)
        {
            return Err(Error::UnknownTopic {
                topic: t.to_string(),
                topics: self.bank().topics().map(String::from).collect(),
            });
        }
        let pool: Vec<&Question> = self.bank().filter(Some(level), topic).collect();
        if pool.is_empty() {
            return Err(Error::NoQuestions {
                level: level.to_string(),
                topic: topic.map(String::from),
            });
        }
        Ok(pool)
    }

    /// A random question among those the guild has seen least often, so nothing repeats until
    /// the whole filtered pool has been shown; a new cycle never starts with the question shown
    /// last. Reads only; [`Engine::post_question`] picks and claims together.
    pub fn pick_question(
        &self,
        guild_id: u64,
        level: Level,
        topic: Option<&str>,
    ) -> Result<&Question, Error> {
        let pool = self.pool(level, topic)?;
        let counts = self.store.read(|db| db.show_counts(guild_id))?;
        Ok(choose_least_shown(&pool, &counts, |n| self.random_below(n)))
    }

    /// The public message for a question: prompt, level, topic and id, with the two buttons.
    fn question_message(
        &self,
        guild_id: u64,
        q: &Question,
        topic_filter: Option<&str>,
    ) -> Result<Message, Error> {
        let card = Card {
            title: Some(format!(
                "{} interview question · {}",
                q.level.title(),
                q.topic
            )),
            description: Some(q.prompt.clone()),
            colour: Some(QUESTION_COLOUR),
            footer: Some(format!(
                "id: {} · Model answer shows the rubric only to whoever presses it",
                q.id
            )),
            ..Card::default()
        }
        .field("Level", q.level.as_str(), true)
        .field("Topic", q.topic.clone(), true)
        .field("Id", format!("`{}`", q.id), true);
        let answer = self.action_id(guild_id, model_answer_id(&q.id))?;
        let next = self.action_id(guild_id, another_id(q.level, topic_filter))?;
        Ok(Message::default()
            .card(card)
            .button("Model answer", answer, ButtonStyle::Primary)
            .button("Another question", next, ButtonStyle::Secondary))
    }

    pub(super) fn complete_topic(&self, partial: &str) -> Vec<Choice> {
        let needle = partial.trim().to_lowercase();
        let (_, counts) = self.bank().counts();
        let mut topics: Vec<(&str, usize)> = counts
            .into_iter()
            .filter(|(t, _)| t.contains(&needle))
            .collect();
        // Prefix matches first, then alphabetical.
        topics.sort_by_key(|(t, _)| (!t.starts_with(&needle), *t));
        topics
            .into_iter()
            .take(MAX_CHOICES)
            .map(|(t, n)| Choice {
                name: format!("{t} ({n} questions)"),
                value: t.to_string(),
            })
            .collect()
    }

    pub(super) fn complete_question_id(&self, partial: &str) -> Vec<Choice> {
        self.bank()
            .search(partial, MAX_CHOICES)
            .into_iter()
            .map(|q| Choice {
                name: truncate(&format!("{} · {}", q.id, q.prompt), 100),
                value: q.id.clone(),
            })
            .collect()
    }
}

/// The id of a question's "Model answer" button. Stable: posted buttons carry it.
pub fn model_answer_id(question_id: &str) -> String {
    actions::format("q:answer", question_id)
}

/// The id of an "Another question" button. Stable: posted buttons carry it.
pub fn another_id(level: Level, topic: Option<&str>) -> String {
    actions::format("q:next", &format!("{level}:{}", topic.unwrap_or("")))
}

/// The selection rule, separated from storage and randomness so it can be tested exactly.
fn choose_least_shown<'a>(
    pool: &[&'a Question],
    counts: &HashMap<String, ShowCount>,
    mut random: impl FnMut(usize) -> usize,
) -> &'a Question {
    let times = |q: &Question| counts.get(&q.id).map_or(0, |c| c.times);
    let fewest = pool.iter().map(|q| times(q)).min().unwrap_or(0);
    let mut candidates: Vec<&Question> = pool
        .iter()
        .copied()
        .filter(|q| times(q) == fewest)
        .collect();
    if candidates.len() > 1 {
        // Never repeat the most recently shown question straight away.
        let latest = pool
            .iter()
            .filter_map(|q| counts.get(&q.id).map(|c| (c.last_ms, q.id.as_str())))
            .max();
        if let Some((_, latest_id)) = latest {
            candidates.retain(|q| q.id != latest_id);
        }
    }
    candidates[random(candidates.len()) % candidates.len()]
}

/// The rubric: what an answer must cover, what a strong one adds, red flags and follow-ups, each list split over
/// as many fields as it needs.
pub(super) fn rubric_message(q: &Question) -> Message {
    let mut card = Card {
        title: Some(truncate(&format!("Model answer · {}", q.id), 256)),
        description: Some(format!("**{}**", q.prompt)),
        colour: Some(RUBRIC_COLOUR),
        footer: Some(format!(
            "{} · {}{}",
            q.level,
            q.topic,
            if q.tags.is_empty() {
                String::new()
            } else {
                format!(" · tags: {}", q.tags.join(", "))
            }
        )),
        ..Card::default()
    };
    for (name, items) in [
        ("Must cover (a yes)", &q.answer),
        ("Strong answers also cover", &q.bonus),
        ("Red flags", &q.red_flags),
        ("Follow-up probes", &q.follow_ups),
    ] {
        for (i, chunk) in bullet_chunks(items, FIELD_MAX).into_iter().enumerate() {
            let title = if i == 0 {
                name.to_string()
            } else {
                format!("{name} (continued)")
            };
            card = card.field(title, chunk, false);
        }
    }
    Message::default().card(card)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: &str) -> Question {
        Question {
            id: id.into(),
            level: Level::Junior,
            topic: "t".into(),
            tags: vec![],
            prompt: "p?".into(),
            answer: vec!["a".into()],
            bonus: vec!["b".into()],
            red_flags: vec!["r".into()],
            follow_ups: vec!["f?".into()],
            source: Default::default(),
        }
    }

    #[test]
    fn least_shown_wins_and_latest_is_not_repeated() {
        let qs = [q("a"), q("b"), q("c")];
        let pool: Vec<&Question> = qs.iter().collect();
        let mut counts = HashMap::new();
        counts.insert(
            "a".to_string(),
            ShowCount {
                times: 1,
                last_ms: 10,
            },
        );
        counts.insert(
            "b".to_string(),
            ShowCount {
                times: 1,
                last_ms: 30,
            },
        );
        // Only c has never been shown: it must be chosen whatever the random number.
        for r in 0..6 {
            assert_eq!(choose_least_shown(&pool, &counts, |_| r).id, "c");
        }
        counts.insert(
            "c".to_string(),
            ShowCount {
                times: 1,
                last_ms: 20,
            },
        );
        // New cycle: b was shown last, so only a or c.
        for r in 0..6 {
            assert_ne!(choose_least_shown(&pool, &counts, |_| r).id, "b");
        }
    }
}
