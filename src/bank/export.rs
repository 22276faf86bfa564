//! A pack written back as TOML in the format the loader reads, so an exported pack imports
//! (or loads from a folder) with no change: `tests/packs.rs` checks the round trip on the
//! shipped pack.

use std::fmt::Write;

use super::{Bank, PackId, Question};

/// The pack `id` of `bank` as one TOML file: its `[pack]` table, the readable names of the
/// topics it uses, and its questions in bank order. `None` when the bank has no such pack.
pub fn pack_to_toml(bank: &Bank, id: &PackId) -> Option<String> {
    let info = bank.pack(id)?;
    let questions: Vec<&Question> = bank.of_pack(id).collect();
    let mut out = String::new();
    out.push_str(
        "# Exported by interview-bot. Edit and load it again: each [[question]] is one question.\n\
         # Pass rule: `pass` look-fors make a yes. In a look-for, any example after \"e.g.\" counts;\n\
         # what follows \"so\" or a colon, or sits in brackets, only explains the point.\n\n",
    );
    out.push_str("[pack]\n");
    line(&mut out, "id", id.as_str());
    if let Some(name) = &info.name {
        line(&mut out, "name", name);
    }
    if let Some(d) = &info.description {
        line(&mut out, "description", d);
    }
    let mut topics: Vec<&str> = questions.iter().map(|q| q.topic.as_str()).collect();
    topics.sort_unstable();
    topics.dedup();
    let names = bank.declared_topic_names();
    let named: Vec<(&str, &String)> = topics
        .iter()
        .filter_map(|t| names.get(*t).map(|n| (*t, n)))
        .collect();
    if !named.is_empty() {
        out.push_str("\n[topics]\n");
        for (slug, name) in named {
            line(&mut out, slug, name);
        }
    }
    for q in questions {
        out.push_str("\n[[question]]\n");
        line(&mut out, "id", &q.id);
        if !q.aliases.is_empty() {
            list(&mut out, "aliases", &q.aliases);
        }
        line(&mut out, "level", q.level.as_str());
        line(&mut out, "topic", &q.topic);
        if !q.tags.is_empty() {
            list(&mut out, "tags", &q.tags);
        }
        line(&mut out, "prompt", &q.prompt);
        if q.legacy {
            // The older format stays as written (every point needed unless it said otherwise).
            list(&mut out, "answer", &q.look_fors);
            if q.pass != q.look_fors.len() {
                let _ = writeln!(out, "pass = {}", q.pass);
            }
        } else {
            list(&mut out, "look_fors", &q.look_fors);
            let _ = writeln!(out, "pass = {}", q.pass);
        }
        list(&mut out, "bonus", &q.bonus);
        list(&mut out, "red_flags", &q.red_flags);
        list(&mut out, "follow_ups", &q.follow_ups);
        if let Some(d) = &q.detail {
            line(&mut out, "detail", d);
        }
        if !q.facts.is_empty() || q.facts_checked.is_some() {
            list(&mut out, "facts", &q.facts);
        }
        if let Some(date) = &q.facts_checked {
            // A TOML date, written bare (the loader checked it is one).
            let _ = writeln!(out, "facts_checked = {date}");
        }
    }
    Some(out)
}

/// `key = "value"`, the key bare when it can be (topic slugs and field names always can).
fn line(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{} = {}", key_of(key), quoted(value));
}

/// `key = [ ... ]`, one item a line.
fn list(out: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        let _ = writeln!(out, "{} = []", key_of(key));
        return;
    }
    let _ = writeln!(out, "{} = [", key_of(key));
    for item in items {
        let _ = writeln!(out, "  {},", quoted(item));
    }
    out.push_str("]\n");
}

fn key_of(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if bare { key.to_string() } else { quoted(key) }
}

/// A TOML basic string: quotes, backslashes and control characters escaped, the rest as is.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_toml_needs() {
        assert_eq!(quoted(r#"a "b" \ c"#), r#""a \"b\" \\ c""#);
        assert_eq!(quoted("x\ny\u{7f}"), "\"x\\ny\\u007F\"");
        assert_eq!(key_of("ci-cd"), "ci-cd");
        assert_eq!(key_of("a b"), "\"a b\"");
    }
}
