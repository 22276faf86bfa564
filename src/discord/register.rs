//! Slash-command registration, generated from the engine's command table.

use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption, InteractionContext};

use crate::engine::{COMMANDS, CommandSpec, OptionKind, OptionSpec};

/// The registration payload for every command the engine declares.
pub fn commands() -> Vec<CreateCommand> {
    COMMANDS.iter().map(command).collect()
}

fn command(spec: &CommandSpec) -> CreateCommand {
    let mut c = CreateCommand::new(spec.name)
        .description(spec.description)
        // Interview data belongs to a server: no commands in DMs.
        .contexts(vec![InteractionContext::Guild]);
    for o in spec.options {
        c = c.add_option(option(o));
    }
    c
}

fn option(o: &OptionSpec) -> CreateCommandOption {
    let kind = match o.kind {
        OptionKind::Text { .. } => CommandOptionType::String,
        OptionKind::Integer { .. } => CommandOptionType::Integer,
        OptionKind::Boolean => CommandOptionType::Boolean,
    };
    let mut opt = CreateCommandOption::new(kind, o.name, o.description).required(o.required);
    match o.kind {
        OptionKind::Text { max_len } if o.choices.is_empty() => {
            opt = opt.min_length(1).max_length(max_len);
        }
        OptionKind::Integer { min, max } => {
            opt = opt
                .min_int_value(min.max(0) as u64)
                .max_int_value(max.max(0) as u64);
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
