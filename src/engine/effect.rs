//! What the engine hands back: a list of effects for a front end to carry out, with no Discord
//! types. Front ends perform them in order (serenity calls, or text in a terminal) and report
//! what happened to each, so the engine can record deliveries after they happened.

use crate::model::{ChannelId, MessageId, RoleId};

/// Who sees an answer to an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Everyone in the channel.
    Public,
    /// Only the person who asked (an ephemeral message on Discord).
    Private,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

/// A card: title, body and named fields (an embed on Discord).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Card {
    pub title: Option<String>,
    pub description: Option<String>,
    pub fields: Vec<Field>,
    pub footer: Option<String>,
    /// An RGB accent colour.
    pub colour: Option<u32>,
}

impl Card {
    pub fn field(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
        inline: bool,
    ) -> Card {
        self.fields.push(Field {
            name: name.into(),
            value: value.into(),
            inline,
        });
        self
    }

    /// Characters counted against Discord's 6000-per-message embed budget.
    pub fn text_len(&self) -> usize {
        let len = |s: &Option<String>| s.as_deref().map_or(0, |s| s.chars().count());
        len(&self.title)
            + len(&self.description)
            + len(&self.footer)
            + self
                .fields
                .iter()
                .map(|f| f.name.chars().count() + f.value.chars().count())
                .sum::<usize>()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonStyle {
    Primary,
    Secondary,
    Success,
    Danger,
}

/// A button; pressing it sends `action` back to the engine as [`super::Invocation::Button`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub action: String,
    pub style: ButtonStyle,
    pub disabled: bool,
}

/// One choice of a [`Select`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectOption {
    /// What the user sees (at most 100 characters).
    pub label: String,
    /// What is sent back when it is chosen (at most 100 characters).
    pub value: String,
    /// A second, dimmer line (at most 100 characters).
    pub description: Option<String>,
    /// Shown as chosen when the message appears.
    pub default: bool,
}

/// A drop-down list of choices (a string select on Discord); choosing sends `action` back to
/// the engine with the chosen values, as [`super::Invocation::Select`]. Each takes a row of
/// its own on Discord, above the buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Select {
    pub action: String,
    /// Shown while nothing is chosen (at most 150 characters).
    pub placeholder: String,
    /// 1 to 25 options.
    pub options: Vec<SelectOption>,
    /// How many may be chosen: at least `min` (0 lets the user clear it), at most `max`.
    pub min: u8,
    pub max: u8,
}

impl Select {
    /// A select where any number of `options` may be chosen, none included.
    pub fn any_of(action: String, placeholder: &str, options: Vec<SelectOption>) -> Select {
        let max = u8::try_from(options.len()).unwrap_or(u8::MAX);
        Select {
            action,
            placeholder: placeholder.to_string(),
            options,
            min: 0,
            max,
        }
    }
}

/// A file sent with the message (CSV exports, for example).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// The content of a message, wherever it goes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    pub content: Option<String>,
    pub cards: Vec<Card>,
    pub buttons: Vec<Button>,
    /// Drop-down lists, each on a row of its own above the buttons.
    pub selects: Vec<Select>,
    pub attachments: Vec<Attachment>,
    /// Roles this message may ping. Empty for almost everything: nothing built from user text
    /// can ping anyone, and front ends send every message with mentions off except these.
    pub ping_roles: Vec<RoleId>,
}

impl Message {
    pub fn text(text: impl Into<String>) -> Message {
        Message {
            content: Some(text.into()),
            ..Message::default()
        }
    }

    pub fn card(mut self, card: Card) -> Message {
        self.cards.push(card);
        self
    }

    pub fn button(mut self, label: &str, action: String, style: ButtonStyle) -> Message {
        self.buttons.push(Button {
            label: label.to_string(),
            action,
            style,
            disabled: false,
        });
        self
    }
}

impl Message {
    /// Adds a drop-down list.
    pub fn select(mut self, select: Select) -> Message {
        self.selects.push(select);
        self
    }
}

/// How a text input of a modal looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputStyle {
    /// One line.
    Short,
    /// Several lines.
    Paragraph,
}

/// One text input of a modal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextInput {
    /// Sent back as the field's key in [`super::Invocation::Modal`].
    pub id: String,
    pub label: String,
    pub style: InputStyle,
    pub required: bool,
    pub max_len: u16,
    /// Filled in when the modal opens (for editing an earlier value).
    pub value: Option<String>,
    pub placeholder: Option<String>,
}

impl TextInput {
    /// An optional several-line input of at most `max_len` characters.
    pub fn paragraph(id: &str, label: &str, max_len: u16) -> TextInput {
        TextInput {
            id: id.into(),
            label: label.into(),
            style: InputStyle::Paragraph,
            required: false,
            max_len,
            value: None,
            placeholder: None,
        }
    }

    /// A required one-line input of at most `max_len` characters.
    pub fn short(id: &str, label: &str, max_len: u16) -> TextInput {
        TextInput {
            style: InputStyle::Short,
            required: true,
            ..TextInput::paragraph(id, label, max_len)
        }
    }

    /// The same input, required (or not).
    pub fn required(self, required: bool) -> TextInput {
        TextInput { required, ..self }
    }

    /// Filled in with `value` when the form opens.
    pub fn value(self, value: Option<String>) -> TextInput {
        TextInput { value, ..self }
    }

    /// Greyed-out text shown while the input is empty.
    pub fn placeholder(self, placeholder: &str) -> TextInput {
        TextInput {
            placeholder: Some(placeholder.into()),
            ..self
        }
    }
}

/// A form that pops up for the person who pressed a button or ran a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modal {
    /// The action id submitted with the values.
    pub action: String,
    pub title: String,
    pub inputs: Vec<TextInput>,
}

/// A message the bot posted: one created earlier in the same outcome, or one that already
/// exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageRef {
    Earlier(EffectId),
    Existing {
        channel_id: ChannelId,
        message_id: MessageId,
    },
}

/// One thing for a front end to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Answer the interaction with a message. A second `Reply` in one list is a follow-up.
    Reply {
        visibility: Visibility,
        message: Message,
    },
    /// Replace the message the pressed button sits on.
    Update(Message),
    /// Replace only the buttons of the message the pressed button sits on, leaving its text
    /// and cards as they are (to disable a button that was used, say).
    UpdateButtons(Vec<Button>),
    /// Open a modal; only as the first answer to a command or a button.
    OpenModal(Modal),
    /// Post a new message in a channel. With a `nonce`, Discord itself drops a repeat of the
    /// same post sent within a few minutes (`enforce_nonce`); `reply_to` makes it a reply.
    Post {
        channel_id: ChannelId,
        message: Message,
        nonce: Option<String>,
        reply_to: Option<MessageId>,
    },
    /// Look for a message the bot posted in a channel: by its nonce, or else the bot's own
    /// message since `since_ms` whose first card's footer is exactly `marker`. Reports
    /// [`Delivered::Message`] if found, [`Delivered::NotFound`] if not.
    FindPost {
        channel_id: ChannelId,
        nonce: String,
        marker: String,
        since_ms: i64,
    },
    /// Start a thread on a message and post in it.
    Thread {
        on: MessageRef,
        name: String,
        message: Message,
    },
    /// Change a message the bot posted.
    Edit {
        target: MessageRef,
        message: Message,
    },
    /// Delete a message the bot posted.
    Delete { target: MessageRef },
}

impl Effect {
    pub fn reply(visibility: Visibility, message: Message) -> Effect {
        Effect::Reply {
            visibility,
            message,
        }
    }

    /// Whether this effect answers the interaction itself (as opposed to acting elsewhere).
    pub fn answers_interaction(&self) -> bool {
        matches!(
            self,
            Effect::Reply { .. }
                | Effect::Update(_)
                | Effect::UpdateButtons(_)
                | Effect::OpenModal(_)
        )
    }

    /// The message this effect sends, if any.
    pub fn message(&self) -> Option<&Message> {
        match self {
            Effect::Reply { message, .. }
            | Effect::Update(message)
            | Effect::Post { message, .. }
            | Effect::Thread { message, .. }
            | Effect::Edit { message, .. } => Some(message),
            Effect::UpdateButtons(_)
            | Effect::OpenModal(_)
            | Effect::Delete { .. }
            | Effect::FindPost { .. } => None,
        }
    }
}

/// What happened to one effect, as the front end reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    /// Done; the message's id (and channel) when the front end knows them.
    Message {
        channel_id: Option<ChannelId>,
        message_id: Option<MessageId>,
    },
    /// A thread was started and the message posted in it.
    Thread {
        thread_id: ChannelId,
        message_id: MessageId,
    },
    /// Done, nothing to report (a modal, a deletion).
    Done,
    /// It did not happen, for now (a server error, a timeout, a rate limit); the reason is
    /// for the log.
    Failed(String),
    /// Discord refused for good (the channel is gone, the bot lacks access): trying again
    /// will not help until something changes.
    Refused(String),
    /// A [`Effect::FindPost`] found nothing.
    NotFound,
    /// Not attempted (an earlier effect it depended on failed, or shutdown).
    Skipped,
}

impl Delivered {
    pub fn ok(&self) -> bool {
        !matches!(
            self,
            Delivered::Failed(_) | Delivered::Refused(_) | Delivered::Skipped | Delivered::NotFound
        )
    }

    pub fn message_id(&self) -> Option<MessageId> {
        match self {
            Delivered::Message { message_id, .. } => *message_id,
            Delivered::Thread { message_id, .. } => Some(*message_id),
            _ => None,
        }
    }
}

/// Which effect of an outcome: handed out by [`Outcome::push`], named by a [`Commit`] and by
/// [`MessageRef::Earlier`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EffectId(usize);

impl EffectId {
    /// The effect's place in [`Outcome::effects`] (and in a front end's report).
    pub fn index(self) -> usize {
        self.0
    }
}

/// What a feature records once it knows how one effect went (prepare, deliver, commit).
pub trait Record: std::fmt::Debug + Send + Sync + 'static {
    fn record(&self, engine: &super::Engine, delivered: &Delivered) -> Result<(), super::Error>;
}

/// A record to make after delivery, and the effect whose delivery it waits for.
#[derive(Clone)]
pub struct Commit {
    pub after: EffectId,
    record: std::sync::Arc<dyn Record>,
}

impl Commit {
    pub fn new(after: EffectId, record: impl Record) -> Commit {
        Commit {
            after,
            record: std::sync::Arc::new(record),
        }
    }

    /// Records what happened to the effect it waits for.
    pub fn apply(&self, engine: &super::Engine, report: &[Delivered]) -> Result<(), super::Error> {
        let delivered = report.get(self.after.0).unwrap_or(&Delivered::Skipped);
        self.record.record(engine, delivered)
    }
}

impl std::fmt::Debug for Commit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} after effect {}", self.record, self.after.0)
    }
}

/// Two commits are equal when they record the same thing (their debug forms agree) after the
/// same effect.
impl PartialEq for Commit {
    fn eq(&self, other: &Commit) -> bool {
        self.after == other.after && format!("{self:?}") == format!("{other:?}")
    }
}

impl Eq for Commit {}

/// The engine's answer to a request: effects to carry out, in order, and what to record
/// afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    pub effects: Vec<Effect>,
    pub commits: Vec<Commit>,
    /// True when the request failed (for logs and outcome counts).
    pub is_error: bool,
}

impl Outcome {
    pub fn new(effects: Vec<Effect>) -> Outcome {
        Outcome {
            effects,
            ..Outcome::default()
        }
    }

    /// One answer to the interaction.
    pub fn reply(visibility: Visibility, message: Message) -> Outcome {
        Outcome::new(vec![Effect::reply(visibility, message)])
    }

    pub fn private(message: Message) -> Outcome {
        Outcome::reply(Visibility::Private, message)
    }

    pub fn public(message: Message) -> Outcome {
        Outcome::reply(Visibility::Public, message)
    }

    /// Adds an effect after the others; the id names it in commits and message references.
    pub fn push(&mut self, effect: Effect) -> EffectId {
        self.effects.push(effect);
        EffectId(self.effects.len() - 1)
    }

    /// Records `record` once effect `after` was delivered (or was not).
    pub fn commit(&mut self, after: EffectId, record: impl Record) {
        self.commits.push(Commit::new(after, record));
    }

    /// The first answer to the interaction, if there is one: for tests and simple callers.
    pub fn first_reply(&self) -> Option<(Visibility, &Message)> {
        self.effects.iter().find_map(|e| match e {
            Effect::Reply {
                visibility,
                message,
            } => Some((*visibility, message)),
            _ => None,
        })
    }
}

/// A suggestion offered while the user types an option value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// What the user sees (at most 100 characters).
    pub name: String,
    /// What is filled in (at most 100 characters).
    pub value: String,
}
