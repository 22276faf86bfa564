//! The console parser: any line, and generated commands that must parse back.

use super::*;

fn bank() -> &'static Bank {
    static BANK: OnceLock<Bank> = OnceLock::new();
    BANK.get_or_init(|| Bank::load_configured(None).unwrap().0)
}

/// Words a console line is made of: command paths, option names in every form, values.
fn console_word() -> impl Strategy<Value = String> {
    let paths: Vec<String> = REGISTRY.leaves().iter().map(|l| l.path()).collect();
    let names = option_names();
    prop_oneof![
        3 => hostile_piece(),
        2 => prop::sample::select(paths.clone()).prop_map(|p| format!("/{p}")),
        1 => prop::sample::select(paths),
        2 => (prop::sample::select(names.clone()), hostile_piece()).prop_map(|(n, v)| format!("{n}:{v}")),
        1 => prop::sample::select(names.clone()).prop_map(|n| format!("{n}:")),
        1 => (prop::sample::select(names), "[^\"]{0,20}").prop_map(|(n, v)| format!("{n}:\"{v}\"")),
        1 => Just("!".to_string()),
        1 => Just("#".to_string()),
    ]
}

fn console_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(console_word(), 0..8).prop_map(|w| w.join(" ")),
        2 => hostile_text(),
        // A very long line: a command with a huge value, or a huge unknown command.
        1 => (1usize..20_000).prop_map(|n| format!("/question topic:{}", "x".repeat(n))),
        1 => (1usize..10_000).prop_map(|n| format!("/{}", "a:".repeat(n))),
        1 => (1usize..10_000).prop_map(|n| format!("!{}", "9".repeat(n))),
        // `!N` and a choice: numbers, commas, `-`, repeats and anything else.
        1 => (0usize..30, prop::collection::vec(prop_oneof![
            3 => (0usize..30).prop_map(|n| n.to_string()),
            1 => Just("-".to_string()),
            1 => Just(",".to_string()),
            1 => hostile_piece(),
        ], 0..6))
            .prop_map(|(n, choice)| format!("!{n} {}", choice.join(" "))),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// Any line: no panic; a refusal is a clear message; a parsed command runs in the engine
    /// and any error it gives is clear too.
    #[test]
    fn console_lines_never_panic_and_refusals_are_clear(line in console_line()) {
        let f = shared(&CONSOLE);
        match parse_line(&line, &f.engine) {
            Err(e) => check_clear(&e.user_message(), &line)?,
            Ok(Line::Run(invocation)) => {
                let req = Request::member(GUILD, CHANNEL, admin(7), invocation);
                let (outcome, _) = f.engine.execute(&req, &mut Recorder::default());
                check_outcome(&outcome, &line)?;
            }
            Ok(Line::Empty | Line::Quit | Line::Press(_) | Line::Choose(..)) => {}
        }
    }
}

/// A generated command: its line, and what it must parse to.
#[derive(Debug, Clone)]
struct Generated {
    line: String,
    path: String,
    options: Vec<(String, String)>,
    /// Every required option is one the generator gives a value for, so `bind` must accept it.
    bindable: bool,
}

/// A value that `bind` accepts for a declared option, or `None` for options that name a
/// member, role, channel or file (those need resolved data).
fn value_for(kind: &OptionKind, choices: &[&'static str]) -> Option<BoxedStrategy<String>> {
    if !choices.is_empty() {
        let choices: Vec<String> = choices.iter().map(|c| c.to_string()).collect();
        return Some(
            (prop::sample::select(choices), any::<bool>())
                .prop_map(|(c, upper)| if upper { c.to_uppercase() } else { c })
                .boxed(),
        );
    }
    match kind {
        OptionKind::Text { max_len } => {
            let max = usize::from(*max_len).clamp(1, 40);
            // Starts with a visible character, so it is not empty once trimmed; no `"`, which
            // quotes the value on the line.
            Some(
                (
                    "[a-zA-Z0-9=+@#!é👩-]",
                    prop::collection::vec("[^\"\\x00-\\x08]", 0..max),
                )
                    .prop_map(move |(first, rest)| {
                        let s: String = std::iter::once(first).chain(rest).collect();
                        s.chars()
                            .take(max)
                            .collect::<String>()
                            .trim_end()
                            .to_string()
                    })
                    .boxed(),
            )
        }
        OptionKind::Integer { min, max } => Some((*min..=*max).prop_map(|n| n.to_string()).boxed()),
        OptionKind::Boolean => Some(
            prop::sample::select(vec!["true", "false", "yes", "no", "on", "off"])
                .prop_map(str::to_string)
                .boxed(),
        ),
        _ => None,
    }
}

fn generated_command() -> impl Strategy<Value = Generated> {
    let paths: Vec<String> = REGISTRY.leaves().iter().map(|l| l.path()).collect();
    prop::sample::select(paths).prop_flat_map(|path| {
        let leaf = REGISTRY.find(&path).unwrap();
        let mut opts: Vec<BoxedStrategy<Option<(String, String, u8)>>> = Vec::new();
        let mut bindable = true;
        for o in leaf.spec.options {
            let choices: Vec<&'static str> = o.choices.iter().map(|c| c.value).collect();
            match value_for(&o.kind, &choices) {
                Some(values) => {
                    let name = o.name.to_string();
                    let required = o.required;
                    opts.push(
                        (values, any::<bool>(), 0u8..3, prop::bool::weighted(0.1))
                            .prop_map(move |(v, give, form, empty)| {
                                // Sometimes an explicitly empty value: `topic:""`.
                                let v = if empty { String::new() } else { v };
                                (required || give).then(|| (name.clone(), v, form))
                            })
                            .boxed(),
                    );
                }
                None => bindable &= !o.required,
            }
        }
        let path = leaf.path();
        (
            opts,
            any::<bool>(),
            prop::sample::subsequence((0..8).collect::<Vec<_>>(), 0..=8),
        )
            .prop_map(move |(given, upper, order)| {
                let given: Vec<(String, String, u8)> = given.into_iter().flatten().collect();
                // Shuffle deterministically from the sampled order.
                let mut indexed: Vec<(usize, (String, String, u8))> =
                    given.into_iter().enumerate().collect();
                indexed.sort_by_key(|(i, _)| order.iter().position(|o| o == i).unwrap_or(99));
                let mut line = format!(
                    "/{}",
                    if upper {
                        path.to_uppercase()
                    } else {
                        path.clone()
                    }
                );
                let mut options = Vec::new();
                for (_, (name, value, form)) in indexed {
                    let key = if form == 1 {
                        name.to_uppercase()
                    } else {
                        name.clone()
                    };
                    match form {
                        // `name: "value"`: the value is the next word.
                        2 => line.push_str(&format!(" {key}: \"{value}\"")),
                        _ => line.push_str(&format!("  {key}:\"{value}\"")),
                    }
                    options.push((name, value));
                }
                Generated {
                    line,
                    path: path.clone(),
                    options,
                    bindable,
                }
            })
    })
}

proptest! {
    #![proptest_config(config(256))]

    /// A command written with named options in any order, any case of the names, quoted
    /// values with spaces, quotes of the other kind and formula characters, parses back to its
    /// command and options, and `bind` accepts it.
    #[test]
    fn generated_console_commands_parse_back_to_their_command_and_options(g in generated_command()) {
        let parsed = parse_line_in(&g.line, bank(), REGISTRY);
        let Ok(Line::Run(Invocation::Command { name, options })) = parsed else {
            return Err(TestCaseError::fail(format!("{:?} gave {parsed:?}", g.line)));
        };
        prop_assert_eq!(&name, &g.path);
        let got: Vec<(String, String)> = options
            .iter()
            .map(|o| match &o.value {
                RawValue::Text(t) => (o.name.clone(), t.clone()),
                other => (o.name.clone(), format!("{other:?}")),
            })
            .collect();
        prop_assert_eq!(&got, &g.options, "line {:?}", g.line);
        // An empty value is the engine's to refuse, clearly.
        let empty = g.options.iter().any(|(_, v)| v.is_empty());
        if g.bindable && !empty {
            let leaf = REGISTRY.find(&name).unwrap();
            let bound = bind(leaf, &options, &Resolved::default());
            prop_assert!(bound.is_ok(), "{:?}: {:?}", g.line, bound.err().map(|e| e.user_message()));
        }
    }
}

/// Found by `console_lines_never_panic_and_refusals_are_clear` (its long lines ran for
/// seconds): "did you mean" compared a pasted 200,000-character command with every command
/// name, about 3 s for one line in a debug build. Strings ten times longer than a name can
/// never be close to it, and are no longer compared.
#[test]
fn a_huge_unknown_command_is_answered_without_comparing_it_to_every_name() {
    let f = fixture();
    let line = format!("/{}", "a:".repeat(100_000));
    let started = std::time::Instant::now();
    let Ok(Line::Run(invocation)) = parse_line(&line, &f.engine) else {
        panic!("an unknown command goes to the engine");
    };
    let req = Request::member(GUILD, CHANNEL, admin(7), invocation);
    let (outcome, _) = f.engine.execute(&req, &mut Recorder::default());
    let elapsed = started.elapsed();
    assert!(outcome.is_error);
    let text = outcome_text(&outcome);
    assert!(
        text.contains("There is no command /a:a:") && text.contains("Try /help"),
        "{text}"
    );
    assert!(text.chars().count() < 2000);
    assert!(elapsed < std::time::Duration::from_secs(1), "{elapsed:?}");
    // Close misspellings are still suggested.
    let names = ["question", "daily set"];
    assert_eq!(
        interview_bot::text::closest("questoin", &names),
        Some("question")
    );
    assert_eq!(
        interview_bot::text::closest(&"questoin".repeat(20), &names),
        None
    );
}

/// Found by `generated_console_commands_parse_back_to_their_command_and_options` once it
/// gave empty values too: `name:` with nothing after the colon took the next word as its
/// value even when that word was another option, so `/question topic:"" level:mid` asked for
/// the topic `level:mid` and lost the level.
#[test]
fn an_empty_option_value_no_longer_swallows_the_next_option() {
    let parsed = |line: &str| match parse_line_in(line, bank(), REGISTRY) {
        Ok(Line::Run(Invocation::Command { options, .. })) => options
            .into_iter()
            .map(|o| match o.value {
                RawValue::Text(t) => (o.name, t),
                other => panic!("{other:?}"),
            })
            .collect::<Vec<_>>(),
        other => panic!("{line}: {other:?}"),
    };
    let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
    assert_eq!(
        parsed("/question topic:\"\" level:mid"),
        [pair("topic", ""), pair("level", "mid")]
    );
    assert_eq!(
        parsed("/question topic: level:mid"),
        [pair("topic", ""), pair("level", "mid")]
    );
    assert_eq!(
        parsed("/answer id:'' public:yes"),
        [pair("id", ""), pair("public", "yes")]
    );
    // `name: value` with a space still works, and a quoted empty value stays empty.
    assert_eq!(
        parsed("/question topic: networking"),
        [pair("topic", "networking")]
    );
    assert_eq!(
        parsed("/question topic:\"\" mid"),
        [pair("topic", ""), pair("level", "mid")]
    );
    // The engine then says what is wrong with the empty value.
    let f = fixture();
    let req = common::command(GUILD, "question", &[("topic", ""), ("level", "mid")]);
    let err = f.engine.dispatch(&req).unwrap_err();
    assert!(
        err.user_message().contains("`topic`"),
        "{}",
        err.user_message()
    );
}
