//! Request validation: the route's schema in Discord's OpenAPI spec, plus Discord's documented
//! limits that the schema does not express.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

use crate::{FLAG_COMPONENTS_V2, FLAG_EPHEMERAL};

/// Checks a request body against the OpenAPI schema of its route and Discord's limits.
/// `path` may carry `/api/v10` and a query string. Returns `"METHOD /path: what"` strings.
pub(crate) fn validate(method: &str, path: &str, body: &Value) -> Vec<String> {
    validate_request(method, path, body, false)
}

pub(crate) fn validate_request(
    method: &str,
    path: &str,
    body: &Value,
    has_files: bool,
) -> Vec<String> {
    let path = path.split('?').next().unwrap_or("");
    let path = path.strip_prefix("/api/v10").unwrap_or(path);
    let method = method.to_ascii_uppercase();
    // A missing spec is a broken test setup, not a violation of the request.
    let mut found = match spec() {
        Ok(spec) => spec.check(&method, path, body),
        Err(e) => panic!("fake_discord: {e}"),
    };
    found.extend(limit_checks(&method, path, body, has_files));
    found
        .into_iter()
        .map(|what| format!("{method} {path}: {what}"))
        .collect()
}

pub(crate) struct Spec {
    doc: Value,
    /// Path templates of the spec with their segments.
    templates: Vec<(String, Vec<String>)>,
    /// Compiled validators by JSON pointer into `doc`.
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

/// Discord's OpenAPI spec, vendored in this crate (`openapi/`, MIT, see `openapi/NOTE.md`);
/// `FAKE_DISCORD_OPENAPI` may name another copy.
pub(crate) fn spec_path() -> PathBuf {
    match std::env::var_os("FAKE_DISCORD_OPENAPI") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")),
    }
}

pub(crate) fn spec() -> Result<&'static Spec, String> {
    static SPEC: OnceLock<Result<Spec, String>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = spec_path();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "cannot read Discord's OpenAPI spec at {}: {e} (FAKE_DISCORD_OPENAPI overrides the path)",
                path.display()
            )
        })?;
        let mut doc: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        allow_integer_snowflakes(&mut doc);
        let templates = doc["paths"]
            .as_object()
            .ok_or_else(|| format!("{} has no paths", path.display()))?
            .keys()
            .map(|t| {
                (
                    t.clone(),
                    t.trim_start_matches('/')
                        .split('/')
                        .map(str::to_string)
                        .collect(),
                )
            })
            .collect();
        Ok(Spec {
            doc,
            templates,
            validators: Mutex::new(HashMap::new()),
        })
    })
    .as_ref()
    .map_err(Clone::clone)
}

impl Spec {
    fn check(&self, method: &str, path: &str, body: &Value) -> Vec<String> {
        let Some(template) = self.match_path(path) else {
            return vec!["schema: route is not in Discord's OpenAPI spec".into()];
        };
        let lower = method.to_ascii_lowercase();
        let operation = &self.doc["paths"][template][lower.as_str()];
        if operation.is_null() {
            return vec![format!("schema: the spec has no {method} for {template}")];
        }
        let request_body = &operation["requestBody"];
        if request_body.is_null() {
            return if body.is_null() {
                Vec::new()
            } else {
                vec![format!(
                    "schema: a body was sent but {method} {template} takes none"
                )]
            };
        }
        if body.is_null() {
            return if request_body["required"] == json!(true) {
                vec![format!("schema: {method} {template} requires a body")]
            } else {
                Vec::new()
            };
        }
        let pointer = format!(
            "/paths/{}/{lower}/requestBody/content/application~1json/schema",
            template.replace('~', "~0").replace('/', "~1")
        );
        if self.doc.pointer(&pointer).is_none() {
            return vec![format!(
                "schema: {method} {template} has no application/json body in the spec"
            )];
        }
        let body = normalize_for_spec(template, body);
        self.check_schema(&pointer, &body)
    }

    /// The spec template matching `path`, preferring literal segments over `{params}`.
    fn match_path(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut best: Option<(usize, &str)> = None;
        for (template, parts) in &self.templates {
            if parts.len() != segments.len() {
                continue;
            }
            let mut literal = 0;
            let matches = parts.iter().zip(&segments).all(|(part, seg)| {
                if part.starts_with('{') && part.ends_with('}') {
                    !seg.is_empty()
                } else if part == seg {
                    literal += 1;
                    true
                } else {
                    false
                }
            });
            if matches && best.is_none_or(|(score, _)| literal > score) {
                best = Some((literal, template));
            }
        }
        best.map(|(_, t)| t)
    }

    /// Validates `body` against the schema at `pointer`. For a union of `$ref`s the branch whose
    /// `type` enum holds the body's `type` is used, so that errors name the right schema.
    fn check_schema(&self, pointer: &str, body: &Value) -> Vec<String> {
        let schema = self.doc.pointer(pointer);
        let branches = schema
            .and_then(|s| s.get("anyOf").or_else(|| s.get("oneOf")))
            .and_then(Value::as_array)
            .and_then(|bs| {
                bs.iter()
                    .map(|b| b["$ref"].as_str())
                    .collect::<Option<Vec<&str>>>()
            });
        let Some(refs) = branches.filter(|_| body.is_object()) else {
            return self.errors_at(pointer, body);
        };
        let tagged: Vec<&str> = match body.get("type") {
            Some(tag) => refs
                .iter()
                .copied()
                .filter(|r| {
                    self.doc
                        .pointer(&format!(
                            "{}/properties/type/enum",
                            r.trim_start_matches('#')
                        ))
                        .and_then(Value::as_array)
                        .is_some_and(|e| e.contains(tag))
                })
                .collect(),
            None => Vec::new(),
        };
        let candidates = if tagged.is_empty() { refs } else { tagged };
        let mut best: Option<Vec<String>> = None;
        for r in candidates {
            let errors = self.errors_at(r.trim_start_matches('#'), body);
            if errors.is_empty() {
                return Vec::new();
            }
            let name = r.rsplit('/').next().unwrap_or(r);
            if best.as_ref().is_none_or(|b| errors.len() < b.len()) {
                best = Some(
                    errors
                        .into_iter()
                        .map(|e| format!("{e} (as {name})"))
                        .collect(),
                );
            }
        }
        best.unwrap_or_default()
    }

    fn errors_at(&self, pointer: &str, body: &Value) -> Vec<String> {
        let validator = match self.validator(pointer) {
            Ok(v) => v,
            Err(e) => return vec![format!("schema: cannot compile {pointer}: {e}")],
        };
        validator
            .iter_errors(body)
            .map(|e| {
                let at = e.instance_path().to_string();
                let at = if at.is_empty() { "/".to_string() } else { at };
                format!("schema: at {at}: {}", truncate(&e.to_string(), 300))
            })
            .collect()
    }

    /// A validator rooted at the whole spec whose top-level `$ref` points at `pointer`, so that
    /// the spec's internal `#/components/...` references resolve. Compiled once per pointer.
    fn validator(&self, pointer: &str) -> Result<Arc<jsonschema::Validator>, String> {
        let mut cache = self.validators.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = cache.get(pointer) {
            return Ok(Arc::clone(v));
        }
        let mut root = self.doc.clone();
        root["$ref"] = json!(format!("#{}", encode_fragment(pointer)));
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(false)
            .build(&root)
            .map_err(|e| e.to_string())?;
        let validator = Arc::new(validator);
        cache.insert(pointer.to_string(), Arc::clone(&validator));
        Ok(validator)
    }
}

/// The spec types snowflakes as digit strings, but Discord also takes JSON integers (serenity
/// sends the placeholder ids of new attachments as `0`, `1`, ...). Every `format: snowflake`
/// string schema is widened to accept integers.
pub(crate) fn allow_integer_snowflakes(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("snowflake") {
                let widened = match map.get("type") {
                    Some(Value::String(t)) if t == "string" => Some(json!(["string", "integer"])),
                    Some(Value::Array(ts))
                        if ts.contains(&json!("string")) && !ts.contains(&json!("integer")) =>
                    {
                        let mut ts = ts.clone();
                        ts.push(json!("integer"));
                        Some(Value::Array(ts))
                    }
                    _ => None,
                };
                if let Some(t) = widened {
                    map.insert("type".into(), t);
                }
            }
            map.values_mut().for_each(allow_integer_snowflakes);
        }
        Value::Array(items) => items.iter_mut().for_each(allow_integer_snowflakes),
        _ => {}
    }
}

/// Percent-encodes what may not appear raw in a URI fragment (`{`, `}`, ...).
pub(crate) fn encode_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for c in pointer.chars() {
        if c.is_ascii_alphanumeric() || "-._~/!$&'()*+,;=:@".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}...")
    }
}

/// Known places where the spec is stricter than Discord (and than what serenity sends).
pub(crate) fn normalize_for_spec<'a>(template: &str, body: &'a Value) -> Cow<'a, Value> {
    if !template.contains("/commands") {
        return Cow::Borrowed(body);
    }
    // `default_member_permissions` is an integer in the spec, but Discord documents and accepts
    // (and serenity sends) a string of digits.
    fn fix(command: &mut Value) {
        if let Some(p) = command
            .get("default_member_permissions")
            .and_then(Value::as_str)
            && let Ok(n) = p.parse::<u64>()
        {
            command["default_member_permissions"] = json!(n);
        }
    }
    let mut owned = body.clone();
    match &mut owned {
        Value::Array(commands) => commands.iter_mut().for_each(fix),
        other => fix(other),
    }
    Cow::Owned(owned)
}

// ---------------------------------------------------------------------------------------------
// Validation: Discord limits the schema does not express (or that are worth naming plainly)

pub(crate) fn limit_checks(method: &str, path: &str, body: &Value, has_files: bool) -> Vec<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut out = Vec::new();
    match (method, segments.as_slice()) {
        ("POST", ["channels", _, "messages"]) => {
            check_message(body, true, has_files, "", &mut out);
            // "nonce: ... (up to 25 characters)" (Create Message JSON params).
            counted(&body["nonce"], 25, "nonce", &mut out);
            if body["enforce_nonce"] == json!(true) && body["nonce"].is_null() {
                out.push("enforce_nonce without a nonce".into());
            }
        }
        ("POST", ["webhooks", _, _]) => {
            check_message(body, true, has_files, "", &mut out);
        }
        ("PATCH", ["channels", _, "messages", _])
        | ("PATCH", ["webhooks", _, _, "messages", _]) => {
            check_message(body, false, has_files, "", &mut out);
        }
        ("POST", ["interactions", _, _, "callback"]) => check_callback(body, has_files, &mut out),
        ("PUT", ["applications", _, "commands"])
        | ("PUT", ["applications", _, "guilds", _, "commands"]) => {
            check_command_list(body, &mut out);
        }
        ("POST" | "PATCH", ["applications", _, "commands", ..])
        | ("POST" | "PATCH", ["applications", _, "guilds", _, "commands", ..]) => {
            check_command(body, "", &mut out);
        }
        _ => {}
    }
    out.into_iter().map(|s| format!("limit: {s}")).collect()
}

/// What is wrong with the components of a message the request creates or edits (a channel
/// post or edit, a follow-up, a webhook message edit, an interaction response of type 4 or 7):
/// the component rules of `check_components`. Discord refuses such a body whole
/// (`400 Invalid Form Body`, 50035), so the fake does not carry it out; the same problems are
/// among `limit_checks`'s, recorded as violations.
pub(crate) fn component_problems(method: &str, path: &str, body: &Value) -> Vec<String> {
    let path = path.split('?').next().unwrap_or("");
    let path = path.strip_prefix("/api/v10").unwrap_or(path);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (message, prefix) = match (method, segments.as_slice()) {
        ("POST", ["channels", _, "messages"])
        | ("POST", ["webhooks", _, _])
        | ("PATCH", ["channels", _, "messages", _])
        | ("PATCH", ["webhooks", _, _, "messages", _]) => (body, ""),
        ("POST", ["interactions", _, _, "callback"])
            if matches!(body["type"].as_u64(), Some(4 | 7)) =>
        {
            (&body["data"], "data.")
        }
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    check_components(
        &message["components"],
        message["flags"].as_u64().unwrap_or(0),
        prefix,
        &mut out,
    );
    out
}

/// Length of a string field in characters (0 if absent), recording it if over `max`.
pub(crate) fn counted(v: &Value, max: usize, what: &str, out: &mut Vec<String>) -> usize {
    let Some(s) = v.as_str() else {
        return 0;
    };
    let n = s.chars().count();
    if n > max {
        out.push(format!("{what} is {n} characters (max {max})"));
    }
    n
}

pub(crate) fn non_empty_array(v: &Value) -> bool {
    v.as_array().is_some_and(|a| !a.is_empty())
}

pub(crate) fn check_message(
    v: &Value,
    create: bool,
    has_files: bool,
    prefix: &str,
    out: &mut Vec<String>,
) {
    if !v.is_object() && !v.is_null() {
        out.push(format!("{prefix}message payload is not an object"));
        return;
    }
    let content = v["content"].as_str().unwrap_or("");
    counted(&v["content"], 2000, &format!("{prefix}content"), out);
    if let Some(embeds) = v["embeds"].as_array() {
        if embeds.len() > 10 {
            out.push(format!("{prefix}{} embeds (max 10)", embeds.len()));
        }
        let mut total = 0;
        for (i, e) in embeds.iter().enumerate() {
            let p = format!("{prefix}embeds[{i}]");
            total += counted(&e["title"], 256, &format!("{p}.title"), out);
            total += counted(&e["description"], 4096, &format!("{p}.description"), out);
            total += counted(&e["footer"]["text"], 2048, &format!("{p}.footer.text"), out);
            total += counted(&e["author"]["name"], 256, &format!("{p}.author.name"), out);
            if let Some(fields) = e["fields"].as_array() {
                if fields.len() > 25 {
                    out.push(format!("{p} has {} fields (max 25)", fields.len()));
                }
                for (j, f) in fields.iter().enumerate() {
                    let fp = format!("{p}.fields[{j}]");
                    total += counted(&f["name"], 256, &format!("{fp}.name"), out);
                    total += counted(&f["value"], 1024, &format!("{fp}.value"), out);
                    for key in ["name", "value"] {
                        if f[key].as_str().is_none_or(|s| s.trim().is_empty()) {
                            out.push(format!("{fp}.{key} is empty"));
                        }
                    }
                }
            }
        }
        if total > 6000 {
            out.push(format!(
                "{prefix}embeds hold {total} characters in total (max 6000)"
            ));
        }
    }
    check_components(
        &v["components"],
        v["flags"].as_u64().unwrap_or(0),
        prefix,
        out,
    );
    let empty = content.trim().is_empty()
        && !non_empty_array(&v["embeds"])
        && !non_empty_array(&v["components"])
        && !non_empty_array(&v["sticker_ids"])
        && !non_empty_array(&v["attachments"])
        && v["poll"].is_null();
    if create && !has_files && empty {
        out.push(format!(
            "{prefix}empty message (no content, embeds, components, files, stickers or poll)"
        ));
    }
}

pub(crate) fn check_components(v: &Value, flags: u64, prefix: &str, out: &mut Vec<String>) {
    let Some(rows) = v.as_array() else {
        return;
    };
    if flags & FLAG_COMPONENTS_V2 != 0 {
        // Components v2 layouts are left to the schema.
        return;
    }
    if rows.len() > 5 {
        out.push(format!("{prefix}{} action rows (max 5)", rows.len()));
    }
    let mut custom_ids = HashSet::new();
    for (i, row) in rows.iter().enumerate() {
        let p = format!("{prefix}components[{i}]");
        if row["type"].as_u64() != Some(1) {
            out.push(format!(
                "{p} is type {} at the top level, not an action row (1)",
                row["type"]
            ));
            continue;
        }
        let items = row["components"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        if items.is_empty() || items.len() > 5 {
            out.push(format!("{p} holds {} components (1 to 5)", items.len()));
        }
        let selects = items
            .iter()
            .filter(|c| matches!(c["type"].as_u64(), Some(3 | 5 | 6 | 7 | 8)))
            .count();
        if selects > 0 && items.len() > 1 {
            out.push(format!(
                "{p}: a select menu must be alone in its action row"
            ));
        }
        for (j, c) in items.iter().enumerate() {
            let cp = format!("{p}.components[{j}]");
            if matches!(c["type"].as_u64(), Some(3 | 5..=8)) && !c["custom_id"].is_string() {
                out.push(format!("{cp}: a select menu needs a custom_id"));
            }
            if let Some(id) = c["custom_id"].as_str() {
                counted(&c["custom_id"], 100, &format!("{cp}.custom_id"), out);
                if id.is_empty() {
                    out.push(format!("{cp}.custom_id is empty"));
                }
                if !custom_ids.insert(id.to_string()) {
                    out.push(format!(
                        "{cp}.custom_id {id:?} is used twice in one message"
                    ));
                }
            }
            match c["type"].as_u64() {
                Some(2) => {
                    counted(&c["label"], 80, &format!("{cp}.label"), out);
                    let has_custom_id = c["custom_id"].is_string();
                    match c["style"].as_u64() {
                        Some(1..=4) if !has_custom_id => {
                            out.push(format!("{cp}: this button style needs a custom_id"))
                        }
                        Some(5) if !c["url"].is_string() || has_custom_id => {
                            out.push(format!("{cp}: a link button needs a url and no custom_id"))
                        }
                        Some(6) if !c["sku_id"].is_string() => {
                            out.push(format!("{cp}: a premium button needs a sku_id"))
                        }
                        Some(1..=6) => {}
                        other => out.push(format!("{cp}: invalid button style {other:?}")),
                    }
                    if c["label"].as_str().is_none_or(str::is_empty)
                        && c["emoji"].is_null()
                        && c["style"] != json!(6)
                    {
                        out.push(format!("{cp}: a button needs a label or an emoji"));
                    }
                }
                Some(3) => {
                    counted(&c["placeholder"], 150, &format!("{cp}.placeholder"), out);
                    check_select_counts(c, &cp, out);
                    let options = c["options"]
                        .as_array()
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    if options.is_empty() || options.len() > 25 {
                        out.push(format!("{cp} has {} options (1 to 25)", options.len()));
                    }
                    let mut values = HashSet::new();
                    for (k, o) in options.iter().enumerate() {
                        let op = format!("{cp}.options[{k}]");
                        for key in ["label", "value"] {
                            if counted(&o[key], 100, &format!("{op}.{key}"), out) == 0 {
                                out.push(format!("{op}.{key} is empty or missing"));
                            }
                        }
                        counted(&o["description"], 100, &format!("{op}.description"), out);
                        // Discord answers SELECT_COMPONENT_OPTION_VALUE_DUPLICATED ("The
                        // specified option value is already used"): the value is what the
                        // interaction sends back, so it names one option.
                        if let Some(v) = o["value"].as_str()
                            && !values.insert(v)
                        {
                            out.push(format!("{op}.value {v:?} is used twice in one select"));
                        }
                    }
                }
                Some(5..=8) => {
                    counted(&c["placeholder"], 150, &format!("{cp}.placeholder"), out);
                    check_select_counts(c, &cp, out);
                }
                Some(4) => out.push(format!("{cp}: text inputs only belong in modals")),
                other => out.push(format!(
                    "{cp}: unknown component type {other:?} in an action row"
                )),
            }
        }
    }
}

/// `min_values` (0 to 25) and `max_values` (1 to 25) of a select menu, both 1 when omitted, and
/// min no larger than max: otherwise no choice would be valid
/// (https://discord.com/developers/docs/components/reference#string-select; a min over the
/// default max: https://github.com/discord/discord-api-docs/issues/3202).
fn check_select_counts(c: &Value, cp: &str, out: &mut Vec<String>) {
    let min = select_count(c, "min_values", 0, cp, out);
    let max = select_count(c, "max_values", 1, cp, out);
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        let default = if c["max_values"].is_null() {
            " (omitted, so 1)"
        } else {
            ""
        };
        out.push(format!(
            "{cp}: min_values {min} is over max_values {max}{default}"
        ));
    }
}

/// `c[key]` if it is from `lowest` to 25, 1 if omitted; `None` (recorded) if out of range.
fn select_count(c: &Value, key: &str, lowest: i64, cp: &str, out: &mut Vec<String>) -> Option<i64> {
    match (&c[key], c[key].as_i64()) {
        (Value::Null, _) => Some(1),
        (_, Some(n)) if (lowest..=25).contains(&n) => Some(n),
        (v, _) => {
            out.push(format!("{cp}.{key} is {v}: {lowest} to 25"));
            None
        }
    }
}

pub(crate) fn check_callback(body: &Value, has_files: bool, out: &mut Vec<String>) {
    let data = &body["data"];
    match body["type"].as_u64() {
        Some(4) => check_message(data, true, has_files, "data.", out),
        Some(7) => check_message(data, false, has_files, "data.", out),
        Some(5) => {
            // "If you create a callback with the type DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE the
            // only valid message flag you may use is EPHEMERAL" (interaction callback data).
            let flags = data["flags"].as_u64().unwrap_or(0);
            if flags & !FLAG_EPHEMERAL != 0 {
                out.push(format!(
                    "data.flags {flags}: a deferral (type 5) may only set EPHEMERAL (64)"
                ));
            }
        }
        Some(6 | 10 | 12) => {}
        Some(8) => {
            let Some(choices) = data["choices"].as_array() else {
                out.push("an autocomplete result needs data.choices".into());
                return;
            };
            if choices.len() > 25 {
                out.push(format!("{} autocomplete choices (max 25)", choices.len()));
            }
            for (i, c) in choices.iter().enumerate() {
                let n = counted(&c["name"], 100, &format!("data.choices[{i}].name"), out);
                if n == 0 {
                    out.push(format!("data.choices[{i}].name is empty"));
                }
                counted(&c["value"], 100, &format!("data.choices[{i}].value"), out);
            }
        }
        Some(9) => {
            if counted(&data["title"], 45, "data.title", out) == 0 {
                out.push("a modal needs a title".into());
            }
            if counted(&data["custom_id"], 100, "data.custom_id", out) == 0 {
                out.push("a modal needs a custom_id".into());
            }
            let n = data["components"].as_array().map_or(0, Vec::len);
            if n == 0 || n > 5 {
                out.push(format!("a modal holds {n} components (1 to 5)"));
            }
            check_modal_components(&data["components"], out);
        }
        other => out.push(format!("unknown interaction callback type {other:?}")),
    }
}

/// The top-level components of a modal: text inputs (type 4), each alone in an action row (the
/// form serenity 0.12.5 sends, deprecated but accepted) or in a label (type 18)
/// (https://discord.com/developers/docs/components/reference#text-input).
fn check_modal_components(v: &Value, out: &mut Vec<String>) {
    let Some(items) = v.as_array() else {
        return;
    };
    let mut custom_ids = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("data.components[{i}]");
        let (input, path, label_outside) = match item["type"].as_u64() {
            Some(1) => {
                let inner = item["components"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                if inner.len() != 1 {
                    out.push(format!(
                        "{p}: an action row in a modal holds exactly one text input, not {}",
                        inner.len()
                    ));
                }
                let Some(first) = inner.first() else {
                    continue;
                };
                (first, format!("{p}.components[0]"), false)
            }
            Some(18) => {
                if counted(&item["label"], 45, &format!("{p}.label"), out) == 0 {
                    out.push(format!("{p}: a label needs a label"));
                }
                counted(&item["description"], 100, &format!("{p}.description"), out);
                (&item["component"], format!("{p}.component"), true)
            }
            other => {
                out.push(format!(
                    "{p} is type {other:?}: a modal holds action rows (1) or labels (18)"
                ));
                continue;
            }
        };
        if input["type"].as_u64() != Some(4) {
            // Selects and other components in labels are left to the schema.
            if !label_outside {
                out.push(format!(
                    "{path} is type {}, not a text input (4)",
                    input["type"]
                ));
            }
            continue;
        }
        let id = input["custom_id"].as_str().unwrap_or("");
        if counted(&input["custom_id"], 100, &format!("{path}.custom_id"), out) == 0 {
            out.push(format!("{path}: a text input needs a custom_id"));
        } else if !custom_ids.insert(id.to_string()) {
            out.push(format!(
                "{path}.custom_id {id:?} is used twice in one modal"
            ));
        }
        let label = counted(&input["label"], 45, &format!("{path}.label"), out);
        if label == 0 && !label_outside {
            out.push(format!(
                "{path}: a text input in an action row needs a label"
            ));
        }
        if !matches!(input["style"].as_u64(), Some(1 | 2)) {
            out.push(format!(
                "{path}.style is {}: 1 (short) or 2 (paragraph)",
                input["style"]
            ));
        }
        let min = input["min_length"].as_u64();
        let max = input["max_length"].as_u64();
        if min.is_some_and(|m| m > 4000) {
            out.push(format!("{path}.min_length is over 4000"));
        }
        if max.is_some_and(|m| !(1..=4000).contains(&m)) {
            out.push(format!("{path}.max_length is not from 1 to 4000"));
        }
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            out.push(format!("{path}: min_length {min} is over max_length {max}"));
        }
        counted(&input["value"], 4000, &format!("{path}.value"), out);
        counted(
            &input["placeholder"],
            100,
            &format!("{path}.placeholder"),
            out,
        );
    }
}

/// 1-32 characters; lowercase where the script has case; letters, digits, `-` and `_`.
pub(crate) fn valid_chat_name(name: &str) -> bool {
    let n = name.chars().count();
    (1..=32).contains(&n)
        && name
            .chars()
            .all(|c| c == '-' || c == '_' || (c.is_alphanumeric() && !c.is_uppercase()))
}

pub(crate) fn check_command_list(body: &Value, out: &mut Vec<String>) {
    let Some(commands) = body.as_array() else {
        if !body.is_null() {
            out.push("a bulk overwrite body must be an array".into());
        }
        return;
    };
    let mut per_kind: HashMap<u64, usize> = HashMap::new();
    let mut names = HashSet::new();
    for (i, c) in commands.iter().enumerate() {
        let kind = c["type"].as_u64().unwrap_or(1);
        *per_kind.entry(kind).or_default() += 1;
        let name = c["name"].as_str().unwrap_or("").to_string();
        if !names.insert((kind, name.clone())) {
            out.push(format!("[{i}]: command name {name:?} is used twice"));
        }
        check_command(c, &format!("[{i}]."), out);
    }
    for (kind, max) in [(1, 100), (2, 15), (3, 15)] {
        let n = per_kind.get(&kind).copied().unwrap_or(0);
        if n > max {
            out.push(format!("{n} commands of type {kind} (max {max})"));
        }
    }
}

pub(crate) fn check_command(c: &Value, prefix: &str, out: &mut Vec<String>) {
    let kind = c["type"].as_u64().unwrap_or(1);
    let name = c["name"].as_str().unwrap_or("");
    let description = c["description"].as_str().unwrap_or("");
    if kind == 1 {
        if !valid_chat_name(name) {
            out.push(format!(
                "{prefix}name {name:?}: slash command names are 1-32 lowercase letters, digits, '-' or '_'"
            ));
        }
        let n = description.chars().count();
        if !(1..=100).contains(&n) {
            out.push(format!("{prefix}description is {n} characters (1 to 100)"));
        }
    } else {
        let n = name.chars().count();
        if !(1..=32).contains(&n) {
            out.push(format!("{prefix}name is {n} characters (1 to 32)"));
        }
        if !description.is_empty() {
            out.push(format!(
                "{prefix}context menu commands must have an empty description"
            ));
        }
        if non_empty_array(&c["options"]) {
            out.push(format!("{prefix}context menu commands cannot have options"));
        }
    }
    let mut total = name.chars().count() + description.chars().count();
    total += check_options(&c["options"], &format!("{prefix}options"), out);
    if total > 4000 {
        out.push(format!("{prefix}command {name:?} has {total} characters in names, descriptions and choices (max 4000)"));
    }
}

/// Checks a level of command options; returns their characters for the 4000 total.
pub(crate) fn check_options(v: &Value, prefix: &str, out: &mut Vec<String>) -> usize {
    let Some(options) = v.as_array() else {
        return 0;
    };
    if options.len() > 25 {
        out.push(format!("{prefix}: {} options (max 25)", options.len()));
    }
    let subcommands = options
        .iter()
        .filter(|o| matches!(o["type"].as_u64(), Some(1 | 2)))
        .count();
    if subcommands > 0 && subcommands < options.len() {
        out.push(format!(
            "{prefix}: subcommands cannot be mixed with other options"
        ));
    }
    let mut names = HashSet::new();
    let mut seen_optional = false;
    let mut total = 0;
    for (i, o) in options.iter().enumerate() {
        let p = format!("{prefix}[{i}]");
        let name = o["name"].as_str().unwrap_or("");
        if !valid_chat_name(name) {
            out.push(format!(
                "{p}.name {name:?}: option names are 1-32 lowercase letters, digits, '-' or '_'"
            ));
        }
        if !names.insert(name.to_string()) {
            out.push(format!("{p}.name {name:?} is used twice"));
        }
        let description = o["description"].as_str().unwrap_or("");
        let n = description.chars().count();
        if !(1..=100).contains(&n) {
            out.push(format!("{p}.description is {n} characters (1 to 100)"));
        }
        total += name.chars().count() + n;
        let kind = o["type"].as_u64();
        if !matches!(kind, Some(1 | 2)) {
            let required = o["required"] == json!(true);
            if required && seen_optional {
                out.push(format!(
                    "{p}: required option {name:?} comes after an optional one"
                ));
            }
            seen_optional |= !required;
        }
        if let Some(choices) = o["choices"].as_array() {
            if choices.len() > 25 {
                out.push(format!("{p}: {} choices (max 25)", choices.len()));
            }
            if !choices.is_empty() && o["autocomplete"] == json!(true) {
                out.push(format!(
                    "{p}: an option cannot have both choices and autocomplete"
                ));
            }
            for (j, c) in choices.iter().enumerate() {
                let cn = counted(&c["name"], 100, &format!("{p}.choices[{j}].name"), out);
                if cn == 0 {
                    out.push(format!("{p}.choices[{j}].name is empty"));
                }
                total += cn;
                total += match &c["value"] {
                    Value::String(_) => {
                        counted(&c["value"], 100, &format!("{p}.choices[{j}].value"), out)
                    }
                    other => other.to_string().len(),
                };
            }
        }
        if matches!(kind, Some(1 | 2)) {
            total += check_options(&o["options"], &format!("{p}.options"), out);
        }
    }
    total
}
