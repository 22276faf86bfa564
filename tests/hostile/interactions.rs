//! Discord interactions into requests: slash commands with any names, types and values, as
//! serenity reads them.

use super::*;
use interview_bot::model::GuildId;

fn user_json(id: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": null,
        "bot": false,
        "public_flags": 0,
    })
}

pub(crate) fn member_json(id: u64, permissions: u64, roles: &[u64]) -> Value {
    json!({
        "user": user_json(id, &format!("user{id}")),
        "nick": null,
        "roles": roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "permissions": permissions.to_string(),
    })
}

/// An interaction as Discord dispatches it (INTERACTION_CREATE's `d`).
fn interaction_json(kind: u8, guild: Option<u64>, member: Value, data: Value) -> Value {
    let mut v = json!({
        "id": "900000000000000001",
        "application_id": "800000000000000001",
        "type": kind,
        "data": data,
        "channel_id": CHANNEL.to_string(),
        "token": "tok",
        "version": 1,
        "app_permissions": "2251799813685247",
        "locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD.to_string()},
        "context": 0,
        "attachment_size_limit": 10_485_760,
    });
    match guild {
        Some(g) => {
            v["guild_id"] = json!(g.to_string());
            v["guild_locale"] = json!("en-US");
            v["member"] = member;
        }
        // In a DM Discord sends `user` instead of `member`.
        None => v["user"] = member["user"].clone(),
    }
    v
}

fn command_json(
    guild: Option<u64>,
    member: Value,
    name: &str,
    options: Value,
    resolved: Value,
) -> Value {
    interaction_json(
        2,
        guild,
        member,
        json!({"id": "700000000000000001", "name": name, "type": 1, "options": options, "resolved": resolved}),
    )
}

pub(crate) fn button_json(guild: Option<u64>, member: Value, custom_id: &str) -> Value {
    let mut v = interaction_json(
        3,
        guild,
        member,
        json!({"custom_id": custom_id, "component_type": 2}),
    );
    v["message"] = json!({
        "id": "600000000000000001",
        "channel_id": CHANNEL.to_string(),
        "author": user_json(800_000_000_000_000_001, "bot"),
        "content": "",
        "timestamp": "2026-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": [{"type": 1, "components": [
            {"type": 2, "style": 1, "label": "Press", "custom_id": custom_id.chars().take(100).collect::<String>()}
        ]}],
        "pinned": false,
        "type": 0,
        "flags": 0,
    });
    v
}

/// A choice in a drop-down list as Discord sends it: component type 3 with every chosen value,
/// on a message whose list carries the same id.
pub(crate) fn select_json(
    guild: Option<u64>,
    member: Value,
    custom_id: &str,
    values: &[String],
) -> Value {
    let mut v = button_json(guild, member, custom_id);
    v["data"] = json!({"custom_id": custom_id, "component_type": 3, "values": values});
    let options: Vec<Value> = values
        .iter()
        .take(25)
        .map(|x| json!({"label": "Option", "value": x.chars().take(100).collect::<String>()}))
        .collect();
    v["message"]["components"] = json!([{"type": 1, "components": [
        {"type": 3, "custom_id": custom_id.chars().take(100).collect::<String>(),
         "options": options, "min_values": 0, "max_values": options.len().max(1)}
    ]}]);
    v
}

pub(crate) fn modal_json(
    guild: Option<u64>,
    member: Value,
    custom_id: &str,
    fields: &[(String, String)],
) -> Value {
    let rows: Vec<Value> = fields
        .iter()
        .map(|(id, value)| {
            json!({"type": 1, "components": [{"type": 4, "custom_id": id, "value": value}]})
        })
        .collect();
    interaction_json(
        5,
        guild,
        member,
        json!({"custom_id": custom_id, "components": rows}),
    )
}

/// Option names: every declared one and some that are not.
fn option_name() -> impl Strategy<Value = String> {
    let names = option_names();
    prop_oneof![
        4 => prop::sample::select(names),
        1 => "[a-z_]{1,12}",
        1 => hostile_piece(),
    ]
}

/// A JSON option value of any type Discord has, including extremes and wrong types.
fn option_value() -> impl Strategy<Value = (u8, Value)> {
    let integer = prop_oneof![
        Just(json!(i64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1)),
        Just(json!(10)),
        Just(json!(9_007_199_254_740_993_i64)),
        any::<i64>().prop_map(|n| json!(n)),
    ];
    let number = prop_oneof![
        Just(json!(u64::MAX)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(5e-324)),
        Just(json!(-0.0)),
        Just(json!(2.5)),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |f| f.is_finite())
            .prop_map(|f| json!(f)),
    ];
    let id = prop_oneof![
        prop::sample::select(vec![5u64, 6, 7, 8, CHANNEL, USER, u64::MAX]),
        1u64..,
    ];
    prop_oneof![
        6 => hostile_text().prop_map(|s| (3u8, json!(s))),
        3 => integer.clone().prop_map(|n| (4u8, n)),
        2 => prop_oneof![integer, number.clone()].prop_map(|n| (10u8, n)),
        1 => any::<bool>().prop_map(|b| (5u8, json!(b))),
        // Users, channels, roles, mentionables, attachments: ids, resolved or not.
        3 => (prop::sample::select(vec![6u8, 7, 8, 9, 11]), id).prop_map(|(t, id)| (t, json!(id.to_string()))),
        // A float or an integer past i64 for an integer option (serenity cannot read it).
        1 => number.prop_map(|n| (4u8, n)),
        // The right JSON type for the wrong option type, and the wrong JSON type.
        1 => (prop::sample::select(vec![3u8, 4, 5, 6, 10]), prop_oneof![Just(json!(null)), Just(json!([])), Just(json!({})), Just(json!("12")), Just(json!(12))]).prop_map(|(t, v)| (t, v)),
        // An option type Discord may add later.
        1 => Just((99u8, json!("x"))),
    ]
}

fn command_options() -> impl Strategy<Value = Value> {
    prop::collection::vec((option_name(), option_value(), any::<bool>()), 0..4).prop_map(|opts| {
        Value::Array(
            opts.into_iter()
                .map(|(name, (kind, value), focused)| {
                    let mut o = json!({"name": name, "type": kind, "value": value});
                    if focused && kind == 3 {
                        o["focused"] = json!(true);
                    }
                    o
                })
                .collect(),
        )
    })
}

fn command_name_and_options() -> impl Strategy<Value = (String, Value)> {
    let paths: Vec<String> = REGISTRY.leaves().iter().map(|l| l.path()).collect();
    let path = prop_oneof![
        5 => prop::sample::select(paths),
        1 => "[a-z-]{1,32}",
        1 => hostile_piece(),
    ];
    (path, command_options()).prop_map(|(path, options)| {
        // `daily set` arrives as `daily` with a subcommand option around the leaf options.
        let mut words: Vec<&str> = path.split(' ').collect();
        let name = words.remove(0).to_string();
        let mut options = options;
        for (depth, word) in words.iter().enumerate().rev() {
            let kind = if depth + 1 < words.len() { 2 } else { 1 };
            let kind = if words.len() == 2 && depth == 0 {
                2
            } else {
                kind
            };
            options = json!([{"name": word, "type": kind, "options": options}]);
        }
        (name, options)
    })
}

/// Users, roles and channels that ids in options may point at.
fn resolved_json() -> Value {
    json!({
        "users": {"5": user_json(5, "five")},
        "members": {"5": {"roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0, "pending": false, "permissions": "0"}},
        "roles": {"6": {"id": "6", "name": "@everyone\u{202E}", "color": 0, "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null}, "hoist": false, "position": 1, "permissions": "0", "managed": false, "mentionable": true, "flags": 0}},
        "channels": {"7": {"id": "7", "name": "voice", "type": 2, "permissions": "0"}},
    })
}

pub(crate) fn permissions() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(Permissions::ADMINISTRATOR),
        Just(Permissions::MANAGE_GUILD),
        Just(u64::MAX >> 1),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// Slash commands as Discord would send them, with any option names, types and values:
    /// no panic; outside a server, a refusal; inside, an answer whose error is clear; every
    /// payload the bot would send is valid for Discord.
    #[test]
    fn hostile_command_interactions_get_a_clear_answer(
        (name, options) in command_name_and_options(),
        in_guild in prop::bool::weighted(0.9),
        perms in permissions(),
        with_resolved in any::<bool>(),
    ) {
        let f = shared(&COMMANDS);
        let guild = in_guild.then_some(GUILD);
        let resolved = if with_resolved { resolved_json() } else { json!({}) };
        let payload = command_json(guild, member_json(USER, perms, &[]), &name, options, resolved);
        let input = payload.to_string();
        // A payload serenity cannot read (a float for an integer option, an integer past
        // i64) never reaches the bot: serenity's gateway drops the event. Discord does not
        // send them (its integers are within ±2^53).
        let Ok(cmd) = serde_json::from_value(payload) else {
            return Ok(());
        };
        match convert::command_request(&cmd) {
            Err(e) => {
                prop_assert!(!in_guild);
                prop_assert!(matches!(e, Error::OutsideGuild));
                check_clear(&e.user_message(), &input)?;
            }
            Ok(req) => {
                prop_assert!(in_guild);
                prop_assert_eq!(req.guild_id, GuildId(GUILD));
                let (outcome, _) = f.engine.execute(&req, &mut Recorder::default());
                check_outcome(&outcome, &input)?;
                check_payloads(&outcome, &input)?;
            }
        }
    }
}

/// The payload builders above make what serenity reads as Discord's own (so the properties
/// test the bot, not a payload serenity drops): a command with every kind of option, resolved
/// entities, a subcommand; a button; a modal.
#[test]
fn the_hostile_payloads_are_interactions_serenity_reads() {
    let f = fixture();
    let member = || member_json(USER, Permissions::ADMINISTRATOR, &[]);
    let options = json!([{"name": "candidate", "type": 3, "value": "Ada"}, {"name": "level", "type": 3, "value": "junior"}]);
    let payload = command_json(
        Some(GUILD),
        member(),
        "interview",
        json!([{"name": "start", "type": 1, "options": options}]),
        resolved_json(),
    );
    let cmd = serde_json::from_value(payload).expect("serenity reads the command");
    let req = convert::command_request(&cmd).unwrap();
    assert_eq!(req.resolved.users.len(), 1);
    assert_eq!(req.resolved.roles.len(), 1);
    assert_eq!(req.resolved.channels.len(), 1);
    let Invocation::Command { name, options } = &req.invocation else {
        panic!()
    };
    assert_eq!(name, "interview start");
    assert_eq!(options.len(), 2);
    let (o, _) = f.engine.execute(&req, &mut Recorder::default());
    assert!(!o.is_error, "{}", outcome_text(&o));
    let click =
        serde_json::from_value(button_json(Some(GUILD), member(), "q:answer:aws-s3-basics"))
            .expect("serenity reads the click");
    let req = convert::component_request(&click).unwrap();
    assert!(
        matches!(&req.invocation, Invocation::Button { custom_id, message: Some(m) } if custom_id == "q:answer:aws-s3-basics" && m.buttons.len() == 1)
    );
    let submit = serde_json::from_value(modal_json(
        Some(GUILD),
        member(),
        "s:note:1:0",
        &[("notes".into(), "hi".into())],
    ))
    .expect("serenity reads the modal");
    let req = convert::modal_request(&submit).unwrap();
    assert!(
        matches!(&req.invocation, Invocation::Modal { fields, .. } if fields == &[("notes".to_string(), "hi".to_string())])
    );
    // Outside a server: a refusal that says so.
    let dm = serde_json::from_value(button_json(None, member(), "q:answer:aws-s3-basics"))
        .expect("serenity reads a DM click");
    let err = convert::component_request(&dm).unwrap_err();
    assert!(
        err.user_message().contains("inside servers"),
        "{}",
        err.user_message()
    );
}

/// Issue 19, finding 4: Discord sends the channel an interaction was made in as a partial
/// channel object (`channel`, "Partial channel that the interaction was sent from",
/// https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-interaction-structure),
/// whose `parent_id` is, for a thread, "the id of the text channel this thread was created"
/// in (https://discord.com/developers/docs/resources/channel#channel-object-channel-structure).
/// The request carries it, so a channel's rubric rule reaches its threads; a text channel's
/// `parent_id` (its category) is not taken for one.
#[test]
fn a_threads_parent_channel_reaches_the_request_and_its_rubric_rule() {
    const THREAD: u64 = CHANNEL + 5;
    const CATEGORY: u64 = CHANNEL + 6;
    let in_channel = |mut v: Value, id: u64, kind: u8, parent: u64| {
        v["channel_id"] = json!(id.to_string());
        v["channel"] = json!({
            "id": id.to_string(),
            "type": kind,
            "name": "a channel",
            "guild_id": GUILD.to_string(),
            "parent_id": parent.to_string(),
            "permissions": "0",
        });
        v
    };
    let member = || member_json(USER + 1, 0, &[]);
    let f = with_interviewers();
    common::rubrics_closed_in(&f.engine, CHANNEL);
    let q = f.engine.bank().all()[0].id.clone();

    // A public thread (type 11) under CHANNEL: the command, the click and the modal.
    let answer = command_json(
        Some(GUILD),
        member(),
        "answer",
        json!([{"name": "id", "type": 3, "value": q}]),
        json!({}),
    );
    let cmd = serde_json::from_value(in_channel(answer.clone(), THREAD, 11, CHANNEL))
        .expect("serenity reads a command in a thread");
    let req = convert::command_request(&cmd).unwrap();
    assert_eq!(
        req.thread_parent(),
        Some(interview_bot::model::ChannelId(CHANNEL))
    );
    let (o, _) = f.engine.execute(&req, &mut Recorder::default());
    assert!(
        o.is_error,
        "/answer in the thread showed: {}",
        outcome_text(&o)
    );
    let click = serde_json::from_value(in_channel(
        button_json(Some(GUILD), member(), &format!("q:answer:{q}")),
        THREAD,
        11,
        CHANNEL,
    ))
    .expect("serenity reads a click in a thread");
    let req = convert::component_request(&click).unwrap();
    assert_eq!(
        req.thread_parent(),
        Some(interview_bot::model::ChannelId(CHANNEL))
    );
    let (o, _) = f.engine.execute(&req, &mut Recorder::default());
    assert!(
        o.is_error,
        "Model answer in the thread showed: {}",
        outcome_text(&o)
    );
    let submit = serde_json::from_value(in_channel(
        modal_json(Some(GUILD), member(), "s:note:1:0", &[]),
        THREAD,
        12,
        CHANNEL,
    ))
    .expect("serenity reads a modal in a private thread");
    assert_eq!(
        convert::modal_request(&submit).unwrap().thread_parent(),
        Some(interview_bot::model::ChannelId(CHANNEL))
    );

    // A text channel's parent is its category: no thread parent, and the server's rule.
    let cmd = serde_json::from_value(in_channel(answer, THREAD, 0, CATEGORY)).unwrap();
    let req = convert::command_request(&cmd).unwrap();
    assert_eq!(req.thread_parent(), None);
    let (o, _) = f.engine.execute(&req, &mut Recorder::default());
    assert!(!o.is_error, "{}", outcome_text(&o));
}
