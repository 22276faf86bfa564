//! Autocomplete: the engine's suggestions for the option being typed, answered within the
//! interaction's window.

use serenity::all::{
    AutocompleteChoice, CommandInteraction, Context, CreateAutocompleteResponse,
    CreateInteractionResponse,
};

use crate::engine::{AutocompleteRequest, Engine};

use super::convert;
use super::respond::Target;

/// Answers an autocomplete interaction with the engine's suggestions.
pub(super) async fn answer(
    engine: &Engine,
    ctx: &Context,
    ac: &CommandInteraction,
) -> Result<(), serenity::Error> {
    // Outside a server (a DM) nothing is suggested: the commands work in servers only.
    let choices = match (ac.data.autocomplete(), ac.guild_id) {
        (Some(focused), Some(guild)) => {
            let (command, options) = convert::autocomplete_path(ac);
            let req = AutocompleteRequest {
                guild_id: guild.get().into(),
                channel_id: ac.channel_id.get().into(),
                command,
                option: focused.name.to_string(),
                partial: focused.value.to_string(),
                options,
                member: Some(convert::member(&ac.user, ac.member.as_deref())),
            };
            // Suggestions may read the store: off the async workers, like every store call.
            let engine = engine.clone();
            tokio::task::spawn_blocking(move || engine.autocomplete(&req))
                .await
                .unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let response = CreateAutocompleteResponse::new().set_choices(
        choices
            .into_iter()
            .map(|c| AutocompleteChoice::new(c.name, c.value))
            .collect(),
    );
    Target::from(ac)
        .respond_as(
            "autocomplete",
            &ctx.http,
            CreateInteractionResponse::Autocomplete(response),
        )
        .await
}
