//! The terminal front end: the same commands as on Discord, typed as lines such as
//! `/question senior` or `/answer id:aws-s3-basics`, with buttons offered as `!1`, `!2`, ...

use std::io::{self, BufRead, IsTerminal, Write};

use crate::engine::{
    Caller, Engine, Invocation, Permissions, RawOption, Reply, Request, Visibility, commands,
};

/// The guild id the console's data is stored under (Discord never uses 0).
pub const CONSOLE_GUILD: u64 = 0;
const CONSOLE_CHANNEL: u64 = 1;

/// Who is typing: the console user is treated as a server administrator.
fn console_caller() -> Caller {
    Caller {
        user_id: 1,
        name: std::env::var("USER").unwrap_or_else(|_| "console".into()),
        roles: Vec::new(),
        permissions: Permissions(Permissions::ADMINISTRATOR),
    }
}

/// What a console line asks for.
#[derive(Debug, PartialEq)]
pub enum Line {
    Empty,
    Quit,
    Run(Invocation),
    /// `!N`: press button N of the last reply.
    Press(usize),
}

/// Reads lines until end of input, printing one reply per line. Returns when input ends.
pub fn run(engine: &Engine, input: impl BufRead, mut out: impl Write) -> io::Result<()> {
    let interactive = io::stdin().is_terminal();
    if interactive {
        writeln!(
            out,
            "interview-bot console: {} questions loaded. Type /help for commands, Ctrl-D to quit.",
            engine.bank().len()
        )?;
        write!(out, "> ")?;
        out.flush()?;
    }
    let mut actions: Vec<String> = Vec::new();
    for line in input.lines() {
        let line = line?;
        let invocation = match parse_line(&line) {
            Ok(Line::Empty) => None,
            Ok(Line::Quit) => break,
            Ok(Line::Run(inv)) => Some(inv),
            Ok(Line::Press(n)) => match actions.get(n.wrapping_sub(1)) {
                Some(id) => Some(Invocation::Action {
                    custom_id: id.clone(),
                }),
                None if actions.is_empty() => {
                    writeln!(out, "⚠️ There are no buttons to press yet.")?;
                    None
                }
                None => {
                    writeln!(out, "⚠️ No button {n}: choose !1 to !{}.", actions.len())?;
                    None
                }
            },
            Err(msg) => {
                writeln!(out, "⚠️ {msg}")?;
                None
            }
        };
        if let Some(invocation) = invocation {
            let reply = engine.handle(&Request {
                guild_id: CONSOLE_GUILD,
                channel_id: CONSOLE_CHANNEL,
                caller: console_caller(),
                invocation,
            });
            out.write_all(render(&reply).as_bytes())?;
            if !reply.buttons.is_empty() {
                actions = reply.buttons.iter().map(|b| b.action.clone()).collect();
            }
        }
        if interactive {
            write!(out, "> ")?;
        }
        out.flush()?;
    }
    Ok(())
}

/// Parses one console line. Options are `name:value` (quote values with spaces:
/// `topic:"multi-account"`), or given positionally in the order the command declares them.
pub fn parse_line(line: &str) -> Result<Line, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(Line::Empty);
    }
    if matches!(line, "quit" | "exit" | "/quit" | "/exit") {
        return Ok(Line::Quit);
    }
    if let Some(n) = line.strip_prefix('!') {
        return n.trim().parse::<usize>().map(Line::Press).map_err(|_| {
            format!(
                "`{}` is not a button number: type !1, !2, ...",
                crate::text::truncate(line, 40)
            )
        });
    }
    let Some(rest) = line.strip_prefix('/') else {
        return Err(
            "Commands start with `/`, for example `/question senior`. Type /help for the list."
                .into(),
        );
    };
    let tokens = tokenize(rest)?;
    let Some((name, words)) = tokens.split_first() else {
        return Err("Type a command after `/`, for example `/question senior`.".into());
    };
    let name = name.to_lowercase();
    // An unknown command is reported by the engine, with the list of commands.
    let Some(spec) = commands::find(&name) else {
        return Ok(Line::Run(Invocation::Command {
            name,
            options: Vec::new(),
        }));
    };
    let mut options: Vec<RawOption> = Vec::new();
    let mut positional = Vec::new();
    for word in words {
        match split_named(word) {
            Some((key, value)) => options.push(RawOption::text(&key.to_lowercase(), value)),
            None => positional.push(word.as_str()),
        }
    }
    let named: Vec<String> = options.iter().map(|o| o.name.clone()).collect();
    let mut free = spec
        .options
        .iter()
        .filter(|o| !named.iter().any(|n| n == o.name));
    for value in positional {
        let Some(slot) = free.next() else {
            return Err(format!(
                "Too many values for /{}. Usage: {}",
                spec.name,
                spec.usage()
            ));
        };
        options.push(RawOption::text(slot.name, value));
    }
    Ok(Line::Run(Invocation::Command { name, options }))
}

/// `key:value` where key looks like an option name.
fn split_named(word: &str) -> Option<(&str, &str)> {
    let (key, value) = word.split_once(':')?;
    let looks_like_name = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    looks_like_name.then_some((key, value))
}

/// Splits on spaces, keeping "double" or 'single' quoted parts together (quotes may start
/// mid-word, as in `topic:"a b"`).
fn tokenize(s: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut in_token = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_token = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_token {
                    tokens.push(std::mem::take(&mut current));
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
        return Err("A quote is not closed: close it, or leave the quotes out.".into());
    }
    if in_token {
        tokens.push(current);
    }
    Ok(tokens)
}

/// Renders a reply as plain text, buttons numbered from 1.
pub fn render(reply: &Reply) -> String {
    let mut s = String::new();
    if reply.visibility == Visibility::Private {
        s.push_str("(only you can see this)\n");
    }
    if let Some(content) = &reply.content {
        s.push_str(content);
        s.push('\n');
    }
    for card in &reply.cards {
        if let Some(title) = &card.title {
            s.push_str(&format!("== {title} ==\n"));
        }
        if let Some(d) = &card.description {
            s.push_str(d);
            s.push('\n');
        }
        let (inline, block): (Vec<_>, Vec<_>) = card.fields.iter().partition(|f| f.inline);
        if !inline.is_empty() {
            let parts: Vec<String> = inline
                .iter()
                .map(|f| format!("{}: {}", f.name, f.value))
                .collect();
            s.push_str(&parts.join(" | "));
            s.push('\n');
        }
        for f in block {
            s.push_str(&format!("-- {} --\n{}\n", f.name, f.value));
        }
        if let Some(footer) = &card.footer {
            s.push_str(&format!("({footer})\n"));
        }
    }
    for a in &reply.attachments {
        s.push_str(&format!(
            "[attachment {} ({} bytes)]\n",
            a.filename,
            a.bytes.len()
        ));
    }
    if !reply.buttons.is_empty() {
        let buttons: Vec<String> = reply
            .buttons
            .iter()
            .enumerate()
            .map(|(i, b)| format!("[!{}] {}", i + 1, b.label))
            .collect();
        s.push_str(&buttons.join("  "));
        s.push('\n');
    }
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RawValue;

    fn opts(line: &str) -> Vec<(String, String)> {
        match parse_line(line).unwrap() {
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

    #[test]
    fn positional_and_named() {
        assert_eq!(
            opts("/question senior"),
            vec![("level".into(), "senior".into())]
        );
        assert_eq!(
            opts("/question topic:networking mid"),
            vec![
                ("topic".into(), "networking".into()),
                ("level".into(), "mid".into())
            ]
        );
        assert_eq!(
            opts("/answer id:\"aws-s3-basics\" public:yes"),
            vec![
                ("id".into(), "aws-s3-basics".into()),
                ("public".into(), "yes".into())
            ]
        );
        assert!(
            parse_line("/question a b c")
                .unwrap_err()
                .contains("Too many values")
        );
        assert!(
            parse_line("/question \"open")
                .unwrap_err()
                .contains("quote")
        );
        assert!(parse_line("question").unwrap_err().contains("start with"));
        assert_eq!(parse_line("!2").unwrap(), Line::Press(2));
        assert_eq!(parse_line("   ").unwrap(), Line::Empty);
    }
}
