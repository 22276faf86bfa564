//! The question-pack loader: random TOML and mutated shipped packs.

use super::*;

/// Problems are located: every one names the file, and a line inside it, unless it is about
/// the whole file; the message is clear.
fn check_problems(problems: &[Problem], file: &str, text: &str) -> Result<(), TestCaseError> {
    prop_assert!(!problems.is_empty());
    let lines = text.lines().count() + 1;
    for p in problems {
        prop_assert_eq!(p.file.to_str(), Some(file));
        let shown = p.to_string();
        if p.line == 0 {
            prop_assert!(
                p.message.starts_with("no questions"),
                "problem without a line: {shown:?}"
            );
        } else {
            prop_assert!(p.line <= lines, "line {} of {lines}: {shown:?}", p.line);
            let located = format!("{file}:{}: ", p.line);
            prop_assert!(shown.starts_with(&located), "{shown:?}");
        }
        // TOML's messages quote values as Rust strings (`string "a\nb"`): escapes are
        // expected there, the rest of the noise is not.
        let unescaped = p.message.replace("\\\"", "\"").replace("\\n", " ");
        check_clear(&unescaped, text)?;
        prop_assert!(!p.message.contains('\n'), "multi-line message: {shown:?}");
        prop_assert!(p.message.chars().count() <= 301, "long message: {shown:?}");
    }
    Ok(())
}

fn toml_line() -> impl Strategy<Value = String> {
    let keys = vec![
        "id",
        "level",
        "topic",
        "tags",
        "prompt",
        "answer",
        "bonus",
        "red_flags",
        "follow_ups",
        "name",
        "description",
        "junk",
        "question",
        "pack",
        "topics",
    ];
    let values = prop_oneof![
        Just("\"junior\"".to_string()),
        Just("\"Senior\"".to_string()),
        Just("\"expert\"".to_string()),
        Just("\"a-slug\"".to_string()),
        Just("[\"one\", \"two\"]".to_string()),
        Just("[]".to_string()),
        Just("[1, 2]".to_string()),
        Just("5".to_string()),
        Just("9999999999999999999999".to_string()),
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("true".to_string()),
        Just("{ a = 1 }".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        Just("\"\"\"".to_string()),
        Just("'''".to_string()),
        Just("\"unclosed".to_string()),
        (1usize..5000).prop_map(|n| format!("\"{}\"", "é".repeat(n))),
        hostile_piece().prop_map(|s| format!("{s:?}")),
        hostile_piece(),
    ];
    prop_oneof![
        4 => (prop::sample::select(keys), values).prop_map(|(k, v)| format!("{k} = {v}")),
        2 => Just("[[question]]".to_string()),
        1 => Just("[pack]".to_string()),
        1 => Just("[topics]".to_string()),
        1 => Just("[question]".to_string()),
        1 => Just("[[pack]]".to_string()),
        1 => hostile_piece(),
        1 => Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    /// Random TOML-ish text: no panic; a pack that does not load reports each problem as
    /// `file:line: message`.
    #[test]
    fn random_pack_text_never_panics_and_each_problem_is_located(
        lines in prop::collection::vec(toml_line(), 0..30),
        crlf in any::<bool>(),
    ) {
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        if let Err(e) = bank::load_str("hostile.toml", &text) {
            check_problems(&e.0, "hostile.toml", &text)?;
        }
    }
}

/// One change to a shipped pack.
#[derive(Debug, Clone)]
enum Mutation {
    /// Cut the file after this many characters.
    Truncate(usize),
    /// Write line `n` twice.
    DuplicateLine(usize),
    DeleteLine(usize),
    /// Give the `n`-th `key = value` line another value.
    WrongValue(usize, String),
    /// The `n`-th `level = ...` line gets this level.
    Level(usize, String),
    /// The `n`-th `prompt = ...` line gets a string of this many characters.
    HugePrompt(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let wrong = prop_oneof![
        Just("5".to_string()),
        Just("true".to_string()),
        Just("[1, 2]".to_string()),
        Just("{ x = 1 }".to_string()),
        Just("[]".to_string()),
        Just("\"\"".to_string()),
        Just("\"   \"".to_string()),
        Just("\"unclosed".to_string()),
        Just("[\"x\", 5]".to_string()),
        hostile_piece().prop_map(|s| format!("{s:?}")),
    ];
    prop_oneof![
        (0usize..200_000).prop_map(Mutation::Truncate),
        (0usize..1500).prop_map(Mutation::DuplicateLine),
        (0usize..1500).prop_map(Mutation::DeleteLine),
        (0usize..1500, wrong).prop_map(|(n, v)| Mutation::WrongValue(n, v)),
        (0usize..100, hostile_piece()).prop_map(|(n, l)| Mutation::Level(n, l)),
        (0usize..100, 1usize..60_000).prop_map(|(n, len)| Mutation::HugePrompt(n, len)),
    ]
}

/// The mutated text, and the (1-based) line the change is on, where there is one.
fn mutate(text: &str, m: &Mutation) -> (String, Option<usize>) {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let nth_with = |lines: &[String], pred: &dyn Fn(&str) -> bool, n: usize| {
        let hits: Vec<usize> = (0..lines.len()).filter(|&i| pred(&lines[i])).collect();
        (!hits.is_empty()).then(|| hits[n % hits.len()])
    };
    let changed = match m {
        Mutation::Truncate(n) => {
            let cut: String = text.chars().take(*n % (text.chars().count() + 1)).collect();
            return (cut, None);
        }
        Mutation::DuplicateLine(n) => {
            let i = n % lines.len();
            lines.insert(i + 1, lines[i].clone());
            Some(i + 2)
        }
        Mutation::DeleteLine(n) => {
            lines.remove(n % lines.len());
            None
        }
        Mutation::WrongValue(n, value) => {
            let one_line = |l: &str| {
                let l = l.trim_start();
                l.contains(" = ")
                    && !l.starts_with('#')
                    && l.ends_with(['"', ']'])
                    && !l.ends_with("\"\"\"")
                    && !l.ends_with('[')
            };
            nth_with(&lines, &one_line, *n).map(|i| {
                let key = lines[i].split(" = ").next().unwrap().to_string();
                lines[i] = format!("{key} = {value}");
                i + 1
            })
        }
        Mutation::Level(n, level) => nth_with(&lines, &|l: &str| l.starts_with("level = "), *n)
            .map(|i| {
                lines[i] = format!("level = {level:?}");
                i + 1
            }),
        Mutation::HugePrompt(n, len) => {
            nth_with(&lines, &|l: &str| l.starts_with("prompt = \""), *n).map(|i| {
                lines[i] = format!("prompt = \"{}\"", "y".repeat(*len));
                i + 1
            })
        }
    };
    (lines.join("\n") + "\n", changed)
}

proptest! {
    #![proptest_config(config(128))]

    /// Mutations of the shipped packs: no panic; every problem located; and the problems a
    /// change must cause are reported on the line of the change.
    #[test]
    fn mutated_shipped_packs_never_panic_and_point_at_the_change(
        pack in 0..BUILTIN_PACKS.len(),
        m in mutation(),
    ) {
        let (name, original) = BUILTIN_PACKS[pack];
        // The pack's head and first questions: enough to change every kind of line, and
        // quick to parse in a debug build.
        let original: String = original.split_inclusive("[[question]]").take(6).collect();
        let original = original.trim_end_matches("[[question]]");
        let (text, line) = mutate(original, &m);
        let loaded = bank::load_str(name, &text);
        if let Err(e) = &loaded {
            check_problems(&e.0, name, &text)?;
        }
        let at_line = |needle: &str| -> Result<(), TestCaseError> {
            let Some(line) = line else { return Ok(()) };
            let Err(e) = &loaded else {
                return Err(TestCaseError::fail(format!("{m:?} loaded")));
            };
            prop_assert!(
                e.0.iter().any(|p| p.line == line && p.message.contains(needle)),
                "{m:?}: expected `{needle}` at line {line}, got {:?}",
                e.0
            );
            Ok(())
        };
        match &m {
            Mutation::Level(_, level) if !["junior", "mid", "senior"].contains(&level.trim().to_lowercase().as_str()) => {
                // A level TOML cannot hold as written is a syntax error instead; both are on
                // the changed line.
                at_line("")?;
            }
            Mutation::HugePrompt(_, len) if *len > 1000 => at_line("characters")?,
            Mutation::WrongValue(_, v) if ["5", "true", "[1, 2]", "{ x = 1 }"].contains(&v.as_str()) => at_line("")?,
            Mutation::DuplicateLine(_) => {
                let l = line.unwrap();
                let dup = text.lines().nth(l - 1).unwrap().trim();
                let is_key = dup.contains(" = ") && !dup.starts_with('#');
                if is_key {
                    // The key is defined twice in its table; TOML says so at one of the two.
                    let Err(e) = &loaded else {
                        return Err(TestCaseError::fail(format!("{m:?} loaded")));
                    };
                    prop_assert!(
                        e.0.iter().any(|p| p.line == l || p.line == l - 1),
                        "{m:?}: {:?}", e.0
                    );
                }
            }
            _ => {}
        }
    }
}

#[test]
fn the_shipped_packs_still_load_from_the_folder_and_built_in() {
    let builtin = bank::load_named(BUILTIN_PACKS).expect("the built-in packs load");
    let folder = bank::load_dir(&common::questions_dir()).expect("the folder loads");
    assert!(builtin.len() >= 100, "{}", builtin.len());
    assert_eq!(builtin.len(), folder.len());
}

/// Found by `mutated_shipped_packs_never_panic_and_point_at_the_change`: a level (id, topic,
/// tag, key) holding a line break was quoted raw, so its problem spread over two lines and the
/// `file:line: message` report no longer read as one problem per line.
#[test]
fn a_line_break_in_a_pack_value_keeps_its_problem_on_one_line() {
    let pack = BUILTIN_PACKS[0]
        .1
        .replacen("level = \"junior\"", "level = \"jun\\r\\nior\"", 1);
    let err = bank::load_str("pack.toml", &pack).unwrap_err();
    let shown = err.0.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0].ends_with(": unknown level `jun\\r\\nior`: use junior, mid or senior"),
        "{shown:?}"
    );
    assert!(!shown[0].contains(['\r', '\n']), "{shown:?}");
    // The same for a key TOML itself reports.
    let pack = BUILTIN_PACKS[0]
        .1
        .replacen("level = \"junior\"", "\"lev\\nel\" = \"junior\"", 1);
    let err = bank::load_str("pack.toml", &pack).unwrap_err();
    assert!(
        err.0.iter().all(|p| !p.message.contains('\n')),
        "{:?}",
        err.0
    );
}

/// Found with the same property: a value of the wrong type was quoted whole by TOML's
/// message, so a 50,000-character string made a 50,000-character problem.
#[test]
fn a_huge_value_of_the_wrong_type_gives_a_short_problem() {
    let huge = "z".repeat(50_000);
    let pack = BUILTIN_PACKS[0].1.replacen(
        "look_fors = [",
        &format!("look_fors = \"{huge}\"\nlook_fors_was = ["),
        1,
    );
    let err = bank::load_str("pack.toml", &pack).unwrap_err();
    assert!(!err.0.is_empty());
    for p in &err.0 {
        assert!(p.line > 0, "{p}");
        assert!(
            p.message.chars().count() <= 301,
            "{} characters",
            p.message.len()
        );
    }
}
