//! Translation between serenity's interaction types and the engine's requests and messages.

use serenity::all::{
    ActionRowComponent, ButtonStyle as DiscordButtonStyle, ChannelId, ChannelType,
    CommandDataOption, CommandDataOptionValue, CommandInteraction, ComponentInteraction,
    ComponentInteractionDataKind, CreateActionRow, CreateAllowedMentions, CreateAttachment,
    CreateButton, CreateEmbed, CreateEmbedFooter, CreateInputText,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    CreateModal, CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
    EditInteractionResponse, EditMessage, InputTextStyle, Member, MessageId, ModalInteraction,
    PartialChannel, RoleId, User,
};

use crate::engine::{
    Button, ButtonStyle, Card, ChannelKind, Delivered, Error, Fetched, InputStyle, Invocation,
    Member as EngineMember, Message, Modal, Permissions, RawOption, RawValue, Request, Resolved,
    ResolvedAttachment, ResolvedChannel, ResolvedRole, ResolvedUser, SourceMessage, limits,
};

/// What delivering a message came to: the channel and the id Discord gave it.
pub(super) fn posted(channel: ChannelId, message: MessageId) -> Delivered {
    Delivered::Message {
        channel_id: Some(channel.get().into()),
        message_id: Some(message.get().into()),
    }
}

/// Buttons per action row, and rows per message.
const BUTTONS_PER_ROW: usize = 5;

pub(super) fn member(user: &User, member: Option<&Member>) -> EngineMember {
    EngineMember {
        user_id: user.id.get().into(),
        name: user.name.clone(),
        roles: member
            .map(|m| m.roles.iter().map(|r| r.get().into()).collect())
            .unwrap_or_default(),
        permissions: Permissions(member.and_then(|m| m.permissions).map_or(0, |p| p.bits())),
    }
}

/// The engine's name for a Discord channel type.
pub fn channel_kind(kind: ChannelType) -> ChannelKind {
    match kind {
        ChannelType::Text => ChannelKind::Text,
        ChannelType::News => ChannelKind::Announcement,
        ChannelType::Voice | ChannelType::Stage => ChannelKind::Voice,
        ChannelType::Category => ChannelKind::Category,
        ChannelType::PublicThread | ChannelType::PrivateThread | ChannelType::NewsThread => {
            ChannelKind::Thread
        }
        ChannelType::Forum => ChannelKind::Forum,
        _ => ChannelKind::Other,
    }
}

/// The Discord channel types an engine channel kind stands for (for registration).
pub fn channel_types(kind: ChannelKind) -> Vec<ChannelType> {
    match kind {
        ChannelKind::Text => vec![ChannelType::Text],
        ChannelKind::Announcement => vec![ChannelType::News],
        ChannelKind::Voice => vec![ChannelType::Voice, ChannelType::Stage],
        ChannelKind::Category => vec![ChannelType::Category],
        ChannelKind::Thread => vec![
            ChannelType::PublicThread,
            ChannelType::PrivateThread,
            ChannelType::NewsThread,
        ],
        ChannelKind::Forum => vec![ChannelType::Forum],
        ChannelKind::Other => Vec::new(),
    }
}

/// A subcommand's path and its leaf options: Discord nests them inside the options.
fn flatten(name: &str, options: &[CommandDataOption]) -> (String, Vec<RawOption>) {
    let mut path = name.to_string();
    let mut current = options;
    while let Some((
        sub,
        CommandDataOptionValue::SubCommand(inner) | CommandDataOptionValue::SubCommandGroup(inner),
    )) = current.first().map(|o| (&o.name, &o.value))
    {
        path.push(' ');
        path.push_str(sub);
        current = inner;
    }
    let raw = current
        .iter()
        .map(|o| RawOption {
            name: o.name.clone(),
            value: match &o.value {
                CommandDataOptionValue::String(s) => RawValue::Text(s.clone()),
                CommandDataOptionValue::Integer(n) => RawValue::Integer(*n),
                CommandDataOptionValue::Boolean(b) => RawValue::Bool(*b),
                CommandDataOptionValue::Number(n) => RawValue::Number(*n),
                CommandDataOptionValue::User(id) => RawValue::Id(id.get()),
                CommandDataOptionValue::Role(id) => RawValue::Id(id.get()),
                CommandDataOptionValue::Channel(id) => RawValue::Id(id.get()),
                CommandDataOptionValue::Attachment(id) => RawValue::Id(id.get()),
                CommandDataOptionValue::Mentionable(id) => RawValue::Id(id.get()),
                CommandDataOptionValue::Autocomplete { value, .. } => RawValue::Text(value.clone()),
                // Nested subcommands were unwrapped above; anything else is a shape Discord
                // does not send for our declarations, and the engine reports it as invalid.
                _ => RawValue::Text(String::new()),
            },
        })
        .collect();
    (path, raw)
}

fn resolved(cmd: &CommandInteraction) -> Resolved {
    let r = &cmd.data.resolved;
    let mut out = Resolved::default();
    for (id, user) in &r.users {
        let name = r
            .members
            .get(id)
            .and_then(|m| m.nick.clone())
            .unwrap_or_else(|| {
                user.global_name
                    .clone()
                    .unwrap_or_else(|| user.name.clone())
            });
        out.users.insert(
            id.get().into(),
            ResolvedUser {
                id: id.get().into(),
                name,
            },
        );
    }
    for (id, role) in &r.roles {
        out.roles.insert(
            id.get().into(),
            ResolvedRole {
                id: id.get().into(),
                name: role.name.clone(),
                mentionable: role.mentionable,
            },
        );
    }
    for (id, channel) in &r.channels {
        out.channels.insert(
            id.get().into(),
            ResolvedChannel {
                id: id.get().into(),
                name: channel.name.clone().unwrap_or_default(),
                kind: channel_kind(channel.kind),
                // Discord tells the bot its own permissions only for the channel the command
                // was used in; elsewhere they are checked when posting.
                bot_permissions: (*id == cmd.channel_id)
                    .then_some(cmd.app_permissions)
                    .flatten()
                    .map(|p| Permissions(p.bits())),
            },
        );
    }
    for (id, a) in &r.attachments {
        out.attachments.insert(
            id.get(),
            ResolvedAttachment {
                id: id.get(),
                filename: a.filename.clone(),
                size: u64::from(a.size),
                url: a.url.clone(),
                // Fetched by the handler for commands that read files.
                content: Fetched::NotFetched,
            },
        );
    }
    out
}

/// The channel a thread is in, from the channel object Discord sends with an interaction
/// (`channel`, a partial channel whose `parent_id` is, for a thread, its text channel; for
/// another channel, its category, which is not wanted here).
fn thread_parent(channel: ChannelId, partial: Option<&PartialChannel>) -> Option<u64> {
    let partial = partial.filter(|p| p.id == channel)?;
    match partial.kind {
        ChannelType::PublicThread | ChannelType::PrivateThread | ChannelType::NewsThread => {
            partial.parent_id.map(|p| p.get())
        }
        _ => None,
    }
}

/// The engine request for interaction `$i` (a command, button or modal: serenity gives each
/// the same fields) made by `$member`; one outside a server returns `Error::OutsideGuild`
/// from the calling function.
macro_rules! member_request {
    ($i:expr, $member:expr, $invocation:expr) => {{
        let i = $i;
        let guild = i.guild_id.ok_or(Error::OutsideGuild)?;
        let request = Request::member(
            guild.get(),
            i.channel_id.get(),
            member(&i.user, $member),
            $invocation,
        );
        match thread_parent(i.channel_id, i.channel.as_ref()) {
            Some(parent) => request.in_thread(parent),
            None => request,
        }
    }};
}

/// The engine request for a slash command; interactions outside a server are refused.
pub fn command_request(cmd: &CommandInteraction) -> Result<Request, Error> {
    let (name, options) = flatten(&cmd.data.name, &cmd.data.options);
    let request = member_request!(
        cmd,
        cmd.member.as_deref(),
        Invocation::Command { name, options }
    );
    Ok(Request {
        resolved: Resolved {
            thread_parent: request.thread_parent(),
            ..resolved(cmd)
        },
        ..request
    })
}

/// The command path and options of an autocomplete interaction.
pub fn autocomplete_path(cmd: &CommandInteraction) -> (String, Vec<RawOption>) {
    flatten(&cmd.data.name, &cmd.data.options)
}

/// The engine request for a button press or a choice in a drop-down list (Discord sends
/// every chosen value, `data.values`, with component type 3); interactions outside a server
/// are refused. Other kinds of select the bot never posts are read as a choice of nothing.
pub fn component_request(click: &ComponentInteraction) -> Result<Request, Error> {
    let custom_id = click.data.custom_id.clone();
    let message = Some(SourceMessage {
        id: click.message.id.get().into(),
        buttons: source_buttons(&click.message),
        selects: source_selects(&click.message),
    });
    let invocation = match &click.data.kind {
        ComponentInteractionDataKind::Button => Invocation::Button { custom_id, message },
        ComponentInteractionDataKind::StringSelect { values } => Invocation::Select {
            custom_id,
            values: values.clone(),
            message,
        },
        _ => Invocation::Select {
            custom_id,
            values: Vec::new(),
            message,
        },
    };
    Ok(member_request!(click, click.member.as_ref(), invocation))
}

/// The action ids of the drop-down lists of a message the bot posted.
fn source_selects(message: &serenity::all::Message) -> Vec<String> {
    message
        .components
        .iter()
        .flat_map(|row| &row.components)
        .filter_map(|c| match c {
            ActionRowComponent::SelectMenu(s) => s.custom_id.clone(),
            _ => None,
        })
        .collect()
}

/// The engine request for a submitted modal; interactions outside a server are refused.
pub fn modal_request(submit: &ModalInteraction) -> Result<Request, Error> {
    let fields = submit
        .data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .filter_map(|c| match c {
            ActionRowComponent::InputText(input) => Some((
                input.custom_id.clone(),
                input.value.clone().unwrap_or_default(),
            )),
            _ => None,
        })
        .collect();
    Ok(member_request!(
        submit,
        submit.member.as_ref(),
        Invocation::Modal {
            custom_id: submit.data.custom_id.clone(),
            fields,
        }
    ))
}

/// The buttons of a message the bot posted, as the engine describes them.
fn source_buttons(message: &serenity::all::Message) -> Vec<Button> {
    message
        .components
        .iter()
        .flat_map(|row| &row.components)
        .filter_map(|c| match c {
            ActionRowComponent::Button(b) => {
                let serenity::all::ButtonKind::NonLink { custom_id, style } = &b.data else {
                    return None;
                };
                Some(Button {
                    label: b.label.clone().unwrap_or_default(),
                    action: custom_id.clone(),
                    style: match style {
                        DiscordButtonStyle::Primary => ButtonStyle::Primary,
                        DiscordButtonStyle::Success => ButtonStyle::Success,
                        DiscordButtonStyle::Danger => ButtonStyle::Danger,
                        _ => ButtonStyle::Secondary,
                    },
                    disabled: b.disabled,
                })
            }
            _ => None,
        })
        .collect()
}

/// Only the buttons of a message: for updates that leave the rest of it as it is (the
/// messages whose buttons are updated this way have no drop-down lists).
pub fn buttons_only(buttons: &[Button]) -> Vec<CreateActionRow> {
    rows(&Message {
        buttons: buttons.to_vec(),
        ..Message::default()
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

/// The message's components: each drop-down list on a row of its own, then the buttons, five
/// to a row.
fn rows(message: &Message) -> Vec<CreateActionRow> {
    let selects = message.selects.iter().map(|s| {
        let options = s
            .options
            .iter()
            .map(|o| {
                let option = CreateSelectMenuOption::new(o.label.clone(), o.value.clone())
                    .default_selection(o.default);
                match &o.description {
                    Some(d) => option.description(d.clone()),
                    None => option,
                }
            })
            .collect();
        CreateActionRow::SelectMenu(
            CreateSelectMenu::new(s.action.clone(), CreateSelectMenuKind::String { options })
                .placeholder(s.placeholder.clone())
                .min_values(s.min)
                .max_values(s.max),
        )
    });
    let buttons = message.buttons.chunks(BUTTONS_PER_ROW).map(|row| {
        CreateActionRow::Buttons(
            row.iter()
                .map(|b| {
                    CreateButton::new(b.action.clone())
                        .label(b.label.clone())
                        .disabled(b.disabled)
                        .style(match b.style {
                            ButtonStyle::Primary => DiscordButtonStyle::Primary,
                            ButtonStyle::Secondary => DiscordButtonStyle::Secondary,
                            ButtonStyle::Success => DiscordButtonStyle::Success,
                            ButtonStyle::Danger => DiscordButtonStyle::Danger,
                        })
                })
                .collect(),
        )
    });
    selects.chain(buttons).collect()
}

fn attachments(message: &Message) -> Vec<CreateAttachment> {
    message
        .attachments
        .iter()
        .map(|a| CreateAttachment::bytes(a.bytes.clone(), a.filename.clone()))
        .collect()
}

/// Only the roles the engine named may be pinged; users, `@everyone` and everything else
/// never.
fn mentions(message: &Message) -> CreateAllowedMentions {
    CreateAllowedMentions::new().roles(message.ping_roles.iter().map(|r| RoleId::new(r.get())))
}

/// Logs (never sends) anything over Discord's limits: the engine is built to stay within
/// them, so a violation is a bug worth seeing.
fn guard(message: &Message) {
    let problems = limits::check_message(message);
    if !problems.is_empty() {
        tracing::error!(?problems, "message exceeds Discord limits");
    }
}

/// Applies a message to any of serenity's message builders, which share method names but
/// not a trait.
macro_rules! fill {
    ($builder:expr, $message:expr, $files:ident) => {{
        let message: &Message = $message;
        guard(message);
        let mut b = $builder
            .allowed_mentions(mentions(message))
            .embeds(message.cards.iter().map(embed).collect())
            .components(rows(message));
        if let Some(c) = &message.content {
            b = b.content(c.clone());
        }
        for file in attachments(message) {
            b = b.$files(file);
        }
        b
    }};
}

pub fn response_message(message: &Message, ephemeral: bool) -> CreateInteractionResponseMessage {
    fill!(CreateInteractionResponseMessage::new(), message, add_file).ephemeral(ephemeral)
}

pub fn followup(message: &Message, ephemeral: bool) -> CreateInteractionResponseFollowup {
    fill!(CreateInteractionResponseFollowup::new(), message, add_file).ephemeral(ephemeral)
}

pub fn edit(message: &Message) -> EditInteractionResponse {
    fill!(EditInteractionResponse::new(), message, new_attachment)
}

pub fn channel_message(message: &Message) -> CreateMessage {
    fill!(CreateMessage::new(), message, add_file)
}

pub fn edit_message(message: &Message) -> EditMessage {
    fill!(EditMessage::new(), message, new_attachment)
}

pub fn modal(modal: &Modal) -> CreateModal {
    let problems = limits::check_modal(modal);
    if !problems.is_empty() {
        tracing::error!(?problems, "modal exceeds Discord limits");
    }
    CreateModal::new(modal.action.clone(), modal.title.clone()).components(
        modal
            .inputs
            .iter()
            .map(|input| {
                let style = match input.style {
                    InputStyle::Short => InputTextStyle::Short,
                    InputStyle::Paragraph => InputTextStyle::Paragraph,
                };
                let mut field = CreateInputText::new(style, input.label.clone(), input.id.clone())
                    .required(input.required)
                    .max_length(input.max_len);
                if let Some(v) = &input.value {
                    field = field.value(v.clone());
                }
                if let Some(p) = &input.placeholder {
                    field = field.placeholder(p.clone());
                }
                CreateActionRow::InputText(field)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use serenity::all::CreateInteractionResponse;

    use super::*;
    use crate::engine::{Select, SelectOption, TextInput};

    #[test]
    fn a_modal_becomes_a_valid_modal_callback() {
        let m = Modal {
            action: "s:notes:12".into(),
            title: "Notes on the answer".into(),
            inputs: vec![
                TextInput::paragraph("notes", "Notes", 1000)
                    .value(Some("earlier text".into()))
                    .placeholder("What stood out?"),
                TextInput::short("headline", "One line", 100),
            ],
        };
        let body = serde_json::to_value(CreateInteractionResponse::Modal(modal(&m))).unwrap();
        assert_eq!(body["type"], 9);
        assert_eq!(body["data"]["custom_id"], "s:notes:12");
        assert_eq!(body["data"]["components"][0]["components"][0]["style"], 2);
        assert_eq!(
            body["data"]["components"][1]["components"][0]["required"],
            true
        );
        crate::discord::assert_valid_request("POST", "/api/v10/interactions/1/tok/callback", &body);
    }

    #[test]
    fn only_the_roles_the_engine_names_can_be_pinged() {
        let message = Message {
            content: Some("<@&77> @everyone <@5>".into()),
            ping_roles: vec![crate::model::RoleId(77)],
            ..Message::default()
        };
        let body = serde_json::to_value(channel_message(&message)).unwrap();
        assert_eq!(body["allowed_mentions"]["parse"], serde_json::json!([]));
        assert_eq!(body["allowed_mentions"]["roles"], serde_json::json!(["77"]));
        let none = serde_json::to_value(channel_message(&Message::text("@everyone"))).unwrap();
        assert_eq!(none["allowed_mentions"]["parse"], serde_json::json!([]));
        assert!(
            none["allowed_mentions"]["roles"]
                .as_array()
                .is_none_or(|r| r.is_empty())
        );
    }

    fn option(label: &str, value: &str, description: Option<&str>, default: bool) -> SelectOption {
        SelectOption {
            label: label.into(),
            value: value.into(),
            description: description.map(Into::into),
            default,
        }
    }

    #[test]
    fn selects_render_as_string_selects_in_rows_of_their_own_above_the_buttons() {
        let button = |action: &str| Button {
            label: action.to_uppercase(),
            action: action.into(),
            style: ButtonStyle::Primary,
            disabled: false,
        };
        let message = Message {
            content: Some("Evidence".into()),
            buttons: (0..6).map(|i| button(&format!("b{i}"))).collect(),
            ..Message::default()
        }
        .select(Select {
            action: "ev:covered:7".into(),
            placeholder: "Covered".into(),
            options: vec![
                option("Arrays", "arrays", Some("indexing"), true),
                option("Graphs", "graphs", None, false),
            ],
            min: 0,
            max: 2,
        })
        .select(Select::any_of(
            "ev:flags:7".into(),
            "Red flags heard",
            vec![option("Guessing", "guessing", None, false)],
        ));
        let body = serde_json::to_value(channel_message(&message)).unwrap();
        let rows = body["components"].as_array().unwrap();
        assert_eq!(
            rows.len(),
            4,
            "two select rows, then 6 buttons in rows of 5: {body}"
        );
        assert_eq!(
            rows[0],
            json!({"type": 1, "components": [{
                "type": 3,
                "custom_id": "ev:covered:7",
                "placeholder": "Covered",
                "min_values": 0,
                "max_values": 2,
                "options": [
                    {"label": "Arrays", "value": "arrays", "description": "indexing", "default": true},
                    {"label": "Graphs", "value": "graphs", "default": false}
                ]
            }]})
        );
        assert_eq!(rows[1]["type"], 1);
        assert_eq!(rows[1]["components"].as_array().unwrap().len(), 1);
        assert_eq!(rows[1]["components"][0]["type"], 3);
        assert_eq!(rows[1]["components"][0]["custom_id"], "ev:flags:7");
        assert_eq!(rows[1]["components"][0]["min_values"], 0);
        assert_eq!(rows[1]["components"][0]["max_values"], 1);
        for (row, n) in [(&rows[2], 5), (&rows[3], 1)] {
            assert_eq!(row["type"], 1);
            let buttons = row["components"].as_array().unwrap();
            assert_eq!(buttons.len(), n);
            assert!(buttons.iter().all(|b| b["type"] == 2), "{row}");
        }
        assert_eq!(rows[2]["components"][0]["custom_id"], "b0");
        crate::discord::assert_valid_request("POST", "/api/v10/channels/1/messages", &body);
        let response = CreateInteractionResponse::Message(response_message(&message, false));
        crate::discord::assert_valid_request(
            "POST",
            "/api/v10/interactions/1/tok/callback",
            &serde_json::to_value(response).unwrap(),
        );
    }

    /// A choice in a string select as Discord sends it (interaction type 3, `data` with
    /// `component_type` 3 and every chosen value, and the message the select is on).
    fn select_interaction() -> serde_json::Value {
        let user = |id: &str, name: &str| {
            json!({"id": id, "username": name, "discriminator": "0", "global_name": null,
                   "avatar": null})
        };
        let option = |value: &str| json!({"label": value, "value": value, "default": false});
        let components = json!([
            {"type": 1, "id": 1, "components": [{"type": 3, "id": 2,
                "custom_id": "ev:covered:7", "placeholder": "Covered",
                "min_values": 0, "max_values": 3,
                "options": [option("arrays"), option("graphs"), option("trees")]}]},
            {"type": 1, "id": 3, "components": [{"type": 3, "id": 4,
                "custom_id": "ev:flags:7", "min_values": 0, "max_values": 1,
                "options": [option("guessing")]}]},
            {"type": 1, "id": 5, "components": [{"type": 2, "id": 6, "style": 3,
                "label": "Done", "custom_id": "ev:done:7"}]}
        ]);
        let mut bot = user("2", "bot");
        bot["bot"] = json!(true);
        let message = json!({
            "id": "40",
            "channel_id": "20",
            "author": bot,
            "content": "Evidence",
            "timestamp": "2026-01-01T00:00:00+00:00",
            "edited_timestamp": null,
            "tts": false,
            "mention_everyone": false,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": false,
            "type": 0,
            "flags": 0,
            "components": components,
        });
        let member = json!({"user": user("30", "ana"), "roles": [],
            "joined_at": "2026-01-01T00:00:00+00:00", "deaf": false, "mute": false, "flags": 0,
            "permissions": "104324673"});
        json!({
            "id": "900",
            "application_id": "1",
            "type": 3,
            "token": "tok",
            "version": 1,
            "guild_id": "10",
            "channel_id": "20",
            "member": member,
            "app_permissions": "533113207808",
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": "10"},
            "context": 0,
            "attachment_size_limit": 10_485_760,
            "data": {"custom_id": "ev:covered:7", "component_type": 3,
                     "values": ["graphs", "arrays"]},
            "message": message,
        })
    }

    #[test]
    fn a_string_select_choice_becomes_a_select_invocation() {
        let click: ComponentInteraction = serde_json::from_value(select_interaction()).unwrap();
        let request = component_request(&click).unwrap();
        assert_eq!(request.channel_id, crate::model::ChannelId(20));
        let Invocation::Select {
            custom_id,
            values,
            message: Some(source),
        } = &request.invocation
        else {
            panic!("not a select: {:?}", request.invocation);
        };
        assert_eq!(custom_id, "ev:covered:7");
        assert_eq!(values, &["graphs", "arrays"]);
        assert_eq!(request.selected(), Some(&values[..]));
        assert_eq!(source.id, crate::model::MessageId(40));
        assert_eq!(source.selects, ["ev:covered:7", "ev:flags:7"]);
        assert_eq!(
            source.buttons,
            [Button {
                label: "Done".into(),
                action: "ev:done:7".into(),
                style: ButtonStyle::Success,
                disabled: false,
            }]
        );
        // A list the user cleared (min_values 0) sends no values.
        let mut cleared = select_interaction();
        cleared["data"]["values"] = json!([]);
        let click: ComponentInteraction = serde_json::from_value(cleared).unwrap();
        assert_eq!(component_request(&click).unwrap().selected(), Some(&[][..]));
    }
}
