//! Suggestions while a user types an option value (Discord's autocomplete, the console's Tab):
//! topics, question ids, time zones, candidates and commands, whichever command asks for them.

use super::catalog::Listed;
use crate::bank::Level;
use crate::model::{ChannelId, GuildId};
use crate::text::{name_key, truncate};

use super::access::is_manager;
use super::command::Completion;
use super::effect::Choice;
use super::request::{AutocompleteRequest, RawOption, RawValue};
use super::{Engine, MAX_CHOICES};

/// How many of a channel's recent questions lead the id suggestions.
const RECENT_SUGGESTIONS: usize = 10;

/// Suggestions for `completion`, best first, at most [`MAX_CHOICES`].
pub fn suggest(engine: &Engine, completion: Completion, req: &AutocompleteRequest) -> Vec<Choice> {
    match completion {
        Completion::Topic => complete_topic(
            engine,
            req.guild_id,
            &req.partial,
            chosen_level(&req.options),
        ),
        Completion::QuestionId => {
            complete_question_id(engine, req.guild_id, req.channel_id, &req.partial)
        }
        Completion::Timezone => complete_timezone(&req.partial),
        Completion::Candidate => complete_candidate(engine, req),
        Completion::Command => complete_command(engine, &req.partial),
        Completion::Pack => complete_pack(engine, req.guild_id, &req.partial),
    }
}

/// The server's packs whose id or name holds what was typed, with their names.
fn complete_pack(engine: &Engine, guild: GuildId, partial: &str) -> Vec<Choice> {
    let needle = partial.trim().to_lowercase();
    let Ok(catalog) = engine.catalog(guild) else {
        return Vec::new();
    };
    catalog
        .packs()
        .into_iter()
        .map(|p| p.info)
        .filter(|p| p.id.as_str().contains(&needle) || p.title().to_lowercase().contains(&needle))
        .take(MAX_CHOICES)
        .map(|p| Choice {
            name: truncate(&format!("{} ({})", p.title(), p.id), 100),
            value: p.id.to_string(),
        })
        .collect()
}

/// The top-level commands whose name starts with what was typed (a leading `/` allowed), in
/// the order `/help` lists them.
fn complete_command(engine: &Engine, partial: &str) -> Vec<Choice> {
    let typed = partial.trim().trim_start_matches('/').to_lowercase();
    engine
        .registry()
        .commands()
        .filter(|c| c.name.starts_with(&typed))
        .take(MAX_CHOICES)
        .map(|c| Choice {
            name: format!("/{}", c.name),
            value: c.name.to_string(),
        })
        .collect()
}

/// Topic suggestions with readable names, counting only the questions of the level already
/// chosen (if any).
fn complete_topic(
    engine: &Engine,
    guild: GuildId,
    partial: &str,
    level: Option<Level>,
) -> Vec<Choice> {
    let needle = partial.trim().to_lowercase();
    // Only topics of the packs switched on here; with the store unreadable, no suggestions.
    let Ok(catalog) = engine.catalog(guild) else {
        return Vec::new();
    };
    let mut topics: Vec<(&str, String, usize)> = catalog
        .topics()
        .into_iter()
        .map(|t| (t, catalog.topic_name(t)))
        .filter(|(t, name)| t.contains(&needle) || name.to_lowercase().contains(&needle))
        .map(|(t, name)| (t, name, catalog.filter(level, Some(t)).count()))
        .filter(|(_, _, n)| *n > 0)
        .collect();
    // Prefix matches first, then alphabetical.
    topics.sort_by_key(|(t, name, _)| {
        let prefix = t.starts_with(&needle) || name.to_lowercase().starts_with(&needle);
        (!prefix, name.clone())
    });
    let of = level.map_or(String::new(), |l| format!(" {}", l.title().to_lowercase()));
    topics
        .into_iter()
        .take(MAX_CHOICES)
        .map(|(t, name, n)| Choice {
            name: truncate(
                &format!("{name} ({n}{of} question{})", if n == 1 { "" } else { "s" }),
                100,
            ),
            value: t.to_string(),
        })
        .collect()
}

/// Id suggestions: level and topic, then the question's text; by id prefix or words. With
/// nothing typed, the questions last posted in this channel come first.
fn complete_question_id(
    engine: &Engine,
    guild_id: GuildId,
    channel_id: ChannelId,
    partial: &str,
) -> Vec<Choice> {
    let Ok(catalog) = engine.catalog(guild_id) else {
        return Vec::new();
    };
    let mut picked: Vec<Listed<'_>> = Vec::new();
    if partial.trim().is_empty() {
        let recent = engine
            .store
            .read(|db| db.recent_in_channel(guild_id, channel_id, RECENT_SUGGESTIONS))
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "recent questions unavailable for suggestions");
                Vec::new()
            });
        let listed: Vec<Listed<'_>> = catalog.all().collect();
        for id in &recent {
            let id = catalog.current_id(id);
            if let Some(q) = listed.iter().find(|q| q.id == id) {
                picked.push(*q);
            }
        }
    }
    for q in catalog.search(partial, MAX_CHOICES) {
        if picked.len() >= MAX_CHOICES {
            break;
        }
        if !picked.iter().any(|p| p.id == q.id) {
            picked.push(q);
        }
    }
    picked
        .into_iter()
        .map(|q| {
            // The prompt helps pick; an imported question's is read from the store (at most
            // MAX_CHOICES of them), and left out if it cannot be.
            let prompt = catalog
                .load(q)
                .map(|found| found.prompt.clone())
                .unwrap_or_default();
            Choice {
                name: truncate(
                    &format!(
                        "{} · {} · {}",
                        q.level.title(),
                        catalog.topic_name(q.topic),
                        prompt
                    ),
                    100,
                ),
                value: q.id.to_string(),
            }
        })
        .collect()
}

/// Time-zone suggestions for autocomplete.
fn complete_timezone(partial: &str) -> Vec<Choice> {
    crate::time::complete_zones(partial, MAX_CHOICES)
        .into_iter()
        .map(|z| Choice {
            name: z.clone(),
            value: z,
        })
        .collect()
}

/// Candidate suggestions: names containing what was typed (ignoring case), newest first;
/// only for interviewers (nothing when the front end does not say who is typing).
fn complete_candidate(engine: &Engine, req: &AutocompleteRequest) -> Vec<Choice> {
    let guild_id = req.guild_id;
    let Some(m) = &req.member else {
        return Vec::new();
    };
    let interviewer = is_manager(m)
        || engine
            .store
            .read(|db| db.interviewer_role(guild_id))
            .ok()
            .flatten()
            .is_some_and(|r| m.roles.contains(&r));
    if !interviewer {
        return Vec::new();
    }
    let needle = name_key(&req.partial);
    let names = engine
        .store
        .read(|db| db.candidate_names(guild_id, 1000))
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "candidates unavailable for suggestions");
            Vec::new()
        });
    let mut picked: Vec<(bool, String)> = names
        .into_iter()
        .filter(|(_, key)| key.contains(&needle))
        .map(|(name, key)| (!key.starts_with(&needle), name))
        .collect();
    // Prefix matches first, the rest in their (newest first) order.
    picked.sort_by_key(|(later, _)| *later);
    picked
        .into_iter()
        .take(MAX_CHOICES)
        .map(|(_, name)| Choice {
            name: truncate(&name, 100),
            value: name,
        })
        .collect()
}

/// The level already chosen in an autocomplete request, if any.
fn chosen_level(options: &[RawOption]) -> Option<Level> {
    options.iter().find_map(|o| match (&*o.name, &o.value) {
        ("level", RawValue::Text(t)) => Level::parse(t),
        _ => None,
    })
}
