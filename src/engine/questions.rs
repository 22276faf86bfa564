//! `/question`, `/answer`, the question buttons, and their autocomplete.

use std::collections::HashMap;

use crate::bank::{Level, Question};
use crate::store::{ShowCount, ShownQuestion, Source};
use crate::text::{bullet_chunks, truncate};

use super::commands::Args;
use super::{
    Action, ButtonStyle, Card, Choice, Engine, Error, MAX_CHOICES, Reply, Request, Visibility,
};

/// Discord's limit for one embed field value.
const FIELD_MAX: usize = 1024;
const QUESTION_COLOUR: u32 = 0x2B7BB9;
const RUBRIC_COLOUR: u32 = 0x3BA55C;

impl Engine {
    pub(super) fn cmd_question(&self, req: &Request, args: &Args) -> Result<Reply, Error> {
        // `bind` has checked the level against the declared choices.
        let level = args
            .text("level")
            .and_then(Level::parse)
            .unwrap_or(Level::Junior);
        let topic = args.text("topic").map(str::to_lowercase);
        self.post_question(req, level, topic.as_deref())
    }

    pub(super) fn cmd_answer(&self, _req: &Request, args: &Args) -> Result<Reply, Error> {
        let id = args.text("id").unwrap_or_default();
        let q = self.question(id)?;
        let visibility = if args.flag("public").unwrap_or(false) {
            Visibility::Public
        } else {
            Visibility::Private
        };
        Ok(rubric_reply(q, visibility))
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

    /// Picks a question for the guild, records it, and builds the public reply.
    pub(super) fn post_question(
        &self,
        req: &Request,
        level: Level,
        topic: Option<&str>,
    ) -> Result<Reply, Error> {
        let q = self.pick_question(req.guild_id, level, topic)?;
        self.store.record_shown(&ShownQuestion {
            guild_id: req.guild_id,
            channel_id: req.channel_id,
            question_id: &q.id,
            shown_by: Some(req.caller.user_id),
            source: Source::Command,
            at_ms: self.clock.now_ms(),
        })?;
        Ok(question_reply(q, topic))
    }

    /// A random question among those the guild has seen least often, so nothing repeats until
    /// the whole filtered pool has been shown; a new cycle never starts with the question shown
    /// last.
    pub fn pick_question(
        &self,
        guild_id: u64,
        level: Level,
        topic: Option<&str>,
    ) -> Result<&Question, Error> {
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
        let counts = self.store.show_counts(guild_id)?;
        Ok(choose_least_shown(&pool, &counts, || fastrand::usize(..)))
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

/// The selection rule, separated from storage and randomness so it can be tested exactly.
fn choose_least_shown<'a>(
    pool: &[&'a Question],
    counts: &HashMap<String, ShowCount>,
    mut random: impl FnMut() -> usize,
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
    candidates[random() % candidates.len()]
}

/// The public message for a question: prompt, level, topic and id, with the two buttons.
pub(super) fn question_reply(q: &Question, topic_filter: Option<&str>) -> Reply {
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
    Reply::new(Visibility::Public)
        .card(card)
        .button(
            "Model answer",
            Action::ModelAnswer {
                question_id: q.id.clone(),
            }
            .to_id(),
            ButtonStyle::Primary,
        )
        .button(
            "Another question",
            Action::Another {
                level: q.level,
                topic: topic_filter.map(String::from),
            }
            .to_id(),
            ButtonStyle::Secondary,
        )
}

/// The rubric: what a strong answer covers, red flags and follow-ups, each list split over
/// as many fields as it needs.
pub(super) fn rubric_reply(q: &Question, visibility: Visibility) -> Reply {
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
        ("What a strong answer covers", &q.answer),
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
    Reply::new(visibility).card(card)
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
            assert_eq!(choose_least_shown(&pool, &counts, || r).id, "c");
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
            assert_ne!(choose_least_shown(&pool, &counts, || r).id, "b");
        }
    }
}
