//! Slash-command registration, generated from the engine's command table.

use serenity::all::{
    CommandOptionType, CreateCommand, CreateCommandOption, InteractionContext, Permissions,
};

use crate::engine::{CommandSpec, OptionKind, OptionSpec, Registry};

use super::convert::channel_types;

/// The registration payload for every command the engine declares.
pub fn commands(registry: Registry) -> Vec<CreateCommand> {
    registry.commands().map(command).collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::command::{Args, ChoiceSpec, Handler};
    use crate::engine::{Access, Answer, ChannelKind, Engine, Error, Outcome, Request};

    fn nothing(_: &Engine, _: &Request, _: &Args) -> Result<Outcome, Error> {
        Ok(Outcome::default())
    }

    /// A leaf declared by hand (options and handler apart), as registration sees any leaf.
    const fn raw(
        name: &'static str,
        description: &'static str,
        options: &'static [OptionSpec],
        handler: Handler,
    ) -> CommandSpec {
        CommandSpec {
            name,
            description,
            options,
            subcommands: &[],
            handler: Some(handler),
            access: Access::Everyone,
            answer: Answer::Private,
            default_permissions: None,
        }
    }

    const CHANNEL_OPT: &[OptionSpec] = &[
        OptionSpec {
            name: "channel",
            description: "Where",
            kind: OptionKind::Channel {
                kinds: &[ChannelKind::Text, ChannelKind::Announcement],
            },
            required: true,
            choices: &[],
            completion: None,
        },
        OptionSpec {
            name: "role",
            description: "Who to mention",
            kind: OptionKind::Role,
            required: false,
            choices: &[],
            completion: None,
        },
        OptionSpec {
            name: "weight",
            description: "A number",
            kind: OptionKind::Number { min: 0.5, max: 2.0 },
            required: false,
            choices: &[],
            completion: None,
        },
        OptionSpec {
            name: "who",
            description: "A member",
            kind: OptionKind::User,
            required: false,
            choices: &[],
            completion: None,
        },
        OptionSpec {
            name: "file",
            description: "A file",
            kind: OptionKind::Attachment,
            required: false,
            choices: &[],
            completion: None,
        },
        OptionSpec {
            name: "level",
            description: "A level",
            kind: OptionKind::Text { max_len: 10 },
            required: false,
            choices: &[ChoiceSpec {
                name: "Junior",
                value: "junior",
            }],
            completion: None,
        },
    ];

    static TREE: CommandSpec = CommandSpec {
        name: "daily",
        description: "Daily practice",
        options: &[],
        subcommands: &[
            CommandSpec {
                access: Access::Managers,
                ..raw("set", "Set a schedule", CHANNEL_OPT, nothing)
            },
            CommandSpec {
                name: "show",
                description: "Show things",
                options: &[],
                subcommands: &[raw("all", "Everything", &[], nothing)],
                handler: None,
                access: Access::Everyone,
                answer: Answer::Private,
                default_permissions: None,
            },
        ],
        handler: None,
        access: Access::Everyone,
        answer: Answer::Private,
        default_permissions: Some(1 << 5),
    };

    #[test]
    fn groups_subcommands_and_every_option_kind_register_as_discord_expects() {
        let body = serde_json::to_value(vec![command(&TREE)]).unwrap();
        let c = &body[0];
        assert_eq!(c["default_member_permissions"], "32");
        assert_eq!(c["options"][0]["type"], 1, "set is a subcommand");
        assert_eq!(c["options"][1]["type"], 2, "show is a group");
        assert_eq!(c["options"][1]["options"][0]["type"], 1);
        let set = &c["options"][0]["options"];
        let kinds: Vec<u64> = set
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["type"].as_u64().unwrap())
            .collect();
        assert_eq!(kinds, [7, 8, 10, 6, 11, 3]);
        assert_eq!(set[0]["channel_types"], serde_json::json!([0, 5]));
        crate::discord::assert_valid_request(
            "PUT",
            "/api/v10/applications/1/guilds/2/commands",
            &body,
        );
        // And the shipped table.
        let shipped = serde_json::to_value(commands(crate::features::REGISTRY)).unwrap();
        crate::discord::assert_valid_request(
            "PUT",
            "/api/v10/applications/1/guilds/2/commands",
            &shipped,
        );
    }
}
