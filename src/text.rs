//! Small text helpers shared by the engine and the front ends: quoting user input safely and
//! splitting long lists so they fit Discord's limits without losing anything.

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

/// Puts a zero-width space after every `@` so `@everyone` and `<@123>` cannot ping, even where
/// a client ignores `allowed_mentions`.
pub fn defuse_mentions(s: &str) -> String {
    s.replace('@', "@\u{200B}")
}

/// Shortens `s` to at most `max` characters, ending with "…" when anything was removed.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Turns a list into bulleted chunks of at most `max` characters each, breaking between
/// bullets; a single bullet too long for one chunk is broken at sentence ends, then at spaces,
/// then anywhere. Nothing is dropped. A `max` of 0 is treated as 1.
pub fn bullet_chunks(items: &[String], max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut chunks = Vec::new();
    let mut current = String::new();
    for item in items {
        let line = format!("• {}", item.trim());
        for piece in split_to_fit(&line, max) {
            let needed = if current.is_empty() {
                piece.chars().count()
            } else {
                current.chars().count() + 1 + piece.chars().count()
            };
            if needed > max && !current.is_empty() {
                chunks.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push('\n');
            }
            current.push_str(&piece);
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Splits one line into pieces of at most `max` characters, preferring sentence ends, then
/// spaces. Every piece holds at least one character, so this always ends.
fn split_to_fit(line: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut pieces = Vec::new();
    let mut rest: &str = line;
    while rest.chars().count() > max {
        // Byte index of the character limit.
        let limit = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        let window = &rest[..limit];
        // A break is only worth it if it keeps at least half the window.
        let useful = |i: &usize| *i > limit / 2;
        let cut = window
            .rfind(". ")
            .map(|i| i + 1)
            .filter(useful)
            .or_else(|| window.rfind(' ').filter(useful))
            .unwrap_or(limit)
            .max(rest.chars().next().map_or(1, char::len_utf8));
        pieces.push(rest[..cut].trim_end().to_string());
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() {
        pieces.push(rest.to_string());
    }
    pieces
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
    fn chunks_keep_every_word_and_respect_max() {
        let items: Vec<String> = (0..30)
            .map(|i| format!("Point {i} says something. {}", "word ".repeat(i * 7)))
            .collect();
        let chunks = bullet_chunks(&items, 200);
        assert!(chunks.len() > 1);
        for c in &chunks {
            assert!(c.chars().count() <= 200, "{} chars", c.chars().count());
        }
        let joined: Vec<String> = chunks
            .join(" ")
            .split_whitespace()
            .map(String::from)
            .collect();
        let expected: Vec<String> = items
            .iter()
            .flat_map(|i| {
                format!("• {i}")
                    .split_whitespace()
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(joined, expected);
    }

    #[test]
    fn a_zero_or_tiny_limit_still_ends_and_keeps_everything() {
        for max in [0, 1, 2] {
            let chunks = bullet_chunks(&["ab cd. é".to_string()], max);
            let joined: String = chunks
                .concat()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            assert_eq!(joined, "•abcd.é");
        }
    }

    #[test]
    fn unbroken_text_is_split_anywhere() {
        let chunks = bullet_chunks(&["x".repeat(500)], 100);
        assert_eq!(chunks.iter().map(|c| c.chars().count()).sum::<usize>(), 502);
        assert!(chunks.iter().all(|c| c.chars().count() <= 100));
    }
}
