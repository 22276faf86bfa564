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
    let choices = match ac.data.autocomplete() {
        Some(focused) => {
            let (command, options) = convert::autocomplete_path(ac);
            let req = AutocompleteRequest {
                guild_id: ac.guild_id.map_or(0, |g| g.get()),
                channel_id: ac.channel_id.get(),
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
        None => Vec::new(),
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
