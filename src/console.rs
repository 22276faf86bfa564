//! The terminal front end: the same commands as on Discord, typed as lines such as
//! `/question senior` or `/answer id:aws-s3-basics`, with buttons offered as `!1`, `!2`, ...
//! Effects are printed as text; a modal asks for each of its fields on the next lines.

use std::io::{self, BufRead, Write};

use crate::engine::{
    ChannelKind, Deliver, Delivered, Effect, Engine, Error, InputError, Invocation, Member,
    Message, MessageRef, Modal, Permissions, RawOption, Request, Resolved, ResolvedChannel,
    ResolvedUser, Visibility, commands,
};

/// The guild id the console's data is stored under (Discord never uses 0).
pub const CONSOLE_GUILD: u64 = 0;
/// The console's one channel.
pub const CONSOLE_CHANNEL: u64 = 1;
const CONSOLE_CHANNEL_NAME: &str = "console";
const CONSOLE_USER: u64 = 1;

/// How the console was started.
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    /// The name the local user goes by (from the configuration).
    pub user_name: String,
    /// A person is typing (show a banner and a prompt), as opposed to piped input.
    pub interactive: bool,
}

/// What a console line asks for.
#[derive(Debug, PartialEq)]
pub enum Line {
    Empty,
    Quit,
    Run(Invocation),
    /// `!N`: press button N of the last message that had buttons.
    Press(usize),
}

/// The local user: treated as a server administrator.
fn console_member(opts: &ConsoleOptions) -> Member {
    Member {
        user_id: CONSOLE_USER,
        name: opts.user_name.clone(),
        roles: Vec::new(),
        permissions: Permissions(Permissions::ADMINISTRATOR),
    }
}

/// The users and channels a console command can name (by `#name`, mention or id).
fn directory(opts: &ConsoleOptions) -> Resolved {
    let mut resolved = Resolved::default();
    resolved.channels.insert(
        CONSOLE_CHANNEL,
        ResolvedChannel {
            id: CONSOLE_CHANNEL,
            name: CONSOLE_CHANNEL_NAME.into(),
            kind: ChannelKind::Text,
        },
    );
    resolved.users.insert(
        CONSOLE_USER,
        ResolvedUser {
            id: CONSOLE_USER,
            name: opts.user_name.clone(),
        },
    );
    resolved
}

/// Prints effects and hands out message ids, as Discord would.
struct Terminal<W: Write> {
    out: W,
    next_id: u64,
    /// Button action ids of the last message that had buttons.
    buttons: Vec<String>,
    /// A modal waiting for its fields.
    modal: Option<Modal>,
    /// The first write error, reported once the line is done.
    failed: Option<io::Error>,
}

impl<W: Write> Terminal<W> {
    fn print(&mut self, text: &str) -> Delivered {
        if self.failed.is_some() {
            return Delivered::Skipped;
        }
        match self.out.write_all(text.as_bytes()) {
            Ok(()) => {
                self.next_id += 1;
                Delivered::Message {
                    channel_id: Some(CONSOLE_CHANNEL),
                    message_id: Some(self.next_id),
                }
            }
            Err(e) => {
                let reason = e.to_string();
                self.failed = Some(e);
                Delivered::Failed(reason)
            }
        }
    }

    fn show(&mut self, heading: Option<&str>, message: &Message) -> Delivered {
        if !message.buttons.is_empty() {
            self.buttons = message.buttons.iter().map(|b| b.action.clone()).collect();
        }
        let mut text = String::new();
        if let Some(h) = heading {
            text.push_str(h);
            text.push('\n');
        }
        text.push_str(&render(message));
        self.print(&text)
    }
}

impl<W: Write> Deliver for Terminal<W> {
    fn deliver(&mut self, effect: &Effect, earlier: &[Delivered]) -> Delivered {
        match effect {
            Effect::Reply {
                visibility: Visibility::Private,
                message,
            } => self.show(Some("(only you can see this)"), message),
            Effect::Reply { message, .. } => self.show(None, message),
            Effect::Update(message) => self.show(Some("(the message above now reads)"), message),
            Effect::UpdateButtons(buttons) => {
                let shown = Message {
                    buttons: buttons.clone(),
                    ..Message::default()
                };
                self.show(Some("(the buttons above now read)"), &shown)
            }
            Effect::Post {
                channel_id,
                message,
            } => self.show(Some(&format!("(posted in channel {channel_id})")), message),
            Effect::Thread { on, name, message } => {
                let heading = format!(
                    "(thread \"{name}\" on message {})",
                    message_ref(on, earlier)
                );
                let shown = self.show(Some(&heading), message);
                match shown.message_id() {
                    Some(id) => Delivered::Thread {
                        thread_id: id,
                        message_id: id,
                    },
                    None => shown,
                }
            }
            Effect::Edit { target, message } => {
                let heading = format!("(message {} now reads)", message_ref(target, earlier));
                self.show(Some(&heading), message)
            }
            Effect::Delete { target } => {
                let text = format!("(message {} deleted)\n\n", message_ref(target, earlier));
                self.print(&text);
                Delivered::Done
            }
            Effect::OpenModal(modal) => {
                self.modal = Some(modal.clone());
                Delivered::Done
            }
        }
    }
}

fn message_ref(r: &MessageRef, earlier: &[Delivered]) -> String {
    match r {
        MessageRef::Earlier(i) => earlier
            .get(*i)
            .and_then(Delivered::message_id)
            .map_or_else(|| "(not sent)".to_string(), |id| id.to_string()),
        MessageRef::Existing { message_id, .. } => message_id.to_string(),
    }
}

/// Reads lines until end of input, printing what each command does. Returns whether every
/// line succeeded, or the first error writing the output.
pub fn run(
    engine: &Engine,
    opts: &ConsoleOptions,
    mut input: impl BufRead,
    out: impl Write,
) -> io::Result<bool> {
    let mut term = Terminal {
        out,
        next_id: 0,
        buttons: Vec::new(),
        modal: None,
        failed: None,
    };
    if opts.interactive {
        writeln!(
            term.out,
            "interview-bot console: {} questions loaded. Type /help for commands, Ctrl-D to quit.",
            engine.bank().len()
        )?;
    }
    let mut all_ok = true;
    loop {
        if opts.interactive {
            write!(term.out, "> ")?;
            term.out.flush()?;
        }
        let Some(line) = read_line(&mut input)? else {
            break;
        };
        let parsed = line.map_err(Error::Input).and_then(|l| parse_line(&l));
        let invocation = match parsed {
            Ok(Line::Empty) => None,
            Ok(Line::Quit) => break,
            Ok(Line::Run(inv)) => Some(inv),
            Ok(Line::Press(n)) => match term.buttons.get(n.wrapping_sub(1)) {
                Some(id) => Some(Invocation::Button {
                    custom_id: id.clone(),
                    message: None,
                }),
                None if term.buttons.is_empty() => {
                    report(&mut term, &Error::Input(InputError::NoButtons));
                    all_ok = false;
                    None
                }
                None => {
                    let err = Error::Input(InputError::NoSuchButton {
                        pressed: n,
                        count: term.buttons.len(),
                    });
                    report(&mut term, &err);
                    all_ok = false;
                    None
                }
            },
            Err(e) => {
                report(&mut term, &e);
                all_ok = false;
                None
            }
        };
        let mut next = invocation;
        while let Some(invocation) = next.take() {
            let req = Request {
                guild_id: CONSOLE_GUILD,
                channel_id: CONSOLE_CHANNEL,
                origin: crate::engine::Origin::Member(console_member(opts)),
                invocation,
                resolved: directory(opts),
            };
            let (outcome, _) = engine.execute(&req, &mut term);
            all_ok &= !outcome.is_error;
            // A modal asks for its fields on the following lines, then is submitted.
            if let Some(modal) = term.modal.take() {
                next = ask_modal(&mut term, &mut input, &modal, opts.interactive)?;
            }
        }
        if let Some(e) = term.failed.take() {
            return Err(e);
        }
        term.out.flush()?;
    }
    Ok(all_ok)
}

/// Reads one line. `Ok(None)` at end of input; `Ok(Some(Err))` for a line that is not text,
/// which is skipped so the console goes on with the next.
fn read_line(input: &mut impl BufRead) -> io::Result<Option<Result<String, InputError>>> {
    let mut buf = Vec::new();
    if input.read_until(b'\n', &mut buf)? == 0 {
        return Ok(None);
    }
    while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        buf.pop();
    }
    Ok(Some(
        String::from_utf8(buf).map_err(|_| InputError::Unreadable),
    ))
}

fn report<W: Write>(term: &mut Terminal<W>, err: &Error) {
    if let Some((_, message)) = err.to_outcome().first_reply() {
        term.show(None, message);
    }
}

/// Asks for each field of a modal; returns the submission, or `None` if input ended.
fn ask_modal<W: Write>(
    term: &mut Terminal<W>,
    input: &mut impl BufRead,
    modal: &Modal,
    interactive: bool,
) -> io::Result<Option<Invocation>> {
    writeln!(term.out, "== {} ==", modal.title)?;
    let mut fields = Vec::new();
    for field in &modal.inputs {
        let optional = if field.required { "" } else { " (optional)" };
        write!(term.out, "{}{optional}: ", field.label)?;
        if !interactive {
            writeln!(term.out)?;
        }
        term.out.flush()?;
        let value = match read_line(input)? {
            None => return Ok(None),
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                report(term, &Error::Input(e));
                return Ok(None);
            }
        };
        fields.push((field.id.clone(), value));
    }
    Ok(Some(Invocation::Modal {
        custom_id: modal.action.clone(),
        fields,
    }))
}

/// Parses one console line. Options are `name:value` (quote values with spaces:
/// `topic:"multi-account"`), or given positionally in the order the command declares them.
/// Subcommands follow the command's name: `/daily set ...`.
pub fn parse_line(line: &str) -> Result<Line, Error> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(Line::Empty);
    }
    if matches!(line, "quit" | "exit" | "/quit" | "/exit") {
        return Ok(Line::Quit);
    }
    if let Some(n) = line.strip_prefix('!') {
        return n
            .trim()
            .parse::<usize>()
            .map(Line::Press)
            .map_err(|_| Error::Input(InputError::BadButtonNumber(line.to_string())));
    }
    let Some(rest) = line.strip_prefix('/') else {
        return Err(Error::Input(InputError::NotACommand));
    };
    let tokens = tokenize(rest)?;
    if tokens.is_empty() {
        return Err(Error::Input(InputError::EmptyCommand));
    }
    // The longest run of leading words that names a command: `daily set` before `daily`.
    let mut path = tokens[0].to_lowercase();
    let mut used = 1;
    for word in &tokens[1..] {
        let longer = format!("{path} {}", word.to_lowercase());
        let is_prefix = commands::leaves()
            .iter()
            .any(|l| l.path() == longer || l.path().starts_with(&format!("{longer} ")));
        if !is_prefix {
            break;
        }
        path = longer;
        used += 1;
    }
    let Some(leaf) = commands::find(&path) else {
        let is_group = commands::leaves()
            .iter()
            .any(|l| l.path().starts_with(&format!("{path} ")));
        if is_group {
            return Err(Error::Input(InputError::NeedsSubcommand { group: path }));
        }
        // An unknown command is reported by the engine, with the list of commands.
        return Ok(Line::Run(Invocation::Command {
            name: path,
            options: Vec::new(),
        }));
    };
    let mut options: Vec<RawOption> = Vec::new();
    let mut positional = Vec::new();
    for word in &tokens[used..] {
        match split_named(word) {
            Some((key, value)) => options.push(RawOption::text(&key.to_lowercase(), value)),
            None => positional.push(word.as_str()),
        }
    }
    let named: Vec<String> = options.iter().map(|o| o.name.clone()).collect();
    let mut free = leaf
        .spec
        .options
        .iter()
        .filter(|o| !named.iter().any(|n| n == o.name));
    for value in positional {
        let Some(slot) = free.next() else {
            return Err(Error::Input(InputError::TooManyValues {
                command: leaf.path(),
            }));
        };
        options.push(RawOption::text(slot.name, value));
    }
    Ok(Line::Run(Invocation::Command {
        name: path,
        options,
    }))
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
fn tokenize(s: &str) -> Result<Vec<String>, Error> {
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
        return Err(Error::Input(InputError::UnclosedQuote));
    }
    if in_token {
        tokens.push(current);
    }
    Ok(tokens)
}

/// Renders a message as plain text, buttons numbered from 1.
pub fn render(message: &Message) -> String {
    let mut s = String::new();
    if let Some(content) = &message.content {
        s.push_str(content);
        s.push('\n');
    }
    for card in &message.cards {
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
    for a in &message.attachments {
        s.push_str(&format!(
            "[attachment {} ({} bytes)]\n",
            a.filename,
            a.bytes.len()
        ));
    }
    if !message.buttons.is_empty() {
        let buttons: Vec<String> = message
            .buttons
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let used = if b.disabled { " (used)" } else { "" };
                format!("[!{}] {}{used}", i + 1, b.label)
            })
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

    fn input_error(line: &str) -> InputError {
        match parse_line(line) {
            Err(Error::Input(e)) => e,
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
        assert!(matches!(
            input_error("/question a b c"),
            InputError::TooManyValues { .. }
        ));
        assert_eq!(input_error("/question \"open"), InputError::UnclosedQuote);
        assert_eq!(input_error("question"), InputError::NotACommand);
        assert_eq!(parse_line("!2").unwrap(), Line::Press(2));
        assert_eq!(parse_line("   ").unwrap(), Line::Empty);
    }

    #[test]
    fn an_unreadable_line_is_reported_and_the_next_one_runs() {
        let mut input: &[u8] = b"\xff\xfe\n/help\n";
        assert_eq!(
            read_line(&mut input).unwrap(),
            Some(Err(InputError::Unreadable))
        );
        assert_eq!(
            read_line(&mut input).unwrap(),
            Some(Ok("/help".to_string()))
        );
        assert_eq!(read_line(&mut input).unwrap(), None);
    }
}

#[cfg(test)]
mod modal_tests {
    use super::*;
    use crate::engine::{InputStyle, TextInput};

    #[test]
    fn a_modal_asks_for_each_field_and_submits_them() {
        let modal = Modal {
            action: "s:notes:3".into(),
            title: "Notes".into(),
            inputs: vec![
                TextInput {
                    id: "notes".into(),
                    label: "Notes".into(),
                    style: InputStyle::Paragraph,
                    required: false,
                    max_len: 1000,
                    value: None,
                    placeholder: None,
                },
                TextInput {
                    id: "rating".into(),
                    label: "Rating".into(),
                    style: InputStyle::Short,
                    required: true,
                    max_len: 1,
                    value: None,
                    placeholder: None,
                },
            ],
        };
        let mut term = Terminal {
            out: Vec::new(),
            next_id: 0,
            buttons: Vec::new(),
            modal: None,
            failed: None,
        };
        let mut input: &[u8] = b"Clear on trade-offs\n3\n/help\n";
        let submitted = ask_modal(&mut term, &mut input, &modal, false).unwrap();
        assert_eq!(
            submitted,
            Some(Invocation::Modal {
                custom_id: "s:notes:3".into(),
                fields: vec![
                    ("notes".into(), "Clear on trade-offs".into()),
                    ("rating".into(), "3".into()),
                ],
            })
        );
        let shown = String::from_utf8(term.out).unwrap();
        assert!(shown.contains("== Notes ==") && shown.contains("Notes (optional): "));
        // The next line is left for the console.
        assert_eq!(input, b"/help\n");
        // Input that ends halfway submits nothing.
        let mut term = Terminal {
            out: Vec::new(),
            next_id: 0,
            buttons: Vec::new(),
            modal: None,
            failed: None,
        };
        let mut short: &[u8] = b"only one\n";
        assert_eq!(
            ask_modal(&mut term, &mut short, &modal, false).unwrap(),
            None
        );
    }
}
