//! Who may open a rubric (model answer, red flags, follow-ups) outside an interview session:
//! the one rule every feature that shows rubrics asks. Inside a session only interviewers ever
//! may (the session's buttons say so themselves).
//!
//! `/config rubric-access` sets it per guild, with per-channel overrides. With nothing set the
//! default depends on where the rubric is shown: interviewers only for `/question` cards and
//! `/answer`, so a candidate in the channel never sees one from a fresh install on; everyone
//! for daily-practice posts, whose answers are revealed anyway.

use super::Handled;
use crate::bank::Question;
use crate::engine::Catalog;
use crate::model::{ChannelId, GuildId};
use crate::text::truncate;

use super::access::Access;
use super::cards::level_colour;
use super::effect::{Card, Message, Outcome};
use super::error::Refusal;
use super::limits::{DESCRIPTION_MAX, EMBED_TOTAL_MAX};
use super::request::Request;
use super::{Engine, Error};

/// Where a rubric is being opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RubricContext {
    /// A `/question` card's "Model answer", or `/answer`.
    Question,
    /// A daily-practice post.
    Daily,
}

pub use crate::model::RubricAccess;

impl RubricContext {
    /// The access with nothing configured.
    pub fn default_access(self) -> RubricAccess {
        match self {
            RubricContext::Question => RubricAccess::Interviewers,
            RubricContext::Daily => RubricAccess::Everyone,
        }
    }
}

impl Engine {
    /// Who may open rubrics in this channel (not a thread): the channel's setting, else the
    /// guild's, else the context's default.
    pub fn rubric_access(
        &self,
        guild_id: GuildId,
        channel_id: ChannelId,
        context: RubricContext,
    ) -> Result<RubricAccess, Error> {
        self.rubric_access_at(guild_id, channel_id, None, context)
    }

    /// Who may open rubrics where `req` was made: the thread's (or channel's) setting, else
    /// the setting of the channel the thread is in, else the guild's, else the context's
    /// default. A channel's rule so reaches its threads.
    pub fn rubric_access_for(
        &self,
        req: &Request,
        context: RubricContext,
    ) -> Result<RubricAccess, Error> {
        self.rubric_access_at(req.guild_id, req.channel_id, req.thread_parent(), context)
    }

    fn rubric_access_at(
        &self,
        guild_id: GuildId,
        channel_id: ChannelId,
        parent: Option<ChannelId>,
        context: RubricContext,
    ) -> Result<RubricAccess, Error> {
        let (here, parent, guild) = self.store.read(|db| {
            let (here, guild) = db.rubric_access(guild_id, channel_id)?;
            let parent = match parent {
                Some(p) if p != channel_id => db.rubric_access(guild_id, p)?.0,
                _ => None,
            };
            Ok::<_, Error>((here, parent, guild))
        })?;
        Ok(here
            .or(parent)
            .or(guild)
            .unwrap_or(context.default_access()))
    }

    /// Whether the request comes from an interviewer (or the bot itself).
    pub fn is_interviewer(&self, req: &Request) -> Result<bool, Error> {
        match self.authorize(req, Access::Interviewers) {
            Ok(()) => Ok(true),
            Err(Error::NotAllowed { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Refuses, with a message saying how an admin opens rubrics up, when the requester may
    /// not open a rubric here; otherwise says what the channel's access is.
    pub fn check_rubric(
        &self,
        req: &Request,
        context: RubricContext,
    ) -> Result<RubricAccess, Error> {
        let access = self.rubric_access_for(req, context)?;
        if access == RubricAccess::Interviewers && !self.is_interviewer(req)? {
            return Err(RubricRefusal::Limited.into());
        }
        Ok(access)
    }
}

/// How to read a look-for, under the numbered list: packs write "e.g." for one example among
/// several that count, "at least N of" for how many of a list, and "X, so Y", "X: Y" or
/// "X (Y)" where Y only explains X.
pub const TICK_RULE: &str = "_Tick an idea when you hear it, in any words. Any example after \"e.g.\" counts (towards N, after \"at least N\"); what follows \"so\" or a colon, or sits in brackets, only explains the point._";

impl Engine {
    /// A question's rubric for the member behind `req`, privately, if they may open one in
    /// this context (the "Model answer" buttons of question cards and daily posts).
    pub fn private_rubric(
        &self,
        req: &Request,
        context: RubricContext,
        question: String,
    ) -> Handled {
        self.check_rubric(req, context)?;
        let catalog = self.catalog(req.guild_id)?;
        let q = catalog
            .get(&question)?
            .ok_or(Error::QuestionGone(question))?;
        Ok(Outcome::private(self.rubric_message(&catalog, &q)))
    }

    /// The rubric: the question quoted, then the bar ("Yes at this level: 3 of these 4" and
    /// the numbered look-fors), what a strong yes adds, red flags and follow-ups, each under a
    /// heading, in the card's description; `detail` and `facts` in a second card. Sections that
    /// would not fit one description (never for the shipped packs; a test checks) go on in
    /// another card.
    pub fn rubric_message(&self, catalog: &Catalog<'_>, q: &Question) -> Message {
        let quoted: String = q
            .prompt
            .lines()
            .map(|l| format!("> {l}"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut sections = vec![quoted];
        let n = q.look_fors.len();
        let bar = if q.pass >= n {
            format!("**Yes at this level: all {n} of these**")
        } else {
            format!("**Yes at this level: {} of these {n}**", q.pass)
        };
        let numbered: Vec<String> = q
            .look_fors
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{}. {l}", i + 1))
            .collect();
        sections.push(format!("{bar}\n{}\n{TICK_RULE}", numbered.join("\n")));
        for (heading, items) in [
            ("A strong yes adds", &q.bonus),
            ("Red flags", &q.red_flags),
            ("Follow-up probes", &q.follow_ups),
        ] {
            let body: Vec<String> = items
                .iter()
                .map(|i| format!("• {}", bold_lead(i)))
                .collect();
            sections.push(format!("**{heading}**\n{}", body.join("\n")));
        }
        // The longer explanation and the volatile facts: a second card, after what a busy
        // interviewer reads.
        let mut more = Vec::new();
        if let Some(detail) = &q.detail {
            more.push(format!("**More detail**\n{detail}"));
        }
        if !q.facts.is_empty() {
            let checked = q
                .facts_checked
                .as_deref()
                .map_or(String::new(), |d| format!(" (checked {d})"));
            let facts: Vec<String> = q.facts.iter().map(|f| format!("• {f}")).collect();
            more.push(format!(
                "**Facts{checked}: for reference, not the bar**\n{}",
                facts.join("\n")
            ));
        }
        let title = truncate(
            &format!(
                "Model answer · {} · {}",
                q.level.title(),
                catalog.topic_name(&q.topic)
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
        if !more.is_empty() {
            cards.push(Card {
                description: Some(truncate(&more.join("\n\n"), DESCRIPTION_MAX)),
                ..Card::default()
            });
        }
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
}

/// Puts a point's lead phrase in bold: the words before a colon near its start
/// ("Begins with the business: agrees ..." becomes "**Begins with the business:** agrees ...").
pub fn bold_lead(item: &str) -> String {
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

/// Why a rubric is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RubricRefusal {
    /// Rubrics are for interviewers only in this channel.
    Limited,
    /// `/answer public:true` where rubrics are for interviewers only.
    NotPublic,
}

impl Refusal for RubricRefusal {
    fn kind(&self) -> &'static str {
        match self {
            RubricRefusal::Limited => "rubric for interviewers only",
            RubricRefusal::NotPublic => "public rubric refused",
        }
    }

    fn user_message(&self) -> String {
        match self {
            RubricRefusal::Limited => "Model answers are for interviewers only here, so a candidate in the channel never sees one. A server admin can open them up with `/config rubric-access access:everyone` (add `channel:` for one channel only).".into(),
            RubricRefusal::NotPublic => "Model answers are for interviewers only here, so `/answer public:true` is refused: it would show the rubric to the candidate. Leave `public` off to see it privately; a server admin can change this with `/config rubric-access`.".into(),
        }
    }
}
