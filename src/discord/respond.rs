//! The interaction response state machine: how far an interaction has been answered, and the
//! first answer, deferral, edits of the original and follow-ups that move it along, each
//! retried as far as it is safe to.

use serenity::all::{
    ChannelId, CommandInteraction, ComponentInteraction, CreateInteractionResponse,
    CreateInteractionResponseMessage, EditInteractionResponse, EditMessage, Http, InteractionId,
    MessageId, ModalInteraction,
};
use serenity::builder::Builder as _;

use crate::engine::{Ack, Delivered, Message, Visibility};

use super::convert;
use super::retry::{self, Repeat};

/// An interaction that gets a message (or a modal, or suggestions) in reply: a command, a
/// button or a modal, which Discord answers alike, through the interaction's id and token.
#[derive(Clone, Copy)]
pub(super) struct Target<'a> {
    id: InteractionId,
    token: &'a str,
    channel: ChannelId,
    /// The message a button (or a modal opened from one) sits on.
    source_message: Option<MessageId>,
}

impl<'a> From<&'a CommandInteraction> for Target<'a> {
    fn from(c: &'a CommandInteraction) -> Self {
        Target {
            id: c.id,
            token: &c.token,
            channel: c.channel_id,
            source_message: None,
        }
    }
}

impl<'a> From<&'a ComponentInteraction> for Target<'a> {
    fn from(c: &'a ComponentInteraction) -> Self {
        Target {
            id: c.id,
            token: &c.token,
            channel: c.channel_id,
            source_message: Some(c.message.id),
        }
    }
}

impl<'a> From<&'a ModalInteraction> for Target<'a> {
    fn from(c: &'a ModalInteraction) -> Self {
        Target {
            id: c.id,
            token: &c.token,
            channel: c.channel_id,
            source_message: c.message.as_ref().map(|m| m.id),
        }
    }
}

/// How far the interaction has been answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Answered {
    /// Not yet acknowledged.
    No,
    /// Acknowledged with a "thinking" placeholder (type 5) whose visibility is fixed; the
    /// first edit or follow-up resolves that same message.
    Deferred(Visibility),
    /// Acknowledged without a placeholder (type 6): the button's message stays as it is.
    DeferredUpdate,
    /// The first answer was sent (or the placeholder resolved): later replies are follow-ups.
    Done,
}

impl Target<'_> {
    pub(super) fn id(self) -> u64 {
        self.id.get()
    }

    pub(super) fn channel(self) -> ChannelId {
        self.channel
    }

    /// The message a button (or a modal opened from one) sits on.
    pub(super) fn source_message(self) -> Option<MessageId> {
        self.source_message
    }

    /// The first answer, retried while Discord's 3-second window lasts (a 5xx, a lost or held
    /// request). Discord refuses a second first answer with 40060, so after an attempt whose
    /// result was lost, that refusal means the earlier attempt went through.
    pub(super) async fn respond(
        self,
        http: &Http,
        response: CreateInteractionResponse,
    ) -> Result<(), serenity::Error> {
        self.respond_as("interaction callback", http, response)
            .await
    }

    /// [`Target::respond`], with retries logged as `what`.
    pub(super) async fn respond_as(
        self,
        what: &str,
        http: &Http,
        response: CreateInteractionResponse,
    ) -> Result<(), serenity::Error> {
        let deadline = Some(retry::ack_deadline(self.id()));
        retry::send(what, Repeat::Safe, deadline, |attempt| {
            let response = response.clone();
            async move {
                let sent = response.execute(http, (self.id, self.token)).await;
                match sent {
                    Err(e) if attempt > 0 && retry::already_acknowledged(&e) => Ok(()),
                    other => other,
                }
            }
        })
        .await
    }

    pub(super) async fn edit_original(
        self,
        http: &Http,
        message: &Message,
    ) -> Result<serenity::all::Message, serenity::Error> {
        self.edit_original_with(http, convert::edit(message)).await
    }

    pub(super) async fn edit_original_with(
        self,
        http: &Http,
        edit: EditInteractionResponse,
    ) -> Result<serenity::all::Message, serenity::Error> {
        // An edit is the same however often it is made.
        retry::send("edit @original", Repeat::Safe, None, |_| {
            edit.clone().execute(http, self.token)
        })
        .await
    }

    pub(super) async fn delete_original(self, http: &Http) -> Result<(), serenity::Error> {
        retry::send("delete @original", Repeat::Safe, None, |_| {
            http.delete_original_interaction_response(self.token)
        })
        .await
    }

    pub(super) async fn followup(
        self,
        http: &Http,
        message: &Message,
        visibility: Visibility,
    ) -> Result<serenity::all::Message, serenity::Error> {
        let f = convert::followup(message, visibility == Visibility::Private);
        // A follow-up has no nonce: sent twice, it shows twice. Only a 429 is tried again.
        retry::send("follow-up", Repeat::IfRefused, None, |_| {
            f.clone().execute(http, (None, self.token))
        })
        .await
    }

    /// Acknowledges now, as planned, to be answered later by [`super::deliver::deliver`].
    pub(super) async fn defer(self, http: &Http, plan: Ack) -> Result<Answered, serenity::Error> {
        // Types 6 and 7 need a message the component (or modal) came from.
        let update_allowed = self.source_message().is_some();
        match plan {
            Ack::Update if update_allowed => {
                self.respond(http, CreateInteractionResponse::Acknowledge)
                    .await?;
                Ok(Answered::DeferredUpdate)
            }
            Ack::Reply(visibility) => {
                let placeholder = CreateInteractionResponseMessage::new()
                    .ephemeral(visibility == Visibility::Private);
                self.respond(http, CreateInteractionResponse::Defer(placeholder))
                    .await?;
                Ok(Answered::Deferred(visibility))
            }
            // A modal cannot follow a deferral, and an update needs a message: answer privately.
            Ack::Update | Ack::Modal => {
                let placeholder = CreateInteractionResponseMessage::new().ephemeral(true);
                self.respond(http, CreateInteractionResponse::Defer(placeholder))
                    .await?;
                Ok(Answered::Deferred(Visibility::Private))
            }
        }
    }
}

/// One change of the message a button sits on, in the three forms Discord takes it: as the
/// first answer (type 7), as an edit after a deferred update, or as a plain message edit.
pub(super) struct Update {
    pub(super) response: CreateInteractionResponseMessage,
    pub(super) original: EditInteractionResponse,
    pub(super) channel: EditMessage,
}

/// Changes the message a button sits on, in whichever form the answer so far allows.
pub(super) async fn update_source(
    http: &Http,
    target: Target<'_>,
    answered: &mut Answered,
    update: Update,
) -> Result<Delivered, serenity::Error> {
    let Some(source) = target.source_message() else {
        return Ok(Delivered::Failed("no message to update".into()));
    };
    let channel = target.channel();
    let done = |m: Option<MessageId>| convert::posted(channel, m.unwrap_or(source));
    match *answered {
        Answered::No => {
            target
                .respond(
                    http,
                    CreateInteractionResponse::UpdateMessage(update.response),
                )
                .await?;
            *answered = Answered::Done;
            Ok(done(None))
        }
        Answered::DeferredUpdate => {
            // After a deferred update, @original is the button's message.
            let m = target.edit_original_with(http, update.original).await?;
            *answered = Answered::Done;
            Ok(done(Some(m.id)))
        }
        _ => {
            let m = retry::send("edit message", Repeat::Safe, None, |_| {
                channel.edit_message(http, source, update.channel.clone())
            })
            .await?;
            Ok(done(Some(m.id)))
        }
    }
}
