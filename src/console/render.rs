//! Messages as terminal text: Discord's markup (`**bold**`, `` `code` ``, `> quotes`, command
//! mentions) becomes terminal styles when the output is a terminal, and plain text when it is
//! piped or `NO_COLOR` is set; lines are wrapped at word boundaries with hanging indents for
//! bullets and quotes.

use crate::engine::{Card, Message};

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

/// Text from a message, a name or a suggestion as it may reach the terminal: control
/// characters (escape sequences included: they could set the window title, clear the screen,
/// recolour or move the cursor) and bidirectional overrides written out as `\u{..}`; tabs
/// stay. Every piece of text the console prints goes through here before its own styles are
/// added.
pub fn safe(text: &str) -> String {
    crate::text::terminal_safe(text, &['\t'])
}

/// Renders a message; buttons are numbered from 1 (`[!1] ...`).
pub fn message(m: &Message, style: &Style) -> String {
    let mut out = String::new();
    if let Some(content) = &m.content {
        out.push_str(&block(content, style));
    }
    for c in &m.cards {
        out.push_str(&card(c, style));
    }
    for a in &m.attachments {
        out.push_str(&format!(
            "[attachment {} ({} bytes)]\n",
            safe(&a.filename),
            a.bytes.len()
        ));
    }
    if !m.buttons.is_empty() {
        let buttons: Vec<String> = m
            .buttons
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let label = format!("[!{}] {}", i + 1, safe(&b.label));
                if b.disabled {
                    style.dim(&format!("{label} (used)"))
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

fn card(c: &Card, style: &Style) -> String {
    let mut out = String::new();
    if let Some(title) = &c.title {
        let title = inline(title, style);
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
        out.push_str(&block(d, style));
    }
    for f in &c.fields {
        out.push_str(&style.bold(&inline(&f.name, style)));
        out.push('\n');
        let indented = Style {
            width: style.width.saturating_sub(2).max(20),
            ..*style
        };
        for line in block(&f.value, &indented).lines() {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    if let Some(footer) = &c.footer {
        let text = inline(footer, style);
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
fn block(text: &str, style: &Style) -> String {
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
        out.push_str(&wrap(&inline(body, style), style.width, &first, &rest));
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

/// Inline markup: `**bold**` and `` `code` `` become styles (or nothing), command mentions
/// `</question:123>` become `/question`, and the zero-width spaces that keep mentions from
/// pinging on Discord are dropped (nothing pings in a terminal).
pub fn inline(text: &str, style: &Style) -> String {
    let text = safe(text).replace('\u{200B}', "");
    let text = command_mentions(&text);
    let mut out = String::with_capacity(text.len());
    let mut bold = false;
    let mut code = false;
    let mut rest = text.as_str();
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("**") {
            bold = !bold;
            if style.color {
                out.push_str(if bold { "\x1b[1m" } else { "\x1b[22m" });
            }
            rest = &rest[2..];
        } else if c == '`' {
            code = !code;
            if style.color {
                out.push_str(if code { "\x1b[36m" } else { "\x1b[39m" });
            }
            rest = &rest[1..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    if style.color && (bold || code) {
        out.push_str("\x1b[0m");
    }
    out
}

/// `</daily set:123>` → `/daily set`.
fn command_mentions(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("</") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('>') else {
            break;
        };
        let inner = &after[..end];
        match inner.rsplit_once(':') {
            Some((name, id)) if !name.is_empty() && id.chars().all(|c| c.is_ascii_digit()) => {
                out.push_str(&rest[..start]);
                out.push('/');
                out.push_str(name);
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str(&rest[..start + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{ButtonStyle, Field};

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
        let text = message(&sample(), &Style::PLAIN);
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
        let text = message(&sample(), &style);
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
            .button(evil, "a".into(), ButtonStyle::Primary);
        for style in [Style::PLAIN, Style::detect(true, false, Some(100))] {
            let shown = message(&m, &style) + &inline(evil, &style);
            for raw in ["\x1b]", "\x07", "\x1b[2J", "\u{9b}", "\r", "\u{202e}"] {
                assert!(!shown.contains(raw), "{raw:?} in {shown:?}");
            }
            assert!(shown.contains("x\\u{1b}]0;pwned\\u{7}"), "{shown:?}");
        }
    }

    #[test]
    fn command_mentions_become_commands() {
        for (text, shown) in [
            ("run </daily set:12> now", "run /daily set now"),
            ("a </x> b", "a </x> b"),
            ("</q:1></a:2>", "/q/a"),
        ] {
            assert_eq!(command_mentions(text), shown, "{text}");
        }
    }
}
