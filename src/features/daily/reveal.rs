//! The answer: privately behind a post's "Model answer" button, and for everyone, behind
//! spoiler marks, in a thread on the post once its time has come.

use super::surface::Revealed;
use crate::bank::Question;
use crate::engine::Handled;
use crate::engine::rubric::RubricContext;
use crate::engine::{
    Catalog, Effect, Engine, Error, Invocation, Message, MessageRef, Outcome, Request,
};
use crate::model::{PostId, PostStatus, RevealStatus};
use crate::text::truncate;

impl Engine {
    /// A daily post's model answer, privately: only for a post of this server and channel,
    /// named by the button (`post`), or, for a first-release button that names only its
    /// `question`, the daily post the pressed message is, showing that question. Anything
    /// else is a forged or stale button.
    pub(super) fn action_daily_answer(
        &self,
        req: &Request,
        post: Option<PostId>,
        question: Option<String>,
    ) -> Handled {
        let pressed_on = match &req.invocation {
            Invocation::Button {
                message: Some(m), ..
            } => Some(m.id),
            _ => None,
        };
        let found = match post {
            Some(id) => self.store.read(|db| db.post(req.guild_id, id))?,
            None => match pressed_on {
                Some(message) => self
                    .store
                    .read(|db| db.post_by_message(req.guild_id, message))?,
                None => None,
            },
        };
        let post = found
            .filter(|p| p.guild_id == req.guild_id && p.channel_id == req.channel_id)
            // Pressed on another message than the post's own (once it is known).
            .filter(|p| match (p.message_id, pressed_on) {
                (Some(posted), Some(pressed)) => posted == pressed,
                _ => true,
            })
            .filter(|p| question.as_ref().is_none_or(|q| *q == p.question_id))
            .ok_or(Error::UnknownAction)?;
        self.private_rubric(req, RubricContext::Daily, post.question_id)
    }

    /// The answer, behind spoiler marks, in a thread on the post (or as a reply when a thread
    /// could not be made).
    pub(super) fn job_daily_reveal(&self, req: &Request, id: PostId) -> Handled {
        let Some(post) = self.post_in(req, id, PostStatus::Posted)? else {
            return Ok(Outcome::default());
        };
        let Some(message_id) = post.message_id else {
            return Ok(Outcome::default());
        };
        let catalog = self.catalog(post.guild_id)?;
        let Some(q) = catalog.get(&post.question_id)? else {
            self.store
                .write(|db| db.drop_reveal(post.guild_id, post.id))?;
            return Ok(Outcome::default());
        };
        let message = self.spoiler_rubric(&catalog, &q);
        let effect = if post.reveal_status == Some(RevealStatus::Reply) {
            Effect::Post {
                channel_id: post.channel_id,
                message,
                nonce: Some(format!("ibr{}", post.id)),
                reply_to: Some(message_id),
            }
        } else {
            Effect::Thread {
                on: MessageRef::Existing {
                    channel_id: post.channel_id,
                    message_id,
                },
                name: truncate(
                    &format!(
                        "Answer · {} · {}",
                        q.level.title(),
                        catalog.topic_name(&q.topic)
                    ),
                    100,
                ),
                message,
            }
        };
        let mut outcome = Outcome::default();
        let revealed = outcome.push(effect);
        outcome.commit(
            revealed,
            Revealed {
                guild_id: post.guild_id,
                post: post.id,
            },
        );
        Ok(outcome)
    }

    /// The rubric with each part behind spoiler marks, so nobody reads it by accident.
    fn spoiler_rubric(&self, catalog: &Catalog<'_>, q: &Question) -> Message {
        let mut m = self.rubric_message(catalog, q);
        for card in &mut m.cards {
            if let Some(d) = &card.description {
                card.description = Some(format!("||{}||", truncate(d, 4090)));
            }
        }
        m.content = Some("The answer to today's question (tap to reveal):".into());
        m
    }
}
