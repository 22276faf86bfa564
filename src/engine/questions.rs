//! `/question`, `/answer`, the question buttons, and their autocomplete.
//!
//! A question card shows its level at a glance (colour and title), the question, and in its
//! footer the id and how far the guild is through the pool of its filters. The rubric is one
//! scannable description: the question quoted, then what a strong answer covers, red flags and
//! follow-ups under headings.

use std::collections::HashMap;

use crate::bank::{Level, Question};
use crate::store::{ShowCount, ShownQuestion, Source};
use crate::text::truncate;

use super::commands::Args;
use super::error::ScoreError;
use super::limits::{DESCRIPTION_MAX, EMBED_TOTAL_MAX};
use super::rubric::{RubricAccess, RubricContext};
use super::{
    ButtonStyle, Card, Choice, Commit, Effect, Engine, Error, Invocation, MAX_CHOICES, Message,
    Outcome, RawValue, Request, Visibility, actions,
};

/// How long a channel waits between two "Another question" presses.
pub const NEXT_COOLDOWN_MS: i64 = 3_000;
/// How many of a channel's recent questions lead the id suggestions.
const RECENT_SUGGESTIONS: usize = 10;
/// The "Model answer" button: it says that only the presser sees the rubric.
pub const MODEL_ANSWER_LABEL: &str = "🔒 Model answer (only you)";
/// The same button where rubrics are for interviewers only (`/config rubric-access`).
pub const MODEL_ANSWER_LIMITED_LABEL: &str = "🔒 Model answer (interviewers only)";
pub const ANOTHER_LABEL: &str = "Another question";

/// The card colour of a level: junior green, mid amber, senior red.
pub fn level_colour(level: Level) -> u32 {
    match level {
        Level::Junior => 0x3BA55C,
        Level::Mid => 0xF0B232,
        Level::Senior => 0xED4245,
    }
}

/// An "Another question" press: the claim of the card it was on, if its id carries one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Next {
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
    pub(super) fn cmd_question(&self, req: &Request, args: &Args) -> Result<Outcome, Error> {
        let level: Level = args.require("level")?;
        let topic = args.get::<String>("topic")?.map(|t| t.to_lowercase());
        self.post_question(req, level, topic.as_deref(), None)
    }

    pub(super) fn cmd_answer(&self, req: &Request, args: &Args) -> Result<Outcome, Error> {
        let id: String = args.require("id")?;
        let q = self.question(&id)?;
        let public = args.get::<bool>("public")?.unwrap_or(false);
        let access = self.check_rubric(req, RubricContext::Question)?;
        if public && access == RubricAccess::Interviewers {
            return Err(ScoreError::RubricNotPublic.into());
        }
        let visibility = if public {
            Visibility::Public
        } else {
            Visibility::Private
        };
        Ok(Outcome::reply(visibility, self.rubric_message(q)))
    }

    /// "Model answer": the rubric, privately, to whoever pressed.
    pub(super) fn action_model_answer(&self, req: &Request, args: &str) -> Result<Outcome, Error> {
        self.check_rubric(req, RubricContext::Question)?;
        let q = self
            .bank()
            .get(args.trim())
            .ok_or_else(|| Error::QuestionGone(args.trim().to_string()))?;
        Ok(Outcome::private(self.rubric_message(q)))
    }

    /// "Another question": a new public question with the same filters, once per card. The
    /// pressed button is disabled on its card, so a card gives one next question.
    ///
    /// Ids: `q:next:<level>:<topic>:<claim>`; the first release's `q:next:<level>:<topic>`
    /// (no claim) still works, without the once-per-card check.
    pub(super) fn action_another(&self, req: &Request, args: &str) -> Result<Outcome, Error> {
        let mut parts = args.split(':');
        let level = parts
            .next()
            .and_then(Level::parse)
            .ok_or(Error::UnknownAction)?;
        let topic = parts.next().ok_or(Error::UnknownAction)?;
        let topic = (!topic.is_empty()).then_some(topic);
        let claim = match parts.next() {
            None => None,
            Some(c) => Some(c.parse::<i64>().map_err(|_| Error::UnknownAction)?),
        };
        let mut outcome = self.post_question(req, level, topic, Some(Next { claim }))?;
        if let Invocation::Button {
            custom_id,
            message: Some(source),
        } = &req.invocation
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
            outcome.effects.insert(0, Effect::UpdateButtons(buttons));
            for commit in &mut outcome.commits {
                if let Commit::QuestionShown { effect, .. } = commit {
                    *effect += 1;
                }
            }
        }
        Ok(outcome)
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
    /// once never get the same one), and answers publicly with it. For "Another question"
    /// (`next`), the earlier card's button is used up in the same transaction (a card gives
    /// one next question) and the channel's cooldown applies. The claim is confirmed or
    /// released once the front end reports the delivery.
    pub(super) fn post_question(
        &self,
        req: &Request,
        level: Level,
        topic: Option<&str>,
        next: Option<Next>,
    ) -> Result<Outcome, Error> {
        let pool = self.pool(level, topic)?;
        let now = self.clock.now_ms();
        let key = (req.guild_id, req.channel_id);
        let (q, claim, progress) = self.store.write(|db| {
            if let Some(Next {
                claim: Some(earlier),
            }) = next
                && !db.use_next(req.guild_id, earlier, now)?
            {
                return Err(Error::AlreadyUsed);
            }
            if next.is_some() {
                let cooldowns = self.cooldowns.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(last) = cooldowns.get(&key)
                    && now - last < NEXT_COOLDOWN_MS
                {
                    // Returning the error rolls back the use of the card's button too.
                    let wait = (NEXT_COOLDOWN_MS - (now - last) + 999) / 1000;
                    return Err(Error::Cooldown { seconds: wait });
                }
            }
            let counts = db.show_counts(req.guild_id)?;
            let q = choose_least_shown_in(&pool, &counts, |n| self.random_below(n));
            let claim = db.claim_shown(&ShownQuestion {
                guild_id: req.guild_id,
                channel_id: req.channel_id,
                question_id: &q.id,
                shown_by: req.origin.user_id(),
                source: Source::Command,
                at_ms: now,
            })?;
            Ok::<_, Error>((q, claim, progress(&pool, &counts, &q.id)))
        })?;
        if next.is_some() {
            // Counted from a question actually claimed, not from a refused press.
            self.cooldowns
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key, now);
        }
        let limited = self.rubric_access(req.guild_id, req.channel_id, RubricContext::Question)?
            == RubricAccess::Interviewers;
        let mut message =
            self.question_message(req.guild_id, q, topic, claim, progress, limited)?;
        message.content = self.pool_note(level, topic, progress);
        Ok(Outcome::public(message).with_commit(Commit::QuestionShown {
            guild_id: req.guild_id,
            claim,
            effect: 0,
        }))
    }

    /// A line above the card when the pool has been used up, or holds one question.
    fn pool_note(&self, level: Level, topic: Option<&str>, p: Progress) -> Option<String> {
        let what = match topic {
            Some(t) => format!(
                "{} {} question",
                level.title().to_lowercase(),
                self.bank().topic_name(t)
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

    /// The questions matching a level and topic; an unknown topic or an empty pool is an
    /// error that says what exists.
    fn pool(&self, level: Level, topic: Option<&str>) -> Result<Vec<&Question>, Error> {
        if let Some(t) = topic
            && !self.bank().has_topic(t)
        {
            let topics: Vec<&str> = self.bank().topics().collect();
            return Err(Error::UnknownTopic {
                topic: t.to_string(),
                suggestion: closest(t, &topics).map(String::from),
                topics: topics.into_iter().map(String::from).collect(),
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
        Ok(choose_least_shown_in(&pool, &counts, |n| {
            self.random_below(n)
        }))
    }

    /// The public card for a question, with its two buttons.
    fn question_message(
        &self,
        guild_id: u64,
        q: &Question,
        topic_filter: Option<&str>,
        claim: i64,
        p: Progress,
        rubric_limited: bool,
    ) -> Result<Message, Error> {
        let card = Card {
            title: Some(truncate(
                &format!("{} · {}", q.level.title(), self.bank().topic_name(&q.topic)),
                256,
            )),
            description: Some(q.prompt.clone()),
            colour: Some(level_colour(q.level)),
            footer: Some(format!(
                "{} · question {} of {} this round",
                q.id, p.position, p.size
            )),
            ..Card::default()
        };
        let answer = self.action_id(guild_id, model_answer_id(&q.id))?;
        let next = self.action_id(guild_id, another_id(q.level, topic_filter, Some(claim)))?;
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

    /// The rubric: the question quoted, then what a strong answer covers, red flags and
    /// follow-ups, each under a heading, in the card's description. Sections that would not
    /// fit one description (never for the shipped packs; a test checks) go on in a second card.
    pub(super) fn rubric_message(&self, q: &Question) -> Message {
        let quoted: String = q
            .prompt
            .lines()
            .map(|l| format!("> {l}"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut sections = vec![quoted];
        for (heading, items) in [
            ("Must cover (a yes)", &q.answer),
            ("Strong answers also cover", &q.bonus),
            ("Red flags", &q.red_flags),
            ("Follow-up probes", &q.follow_ups),
        ] {
            let body: Vec<String> = items
                .iter()
                .map(|i| format!("• {}", bold_lead(i)))
                .collect();
            sections.push(format!("**{heading}**\n{}", body.join("\n")));
        }
        let title = truncate(
            &format!(
                "Model answer · {} · {}",
                q.level.title(),
                self.bank().topic_name(&q.topic)
            ),
            256,
        );
        let footer = if q.tags.is_empty() {
            q.id.clone()
        } else {
            format!("{} · tags: {}", q.id, q.tags.join(", "))
        };
        let mut cards: Vec<Card> = Vec::new();
        let mut current = String::new();
        for section in sections {
            let joined = if current.is_empty() {
                section.clone()
            } else {
                format!("{current}\n\n{section}")
            };
            if joined.chars().count() > DESCRIPTION_MAX && !current.is_empty() {
                cards.push(Card {
                    description: Some(std::mem::take(&mut current)),
                    ..Card::default()
                });
                current = truncate(&section, DESCRIPTION_MAX);
            } else {
                current = truncate(&joined, DESCRIPTION_MAX);
            }
        }
        cards.push(Card {
            description: Some(current),
            ..Card::default()
        });
        let last = cards.len() - 1;
        for (i, card) in cards.iter_mut().enumerate() {
            card.colour = Some(level_colour(q.level));
            if i == 0 {
                card.title = Some(title.clone());
            }
            if i == last {
                card.footer = Some(footer.clone());
            }
        }
        debug_assert!(cards.iter().map(Card::text_len).sum::<usize>() <= EMBED_TOTAL_MAX);
        Message {
            cards,
            ..Message::default()
        }
    }

    /// Topic suggestions with readable names, counting only the questions of the level already
    /// chosen (if any).
    pub(super) fn complete_topic(&self, partial: &str, level: Option<Level>) -> Vec<Choice> {
        let needle = partial.trim().to_lowercase();
        let mut topics: Vec<(&str, String, usize)> = self
            .bank()
            .topics()
            .map(|t| (t, self.bank().topic_name(t)))
            .filter(|(t, name)| t.contains(&needle) || name.to_lowercase().contains(&needle))
            .map(|(t, name)| (t, name, self.bank().filter(level, Some(t)).count()))
            .filter(|(_, _, n)| *n > 0)
            .collect();
        // Prefix matches first, then alphabetical.
        topics.sort_by_key(|(t, name, _)| {
            let prefix = t.starts_with(&needle) || name.to_lowercase().starts_with(&needle);
            (!prefix, name.clone())
        });
        let of = level.map_or(String::new(), |l| format!(" {}", l.title().to_lowercase()));
        topics
            .into_iter()
            .take(MAX_CHOICES)
            .map(|(t, name, n)| Choice {
                name: truncate(
                    &format!("{name} ({n}{of} question{})", if n == 1 { "" } else { "s" }),
                    100,
                ),
                value: t.to_string(),
            })
            .collect()
    }

    /// Id suggestions: level and topic, then the question's text; by id prefix or words. With
    /// nothing typed, the questions last posted in this channel come first.
    pub(super) fn complete_question_id(
        &self,
        guild_id: u64,
        channel_id: u64,
        partial: &str,
    ) -> Vec<Choice> {
        let mut picked: Vec<&Question> = Vec::new();
        if partial.trim().is_empty() {
            let recent = self
                .store
                .read(|db| db.recent_in_channel(guild_id, channel_id, RECENT_SUGGESTIONS))
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "recent questions unavailable for suggestions");
                    Vec::new()
                });
            picked.extend(recent.iter().filter_map(|id| self.bank().get(id)));
        }
        for q in self.bank().search(partial, MAX_CHOICES) {
            if picked.len() >= MAX_CHOICES {
                break;
            }
            if !picked.iter().any(|p| p.id == q.id) {
                picked.push(q);
            }
        }
        picked
            .into_iter()
            .map(|q| Choice {
                name: truncate(
                    &format!(
                        "{} · {} · {}",
                        q.level.title(),
                        self.bank().topic_name(&q.topic),
                        q.prompt
                    ),
                    100,
                ),
                value: q.id.clone(),
            })
            .collect()
    }
}

/// The level already chosen in an autocomplete request, if any.
pub(super) fn chosen_level(options: &[super::RawOption]) -> Option<Level> {
    options.iter().find_map(|o| match (&*o.name, &o.value) {
        ("level", RawValue::Text(t)) => Level::parse(t),
        _ => None,
    })
}

/// The closest of `names` to a mistyped one, if it is close enough to suggest.
pub fn closest<'a>(typed: &str, names: &[&'a str]) -> Option<&'a str> {
    let typed = typed.trim().to_lowercase();
    let len = typed.chars().count();
    names
        .iter()
        // Jaro is at most (1 + 1 + short/long) / 3, so strings ten times longer than each
        // other stay at 0.7 or under, get no prefix bonus and never reach 0.8: skip them
        // rather than walk a huge paste once per name.
        .filter(|n| {
            let n_len = n.chars().count();
            len < 10 * n_len && n_len < 10 * len
        })
        .map(|n| (strsim::jaro_winkler(&typed, n), *n))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

/// Puts a point's lead phrase in bold: the words before a colon near its start
/// ("Begins with the business: agrees ..." becomes "**Begins with the business:** agrees ...").
fn bold_lead(item: &str) -> String {
    let item = item.trim();
    if let Some(i) = item.find(": ") {
        let lead = &item[..i];
        let words = lead.split_whitespace().count();
        if (1..=8).contains(&words) && !lead.contains(['.', '*', '`']) && lead.len() <= 80 {
            return format!("**{lead}:**{}", &item[i + 1..]);
        }
    }
    item.to_string()
}

/// The id of a question's "Model answer" button. Stable: posted buttons carry it.
pub fn model_answer_id(question_id: &str) -> String {
    actions::format("q:answer", question_id)
}

/// The id of an "Another question" button. Stable: posted buttons carry it. With a claim, the
/// button works once per card.
pub fn another_id(level: Level, topic: Option<&str>, claim: Option<i64>) -> String {
    let mut args = format!("{level}:{}", topic.unwrap_or(""));
    if let Some(c) = claim {
        args.push_str(&format!(":{c}"));
    }
    actions::format("q:next", &args)
}

/// Where `picked` stands in its pool once claimed.
fn progress(pool: &[&Question], counts: &HashMap<String, ShowCount>, picked: &str) -> Progress {
    let times = |q: &Question| counts.get(&q.id).map_or(0, |c| c.times) + u32::from(q.id == picked);
    let fewest = pool.iter().map(|q| times(q)).min().unwrap_or(0);
    let most = pool.iter().map(|q| times(q)).max().unwrap_or(0);
    let ahead = pool.iter().filter(|q| times(q) > fewest).count();
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

/// The selection rule, separated from storage and randomness so it can be tested exactly.
pub(super) fn choose_least_shown_in<'a>(
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

    fn count(times: u32, last_ms: i64) -> ShowCount {
        ShowCount { times, last_ms }
    }

    #[test]
    fn least_shown_wins_and_latest_is_not_repeated() {
        let qs = [q("a"), q("b"), q("c")];
        let pool: Vec<&Question> = qs.iter().collect();
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
        let pool: Vec<&Question> = qs.iter().collect();
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
        let one: Vec<&Question> = single.iter().collect();
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
