//! Console lines into invocations: `/question senior networking`, `/answer id:aws-s3-basics`,
//! `level: senior` with a space, `help`/`quit`/`exit` without the slash, and hints for values
//! in the wrong place.

use crate::bank::Bank;
use crate::engine::{
    Completion, Engine, Error, InputError, Invocation, OptionKind, OptionSpec, RawOption, Registry,
};

/// What a console line asks for.
#[derive(Debug, PartialEq)]
pub enum Line {
    Empty,
    Quit,
    Run(Invocation),
    /// `!N`: press button N of the last message that had buttons or drop-down lists, or, if
    /// N is one of its lists, show that list's options again.
    Press(usize),
    /// `!N 1 3`, `!N 1,3`: choose these options (numbered from 1, each once, in the order
    /// typed) of list N; `!N -` or `!N none` chooses none (no options).
    Choose(usize, Vec<usize>),
}

/// Parses one console line. Options are `name:value` (quote values with spaces:
/// `topic:"multi-account"`), in any order, or given positionally in the order the command
/// declares them. Subcommands follow the command's name: `/daily set ...`.
pub fn parse_line(line: &str, engine: &Engine) -> Result<Line, Error> {
    parse_line_in(line, engine.bank(), engine.registry())
}

/// [`parse_line`] against a bank and the commands of `registry`.
pub fn parse_line_in(line: &str, bank: &Bank, registry: Registry) -> Result<Line, Error> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(Line::Empty);
    }
    if matches!(line, "quit" | "exit" | "/quit" | "/exit" | "q") {
        return Ok(Line::Quit);
    }
    if let Some(rest) = line.strip_prefix('!') {
        return press(rest, line).map_err(Error::Input);
    }
    // A command typed without its slash: `help`, `question senior`.
    let rest = match line.strip_prefix('/') {
        Some(rest) => rest,
        None => {
            let first = line.split_whitespace().next().unwrap_or("").to_lowercase();
            if registry.commands().any(|c| c.name == first) {
                line
            } else {
                return Err(Error::Input(InputError::NotACommand));
            }
        }
    };
    let words = words(rest)?;
    let tokens: Vec<&String> = words.iter().map(|w| &w.text).collect();
    if tokens.is_empty() {
        return Err(Error::Input(InputError::EmptyCommand));
    }
    // The longest run of leading words that names a command: `daily set` before `daily`.
    let mut path = tokens[0].to_lowercase();
    let mut used = 1;
    for word in &tokens[1..] {
        let longer = format!("{path} {}", word.to_lowercase());
        let is_prefix = registry
            .leaves()
            .iter()
            .any(|l| l.path() == longer || l.path().starts_with(&format!("{longer} ")));
        if !is_prefix {
            break;
        }
        path = longer;
        used += 1;
    }
    let Some(leaf) = registry.find(&path) else {
        let is_group = registry
            .leaves()
            .iter()
            .any(|l| l.path().starts_with(&format!("{path} ")));
        if is_group {
            let subcommands = registry
                .leaves()
                .into_iter()
                .map(|l| l.path())
                .filter(|p| p.starts_with(&format!("{path} ")))
                .collect();
            return Err(Error::Input(InputError::NeedsSubcommand {
                group: path,
                subcommands,
                typed: tokens.get(used).map(|w| w.to_string()),
            }));
        }
        // An unknown command is reported by the engine, with the list of commands.
        return Ok(Line::Run(Invocation::Command {
            name: path,
            options: Vec::new(),
        }));
    };
    let mut options: Vec<RawOption> = Vec::new();
    let mut positional = Vec::new();
    let declared = |word: &Word| {
        split_named(&word.text)
            .is_some_and(|(key, _)| leaf.spec.option(&key.to_lowercase()).is_some())
    };
    let mut rest = words[used..].iter().peekable();
    while let Some(word) = rest.next() {
        match split_named(&word.text) {
            // `level: senior`: the value is the next word, unless that word is an option of
            // its own (`topic: level:mid`) or the value was quoted empty (`topic:""`).
            Some((key, "")) if leaf.spec.option(&key.to_lowercase()).is_some() => {
                let value = match rest.peek() {
                    Some(next) if !word.quoted && !declared(next) => {
                        rest.next().map_or("", |w| w.text.as_str())
                    }
                    _ => "",
                };
                options.push(RawOption::text(&key.to_lowercase(), value));
            }
            Some((key, value)) => options.push(RawOption::text(&key.to_lowercase(), value)),
            None => positional.push(word.text.as_str()),
        }
    }
    let named: Vec<String> = options.iter().map(|o| o.name.clone()).collect();
    let free: Vec<&OptionSpec> = leaf
        .spec
        .options
        .iter()
        .filter(|o| !named.iter().any(|n| n == o.name))
        .collect();
    for (i, value) in positional.iter().enumerate() {
        let Some(slot) = free.get(i) else {
            return Err(Error::Input(InputError::TooManyValues {
                command: leaf,
                hint: too_many_hint(&free, &positional),
            }));
        };
        if let Some(other) = misplaced(slot, value, &free, bank) {
            return Err(Error::Input(InputError::Misplaced {
                command: leaf.path(),
                value: value.to_string(),
                belongs: other.name,
                expected: slot.name,
            }));
        }
        options.push(RawOption::text(slot.name, value));
    }
    Ok(Line::Run(Invocation::Command {
        name: path,
        options,
    }))
}

/// `!N`, or `!N` and the options chosen in list N: numbers separated by spaces or commas
/// (`!4 1 3`, `!4 1,3`, `!4 1, 3`), or `-` or `none` alone for none.
fn press(rest: &str, line: &str) -> Result<Line, InputError> {
    let rest = rest.trim_start();
    let (number, choice) = rest
        .split_once(char::is_whitespace)
        .map_or((rest, ""), |(n, c)| (n, c.trim()));
    let n = number
        .parse::<usize>()
        .map_err(|_| InputError::BadButtonNumber(line.to_string()))?;
    if choice.is_empty() {
        return Ok(Line::Press(n));
    }
    if choice == "-" || choice.eq_ignore_ascii_case("none") {
        return Ok(Line::Choose(n, Vec::new()));
    }
    let mut options = Vec::new();
    for typed in choice
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        let option = typed
            .parse::<usize>()
            .map_err(|_| InputError::BadOptionNumber {
                list: n,
                typed: typed.to_string(),
            })?;
        if options.contains(&option) {
            return Err(InputError::RepeatedOption { list: n, option });
        }
        options.push(option);
    }
    if options.is_empty() {
        // Only commas.
        return Err(InputError::BadOptionNumber {
            list: n,
            typed: choice.to_string(),
        });
    }
    Ok(Line::Choose(n, options))
}

/// Why a line has more values than its command has places, as far as can be told: a choice
/// written as two words (`strong yes` for `strong-yes`), or else a value with spaces that
/// needed quotes.
fn too_many_hint(free: &[&OptionSpec], positional: &[&str]) -> Option<String> {
    for (i, (slot, value)) in free.iter().zip(positional).enumerate() {
        let Some(next) = positional.get(i + 1) else {
            break;
        };
        let joined = format!("{value}-{next}");
        if let Some(choice) = slot
            .choices
            .iter()
            .find(|c| c.value.eq_ignore_ascii_case(&joined))
        {
            return Some(format!(
                "{} is one word, with a hyphen: `{}`.",
                crate::text::quote(&format!("{value} {next}")),
                choice.value
            ));
        }
    }
    let text = free
        .iter()
        .rev()
        .find(|o| o.choices.is_empty() && matches!(o.kind, OptionKind::Text { .. }))?;
    Some(format!(
        "Put a value with spaces in quotes: `{}:\"like this\"`.",
        text.name
    ))
}

/// The option a positional value really belongs to, when it does not fit its slot's choices
/// but is a known value of another option (`networking` typed where the level goes).
fn misplaced(
    slot: &OptionSpec,
    value: &str,
    free: &[&'static OptionSpec],
    bank: &Bank,
) -> Option<&'static OptionSpec> {
    let fits = |o: &OptionSpec| {
        if !o.choices.is_empty() {
            o.choices
                .iter()
                .any(|c| c.value.eq_ignore_ascii_case(value))
        } else {
            match o.completion {
                Some(Completion::Topic) => bank.has_topic(&value.to_lowercase()),
                Some(Completion::QuestionId) => bank.get(value).is_some(),
                Some(Completion::Pack) => {
                    crate::model::PackId::parse(value).is_some_and(|p| bank.pack(&p).is_some())
                }
                Some(Completion::Timezone | Completion::Candidate | Completion::Command) | None => {
                    false
                }
            }
        }
    };
    if slot.choices.is_empty() || fits(slot) {
        return None;
    }
    free.iter()
        .copied()
        .find(|o| !std::ptr::eq(*o, slot) && fits(o))
}

/// `key:value` where key looks like an option name: it starts with a letter, as every option
/// name does (a wrong one is then reported as an unknown option, with the list). A word whose
/// part before the colon starts with a digit (`09:00`, `2026-01-01T09:00`) is a value.
fn split_named(word: &str) -> Option<(&str, &str)> {
    let (key, value) = word.split_once(':')?;
    let looks_like_name = key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    looks_like_name.then_some((key, value))
}

/// A word of a line, its quotes removed.
struct Word {
    text: String,
    /// Whether any of it was quoted (`topic:""` is an empty value, `topic:` is not one).
    quoted: bool,
}

/// Splits on spaces, keeping "double" or 'single' quoted parts together (quotes may start
/// mid-word, as in `topic:"a b"`).
fn words(s: &str) -> Result<Vec<Word>, Error> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_token = false;
    let mut quoted = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_token = true;
                quoted = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_token {
                    tokens.push(Word {
                        text: std::mem::take(&mut current),
                        quoted: std::mem::take(&mut quoted),
                    });
                    in_token = false;
                }
            }
            (None, c) => {
                current.push(c);
                in_token = true;
            }
        }
    }
    if quote.is_some() {
        return Err(Error::Input(InputError::UnclosedQuote));
    }
    if in_token {
        tokens.push(Word {
            text: current,
            quoted,
        });
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RawValue;

    fn bank() -> Bank {
        Bank::load_configured(None).unwrap().0
    }

    fn opts(line: &str) -> Vec<(String, String)> {
        match parse_line_in(line, &bank(), crate::features::REGISTRY).unwrap() {
            Line::Run(Invocation::Command { options, .. }) => options
                .into_iter()
                .map(|o| match o.value {
                    RawValue::Text(t) => (o.name, t),
                    other => panic!("{other:?}"),
                })
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    fn input_error(line: &str) -> InputError {
        match parse_line_in(line, &bank(), crate::features::REGISTRY) {
            Err(Error::Input(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn positional_named_and_lenient() {
        let level = |v: &str| ("level".to_string(), v.to_string());
        assert_eq!(opts("/question senior"), vec![level("senior")]);
        assert_eq!(
            opts("/question topic:networking mid"),
            vec![("topic".into(), "networking".into()), level("mid")]
        );
        assert_eq!(
            opts("/answer id:\"aws-s3-basics\" public:yes"),
            vec![
                ("id".into(), "aws-s3-basics".into()),
                ("public".into(), "yes".into())
            ]
        );
        // A space after the colon, and the command without its slash.
        assert_eq!(opts("/question level: senior"), vec![level("senior")]);
        assert_eq!(opts("question mid"), vec![level("mid")]);
        assert!(matches!(
            parse_line_in("help", &bank(), crate::features::REGISTRY).unwrap(),
            Line::Run(Invocation::Command { .. })
        ));
        assert_eq!(
            parse_line_in("exit", &bank(), crate::features::REGISTRY).unwrap(),
            Line::Quit
        );
        assert!(matches!(
            input_error("/question a b c"),
            InputError::TooManyValues { .. }
        ));
        assert_eq!(input_error("/question \"open"), InputError::UnclosedQuote);
        assert_eq!(input_error("hello there"), InputError::NotACommand);
        assert_eq!(
            parse_line_in("!2", &bank(), crate::features::REGISTRY).unwrap(),
            Line::Press(2)
        );
        assert_eq!(
            parse_line_in("   ", &bank(), crate::features::REGISTRY).unwrap(),
            Line::Empty
        );
    }

    #[test]
    fn bang_n_presses_or_chooses_options_of_a_list() {
        let line = |l: &str| parse_line_in(l, &bank(), crate::features::REGISTRY).unwrap();
        assert_eq!(line("!4"), Line::Press(4));
        assert_eq!(line("! 4 "), Line::Press(4));
        for typed in ["!4 1 3", "!4 1,3", "!4 1, 3", "!4  1 ,3,", " ! 4\t1\t3"] {
            assert_eq!(line(typed), Line::Choose(4, vec![1, 3]), "{typed:?}");
        }
        // In the order typed; the console puts them in the list's order.
        assert_eq!(line("!4 3 1"), Line::Choose(4, vec![3, 1]));
        for none in ["!4 -", "!4 none", "!4 None", "!4  -  "] {
            assert_eq!(line(none), Line::Choose(4, Vec::new()), "{none:?}");
        }
        // Out of range is for the console to say, knowing the list.
        assert_eq!(line("!2 0 99"), Line::Choose(2, vec![0, 99]));
    }

    #[test]
    fn bad_choices_say_what_to_type() {
        assert_eq!(
            input_error("!4 1 x"),
            InputError::BadOptionNumber {
                list: 4,
                typed: "x".into()
            }
        );
        assert_eq!(
            input_error("!4 - 2"),
            InputError::BadOptionNumber {
                list: 4,
                typed: "-".into()
            }
        );
        assert_eq!(
            input_error("!4 ,"),
            InputError::BadOptionNumber {
                list: 4,
                typed: ",".into()
            }
        );
        assert_eq!(
            input_error(&format!("!4 {}", "9".repeat(40))),
            InputError::BadOptionNumber {
                list: 4,
                typed: "9".repeat(40)
            }
        );
        assert_eq!(
            input_error("!4 1 3,1"),
            InputError::RepeatedOption { list: 4, option: 1 }
        );
        assert_eq!(
            input_error("!x 1"),
            InputError::BadButtonNumber("!x 1".into())
        );
        assert_eq!(
            input_error("!4,1"),
            InputError::BadButtonNumber("!4,1".into())
        );
        // Each says what to type, in words a terminal shows.
        let said = Error::Input(input_error("!4 1 x")).user_message();
        assert!(
            said.contains("`x` is not an option number") && said.contains("`!4 1 3` or `!4 1,3`"),
            "{said}"
        );
        let said = Error::Input(input_error("!4 2 2")).user_message();
        assert_eq!(
            said,
            "Option 2 is given twice: give each option of list !4 once."
        );
    }

    #[test]
    fn a_topic_where_the_level_goes_gets_a_hint() {
        match input_error("/question networking") {
            InputError::Misplaced {
                value,
                belongs,
                expected,
                ..
            } => assert_eq!(
                (value.as_str(), belongs, expected),
                ("networking", "topic", "level")
            ),
            other => panic!("{other:?}"),
        }
        // A value that fits nothing is left for the engine to explain.
        assert_eq!(
            opts("/question expert"),
            vec![("level".into(), "expert".into())]
        );
    }
}
