//! Guided interviews: `/interview start` posts the questions one at a time on one message, with
//! rating buttons, "Notes" (a modal), "Model answer" (interviewers only) and "Skip". Every
//! interviewer's click records their own score; the message moves on (an update, not a new
//! post) once the interviewer who started the session rates or skips the question.
//! `/interview end` closes it with that interviewer's recommendation and scorecard (only the
//! interviewer who started it or a Manage Server member closes it; anyone else who runs it
//! records their own recommendation and sees their scorecard, and the session stays open); the
//! scheduler closes sessions left open for 24 hours ([`Engine::close_stale_sessions`]).
//!
//! Button ids: `s:rate:<session>:<question index>:<rating>`, `s:notes:<s>:<i>` (opens the
//! modal `s:note:<s>:<i>`), `s:answer:<s>:<i>`, `s:skip:<s>:<i>`. A rating or Skip that moves
//! the session on updates the message it was pressed on only when that is the session's own;
//! pressed on another message (a forged id on a public card) it answers privately and edits
//! the session's message instead.

use super::ScoreError;
use crate::bank::Level;
use crate::engine::Catalog;
use crate::engine::Handled;
use crate::engine::cards::{BOT_COLOUR, level_colour};
use crate::engine::catalog::Listed;
use crate::engine::field;
use crate::engine::{
    ButtonStyle, Card, Effect, Engine, Error, Member, Message, MessageRef, Modal, Outcome, Request,
    TextInput, Visibility,
};
use crate::features::scores::commands::{
    CandidateMessage, EndOptions, ScoresAction, SessionQuestion, ShowOptions, StartOptions,
};
use crate::features::scores::scoring::confirmation;
use crate::features::scores::{
    NOTES_MAX, Rating, SCALE, candidate_name, check_notes, member, rating_and_notes,
    recommendation_label, sees_everything,
};
use crate::model::SessionId;
use crate::store::{NewRecommendation, NewSession, ScoreKey, Session, SessionKind, SessionStatus};
use crate::text::{escape, truncate};

/// How long a session may stay open before the scheduler closes it.
pub const SESSION_MAX_MS: i64 = 24 * 60 * 60 * 1000;
pub const SESSION_ANSWER_LABEL: &str = "🔒 Rubric and evidence (interviewers only)";

impl Engine {
    pub(crate) fn cmd_interview_start(&self, req: &Request, opts: StartOptions) -> Handled {
        let (name, key) = candidate_name(&opts.candidate)?;
        let level: Level = opts.level;
        let count = usize::try_from(opts.questions.unwrap_or(5)).unwrap_or(5);
        let topic = opts.topic.map(|t| t.to_lowercase());
        let catalog = self.catalog(req.guild_id)?;
        let pool: Vec<Listed<'_>> = self.pool(&catalog, level, topic.as_deref())?;
        let session = self.write_as(req, |db, m, now| {
            if let Some(open) = db.open_session_in_channel(req.guild_id, req.channel_id)? {
                return Err(Error::from(ScoreError::SessionOpenHere {
                    message: open.message_id.map(|m| (open.guild_id, open.channel_id, m)),
                    candidate: open.candidate_name,
                    started_by: open.started_by,
                    started_at_ms: open.started_at,
                }));
            }
            // The guild's least shown questions first, random among equals.
            let counts = catalog.shown_by_current_id(db.show_counts(req.guild_id)?);
            let mut ranked: Vec<(u32, usize, Listed<'_>)> = pool
                .iter()
                .map(|q| {
                    (
                        counts.get(q.id).map_or(0, |c| c.times),
                        self.random_below(1 << 20),
                        *q,
                    )
                })
                .collect();
            ranked.sort_by_key(|(times, r, _)| (*times, *r));
            let questions: Vec<String> = ranked
                .iter()
                .take(count)
                .map(|(_, _, q)| q.id.to_string())
                .collect();
            let (candidate, _) =
                db.find_or_add_candidate(req.guild_id, &name, &key, m.user_id, now)?;
            let id = db.create_session(&NewSession {
                guild_id: req.guild_id,
                channel_id: req.channel_id,
                candidate_id: candidate.id,
                kind: SessionKind::Guided,
                started_by: m.user_id,
                level: Some(level),
                topic: topic.as_deref(),
                questions: &questions,
                at_ms: now,
            })?;
            db.session(req.guild_id, id)?
                .ok_or_else(|| Error::Internal("new session not found".into()))
        })?;
        let posted = self.session_message(&session)?;
        let note = format!(
            "Interview session started with {} questions below. Every interviewer rates with the buttons (only you see your confirmations); the question moves on when you rate or skip it. `/interview end` closes it.",
            session.questions.len()
        );
        let mut outcome = Outcome::default();
        outcome.push(Effect::reply(Visibility::Private, Message::text(note)));
        let post = outcome.push(Effect::Post {
            channel_id: req.channel_id,
            message: posted,
            nonce: None,
            reply_to: None,
        });
        outcome.commit(
            post,
            CandidateMessage {
                guild_id: req.guild_id,
                candidate_id: session.candidate_id,
                session_id: Some(session.id),
            },
        );
        Ok(outcome)
    }

    pub(crate) fn cmd_interview_end(&self, req: &Request, opts: EndOptions) -> Handled {
        let rec = opts.recommendation;
        let manager = sees_everything(req);
        let (session, mine, ends) = self.write_as(req, |db, m, now| {
            let session = db
                .open_session_in_channel(req.guild_id, req.channel_id)?
                .ok_or(ScoreError::NoSessionHere)?;
            // Only the starter or a manager closes it; anyone else still records their own
            // recommendation and sees their scorecard.
            let ends = session.started_by == m.user_id || manager;
            if ends {
                db.close_session(
                    req.guild_id,
                    session.id,
                    SessionStatus::Ended,
                    Some(m.user_id),
                    now,
                )?;
            }
            if let Some(r) = &rec {
                db.set_recommendation(&NewRecommendation {
                    guild_id: req.guild_id,
                    candidate_id: session.candidate_id,
                    interviewer_id: m.user_id,
                    interviewer_name: &m.name,
                    recommendation: *r,
                    session_id: Some(session.id),
                    at_ms: now,
                })?;
            }
            let mine: Vec<_> = db
                .candidate_scores(req.guild_id, session.candidate_id)?
                .into_iter()
                .filter(|s| s.session_id == session.id && s.interviewer_id == m.user_id)
                .collect();
            Ok::<_, Error>((session, mine, ends))
        })?;
        let mut lines: Vec<String> = mine
            .iter()
            .map(|s| {
                format!(
                    "• `{}`: {}",
                    s.question_id,
                    rating_and_notes(s, "not rated", 200)
                )
            })
            .collect();
        if lines.is_empty() {
            lines.push("You gave no scores in this session.".into());
        }
        let rec_line = match &rec {
            Some(r) => format!("Your recommendation: **{}**.", recommendation_label(r)),
            None => "No recommendation given: add one with /recommend.".into(),
        };
        let card = Card {
            title: Some("Your scorecard".into()),
            description: Some(truncate(
                &format!(
                    "Candidate: {}\n\n{}\n\n{rec_line}",
                    escape(&session.candidate_name),
                    lines.join("\n")
                ),
                4000,
            )),
            colour: Some(BOT_COLOUR),
            footer: Some(format!(
                "session {} · {}",
                session.id,
                if ends { "ended" } else { "still open" }
            )),
            ..Card::default()
        };
        let mut reply = Message::default().card(card);
        if !ends {
            reply.content = Some(format!(
                "Only <@{}>, who started this session, or a member with Manage Server ends it, so it stays open. {}",
                session.started_by,
                if rec.is_some() {
                    "Your recommendation is recorded; your scorecard is below."
                } else {
                    "Your scorecard is below; add your recommendation with `/interview end recommendation:` or /recommend."
                }
            ));
        }
        let mut effects = vec![Effect::reply(Visibility::Private, reply)];
        if let Some(message_id) = session.message_id.filter(|_| ends) {
            effects.push(Effect::Edit {
                target: MessageRef::Existing {
                    channel_id: session.channel_id,
                    message_id,
                },
                message: closed_message(
                    &session,
                    &format!("Ended by <@{}>.", member(req)?.user_id),
                ),
            });
        }
        Ok(Outcome::new(effects))
    }

    /// `/interview show`: the open session of this channel at its current question, with its
    /// buttons, to the asker only (its public message may have scrolled away; the console
    /// shows it at start). Its buttons work as the public message's do.
    pub(crate) fn cmd_interview_show(&self, req: &Request, _opts: ShowOptions) -> Handled {
        let session = self
            .store
            .read(|db| db.open_session_in_channel(req.guild_id, req.channel_id))?
            .ok_or(ScoreError::NoSessionHere)?;
        Ok(Outcome::private(self.session_message(&session)?))
    }

    /// "Skip": the starter moves the session on without rating.
    pub(crate) fn action_session_skip(&self, req: &Request, at: SessionQuestion) -> Handled {
        let SessionQuestion { session: id, index } = at;
        let (m, session) = self.open_session(req, id, index)?;
        if session.started_by != m.user_id {
            return Err(ScoreError::NotStarter {
                started_by: session.started_by,
            }
            .into());
        }
        let moved = self
            .store
            .write(|db| db.advance_session(req.guild_id, id, index, index + 1))?;
        if !moved {
            return Err(ScoreError::AlreadyMovedOn.into());
        }
        let reply = Effect::reply(
            Visibility::Private,
            Message::text(format!(
                "Skipped question {} (`{}`); the session's message has moved on.",
                index + 1,
                session.questions[index]
            )),
        );
        Ok(Outcome::new(answer_and_move_on(
            reply,
            self.moved_on(req, &session, index)?,
        )))
    }

    /// "Notes": a modal with the presser's notes on this question so far.
    pub(crate) fn action_session_notes(&self, req: &Request, at: SessionQuestion) -> Handled {
        let SessionQuestion { session: id, index } = at;
        let (m, session) = self.open_session(req, id, index)?;
        let catalog = self.catalog(req.guild_id)?;
        let existing = self
            .store
            .read(|db| db.score(&score_key(&catalog, req, m, &session, index)))?;
        Ok(Outcome::new(vec![Effect::OpenModal(Modal {
            action: ScoresAction::NoteSubmit(at).to_string(),
            title: truncate(&format!("Notes · question {}", index + 1), 45),
            inputs: vec![
                TextInput::paragraph(
                    "notes",
                    "Your notes (only interviewers see them)",
                    NOTES_MAX as u16,
                )
                .value(existing.map(|s| s.notes).filter(|n| !n.is_empty()))
                .placeholder("What the candidate covered, missed, or said about trade-offs"),
            ],
        })]))
    }

    /// The Notes modal, submitted.
    pub(crate) fn action_session_note_submit(&self, req: &Request, at: SessionQuestion) -> Handled {
        let fields = req.submitted().ok_or(Error::UnknownAction)?;
        let notes = field(fields, "notes").trim().to_string();
        check_notes(&notes)?;
        self.session_score(req, at, None, Some(notes))
    }

    /// "Model answer" inside a session: interviewers only (the action's access rule), always.
    /// While the session is open it is the presser's evidence panel for the question: the
    /// rubric with the "Covered" and "Red flags heard" lists and the rating buttons.
    pub(crate) fn action_session_answer(&self, req: &Request, at: SessionQuestion) -> Handled {
        let SessionQuestion { session: id, index } = at;
        let session = self
            .store
            .read(|db| db.session(req.guild_id, id))?
            .ok_or(Error::UnknownAction)?;
        let qid = session.questions.get(index).ok_or(Error::UnknownAction)?;
        let catalog = self.catalog(req.guild_id)?;
        let q = catalog
            .get(qid)?
            .ok_or_else(|| Error::QuestionGone(qid.clone()))?;
        let scale = format!(
            "Scale: {}",
            SCALE
                .iter()
                .map(|(v, n, a)| format!("{v} {n} ({a})"))
                .collect::<Vec<_>>()
                .join(" · ")
        );
        if session.status == SessionStatus::Open && index <= session.position {
            let note = format!(
                "{scale}\nTick what you hear in the lists below (only you see your ticks); the bot suggests a rating from them."
            );
            return Ok(Outcome::private(self.panel_for(req, &session, qid, &note)?));
        }
        let mut message = self.rubric_message(&catalog, &q);
        message.content = Some(scale);
        Ok(Outcome::private(message))
    }

    /// Records a rating and/or notes of the presser for question `index` of a session.
    pub(crate) fn session_score(
        &self,
        req: &Request,
        at: SessionQuestion,
        rating: Option<Rating>,
        notes: Option<String>,
    ) -> Handled {
        let SessionQuestion { session: id, index } = at;
        let (m, session) = self.open_session(req, id, index)?;
        let question = &session.questions[index];
        let catalog = self.catalog(req.guild_id)?;
        let now = self.clock.now_ms();
        let advances =
            rating.is_some() && m.user_id == session.started_by && session.position == index;
        let (previous, moved) = self.store.write(|db| {
            // Closed since it was read (an end or the scheduler in between): refuse.
            if db
                .session(req.guild_id, id)?
                .is_none_or(|s| s.status != SessionStatus::Open)
            {
                return Err(Error::from(ScoreError::SessionClosed));
            }
            let previous = db.put_score(
                &score_key(&catalog, req, m, &session, index),
                rating.map(Rating::get),
                notes.as_deref(),
                now,
            )?;
            let moved = advances && db.advance_session(req.guild_id, id, index, index + 1)?;
            Ok::<_, Error>((previous, moved))
        })?;
        let text = match rating {
            Some(r) => confirmation(
                &session.candidate_name,
                question,
                r,
                notes.is_some(),
                previous.as_ref(),
            ),
            None => {
                let rated = previous.as_ref().and_then(|p| p.rating).is_some();
                format!(
                    "Notes saved for question {} (`{question}`){}. Only interviewers see them.",
                    index + 1,
                    if rated {
                        ""
                    } else {
                        "; rate it with the buttons too"
                    }
                )
            }
        };
        let mut reply = Message::text(text);
        if let Some(r) = rating
            && let Some((line, button)) =
                self.evidence_after_rating(req, &score_key(&catalog, req, m, &session, index), r)?
        {
            reply.content = Some(format!("{}\n{line}", reply.content.unwrap_or_default()));
            reply.buttons.extend(button);
        }
        let reply = Effect::reply(Visibility::Private, reply);
        let moved = if moved {
            self.moved_on(req, &session, index)?
        } else {
            None
        };
        Ok(Outcome::new(answer_and_move_on(reply, moved)))
    }

    /// The presser of a session's button, and its session, open and with question `index`
    /// already asked.
    fn open_session<'r>(
        &self,
        req: &'r Request,
        id: SessionId,
        index: usize,
    ) -> Result<(&'r Member, Session), Error> {
        let m = member(req)?;
        let session = self
            .store
            .read(|db| db.session(req.guild_id, id))?
            .ok_or(Error::UnknownAction)?;
        if session.kind != SessionKind::Guided
            || index >= session.questions.len()
            || index > session.position
        {
            return Err(Error::UnknownAction);
        }
        if session.status != SessionStatus::Open {
            return Err(ScoreError::SessionClosed.into());
        }
        Ok((m, session))
    }

    /// The session's message moved on past question `index`: an update of the message the
    /// button was pressed on when that is the session's own; pressed on any other message (a
    /// forged id on a public card), an edit of the session's message, if it is known, and the
    /// pressed message is left alone.
    pub(super) fn moved_on(
        &self,
        req: &Request,
        session: &Session,
        index: usize,
    ) -> Result<Option<Effect>, Error> {
        let mut next = session.clone();
        next.position = index + 1;
        let message = self.session_message(&next)?;
        if pressed_on_its_session(req, session.id) {
            return Ok(Some(Effect::Update(message)));
        }
        Ok(session.message_id.map(|message_id| Effect::Edit {
            target: MessageRef::Existing {
                channel_id: session.channel_id,
                message_id,
            },
            message,
        }))
    }

    /// The session's public message at its current question, or its last page.
    fn session_message(&self, s: &Session) -> Result<Message, Error> {
        let total = s.questions.len();
        let candidate = escape(&s.candidate_name);
        let Some(qid) = s.questions.get(s.position) else {
            let card = Card {
                title: Some("Interview · all questions asked".into()),
                description: Some(format!(
                    "Candidate: {candidate}\n\nAll {total} questions have been asked. Each interviewer: `/interview end` with your recommendation closes the session and shows your scorecard; `/score` still changes a rating."
                )),
                colour: Some(BOT_COLOUR),
                footer: Some(format!("session {}", s.id)),
                ..Card::default()
            };
            return Ok(Message::default().card(card));
        };
        let (prompt, colour, level) = match self.catalog(s.guild_id)?.get(qid)? {
            Some(q) => (
                q.prompt.clone(),
                level_colour(q.level),
                q.level.title().to_string(),
            ),
            None => (
                "(This question was removed from the bank.)".to_string(),
                BOT_COLOUR,
                String::new(),
            ),
        };
        let card = Card {
            title: Some(truncate(
                &format!(
                    "Interview · question {} of {total} · {level}",
                    s.position + 1
                ),
                256,
            )),
            description: Some(format!("Candidate: {candidate}\n\n{prompt}")),
            colour: Some(colour),
            footer: Some(format!("{qid} · session {}", s.id)),
            ..Card::default()
        };
        let at = SessionQuestion {
            session: s.id,
            index: s.position,
        };
        let mut message = Message::default().card(card);
        let buttons = Rating::ALL
            .map(|rating| {
                let style = match rating.get() {
                    1 => ButtonStyle::Danger,
                    2 => ButtonStyle::Secondary,
                    3 => ButtonStyle::Primary,
                    _ => ButtonStyle::Success,
                };
                let action = ScoresAction::Rate { at, rating };
                (rating.label(), action, style)
            })
            .into_iter()
            .chain(
                [
                    ("Notes", ScoresAction::Notes(at)),
                    (SESSION_ANSWER_LABEL, ScoresAction::Answer(at)),
                    ("Skip", ScoresAction::Skip(at)),
                ]
                .map(|(label, action)| (label.to_string(), action, ButtonStyle::Secondary)),
            );
        for (label, action, style) in buttons {
            message = message.button(
                &label,
                self.action_id(s.guild_id, action.to_string())?,
                style,
            );
        }
        Ok(message)
    }

    /// Closes every session open for 24 hours or more, in every guild: the scheduler's work
    /// (the bot's own, `Origin::Bot`), called with the current time. Returns, per guided
    /// session that has a message, the edit that says it was closed, for the front end to
    /// deliver.
    pub fn close_stale_sessions(&self, now_ms: i64) -> Result<Vec<Outcome>, Error> {
        let closed = self.store.write(|db| {
            let mut closed = Vec::new();
            for s in db.stale_sessions(now_ms - SESSION_MAX_MS)? {
                if db.close_session(s.guild_id, s.id, SessionStatus::Expired, None, now_ms)? {
                    closed.push(s);
                }
            }
            Ok::<_, Error>(closed)
        })?;
        let mut outcomes = Vec::new();
        for s in closed {
            tracing::info!(
                guild = %s.guild_id,
                session = s.id.get(),
                "closed an interview session left open for 24 hours"
            );
            if let (SessionKind::Guided, Some(message_id)) = (s.kind, s.message_id) {
                outcomes.push(Outcome::new(vec![Effect::Edit {
                    target: MessageRef::Existing {
                        channel_id: s.channel_id,
                        message_id,
                    },
                    message: closed_message(&s, "Closed automatically: it was left open for 24 hours. Scores given so far are kept; /score and /recommend still work."),
                }]));
            }
        }
        Ok(outcomes)
    }
}

/// Whether a session button was pressed on that session's own message: one whose buttons are
/// all buttons of the session (see [`Request::pressed_on_its_own`]).
fn pressed_on_its_session(req: &Request, id: SessionId) -> bool {
    req.pressed_on_its_own(|b| {
        matches!(
            b.parse::<ScoresAction>(),
            Ok(ScoresAction::Rate { at, .. }
                | ScoresAction::Notes(at)
                | ScoresAction::Answer(at)
                | ScoresAction::Skip(at)) if at.session == id
        )
    })
}

/// The effects of a session button: the update of its own message first (that answers the
/// press), then the private reply; or the private reply, then the edit of the session's
/// message elsewhere.
fn answer_and_move_on(reply: Effect, moved: Option<Effect>) -> Vec<Effect> {
    match moved {
        Some(update @ Effect::Update(_)) => vec![update, reply],
        other => std::iter::once(reply).chain(other).collect(),
    }
}

/// Where the presser's score on question `index` of a session is kept: under the question's
/// id now, also for a session planned before the question was renamed (its old id is an
/// alias), so the rating and the evidence of one answer are one score.
fn score_key<'a>(
    catalog: &'a Catalog<'_>,
    req: &Request,
    m: &'a Member,
    s: &'a Session,
    index: usize,
) -> ScoreKey<'a> {
    let planned = &s.questions[index];
    ScoreKey {
        guild_id: req.guild_id,
        candidate_id: s.candidate_id,
        session_id: s.id,
        question_id: catalog.current_id(planned),
        interviewer_id: m.user_id,
        interviewer_name: &m.name,
    }
}

/// The session's message once it is closed: no buttons left.
fn closed_message(s: &Session, why: &str) -> Message {
    // The question the session is on was shown, whether or not it was rated.
    let asked = (s.position + 1).min(s.questions.len());
    Message::default().card(Card {
        title: Some("Interview · session closed".into()),
        description: Some(format!(
            "Candidate: {}\n\n{why} {asked} of {} questions asked.",
            escape(&s.candidate_name),
            s.questions.len()
        )),
        colour: Some(BOT_COLOUR),
        footer: Some(format!("session {}", s.id)),
        ..Card::default()
    })
}
