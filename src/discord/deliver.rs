//! The delivery of effects: an interaction's answer, follow-ups and the work outside it (posts,
//! threads, edits, deletions, look-ups) for interactions and the scheduler alike, and how a
//! refused request counts.

use serenity::all::{
    ChannelId, Context, CreateInteractionResponse, CreateInteractionResponseMessage, CreateThread,
    EditInteractionResponse, EditMessage, Http, MessageId, Nonce,
};

use crate::engine::{
    Ack, DeliverAsync, Delivered, Effect, Engine, Error, Message, MessageRef, NOT_COMPLETED,
    Outcome, Visibility, placeholder_note,
};

use super::convert;
use super::recover::find_post;
use super::respond::{Answered, Target, Update, update_source};
use super::rest::Rest;
use super::retry::{self, Repeat};

/// Carries out the effects in order through the engine's delivery loop (which then
/// commits), and reports what happened to each.
pub(super) async fn deliver(
    engine: &Engine,
    ctx: &Context,
    rest: &Rest,
    target: Target<'_>,
    answered: Answered,
    outcome: &Outcome,
    plan: Ack,
) -> Vec<Delivered> {
    // For each effect: whether one after it answers the interaction.
    let mut answer_follows = vec![false; outcome.effects.len()];
    let mut later = false;
    for (i, effect) in outcome.effects.iter().enumerate().rev() {
        answer_follows[i] = later;
        later |= effect.answers_interaction();
    }
    let mut front = InteractionFront {
        http: &ctx.http,
        rest,
        target,
        answered,
        plan,
        answer_follows,
        unreachable_discord: false,
    };
    let report = engine.deliver_async(outcome, &mut front).await;
    front.finish().await;
    report
}

/// Carries out one effect of an interaction's, moving its answer along.
async fn deliver_one(
    http: &Http,
    rest: &Rest,
    target: Target<'_>,
    answered: &mut Answered,
    effect: &Effect,
    earlier: &[Delivered],
) -> Result<Delivered, serenity::Error> {
    let channel = target.channel().get();
    match effect {
        Effect::Reply {
            visibility,
            message,
        } => match *answered {
            Answered::No => {
                let response =
                    convert::response_message(message, *visibility == Visibility::Private);
                target
                    .respond(http, CreateInteractionResponse::Message(response))
                    .await?;
                *answered = Answered::Done;
                Ok(Delivered::Message {
                    channel_id: Some(channel.into()),
                    message_id: None,
                })
            }
            Answered::Deferred(placeholder) if placeholder == *visibility => {
                let m = target.edit_original(http, message).await?;
                *answered = Answered::Done;
                Ok(convert::posted(m.channel_id, m.id))
            }
            Answered::Deferred(placeholder) => {
                // The placeholder's visibility is fixed: resolve it to a neutral line,
                // send the answer as a follow-up with its own visibility, and remove the
                // placeholder. A private answer never lands in public, and the reverse.
                target
                    .edit_original(http, &Message::text(placeholder_note(placeholder)))
                    .await?;
                *answered = Answered::Done;
                let m = match target.followup(http, message, *visibility).await {
                    Ok(m) => m,
                    Err(e) => {
                        // Say so, rather than leave a line promising an answer elsewhere.
                        let _ = target
                            .edit_original(http, &Message::text(NOT_COMPLETED))
                            .await;
                        return Err(e);
                    }
                };
                if let Err(e) = target.delete_original(http).await {
                    tracing::debug!(error = %e, "could not remove the placeholder");
                }
                Ok(convert::posted(m.channel_id, m.id))
            }
            Answered::DeferredUpdate | Answered::Done => {
                *answered = Answered::Done;
                let m = target.followup(http, message, *visibility).await?;
                Ok(convert::posted(m.channel_id, m.id))
            }
        },
        Effect::Update(message) => {
            let update = Update {
                response: convert::response_message(message, false),
                original: convert::edit(message),
                channel: convert::edit_message(message),
            };
            update_source(http, target, answered, update).await
        }
        Effect::UpdateButtons(buttons) => {
            let rows = convert::buttons_only(buttons);
            let update = Update {
                response: CreateInteractionResponseMessage::new().components(rows.clone()),
                original: EditInteractionResponse::new().components(rows.clone()),
                channel: EditMessage::new().components(rows),
            };
            update_source(http, target, answered, update).await
        }
        Effect::OpenModal(modal) => match *answered {
            Answered::No => {
                target
                    .respond(
                        http,
                        CreateInteractionResponse::Modal(convert::modal(modal)),
                    )
                    .await?;
                *answered = Answered::Done;
                Ok(Delivered::Done)
            }
            _ => {
                tracing::error!(
                    interaction = target.id(),
                    "a modal can only be the first answer"
                );
                if let Answered::Deferred(_) = answered {
                    let sorry = Error::Internal("late modal".into()).to_message();
                    target.edit_original(http, &sorry).await?;
                    *answered = Answered::Done;
                }
                Ok(Delivered::Failed("modal after the first answer".into()))
            }
        },
        other => deliver_outside(http, rest, other, earlier).await,
    }
}

/// Delivers an interaction's effects: the first answer and its follow-ups, posts, threads,
/// edits. Work outside the interaction (a post, say) may take a while, so the interaction is
/// acknowledged before it when an answer follows.
struct InteractionFront<'a> {
    http: &'a Http,
    rest: &'a Rest,
    target: Target<'a>,
    answered: Answered,
    plan: Ack,
    answer_follows: Vec<bool>,
    /// Work outside the answer failed even after the retries: the member is told.
    unreachable_discord: bool,
}

impl DeliverAsync for InteractionFront<'_> {
    async fn deliver(&mut self, effect: &Effect, earlier: &[Delivered]) -> Delivered {
        let (http, target) = (self.http, self.target);
        let follows = self
            .answer_follows
            .get(earlier.len())
            .copied()
            .unwrap_or(false);
        if self.answered == Answered::No && !effect.answers_interaction() && follows {
            match target.defer(http, self.plan).await {
                Ok(a) => self.answered = a,
                Err(e) => {
                    tracing::warn!(interaction = target.id(), error = %e, "could not acknowledge");
                }
            }
        }
        match deliver_one(http, self.rest, target, &mut self.answered, effect, earlier).await {
            Ok(done) => done,
            Err(e) => {
                tracing::warn!(interaction = target.id(), error = %e, "Discord refused an effect");
                let done = classify(&e);
                // Work outside the answer (a post, a thread) failed even after the retries:
                // the member is told below, as the answer may promise it.
                self.unreachable_discord |=
                    !effect.answers_interaction() && matches!(done, Delivered::Failed(_));
                done
            }
        }
    }
}

impl InteractionFront<'_> {
    /// After the last effect: say so if work outside the answer failed, and never leave a
    /// deferral unresolved (the member would see "thinking..." until it fails).
    async fn finish(self) {
        let (http, target) = (self.http, self.target);
        if self.unreachable_discord
            && matches!(self.answered, Answered::Done | Answered::DeferredUpdate)
        {
            let sorry = Message::text(NOT_COMPLETED);
            if let Err(e) = target.followup(http, &sorry, Visibility::Private).await {
                tracing::warn!(interaction = target.id(), error = %e, "could not say that a request failed");
            }
        }
        if let Answered::Deferred(_) = self.answered {
            tracing::error!(
                interaction = target.id(),
                "nothing answered a deferred interaction"
            );
            let _ = target
                .edit_original(http, &Message::text(NOT_COMPLETED))
                .await;
        }
    }
}

/// Carries out an effect that does not answer an interaction: posts, threads, edits,
/// deletions and look-ups, for interactions and for the scheduler alike. They go through
/// [`Rest`], at Discord's pace; a message with files (none of the bot's posts have any today)
/// through serenity's own call.
pub(super) async fn deliver_outside(
    http: &Http,
    rest: &Rest,
    effect: &Effect,
    earlier: &[Delivered],
) -> Result<Delivered, serenity::Error> {
    match effect {
        Effect::Post {
            channel_id,
            message,
            nonce,
            reply_to,
        } => {
            let mut builder = convert::channel_message(message);
            if let Some(n) = nonce {
                builder = builder.nonce(Nonce::String(n.clone())).enforce_nonce(true);
            }
            if let Some(m) = reply_to {
                builder = builder
                    .reference_message((ChannelId::new(channel_id.get()), MessageId::new(m.get())));
            }
            // With `enforce_nonce`, Discord returns the earlier message instead of making a
            // second one, so a post whose answer was lost can be sent again.
            let repeat = if nonce.is_some() {
                Repeat::Safe
            } else {
                Repeat::IfRefused
            };
            let channel = ChannelId::new(channel_id.get());
            let m = if message.attachments.is_empty() {
                rest.post(repeat, channel, &builder).await?
            } else {
                retry::send("channel post", repeat, None, |_| {
                    channel.send_message(http, builder.clone())
                })
                .await?
            };
            Ok(convert::posted(m.channel_id, m.id))
        }
        Effect::FindPost {
            channel_id,
            nonce,
            marker,
            since_ms,
        } => find_post(rest, channel_id.get(), nonce, marker, *since_ms).await,
        Effect::Thread { on, name, message } => {
            let Some((parent, mid)) = resolve_ref(on, earlier) else {
                return Ok(Delivered::Skipped);
            };
            // A second attempt is refused with THREAD_EXISTS, handled below.
            let created = rest
                .start_thread(parent, mid, &CreateThread::new(name.clone()))
                .await;
            let thread =
                match created {
                    Ok(thread) => thread.id,
                    // Made by an earlier attempt whose message did not go through: a thread
                    // started from a message has that message's id.
                    Err(serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(
                        r,
                    ))) if r.error.code == THREAD_EXISTS => ChannelId::new(mid.get()),
                    Err(e) => return Err(e),
                };
            let post = convert::channel_message(message);
            let m = if message.attachments.is_empty() {
                rest.post(Repeat::IfRefused, thread, &post).await?
            } else {
                retry::send("thread post", Repeat::IfRefused, None, |_| {
                    thread.send_message(http, post.clone())
                })
                .await?
            };
            Ok(Delivered::Thread {
                thread_id: thread.get().into(),
                message_id: m.id.get().into(),
            })
        }
        Effect::Edit { target: r, message } => {
            let Some((c, mid)) = resolve_ref(r, earlier) else {
                return Ok(Delivered::Skipped);
            };
            let edit = convert::edit_message(message);
            let m = if message.attachments.is_empty() {
                rest.edit(c, mid, &edit).await?
            } else {
                retry::send("edit message", Repeat::Safe, None, |_| {
                    c.edit_message(http, mid, edit.clone())
                })
                .await?
            };
            Ok(convert::posted(m.channel_id, m.id))
        }
        Effect::Delete { target: r } => {
            let Some((c, mid)) = resolve_ref(r, earlier) else {
                return Ok(Delivered::Skipped);
            };
            rest.delete(c, mid).await?;
            Ok(Delivered::Done)
        }
        Effect::Reply { .. }
        | Effect::Update(_)
        | Effect::UpdateButtons(_)
        | Effect::OpenModal(_) => Ok(Delivered::Failed(
            "an interaction answer outside an interaction".into(),
        )),
    }
}

/// How a failed request counts: Discord refusing for good (403 no access or permission, 404
/// the channel or message is gone) or a failure worth retrying (server errors, timeouts, rate
/// limits, the network).
pub(super) fn classify(e: &serenity::Error) -> Delivered {
    use serenity::all::HttpError;
    match e {
        // Any other 4xx is Discord saying this request will never work as it is (missing
        // access or permissions, an unknown channel or message, an invalid body); 408 and 429
        // are worth trying again.
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            let status = r.status_code.as_u16();
            if (400..500).contains(&status) && status != 408 && status != 429 {
                Delivered::Refused(format!("{} ({})", r.error.message, r.error.code))
            } else {
                Delivered::Failed(e.to_string())
            }
        }
        // serenity refused to send it (too long, say): sending again will not help.
        serenity::Error::Model(_) => Delivered::Refused(e.to_string()),
        _ => Delivered::Failed(e.to_string()),
    }
}

/// Discord's error code for "a thread has already been created for this message".
const THREAD_EXISTS: isize = 160004;

/// A channel and message id for a reference: an earlier effect's result, or an existing one.
fn resolve_ref(r: &MessageRef, earlier: &[Delivered]) -> Option<(ChannelId, MessageId)> {
    let (channel, message) = match r {
        MessageRef::Existing {
            channel_id,
            message_id,
        } => (*channel_id, *message_id),
        MessageRef::Earlier(i) => match earlier.get(i.index())? {
            Delivered::Message {
                channel_id: Some(c),
                message_id: Some(m),
            } => (*c, *m),
            Delivered::Thread {
                thread_id,
                message_id,
            } => (*thread_id, *message_id),
            _ => return None,
        },
    };
    Some((ChannelId::new(channel.get()), MessageId::new(message.get())))
}
