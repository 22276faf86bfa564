//! `bank list` as a table that fits the terminal: one line per question, columns sized to
//! their content, the prompt cut with an ellipsis to fit the width, whatever the filter; whole
//! with `--wide`. A prompt written over several lines is shown on one.

use crate::bank::Question;
use crate::text::truncate;

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
    // What is left of the width for the prompt (at least its ellipsis).
    let prompt_w = width.map(|w| w.saturating_sub(id_w + level_w + topic_w + 3).max(1));
    let row = |id: &str, level: &str, topic: &str, prompt: &str| {
        let prompt = prompt.split_whitespace().collect::<Vec<_>>().join(" ");
        let prompt = match prompt_w {
            Some(pw) => truncate(&prompt, pw),
            None => prompt,
        };
        format!("{id:<id_w$} {level:<level_w$} {topic:<topic_w$} {prompt}")
            .trim_end()
            .to_string()
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
        // However little room long ids leave, one line per question, the prompt cut to fit;
        // on a wider terminal, more of it.
        assert_eq!(fitted.lines().count(), all.len() + 2);
        assert!(fitted.contains('…'));
        let roomy = questions(&all, Some(140));
        assert_eq!(roomy.lines().count(), all.len() + 2);
        assert!(roomy.contains('…'));
        for line in roomy.lines() {
            assert!(line.chars().count() <= 140, "{line}");
        }
        let wide = questions(&all, None);
        for q in &all {
            // Whole, on one line (a hands-on prompt shows its artefact over several).
            let one_line = q.prompt.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(wide.contains(&one_line), "{}", q.id);
        }
        assert!(fitted.ends_with(&format!("{} questions", all.len())));
    }

    #[test]
    fn a_prompt_written_over_several_lines_is_one_line_of_the_table() {
        let q = Question {
            id: "t-lines".into(),
            level: crate::bank::Level::Junior,
            topic: "networking".into(),
            tags: vec![],
            prompt: "What is a subnet?\nSay where it lives.".into(),
            look_fors: vec![],
            pass: 0,
            bonus: vec![],
            red_flags: vec![],
            follow_ups: vec![],
            detail: None,
            facts: vec![],
            facts_checked: None,
            aliases: Vec::new(),
            legacy: false,
            pack: crate::bank::PackId::from_file_stem("test"),
            source: Default::default(),
        };
        for width in [Some(30), Some(80), None] {
            let table = questions(&[&q], width);
            assert_eq!(table.lines().count(), 3, "{table}");
        }
        assert!(questions(&[&q], None).contains("What is a subnet? Say where it lives."));
    }
}
