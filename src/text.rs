//! Small text helpers shared by the engine and the front ends: quoting user input safely and
//! shortening text to a limit.

/// Longest piece of user input echoed back in a message.
pub const MAX_ECHO_CHARS: usize = 60;

/// Renders user-supplied text for inclusion in a reply: one line, at most [`MAX_ECHO_CHARS`]
/// characters (marked with "…" when shortened), inside inline code so markdown stays inert,
/// and with `@` defused so nothing can read as a mention.
pub fn quote(input: &str) -> String {
    let flat: String = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|&c| c != '`')
        .collect();
    let flat = flat.trim();
    let mut out: String = flat.chars().take(MAX_ECHO_CHARS).collect();
    if flat.chars().count() > MAX_ECHO_CHARS {
        out.push('…');
    }
    let out = defuse_mentions(&out);
    if out.is_empty() {
        "(empty)".to_string()
    } else {
        format!("`{out}`")
    }
}

/// What in text from a server's members would ping or disguise a link wherever it is shown
/// (a question they import or suggest): `@everyone`/`@here`, a mention, a masked link.
pub fn pings_or_masked_links(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    if lower.contains("@everyone") || lower.contains("@here") {
        Some("@everyone or @here")
    } else if lower.contains("<@") || lower.contains("<#") {
        Some("a mention (<@…> or <#…>)")
    } else if lower.contains("](") {
        Some("a masked link ([text](address))")
    } else {
        None
    }
}

/// Puts a zero-width space after every `@` so `@everyone` and `<@123>` cannot ping, even where
/// a client ignores `allowed_mentions`.
pub fn defuse_mentions(s: &str) -> String {
    s.replace('@', "@\u{200B}")
}

/// User text shown in a message as written: markdown characters are escaped, `@` is defused
/// and control characters other than line breaks become spaces, so names and notes can neither
/// format the message nor ping anyone, whatever they hold.
pub fn escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '<' | '#' | '-' | '[' | ']' | '(' | ')'
            | ':' => {
                out.push('\\');
                out.push(c);
            }
            '@' => out.push_str("@\u{200B}"),
            '\n' => out.push('\n'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Shortens `s` to at most `max` characters, ending with "…" when anything was removed.
/// Whether a spreadsheet would run `cell` as a formula (or a command, with the DDE tricks): it
/// starts with `=`, `+`, `-`, `@`, a tab, a carriage return or a NUL. The CSV export neutralises
/// such cells; a pack file from outside is refused for them.
pub fn formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\0'])
}

pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The closest of `names` to a mistyped one, if it is close enough to suggest.
pub fn closest<'a>(typed: &str, names: &[&'a str]) -> Option<&'a str> {
    let typed = typed.trim().to_lowercase();
    let len = typed.chars().count();
    names
        .iter()
        // Jaro is at most (1 + 1 + short/long) / 3, so strings ten times longer than each
        // other stay at 0.7 or under, get no prefix bonus and never reach 0.8: skip them
        // rather than walk a huge paste once per name.
        .filter(|n| {
            let n_len = n.chars().count();
            len < 10 * n_len && n_len < 10 * len
        })
        .map(|n| (strsim::jaro_winkler(&typed, n), *n))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

/// A name as it is kept and shown: NFKC (so fullwidth "Ｄａｎａ" is "Dana" and a ligature is
/// its letters), trimmed, every run of whitespace one space.
pub fn normalise_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let nfkc: String = name.nfkc().collect();
    nfkc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The key names are matched by: [`normalise_name`], then lower case (Unicode-aware).
pub fn name_key(name: &str) -> String {
    normalise_name(name).to_lowercase()
}

/// Whether `c` is invisible formatting or a control character: C0 and C1 controls (general
/// category Cc) and format characters (Cf: bidirectional overrides and isolates, zero-width
/// spaces and joiners, the word joiner, the byte-order mark, ...). Such characters make two
/// names that look the same differ, or reorder and hide what is shown around them.
pub fn is_control_or_format(c: char) -> bool {
    use unicode_general_category::{GeneralCategory, get_general_category};
    c.is_control() || get_general_category(c) == GeneralCategory::Format
}

/// Text safe to write to a terminal: every control character (C0, C1 and DEL, so an escape
/// sequence loses its ESC and cannot set the title, clear the screen or recolour) and every
/// bidirectional override or isolate (which reorder what is shown around them) is written out
/// as `\u{..}`, except the characters in `keep` (the line breaks and tabs a layout uses).
pub fn terminal_safe(input: &str, keep: &[char]) -> String {
    let unsafe_char = |c: char| {
        (c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
            && !keep.contains(&c)
    };
    if !input.chars().any(unsafe_char) {
        return input.to_string();
    }
    let mut out = String::with_capacity(input.len() + 8);
    for c in input.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_defuses_and_shortens() {
        let q = quote(&format!("@everyone `x` {}", "a".repeat(10_000)));
        assert!(q.starts_with("`@\u{200B}everyone x "));
        assert!(q.chars().count() <= MAX_ECHO_CHARS + 10);
        assert!(q.ends_with("…`"));
        assert_eq!(quote("  \n "), "(empty)");
    }

    #[test]
    fn escape_keeps_text_inert() {
        assert_eq!(
            escape("**x** @everyone <@1>"),
            "\\*\\*x\\*\\* @\u{200B}everyone \\<@\u{200B}1\\>"
        );
        assert_eq!(escape("a\nb\u{7}"), "a\nb ");
    }

    #[test]
    fn names_normalise_and_terminal_text_loses_its_controls() {
        assert_eq!(normalise_name("  Ｄａｎａ \t Scully "), "Dana Scully");
        assert_eq!(name_key("Ｄａｎａ  SCULLY"), name_key("dana scully"));
        for c in [
            '\u{0}', '\u{1b}', '\u{85}', '\u{200b}', '\u{202e}', '\u{2066}', '\u{feff}', '\u{ad}',
        ] {
            assert!(is_control_or_format(c), "{c:?}");
        }
        assert!(!is_control_or_format('é') && !is_control_or_format(' '));
        let shown = terminal_safe("a\x1b]0;pwned\x07\x1b[2J\nb\tc\u{9b}\u{202e}", &['\n']);
        assert!(
            !shown.contains(['\x1b', '\x07', '\u{9b}', '\t', '\u{202e}']),
            "{shown:?}"
        );
        assert_eq!(
            shown,
            "a\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\nb\\u{9}c\\u{9b}\\u{202e}"
        );
        assert_eq!(terminal_safe("@\u{200b}x\ty", &['\t']), "@\u{200b}x\ty");
    }
}
