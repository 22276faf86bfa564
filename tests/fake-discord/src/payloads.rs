//! Payload builders (users, members, interactions, messages, commands) and request bodies.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::state::{Channel, Shared};
use crate::{BOT_PERMISSIONS, FakeDiscord};

pub(crate) fn user_json(id: u64, name: &str, bot: bool) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": null,
        "banner": null,
        "accent_color": null,
        "bot": bot,
        "system": false,
        "public_flags": 0,
        "flags": 0,
        "avatar_decoration_data": null,
    })
}

pub(crate) fn current_user_json() -> Value {
    let mut user = user_json(FakeDiscord::BOT_USER_ID, "fake-bot", true);
    user["verified"] = json!(true);
    user["mfa_enabled"] = json!(false);
    user["email"] = Value::Null;
    user["locale"] = json!("en-US");
    user["premium_type"] = json!(0);
    user
}

pub(crate) fn application_json() -> Value {
    json!({
        "id": FakeDiscord::APP_ID.to_string(),
        "name": "Fake App",
        "icon": null,
        "description": "",
        "summary": "",
        "rpc_origins": [],
        "bot_public": true,
        "bot_require_code_grant": false,
        "owner": user_json(FakeDiscord::OWNER_ID, "fake-owner", false),
        "verify_key": "0".repeat(64),
        "team": null,
        "flags": 0,
        "bot": user_json(FakeDiscord::BOT_USER_ID, "fake-bot", true),
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "approximate_guild_count": 1,
    })
}

pub(crate) fn member_json(user_id: u64, permissions: &str) -> Value {
    json!({
        "user": user_json(user_id, &format!("user{user_id}"), false),
        "nick": null,
        "avatar": null,
        "banner": null,
        "roles": [],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "permissions": permissions,
        "communication_disabled_until": null,
        "unusual_dm_activity_until": null,
    })
}

/// An interaction as Discord dispatches it; `member` is the invoking member object.
pub(crate) fn interaction_payload(
    kind: u8,
    id: u64,
    token: &str,
    member: Value,
    data: Value,
    message: Option<Value>,
) -> Value {
    let permissions = member["permissions"].clone();
    let mut payload = json!({
        "id": id.to_string(),
        "application_id": FakeDiscord::APP_ID.to_string(),
        "type": kind,
        "data": data,
        "guild_id": FakeDiscord::GUILD_ID.to_string(),
        "channel_id": FakeDiscord::CHANNEL_ID.to_string(),
        "channel": {
            "id": FakeDiscord::CHANNEL_ID.to_string(),
            "type": 0,
            "name": "general",
            "guild_id": FakeDiscord::GUILD_ID.to_string(),
            "position": 0,
            "parent_id": null,
            "topic": null,
            "nsfw": false,
            "flags": 0,
            "rate_limit_per_user": 0,
            "permissions": permissions,
        },
        "member": member,
        "token": token,
        "version": 1,
        "app_permissions": BOT_PERMISSIONS,
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": FakeDiscord::GUILD_ID.to_string()},
        "context": 0,
        "attachment_size_limit": 10_485_760,
    });
    if let Some(m) = message {
        payload["message"] = m;
    }
    payload
}

/// Focused (autocomplete) values are strings on Discord, whatever the option type.
pub(crate) fn normalize_options(options: &mut [Value]) {
    for o in options {
        if o["focused"] == json!(true) {
            let value = &o["value"];
            if !value.is_string() {
                let text = match value {
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                o["value"] = Value::String(text);
            }
        }
        // A subcommand or group always carries its `options`, empty if it has none
        // (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-application-command-interaction-data-option-structure:
        // "present if this option is a group or subcommand"); serenity refuses one without.
        if matches!(o["type"].as_u64(), Some(1 | 2)) && o.get("options").is_none() {
            o["options"] = json!([]);
        }
        if let Some(nested) = o.get_mut("options").and_then(Value::as_array_mut) {
            normalize_options(nested);
        }
    }
}

/// The ids given to (non-focused) options of type `kind` (6 user, 7 channel, 8 role, 9 mentionable).
pub(crate) fn collect_options(options: &[Value], kind: u64) -> Vec<u64> {
    let mut out = Vec::new();
    for o in options {
        if o["type"].as_u64() == Some(kind)
            && o["focused"] != json!(true)
            && let Some(id) = id_of(&o["value"])
        {
            out.push(id);
        }
        if let Some(nested) = o["options"].as_array() {
            out.extend(collect_options(nested, kind));
        }
    }
    out
}

/// A guild role object.
pub(crate) fn role_json(id: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": 1,
        "permissions": "0",
        "managed": false,
        "mentionable": false,
        "flags": 0,
    })
}

/// A guild channel object (text, voice, category, ... or a thread the fake created).
pub(crate) fn channel_json(id: u64, channel: &Channel, permissions: &str) -> Value {
    let mut value = json!({
        "id": id.to_string(),
        "type": channel.kind,
        "name": channel.name,
        "guild_id": FakeDiscord::GUILD_ID.to_string(),
        "position": 0,
        "parent_id": channel.parent_id.map(|p| p.to_string()),
        "topic": null,
        "nsfw": false,
        "flags": 0,
        "rate_limit_per_user": 0,
        "permissions": permissions,
    });
    if let Some(object) = &channel.object {
        value = object.clone();
        value["permissions"] = json!(permissions);
    }
    value
}

/// What a thread channel object is made of.
pub(crate) struct NewThread<'a> {
    pub(crate) id: u64,
    /// 10 announcement, 11 public, 12 private thread.
    pub(crate) kind: u8,
    pub(crate) parent_id: u64,
    pub(crate) owner_id: u64,
    pub(crate) name: &'a str,
    pub(crate) auto_archive_duration: u64,
    pub(crate) rate_limit_per_user: u64,
    pub(crate) invitable: bool,
}

/// A thread as Discord returns it (a channel object with `thread_metadata` and the creator's
/// thread `member`; https://discord.com/developers/docs/resources/channel#channel-object).
pub(crate) fn thread_json(t: &NewThread<'_>) -> Value {
    json!({
        "id": t.id.to_string(),
        "type": t.kind,
        "guild_id": FakeDiscord::GUILD_ID.to_string(),
        "parent_id": t.parent_id.to_string(),
        "owner_id": t.owner_id.to_string(),
        "name": t.name,
        "last_message_id": null,
        "rate_limit_per_user": t.rate_limit_per_user,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": false,
            "auto_archive_duration": t.auto_archive_duration,
            "archive_timestamp": now_rfc3339(),
            "locked": false,
            "create_timestamp": now_rfc3339(),
            "invitable": t.invitable,
        },
        "member": {
            "id": t.id.to_string(),
            "user_id": t.owner_id.to_string(),
            "join_timestamp": now_rfc3339(),
            "flags": 0,
        },
    })
}

/// A snowflake given as a string or a number.
pub(crate) fn id_of(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// A message object as Discord returns it, echoing what the bot sent.
pub(crate) fn make_message(
    shared: &Shared,
    channel_id: u64,
    payload: &Value,
    files: &[String],
    kind: u64,
    from_webhook: bool,
) -> Value {
    let mut message = json!({
        "id": shared.next_id().to_string(),
        "channel_id": channel_id.to_string(),
        "author": user_json(FakeDiscord::BOT_USER_ID, "fake-bot", true),
        "content": payload["content"].as_str().unwrap_or(""),
        "timestamp": now_rfc3339(),
        "edited_timestamp": null,
        "tts": payload["tts"].as_bool().unwrap_or(false),
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "mention_channels": [],
        "attachments": echo_attachments(shared, &payload["attachments"], files, &Value::Null),
        "embeds": echo_embeds(&payload["embeds"]),
        "components": echo_array(&payload["components"]),
        "reactions": [],
        "pinned": false,
        "type": kind,
        "flags": payload["flags"].as_u64().unwrap_or(0),
        "application_id": FakeDiscord::APP_ID.to_string(),
    });
    if from_webhook {
        message["webhook_id"] = json!(FakeDiscord::APP_ID.to_string());
    }
    message
}

/// Applies a PATCH body (and newly uploaded files) to a stored message.
pub(crate) fn edit_message(
    shared: &Shared,
    message: &mut Value,
    payload: &Value,
    files: &[String],
) {
    let Some(changes) = payload.as_object() else {
        return;
    };
    if !changes.contains_key("attachments") && !files.is_empty() {
        let added = echo_attachments(shared, &Value::Null, files, &Value::Null);
        if let (Some(list), Some(added)) = (message["attachments"].as_array_mut(), added.as_array())
        {
            list.extend(added.iter().cloned());
        }
    }
    for (key, value) in changes {
        let new = match key.as_str() {
            "content" => json!(value.as_str().unwrap_or("")),
            "embeds" => echo_embeds(value),
            "components" => echo_array(value),
            "attachments" => echo_attachments(shared, value, files, &message["attachments"]),
            _ => continue,
        };
        message[key.as_str()] = new;
    }
    message["edited_timestamp"] = json!(now_rfc3339());
}

pub(crate) fn echo_array(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.clone()),
        _ => json!([]),
    }
}

pub(crate) fn echo_embeds(v: &Value) -> Value {
    let Some(embeds) = v.as_array() else {
        return json!([]);
    };
    Value::Array(
        embeds
            .iter()
            .map(|e| {
                let mut e = e.clone();
                if let Some(obj) = e.as_object_mut() {
                    obj.entry("type").or_insert_with(|| json!("rich"));
                }
                e
            })
            .collect(),
    )
}

/// Attachments of a message: entries with a `filename` are new uploads (they get fresh ids), entries
/// with only an `id` keep an attachment of `previous`. Without entries, every uploaded file counts.
pub(crate) fn echo_attachments(
    shared: &Shared,
    entries: &Value,
    files: &[String],
    previous: &Value,
) -> Value {
    let new = |filename: &str| {
        let id = shared.next_id();
        json!({
            "id": id.to_string(),
            "filename": filename,
            "size": 0,
            "url": format!("https://cdn.invalid/attachments/{id}/{filename}"),
            "proxy_url": format!("https://media.invalid/attachments/{id}/{filename}"),
        })
    };
    let echoed = match entries.as_array() {
        Some(items) => items
            .iter()
            .filter_map(|a| match a["filename"].as_str() {
                Some(filename) => Some(new(filename)),
                None => {
                    let id = id_of(&a["id"])?;
                    previous
                        .as_array()?
                        .iter()
                        .find(|old| id_of(&old["id"]) == Some(id))
                        .cloned()
                }
            })
            .collect(),
        None => files.iter().map(|f| new(f)).collect(),
    };
    Value::Array(echoed)
}

pub(crate) fn make_command(
    shared: &Shared,
    body: &Value,
    guild: Option<u64>,
    existing: &[Value],
) -> Value {
    let name = body["name"].as_str().unwrap_or("").to_string();
    let kind = body["type"].as_u64().unwrap_or(1);
    let id = existing
        .iter()
        .find(|c| c["name"] == name.as_str() && c["type"].as_u64().unwrap_or(1) == kind)
        .and_then(|c| id_of(&c["id"]))
        .unwrap_or_else(|| shared.next_id());
    let permissions = match &body["default_member_permissions"] {
        Value::Number(n) => json!(n.to_string()),
        other => other.clone(),
    };
    let mut command = json!({
        "id": id.to_string(),
        "application_id": FakeDiscord::APP_ID.to_string(),
        "version": shared.next_id().to_string(),
        "type": kind,
        "name": name,
        "name_localizations": body.get("name_localizations").cloned().unwrap_or(Value::Null),
        "description": body["description"].as_str().unwrap_or(""),
        "description_localizations": body.get("description_localizations").cloned().unwrap_or(Value::Null),
        "options": echo_array(&body["options"]),
        "default_member_permissions": permissions,
        "nsfw": body["nsfw"].as_bool().unwrap_or(false),
        "integration_types": body.get("integration_types").filter(|v| v.is_array()).cloned().unwrap_or(json!([0])),
        "contexts": body.get("contexts").cloned().unwrap_or(Value::Null),
    });
    if let Some(dm) = body["dm_permission"].as_bool() {
        command["dm_permission"] = json!(dm);
    }
    if let Some(g) = guild {
        command["guild_id"] = json!(g.to_string());
    }
    command
}

// ---------------------------------------------------------------------------------------------
// Bodies

pub(crate) fn parse_body(content_type: &str, bytes: &[u8]) -> Result<(Value, Vec<String>), String> {
    if bytes.is_empty() {
        return Ok((Value::Null, Vec::new()));
    }
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "multipart/form-data" => parse_multipart(content_type, bytes),
        "application/json" => serde_json::from_slice(bytes)
            .map(|v| (v, Vec::new()))
            .map_err(|e| format!("body is not valid JSON: {e}")),
        other => Err(format!("body with unexpected content type {other:?}")),
    }
}

/// Pulls `payload_json` and the file names out of a `multipart/form-data` body.
pub(crate) fn parse_multipart(
    content_type: &str,
    bytes: &[u8],
) -> Result<(Value, Vec<String>), String> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_string())
        .ok_or("multipart body without a boundary")?;
    let delimiter = format!("--{boundary}");
    let mut payload = Value::Null;
    let mut files = Vec::new();
    for part in split_on(bytes, delimiter.as_bytes()).into_iter().skip(1) {
        if part.starts_with(b"--") {
            break;
        }
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(header_end) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..header_end]).to_string();
        let content = &part[header_end + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let name = header_param(&headers, "name").unwrap_or_default();
        if name == "payload_json" {
            payload = serde_json::from_slice(content)
                .map_err(|e| format!("payload_json is not valid JSON: {e}"))?;
        } else if let Some(filename) = header_param(&headers, "filename") {
            files.push(filename);
        } else if name.starts_with("files[") {
            files.push(name);
        }
    }
    Ok((payload, files))
}

/// The contents of a `multipart/form-data` body's file parts, in order (empty for other bodies).
pub(crate) fn multipart_file_contents(content_type: &str, bytes: &[u8]) -> Vec<Vec<u8>> {
    let Some(boundary) = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_string())
    else {
        return Vec::new();
    };
    let delimiter = format!("--{boundary}");
    let mut out = Vec::new();
    for part in split_on(bytes, delimiter.as_bytes()).into_iter().skip(1) {
        if part.starts_with(b"--") {
            break;
        }
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(header_end) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&part[..header_end]).to_string();
        let content = &part[header_end + 4..];
        let content = content.strip_suffix(b"\r\n").unwrap_or(content);
        let name = header_param(&headers, "name").unwrap_or_default();
        if name != "payload_json"
            && (header_param(&headers, "filename").is_some() || name.starts_with("files["))
        {
            out.push(content.to_vec());
        }
    }
    out
}

/// A parameter (`name`, `filename`) of the part's `Content-Disposition` header.
pub(crate) fn header_param(headers: &str, key: &str) -> Option<String> {
    let disposition = headers
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
    let needle = format!("{key}=\"");
    disposition.split(';').find_map(|p| {
        let p = p.trim();
        p.strip_prefix(&needle)
            .map(|rest| rest.trim_end_matches('"').to_string())
    })
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

pub(crate) fn split_on<'a>(bytes: &'a [u8], delimiter: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut rest = bytes;
    while let Some(at) = find(rest, delimiter) {
        parts.push(&rest[..at]);
        rest = &rest[at + delimiter.len()..];
    }
    parts.push(rest);
    parts
}

/// The current UTC time as RFC 3339 with microseconds, like Discord's timestamps.
pub(crate) fn now_rfc3339() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (days, second_of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Convert days since 1970-01-01 to a proleptic Gregorian date, counting from 0000-03-01.
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60,
        now.subsec_micros()
    )
}
