//! Messages as terminal text: Discord's markup (`**bold**`, `` `code` ``, `> quotes`) becomes
//! terminal styles when the output is a terminal, and plain text when it is piped or
//! `NO_COLOR` is set; what Discord would turn into something else is written out in words, in
//! both: mentions become names (`<@1>` → `@Ada`, `<@&2>` → `@interviewers`, `<#1>` →
//! `#console`, `</daily set:9>` → `/daily set`), timestamps the local date and time (`<t:N:F>`)
//! or how long ago (`<t:N:R>`), links to messages say which message (`message 3 in
//! #console`), and the backslashes that escape markdown in user text are dropped, so a note
//! reads as it was typed. Lines are wrapped at word boundaries with hanging indents for
//! bullets and quotes. Everything but the styles the console adds goes through [`safe`] last.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::engine::{Card, Message, Resolved, Select};
use crate::model::{ChannelId, RoleId, UserId};

/// How output is styled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours and bold/dim.
    pub color: bool,
    /// Columns to wrap at.
    pub width: usize,
}

impl Style {
    /// Plain text at 80 columns: what a pipe gets.
    pub const PLAIN: Style = Style {
        color: false,
        width: 80,
    };

    /// The style for a stream: colour only on a terminal and without `NO_COLOR`; the
    /// terminal's width, or 80.
    pub fn detect(is_terminal: bool, no_color: bool, columns: Option<usize>) -> Style {
        Style {
            color: is_terminal && !no_color,
            width: if is_terminal {
                columns.unwrap_or(80).clamp(20, 200)
            } else {
                80
            },
        }
    }

    fn paint(&self, code: &str, text: &str, reset: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[{reset}m")
        } else {
            text.to_string()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint("1", text, "22")
    }

    fn dim(&self, text: &str) -> String {
        self.paint("2", text, "22")
    }
}

/// What the console knows beyond a message, to say in words what Discord would show: the names
/// of its users, roles and channels, its time zone and the time now, and the button the line
/// being answered pressed.
#[derive(Debug, Clone)]
pub struct Context {
    users: HashMap<UserId, String>,
    roles: HashMap<RoleId, String>,
    channels: HashMap<ChannelId, String>,
    zone: TimeZone,
    /// Now, for relative times (`<t:N:R>`), in milliseconds since the Unix epoch.
    pub now_ms: i64,
    /// The action of the button the current line pressed: a disabled button with it was used.
    pub pressed: Option<String>,
}

impl Default for Context {
    /// Nobody known by name, UTC, at the epoch.
    fn default() -> Context {
        Context {
            users: HashMap::new(),
            roles: HashMap::new(),
            channels: HashMap::new(),
            zone: TimeZone::UTC,
            now_ms: 0,
            pressed: None,
        }
    }
}

impl Context {
    /// The users, roles and channels in `known` by name, times in `zone`.
    pub fn new(known: &Resolved, zone: TimeZone) -> Context {
        Context {
            users: known
                .users
                .iter()
                .map(|(id, u)| (*id, u.name.clone()))
                .collect(),
            roles: known
                .roles
                .iter()
                .map(|(id, r)| (*id, r.name.clone()))
                .collect(),
            channels: known
                .channels
                .iter()
                .map(|(id, c)| (*id, c.name.clone()))
                .collect(),
            zone,
            ..Context::default()
        }
    }

    /// `@Ada`, or `@user 123` for someone the console does not know.
    fn user(&self, id: u64) -> String {
        self.users
            .get(&UserId(id))
            .map_or_else(|| format!("@user {id}"), |name| format!("@{name}"))
    }

    /// `@interviewers`, or `@role 123`.
    fn role(&self, id: u64) -> String {
        self.roles
            .get(&RoleId(id))
            .map_or_else(|| format!("@role {id}"), |name| format!("@{name}"))
    }

    /// `#console`, or `#channel 123`.
    fn channel(&self, id: u64) -> String {
        self.channels
            .get(&ChannelId(id))
            .map_or_else(|| format!("#channel {id}"), |name| format!("#{name}"))
    }
}

/// Text from a message, a name or a suggestion as it may reach the terminal: control
/// characters (escape sequences included: they could set the window title, clear the screen,
/// recolour or move the cursor) and bidirectional overrides written out as `\u{..}`; tabs
/// stay. Every piece of text the console prints goes through here before its own styles are
/// added.
pub fn safe(text: &str) -> String {
    crate::text::terminal_safe(text, &['\t'])
}

/// Renders a message; its drop-down lists are numbered from 1 (`[!1] ...`), each with its
/// options ([`list`]), then its buttons on one line, numbered on. A disabled button
/// says "(used)" if the line being answered pressed it, "(disabled)" otherwise.
pub fn message(m: &Message, style: &Style, cx: &Context) -> String {
    let mut out = String::new();
    if let Some(content) = &m.content {
        out.push_str(&block(content, style, cx));
    }
    for c in &m.cards {
        out.push_str(&card(c, style, cx));
    }
    for a in &m.attachments {
        out.push_str(&format!(
            "[attachment {} ({} bytes)]\n",
            safe(&a.filename),
            a.bytes.len()
        ));
    }
    // Lists first, as Discord shows them above the buttons: their numbers stay the same when
    // a button comes or goes (a panel's "Give a reason").
    for (i, s) in m.selects.iter().enumerate() {
        out.push_str(&list(i + 1, s, style));
    }
    if !m.buttons.is_empty() {
        let buttons: Vec<String> = m
            .buttons
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let label = format!("[!{}] {}", m.selects.len() + i + 1, safe(&b.label));
                if b.disabled {
                    let why = if cx.pressed.as_deref() == Some(b.action.as_str()) {
                        "used"
                    } else {
                        "disabled"
                    };
                    style.dim(&format!("{label} ({why})"))
                } else {
                    style.bold(&label)
                }
            })
            .collect();
        out.push_str(&buttons.join("  "));
        out.push('\n');
    }
    out.push('\n');
    out
}

/// A drop-down list numbered `number`: `[!N] placeholder (choose any)`, then its options
/// numbered from 1, `[x]` before those chosen and `[ ]` before the others, each description
/// on a dimmer line under its label. Labels, placeholders and descriptions are plain text on
/// Discord: no markup is read in them.
pub fn list(number: usize, s: &Select, style: &Style) -> String {
    let tag = format!("[!{number}] ");
    let head = format!(
        "{} {}",
        style.bold(&format!("{tag}{}", safe(&s.placeholder))),
        style.dim(&format!("(choose {})", how_many(s)))
    );
    let mut out = wrap(&head, style.width, "", &" ".repeat(tag.len()));
    let digits = s.options.len().to_string().len();
    for (i, o) in s.options.iter().enumerate() {
        let mark = if o.default { "[x]" } else { "[ ]" };
        let lead = format!("  {:>digits$}. {mark} ", i + 1);
        let hang = " ".repeat(lead.len());
        out.push_str(&wrap(&safe(&o.label), style.width, &lead, &hang));
        if let Some(d) = &o.description {
            out.push_str(&wrap(&style.dim(&safe(d)), style.width, &hang, &hang));
        }
    }
    out
}

/// List `number` again, as `!N` alone shows it, with how to choose from it.
pub fn list_with_hint(number: usize, s: &Select, style: &Style, cx: &Context) -> String {
    let mut out = list(number, s, style);
    let most = usize::from(s.max).min(s.options.len()).max(1);
    let example: Vec<String> = (1..=usize::from(s.min).max(2).min(most))
        .map(|i| i.to_string())
        .collect();
    let mut hint = if example.len() == 1 {
        format!("Type `!{number}` and the number of the option to choose, as in `!{number} 1`.")
    } else {
        format!(
            "Type `!{number}` and the numbers of the options to choose, as in `!{number} {}` or `!{number} {}`: give all of them each time, as a choice replaces the one before.",
            example.join(" "),
            example.join(",")
        )
    };
    if s.min == 0 {
        hint.push_str(&format!(" `!{number} -` chooses none."));
    }
    out.push_str(&block(&hint, style, cx));
    out.push('\n');
    out
}

/// How many options of `s` may be chosen, in words: `any`, `one`, `2`, `up to 3`, `1-3`.
pub fn how_many(s: &Select) -> String {
    let (min, max) = (usize::from(s.min), usize::from(s.max));
    match (min, max) {
        (0, max) if max >= s.options.len() => "any".into(),
        (1, 1) => "one".into(),
        (min, max) if min == max => min.to_string(),
        (0, 1) => "up to one".into(),
        (0, max) => format!("up to {max}"),
        (min, max) => format!("{min}-{max}"),
    }
}

/// [`how_many`] with its noun: `one option`, `up to 3 options`, `any number of options`.
pub fn how_many_options(s: &Select) -> String {
    match how_many(s).as_str() {
        "any" => "any number of options".into(),
        one if s.max == 1 => format!("{one} option"),
        many => format!("{many} options"),
    }
}

fn card(c: &Card, style: &Style, cx: &Context) -> String {
    let mut out = String::new();
    if let Some(title) = &c.title {
        let title = inline(title, style, cx);
        let painted = match (style.color, c.colour) {
            (true, Some(rgb)) => format!(
                "\x1b[1;38;2;{};{};{}m{title}\x1b[0m",
                rgb >> 16,
                (rgb >> 8) & 0xff,
                rgb & 0xff
            ),
            _ => style.bold(&title),
        };
        out.push_str(&painted);
        out.push('\n');
    }
    if let Some(d) = &c.description {
        out.push_str(&block(d, style, cx));
    }
    for f in &c.fields {
        out.push_str(&style.bold(&inline(&f.name, style, cx)));
        out.push('\n');
        let indented = Style {
            width: style.width.saturating_sub(2).max(20),
            ..*style
        };
        for line in block(&f.value, &indented, cx).lines() {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    if let Some(footer) = &c.footer {
        let text = inline(footer, style, cx);
        let shown = if style.color {
            style.dim(&text)
        } else {
            format!("({text})")
        };
        out.push_str(&wrap(&shown, style.width, "", ""));
    }
    out
}

/// A block of text: each line wrapped, bullets and quotes with hanging indents.
fn block(text: &str, style: &Style, cx: &Context) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let (first, rest, body) = if let Some(b) = line.strip_prefix("• ") {
            ("• ".to_string(), "  ".to_string(), b)
        } else if let Some(q) = line.strip_prefix("> ") {
            let bar = style.dim("│ ");
            (bar.clone(), bar, q)
        } else {
            (String::new(), String::new(), line)
        };
        out.push_str(&wrap(&inline(body, style, cx), style.width, &first, &rest));
    }
    out
}

fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    if text.is_empty() {
        return format!("{}\n", first.trim_end());
    }
    let options = textwrap::Options::new(width)
        .initial_indent(first)
        .subsequent_indent(rest);
    let mut out = String::new();
    for line in textwrap::wrap(text, options) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Inline markup: `**bold**` and `` `code` `` become styles (or nothing); mentions,
/// timestamps and links to messages become words ([`reference`], [`link`]); a backslash that
/// escapes a markdown character is dropped and the character kept as it is; the zero-width
/// spaces that keep mentions from pinging on Discord are dropped (nothing pings in a
/// terminal). Inside code, as on Discord, text is shown as it is. Every piece of text goes
/// through [`safe`] before the styles are added.
pub fn inline(text: &str, style: &Style, cx: &Context) -> String {
    let mut out = String::with_capacity(text.len());
    // Text waiting to be made safe and written.
    let mut pending = String::new();
    let mut bold = false;
    let mut code = false;
    let mut rest = text;
    let paint = |out: &mut String, pending: &mut String, code_str: &str| {
        out.push_str(&safe(pending));
        pending.clear();
        if style.color {
            out.push_str(code_str);
        }
    };
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        if c == '\u{200B}' {
            rest = after;
        } else if code {
            if c == '`' {
                code = false;
                paint(&mut out, &mut pending, "\x1b[39m");
            } else {
                pending.push(c);
            }
            rest = after;
        } else if let Some(escaped) = after.chars().next().filter(|e| c == '\\' && escapable(*e)) {
            pending.push(escaped);
            rest = &after[escaped.len_utf8()..];
        } else if rest.starts_with("**") {
            bold = !bold;
            paint(
                &mut out,
                &mut pending,
                if bold { "\x1b[1m" } else { "\x1b[22m" },
            );
            rest = &rest[2..];
        } else if c == '`' {
            code = true;
            paint(&mut out, &mut pending, "\x1b[36m");
            rest = after;
        } else if let Some((shown, len)) = reference(rest, cx) {
            pending.push_str(&shown);
            rest = &rest[len..];
        } else if let Some((shown, len)) = link(rest, &pending, cx) {
            pending.push_str(&shown);
            rest = &rest[len..];
        } else {
            pending.push(c);
            rest = after;
        }
    }
    paint(
        &mut out,
        &mut pending,
        if bold || code { "\x1b[0m" } else { "" },
    );
    out
}

/// Whether a backslash before `c` escapes it, as Discord reads markdown: anything but a
/// letter, a digit or whitespace.
fn escapable(c: char) -> bool {
    !(c.is_ascii_alphanumeric() || c.is_whitespace())
}

/// The longest mention or timestamp looked for: `<t:-99999999999:F>` and a command's name.
const MAX_REFERENCE: usize = 120;

/// A mention, command mention or timestamp at the start of `text`, in words, and how many
/// bytes of `text` it took: `<@1>` and `<@!1>` → `@Ada`, `<@&2>` → `@interviewers`, `<#1>` →
/// `#console`, `</daily set:9>` → `/daily set`, `<t:N>` and `<t:N:S>` → the time ([`time`]).
/// Anything else (a bad id, an unknown style, no `>` soon) is not one: `None`.
fn reference(text: &str, cx: &Context) -> Option<(String, usize)> {
    let inner = text.strip_prefix('<')?;
    let end = inner
        .char_indices()
        .take(MAX_REFERENCE)
        .find(|(_, c)| *c == '>' || *c == '<')
        .filter(|(_, c)| *c == '>')?
        .0;
    let (body, len) = (&inner[..end], end + 2);
    let id = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    let shown = if let Some(role) = body.strip_prefix("@&") {
        cx.role(id(role)?)
    } else if let Some(user) = body.strip_prefix("@!").or_else(|| body.strip_prefix('@')) {
        cx.user(id(user)?)
    } else if let Some(channel) = body.strip_prefix('#') {
        cx.channel(id(channel)?)
    } else if let Some(command) = body.strip_prefix('/') {
        let (name, command_id) = command.rsplit_once(':')?;
        id(command_id)?;
        if name.is_empty() {
            return None;
        }
        format!("/{name}")
    } else if let Some(stamp) = body.strip_prefix("t:") {
        let (seconds, style) = match stamp.split_once(':') {
            Some((seconds, style)) => (seconds, style),
            None => (stamp, "f"),
        };
        let digits = seconds.strip_prefix('-').unwrap_or(seconds);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut style = style.chars();
        let (Some(style), None) = (style.next(), style.next()) else {
            return None;
        };
        time(seconds.parse().ok()?, style, cx)?
    } else {
        return None;
    };
    Some((shown, len))
}

/// A Discord timestamp in words, in the console's zone, by its style: `t` `09:00 CET`, `T`
/// `09:00:00 CET`, `d` `2026-03-30`, `D` `30 March 2026`, `f` `30 March 2026 09:00 CET`, `F`
/// `Monday 30 March 2026 09:00 CET`, `R` `in 5 minutes` or `3 hours ago`. `None` for another
/// style or an instant out of range.
fn time(seconds: i64, style: char, cx: &Context) -> Option<String> {
    let at = Timestamp::from_second(seconds).ok()?;
    let format = match style {
        't' => "%H:%M %Z",
        'T' => "%H:%M:%S %Z",
        'd' => "%Y-%m-%d",
        'D' => "%-d %B %Y",
        'f' => "%-d %B %Y %H:%M %Z",
        'F' => "%A %-d %B %Y %H:%M %Z",
        'R' => return Some(relative(at.as_millisecond(), cx.now_ms)),
        _ => return None,
    };
    Some(at.to_zoned(cx.zone.clone()).strftime(format).to_string())
}

/// How far `at_ms` is from `now_ms`, as a person would say it: `in 5 minutes`, `3 hours ago`,
/// `a few seconds ago`.
fn relative(at_ms: i64, now_ms: i64) -> String {
    let diff = i128::from(at_ms) - i128::from(now_ms);
    let seconds = diff.unsigned_abs() / 1000;
    let (n, unit) = match seconds {
        s if s < 60 => (0, "a few seconds"),
        s if s < 3600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s if s < 30 * 86_400 => (s / 86_400, "day"),
        s if s < 365 * 86_400 => (s / (30 * 86_400), "month"),
        s => (s / (365 * 86_400), "year"),
    };
    let amount = match n {
        0 => unit.to_string(),
        1 => format!("1 {unit}"),
        n => format!("{n} {unit}s"),
    };
    if diff >= 0 {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

/// The longest link text and address looked for.
const MAX_LINK: usize = 400;

/// A markdown link at the start of `text`, in words, and how many bytes it took. A link to a
/// Discord message (`[its message](https://discord.com/channels/0/1/3)`) says which message it
/// is: `its message (message 3 in #console)`, or `its message: message 3 in #console` when the
/// link is all there is between parentheses (`before` ends with `(` and `)` follows). Another
/// address is written after the text: `text (https://...)`. Link text holds no brackets.
fn link(text: &str, before: &str, cx: &Context) -> Option<(String, usize)> {
    let inner = text.strip_prefix('[')?;
    let close = inner
        .char_indices()
        .take(MAX_LINK)
        .find(|(_, c)| matches!(c, '[' | ']' | '\n'))
        .filter(|(_, c)| *c == ']')?
        .0;
    let label = &inner[..close];
    let target = inner[close + 1..].strip_prefix('(')?;
    let end = target
        .char_indices()
        .take(MAX_LINK)
        .find(|(_, c)| *c == ')' || c.is_whitespace())
        .filter(|(_, c)| *c == ')')?
        .0;
    let url = &target[..end];
    if !url.starts_with("https://") && !url.starts_with("http://") {
        return None;
    }
    let len = 1 + close + 2 + end + 1;
    let label = inline(label, &Style::PLAIN, cx);
    let enclosed = before.ends_with('(') && text[len..].starts_with(')');
    let shown = match message_link(url, cx) {
        Some(place) if enclosed => format!("{label}: {place}"),
        Some(place) => format!("{label} ({place})"),
        None => format!("{label} ({url})"),
    };
    Some((shown, len))
}

/// `https://discord.com/channels/<guild>/<channel>/<message>` → `message 3 in #console`.
fn message_link(url: &str, cx: &Context) -> Option<String> {
    let path = url.strip_prefix("https://discord.com/channels/")?;
    let mut parts = path.split('/');
    let (Some(guild), Some(channel), Some(message), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    if guild != "@me" {
        number(guild)?;
    }
    let channel = cx.channel(number(channel)?);
    Some(format!("message {} in {channel}", number(message)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ButtonStyle, Field, SelectOption};

    fn sample() -> Message {
        Message {
            content: Some("That was the last one; starting over.".into()),
            cards: vec![Card {
                title: Some("Senior · Reliability".into()),
                description: Some(format!(
                    "> {}\n\n**Red flags**\n• **Lead phrase:** {}\n• @\u{200B}everyone `code`",
                    "quoted question ".repeat(8),
                    "word ".repeat(40)
                )),
                fields: vec![Field {
                    name: "`/question level:<junior|mid|senior>`".into(),
                    value: "</question:42>: post a question".into(),
                    inline: false,
                }],
                footer: Some("aws-x · question 5 of 34 this round".into()),
                colour: Some(0xED4245),
            }],
            ..Message::default()
        }
        .button("Model answer", "q:answer:x".into(), ButtonStyle::Primary)
    }

    #[test]
    fn plain_text_has_no_markup_and_fits_the_width() {
        let text = message(&sample(), &Style::PLAIN, &Context::default());
        assert!(!text.contains("**") && !text.contains('`') && !text.contains('\x1b'));
        assert!(!text.contains('\u{200B}') && text.contains("@everyone"));
        assert!(text.contains("/question: post a question"), "{text}");
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "{line:?}");
        }
        // Bullets hang: the continuation of a bullet is indented under its text.
        let lines: Vec<&str> = text.lines().collect();
        let bullet = lines
            .iter()
            .position(|l| l.starts_with("• Lead phrase:"))
            .unwrap();
        assert!(lines[bullet + 1].starts_with("  word"), "{text}");
        assert!(lines.iter().any(|l| l.starts_with("│ quoted")));
        assert!(text.contains("(aws-x · question 5 of 34 this round)"));
        assert!(text.contains("[!1] Model answer"));
    }

    #[test]
    fn a_terminal_gets_styles_and_its_own_width() {
        let style = Style::detect(true, false, Some(60));
        assert_eq!(
            style,
            Style {
                color: true,
                width: 60
            }
        );
        let text = message(&sample(), &style, &Context::default());
        assert!(text.contains("\x1b[1mLead phrase:\x1b[22m"), "{text:?}");
        assert!(text.contains("\x1b[36mcode\x1b[39m"));
        assert!(text.contains("\x1b[1;38;2;237;66;69mSenior · Reliability"));
        for line in text.lines() {
            let visible = textwrap::core::display_width(line);
            assert!(visible <= 60, "{visible}: {line:?}");
        }
        assert!(!Style::detect(true, true, Some(60)).color);
        assert_eq!(Style::detect(false, false, Some(60)), Style::PLAIN);
    }

    #[test]
    fn control_characters_in_any_text_never_reach_the_terminal() {
        use crate::engine::ButtonStyle;
        let evil = "x\x1b]0;pwned\x07\x1b[2J\u{9b}31m\r\u{202e}y";
        let m = Message::text(format!("**{evil}**\n> {evil}"))
            .card(
                Card {
                    title: Some(evil.into()),
                    description: Some(evil.into()),
                    footer: Some(evil.into()),
                    ..Card::default()
                }
                .field(evil, evil, false),
            )
            .button(evil, "a".into(), ButtonStyle::Primary)
            .select(Select::any_of(
                "b".into(),
                evil,
                vec![SelectOption {
                    label: evil.into(),
                    value: evil.into(),
                    description: Some(evil.into()),
                    default: true,
                }],
            ));
        for style in [Style::PLAIN, Style::detect(true, false, Some(100))] {
            let shown = message(&m, &style, &Context::default())
                + &inline(evil, &style, &Context::default());
            for raw in ["\x1b]", "\x07", "\x1b[2J", "\u{9b}", "\r", "\u{202e}"] {
                assert!(!shown.contains(raw), "{raw:?} in {shown:?}");
            }
            assert!(shown.contains("x\\u{1b}]0;pwned\\u{7}"), "{shown:?}");
            let listed = list_with_hint(2, &m.selects[0], &style, &Context::default());
            for raw in ["\x1b]", "\x07", "\x1b[2J", "\u{9b}", "\r", "\u{202e}"] {
                assert!(!listed.contains(raw), "{raw:?} in {listed:?}");
            }
        }
    }

    /// The console's directory as `console::directory` builds it: Ada, the role
    /// interviewers, the channel console; times in Tokyo (UTC+9, no summer time), now
    /// 2026-03-30 09:00 UTC.
    fn console() -> Context {
        use crate::engine::{ChannelKind, ResolvedChannel, ResolvedRole, ResolvedUser};
        let mut known = Resolved::default();
        known.users.insert(
            UserId(1),
            ResolvedUser {
                id: UserId(1),
                name: "Ada".into(),
            },
        );
        known.roles.insert(
            RoleId(2),
            ResolvedRole {
                id: RoleId(2),
                name: "interviewers".into(),
                mentionable: true,
            },
        );
        known.channels.insert(
            ChannelId(1),
            ResolvedChannel {
                id: ChannelId(1),
                name: "console".into(),
                kind: ChannelKind::Text,
                bot_permissions: None,
            },
        );
        Context {
            now_ms: NOW * 1000,
            ..Context::new(&known, TimeZone::get("Asia/Tokyo").unwrap())
        }
    }

    /// Monday 30 March 2026, 09:00 UTC.
    const NOW: i64 = 1_774_861_200;

    fn plain(text: &str) -> String {
        inline(text, &Style::PLAIN, &console())
    }

    fn check(cases: &[(&str, &str)]) {
        for (text, shown) in cases {
            assert_eq!(plain(text), *shown, "{text:?}");
        }
    }

    #[test]
    fn mentions_become_names() {
        check(&[
            ("Ended by <@1>.", "Ended by @Ada."),
            ("Ended by <@!1>.", "Ended by @Ada."),
            ("by <@123>", "by @user 123"),
            ("with <@&2> (and", "with @interviewers (and"),
            ("pings <@&77>", "pings @role 77"),
            ("in <#1>: 09:00", "in #console: 09:00"),
            ("in <#5>", "in #channel 5"),
            ("<@1><#1><@&2>", "@Ada#console@interviewers"),
            ("run </daily set:12> now", "run /daily set now"),
            ("</q:1></a:2>", "/q/a"),
            // Not mentions: shown as they are.
            ("a </x> b", "a </x> b"),
            (
                "<@>, <@x1>, <@1 >, <#-1>, <@&>, <@99999999999999999999999>",
                "<@>, <@x1>, <@1 >, <#-1>, <@&>, <@99999999999999999999999>",
            ),
            ("<@<@1>>", "<@@Ada>"),
            ("unterminated <@1", "unterminated <@1"),
        ]);
    }

    #[test]
    fn timestamps_become_local_times_by_style() {
        let at = NOW + 3600;
        check(&[
            (&format!("<t:{at}:t>"), "19:00 JST"),
            (&format!("<t:{at}:T>"), "19:00:00 JST"),
            (&format!("<t:{at}:d>"), "2026-03-30"),
            (&format!("<t:{at}:D>"), "30 March 2026"),
            (&format!("<t:{at}:f>"), "30 March 2026 19:00 JST"),
            (&format!("<t:{at}>"), "30 March 2026 19:00 JST"),
            (
                &format!("Next post: <t:{at}:F> (x)"),
                "Next post: Monday 30 March 2026 19:00 JST (x)",
            ),
            ("<t:-86400:D>", "31 December 1969"),
        ]);
        // Malformed or out of range: left as it is, never a panic.
        for text in [
            "<t:",
            "<t:1774861200",
            "<t:1774861200:F",
            "<t:1774861200:X>",
            "<t:1774861200:FF>",
            "<t::F>",
            "<t:-:F>",
            "<t:12a:F>",
            "<t:99999999999999:F>",
            "<t:9223372036854775807:R>",
            "<t:-9223372036854775808:F>",
            "<t:99999999999999999999999999999:F>",
        ] {
            assert_eq!(plain(text), text);
        }
    }

    #[test]
    fn relative_timestamps_say_how_long_ago() {
        check(&[
            (&format!("<t:{NOW}:R>"), "in a few seconds"),
            (
                &format!("started <t:{}:R>", NOW - 30),
                "started a few seconds ago",
            ),
            (&format!("<t:{}:R>", NOW - 60), "1 minute ago"),
            (&format!("<t:{}:R>", NOW + 5 * 60 + 30), "in 5 minutes"),
            (&format!("<t:{}:R>", NOW - 3 * 3600 - 59), "3 hours ago"),
            (&format!("<t:{}:R>", NOW + 86_400), "in 1 day"),
            (&format!("<t:{}:R>", NOW - 45 * 86_400), "1 month ago"),
            (&format!("<t:{}:R>", NOW + 800 * 86_400), "in 2 years"),
        ]);
        assert_eq!(relative(i64::MAX, i64::MIN), "in 584942417 years");
        assert_eq!(relative(i64::MIN, i64::MAX), "584942417 years ago");
    }

    #[test]
    fn links_to_messages_say_which_message() {
        check(&[
            (
                "started <t:1774861140:R> ([its message](https://discord.com/channels/0/1/3)).",
                "started 1 minute ago (its message: message 3 in #console).",
            ),
            (
                "see [the post](https://discord.com/channels/9/5/42) first",
                "see the post (message 42 in #channel 5) first",
            ),
            (
                "[**it**](https://discord.com/channels/@me/1/3)",
                "it (message 3 in #console)",
            ),
            (
                "[docs](https://example.com/a)",
                "docs (https://example.com/a)",
            ),
            // Nested brackets: the innermost link is the link.
            (
                "[a [b](https://discord.com/channels/0/1/3)]",
                "[a b (message 3 in #console)]",
            ),
            // Not links: shown as they are.
            ("[a](b)", "[a](b)"),
            ("[a] (https://x.y)", "[a] (https://x.y)"),
            ("[a](https://x.y", "[a](https://x.y"),
            ("[a](https://x y)", "[a](https://x y)"),
            ("[[[[", "[[[["),
        ]);
        // Odd paths are links to somewhere else, written out.
        assert_eq!(
            plain("[m](https://discord.com/channels/0/1/x)"),
            "m (https://discord.com/channels/0/1/x)"
        );
    }

    #[test]
    fn escaped_user_text_reads_as_typed() {
        for typed in [
            r"@everyone =SUM(A1) <b>hi</b> **bold**",
            r"Åsa-xxx",
            r"C:\dir\*.txt _x_ ~~s~~ |a| > q # h - i [a](https://x.y) <@1> <t:1:F>",
            "`tick` \\ end\\",
            "",
        ] {
            assert_eq!(plain(&crate::text::escape(typed)), typed, "{typed:?}");
            // With colour too: escaped stars are not bold.
            let coloured = inline(
                &crate::text::escape(typed),
                &Style::detect(true, false, None),
                &console(),
            );
            assert_eq!(coloured, typed, "{typed:?}");
        }
        // A backslash before a letter, a digit or a space is no escape; inside code nothing
        // is one, as on Discord.
        check(&[
            (r"\d \1 \ x", r"\d \1 \ x"),
            (r"`a\*b <@1>`", r"a\*b <@1>"),
            (r"\`not code\`", r"`not code`"),
            (r"\*\*not bold\*\*", r"**not bold**"),
        ]);
    }

    #[test]
    fn what_a_reference_brings_is_made_safe_too() {
        let mut cx = console();
        cx.users.insert(UserId(7), "Eve\x1b]0;pwned\x07".into());
        cx.channels.insert(ChannelId(8), "ch\u{202e}an".into());
        for style in [Style::PLAIN, Style::detect(true, false, Some(100))] {
            let shown = inline(
                "<@7> in <#8>: <@1\x1b[2J> <t:1\x1b:F> \\\x1b[31m",
                &style,
                &cx,
            );
            for raw in ["\x1b]", "\x07", "\x1b[2J", "\u{202e}", "\x1b:", "\x1b[31m"] {
                assert!(!shown.contains(raw), "{raw:?} in {shown:?}");
            }
            assert!(
                shown.contains("@Eve\\u{1b}]0;pwned\\u{7} in #ch\\u{202e}an"),
                "{shown:?}"
            );
            assert!(shown.contains("<@1\\u{1b}[2J> <t:1\\u{1b}:F>"), "{shown:?}");
        }
    }

    fn option(label: &str, value: &str, description: Option<&str>, default: bool) -> SelectOption {
        SelectOption {
            label: label.into(),
            value: value.into(),
            description: description.map(Into::into),
            default,
        }
    }

    /// Rating buttons and two lists: any of three look-fors (one chosen, one described), and
    /// one or two of three red flags.
    fn with_lists() -> Message {
        Message::text("Rate the answer.")
            .button("Weak", "r:1".into(), ButtonStyle::Secondary)
            .button("Strong", "r:3".into(), ButtonStyle::Primary)
            .select(Select::any_of(
                "c:covered".into(),
                "Covered",
                vec![
                    option(
                        "Strong read-after-write consistency",
                        "lf0",
                        Some("Since December 2020, for every object and every request, with no extra charge or setting"),
                        true,
                    ),
                    option("Versioning", "lf1", None, false),
                    option("Bonus: lifecycle rules", "b0", None, false),
                ],
            ))
            .select(Select {
                action: "c:flags".into(),
                placeholder: "Red flags heard".into(),
                options: vec![
                    option("Calls S3 a file system", "rf0", None, false),
                    option("Public buckets by default", "rf1", None, false),
                    option("No idea of costs", "rf2", None, false),
                ],
                min: 1,
                max: 2,
            })
    }

    #[test]
    fn lists_come_first_with_their_options_and_the_buttons_are_numbered_on() {
        assert_eq!(
            message(&with_lists(), &Style::PLAIN, &Context::default()),
            "Rate the answer.\n\
             [!1] Covered (choose any)\n\
             \x20 1. [x] Strong read-after-write consistency\n\
             \x20        Since December 2020, for every object and every request, with no extra\n\
             \x20        charge or setting\n\
             \x20 2. [ ] Versioning\n\
             \x20 3. [ ] Bonus: lifecycle rules\n\
             [!2] Red flags heard (choose 1-2)\n\
             \x20 1. [ ] Calls S3 a file system\n\
             \x20 2. [ ] Public buckets by default\n\
             \x20 3. [ ] No idea of costs\n\
             [!3] Weak  [!4] Strong\n\
             \n"
        );
        // Without buttons, lists start at !1 too.
        let only = Message::default().select(with_lists().selects[1].clone());
        let text = message(&only, &Style::PLAIN, &Context::default());
        assert!(
            text.starts_with("[!1] Red flags heard (choose 1-2)\n"),
            "{text}"
        );
    }

    #[test]
    fn lists_in_colour_fit_the_width_with_dim_descriptions() {
        let style = Style::detect(true, false, Some(40));
        let text = message(&with_lists(), &style, &Context::default());
        assert!(
            text.contains("\x1b[1m[!1] Covered\x1b[22m \x1b[2m(choose any)\x1b[22m"),
            "{text:?}"
        );
        assert!(text.contains("\x1b[2mSince December"), "{text:?}");
        for line in text.lines() {
            let visible = textwrap::core::display_width(line);
            assert!(visible <= 40, "{visible}: {line:?}");
        }
        // A long label hangs under its own start; ten options and more are aligned.
        let many: Vec<SelectOption> = (1..=12)
            .map(|i| {
                option(
                    &format!("look-for {i} {}", "word ".repeat(12)),
                    &i.to_string(),
                    None,
                    false,
                )
            })
            .collect();
        let m = Message::default().select(Select::any_of("c:x".into(), "Many", many));
        let text = message(&m, &Style::PLAIN, &Context::default());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[1],
            "   1. [ ] look-for 1 word word word word word word word word word word word word"
        );
        let twelve = lines
            .iter()
            .position(|l| l.starts_with("  12. [ ] look-for 12"))
            .unwrap();
        assert_eq!(lines[twelve + 1], "          word", "{text}");
    }

    #[test]
    fn how_many_says_what_min_and_max_allow() {
        let list = |min, max| Select {
            min,
            max,
            ..with_lists().selects[1].clone()
        };
        for (min, max, words, with_noun) in [
            (0, 3, "any", "any number of options"),
            (1, 1, "one", "one option"),
            (2, 2, "2", "2 options"),
            (0, 1, "up to one", "up to one option"),
            (0, 2, "up to 2", "up to 2 options"),
            (1, 3, "1-3", "1-3 options"),
        ] {
            assert_eq!(how_many(&list(min, max)), words);
            assert_eq!(how_many_options(&list(min, max)), with_noun);
        }
    }

    #[test]
    fn a_list_shown_again_says_how_to_choose() {
        let m = with_lists();
        let any = list_with_hint(3, &m.selects[0], &Style::PLAIN, &Context::default());
        assert!(any.starts_with("[!3] Covered (choose any)\n"), "{any}");
        assert!(
            any.ends_with(
                "Type !3 and the numbers of the options to choose, as in !3 1 2 or !3 1,2: give\n\
                 all of them each time, as a choice replaces the one before. !3 - chooses none.\n\n"
            ),
            "{any}"
        );
        let one = Select {
            min: 1,
            max: 1,
            ..m.selects[1].clone()
        };
        let one = list_with_hint(4, &one, &Style::PLAIN, &Context::default());
        assert!(
            one.ends_with("Type !4 and the number of the option to choose, as in !4 1.\n\n"),
            "{one}"
        );
    }

    #[test]
    fn a_disabled_button_says_used_only_when_it_was_pressed() {
        let mut m = Message::default()
            .button("◀ Newer", "p:0".into(), ButtonStyle::Secondary)
            .button("Another question", "q:next".into(), ButtonStyle::Secondary);
        m.buttons[0].disabled = true;
        m.buttons[1].disabled = true;
        let mut cx = Context::default();
        assert_eq!(
            message(&m, &Style::PLAIN, &cx),
            "[!1] ◀ Newer (disabled)  [!2] Another question (disabled)\n\n"
        );
        cx.pressed = Some("q:next".into());
        assert_eq!(
            message(&m, &Style::PLAIN, &cx),
            "[!1] ◀ Newer (disabled)  [!2] Another question (used)\n\n"
        );
    }
}
