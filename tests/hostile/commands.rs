//! Every option of every command, autocomplete, and hostile candidate names in every message.

use super::*;
use interview_bot::model::{ChannelId, GuildId, RoleId, UserId};

/// Users, roles, channels and files a request's ids may name (the console and Discord
/// resolve them the same way).
fn resolved_entities() -> Resolved {
    let mut r = Resolved::default();
    r.users.insert(
        UserId(5),
        ResolvedUser {
            id: UserId(5),
            name: "five\u{202E}@everyone".into(),
        },
    );
    r.roles.insert(
        RoleId(6),
        ResolvedRole {
            id: RoleId(6),
            name: "@everyone".into(),
            mentionable: true,
        },
    );
    r.channels.insert(
        ChannelId(CHANNEL),
        ResolvedChannel {
            id: ChannelId(CHANNEL),
            name: "general".into(),
            kind: ChannelKind::Text,
            bot_permissions: Some(Permissions(u64::MAX)),
        },
    );
    r.channels.insert(
        ChannelId(7),
        ResolvedChannel {
            id: ChannelId(7),
            name: "voice".into(),
            kind: ChannelKind::Voice,
            bot_permissions: None,
        },
    );
    r.attachments.insert(
        8,
        ResolvedAttachment {
            id: 8,
            filename: "x.csv".into(),
            size: u64::MAX,
            url: "https://cdn/x".into(),
            content: Default::default(),
        },
    );
    r
}

/// A value the declaration accepts, to fill the required options around the one under test.
fn valid_value(o: &interview_bot::engine::OptionSpec) -> RawValue {
    if let Some(c) = o.choices.first() {
        return RawValue::Text(c.value.to_string());
    }
    match o.kind {
        OptionKind::Text { .. } => RawValue::Text(
            match o.completion {
                Some(Completion::QuestionId) => "aws-s3-basics",
                Some(Completion::Topic) => "networking",
                Some(Completion::Timezone) => "UTC",
                Some(Completion::Pack) => "aws",
                _ => "Ada",
            }
            .to_string(),
        ),
        OptionKind::Integer { min, .. } => RawValue::Integer(min),
        OptionKind::Number { min, .. } => RawValue::Number(min),
        OptionKind::Boolean => RawValue::Bool(true),
        OptionKind::User => RawValue::Id(5),
        OptionKind::Role => RawValue::Id(6),
        OptionKind::Channel { .. } => RawValue::Id(CHANNEL),
        OptionKind::Attachment => RawValue::Id(8),
    }
}

/// Every option of every command, given each extreme or wrongly typed value Discord's types
/// allow (NaN and infinities too, which JSON cannot carry but a front end might make): no
/// panic, and a clear answer.
#[test]
fn every_option_of_every_command_takes_extreme_and_wrongly_typed_values_clearly() {
    let f = fixture();
    let hostile = [
        RawValue::Text(String::new()),
        RawValue::Text(" \t ".into()),
        RawValue::Text("\0".into()),
        RawValue::Text("x".repeat(10_000)),
        RawValue::Text("NaN".into()),
        RawValue::Text("-9223372036854775809".into()),
        RawValue::Text("99999999999999999999".into()),
        RawValue::Text("<@18446744073709551615>".into()),
        RawValue::Text("<#0>".into()),
        RawValue::Text("=cmd|' /C calc'!A0".into()),
        RawValue::Integer(i64::MIN),
        RawValue::Integer(i64::MAX),
        RawValue::Integer(-1),
        RawValue::Number(f64::NAN),
        RawValue::Number(f64::INFINITY),
        RawValue::Number(f64::NEG_INFINITY),
        RawValue::Number(1e308),
        RawValue::Number(-0.0),
        RawValue::Bool(false),
        RawValue::Id(0),
        RawValue::Id(u64::MAX),
        RawValue::Id(5),
        RawValue::Id(7),
        RawValue::Id(8),
    ];
    let mut runs = 0;
    for leaf in REGISTRY.leaves() {
        for o in leaf.spec.options {
            for value in &hostile {
                let mut options = vec![RawOption {
                    name: o.name.to_string(),
                    value: value.clone(),
                }];
                for other in leaf
                    .spec
                    .options
                    .iter()
                    .filter(|x| x.required && x.name != o.name)
                {
                    options.push(RawOption {
                        name: other.name.to_string(),
                        value: valid_value(other),
                    });
                }
                let req = Request {
                    guild_id: GuildId(GUILD),
                    channel_id: ChannelId(CHANNEL),
                    origin: interview_bot::engine::Origin::Member(admin(7)),
                    invocation: Invocation::Command {
                        name: leaf.path(),
                        options,
                    },
                    resolved: resolved_entities(),
                };
                let input = format!("/{} {}: {value:?}", leaf.path(), o.name);
                let (outcome, _) = f.engine.execute(&req, &mut Recorder::default());
                check_outcome(&outcome, &input).unwrap_or_else(|e| panic!("{e}"));
                check_payloads(&outcome, &input).unwrap_or_else(|e| panic!("{e}"));
                f.clock.advance(61_000);
                runs += 1;
            }
        }
    }
    assert!(runs > 500, "{runs}");
}

/// Suggestions while typing anything: within Discord's limits (at most 25, names and values
/// 1 to 100 characters), whatever the guild's candidates are called.
#[test]
fn autocomplete_suggestions_stay_within_discord_limits_for_any_partial_text() {
    let f = with_interviewers();
    let e = &f.engine;
    let hundred = "Ω".repeat(99) + "👩";
    for name in [
        hundred.as_str(),
        "=1+1",
        // Control and invisible characters are refused in names (issue 19); fullwidth letters
        // are normalised.
        "Ｆｕｌｌ ｗｉｄｔｈ",
        "@everyone",
        "Ada Lovelace",
        "  spaced  ",
        "é\u{301}",
    ] {
        let req = common::command(
            GUILD,
            "score",
            &[
                ("candidate", name),
                ("question", "aws-s3-basics"),
                ("rating", "3"),
            ],
        );
        let req = Request {
            origin: interview_bot::engine::Origin::Member(admin(7)),
            ..req
        };
        let (o, _) = e.execute(&req, &mut Recorder::default());
        assert!(!o.is_error, "{name:?}: {}", outcome_text(&o));
    }
    let completing: Vec<(String, String)> = REGISTRY
        .leaves()
        .iter()
        .flat_map(|l| {
            l.spec
                .options
                .iter()
                .filter(|o| o.completion.is_some())
                .map(move |o| (l.path(), o.name.to_string()))
        })
        .collect();
    assert!(completing.len() >= 4, "{completing:?}");
    let mut runner = proptest::test_runner::TestRunner::new(config(128));
    runner
        .run(
            &(
                prop::sample::select(completing),
                hostile_text(),
                any::<bool>(),
            ),
            |((command, option), partial, member)| {
                let choices = e.autocomplete(&AutocompleteRequest {
                    guild_id: GuildId(GUILD),
                    channel_id: ChannelId(CHANNEL),
                    command,
                    option,
                    partial: partial.clone(),
                    options: vec![RawOption::text("level", &partial)],
                    member: member.then(|| admin(7)),
                });
                prop_assert!(
                    interview_bot::engine::limits::check_choices(&choices).is_empty(),
                    "{choices:?}"
                );
                for c in &choices {
                    prop_assert!(
                        !c.name.trim().is_empty() && !c.value.is_empty(),
                        "{choices:?}"
                    );
                    prop_assert!(
                        c.name.chars().count() <= 100 && c.value.chars().count() <= 100,
                        "{c:?}"
                    );
                }
                Ok(())
            },
        )
        .unwrap();
}

/// Candidate names at the longest (100 characters) made of what escaping doubles (markdown
/// characters) or widens: every message that shows them stays within Discord's limits.
#[test]
fn the_longest_hostile_candidate_names_fit_every_message_that_shows_them() {
    let f = with_interviewers();
    let e = &f.engine;
    let lead = interviewer(81);
    let mut runner = proptest::test_runner::TestRunner::new(config(24));
    let name = prop::collection::vec(
        prop::sample::select(vec![
            '*', '_', '`', '|', '<', '>', '#', '-', '[', ']', '(', ')', ':', '\\', '@', '~', '👩',
            'é', 'Ω', 'W',
        ]),
        100,
    )
    .prop_map(|c| c.into_iter().collect::<String>())
    .prop_filter("a name is not blank", |n| !n.trim().is_empty());
    let channel = std::sync::atomic::AtomicU64::new(CHANNEL);
    runner
        .run(&name, |name| {
            // A channel per case: one session is open per channel.
            let here = channel.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // Past the rate limits of the lookups.
            f.clock.advance(61_000);
            let run = |m: &Member, cmd: &str, opts: &[(&str, &str)]| {
                common::run(e, &command_in(GUILD, here, m, cmd, opts))
            };
            let mut outcomes = vec![
                run(
                    &lead,
                    "score",
                    &[
                        ("candidate", &name),
                        ("question", "aws-s3-basics"),
                        ("rating", "4"),
                        ("notes", &name),
                    ],
                ),
                run(
                    &lead,
                    "recommend",
                    &[("candidate", &name), ("recommendation", "strong-yes")],
                ),
                run(
                    &lead,
                    "interview start",
                    &[("candidate", &name), ("level", "junior")],
                ),
                run(&lead, "scores candidate", &[("candidate", &name)]),
                run(&lead, "scores team", &[]),
                run(&lead, "scores question", &[("id", "aws-s3-basics")]),
                run(&lead, "scores interviewer", &[]),
                run(&admin(82), "scores forget", &[("candidate", &name)]),
            ];
            // The session's buttons too.
            let ids: Vec<String> = outcomes[2]
                .effects
                .iter()
                .filter_map(Effect::message)
                .flat_map(|m| m.buttons.iter().map(|b| b.action.clone()))
                .collect();
            for id in ids {
                outcomes.push(common::run(e, &button_in(GUILD, here, &lead, &id)));
            }
            outcomes.push(run(&lead, "interview end", &[]));
            for (i, o) in outcomes.iter().enumerate() {
                // All succeed but the session's buttons after its first rating moved it on
                // (the ids are for question 1): the name reached each message.
                prop_assert!(!o.is_error || i > 8, "{i}: {}", outcome_text(o));
                check_outcome(o, &name)?;
                check_payloads(o, &name)?;
            }
            Ok(())
        })
        .unwrap();
}
