//! Presentation more than one feature uses: colours, the question card, button labels, level
//! choices.

use crate::bank::Level;

use crate::text::truncate;

use super::command::ChoiceSpec;
use super::effect::Card;

/// The bot's own colour (Discord's blurple), for messages that belong to no level.
pub const BOT_COLOUR: u32 = 0x5865F2;

/// The card colour of a level: junior green, mid amber, senior red.
pub fn level_colour(level: Level) -> u32 {
    match level {
        Level::Junior => 0x3BA55C,
        Level::Mid => 0xF0B232,
        Level::Senior => 0xED4245,
    }
}

/// A question as a card for everyone to see: the title (level and topic, shortened to
/// Discord's 256 characters), the prompt, the level's colour, and a footer that starts with
/// the question's id.
pub fn question_card(title: &str, prompt: &str, level: Level, footer: String) -> Card {
    Card {
        title: Some(truncate(title, 256)),
        description: Some(prompt.to_string()),
        colour: Some(level_colour(level)),
        footer: Some(footer),
        ..Card::default()
    }
}

/// The "Model answer" button: it says that only the presser sees the rubric.
pub const MODEL_ANSWER_LABEL: &str = "🔒 Model answer (only you)";
/// The same button where rubrics are for interviewers only (`/config rubric-access`).
pub const MODEL_ANSWER_LIMITED_LABEL: &str = "🔒 Model answer (interviewers only)";
/// The levels as option choices.
pub const LEVEL_CHOICES: &[ChoiceSpec] = &[
    ChoiceSpec {
        name: "Junior (0-2 years)",
        value: "junior",
    },
    ChoiceSpec {
        name: "Mid-level (2-5 years)",
        value: "mid",
    },
    ChoiceSpec {
        name: "Senior (5+ years)",
        value: "senior",
    },
];

/// The rating scale: value, name, anchor.
pub const SCALE: [(u8, &str, &str); 4] = [
    (1, "Strong no", "red flags shown or most look-fors missed"),
    (2, "No", "fewer look-fors than the question's pass rule"),
    (3, "Yes", "meets the question's pass rule"),
    (
        4,
        "Strong yes",
        "every look-for, with the depth a strong yes adds",
    ),
];

/// The scale as option choices, anchors included.
pub const RATING_CHOICES: &[ChoiceSpec] = &[
    ChoiceSpec {
        name: "1 Strong no: red flags shown or most look-fors missed",
        value: "1",
    },
    ChoiceSpec {
        name: "2 No: fewer look-fors than the question's pass rule",
        value: "2",
    },
    ChoiceSpec {
        name: "3 Yes: meets the question's pass rule",
        value: "3",
    },
    ChoiceSpec {
        name: "4 Strong yes: every look-for, with the depth a strong yes adds",
        value: "4",
    },
];

/// "3 Yes".
pub fn rating_label(rating: u8) -> String {
    SCALE
        .iter()
        .find(|(v, _, _)| *v == rating)
        .map_or_else(|| rating.to_string(), |(v, n, _)| format!("{v} {n}"))
}

/// The scale with its anchors, one line each, for the rubric, `/help` and the README.
pub fn scale_text() -> String {
    SCALE
        .iter()
        .map(|(v, n, a)| format!("**{v} {n}**: {a}"))
        .collect::<Vec<_>>()
        .join("\n")
}
