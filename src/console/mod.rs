//! The terminal front end: the same commands as on Discord, typed as lines such as
//! `/question senior` or `/answer id:aws-s3-basics`, with buttons offered as `!1`, `!2`, ...
//! A message's drop-down lists come first (as on Discord, above the buttons), their options
//! listed under them, and its buttons are numbered on from them: `!1 1 2` (or `!1 1,2`) chooses
//! options 1 and 2 of list 1, `!1 -` none, and `!1` alone shows the list again.
//!
//! Effects are printed as terminal text (`render`); answers go to standard output and errors
//! to standard error; piped, the exit status says whether every line succeeded (at a terminal
//! it is 0: each error was shown as it happened). A person at a terminal gets line editing, history and Tab completion (`edit`); piped input is read line
//! by line, and a line that is not text is reported and skipped. A modal asks for each of its
//! fields on the following lines.

mod edit;
mod parse;
pub mod render;

use std::io::{self, BufRead, Write};
use std::path::PathBuf;

use crate::engine::{
    ChannelKind, Delivered, Effect, Engine, Error, InputError, Invocation, Member, Message,
    MessageRef, Modal, Origin, Permissions, RawValue, Request, Resolved, ResolvedChannel,
    ResolvedRole, ResolvedUser, Select,
};
use crate::model::{ChannelId, GuildId, MessageId, RoleId, UserId};

pub use edit::LineHelper;
pub use parse::{Line, parse_line, parse_line_in};
pub use render::Style;

/// The guild id the console's data is stored under (Discord never uses 0).
pub const CONSOLE_GUILD: GuildId = GuildId::CONSOLE;
/// The console's one channel.
pub const CONSOLE_CHANNEL: ChannelId = ChannelId(1);
const CONSOLE_CHANNEL_NAME: &str = "console";
const CONSOLE_USER: UserId = UserId(1);
/// A role the console knows, for `/config interviewer-role role:interviewers`.
const CONSOLE_ROLE: RoleId = RoleId(2);

/// How the console was started.
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    /// The name the local user goes by (from the configuration).
    pub user_name: String,
    /// The local user is a plain member (`console --member`) instead of an administrator.
    pub plain_member: bool,
    /// A person is typing (line editing, a banner and a prompt), as opposed to piped input.
    pub interactive: bool,
    /// Where the line history is kept (interactive only).
    pub history: Option<PathBuf>,
    pub out_style: Style,
    pub err_style: Style,
}

/// The local user: treated as a server administrator, or as a plain member with
/// `console --member`.
fn console_member(opts: &ConsoleOptions) -> Member {
    Member {
        user_id: CONSOLE_USER,
        name: opts.user_name.clone(),
        roles: Vec::new(),
        permissions: Permissions(if opts.plain_member {
            0
        } else {
            Permissions::ADMINISTRATOR
        }),
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
            bot_permissions: Some(Permissions(u64::MAX)),
        },
    );
    resolved.roles.insert(
        CONSOLE_ROLE,
        ResolvedRole {
            id: CONSOLE_ROLE,
            name: "interviewers".into(),
            mentionable: true,
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

/// The console's channel, role and user (named `Ada`), for tests of completion.
#[cfg(test)]
pub(crate) fn directory_for_tests() -> Resolved {
    let opts = ConsoleOptions {
        user_name: "Ada".into(),
        plain_member: false,
        interactive: true,
        history: None,
        out_style: Style::PLAIN,
        err_style: Style::PLAIN,
    };
    directory(&opts)
}

/// A write to the terminal failed; the console stops.
#[derive(Debug)]
pub struct OutputError(pub io::Error);

/// Prints effects and hands out message ids, as Discord would.
/// The terminal as the engine's delivery loop sees it.
struct ToTerminal<'a, W: Write, E: Write> {
    term: &'a mut Terminal<W, E>,
    /// The outcome is an error: its answers go to standard error.
    is_error: bool,
}

impl<W: Write, E: Write> crate::engine::Deliver for ToTerminal<'_, W, E> {
    fn deliver(&mut self, effect: &Effect, earlier: &[Delivered]) -> Delivered {
        self.term.deliver(effect, earlier, self.is_error)
    }
}

/// What `!N` uses: a button or a drop-down list of the last message that had any.
#[derive(Debug, Clone)]
enum Control {
    /// A button's action id.
    Button(String),
    /// A list, its options marked as chosen as they are now.
    List(Select),
}

struct Terminal<W: Write, E: Write> {
    out: W,
    err: E,
    out_style: Style,
    err_style: Style,
    next_id: u64,
    /// The drop-down lists, then the buttons, of the last message that had buttons or lists,
    /// as `!1`, `!2`, ... number them.
    controls: Vec<Control>,
    /// A modal waiting for its fields.
    modal: Option<Modal>,
    /// The first write error; the console stops at the end of the line.
    failed: Option<io::Error>,
    /// The names, zone and time the renderer shows Discord's references with.
    cx: render::Context,
}

impl<W: Write, E: Write> Terminal<W, E> {
    /// A terminal writing answers to `out` and errors to `err`, nothing shown yet.
    fn new(out: W, err: E, out_style: Style, err_style: Style) -> Self {
        Terminal {
            out,
            err,
            out_style,
            err_style,
            next_id: 0,
            controls: Vec::new(),
            modal: None,
            failed: None,
            cx: render::Context::default(),
        }
    }

    /// Before answering `invocation`: the time now, and the button it presses, if any.
    fn answering(&mut self, invocation: &Invocation, now_ms: i64) {
        self.cx.now_ms = now_ms;
        self.cx.pressed = match invocation {
            Invocation::Button { custom_id, .. } => Some(custom_id.clone()),
            _ => None,
        };
    }

    fn write(&mut self, to_err: bool, text: &str) -> Delivered {
        if self.failed.is_some() {
            return Delivered::Skipped;
        }
        let written = if to_err {
            self.err.write_all(text.as_bytes())
        } else {
            self.out.write_all(text.as_bytes())
        };
        match written {
            Ok(()) => {
                self.next_id += 1;
                Delivered::Message {
                    channel_id: Some(CONSOLE_CHANNEL),
                    message_id: Some(MessageId(self.next_id)),
                }
            }
            Err(e) => {
                let reason = e.to_string();
                self.failed = Some(e);
                Delivered::Failed(reason)
            }
        }
    }

    fn show(&mut self, to_err: bool, heading: Option<&str>, message: &Message) -> Delivered {
        if !message.buttons.is_empty() || !message.selects.is_empty() {
            self.controls = message
                .selects
                .iter()
                .cloned()
                .map(Control::List)
                .chain(
                    message
                        .buttons
                        .iter()
                        .map(|b| Control::Button(b.action.clone())),
                )
                .collect();
        }
        let style = if to_err {
            self.err_style
        } else {
            self.out_style
        };
        let mut text = String::new();
        if let Some(h) = heading {
            text.push_str(&render::inline(h, &style, &self.cx));
            text.push('\n');
        }
        text.push_str(&render::message(message, &style, &self.cx));
        for a in &message.attachments {
            text.push_str(&save_attachment(a));
        }
        self.write(to_err, &text)
    }

    /// What `!n` asks for (`!n 1 3` with `choice`): a button press, or a choice of options
    /// of a list, in the list's order. `!n` alone on a list shows it again, with how to
    /// choose, and sends nothing (`None`).
    fn use_control(
        &mut self,
        n: usize,
        choice: Option<&[usize]>,
    ) -> Result<Option<Invocation>, InputError> {
        match (self.control(n)?, choice) {
            (Control::Button(id), None) => Ok(Some(Invocation::Button {
                custom_id: id.clone(),
                message: None,
            })),
            (Control::Button(_), Some(_)) => Err(InputError::ButtonTakesNoValues { pressed: n }),
            (Control::List(list), None) => {
                let text = render::list_with_hint(n, list, &self.out_style, &self.cx);
                if self.failed.is_none()
                    && let Err(e) = self.out.write_all(text.as_bytes())
                {
                    self.failed = Some(e);
                }
                Ok(None)
            }
            (Control::List(list), Some(chosen)) => {
                let count = list.options.len();
                if let Some(&option) = chosen.iter().find(|&&o| o == 0 || o > count) {
                    return Err(InputError::NoSuchOption {
                        list: n,
                        option,
                        count,
                    });
                }
                if chosen.len() < usize::from(list.min) || chosen.len() > usize::from(list.max) {
                    return Err(InputError::WrongOptionCount {
                        list: n,
                        allowed: render::how_many_options(list),
                        chosen: chosen.len(),
                    });
                }
                let values = list
                    .options
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| chosen.contains(&(i + 1)))
                    .map(|(_, o)| o.value.clone())
                    .collect();
                Ok(Some(Invocation::Select {
                    custom_id: list.action.clone(),
                    values,
                    message: None,
                }))
            }
        }
    }

    /// Button or list `n` (`!n`), or why there is none.
    fn control(&self, n: usize) -> Result<&Control, InputError> {
        match self.controls.get(n.wrapping_sub(1)) {
            Some(control) => Ok(control),
            None if self.controls.is_empty() => Err(InputError::NoButtons),
            None => Err(InputError::NoSuchButton {
                pressed: n,
                count: self.controls.len(),
                lists: self.controls.iter().any(|c| matches!(c, Control::List(_))),
            }),
        }
    }

    /// A line error, with what is wrong with `!n` itself said before what is wrong with the
    /// options typed after it: no such button or list, or a button, which takes no values.
    fn line_error(&self, e: Error) -> Error {
        let (Error::Input(InputError::BadOptionNumber { list, .. })
        | Error::Input(InputError::RepeatedOption { list, .. })) = &e
        else {
            return e;
        };
        match self.control(*list) {
            Err(other) => Error::Input(other),
            Ok(Control::Button(_)) => {
                Error::Input(InputError::ButtonTakesNoValues { pressed: *list })
            }
            Ok(Control::List(_)) => e,
        }
    }

    /// After a choice in list `action` was accepted: its options read as chosen as they were,
    /// as Discord keeps showing them, until the message changes.
    fn chosen(&mut self, action: &str, values: &[String]) {
        for control in &mut self.controls {
            if let Control::List(list) = control
                && list.action == action
            {
                for o in &mut list.options {
                    o.default = values.contains(&o.value);
                }
            }
        }
    }

    /// Carries out one effect; errors go to standard error.
    fn deliver(&mut self, effect: &Effect, earlier: &[Delivered], is_error: bool) -> Delivered {
        match effect {
            // One person at a terminal: private and public answers look the same.
            Effect::Reply { message, .. } => self.show(is_error, None, message),
            Effect::Update(message) => {
                self.show(false, Some("(the message above now reads)"), message)
            }
            Effect::UpdateButtons(buttons) => {
                let shown = Message {
                    buttons: buttons.clone(),
                    ..Message::default()
                };
                self.show(false, Some("(the buttons above now read)"), &shown)
            }
            // The console has no channel history to search.
            Effect::FindPost { .. } => Delivered::NotFound,
            Effect::Post {
                channel_id,
                message,
                ..
            } => self.show(
                false,
                Some(&format!("(posted in <#{channel_id}>)")),
                message,
            ),
            Effect::Thread { on, name, message } => {
                let heading = format!(
                    "(thread \"{name}\" on message {})",
                    message_ref(on, earlier)
                );
                let shown = self.show(false, Some(&heading), message);
                match shown.message_id() {
                    Some(id) => Delivered::Thread {
                        thread_id: ChannelId(id.get()),
                        message_id: id,
                    },
                    None => shown,
                }
            }
            Effect::Edit { target, message } => {
                let heading = format!("(message {} now reads)", message_ref(target, earlier));
                self.show(false, Some(&heading), message)
            }
            Effect::Delete { target } => {
                let text = format!("(message {} deleted)\n\n", message_ref(target, earlier));
                match self.write(false, &text) {
                    Delivered::Message { .. } => Delivered::Done,
                    other => other,
                }
            }
            Effect::OpenModal(modal) => {
                self.modal = Some(modal.clone());
                Delivered::Done
            }
        }
    }

    fn report(&mut self, err: &Error) {
        if let Some((_, message)) = err.to_outcome().first_reply() {
            let message = message.clone();
            self.show(true, None, &message);
        }
    }
}

/// Saves a file the bot sent (a CSV export) in the working directory, as a browser would
/// download it, and says where. An existing file is never overwritten: the next free name
/// (`scores-2026-12-07-2.csv`, ...) is taken, created owner-only without following a link.
fn save_attachment(a: &crate::engine::Attachment) -> String {
    let name = std::path::Path::new(&a.filename)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "attachment".into());
    match save_new(std::path::Path::new("."), &name, &a.bytes) {
        Ok(saved) => format!(
            "(saved as {} in the working directory)\n\n",
            render::safe(&saved)
        ),
        Err(e) => format!("(could not save {}: {e})\n\n", render::safe(&name)),
    }
}

/// Writes `bytes` to a new file in `dir` named `name`, or `stem-2.ext`, `stem-3.ext`, ... if
/// that exists; the name used.
fn save_new(dir: &std::path::Path, name: &str, bytes: &[u8]) -> io::Result<String> {
    use std::io::Write;
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    for n in 1..=1000 {
        let candidate = if n == 1 {
            name.to_string()
        } else {
            format!("{stem}-{n}{ext}")
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        }
        match options.open(dir.join(&candidate)) {
            Ok(mut file) => {
                file.write_all(bytes)?;
                file.sync_all()?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(
        "a thousand files of that name already exist",
    ))
}

fn message_ref(r: &MessageRef, earlier: &[Delivered]) -> String {
    match r {
        MessageRef::Earlier(i) => earlier
            .get(i.index())
            .and_then(Delivered::message_id)
            .map_or_else(|| "(not sent)".to_string(), |id| id.to_string()),
        MessageRef::Existing { message_id, .. } => message_id.to_string(),
    }
}

/// Where lines come from: a line editor for a person, or a reader for piped input.
enum Input<R: BufRead> {
    Lines(R),
    Editor(Box<rustyline::Editor<LineHelper, rustyline::history::FileHistory>>),
}

impl<R: BufRead> Input<R> {
    /// The next line: `Ok(None)` at the end of input, `Ok(Some(Err))` for a line that could
    /// not be read as text (reported, then the console goes on).
    /// `in_form`: a form's answer, never kept in the history (notes), and Ctrl-C cancels the
    /// form (`Ok(None)`, as Ctrl-D) instead of clearing the line.
    fn next(
        &mut self,
        prompt: &str,
        in_form: bool,
    ) -> io::Result<Option<Result<String, InputError>>> {
        match self {
            Input::Lines(r) => read_line(r),
            Input::Editor(ed) => loop {
                match ed.readline(prompt) {
                    Ok(line) => {
                        if !in_form && !line.trim().is_empty() {
                            let _ = ed.add_history_entry(line.as_str());
                        }
                        return Ok(Some(Ok(line)));
                    }
                    // Ctrl-C clears the line, as in a shell, or cancels a form; Ctrl-D on an
                    // empty line ends (the console, or the form).
                    Err(rustyline::error::ReadlineError::Interrupted) if in_form => {
                        return Ok(None);
                    }
                    Err(rustyline::error::ReadlineError::Interrupted) => continue,
                    Err(rustyline::error::ReadlineError::Eof) => return Ok(None),
                    Err(rustyline::error::ReadlineError::Io(e)) => return Err(e),
                    Err(_) => return Ok(Some(Err(InputError::Unreadable))),
                }
            },
        }
    }
}

impl<R: BufRead> Input<R> {
    /// Drops every history line that names `candidate` (compared as names are matched:
    /// normalised, ignoring case), and rewrites the history file at once, owner-only, so a
    /// forgotten candidate's name and the lines that scored them do not stay on disk.
    fn forget_in_history(&mut self, candidate: &str, file: Option<&std::path::Path>) {
        use rustyline::history::History;
        let Input::Editor(ed) = self else {
            return;
        };
        let needle = crate::text::name_key(candidate);
        if needle.is_empty() {
            return;
        }
        let kept: Vec<String> = ed
            .history()
            .iter()
            .filter(|line| !crate::text::name_key(line).contains(&needle))
            .cloned()
            .collect();
        let history = ed.history_mut();
        let _ = history.clear();
        for line in &kept {
            let _ = history.add(line);
        }
        let Some(file) = file else {
            return;
        };
        // rustyline writes nothing for an empty history: empty the file ourselves.
        let saved = if kept.is_empty() {
            crate::files::create_owner_only(file).and_then(|()| {
                std::fs::OpenOptions::new()
                    .write(true)
                    .open(file)?
                    .set_len(0)
            })
        } else {
            ed.save_history(file).map_err(io::Error::other)
        };
        if let Err(e) = saved.and_then(|()| crate::files::owner_only(file)) {
            tracing::warn!(path = %file.display(), error = %e, "could not rewrite the console history");
        }
    }
}

/// The name of the candidate a button press would delete, if it is `/scores forget`'s
/// confirmation of a candidate of the console's server.
fn forgetting(engine: &Engine, invocation: &Invocation) -> Option<String> {
    use crate::features::scores::commands::ScoresAction;
    let Invocation::Button { custom_id, .. } = invocation else {
        return None;
    };
    let Ok(ScoresAction::Forget { candidate, created }) = custom_id.parse() else {
        return None;
    };
    engine
        .store()
        .read(|db| db.candidates(CONSOLE_GUILD))
        .ok()?
        .into_iter()
        .find(|c| c.id == candidate && c.created_at == created)
        .map(|c| c.name)
}

/// Reads lines until end of input, printing what each command does. Returns whether every
/// line succeeded, or the first error writing the output.
pub fn run(
    engine: &Engine,
    opts: &ConsoleOptions,
    input: impl BufRead,
    out: impl Write,
    err: impl Write,
) -> Result<bool, OutputError> {
    let mut input = if opts.interactive {
        let config = rustyline::Config::builder()
            .auto_add_history(false)
            .max_history_size(1000)
            .map_err(|e| OutputError(io::Error::other(e)))?
            .build();
        match rustyline::Editor::with_config(config) {
            Ok(mut ed) => {
                ed.set_helper(Some(
                    LineHelper::new(engine.clone())
                        .with_member(console_member(opts))
                        .with_directory(directory(opts)),
                ));
                if let Some(h) = &opts.history {
                    // A first run has no history file yet.
                    let _ = ed.load_history(h);
                }
                Input::Editor(Box::new(ed))
            }
            Err(_) => Input::Lines(input),
        }
    } else {
        Input::Lines(input)
    };
    let mut term = Terminal::new(out, err, opts.out_style, opts.err_style);
    // The terminal's zone, as jiff finds it: `TZ` (a name, a file or a POSIX rule), else
    // `/etc/localtime`; UTC if neither says.
    let local = jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC);
    term.cx = render::Context::new(&directory(opts), local);
    let result = session(engine, opts, &mut input, &mut term);
    if let (Input::Editor(ed), Some(h)) = (&mut input, &opts.history)
        && let Err(e) = ed.save_history(h)
    {
        tracing::warn!(path = %h.display(), error = %e, "could not save the console history");
    }
    if let Some(h) = &opts.history {
        // The lines typed hold candidates' names and notes: owner-only, like the database.
        let _ = crate::files::owner_only(h);
    }
    result
}

/// A file option of the console is a local path: the file is read here (at most one byte more
/// than the bot accepts, so a larger file is refused without reading it all) and handed to the
/// engine as Discord's front end hands it a fetched attachment.
fn attach_files(engine: &Engine, req: &mut Request) {
    let Invocation::Command { name, options } = &mut req.invocation else {
        return;
    };
    let Some(leaf) = engine.registry().find(name) else {
        return;
    };
    for (n, option) in options.iter_mut().enumerate() {
        let is_file = leaf
            .spec
            .option(&option.name)
            .is_some_and(|o| o.kind == crate::engine::OptionKind::Attachment);
        let RawValue::Text(path) = &option.value else {
            continue;
        };
        if !is_file {
            continue;
        }
        let path = std::path::PathBuf::from(path.trim());
        let id = n as u64 + 1;
        let filename = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (size, content) = read_capped(&path, crate::bank::MAX_UPLOAD_BYTES as u64);
        req.resolved.attachments.insert(
            id,
            crate::engine::ResolvedAttachment {
                id,
                filename,
                size,
                url: path.display().to_string(),
                content,
            },
        );
        option.value = RawValue::Id(id);
    }
}

/// A local file's size and bytes, or why it was not read.
fn read_capped(path: &std::path::Path, limit: u64) -> (u64, crate::engine::Fetched) {
    use crate::engine::{FetchRefusal, Fetched};
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return (0, Fetched::Refused(FetchRefusal::NotFound));
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > limit {
        return (size, Fetched::Refused(FetchRefusal::TooLarge { limit }));
    }
    let mut bytes = Vec::new();
    match file.take(limit + 1).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > limit => {
            (size, Fetched::Refused(FetchRefusal::TooLarge { limit }))
        }
        Ok(_) => (bytes.len() as u64, Fetched::Bytes(bytes)),
        Err(_) => (size, Fetched::Refused(FetchRefusal::NotFound)),
    }
}

/// A line's request: from the console's member, in its server and channel.
fn request(opts: &ConsoleOptions, invocation: Invocation) -> Request {
    Request {
        guild_id: CONSOLE_GUILD,
        channel_id: CONSOLE_CHANNEL,
        origin: Origin::Member(console_member(opts)),
        invocation,
        resolved: directory(opts),
    }
}

fn session<R: BufRead, W: Write, E: Write>(
    engine: &Engine,
    opts: &ConsoleOptions,
    input: &mut Input<R>,
    term: &mut Terminal<W, E>,
) -> Result<bool, OutputError> {
    if opts.interactive {
        let banner = format!(
            "interview-bot console: {} questions loaded. Type /help for commands, Tab to complete, quit or Ctrl-D to leave.\n",
            engine.bank().len()
        );
        term.out.write_all(banner.as_bytes()).map_err(OutputError)?;
        // A session left open by an earlier run: its question and buttons again, so `!N`
        // goes on where it stopped (what `/interview show` does; nothing if there is none).
        let show = request(
            opts,
            Invocation::Command {
                name: "interview show".into(),
                options: Vec::new(),
            },
        );
        term.answering(&show.invocation, engine.now_ms());
        let outcome = engine.run(&show);
        if !outcome.is_error {
            writeln!(term.out, "An interview session is open in #console:\n")
                .map_err(OutputError)?;
            engine.deliver(
                &outcome,
                &mut ToTerminal {
                    term,
                    is_error: false,
                },
            );
        }
    }
    let mut all_ok = true;
    loop {
        term.out.flush().map_err(OutputError)?;
        let Some(line) = input.next("> ", false).map_err(OutputError)? else {
            break;
        };
        let parsed = line
            .map_err(Error::Input)
            .and_then(|l| parse_line(&l, engine));
        let next = match parsed {
            Ok(Line::Empty) => Ok(None),
            Ok(Line::Quit) => break,
            Ok(Line::Run(inv)) => Ok(Some(inv)),
            Ok(Line::Press(n)) => term.use_control(n, None).map_err(Error::Input),
            Ok(Line::Choose(n, options)) => {
                term.use_control(n, Some(&options)).map_err(Error::Input)
            }
            Err(e) => Err(term.line_error(e)),
        };
        let mut next = match next {
            Ok(next) => next,
            Err(e) => {
                term.report(&e);
                all_ok = false;
                None
            }
        };
        while let Some(invocation) = next.take() {
            let is_help = matches!(&invocation, Invocation::Command { name, .. } if name == "help");
            let mut req = request(opts, invocation);
            attach_files(engine, &mut req);
            let forgotten = forgetting(engine, &req.invocation);
            term.answering(&req.invocation, engine.now_ms());
            let outcome = engine.run(&req);
            if let (Some(name), false) = (&forgotten, outcome.is_error) {
                input.forget_in_history(name, opts.history.as_deref());
            }
            let is_error = outcome.is_error;
            if let (
                Invocation::Select {
                    custom_id, values, ..
                },
                false,
            ) = (&req.invocation, is_error)
            {
                term.chosen(custom_id, values);
            }
            engine.deliver(&outcome, &mut ToTerminal { term, is_error });
            all_ok &= !outcome.is_error;
            if is_help && !outcome.is_error {
                let tips = console_help(engine, &opts.user_name);
                term.show(false, None, &tips);
            }
            // A modal asks for its fields on the following lines, then is submitted.
            if let Some(modal) = term.modal.take() {
                next = ask_modal(term, input, &modal).map_err(OutputError)?;
            }
        }
        if let Some(e) = term.failed.take() {
            return Err(OutputError(e));
        }
    }
    term.out.flush().map_err(OutputError)?;
    Ok(all_ok)
}

/// What is particular to the console, shown after `/help`.
fn console_help(engine: &Engine, user: &str) -> Message {
    let topics: Vec<&str> = engine.bank().topics().collect();
    Message::text(format!(
        "**In this console**\n\
         • Options go as `name:value` in any order, or as plain values in the order the usage shows: `/question senior networking`.\n\
         • `!N` presses button N of the last message that had buttons or lists: `!1` opens the model answer of the last question.\n\
         • A message's lists come first, numbered before its buttons, with their options listed under them: `!N 1 3` (or `!N 1,3`) chooses options 1 and 3 of list N, all of them each time; `!N -` chooses none; `!N` alone shows the list again.\n\
         • Tab completes commands, options and values; the up arrow and Ctrl-R find earlier lines.\n\
         • This console is one server with one channel, `#console`, one role, `@interviewers`, and one member, you (`@{user}`, named after your login; an administrator unless started with `--member`). Give them by name: `/daily set #console 09:00`.\n\
         • `quit`, `exit` or Ctrl-D leaves; in a form, Ctrl-C or Ctrl-D cancels it.\n\
         • Topics: {}.",
        topics.join(", "),
        user = user,
    ))
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

/// Asks for each field of a modal; returns the submission, or `None` if input ended.
fn ask_modal<R: BufRead, W: Write, E: Write>(
    term: &mut Terminal<W, E>,
    input: &mut Input<R>,
    modal: &Modal,
) -> io::Result<Option<Invocation>> {
    match input {
        Input::Editor(_) => writeln!(
            term.out,
            "{} (Ctrl-C or Ctrl-D cancels)",
            render::safe(&modal.title)
        )?,
        Input::Lines(_) => writeln!(term.out, "{}", render::safe(&modal.title))?,
    }
    let mut fields = Vec::new();
    for field in &modal.inputs {
        let optional = if field.required { "" } else { " (optional)" };
        let prompt = format!("{}{optional}: ", render::safe(&field.label));
        if let Input::Lines(_) = input {
            writeln!(term.out, "{prompt}")?;
        }
        term.out.flush()?;
        // A form's answers (notes on a candidate) are never kept in the history.
        let value = match input.next(&prompt, true)? {
            None => {
                writeln!(term.out, "Form cancelled: nothing was saved.\n")?;
                return Ok(None);
            }
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                term.report(&Error::Input(e));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::TextInput;

    fn terminal() -> Terminal<Vec<u8>, Vec<u8>> {
        Terminal::new(Vec::new(), Vec::new(), Style::PLAIN, Style::PLAIN)
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

    #[test]
    fn a_modal_asks_for_each_field_and_submits_them() {
        let modal = Modal {
            action: "s:notes:3".into(),
            title: "Notes".into(),
            inputs: vec![
                TextInput::paragraph("notes", "Notes", 1000),
                TextInput::short("rating", "Rating", 1),
            ],
        };
        let mut term = terminal();
        let mut input = Input::Lines(&b"Clear on trade-offs\n3\n/help\n"[..]);
        let submitted = ask_modal(&mut term, &mut input, &modal).unwrap();
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
        assert!(shown.starts_with("Notes\n") && shown.contains("Notes (optional): "));
        // The next line is left for the console.
        let Input::Lines(rest) = input else { panic!() };
        assert_eq!(rest, b"/help\n");
        // Input that ends halfway submits nothing.
        let mut term = terminal();
        let mut short = Input::Lines(&b"only one\n"[..]);
        assert_eq!(ask_modal(&mut term, &mut short, &modal).unwrap(), None);
    }

    /// A scratch feature for the tests of `!N`: `/pick` answers with two buttons and two
    /// lists (any of three; exactly one of two), and every button or list answers with what
    /// it was sent.
    mod pick {
        use std::sync::Arc;

        use crate::engine::action::{Ack, Action, ActionSpec};
        use crate::engine::command::{CommandSpec, Run};
        use crate::engine::{
            Access, ButtonStyle, Engine, Feature, Handled, Invocation, Message, Outcome, Registry,
            Request, Select, SelectOption, Visibility,
        };

        crate::options! {
            /// `/pick`
            pub struct PickOptions {}
        }

        impl Run for PickOptions {
            fn run(self, _engine: &Engine, _req: &Request) -> Handled {
                Ok(Outcome::private(message()))
            }
        }

        fn option(value: &str) -> SelectOption {
            SelectOption {
                label: format!("Option {value}"),
                value: value.into(),
                description: None,
                default: false,
            }
        }

        pub fn message() -> Message {
            Message::text("Pick some.")
                .button("First", "t:echo:one".into(), ButtonStyle::Primary)
                .button("Second", "t:echo:two".into(), ButtonStyle::Secondary)
                .select(Select::any_of(
                    "t:echo:covered".into(),
                    "Covered",
                    vec![option("a"), option("b"), option("c")],
                ))
                .select(Select {
                    min: 1,
                    max: 1,
                    ..Select::any_of(
                        "t:echo:verdict".into(),
                        "Verdict",
                        vec![option("x"), option("y")],
                    )
                })
        }

        /// Any `t:echo:` id; it answers with what it was sent.
        pub struct Echo(String);

        impl std::str::FromStr for Echo {
            type Err = ();
            fn from_str(s: &str) -> Result<Echo, ()> {
                s.starts_with("t:echo:")
                    .then(|| Echo(s.to_string()))
                    .ok_or(())
            }
        }

        impl std::fmt::Display for Echo {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Action for Echo {
            fn run(self, _engine: &Engine, req: &Request) -> Handled {
                let said = match &req.invocation {
                    Invocation::Button { custom_id, message } => {
                        format!("button {custom_id}, shared message: {}", message.is_some())
                    }
                    Invocation::Select {
                        custom_id,
                        values,
                        message,
                    } => format!(
                        "select {custom_id} {values:?}, shared message: {}",
                        message.is_some()
                    ),
                    other => format!("{other:?}"),
                };
                Ok(Outcome::private(Message::text(said)))
            }
        }

        static PICK: Feature = Feature {
            name: "pick",
            commands: &[CommandSpec::leaf::<PickOptions>(
                "pick",
                "Buttons and lists",
            )],
            actions: &[ActionSpec::of::<Echo>(
                "t:echo",
                Ack::Reply(Visibility::Private),
                Access::Everyone,
            )],
            due: None,
        };

        static FEATURES: &[&Feature] = &[&PICK];

        pub fn engine() -> Engine {
            Engine::with_features(
                Arc::new(crate::bank::Bank::load_configured(None).unwrap().0),
                crate::store::Store::open_in_memory().unwrap(),
                Arc::new(crate::clock::ManualClock::new(0)),
                Registry::new(FEATURES),
            )
        }
    }

    fn options() -> ConsoleOptions {
        ConsoleOptions {
            user_name: "Ada".into(),
            plain_member: false,
            interactive: false,
            history: None,
            out_style: Style::PLAIN,
            err_style: Style::PLAIN,
        }
    }

    /// Runs `lines` through the console over the `pick` feature: whether all succeeded,
    /// standard output and standard error.
    fn pick_session(lines: &str) -> (bool, String, String) {
        let engine = pick::engine();
        let mut term = terminal();
        let mut input = Input::Lines(lines.as_bytes());
        let ok = session(&engine, &options(), &mut input, &mut term).unwrap();
        (
            ok,
            String::from_utf8(term.out).unwrap(),
            String::from_utf8(term.err).unwrap(),
        )
    }

    #[test]
    fn bang_n_chooses_options_of_a_list_numbered_before_the_buttons() {
        let (ok, out, err) = pick_session("/pick\n!1 3,1\n!1\n!2 2\n!3\n!1 -\n");
        assert!(ok, "{err}");
        assert!(
            out.contains("[!1] Covered (choose any)\n")
                && out.contains("[!3] First  [!4] Second\n"),
            "{out}"
        );
        assert!(
            out.contains("[!2] Verdict (choose one)\n  1. [ ] Option x\n"),
            "{out}"
        );
        // The values of options 1 and 3, in the list's order, with no shared message.
        assert!(
            out.contains("select t:echo:covered [\"a\", \"c\"], shared message: false"),
            "{out}"
        );
        // `!1` alone lists it again, as chosen, and says how to choose; it sends nothing.
        let again = &out[out.find("select t:echo:covered").unwrap()..];
        assert!(
            again.contains("[!1] Covered (choose any)\n  1. [x] Option a\n  2. [ ] Option b\n  3. [x] Option c\nType !1 and the numbers"),
            "{out}"
        );
        assert!(
            out.contains("select t:echo:verdict [\"y\"], shared message: false"),
            "{out}"
        );
        assert!(
            out.contains("button t:echo:one, shared message: false"),
            "{out}"
        );
        // `!1 -` chooses none: an empty choice, still sent.
        assert!(
            out.contains("select t:echo:covered [], shared message: false"),
            "{out}"
        );
        assert_eq!(out.matches("select ").count(), 3, "{out}");
    }

    #[test]
    fn bad_choices_are_refused_and_send_nothing() {
        let lines = [
            "!1", "/pick", "!3 2", "!4 x", "!4 1 1", "!5", "!5 x", "!1 4", "!1 0", "!1 1 x",
            "!1 2 2", "!2 -", "!2 1 2", "!2 none",
        ];
        let (ok, out, err) = pick_session(&(lines.join("\n") + "\n"));
        assert!(!ok);
        assert!(
            !out.contains("select ") && !out.contains("button "),
            "{out}"
        );
        let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "There are no buttons or lists to use yet.",
            "!3 is a button: buttons take no values. Type !3 alone to press it.",
            "!4 is a button: buttons take no values. Type !4 alone to press it.",
            "No button or list 5: choose !1 to !4.",
            "List !1 has no option 4: its options are 1 to 3.",
            "List !1 has no option 0: its options are 1 to 3.",
            "x is not an option number: after !1 type the numbers of the options to choose, as in !1 1 3 or !1 1,3 (!1 alone lists them).",
            "Option 2 is given twice: give each option of list !1 once.",
            "List !2 takes one option; you chose none.",
            "List !2 takes one option; you chose 2.",
        ] {
            assert!(err.contains(expected), "{expected:?} in {err}");
        }
        assert_eq!(err.matches("⚠️").count(), lines.len() - 1, "{err}");
        assert_eq!(err.matches("Type !4 alone").count(), 2, "{err}");
        assert_eq!(err.matches("No button or list 5").count(), 2, "{err}");
        assert!(
            !err.contains("after !4") && !err.contains("after !5"),
            "{err}"
        );
    }

    #[test]
    fn only_buttons_replace_the_lists_and_the_last_message_without_either_keeps_them() {
        let mut term = terminal();
        term.show(false, None, &pick::message());
        // A message with neither leaves them; one with buttons only replaces them all.
        term.show(false, None, &Message::text("hello"));
        assert!(matches!(
            term.use_control(1, Some(&[2])),
            Ok(Some(Invocation::Select { .. }))
        ));
        term.show(
            false,
            None,
            &Message::default().button(
                "Only",
                "t:echo:only".into(),
                crate::engine::ButtonStyle::Primary,
            ),
        );
        assert_eq!(
            term.use_control(3, Some(&[2])),
            Err(InputError::NoSuchButton {
                pressed: 3,
                count: 1,
                lists: false
            })
        );
        assert_eq!(
            Error::Input(InputError::NoSuchButton {
                pressed: 3,
                count: 1,
                lists: false
            })
            .user_message(),
            "No button 3: choose !1 to !1."
        );
    }

    #[test]
    fn errors_go_to_standard_error() {
        let mut term = terminal();
        term.report(&Error::Input(InputError::NoButtons));
        term.deliver(
            &Effect::reply(crate::engine::Visibility::Private, Message::text("hello")),
            &[],
            false,
        );
        assert_eq!(String::from_utf8(term.out).unwrap(), "hello\n\n");
        assert!(String::from_utf8(term.err).unwrap().contains("no buttons"));
    }

    #[test]
    fn a_second_export_gets_a_new_name_and_files_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let name = "scores-2026-12-07.csv";
        assert_eq!(save_new(dir.path(), name, b"first").unwrap(), name);
        assert_eq!(
            save_new(dir.path(), name, b"second").unwrap(),
            "scores-2026-12-07-2.csv"
        );
        assert_eq!(
            std::fs::read(dir.path().join(name)).unwrap(),
            b"first",
            "never overwritten"
        );
        assert_eq!(
            std::fs::read(dir.path().join("scores-2026-12-07-2.csv")).unwrap(),
            b"second"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            // A link planted at the next name is not followed.
            let target = dir.path().join("elsewhere");
            std::os::unix::fs::symlink(&target, dir.path().join("scores-2026-12-07-3.csv"))
                .unwrap();
            let saved = save_new(dir.path(), name, b"third").unwrap();
            assert_eq!(saved, "scores-2026-12-07-4.csv");
            assert!(!target.exists());
        }
    }
}
