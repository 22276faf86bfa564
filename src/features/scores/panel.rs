//! The evidence panel: a private message with a question's rubric, a "Covered" list (its
//! look-fors, then its bonus points), a "Red flags heard" list, the rating the ticks suggest
//! and the rating buttons. A session's "Model answer" button opens it; `/score`'s confirmation
//! is one. Ticking updates the panel (and the interviewer's stored evidence); a rating button
//! records the rating with the evidence ticked; a 1 or a 4 that disagrees with the evidence
//! offers "Give a reason" (a one-line modal).
//!
//! The lists are never put on the session's public message: a candidate in the channel could
//! open them and read the rubric. Each interviewer ticks in their own panel, so several can
//! tick the same question at once, each seeing only their own ticks.
//!
//! Ids: `ev:cov:<interview>:<rubric version>` and `ev:red:<…>` (the lists),
//! `ev:rate:<…>:<rating>`, `ev:why:<…>` (opens the modal `ev:reason:<…>`). The rubric version
//! in the id is the one the lists were shown with: if the pack changed since, what was chosen
//! is carried to the current version where the words are the same, and the rest is named as
//! dropped. An id naming another server's interview or version, or an interview the presser
//! has no part in, is refused like any forged button.

use super::ScoreError;
use super::commands::{EvidenceAt, ScoresAction};
use super::evidence::{MAX_OPTIONS, difference, needs_reason, remap, rubric_text, suggest};
use super::{Rating, member};
use crate::engine::field;
use crate::engine::{
    Button, ButtonStyle, Effect, Engine, Error, Handled, Invocation, Member, Message, Modal,
    Outcome, Request, Select, SelectOption, TextInput, Visibility,
};
use crate::model::Ticks;
use crate::store::{
    Db, Evidence, RubricText, RubricVersion, ScoreKey, Session, SessionKind, SessionStatus,
};
use crate::text::{escape, truncate};

/// The longest reason for an override, in characters.
pub const REASON_MAX: usize = 200;

/// Which list of the panel was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// Look-fors (`l1`…) and bonus points (`b1`…).
    Covered,
    /// Red flags (`r1`…).
    Flags,
}

/// Where a panel's evidence goes, checked: the interview, the question, and the rubric
/// version the panel was shown with.
struct Target {
    session: Session,
    shown: RubricVersion,
}

impl Target {
    fn key<'a>(&'a self, req: &Request, m: &'a Member) -> ScoreKey<'a> {
        ScoreKey {
            guild_id: req.guild_id,
            candidate_id: self.session.candidate_id,
            session_id: self.session.id,
            question_id: &self.shown.text.question_id,
            interviewer_id: m.user_id,
            interviewer_name: &m.name,
        }
    }

    /// The question's place in a guided session, if it is one of the session's own questions
    /// already asked.
    fn index(&self) -> Option<usize> {
        let s = &self.session;
        (s.kind == SessionKind::Guided)
            .then(|| {
                s.questions
                    .iter()
                    .take(s.position + 1)
                    .position(|q| *q == self.shown.text.question_id)
            })
            .flatten()
    }
}

/// Whether an evidence action may act on a closed interview: ticking and rating may not (a
/// closed scorecard is closed), but a reason the bot asked for may still be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WhenClosed {
    Refuse,
    AllowOwnScore,
}

/// The interview and rubric version `at` names, if the presser may give evidence there: the
/// interview is open (or, for a reason, the presser's own score exists), and the question is
/// one a guided session has asked, or the presser has scored it in that interview already
/// (`/score`). Anything else is a forged id.
fn target(
    engine: &Engine,
    db: &Db<'_>,
    req: &Request,
    m: &Member,
    at: EvidenceAt,
    closed: WhenClosed,
) -> Result<Target, Error> {
    let session = db
        .session(req.guild_id, at.session)?
        .ok_or(Error::UnknownAction)?;
    let shown = db
        .rubric(req.guild_id, at.rubric)?
        .ok_or(Error::UnknownAction)?;
    let mut t = Target { session, shown };
    // A session planned before a question was renamed names it by its old id (an alias).
    let catalog = engine.catalog_in(db, req.guild_id)?;
    for q in &mut t.session.questions {
        let now = catalog.current_id(q);
        if now != q {
            *q = now.to_string();
        }
    }
    let scored = db.score(&t.key(req, m))?.is_some();
    if t.index().is_none() && !scored {
        return Err(Error::UnknownAction);
    }
    let reason_after_close = closed == WhenClosed::AllowOwnScore && scored;
    if t.session.status != SessionStatus::Open && !reason_after_close {
        return Err(ScoreError::SessionClosed.into());
    }
    Ok(t)
}

/// The presser's stored evidence and the version it was given on, if any.
fn stored_evidence(
    db: &Db<'_>,
    req: &Request,
    key: &ScoreKey<'_>,
) -> Result<Option<(RubricVersion, Evidence)>, Error> {
    let Some(score) = db.score(key)? else {
        return Ok(None);
    };
    let Some(e) = db.evidence(req.guild_id, score.id)? else {
        return Ok(None);
    };
    let version = db.rubric(req.guild_id, e.rubric)?.ok_or_else(|| {
        Error::Internal("evidence names a rubric version that is not stored".into())
    })?;
    Ok(Some((version, e)))
}

/// Whether a list or rating of an evidence panel was used on that panel itself (one whose
/// components are all evidence ids of the same interview) rather than pressed, forged, on
/// another message such as a session's public one: only then may the answer rewrite it.
fn on_its_panel(req: &Request, session: crate::model::SessionId) -> bool {
    req.pressed_on_its_own(|id| {
        matches!(
            id.parse::<ScoresAction>(),
            Ok(ScoresAction::Covered(at)
                | ScoresAction::Flags(at)
                | ScoresAction::RateWith { at, .. }
                | ScoresAction::Why(at)) if at.session == session
        )
    })
}

/// The panel as the answer: an update of the panel it came from, or, used on any other
/// message, a private reply that leaves that message alone.
fn answer_with(req: &Request, session: crate::model::SessionId, panel: Message) -> Effect {
    if on_its_panel(req, session) {
        Effect::Update(panel)
    } else {
        Effect::reply(Visibility::Private, panel)
    }
}

/// The current version of a question's rubric (added if new): from the bank, or the version
/// shown when the question has left the bank.
fn current(
    engine: &Engine,
    db: &Db<'_>,
    req: &Request,
    shown: &RubricVersion,
    now: i64,
) -> Result<RubricVersion, Error> {
    let catalog = engine.catalog_in(db, req.guild_id)?;
    let Some(q) = catalog.get_in(db, &shown.text.question_id)? else {
        return Ok(shown.clone());
    };
    let text = rubric_text(&q);
    if text == shown.text {
        return Ok(shown.clone());
    }
    let id = db.rubric_version(req.guild_id, &text, now)?;
    Ok(RubricVersion { id, text })
}

/// No ticks on version `to`: what that suggests is a 1 (under half the look-fors).
fn empty(to: &RubricVersion) -> Evidence {
    Evidence {
        rubric: to.id,
        covered: Ticks(0),
        bonus: Ticks(0),
        red_flags: Ticks(0),
        suggested: suggest(&to.text, Ticks(0), Ticks(0), Ticks(0)).get(),
        reason: String::new(),
    }
}

/// The ticks `values` name in `list` of version `text` (`l2` is look-for 2), and how many
/// values name nothing there (not something Discord sends for a list the bot made).
fn read_values(values: &[String], list: List, text: &RubricText) -> (Ticks, Ticks, usize) {
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut unknown = 0;
    for v in values {
        // `l2` is item 2 of the look-fors: a letter, then a number from 1 without leading zeros.
        let item = |letter: char, len: usize| {
            v.strip_prefix(letter)
                .filter(|n| !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|n| (1..=len).contains(n))
                .map(|n| n - 1)
        };
        let ok = match list {
            List::Covered => {
                if let Some(i) = item('l', shown_look_fors(text)) {
                    a.push(i);
                    true
                } else if let Some(i) = item('b', shown_bonus(text)) {
                    b.push(i);
                    true
                } else {
                    false
                }
            }
            List::Flags => match item('r', text.red_flags.len().min(MAX_OPTIONS)) {
                Some(i) => {
                    a.push(i);
                    true
                }
                None => false,
            },
        };
        if !ok {
            unknown += 1;
        }
    }
    (Ticks::of(a), Ticks::of(b), unknown)
}

/// How many look-fors, and bonus points, the "Covered" list shows (25 options at most,
/// look-fors first).
fn shown_look_fors(text: &RubricText) -> usize {
    text.look_fors.len().min(MAX_OPTIONS)
}

fn shown_bonus(text: &RubricText) -> usize {
    text.bonus.len().min(MAX_OPTIONS - shown_look_fors(text))
}

impl Engine {
    /// A list of the panel was used: the presser's ticks for that list become exactly what
    /// was chosen, on the question's current rubric version; the panel shows the new
    /// suggestion.
    pub(crate) fn action_evidence_list(
        &self,
        req: &Request,
        at: EvidenceAt,
        list: List,
    ) -> Handled {
        let m = member(req)?;
        let Invocation::Select { values, .. } = &req.invocation else {
            return Err(Error::UnknownAction);
        };
        let now = self.clock.now_ms();
        let (t, version, evidence, rating, dropped) = self.store.write(|db| {
            let t = target(self, db, req, m, at, WhenClosed::Refuse)?;
            let version = current(self, db, req, &t.shown, now)?;
            let key = t.key(req, m);
            let score_id = db.score_id_for(&key, now)?;
            // Ticks given on another version move to the current one by their words; those
            // whose words are gone are named in the answer.
            let mut dropped = Vec::new();
            let mut carry =
                |ticks: Ticks, from: &RubricVersion, items: fn(&RubricText) -> &[String]| {
                    if from.id == version.id {
                        return ticks;
                    }
                    let (ticks, gone) = remap(ticks, items(&from.text), items(&version.text));
                    dropped.extend(gone);
                    ticks
                };
            let look_fors: fn(&RubricText) -> &[String] = |t| &t.look_fors;
            let bonus: fn(&RubricText) -> &[String] = |t| &t.bonus;
            let red_flags: fn(&RubricText) -> &[String] = |t| &t.red_flags;
            // This choice replaces its own list; the other list keeps what is stored.
            let mut e = empty(&version);
            if let Some((from, stored)) = stored_evidence(db, req, &key)? {
                e.reason = stored.reason;
                match list {
                    List::Covered => e.red_flags = carry(stored.red_flags, &from, red_flags),
                    List::Flags => {
                        e.covered = carry(stored.covered, &from, look_fors);
                        e.bonus = carry(stored.bonus, &from, bonus);
                    }
                }
            }
            let (first, second, unknown) = read_values(values, list, &t.shown.text);
            match list {
                List::Covered => {
                    e.covered = carry(first, &t.shown, look_fors);
                    e.bonus = carry(second, &t.shown, bonus);
                }
                List::Flags => e.red_flags = carry(first, &t.shown, red_flags),
            }
            e.suggested = suggest(&version.text, e.covered, e.bonus, e.red_flags).get();
            db.put_evidence(&key, score_id, &e, now)?;
            let rating = db.score(&key)?.and_then(|s| s.rating);
            let dropped = Dropped {
                items: dropped,
                unknown,
            };
            Ok::<_, Error>((t, version, e, rating, dropped))
        })?;
        let mut note = dropped.describe();
        if note.is_empty() {
            note = "Saved.".into();
        }
        let message = self.panel(req, &t.session, &version, Some(&evidence), rating, &note)?;
        Ok(Outcome::new(vec![answer_with(req, t.session.id, message)]))
    }

    /// A rating button of the panel: records the rating (with the evidence ticked), updates
    /// the panel, and moves a guided session on as its own rating buttons do.
    pub(crate) fn action_evidence_rate(
        &self,
        req: &Request,
        at: EvidenceAt,
        rating: Rating,
    ) -> Handled {
        let m = member(req)?;
        let now = self.clock.now_ms();
        let (t, version, evidence, previous, moved) = self.store.write(|db| {
            let t = target(self, db, req, m, at, WhenClosed::Refuse)?;
            let key = t.key(req, m);
            let previous = db.put_score(&key, Some(rating.get()), None, now)?;
            // The rating goes with the evidence as stored, on the version it was given on:
            // the panel shows the suggestion the lookups will count.
            let (version, evidence) = match stored_evidence(db, req, &key)? {
                Some((v, e)) => (v, Some(e)),
                None => (current(self, db, req, &t.shown, now)?, None),
            };
            let moved = match t.index() {
                Some(i) if t.session.started_by == m.user_id && t.session.position == i => db
                    .advance_session(req.guild_id, t.session.id, i, i + 1)?
                    .then_some(i),
                _ => None,
            };
            Ok::<_, Error>((t, version, evidence, previous, moved))
        })?;
        let text = super::scoring::confirmation(
            &t.session.candidate_name,
            &version.text.question_id,
            rating,
            false,
            previous.as_ref(),
        );
        let message = self.panel(
            req,
            &t.session,
            &version,
            evidence.as_ref(),
            Some(rating.get()),
            &text,
        )?;
        let mut outcome = Outcome::new(vec![answer_with(req, t.session.id, message)]);
        if let Some(index) = moved
            && let Some(edit) = self.moved_on(req, &t.session, index)?
        {
            outcome.push(edit);
        }
        Ok(outcome)
    }

    /// "Give a reason": the one-line modal, filled with the reason given so far.
    pub(crate) fn action_evidence_why(&self, req: &Request, at: EvidenceAt) -> Handled {
        let m = member(req)?;
        let reason = self.store.read(|db| {
            let t = target(self, db, req, m, at, WhenClosed::AllowOwnScore)?;
            let Some(score) = db.score(&t.key(req, m))? else {
                return Ok::<_, Error>(None);
            };
            Ok(db.evidence(req.guild_id, score.id)?.map(|e| e.reason))
        })?;
        Ok(Outcome::new(vec![Effect::OpenModal(Modal {
            action: self.action_id(req.guild_id, ScoresAction::ReasonSubmit(at).to_string())?,
            title: "Why this rating?".into(),
            inputs: vec![
                TextInput::short(
                    "reason",
                    "Why it differs from the evidence",
                    REASON_MAX as u16,
                )
                .value(reason.filter(|r| !r.is_empty()))
                .placeholder("One line for the debrief: what the ticks missed"),
            ],
        })]))
    }

    /// The reason modal, submitted.
    pub(crate) fn action_evidence_reason(&self, req: &Request, at: EvidenceAt) -> Handled {
        let m = member(req)?;
        let fields = req.submitted().ok_or(Error::UnknownAction)?;
        let reason = field(fields, "reason")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let len = reason.chars().count();
        if len > REASON_MAX {
            return Err(ScoreError::ReasonTooLong { len }.into());
        }
        let now = self.clock.now_ms();
        let saved = self.store.write(|db| {
            let t = target(self, db, req, m, at, WhenClosed::AllowOwnScore)?;
            let Some(score) = db.score(&t.key(req, m))? else {
                return Ok::<_, Error>(false);
            };
            Ok(db.set_evidence_reason(req.guild_id, score.id, &reason, now)?)
        })?;
        let text = if !saved {
            "There is no evidence on this score yet, so there is nothing to give a reason for: tick what you heard first.".to_string()
        } else if reason.is_empty() {
            "Reason cleared.".to_string()
        } else {
            format!(
                "Reason saved: {}. Only interviewers see it.",
                escape(&reason)
            )
        };
        Ok(Outcome::reply(Visibility::Private, Message::text(text)))
    }

    /// The panel for the presser's score of the question `qid` in `session` (the session's
    /// "Model answer", `/score`'s confirmation), with `note` first.
    pub(crate) fn panel_for(
        &self,
        req: &Request,
        session: &Session,
        qid: &str,
        note: &str,
    ) -> Result<Message, Error> {
        let m = member(req)?;
        let catalog = self.catalog(req.guild_id)?;
        let q = catalog
            .get(qid)?
            .ok_or_else(|| Error::QuestionGone(qid.to_string()))?;
        let now = self.clock.now_ms();
        let (version, evidence, rating, changed) = self.store.write(|db| {
            let key = ScoreKey {
                guild_id: req.guild_id,
                candidate_id: session.candidate_id,
                session_id: session.id,
                // The question's id now, also when `qid` is an id it had before a rename.
                question_id: &q.id,
                interviewer_id: m.user_id,
                interviewer_name: &m.name,
            };
            let rating = db.score(&key)?.and_then(|s| s.rating);
            let text = rubric_text(&q);
            // Evidence already given is shown on the wording it was given on, as stored and
            // as the lookups count it; ticking again records on the current wording.
            if let Some((version, e)) = stored_evidence(db, req, &key)? {
                let changed = version.text != text;
                return Ok::<_, Error>((version, Some(e), rating, changed));
            }
            let id = db.rubric_version(req.guild_id, &text, now)?;
            Ok((RubricVersion { id, text }, None, rating, false))
        })?;
        let note = if changed {
            format!(
                "{note}\nThis question's rubric has changed since you ticked: your ticks are shown on the wording you ticked. Choosing again records on the current wording, keeping the choices whose words are unchanged."
            )
        } else {
            note.to_string()
        };
        self.panel(req, session, &version, evidence.as_ref(), rating, &note)
    }

    /// The panel message: `note`, the evidence line, the rubric, the two lists with the
    /// presser's ticks chosen, and the rating buttons (the suggested one marked).
    fn panel(
        &self,
        req: &Request,
        session: &Session,
        version: &RubricVersion,
        evidence: Option<&Evidence>,
        rating: Option<u8>,
        note: &str,
    ) -> Result<Message, Error> {
        let none = empty(version);
        let e = evidence.unwrap_or(&none);
        let suggested = evidence.map(|e| e.suggested);
        let at = EvidenceAt {
            session: session.id,
            rubric: version.id,
        };
        let text = &version.text;
        // A guided session's question comes with its rubric (the "Model answer" button); a
        // `/score` confirmation stays short: the lists name the look-fors.
        let catalog = self.catalog(req.guild_id)?;
        let planned = session.kind == SessionKind::Guided
            && session
                .questions
                .iter()
                .any(|p| catalog.current_id(p) == text.question_id);
        let mut message = match catalog.get(&text.question_id)? {
            Some(q) if planned && rubric_text(&q) == *text => self.rubric_message(&catalog, &q),
            _ => Message::default(),
        };
        message.content = Some(truncate(
            &format!("{note}\n{}", evidence_line(text, evidence, rating)),
            2000,
        ));
        let mut covered: Vec<SelectOption> = text
            .look_fors
            .iter()
            .take(shown_look_fors(text))
            .enumerate()
            .map(|(i, l)| SelectOption {
                label: truncate(l, 100),
                value: format!("l{}", i + 1),
                description: Some(format!("Look-for {}", i + 1)),
                default: e.covered.has(i),
            })
            .collect();
        covered.extend(
            text.bonus
                .iter()
                .take(shown_bonus(text))
                .enumerate()
                .map(|(i, b)| SelectOption {
                    label: truncate(b, 100),
                    value: format!("b{}", i + 1),
                    description: Some("Bonus: what a strong yes adds".into()),
                    default: e.bonus.has(i),
                }),
        );
        if !covered.is_empty() {
            message = message.select(Select::any_of(
                self.action_id(req.guild_id, ScoresAction::Covered(at).to_string())?,
                "Covered: tick the look-fors (and bonus points) you heard",
                covered,
            ));
        }
        let flags: Vec<SelectOption> = text
            .red_flags
            .iter()
            .take(MAX_OPTIONS)
            .enumerate()
            .map(|(i, r)| SelectOption {
                label: truncate(r, 100),
                value: format!("r{}", i + 1),
                description: None,
                default: e.red_flags.has(i),
            })
            .collect();
        if !flags.is_empty() {
            message = message.select(Select::any_of(
                self.action_id(req.guild_id, ScoresAction::Flags(at).to_string())?,
                "Red flags heard (none ticked: none heard)",
                flags,
            ));
        }
        for r in Rating::ALL {
            let style = if rating == Some(r.get()) {
                ButtonStyle::Success
            } else if Some(r.get()) == suggested {
                ButtonStyle::Primary
            } else {
                ButtonStyle::Secondary
            };
            let label = if Some(r.get()) == suggested {
                format!("{} (suggested)", r.label())
            } else {
                r.label()
            };
            message = message.button(
                &label,
                self.action_id(
                    req.guild_id,
                    ScoresAction::RateWith { at, rating: r }.to_string(),
                )?,
                style,
            );
        }
        if let (Some(r), Some(s)) = (rating.and_then(Rating::new), suggested)
            && needs_reason(r, s)
        {
            message.buttons.push(self.reason_button(req, at)?);
        }
        Ok(message)
    }

    /// "Give a reason", for a 1 or a 4 that disagrees with the evidence.
    fn reason_button(&self, req: &Request, at: EvidenceAt) -> Result<Button, Error> {
        Ok(Button {
            label: "Give a reason".into(),
            action: self.action_id(req.guild_id, ScoresAction::Why(at).to_string())?,
            style: ButtonStyle::Secondary,
            disabled: false,
        })
    }

    /// The line a session's rating confirmation adds when the presser has evidence on the
    /// score, and the "Give a reason" button when the rating needs one.
    pub(crate) fn evidence_after_rating(
        &self,
        req: &Request,
        key: &ScoreKey<'_>,
        rating: Rating,
    ) -> Result<Option<(String, Option<Button>)>, Error> {
        let Some((version, e)) = self.store.read(|db| stored_evidence(db, req, key))? else {
            return Ok(None);
        };
        let line = evidence_line(&version.text, Some(&e), Some(rating.get()));
        let at = EvidenceAt {
            session: key.session_id,
            rubric: version.id,
        };
        let button = if needs_reason(rating, e.suggested) {
            Some(self.reason_button(req, at)?)
        } else {
            None
        };
        Ok(Some((line, button)))
    }
}

/// What was dropped from a choice: ticked items whose words the pack no longer has, and
/// values that name nothing.
struct Dropped {
    items: Vec<String>,
    unknown: usize,
}

impl Dropped {
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.items.is_empty() {
            let names: Vec<String> = self
                .items
                .iter()
                .map(|i| format!("“{}”", escape(&truncate(i, 60))))
                .collect();
            parts.push(format!(
                "The question's rubric has changed since these ticks were given, so {} no longer {} and {} not recorded: {}.",
                super::counted(self.items.len(), "choice"),
                if self.items.len() == 1 { "exists" } else { "exist" },
                if self.items.len() == 1 { "was" } else { "were" },
                names.join(", ")
            ));
        }
        if self.unknown > 0 {
            parts.push(format!(
                "{} matched nothing in the list and {} ignored.",
                super::counted(self.unknown, "choice"),
                if self.unknown == 1 { "was" } else { "were" },
            ));
        }
        if !parts.is_empty() {
            parts.push("The rest is saved; the lists below are up to date.".into());
        }
        parts.join(" ")
    }
}

/// "Your evidence: covered **3 of 4** look-fors (a yes needs 3), 1 bonus point, no red flags:
/// suggests **3 Yes**. Your rating: **4 Strong yes**, above the evidence (+1)."
/// Without evidence, how to give some.
pub fn evidence_line(text: &RubricText, e: Option<&Evidence>, rating: Option<u8>) -> String {
    let Some(e) = e else {
        return "No evidence ticked yet: tick the look-fors you heard (and any red flags) below, and the bot suggests a rating from them.".into();
    };
    let n = text.look_fors.len();
    let bonus = match e.bonus.count() {
        0 => String::new(),
        k => format!(", {}", super::counted(k, "bonus point")),
    };
    let flags = match e.red_flags.count() {
        0 => "no red flags".to_string(),
        k => format!("**{}** heard", super::counted(k, "red flag")),
    };
    let suggested = Rating::new(e.suggested).map_or_else(String::new, Rating::label);
    let mut line = format!(
        "Your evidence: covered **{} of {n}** look-fors (a yes needs {}){bonus}, {flags}: suggests **{suggested}**.",
        e.covered.count(),
        text.pass.min(n)
    );
    match rating.and_then(Rating::new) {
        None => line.push_str(" Not rated yet: press a rating below."),
        Some(r) => {
            let d = difference(r, e.suggested);
            let verdict = match d {
                0 => "as the evidence suggests".to_string(),
                d if d > 0 => format!("above the evidence (+{d}), recorded as an override"),
                d => format!("below the evidence ({d}), recorded as an override"),
            };
            line.push_str(&format!(" Your rating: **{}**, {verdict}.", r.label()));
            if needs_reason(r, e.suggested) {
                let reason = if e.reason.is_empty() {
                    " Please give a one-line reason (the button below).".to_string()
                } else {
                    format!(" Your reason: {}", escape(&e.reason))
                };
                line.push_str(&reason);
            }
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_name_items_of_their_own_list_and_anything_else_is_counted_not_read() {
        let text = RubricText {
            question_id: "q".into(),
            look_fors: vec!["a".into(), "b".into(), "c".into()],
            pass: 2,
            bonus: vec!["x".into()],
            red_flags: vec!["r".into()],
        };
        let values: Vec<String> = [
            "l1", "l3", "b1", "l4", "l0", "l01", "r1", "é", "", "l", "b+1", "l１",
        ]
        .map(String::from)
        .to_vec();
        let (look_fors, bonus, unknown) = read_values(&values, List::Covered, &text);
        assert_eq!(
            (look_fors, bonus, unknown),
            (Ticks::of([0, 2]), Ticks::of([0]), 9)
        );
        let (flags, none, unknown) = read_values(&values, List::Flags, &text);
        assert_eq!((flags, none, unknown), (Ticks::of([0]), Ticks(0), 11));
    }
}
