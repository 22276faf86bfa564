//! Translation between serenity's interaction types and the engine's request and reply.

use serenity::all::{
    ButtonStyle as DiscordButtonStyle, CommandDataOptionValue, CommandInteraction,
    ComponentInteraction, CreateActionRow, CreateAllowedMentions, CreateAttachment, CreateButton,
    CreateEmbed, CreateEmbedFooter, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, EditInteractionResponse, Member, User,
};

use crate::engine::{
    ButtonStyle, Caller, Card, Invocation, Permissions, RawOption, RawValue, Reply, Request,
    Visibility, limits,
};

/// Buttons per action row, and rows per message.
const BUTTONS_PER_ROW: usize = 5;

fn caller(user: &User, member: Option<&Member>) -> Caller {
    Caller {
        user_id: user.id.get(),
        name: user.name.clone(),
        roles: member
            .map(|m| m.roles.iter().map(|r| r.get()).collect())
            .unwrap_or_default(),
        permissions: Permissions(member.and_then(|m| m.permissions).map_or(0, |p| p.bits())),
    }
}

/// The engine request for a slash command, or `None` outside a server.
pub fn command_request(cmd: &CommandInteraction) -> Option<Request> {
    let options = cmd
        .data
        .options
        .iter()
        .map(|o| RawOption {
            name: o.name.clone(),
            value: match &o.value {
                CommandDataOptionValue::String(s) => RawValue::Text(s.clone()),
                CommandDataOptionValue::Integer(n) => RawValue::Integer(*n),
                CommandDataOptionValue::Boolean(b) => RawValue::Bool(*b),
                CommandDataOptionValue::Number(n) => RawValue::Text(n.to_string()),
                other => RawValue::Text(format!("{other:?}")),
            },
        })
        .collect();
    Some(Request {
        guild_id: cmd.guild_id?.get(),
        channel_id: cmd.channel_id.get(),
        caller: caller(&cmd.user, cmd.member.as_deref()),
        invocation: Invocation::Command {
            name: cmd.data.name.clone(),
            options,
        },
    })
}

/// The engine request for a button press, or `None` outside a server.
pub fn component_request(click: &ComponentInteraction) -> Option<Request> {
    Some(Request {
        guild_id: click.guild_id?.get(),
        channel_id: click.channel_id.get(),
        caller: caller(&click.user, click.member.as_ref()),
        invocation: Invocation::Action {
            custom_id: click.data.custom_id.clone(),
        },
    })
}

fn embed(card: &Card) -> CreateEmbed {
    let mut e = CreateEmbed::new();
    if let Some(t) = &card.title {
        e = e.title(t);
    }
    if let Some(d) = &card.description {
        e = e.description(d);
    }
    if let Some(c) = card.colour {
        e = e.colour(c);
    }
    if let Some(f) = &card.footer {
        e = e.footer(CreateEmbedFooter::new(f));
    }
    e.fields(
        card.fields
            .iter()
            .map(|f| (f.name.clone(), f.value.clone(), f.inline)),
    )
}

fn rows(reply: &Reply) -> Vec<CreateActionRow> {
    reply
        .buttons
        .chunks(BUTTONS_PER_ROW)
        .map(|row| {
            CreateActionRow::Buttons(
                row.iter()
                    .map(|b| {
                        CreateButton::new(b.action.clone())
                            .label(b.label.clone())
                            .style(match b.style {
                                ButtonStyle::Primary => DiscordButtonStyle::Primary,
                                ButtonStyle::Secondary => DiscordButtonStyle::Secondary,
                                ButtonStyle::Danger => DiscordButtonStyle::Danger,
                            })
                    })
                    .collect(),
            )
        })
        .collect()
}

fn attachments(reply: &Reply) -> Vec<CreateAttachment> {
    reply
        .attachments
        .iter()
        .map(|a| CreateAttachment::bytes(a.bytes.clone(), a.filename.clone()))
        .collect()
}

/// Logs (never sends) anything over Discord's limits: the engine is built to stay within
/// them, so a violation is a bug worth seeing.
fn guard(reply: &Reply) {
    let problems = limits::check_reply(reply);
    if !problems.is_empty() {
        tracing::error!(?problems, "reply exceeds Discord limits");
    }
}

/// Applies a reply to any of serenity's message builders, which share method names but not a
/// trait. Mentions are always disabled: nothing the bot posts can ping anyone.
macro_rules! fill {
    ($builder:expr, $reply:expr, $files:ident) => {{
        let reply: &Reply = $reply;
        guard(reply);
        let mut b = $builder
            .allowed_mentions(CreateAllowedMentions::new())
            .embeds(reply.cards.iter().map(embed).collect())
            .components(rows(reply));
        if let Some(c) = &reply.content {
            b = b.content(c.clone());
        }
        for file in attachments(reply) {
            b = b.$files(file);
        }
        b
    }};
}

pub fn response_message(reply: &Reply) -> CreateInteractionResponseMessage {
    fill!(CreateInteractionResponseMessage::new(), reply, add_file)
        .ephemeral(reply.visibility == Visibility::Private)
}

pub fn followup(reply: &Reply) -> CreateInteractionResponseFollowup {
    fill!(CreateInteractionResponseFollowup::new(), reply, add_file)
        .ephemeral(reply.visibility == Visibility::Private)
}

pub fn edit(reply: &Reply) -> EditInteractionResponse {
    fill!(EditInteractionResponse::new(), reply, new_attachment)
}
