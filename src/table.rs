//! `bank list` as a table that fits the terminal: columns sized to their content, the prompt
//! shortened with an ellipsis to fit the width, or, when too little room is left for it,
//! wrapped under its row; whole on one line with `--wide`.

use crate::bank::Question;
use crate::text::truncate;

/// Below this many columns for the prompt, it goes under its row instead.
const MIN_PROMPT: usize = 30;

/// The table, fitted to `width` columns, or with whole prompts when `width` is `None`.
pub fn questions(questions: &[&Question], width: Option<usize>) -> String {
    let chars = |s: &str| s.chars().count();
    // Each column as wide as its widest value, and at least as wide as its heading.
    let width_of = |value: fn(&Question) -> &str, heading: &str| {
        questions
            .iter()
            .map(|q| chars(value(q)))
            .fold(chars(heading), usize::max)
    };
    let id_w = width_of(|q| &q.id, "id");
    let level_w = width_of(|q| q.level.as_str(), "level");
    let topic_w = width_of(|q| &q.topic, "topic");
    let used = id_w + level_w + topic_w + 3;
    let prompt_w = width.map(|w| w.saturating_sub(used));
    let stacked = prompt_w.is_some_and(|w| w < MIN_PROMPT);
    let row = |id: &str, level: &str, topic: &str, prompt: &str| {
        let line = |prompt: &str| {
            format!("{id:<id_w$} {level:<level_w$} {topic:<topic_w$} {prompt}")
                .trim_end()
                .to_string()
        };
        match (width, prompt_w) {
            (Some(w), Some(_)) if stacked => {
                let options = textwrap::Options::new(w)
                    .initial_indent("    ")
                    .subsequent_indent("    ");
                let mut lines = vec![line("")];
                lines.extend(
                    textwrap::wrap(prompt, options)
                        .into_iter()
                        .map(String::from),
                );
                lines.join("\n")
            }
            (_, Some(pw)) => line(&truncate(prompt, pw)),
            _ => line(prompt),
        }
    };
    let mut out = vec![row("ID", "LEVEL", "TOPIC", "PROMPT")];
    for q in questions {
        out.push(row(&q.id, q.level.as_str(), &q.topic, &q.prompt));
    }
    out.push(format!(
        "{} question{}",
        questions.len(),
        if questions.len() == 1 { "" } else { "s" }
    ));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::Bank;

    #[test]
    fn the_table_fits_80_columns_and_wide_keeps_whole_prompts() {
        let bank = Bank::load_configured(None).unwrap().0;
        let all: Vec<&Question> = bank.all().iter().collect();
        let fitted = questions(&all, Some(80));
        for line in fitted.lines() {
            assert!(line.chars().count() <= 80, "{line}");
        }
        // Long ids leave little room: the prompt goes whole under its row.
        let words = |s: &str| {
            s.split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(words(&fitted).contains(&words(&all[0].prompt)));
        // On a wider terminal the prompt is cut to fit, with an ellipsis.
        let roomy = questions(&all, Some(140));
        assert!(roomy.contains('…'));
        for line in roomy.lines() {
            assert!(line.chars().count() <= 140, "{line}");
        }
        let wide = questions(&all, None);
        for q in &all {
            assert!(wide.contains(&q.prompt));
        }
        assert!(fitted.ends_with(&format!("{} questions", all.len())));
    }
}
