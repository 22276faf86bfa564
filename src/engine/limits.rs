//! Discord's message limits, checked on engine replies. The engine builds replies that respect
//! them; this check is the guard that proves it (in tests) and catches regressions (in the
//! Discord front end, which logs any violation before sending).

use super::effect::{Effect, Message, Modal, Outcome};
use super::{Choice, MAX_ACTION_LEN, MAX_CHOICES};

pub const CONTENT_MAX: usize = 2000;
pub const EMBEDS_MAX: usize = 10;
pub const TITLE_MAX: usize = 256;
pub const DESCRIPTION_MAX: usize = 4096;
pub const FIELDS_MAX: usize = 25;
pub const FIELD_NAME_MAX: usize = 256;
pub const FIELD_VALUE_MAX: usize = 1024;
pub const FOOTER_MAX: usize = 2048;
pub const EMBED_TOTAL_MAX: usize = 6000;
pub const BUTTONS_MAX: usize = 25;
pub const BUTTON_LABEL_MAX: usize = 80;
pub const CHOICE_TEXT_MAX: usize = 100;
pub const MODAL_TITLE_MAX: usize = 45;
pub const MODAL_INPUTS_MAX: usize = 5;
pub const INPUT_LABEL_MAX: usize = 45;
pub const INPUT_VALUE_MAX: usize = 4000;
pub const THREAD_NAME_MAX: usize = 100;
/// Rows of components per message: each select takes one, buttons five to a row.
pub const ROWS_MAX: usize = 5;
pub const BUTTONS_PER_ROW: usize = 5;
pub const SELECT_OPTIONS_MAX: usize = 25;
pub const SELECT_PLACEHOLDER_MAX: usize = 150;

fn over(what: &str, text: &str, max: usize, out: &mut Vec<String>) {
    let n = text.chars().count();
    if n > max {
        out.push(format!("{what} has {n} characters (max {max})"));
    }
}

/// Records `n things (max max)` when there are more than `max`.
fn too_many(things: &str, n: usize, max: usize, out: &mut Vec<String>) {
    if n > max {
        out.push(format!("{n} {things} (max {max})"));
    }
}

/// Every way an outcome's effects break Discord's limits; empty when they fit.
pub fn check_outcome(outcome: &Outcome) -> Vec<String> {
    let mut v = Vec::new();
    for (i, effect) in outcome.effects.iter().enumerate() {
        let found = match effect {
            Effect::OpenModal(modal) => check_modal(modal),
            Effect::Thread { name, message, .. } => {
                let mut found = check_message(message);
                over("thread name", name, THREAD_NAME_MAX, &mut found);
                found
            }
            other => other.message().map(check_message).unwrap_or_default(),
        };
        v.extend(found.into_iter().map(|p| format!("effect {i}: {p}")));
    }
    v
}

/// Every way a modal breaks Discord's limits.
pub fn check_modal(modal: &Modal) -> Vec<String> {
    let mut v = Vec::new();
    over("modal title", &modal.title, MODAL_TITLE_MAX, &mut v);
    over("modal action id", &modal.action, MAX_ACTION_LEN, &mut v);
    if modal.inputs.is_empty() || modal.inputs.len() > MODAL_INPUTS_MAX {
        v.push(format!(
            "{} text inputs (1 to {MODAL_INPUTS_MAX})",
            modal.inputs.len()
        ));
    }
    for input in &modal.inputs {
        over("input label", &input.label, INPUT_LABEL_MAX, &mut v);
        over("input id", &input.id, MAX_ACTION_LEN, &mut v);
        if usize::from(input.max_len) > INPUT_VALUE_MAX || input.max_len == 0 {
            v.push(format!(
                "input max length {} (1 to {INPUT_VALUE_MAX})",
                input.max_len
            ));
        }
        if let Some(value) = &input.value {
            over("input value", value, usize::from(input.max_len), &mut v);
        }
    }
    v
}

/// Every way a message breaks Discord's limits; empty when it fits.
pub fn check_message(reply: &Message) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(c) = &reply.content {
        over("content", c, CONTENT_MAX, &mut v);
    }
    too_many("embeds", reply.cards.len(), EMBEDS_MAX, &mut v);
    let mut total = 0;
    for (i, card) in reply.cards.iter().enumerate() {
        if let Some(t) = &card.title {
            over(&format!("embed {i} title"), t, TITLE_MAX, &mut v);
        }
        if let Some(d) = &card.description {
            over(
                &format!("embed {i} description"),
                d,
                DESCRIPTION_MAX,
                &mut v,
            );
        }
        if let Some(f) = &card.footer {
            over(&format!("embed {i} footer"), f, FOOTER_MAX, &mut v);
        }
        if card.fields.len() > FIELDS_MAX {
            v.push(format!(
                "embed {i} has {} fields (max {FIELDS_MAX})",
                card.fields.len()
            ));
        }
        for (j, f) in card.fields.iter().enumerate() {
            over(
                &format!("embed {i} field {j} name"),
                &f.name,
                FIELD_NAME_MAX,
                &mut v,
            );
            over(
                &format!("embed {i} field {j} value"),
                &f.value,
                FIELD_VALUE_MAX,
                &mut v,
            );
            if f.name.trim().is_empty() || f.value.trim().is_empty() {
                v.push(format!("embed {i} field {j} is empty"));
            }
        }
        total += card.text_len();
    }
    if total > EMBED_TOTAL_MAX {
        v.push(format!(
            "embeds hold {total} characters (max {EMBED_TOTAL_MAX})"
        ));
    }
    too_many("buttons", reply.buttons.len(), BUTTONS_MAX, &mut v);
    for b in &reply.buttons {
        over("button label", &b.label, BUTTON_LABEL_MAX, &mut v);
        over("button action id", &b.action, MAX_ACTION_LEN, &mut v);
    }
    let rows = reply.selects.len() + reply.buttons.len().div_ceil(BUTTONS_PER_ROW);
    too_many("rows of components", rows, ROWS_MAX, &mut v);
    for (i, s) in reply.selects.iter().enumerate() {
        over(
            &format!("select {i} action id"),
            &s.action,
            MAX_ACTION_LEN,
            &mut v,
        );
        over(
            &format!("select {i} placeholder"),
            &s.placeholder,
            SELECT_PLACEHOLDER_MAX,
            &mut v,
        );
        let n = s.options.len();
        if n == 0 || n > SELECT_OPTIONS_MAX {
            v.push(format!(
                "select {i} has {n} options (1 to {SELECT_OPTIONS_MAX})"
            ));
        }
        if s.min > s.max || s.max == 0 || usize::from(s.max) > n {
            v.push(format!(
                "select {i} allows {} to {} of {n} options",
                s.min, s.max
            ));
        }
        let mut values = std::collections::HashSet::new();
        for o in &s.options {
            over(
                &format!("select {i} option label"),
                &o.label,
                CHOICE_TEXT_MAX,
                &mut v,
            );
            over(
                &format!("select {i} option value"),
                &o.value,
                CHOICE_TEXT_MAX,
                &mut v,
            );
            if let Some(d) = &o.description {
                over(
                    &format!("select {i} option description"),
                    d,
                    CHOICE_TEXT_MAX,
                    &mut v,
                );
            }
            if o.label.is_empty() || o.value.is_empty() || !values.insert(&o.value) {
                v.push(format!("select {i} has an empty or repeated option"));
            }
        }
    }
    v
}

/// Every way a list of autocomplete choices breaks Discord's limits.
pub fn check_choices(choices: &[Choice]) -> Vec<String> {
    let mut v = Vec::new();
    too_many("choices", choices.len(), MAX_CHOICES, &mut v);
    for c in choices {
        over("choice name", &c.name, CHOICE_TEXT_MAX, &mut v);
        over("choice value", &c.value, CHOICE_TEXT_MAX, &mut v);
    }
    v
}
