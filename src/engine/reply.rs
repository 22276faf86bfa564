//! What the engine hands back: a message description with no Discord types. Front ends render
//! it (serenity builders, or text in a terminal).

/// Who sees a reply.
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
    Danger,
}

/// A button; pressing it sends `action` back to the engine as [`super::Invocation::Action`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub action: String,
    pub style: ButtonStyle,
}

/// A file sent with the reply (CSV exports, for example).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A complete reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub visibility: Visibility,
    pub content: Option<String>,
    pub cards: Vec<Card>,
    pub buttons: Vec<Button>,
    pub attachments: Vec<Attachment>,
    /// True when the reply reports a failure (for logs and outcome counts).
    pub is_error: bool,
}

impl Reply {
    pub fn new(visibility: Visibility) -> Reply {
        Reply {
            visibility,
            content: None,
            cards: Vec::new(),
            buttons: Vec::new(),
            attachments: Vec::new(),
            is_error: false,
        }
    }

    pub fn private_text(text: impl Into<String>) -> Reply {
        Reply {
            content: Some(text.into()),
            ..Reply::new(Visibility::Private)
        }
    }

    pub fn card(mut self, card: Card) -> Reply {
        self.cards.push(card);
        self
    }

    pub fn button(mut self, label: &str, action: String, style: ButtonStyle) -> Reply {
        self.buttons.push(Button {
            label: label.to_string(),
            action,
            style,
        });
        self
    }

    pub fn is_private(&self) -> bool {
        self.visibility == Visibility::Private
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
