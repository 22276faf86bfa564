//! REST routes: what Discord answers, and which protocol rules a request breaks.
//!
//! The interaction rules follow Discord's documentation; each is cited where it is applied, and
//! `README.md` lists them all.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use serenity::model::channel::{GuildChannel, Message};

use crate::gateway::check_model;
use crate::payloads::*;
use crate::server::Reply;
use crate::state::*;
use crate::{
    BOT_PERMISSIONS, FLAG_COMPONENTS_V2, FLAG_EPHEMERAL, FLAG_LOADING, FLAG_SUPPRESS_EMBEDS,
    FakeDiscord,
};

/// How long `enforce_nonce` remembers a nonce ("the past few minutes" in Discord's docs).
const NONCE_WINDOW: Duration = Duration::from_secs(5 * 60);

const CREATE_FOLLOWUP_DOCS: &str = "https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message";

pub(crate) fn route(
    shared: &Shared,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: &Value,
    files: &[String],
) -> Reply {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", ["gateway"]) => Reply::json(200, json!({"url": shared.gateway_url()})),
        ("GET", ["gateway", "bot"]) => Reply::json(
            200,
            json!({
                "url": shared.gateway_url(),
                "shards": 1,
                "session_start_limit": {
                    "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1
                },
            }),
        ),
        ("GET", ["users", "@me"]) => Reply::json(200, current_user_json()),
        ("GET", ["oauth2", "applications", "@me"]) => Reply::json(200, application_json()),
        (_, ["applications", app, "commands", rest @ ..]) => {
            commands_route(shared, method, app, None, rest, body)
        }
        (_, ["applications", app, "guilds", guild, "commands", rest @ ..]) => {
            commands_route(shared, method, app, Some(guild), rest, body)
        }
        ("POST", ["interactions", id, token, "callback"]) => {
            interaction_callback(shared, id, token, query, body, files)
        }
        ("POST", ["webhooks", app, token]) => {
            webhook_route(shared, method, app, token, None, body, files)
        }
        (_, ["webhooks", app, token, "messages", message]) => {
            webhook_route(shared, method, app, token, Some(message), body, files)
        }
        ("GET", ["channels", channel]) => get_channel(shared, channel),
        ("POST", ["channels", channel, "messages"]) => create_message(shared, channel, body, files),
        ("GET", ["channels", channel, "messages"]) => list_messages(shared, channel, query),
        ("POST", ["channels", channel, "messages", message, "threads"]) => {
            start_thread(shared, channel, Some(message), body)
        }
        ("POST", ["channels", channel, "threads"]) => start_thread(shared, channel, None, body),
        (_, ["channels", channel, "messages", message]) => {
            channel_message_route(shared, method, channel, message, body, files)
        }
        _ => Reply::unknown(),
    }
}

fn snowflake(s: &str) -> Option<u64> {
    s.parse().ok()
}

/// A query parameter's value (`None` if absent).
fn query_param<'a>(query: Option<&'a str>, key: &str) -> Option<&'a str> {
    query?.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == key).then_some(v)
    })
}

pub(crate) fn finish(reply: Reply, problem: Option<String>) -> Reply {
    match problem {
        Some(p) => reply.with_violation(p),
        None => reply,
    }
}

pub(crate) fn commands_route(
    shared: &Shared,
    method: &str,
    app: &str,
    guild: Option<&str>,
    rest: &[&str],
    body: &Value,
) -> Reply {
    if app.parse::<u64>().ok() != Some(FakeDiscord::APP_ID) {
        return Reply::error(404, 10002, "Unknown Application").with_violation(format!(
            "application id {app} is not the application's id ({})",
            FakeDiscord::APP_ID
        ));
    }
    let scope = match guild {
        None => None,
        Some(g) if g.parse::<u64>().ok() == Some(FakeDiscord::GUILD_ID) => {
            Some(FakeDiscord::GUILD_ID)
        }
        Some(g) => {
            return Reply::error(403, 50001, "Missing Access").with_violation(format!(
                "guild {g} is not a guild the bot is in ({})",
                FakeDiscord::GUILD_ID
            ));
        }
    };
    let mut st = shared.lock();
    match (method, rest) {
        ("GET", []) => Reply::json(
            200,
            Value::Array(st.commands.get(&scope).cloned().unwrap_or_default()),
        ),
        ("PUT", []) => {
            let Some(list) = body.as_array() else {
                return Reply::error(400, 50035, "Invalid Form Body")
                    .with_violation("bulk overwrite body is not an array");
            };
            let old = st.commands.get(&scope).cloned().unwrap_or_default();
            let new: Vec<Value> = list
                .iter()
                .map(|c| make_command(shared, c, scope, &old))
                .collect();
            let check = new
                .iter()
                .find_map(|c| check_model::<serenity::model::application::Command>("command", c));
            st.commands.insert(scope, new.clone());
            finish(Reply::json(200, Value::Array(new)), check)
        }
        ("POST", []) => {
            let list = st.commands.entry(scope).or_default();
            let created = make_command(shared, body, scope, list);
            let check = check_model::<serenity::model::application::Command>("command", &created);
            let status = match list.iter_mut().find(|c| c["id"] == created["id"]) {
                Some(existing) => {
                    *existing = created.clone();
                    200
                }
                None => {
                    list.push(created.clone());
                    201
                }
            };
            finish(Reply::json(status, created), check)
        }
        (_, [command_id]) => {
            let list = st.commands.entry(scope).or_default();
            let Some(pos) = list
                .iter()
                .position(|c| c["id"].as_str() == Some(command_id))
            else {
                return Reply::error(404, 10063, "Unknown application command");
            };
            match method {
                "GET" => Reply::json(200, list[pos].clone()),
                "DELETE" => {
                    list.remove(pos);
                    Reply::no_content()
                }
                "PATCH" => {
                    let mut merged = list[pos].clone();
                    if let (Some(target), Some(changes)) =
                        (merged.as_object_mut(), body.as_object())
                    {
                        for (k, v) in changes {
                            target.insert(k.clone(), v.clone());
                        }
                    }
                    let updated = make_command(shared, &merged, scope, list);
                    list[pos] = updated.clone();
                    Reply::json(200, updated)
                }
                _ => Reply::unknown(),
            }
        }
        _ => Reply::unknown(),
    }
}

/// What a message edit does to the flags: only `SUPPRESS_EMBEDS` can be set or unset and
/// `IS_COMPONENTS_V2` only set ("Edit Message" and "Edit Webhook Message" JSON params,
/// https://discord.com/developers/docs/resources/message#edit-message); the ephemeral state of an
/// existing message cannot change (https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message).
/// Any edit ends the loading state of a deferred response. Returns the new flags and, if the
/// body asked for another ephemeral state, a note saying it was ignored.
fn edited_flags(old: u64, body: &Value) -> (u64, Option<String>) {
    let mut flags = old & !FLAG_LOADING;
    let mut note = None;
    if let Some(asked) = body.get("flags").and_then(Value::as_u64) {
        flags =
            (flags & !FLAG_SUPPRESS_EMBEDS) | (asked & (FLAG_SUPPRESS_EMBEDS | FLAG_COMPONENTS_V2));
        if asked & FLAG_EPHEMERAL != old & FLAG_EPHEMERAL {
            note = Some(format!(
                "the EPHEMERAL flag cannot change on an existing message: Discord ignores it and the \
                 message stays {} ({CREATE_FOLLOWUP_DOCS})",
                if old & FLAG_EPHEMERAL != 0 {
                    "ephemeral"
                } else {
                    "public"
                }
            ));
        }
    }
    (flags, note)
}

/// Applies an edit (PATCH body, or the follow-up that edits a deferred response) to a stored
/// message. Returns a note if Discord would silently ignore part of it.
fn apply_edit(
    shared: &Shared,
    message: &mut Value,
    body: &Value,
    files: &[String],
) -> Option<String> {
    let (flags, note) = edited_flags(message["flags"].as_u64().unwrap_or(0), body);
    edit_message(shared, message, body, files);
    message["flags"] = json!(flags);
    note
}

fn note(st: &mut State, what: String) {
    eprintln!("fake_discord: note: {what}");
    st.notes.push(what);
}

pub(crate) fn interaction_callback(
    shared: &Shared,
    id: &str,
    token: &str,
    query: Option<&str>,
    body: &Value,
    files: &[String],
) -> Reply {
    let mut guard = shared.lock();
    let st = &mut *guard;
    let deadline = st.ack_deadline;
    let Some(interaction_id) = snowflake(id).filter(|i| {
        st.interactions
            .get(i)
            .is_some_and(|interaction| interaction.token == token)
    }) else {
        return Reply::error(404, 10062, "Unknown interaction")
            .with_violation("callback for an interaction id/token the fake never sent");
    };
    let callback_type = body["type"].as_u64().unwrap_or(0);
    let interaction = st
        .interactions
        .get_mut(&interaction_id)
        .expect("checked above");
    if let Some(first) = interaction.answered_with {
        let what = if callback_type == 9 {
            format!(
                "a modal (callback type 9) can only be the first response, but this interaction \
                 was already answered with type {first}"
            )
        } else {
            "interaction answered twice (use the webhook routes after the first answer)".to_string()
        };
        return Reply::error(400, 40060, "Interaction has already been acknowledged.")
            .with_violation(what);
    }
    // https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type:
    // 6 and 7 only for component-based interactions (and modals opened from one), 8 only for
    // autocomplete, 9 not for MODAL_SUBMIT.
    let allowed: &[u64] = match interaction.kind {
        2 => &[4, 5, 9, 10, 12],
        3 => &[4, 5, 6, 7, 9, 10, 12],
        4 => &[8],
        5 => &[4, 5, 6, 7, 10, 12],
        _ => &[],
    };
    if !allowed.contains(&callback_type) {
        return Reply::error(400, 50035, "Invalid Form Body").with_violation(format!(
            "callback type {callback_type} is not valid for interaction type {}",
            interaction.kind
        ));
    }
    let source = interaction.source_message;
    if matches!(callback_type, 6 | 7) && source.is_none() {
        return Reply::error(400, 50035, "Invalid Form Body").with_violation(format!(
            "callback type {callback_type} updates the message the component is on, and this \
             interaction has none"
        ));
    }
    let mut violations = Vec::new();
    if let (Some(deadline), Some(sent_at)) = (deadline, interaction.sent_at) {
        let took = sent_at.elapsed();
        if took > deadline {
            // Past the 3 s window the interaction token is no longer valid for a first answer:
            // Discord answers 404 Unknown interaction (10062) and the user has already seen
            // "The application did not respond"
            // (https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction;
            // https://github.com/discord-jda/JDA-Website/pull/56,
            // https://github.com/discordjs/discord.js/issues/9476).
            return Reply::error(404, 10062, "Unknown interaction").with_violation(format!(
                "interaction answered {} ms after dispatch (Discord allows {} ms)",
                took.as_millis(),
                deadline.as_millis()
            ));
        }
    }
    interaction.answered_with = Some(callback_type);
    let data = &body["data"];
    let interaction_kind = interaction.kind;
    let channel_id = interaction.channel_id;
    let response_kind = if interaction_kind == 2 { 20 } else { 0 };
    let message_id = match callback_type {
        4 => {
            let m = make_message(shared, channel_id, data, files, response_kind, true);
            violations.extend(check_model::<Message>("message", &m));
            Some(st.insert_message(m, Some(interaction_id)))
        }
        5 => {
            // The deferral decides the response's ephemeral state for good (see `webhook_route`);
            // only EPHEMERAL may be given here (callback data, footnote on `flags`).
            let flags = (data["flags"].as_u64().unwrap_or(0) & FLAG_EPHEMERAL) | FLAG_LOADING;
            let m = make_message(
                shared,
                channel_id,
                &json!({"flags": flags}),
                &[],
                response_kind,
                true,
            );
            violations.extend(check_model::<Message>("message", &m));
            Some(st.insert_message(m, Some(interaction_id)))
        }
        // DEFERRED_UPDATE_MESSAGE: no loading state; `@original` is the component's message.
        6 | 7 => {
            let mid = source.unwrap_or_default();
            match st.messages.get_mut(&mid) {
                Some(stored) => {
                    if callback_type == 7
                        && let Some(n) = apply_edit(shared, &mut stored.value, data, files)
                    {
                        note(st, format!("callback type 7: {n}"));
                    }
                    if let Some(stored) = st.messages.get(&mid) {
                        violations.extend(check_model::<Message>("message", &stored.value));
                    }
                    Some(mid)
                }
                None => {
                    let mut reply = Reply::error(404, 10008, "Unknown Message");
                    reply.violations = violations;
                    return reply.with_violation("the component's message was deleted");
                }
            }
        }
        _ => None,
    };
    if let (Some(mid), Some(i)) = (message_id, st.interactions.get_mut(&interaction_id)) {
        i.original = Some(mid);
    }
    let message = message_id.and_then(|mid| st.message(mid).cloned());
    let with_response = query_param(query, "with_response") == Some("true");
    let mut reply = if with_response {
        let ephemeral = message.as_ref().is_some_and(FakeDiscord::is_ephemeral);
        let mut resource = json!({"type": callback_type});
        // "message: Only present if type is either CHANNEL_MESSAGE_WITH_SOURCE or UPDATE_MESSAGE"
        // (interaction callback resource object).
        if let Some(m) = message.as_ref().filter(|_| matches!(callback_type, 4 | 7)) {
            resource["message"] = m.clone();
        }
        Reply::json(
            200,
            json!({
                "interaction": {
                    "id": id,
                    "type": interaction_kind,
                    "activity_instance_id": null,
                    "response_message_id": message_id.map(|m| m.to_string()),
                    "response_message_loading": callback_type == 5,
                    "response_message_ephemeral": ephemeral,
                },
                "resource": resource,
            }),
        )
    } else {
        Reply::no_content()
    };
    reply.violations = violations;
    reply
}

pub(crate) fn webhook_route(
    shared: &Shared,
    method: &str,
    app: &str,
    token: &str,
    message: Option<&str>,
    body: &Value,
    files: &[String],
) -> Reply {
    if snowflake(app) != Some(FakeDiscord::APP_ID) {
        return Reply::error(404, 10015, "Unknown Webhook").with_violation(format!(
            "webhook id {app} is not the application id ({}) for an interaction token",
            FakeDiscord::APP_ID
        ));
    }
    let mut guard = shared.lock();
    let st = &mut *guard;
    let Some(interaction_id) = st
        .interactions
        .iter()
        .find(|(_, i)| i.token == token)
        .map(|(id, _)| *id)
    else {
        return Reply::error(404, 10015, "Unknown Webhook")
            .with_violation("unknown interaction token");
    };
    let (answered_with, original, followups, channel_id) = {
        let i = &st.interactions[&interaction_id];
        (
            i.answered_with,
            i.original,
            i.followups.clone(),
            i.channel_id,
        )
    };
    // Before the first answer the interaction has no webhook yet: Discord answers 404 Unknown
    // Webhook to follow-ups and to any `@original` call (discord.js checks this client-side for
    // that reason: https://github.com/discordjs/discord.js/pull/10587).
    if answered_with.is_none() {
        let reply = Reply::error(404, 10015, "Unknown Webhook");
        return match (method, message) {
            ("GET", _) => reply,
            ("POST", None) => {
                reply.with_violation("follow-up message before the interaction was acknowledged")
            }
            (_, Some(target)) => reply.with_violation(format!(
                "{method} of message {target} before the interaction was acknowledged \
                 (answer it with a callback first)"
            )),
            _ => reply,
        };
    }
    match (method, message) {
        ("POST", None) => {
            // After DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, the first follow-up "will function as
            // Edit Original Interaction Response": no new message is created, the loading
            // message is edited, and its ephemeral flag is kept whatever the follow-up says
            // (https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message;
            // discord-api-docs issues 2735, 2860, 2866 and PR 3466; 2742). Once the loading message
            // was edited or deleted, follow-ups are new messages with their own flags
            // (issue 2739: a follow-up after deleting the deferred message is a new message).
            let loading = original.filter(|mid| {
                answered_with == Some(5) && st.message(*mid).is_some_and(FakeDiscord::is_loading)
            });
            if let Some(mid) = loading {
                let stored = st.messages.get_mut(&mid).expect("checked above");
                let kept = stored.value["flags"].as_u64().unwrap_or(0) & FLAG_EPHEMERAL;
                // A follow-up without flags asks for a public message.
                let asked = body["flags"].as_u64().unwrap_or(0) & FLAG_EPHEMERAL;
                apply_edit(shared, &mut stored.value, body, files);
                let edited = stored.value.clone();
                if asked != kept {
                    let state = |f: u64| if f != 0 { "ephemeral" } else { "public" };
                    note(
                        st,
                        format!(
                            "POST /webhooks/{app}/{token}: the first follow-up after a deferral \
                             edits the deferred message instead of creating one; it asked to be \
                             {} but the EPHEMERAL flag is ignored and it stays {} like the \
                             deferral ({CREATE_FOLLOWUP_DOCS})",
                            state(asked),
                            state(kept)
                        ),
                    );
                }
                let check = check_model::<Message>("message", &edited);
                return finish(Reply::json(200, edited), check);
            }
            let created = make_message(shared, channel_id, body, files, 0, true);
            let check = check_model::<Message>("message", &created);
            let mid = st.insert_message(created.clone(), Some(interaction_id));
            if let Some(i) = st.interactions.get_mut(&interaction_id) {
                i.followups.push(mid);
            }
            finish(Reply::json(200, created), check)
        }
        (_, Some("@original")) => {
            // After type 6 or 7, `@original` is the message the component is on
            // (DEFERRED_UPDATE_MESSAGE: "edit the original message later").
            let Some(mid) = original.filter(|m| st.messages.contains_key(m)) else {
                let reply = Reply::error(404, 10008, "Unknown Message");
                return if method == "GET" {
                    reply
                } else if original.is_some() {
                    reply.with_violation("@original was already deleted")
                } else {
                    reply.with_violation(format!(
                        "@original changed, but the interaction was answered with type {} \
                         which creates no message",
                        answered_with.unwrap_or(0)
                    ))
                };
            };
            stored_message(shared, st, method, mid, body, files)
        }
        (_, Some(target)) => {
            let Some(mid) = snowflake(target) else {
                return Reply::error(404, 10008, "Unknown Message")
                    .with_violation("message id is not a snowflake");
            };
            // "edit a message sent with that token"
            if Some(mid) != original && !followups.contains(&mid) {
                return Reply::error(404, 10008, "Unknown Message").with_violation(format!(
                    "message {mid} was not sent with this interaction's token"
                ));
            }
            stored_message(shared, st, method, mid, body, files)
        }
        _ => Reply::unknown(),
    }
}

fn unknown_channel(channel: &str) -> Reply {
    Reply::error(404, 10003, "Unknown Channel").with_violation(format!(
        "channel {channel} is not a channel the fake knows (FakeDiscord::add_channel)"
    ))
}

fn get_channel(shared: &Shared, channel: &str) -> Reply {
    let st = shared.lock();
    match snowflake(channel).and_then(|c| st.channels.get(&c).map(|ch| (c, ch))) {
        Some((id, ch)) => Reply::json(200, channel_json(id, ch, BOT_PERMISSIONS)),
        None => Reply::error(404, 10003, "Unknown Channel"),
    }
}

/// `POST /channels/{channel}/messages`
/// (https://discord.com/developers/docs/resources/message#create-message).
fn create_message(shared: &Shared, channel: &str, body: &Value, files: &[String]) -> Reply {
    let mut guard = shared.lock();
    let st = &mut *guard;
    let Some((channel_id, kind)) =
        snowflake(channel).and_then(|c| st.channels.get(&c).map(|ch| (c, ch.kind)))
    else {
        return unknown_channel(channel);
    };
    if matches!(kind, 4 | 15 | 16) {
        return Reply::error(400, 50008, "Cannot send messages in a non-text channel")
            .with_violation(format!(
                "channel {channel_id} (type {kind}) holds no messages"
            ));
    }
    // "enforce_nonce: If true and nonce is present, it will be checked for uniqueness in the
    // past few minutes. If another message was created by the same author with the same nonce,
    // that message will be returned and no new message will be created."
    let nonce = match &body["nonce"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let enforce = body["enforce_nonce"] == json!(true);
    if enforce
        && let Some(nonce) = &nonce
        && let Some((earlier, at)) = st.nonces.get(&(FakeDiscord::BOT_USER_ID, nonce.clone()))
        && at.elapsed() < NONCE_WINDOW
        && let Some(message) = st.message(*earlier)
    {
        return Reply::json(200, message.clone());
    }
    let mut message = make_message(shared, channel_id, body, files, 0, false);
    if !body["nonce"].is_null() {
        message["nonce"] = body["nonce"].clone();
    }
    let check = check_model::<Message>("message", &message);
    let id = st.insert_message(message.clone(), None);
    if enforce && let Some(nonce) = nonce {
        st.nonces
            .insert((FakeDiscord::BOT_USER_ID, nonce), (id, Instant::now()));
    }
    finish(Reply::json(200, message), check)
}

/// `GET /channels/{channel}/messages?limit=&before=&after=&around=`: newest first
/// (https://discord.com/developers/docs/resources/message#get-channel-messages). Ephemeral
/// messages belong to their user only and are not part of the channel's history.
fn list_messages(shared: &Shared, channel: &str, query: Option<&str>) -> Reply {
    let st = shared.lock();
    let Some(channel_id) = snowflake(channel).filter(|c| st.channels.contains_key(c)) else {
        return unknown_channel(channel);
    };
    let limit = match query_param(query, "limit").map(str::parse::<usize>) {
        None => 50,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => {
            return Reply::error(400, 50035, "Invalid Form Body")
                .with_violation("limit must be an integer from 1 to 100");
        }
    };
    let anchors: Vec<(&str, u64)> = ["before", "after", "around"]
        .into_iter()
        .filter_map(|k| Some((k, query_param(query, k)?.parse().ok()?)))
        .collect();
    if anchors.len() > 1 {
        return Reply::error(400, 50035, "Invalid Form Body")
            .with_violation("before, after and around are mutually exclusive");
    }
    let ids: Vec<u64> = st
        .messages
        .iter()
        .filter(|(_, m)| {
            State::channel_of(&m.value) == Some(channel_id) && !FakeDiscord::is_ephemeral(&m.value)
        })
        .map(|(id, _)| *id)
        .collect();
    let mut picked: Vec<u64> = match anchors.first() {
        None => ids.iter().rev().take(limit).copied().collect(),
        Some(("before", at)) => ids
            .iter()
            .rev()
            .filter(|id| *id < at)
            .take(limit)
            .copied()
            .collect(),
        Some(("after", at)) => {
            let mut after: Vec<u64> = ids
                .iter()
                .filter(|id| *id > at)
                .take(limit)
                .copied()
                .collect();
            after.reverse();
            after
        }
        Some((_, at)) => {
            let older = ids.iter().rev().filter(|id| *id < at).take(limit / 2);
            let newer = ids.iter().filter(|id| *id >= at).take(limit - limit / 2);
            let mut both: Vec<u64> = older.chain(newer).copied().collect();
            both.sort_unstable_by(|a, b| b.cmp(a));
            both
        }
    };
    picked.dedup();
    let list: Vec<Value> = picked
        .iter()
        .filter_map(|id| st.message(*id).cloned())
        .collect();
    Reply::json(200, Value::Array(list))
}

/// `POST /channels/{channel}/messages/{message}/threads` (the thread's id is the message's id)
/// and `POST /channels/{channel}/threads` (type defaults to PRIVATE_THREAD)
/// (https://discord.com/developers/docs/resources/channel#start-thread-from-message).
fn start_thread(shared: &Shared, channel: &str, message: Option<&str>, body: &Value) -> Reply {
    let mut guard = shared.lock();
    let st = &mut *guard;
    let Some((parent_id, parent_kind)) =
        snowflake(channel).and_then(|c| st.channels.get(&c).map(|ch| (c, ch.kind)))
    else {
        return unknown_channel(channel);
    };
    if !matches!(parent_kind, 0 | 5) {
        return Reply::error(400, 50024, "Cannot execute action on this channel type")
            .with_violation(format!(
                "threads start in text (0) or announcement (5) channels, not type {parent_kind}"
            ));
    }
    let (id, kind) = match message {
        Some(m) => {
            let Some(mid) = snowflake(m).filter(|mid| {
                st.message(*mid)
                    .is_some_and(|v| State::channel_of(v) == Some(parent_id))
            }) else {
                return Reply::error(404, 10008, "Unknown Message").with_violation(format!(
                    "message {m} is not a message of channel {parent_id}"
                ));
            };
            if st.channels.contains_key(&mid) {
                return Reply::error(
                    400,
                    160004,
                    "A thread has already been created for this message",
                )
                .with_violation(format!("message {mid} already has a thread"));
            }
            // "When called on a GUILD_TEXT channel, creates a PUBLIC_THREAD. When called on a
            // GUILD_ANNOUNCEMENT channel, creates a ANNOUNCEMENT_THREAD."
            (mid, if parent_kind == 5 { 10 } else { 11 })
        }
        None => {
            let kind = body["type"].as_u64().unwrap_or(12);
            if !matches!(kind, 10..=12) {
                return Reply::error(400, 50035, "Invalid Form Body")
                    .with_violation(format!("thread type {kind} is not 10, 11 or 12"));
            }
            (shared.next_id(), kind as u8)
        }
    };
    let name = body["name"].as_str().unwrap_or("").to_string();
    let n = name.chars().count();
    if !(1..=100).contains(&n) {
        return Reply::error(400, 50035, "Invalid Form Body")
            .with_violation(format!("thread name is {n} characters (1 to 100)"));
    }
    let archive = body["auto_archive_duration"].as_u64().unwrap_or(4320);
    let object = thread_json(&NewThread {
        id,
        kind,
        parent_id,
        owner_id: FakeDiscord::BOT_USER_ID,
        name: &name,
        auto_archive_duration: archive,
        rate_limit_per_user: body["rate_limit_per_user"].as_u64().unwrap_or(0),
        invitable: kind == 12 && body["invitable"] != json!(false),
    });
    let check = check_model::<GuildChannel>("thread channel", &object);
    st.channels.insert(
        id,
        Channel {
            name,
            kind,
            parent_id: Some(parent_id),
            object: Some(object.clone()),
        },
    );
    if message.is_some()
        && let Some(stored) = st.messages.get_mut(&id)
    {
        // The source message now carries its thread (a MESSAGE_UPDATE on Discord).
        stored.value["thread"] = object.clone();
    }
    finish(Reply::json(201, object), check)
}

/// `GET/PATCH/DELETE /channels/{channel}/messages/{message}`: the message must be in that channel.
fn channel_message_route(
    shared: &Shared,
    method: &str,
    channel: &str,
    message: &str,
    body: &Value,
    files: &[String],
) -> Reply {
    let mut guard = shared.lock();
    let st = &mut *guard;
    let (Some(channel_id), Some(mid)) = (snowflake(channel), snowflake(message)) else {
        return Reply::unknown();
    };
    match st.message(mid) {
        None => {
            let reply = Reply::error(404, 10008, "Unknown Message");
            if method == "PATCH" {
                reply.with_violation("edit of a message that does not exist")
            } else {
                reply
            }
        }
        Some(m) if State::channel_of(m) != Some(channel_id) => {
            let actual = State::channel_of(m).unwrap_or_default();
            Reply::error(404, 10008, "Unknown Message").with_violation(format!(
                "message {mid} is in channel {actual}, not in channel {channel_id}"
            ))
        }
        Some(m) if FakeDiscord::is_ephemeral(m) => Reply::error(404, 10008, "Unknown Message")
            .with_violation(format!(
                "message {mid} is ephemeral: only the interaction's webhook routes reach it"
            )),
        Some(_) => stored_message(shared, st, method, mid, body, files),
    }
}

pub(crate) fn stored_message(
    shared: &Shared,
    st: &mut State,
    method: &str,
    id: u64,
    body: &Value,
    files: &[String],
) -> Reply {
    match method {
        "GET" => match st.message(id) {
            Some(m) => Reply::json(200, m.clone()),
            None => Reply::error(404, 10008, "Unknown Message"),
        },
        "PATCH" => match st.messages.get_mut(&id) {
            Some(stored) => {
                let ignored = apply_edit(shared, &mut stored.value, body, files);
                let edited = stored.value.clone();
                if let Some(n) = ignored {
                    note(st, format!("PATCH of message {id}: {n}"));
                }
                let check = check_model::<Message>("message", &edited);
                finish(Reply::json(200, edited), check)
            }
            None => Reply::error(404, 10008, "Unknown Message")
                .with_violation("edit of a message that does not exist"),
        },
        "DELETE" => match st.messages.remove(&id) {
            Some(_) => Reply::no_content(),
            None => Reply::error(404, 10008, "Unknown Message"),
        },
        _ => Reply::unknown(),
    }
}
