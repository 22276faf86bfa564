//! `/scores forget`: shows what would be deleted and asks for confirmation with buttons; on
//! confirm deletes every score, note, session, recommendation and remembered public message of
//! the candidate in the guild in one transaction, deletes those messages, and keeps in the
//! audit trail only that a deletion happened, by whom and when.
//!
//! Button ids: `sc:forget:<candidate id>:<created at>` and `sc:keep:<candidate id>` (the
//! creation time makes sure a confirmation never deletes a later candidate that reused the id).

use crate::store::CandidateFootprint;
use crate::text::escape;

use super::{candidate_name, member};
use crate::engine::ScoreError;
use crate::engine::{ButtonStyle, Effect, Engine, Error, Message, MessageRef, Outcome, Request};

fn summary(f: &CandidateFootprint) -> String {
    format!(
        "{} score{}, {} note{}, {} interview{}, {} recommendation{} and {} bot message{}",
        f.scores,
        if f.scores == 1 { "" } else { "s" },
        f.notes,
        if f.notes == 1 { "" } else { "s" },
        f.sessions,
        if f.sessions == 1 { "" } else { "s" },
        f.recommendations,
        if f.recommendations == 1 { "" } else { "s" },
        f.messages,
        if f.messages == 1 { "" } else { "s" },
    )
}

impl Engine {
    pub(crate) fn cmd_scores_forget(
        &self,
        req: &Request,
        opts: super::commands::ForgetOptions,
    ) -> Result<Outcome, Error> {
        let (name, key) = candidate_name(&opts.candidate)?;
        let (candidate, footprint) = self.store.read(|db| {
            let c = db
                .candidate_by_key(req.guild_id, &key)?
                .ok_or(ScoreError::UnknownCandidate { name: name.clone() })?;
            Ok::<_, Error>((c.clone(), db.candidate_footprint(req.guild_id, c.id)?))
        })?;
        let text = format!(
            "Delete everything recorded about {} in this server? That is {}. This cannot be undone; the audit trail will keep only that a deletion happened, by whom and when.",
            escape(&candidate.name),
            summary(&footprint)
        );
        let message = Message::text(text)
            .button(
                "Delete everything",
                super::commands::ScoresAction::Forget {
                    candidate: candidate.id,
                    created: candidate.created_at,
                }
                .to_string(),
                ButtonStyle::Danger,
            )
            .button(
                "Cancel",
                super::commands::ScoresAction::Keep {
                    candidate: Some(candidate.id),
                }
                .to_string(),
                ButtonStyle::Secondary,
            );
        Ok(Outcome::private(message))
    }

    pub(crate) fn action_forget_confirm(
        &self,
        req: &Request,
        id: i64,
        created: i64,
    ) -> Result<Outcome, Error> {
        let actor = member(req)?.user_id;
        let now = self.clock.now_ms();
        let (footprint, messages) = self.store.write(|db| {
            let Some(c) = db
                .candidates(req.guild_id)?
                .into_iter()
                .find(|c| c.id == id && c.created_at == created)
            else {
                return Err(Error::from(ScoreError::AlreadyForgotten));
            };
            let footprint = db.candidate_footprint(req.guild_id, c.id)?;
            let messages = db.candidate_messages(req.guild_id, c.id)?;
            db.delete_candidate(req.guild_id, c.id)?;
            db.audit(
                req.guild_id,
                actor,
                crate::store::audit_action::CANDIDATE_DELETED,
                "a candidate",
                &summary(&footprint),
                now,
            )?;
            Ok((footprint, messages))
        })?;
        let mut effects = vec![Effect::Update(Message::text(format!(
            "Deleted: {}. The audit trail records only that you deleted a candidate, and when.",
            summary(&footprint)
        )))];
        for (channel_id, message_id) in messages {
            effects.push(Effect::Delete {
                target: MessageRef::Existing {
                    channel_id,
                    message_id,
                },
            });
        }
        Ok(Outcome::new(effects))
    }

    pub(crate) fn action_forget_cancel(&self) -> Result<Outcome, Error> {
        Ok(Outcome::new(vec![Effect::Update(Message::text(
            "Cancelled: nothing was deleted.",
        ))]))
    }
}
