//! `/pack suggestions`: interviewers review members' suggestions (made with `/suggest`), the
//! oldest first. **Approve into…** picks one of the server's imported packs and opens a form
//! for what a question needs beyond the suggestion (its id, how many look-fors make a yes,
//! what a strong yes adds, follow-ups, red flags); the question is then checked with every
//! rule of an import, as part of its pack, and stored. **Reject…** asks for a reason, which
//! the member sees in `/suggest mine`.

use std::collections::HashMap;

use crate::bank::{Bank, MAX_LOOK_FOR_CHARS, MAX_SLUG_CHARS, PackId, Question};
use crate::bank::{check_upload, pack_to_toml};
use crate::engine::access::member;
use crate::engine::cards::level_colour;
use crate::engine::field;
use crate::engine::{
    ButtonStyle, Card, Engine, Error, Handled, Invocation, Message, Modal, Outcome, Refusal,
    Request, Select, SelectOption, TextInput,
};
use crate::model::SuggestionStatus;
use crate::store::{Decision, Suggestion, TeamPack, audit_action as action};
use crate::text::{escape, pings_or_masked_links, truncate};

use super::import::PackButton;
use super::stored_questions;

/// Longest rejection reason.
const MAX_REASON: usize = 300;

crate::options! {
    /// `/pack suggestions`
    pub struct SuggestionsOptions {}
}
crate::run_with!(SuggestionsOptions => Engine::cmd_pack_suggestions);

/// Why a decision was not taken.
#[derive(Debug)]
pub enum ReviewRefusal {
    /// Decided already, or not this server's.
    Gone,
    /// The reviewer's own suggestion.
    Own,
    /// The reviewer's form has problems, or the question breaks the pack's rules.
    Invalid(Vec<String>),
}

impl Refusal for ReviewRefusal {
    fn kind(&self) -> &'static str {
        match self {
            ReviewRefusal::Gone => "suggestion decided",
            ReviewRefusal::Own => "own suggestion",
            ReviewRefusal::Invalid(_) => "suggestion not approved",
        }
    }

    fn user_message(&self) -> String {
        match self {
            ReviewRefusal::Gone => {
                "That suggestion was decided already. `/pack suggestions` shows the next.".into()
            }
            ReviewRefusal::Own => {
                "That is your own suggestion: another interviewer decides it.".into()
            }
            ReviewRefusal::Invalid(problems) => format!(
                "The suggestion was not added, and still waits:\n• {}\nChoose the pack again to fill in the form once more.",
                problems
                    .iter()
                    .map(|p| crate::text::defuse_mentions(&truncate(p, 300)))
                    .collect::<Vec<_>>()
                    .join("\n• ")
            ),
        }
    }
}

/// The id a suggestion's question gets unless the reviewer changes it: its topic and number.
fn suggested_id(s: &Suggestion) -> String {
    truncate(&format!("{}-suggested-{}", s.topic, s.id), MAX_SLUG_CHARS)
        .trim_end_matches('…')
        .to_string()
}

/// The fewest look-fors a yes may need: more than half (the packs' pass rule).
fn least_pass(n: usize) -> usize {
    (n.div_ceil(2) + 1).min(n).max(1)
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['•', '-', '*'])
                .trim()
                .to_string()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

impl Engine {
    pub(crate) fn cmd_pack_suggestions(&self, req: &Request, _opts: SuggestionsOptions) -> Handled {
        let (open, waiting, packs) = self.store().read(|db| {
            let (open, waiting) = db.open_suggestions(req.guild_id, 1)?;
            Ok::<_, Error>((open, waiting, db.team_packs(req.guild_id)?))
        })?;
        let Some(s) = open.into_iter().next() else {
            return Ok(Outcome::private(Message::text(
                "No suggestion waits for review. Members suggest questions with `/suggest question` when the server allows it (`/config suggestions`).",
            )));
        };
        Ok(Outcome::private(
            self.review_message(req, &s, waiting, &packs)?,
        ))
    }

    /// The oldest waiting suggestion with its choices.
    fn review_message(
        &self,
        req: &Request,
        s: &Suggestion,
        waiting: usize,
        packs: &[TeamPack],
    ) -> Result<Message, Error> {
        let numbered: Vec<String> = s
            .look_fors
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{}. {}", i + 1, escape(l)))
            .collect();
        let mut description = format!(
            "{}\n\n**Look-fors**\n{}",
            escape(&s.prompt),
            numbered.join("\n")
        );
        if let Some(r) = &s.red_flag {
            description.push_str(&format!("\n\n**Red flag**\n{}", escape(r)));
        }
        description.push_str(&format!(
            "\n\nSuggested by <@{}> <t:{}:R>.",
            s.author_id,
            s.created_at / 1000
        ));
        let card = Card {
            title: Some(truncate(
                &format!("Suggestion #{} · {} · {}", s.id, s.level.title(), s.topic),
                256,
            )),
            description: Some(truncate(&description, 4000)),
            colour: Some(level_colour(s.level)),
            footer: Some(format!(
                "{waiting} waiting, oldest first. Approving adds it to one of this server's packs."
            )),
            ..Card::default()
        };
        let mut message = Message::default().card(card);
        if packs.is_empty() {
            message.content = Some(
                "This server has no pack of its own to add it to yet: import one with `/pack import` (`/pack template` has one to start from).".into(),
            );
        } else {
            let options = packs
                .iter()
                .take(25)
                .map(|p| SelectOption {
                    label: truncate(p.name.as_deref().unwrap_or(p.pack_id.as_str()), 100),
                    value: p.pack_id.to_string(),
                    description: Some(p.pack_id.to_string()),
                    default: false,
                })
                .collect();
            let approve = self.action_id(
                req.guild_id,
                PackButton::ApproveInto { suggestion: s.id }.to_string(),
            )?;
            message = message.select(Select {
                action: approve,
                placeholder: "Approve into a pack…".into(),
                options,
                min: 1,
                max: 1,
            });
        }
        let reject = self.action_id(
            req.guild_id,
            PackButton::Reject { suggestion: s.id }.to_string(),
        )?;
        Ok(message.button("Reject…", reject, ButtonStyle::Danger))
    }

    /// A suggestion still waiting in this server, that the reviewer did not make: a member
    /// never approves their own (it would add a question without a second pair of eyes, and
    /// without Manage Server).
    fn waiting_suggestion(&self, req: &Request, id: i64) -> Result<Suggestion, Error> {
        let s = self
            .store()
            .read(|db| db.suggestion(req.guild_id, id))?
            .filter(|s| s.status == SuggestionStatus::Open)
            .ok_or(ReviewRefusal::Gone)?;
        if s.author_id == member(req)?.user_id {
            return Err(ReviewRefusal::Own.into());
        }
        Ok(s)
    }

    /// A pack chosen for a suggestion: the form for the rest of the question.
    pub(crate) fn action_suggestion_pack(&self, req: &Request, suggestion: i64) -> Handled {
        let Invocation::Select { values, .. } = &req.invocation else {
            return Err(Error::UnknownAction);
        };
        let pack = values
            .first()
            .and_then(|v| PackId::parse(v))
            .ok_or(Error::UnknownAction)?;
        let s = self.waiting_suggestion(req, suggestion)?;
        let n = s.look_fors.len();
        Ok(Outcome::new(vec![crate::engine::Effect::OpenModal(
            Modal {
                action: PackButton::Approve {
                    suggestion,
                    pack: pack.clone(),
                }
                .to_string(),
                title: truncate(&format!("Add #{suggestion} to {pack}"), 45),
                inputs: vec![
                    TextInput::short(
                        "id",
                        "Question id (lowercase, digits, -)",
                        MAX_SLUG_CHARS as u16,
                    )
                    .value(Some(suggested_id(&s))),
                    TextInput::short(
                        "pass",
                        &format!("Look-fors that make a yes ({}-{n})", least_pass(n)),
                        1,
                    )
                    .value(Some(least_pass(n).to_string())),
                    TextInput::paragraph("bonus", "What a strong yes adds (one a line)", 1000)
                        .required(true),
                    TextInput::paragraph("follow_ups", "Follow-up questions (one a line)", 1000)
                        .required(true),
                    TextInput::paragraph("red_flags", "Red flags (one a line)", 500)
                        .required(true)
                        .value(s.red_flag.clone()),
                ],
            },
        )]))
    }

    /// The approval form, submitted: the question is added to the pack if the pack, with it,
    /// passes every rule of an import.
    pub(crate) fn action_suggestion_approve(
        &self,
        req: &Request,
        suggestion: i64,
        pack: PackId,
    ) -> Handled {
        let fields = req.submitted().ok_or(Error::UnknownAction)?;
        let get = |k: &str| field(fields, k).trim().to_string();
        let s = self.waiting_suggestion(req, suggestion)?;
        let by = member(req)?.user_id;
        let mut problems = Vec::new();
        let pass = get("pass").parse::<usize>().unwrap_or(0);
        let (bonus, follow_ups, red_flags) = (
            lines(&get("bonus")),
            lines(&get("follow_ups")),
            lines(&get("red_flags")),
        );
        for text in bonus.iter().chain(&follow_ups).chain(&red_flags) {
            if let Some(what) = pings_or_masked_links(text) {
                problems.push(format!("{what} is not allowed"));
                break;
            }
        }
        if !problems.is_empty() {
            return Err(ReviewRefusal::Invalid(problems).into());
        }
        let question = Question {
            id: get("id").to_lowercase(),
            level: s.level,
            topic: s.topic.clone(),
            tags: Vec::new(),
            prompt: s.prompt.clone(),
            look_fors: s.look_fors.clone(),
            pass,
            bonus,
            red_flags: red_flags
                .into_iter()
                .map(|r| truncate(&r, MAX_LOOK_FOR_CHARS))
                .collect(),
            follow_ups,
            detail: None,
            facts: Vec::new(),
            facts_checked: None,
            aliases: Vec::new(),
            legacy: false,
            pack: pack.clone(),
            source: crate::bank::IMPORTED_SOURCE.into(),
        };
        let now = self.now_ms();
        let added = self.store().write(|db| {
            let Some(team) = db
                .team_packs(req.guild_id)?
                .into_iter()
                .find(|p| p.pack_id == pack)
            else {
                return Err(Error::from(ReviewRefusal::Invalid(vec![format!(
                    "this server has no pack `{pack}` any more"
                )])));
            };
            let names: HashMap<String, String> =
                serde_json::from_str(&team.topic_names).unwrap_or_default();
            let mut questions = stored_questions(db, req.guild_id, &pack)?;
            questions.push(question.clone());
            let info = crate::bank::PackInfo {
                id: pack.clone(),
                name: team.name.clone(),
                description: team.description.clone(),
            };
            // The pack with the question added, written as a file and checked as an import
            // is: the loader's rules, then this server's.
            let text = pack_to_toml(&Bank::of_one_pack(info, questions, names), &pack)
                .ok_or_else(|| Error::Internal("pack vanished".into()))?;
            let checked = check_upload(&format!("{pack}.toml"), text.as_bytes()).map_err(|ps| {
                ReviewRefusal::Invalid(ps.iter().map(|p| p.message.clone()).collect())
            })?;
            let plan = self.plan_import(db, req.guild_id, checked)?.map_err(|ps| {
                ReviewRefusal::Invalid(ps.iter().map(|p| p.message.clone()).collect())
            })?;
            let rows = plan.rows();
            db.store_team_pack(
                req.guild_id,
                // The pack stays credited to whoever imported it; the audit trail has the
                // approval.
                &team,
                &rows,
                now,
            )?;
            let decided = db.decide_suggestion(
                req.guild_id,
                suggestion,
                &Decision::Approved {
                    pack: &pack,
                    question: &question.id,
                },
                by,
                now,
            )?;
            if !decided {
                return Err(ReviewRefusal::Gone.into());
            }
            db.audit(
                req.guild_id,
                by,
                action::SUGGESTION_APPROVED,
                &suggestion.to_string(),
                &format!("{pack}: {}", question.id),
                now,
            )?;
            Ok(question.id.clone())
        })?;
        Ok(Outcome::private(Message::text(format!(
            "Suggestion #{suggestion} is now the question `{added}` of the pack `{pack}`. <@{}> sees it in `/suggest mine`. `/pack suggestions` shows the next.",
            s.author_id
        ))))
    }

    /// "Reject…": the form for the reason.
    pub(crate) fn action_suggestion_reject(&self, req: &Request, suggestion: i64) -> Handled {
        self.waiting_suggestion(req, suggestion)?;
        Ok(Outcome::new(vec![crate::engine::Effect::OpenModal(
            Modal {
                action: PackButton::RejectWith { suggestion }.to_string(),
                title: truncate(&format!("Reject suggestion #{suggestion}"), 45),
                inputs: vec![
                    TextInput::paragraph("reason", "Why (the member sees this)", MAX_REASON as u16)
                        .required(true),
                ],
            },
        )]))
    }

    /// The reason, submitted.
    pub(crate) fn action_suggestion_reject_with(&self, req: &Request, suggestion: i64) -> Handled {
        let fields = req.submitted().ok_or(Error::UnknownAction)?;
        let reason = field(fields, "reason")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if reason.is_empty() || reason.chars().count() > MAX_REASON {
            return Err(ReviewRefusal::Invalid(vec![format!(
                "give a reason of 1 to {MAX_REASON} characters"
            )])
            .into());
        }
        let by = member(req)?.user_id;
        let now = self.now_ms();
        let author = self.store().write(|db| {
            let s = db
                .suggestion(req.guild_id, suggestion)?
                .ok_or(ReviewRefusal::Gone)?;
            if !db.decide_suggestion(
                req.guild_id,
                suggestion,
                &Decision::Rejected { reason: &reason },
                by,
                now,
            )? {
                return Err(ReviewRefusal::Gone.into());
            }
            db.audit(
                req.guild_id,
                by,
                action::SUGGESTION_REJECTED,
                &suggestion.to_string(),
                "",
                now,
            )?;
            Ok::<_, Error>(s.author_id)
        })?;
        Ok(Outcome::private(Message::text(format!(
            "Suggestion #{suggestion} is rejected; <@{author}> sees your reason in `/suggest mine`. `/pack suggestions` shows the next."
        ))))
    }
}
