//! `/scores forget`: shows what would be deleted and asks for confirmation with buttons; on
//! confirm deletes every score, note, session, recommendation and remembered public message of
//! the candidate in the guild in one transaction, deletes those messages, and keeps in the
//! audit trail only that a deletion happened, by whom and when. Nothing of the candidate stays
//! on disk: deleted rows are overwritten (`secure_delete`) and the write-ahead log is emptied
//! by a checkpoint right after ([`crate::store::Store::checkpoint_truncate`]). Backups made
//! earlier still hold them (README, "Backups").
//!
//! Button ids: `sc:forget:<candidate id>:<created at>` and `sc:keep:<candidate id>` (the
//! creation time makes sure a confirmation never deletes a later candidate that reused the id).

use super::ScoreError;
use crate::engine::Handled;
use crate::engine::{
    ButtonStyle, Effect, Engine, Error, Message, MessageRef, Outcome, Request, Visibility,
};
use crate::features::scores::commands::{ForgetOptions, ScoresAction};
use crate::features::scores::{counted, find_candidate};
use crate::model::CandidateId;
use crate::store::CandidateFootprint;
use crate::text::escape;

/// "2 scores, 1 note, 1 interview, 0 recommendations and 1 bot message"
fn summary(f: &CandidateFootprint) -> String {
    format!(
        "{}, {}, {}, {} and {}",
        counted(f.scores, "score"),
        counted(f.notes, "note"),
        counted(f.sessions, "interview"),
        counted(f.recommendations, "recommendation"),
        counted(f.messages, "bot message"),
    )
}

impl Engine {
    pub(crate) fn cmd_scores_forget(&self, req: &Request, opts: ForgetOptions) -> Handled {
        let (candidate, footprint) = self.store.read(|db| {
            let c = find_candidate(db, req.guild_id, &opts.candidate)?;
            let footprint = db.candidate_footprint(req.guild_id, c.id)?;
            Ok::<_, Error>((c, footprint))
        })?;
        let text = format!(
            "Delete everything recorded about {} in this server? That is {}. This cannot be undone; the audit trail will keep only that a deletion happened, by whom and when.",
            escape(&candidate.name),
            summary(&footprint)
        );
        let message = Message::text(text)
            .button(
                "Delete everything",
                ScoresAction::Forget {
                    candidate: candidate.id,
                    created: candidate.created_at,
                }
                .to_string(),
                ButtonStyle::Danger,
            )
            .button(
                "Cancel",
                ScoresAction::Keep {
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
        id: CandidateId,
        created: i64,
    ) -> Handled {
        let (footprint, messages) = self.write_as(req, |db, actor, now| {
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
                actor.user_id,
                crate::store::audit_action::CANDIDATE_DELETED,
                "a candidate",
                &summary(&footprint),
                now,
            )?;
            Ok((footprint, messages))
        })?;
        // The deleted rows are zeroed in the pages they were in (`secure_delete`); the older
        // versions of those pages in the write-ahead log go with a checkpoint that empties it.
        // The deletion itself is done: a checkpoint that cannot finish now is logged, and the
        // next one (at the latest when the bot stops) finishes it.
        match self.store.checkpoint_truncate() {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                "after a deletion: the write-ahead log could not be emptied yet (a reader held it); the next checkpoint empties it"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "after a deletion: the write-ahead log could not be emptied")
            }
        }
        let done = Message::text(format!(
            "Deleted: {}. The audit trail records only that you deleted a candidate, and when.",
            summary(&footprint)
        ));
        let mut effects = vec![answer_in_place(req, done)];
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

    pub(crate) fn action_forget_cancel(&self, req: &Request) -> Handled {
        Ok(Outcome::new(vec![answer_in_place(
            req,
            Message::text("Cancelled: nothing was deleted."),
        )]))
    }
}

/// The answer to a confirmation button: in place of the confirmation it was pressed on, or
/// privately when pressed on any other message (a forged id on a public card).
fn answer_in_place(req: &Request, message: Message) -> Effect {
    let confirmation = |id: &str| {
        matches!(
            id.parse::<ScoresAction>(),
            Ok(ScoresAction::Forget { .. } | ScoresAction::Keep { .. })
        )
    };
    if req.pressed_on_its_own(confirmation) {
        Effect::Update(message)
    } else {
        Effect::reply(Visibility::Private, message)
    }
}
