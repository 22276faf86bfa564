//! `/suggest`: members suggest interview questions, when the server allows it
//! (`/config suggestions`). `question` opens a form (prompt, level, topic, look-fors, a red
//! flag); the suggestion waits for interviewers, who approve it into one of the server's packs
//! or reject it with a reason (`/pack suggestions`, in the packs feature); `mine` shows the
//! member where each of theirs stands. A member has at most [`MAX_OPEN`] waiting.

use std::fmt;
use std::str::FromStr;

use crate::bank::{LOOK_FORS, Level, MAX_LOOK_FOR_CHARS, MAX_PROMPT_CHARS, MAX_SLUG_CHARS};
use crate::engine::access::member;
use crate::engine::action::{Action, ActionSpec, split};
use crate::engine::cards::BOT_COLOUR;
use crate::engine::field;
use crate::engine::{
    Access, Ack, Card, CommandSpec, Effect, Engine, Error, Feature, Handled, Message, Modal,
    Outcome, Refusal, Request, TextInput, Visibility,
};
use crate::model::SuggestionStatus;
use crate::store::NewSuggestion;
use crate::text::{escape, pings_or_masked_links, truncate};

/// The suggestions feature: `/suggest`.
pub static FEATURE: Feature = Feature {
    name: "suggestions",
    commands: &[SUGGEST],
    actions: ACTIONS,
    due: None,
};

/// Suggestions a member may have waiting at once.
pub const MAX_OPEN: usize = 3;
/// How many of their suggestions `/suggest mine` lists.
const LISTED: usize = 10;

const SUGGEST: CommandSpec = CommandSpec::group(
    "suggest",
    "Suggest an interview question for this server's packs, or see your suggestions",
    Access::Everyone,
    &[
        CommandSpec::leaf::<QuestionOptions>(
            "question",
            "Suggest a question for this server's packs (opens a form)",
        ),
        CommandSpec::leaf::<MineOptions>("mine", "Where your suggestions stand"),
    ],
);

crate::options! {
    /// `/suggest question`
    pub struct QuestionOptions {}
}
crate::run_with!(QuestionOptions => Engine::cmd_suggest_question);

crate::options! {
    /// `/suggest mine`
    pub struct MineOptions {}
}
crate::run_with!(MineOptions => Engine::cmd_suggest_mine);

/// The suggestion form's id: `sg:submit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuggestAction {
    Submit,
}

const SUBMIT: &str = "sg:submit";

impl fmt::Display for SuggestAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SuggestAction::Submit => f.write_str(SUBMIT),
        }
    }
}

impl FromStr for SuggestAction {
    type Err = Error;

    fn from_str(id: &str) -> Result<Self, Error> {
        match split(id) {
            (SUBMIT, "") => Ok(SuggestAction::Submit),
            _ => Err(Error::UnknownAction),
        }
    }
}

impl Action for SuggestAction {
    fn run(self, engine: &Engine, req: &Request) -> Handled {
        match self {
            SuggestAction::Submit => engine.action_suggest_submit(req),
        }
    }
}

static ACTIONS: &[ActionSpec] = &[ActionSpec::of::<SuggestAction>(
    SUBMIT,
    Ack::Reply(Visibility::Private),
    Access::Everyone,
)];

/// Why a suggestion is not taken.
#[derive(Debug)]
pub enum SuggestRefusal {
    NotAllowed,
    TooMany,
    /// The form's problems, each a sentence.
    Invalid(Vec<String>),
}

impl Refusal for SuggestRefusal {
    fn kind(&self) -> &'static str {
        match self {
            SuggestRefusal::NotAllowed => "suggestions not allowed",
            SuggestRefusal::TooMany => "too many open suggestions",
            SuggestRefusal::Invalid(_) => "invalid suggestion",
        }
    }

    fn user_message(&self) -> String {
        match self {
            SuggestRefusal::NotAllowed => "This server does not take question suggestions. A member with Manage Server can allow them with `/config suggestions allow:true`.".into(),
            SuggestRefusal::TooMany => format!(
                "You have {MAX_OPEN} suggestions waiting for review, the most at once. `/suggest mine` shows them; suggest again once one is decided."
            ),
            SuggestRefusal::Invalid(problems) => format!(
                "The suggestion was not saved:\n• {}\nRun `/suggest question` again (copy your text first: the form starts empty).",
                problems.join("\n• ")
            ),
        }
    }
}

/// A suggestion's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggested {
    pub prompt: String,
    pub level: Level,
    pub topic: String,
    pub look_fors: Vec<String>,
    pub red_flag: Option<String>,
}

/// A topic as typed ("Message queues") made a slug (`message-queues`).
fn topic_slug(typed: &str) -> String {
    typed
        .trim()
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Checks the form's fields: every problem at once.
pub fn check_suggestion(fields: &[(String, String)]) -> Result<Suggested, Vec<String>> {
    let get = |k: &str| field(fields, k).trim().to_string();
    let mut problems = Vec::new();
    let prompt = get("prompt");
    if prompt.is_empty() || prompt.chars().count() > MAX_PROMPT_CHARS {
        problems.push(format!(
            "The question must be 1 to {MAX_PROMPT_CHARS} characters."
        ));
    }
    let level = Level::parse(&get("level"));
    if level.is_none() {
        problems.push("The level must be junior, mid or senior.".into());
    }
    let topic = topic_slug(&get("topic"));
    if topic.is_empty() || topic.len() > MAX_SLUG_CHARS {
        problems.push(format!(
            "The topic must be a short name, such as `databases` (at most {MAX_SLUG_CHARS} characters)."
        ));
    }
    let look_fors: Vec<String> = get("look_fors")
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['•', '-', '*'])
                .trim()
                .to_string()
        })
        .filter(|l| !l.is_empty())
        .collect();
    if !LOOK_FORS.contains(&look_fors.len()) {
        problems.push(format!(
            "Give {} to {} look-fors, one a line (you gave {}).",
            LOOK_FORS.start(),
            LOOK_FORS.end(),
            look_fors.len()
        ));
    }
    if look_fors
        .iter()
        .any(|l| l.chars().count() > MAX_LOOK_FOR_CHARS)
    {
        problems.push(format!(
            "Each look-for is one idea of at most {MAX_LOOK_FOR_CHARS} characters."
        ));
    }
    let red_flag = Some(get("red_flag")).filter(|r| !r.is_empty());
    if red_flag
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_LOOK_FOR_CHARS)
    {
        problems.push(format!(
            "The red flag must be at most {MAX_LOOK_FOR_CHARS} characters."
        ));
    }
    let texts = std::iter::once(&prompt)
        .chain(&look_fors)
        .chain(red_flag.iter());
    for t in texts {
        if let Some(what) = pings_or_masked_links(t) {
            problems.push(format!("{what} is not allowed in a suggestion."));
            break;
        }
    }
    if t_has_controls(&prompt) || look_fors.iter().any(|l| t_has_controls(l)) {
        problems.push("The text holds control characters.".into());
    }
    match (problems.is_empty(), level) {
        (true, Some(level)) => Ok(Suggested {
            prompt,
            level,
            topic,
            look_fors,
            red_flag,
        }),
        _ => Err(problems),
    }
}

fn t_has_controls(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n')
}

impl Engine {
    pub(crate) fn cmd_suggest_question(&self, req: &Request, _opts: QuestionOptions) -> Handled {
        let m = member(req)?;
        let (allowed, open) = self.store().read(|db| {
            Ok::<_, Error>((
                db.suggestions_allowed(req.guild_id)?,
                db.open_suggestions_of(req.guild_id, m.user_id)?,
            ))
        })?;
        if !allowed {
            return Err(SuggestRefusal::NotAllowed.into());
        }
        if open >= MAX_OPEN {
            return Err(SuggestRefusal::TooMany.into());
        }
        let look_fors_max = (LOOK_FORS.end() * (MAX_LOOK_FOR_CHARS + 1)) as u16;
        Ok(Outcome::new(vec![Effect::OpenModal(Modal {
            action: SuggestAction::Submit.to_string(),
            title: "Suggest a question".into(),
            inputs: vec![
                TextInput::paragraph("prompt", "The question, as asked", MAX_PROMPT_CHARS as u16)
                    .required(true),
                TextInput::short("level", "Level: junior, mid or senior", 6),
                TextInput::short("topic", "Topic, e.g. databases", MAX_SLUG_CHARS as u16),
                TextInput::paragraph(
                    "look_fors",
                    "What a good answer covers (3-6, one a line)",
                    look_fors_max,
                )
                .required(true),
                TextInput::short(
                    "red_flag",
                    "A red flag (optional)",
                    MAX_LOOK_FOR_CHARS as u16,
                )
                .required(false),
            ],
        })]))
    }

    pub(crate) fn action_suggest_submit(&self, req: &Request) -> Handled {
        let m = member(req)?;
        let fields = req.submitted().ok_or(Error::UnknownAction)?;
        let s = check_suggestion(fields).map_err(SuggestRefusal::Invalid)?;
        let now = self.now_ms();
        let id = self.store().write(|db| {
            // Checked again: the setting or the count may have changed while the form was open.
            if !db.suggestions_allowed(req.guild_id)? {
                return Err(Error::from(SuggestRefusal::NotAllowed));
            }
            if db.open_suggestions_of(req.guild_id, m.user_id)? >= MAX_OPEN {
                return Err(SuggestRefusal::TooMany.into());
            }
            Ok(db.add_suggestion(&NewSuggestion {
                guild_id: req.guild_id,
                author_id: m.user_id,
                level: s.level,
                topic: &s.topic,
                prompt: &s.prompt,
                look_fors: &s.look_fors,
                red_flag: s.red_flag.as_deref(),
                at_ms: now,
            })?)
        })?;
        Ok(Outcome::private(Message::text(format!(
            "Thank you: suggestion #{id} waits for the interviewers' review. `/suggest mine` shows where it stands."
        ))))
    }

    pub(crate) fn cmd_suggest_mine(&self, req: &Request, _opts: MineOptions) -> Handled {
        let m = member(req)?;
        let mine = self
            .store()
            .read(|db| db.suggestions_of(req.guild_id, m.user_id, LISTED))?;
        if mine.is_empty() {
            return Ok(Outcome::private(Message::text(
                "You have not suggested a question here yet. `/suggest question` opens the form.",
            )));
        }
        let lines: Vec<String> = mine
            .iter()
            .map(|s| {
                let state = match s.status {
                    SuggestionStatus::Open => "waiting for review".to_string(),
                    SuggestionStatus::Approved => format!(
                        "**approved**: added to the pack `{}` as `{}`",
                        s.pack_id.as_ref().map_or("?", |p| p.as_str()),
                        s.question_id.as_deref().unwrap_or("?")
                    ),
                    SuggestionStatus::Rejected => format!(
                        "**not taken**: {}",
                        escape(s.reason.as_deref().unwrap_or("no reason given"))
                    ),
                };
                format!(
                    "**#{}** · {} · {} · {}\n{state}",
                    s.id,
                    s.level.title(),
                    escape(&s.topic),
                    escape(&truncate(&s.prompt, 80)),
                )
            })
            .collect();
        let card = Card {
            title: Some("Your suggestions".into()),
            description: Some(truncate(&lines.join("\n\n"), 4000)),
            colour: Some(BOT_COLOUR),
            ..Card::default()
        };
        Ok(Outcome::private(Message::default().card(card)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_form_is_checked_whole() {
        let ok = check_suggestion(&fields(&[
            ("prompt", "How would you shard a table?"),
            ("level", "Senior"),
            ("topic", "Data Stores"),
            (
                "look_fors",
                "• picks a key\n- spreads load\n\nplans resharding",
            ),
            ("red_flag", ""),
        ]))
        .unwrap();
        assert_eq!(ok.topic, "data-stores");
        assert_eq!(
            ok.look_fors,
            ["picks a key", "spreads load", "plans resharding"]
        );
        assert_eq!(ok.red_flag, None);
        let bad = check_suggestion(&fields(&[
            ("prompt", ""),
            ("level", "expert"),
            ("topic", "!!"),
            ("look_fors", "one\ntwo"),
            ("red_flag", "@everyone"),
        ]))
        .unwrap_err();
        assert_eq!(bad.len(), 5, "{bad:?}");
    }

    #[test]
    fn the_form_id_parses_back() {
        crate::engine::action::check_ids(&[SuggestAction::Submit], ACTIONS);
        assert!("sg:submit:1".parse::<SuggestAction>().is_err());
    }
}
