//! Slash-command registration, generated from the engine's command table.

use serenity::all::{
    CommandOptionType, CreateCommand, CreateCommandOption, InteractionContext, Permissions,
};

use crate::engine::{COMMANDS, CommandSpec, OptionKind, OptionSpec};

use super::convert::channel_types;

/// The registration payload for every command the engine declares.
pub fn commands() -> Vec<CreateCommand> {
    COMMANDS.iter().map(command).collect()
}

fn command(spec: &CommandSpec) -> CreateCommand {
    let mut c = CreateCommand::new(spec.name)
        .description(spec.description)
        // Interview data belongs to a server: no commands in DMs.
        .contexts(vec![InteractionContext::Guild]);
    if let Some(bits) = spec.default_permissions {
        c = c.default_member_permissions(Permissions::from_bits_truncate(bits));
    }
    for o in spec.options {
        c = c.add_option(option(o));
    }
    for sub in spec.subcommands {
        c = c.add_option(subcommand(sub));
    }
    c
}

/// A subcommand (a leaf) or a subcommand group (a node with subcommands).
fn subcommand(spec: &CommandSpec) -> CreateCommandOption {
    let kind = if spec.is_group() {
        CommandOptionType::SubCommandGroup
    } else {
        CommandOptionType::SubCommand
    };
    let mut opt = CreateCommandOption::new(kind, spec.name, spec.description);
    for o in spec.options {
        opt = opt.add_sub_option(option(o));
    }
    for sub in spec.subcommands {
        opt = opt.add_sub_option(subcommand(sub));
    }
    opt
}

fn option(o: &OptionSpec) -> CreateCommandOption {
    let kind = match o.kind {
        OptionKind::Text { .. } => CommandOptionType::String,
        OptionKind::Integer { .. } => CommandOptionType::Integer,
        OptionKind::Number { .. } => CommandOptionType::Number,
        OptionKind::Boolean => CommandOptionType::Boolean,
        OptionKind::User => CommandOptionType::User,
        OptionKind::Role => CommandOptionType::Role,
        OptionKind::Channel { .. } => CommandOptionType::Channel,
        OptionKind::Attachment => CommandOptionType::Attachment,
    };
    let mut opt = CreateCommandOption::new(kind, o.name, o.description).required(o.required);
    match o.kind {
        OptionKind::Text { max_len } if o.choices.is_empty() => {
            opt = opt.min_length(1).max_length(max_len);
        }
        OptionKind::Integer { min, max } => {
            // serenity takes unsigned bounds; the engine checks negative ones itself.
            opt = opt
                .min_int_value(min.max(0) as u64)
                .max_int_value(max.max(0) as u64);
        }
        OptionKind::Number { min, max } => {
            opt = opt.min_number_value(min).max_number_value(max);
        }
        OptionKind::Channel { kinds } if !kinds.is_empty() => {
            opt = opt.channel_types(kinds.iter().flat_map(|k| channel_types(*k)).collect());
        }
        _ => {}
    }
    for choice in o.choices {
        opt = opt.add_string_choice(choice.name, choice.value);
    }
    if o.completion.is_some() {
        opt = opt.set_autocomplete(true);
    }
    opt
}
