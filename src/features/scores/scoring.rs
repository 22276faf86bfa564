//! `/score` and `/recommend`, and what sessions share with them: finding or adding the
//! candidate, the interview a score belongs to, and remembering the bot's messages.
//!
//! A score belongs to an interview: the candidate's open guided session (this channel's
//! first), else the interviewer's open ad-hoc interview of the candidate, else a new ad-hoc
//! interview. Scoring the same question again in the same interview replaces the rating (the
//! old value goes to the history); once the interview has closed (`/interview end`, or after
//! 24 hours) the next score starts a new scorecard.

use crate::engine::Handled;
use crate::engine::{Delivered, Engine, Error, Message, Outcome, Request};
use crate::features::scores::commands::{RecommendOptions, ScoreOptions};
use crate::features::scores::{
    Rating, candidate_name, check_notes, find_candidate, member, recommendation_label,
};
use crate::model::{CandidateId, GuildId, SessionId};
use crate::store::{Candidate, Db, NewRecommendation, NewSession, Previous, ScoreKey, SessionKind};
use crate::text::quote;

impl Engine {
    pub(crate) fn cmd_score(&self, req: &Request, opts: ScoreOptions) -> Handled {
        let (name, key) = candidate_name(&opts.candidate)?;
        let q = self.catalog(req.guild_id)?.question(&opts.question)?;
        let rating = opts.rating;
        let notes: Option<String> = opts.notes;
        if let Some(n) = &notes {
            check_notes(n)?;
        }
        let (candidate, session, previous) = self.write_as(req, |db, m, now| {
            let (candidate, added) =
                db.find_or_add_candidate(req.guild_id, &name, &key, m.user_id, now)?;
            let session_id = scoring_session(db, req, &candidate, added, now)?;
            let previous = db.put_score(
                &ScoreKey {
                    guild_id: req.guild_id,
                    candidate_id: candidate.id,
                    session_id,
                    question_id: &q.id,
                    interviewer_id: m.user_id,
                    interviewer_name: &m.name,
                },
                Some(rating.get()),
                notes.as_deref(),
                now,
            )?;
            let session = db
                .session(req.guild_id, session_id)?
                .ok_or_else(|| Error::Internal("the score's interview is not stored".into()))?;
            Ok::<_, Error>((candidate, session, previous))
        })?;
        let text = confirmation(
            &candidate.name,
            &q.id,
            rating,
            notes.is_some(),
            previous.as_ref(),
        );
        // The confirmation is the evidence panel: tick what the candidate covered to see
        // whether the rating agrees with it.
        Ok(Outcome::private(
            self.panel_for(req, &session, &q.id, &text)?,
        ))
    }

    pub(crate) fn cmd_recommend(&self, req: &Request, opts: RecommendOptions) -> Handled {
        let rec = opts.recommendation;
        let (candidate, old) = self.write_as(req, |db, m, now| {
            let candidate = find_candidate(db, req.guild_id, &opts.candidate)?;
            let old = db.set_recommendation(&NewRecommendation {
                guild_id: req.guild_id,
                candidate_id: candidate.id,
                interviewer_id: m.user_id,
                interviewer_name: &m.name,
                recommendation: rec,
                session_id: None,
                at_ms: now,
            })?;
            Ok::<_, Error>((candidate, old))
        })?;
        let change = match old {
            Some(o) if o != rec => format!(" (was {})", recommendation_label(&o)),
            _ => String::new(),
        };
        Ok(Outcome::private(Message::text(format!(
            "Your recommendation for {} is now **{}**{change}.",
            quote(&candidate.name),
            recommendation_label(&rec)
        ))))
    }

    /// Remembers the message a [`super::commands::CandidateMessage`] names, once delivered.
    pub(crate) fn record_candidate_message(
        &self,
        guild_id: GuildId,
        candidate_id: CandidateId,
        session_id: Option<SessionId>,
        delivered: &Delivered,
    ) -> Result<(), Error> {
        let Delivered::Message {
            channel_id: Some(channel),
            message_id: Some(message),
        } = delivered
        else {
            return Ok(());
        };
        self.store.write(|db| {
            db.remember_candidate_message(guild_id, candidate_id, *channel, *message)?;
            if let Some(s) = session_id {
                db.set_session_message(guild_id, s, *message)?;
            }
            Ok::<_, Error>(())
        })
    }
}

/// The interview (id) a `/score` goes to (see the module documentation). A candidate `added`
/// by this score has no interview yet, so none is looked for.
fn scoring_session(
    db: &Db<'_>,
    req: &Request,
    candidate: &Candidate,
    added: bool,
    now: i64,
) -> Result<SessionId, Error> {
    let m = member(req)?;
    if !added {
        // The candidate's open guided sessions and this interviewer's open ad-hoc ones, oldest
        // first: a guided one in this channel, else the oldest guided one, else the newest
        // ad-hoc one.
        let open = db.scoring_sessions(req.guild_id, candidate.id, m.user_id)?;
        let guided = || {
            open.iter()
                .filter(|(_, kind, _)| *kind == SessionKind::Guided)
        };
        let chosen = guided()
            .find(|(_, _, channel)| *channel == req.channel_id)
            .or_else(|| guided().next())
            .or_else(|| {
                open.iter()
                    .rev()
                    .find(|(_, kind, _)| *kind == SessionKind::Adhoc)
            });
        if let Some((id, _, _)) = chosen {
            return Ok(*id);
        }
    }
    Ok(db.create_session(&NewSession {
        guild_id: req.guild_id,
        channel_id: req.channel_id,
        candidate_id: candidate.id,
        kind: SessionKind::Adhoc,
        started_by: m.user_id,
        level: None,
        topic: None,
        questions: &[],
        at_ms: now,
    })?)
}

/// "Recorded **3 Yes** for `Ada` on `aws-s3-basics` (replaces your earlier 2 No)."
pub(super) fn confirmation(
    candidate: &str,
    question: &str,
    rating: Rating,
    notes: bool,
    previous: Option<&Previous>,
) -> String {
    let mut text = format!(
        "Recorded **{}** for {} on `{question}`",
        rating.label(),
        quote(candidate)
    );
    if notes {
        text.push_str(", with your notes");
    }
    if let Some(Previous {
        rating: Some(old), ..
    }) = previous
        && *old != rating.get()
    {
        text.push_str(&format!(
            " (replaces your earlier {})",
            crate::features::scores::rating_label(*old)
        ));
    }
    text.push_str(". Saved: only you see this.");
    text
}
