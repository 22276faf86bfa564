//! A question as the store keeps an imported one: its content as JSON. The bank writes and
//! reads it; the store only holds the text. The pack comes from the row, not the JSON.

use serde::{Deserialize, Serialize};

use super::{Level, PackId, Question};

/// The stored form: every field of a question but where it came from.
#[derive(Serialize, Deserialize)]
struct Stored {
    id: String,
    level: Level,
    topic: String,
    #[serde(default)]
    tags: Vec<String>,
    prompt: String,
    look_fors: Vec<String>,
    pass: usize,
    #[serde(default)]
    bonus: Vec<String>,
    #[serde(default)]
    red_flags: Vec<String>,
    #[serde(default)]
    follow_ups: Vec<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    facts: Vec<String>,
    #[serde(default)]
    facts_checked: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    /// Written with `answer` rather than `look_fors`, so an export writes it back that way.
    #[serde(default)]
    legacy: bool,
}

/// Where imported questions say they came from, in diagnostics.
pub const IMPORTED_SOURCE: &str = "(imported)";

impl Question {
    /// The question's content as the store keeps it.
    pub fn to_stored_json(&self) -> String {
        let stored = Stored {
            id: self.id.clone(),
            level: self.level,
            topic: self.topic.clone(),
            tags: self.tags.clone(),
            prompt: self.prompt.clone(),
            look_fors: self.look_fors.clone(),
            pass: self.pass,
            bonus: self.bonus.clone(),
            red_flags: self.red_flags.clone(),
            follow_ups: self.follow_ups.clone(),
            detail: self.detail.clone(),
            facts: self.facts.clone(),
            facts_checked: self.facts_checked.clone(),
            aliases: self.aliases.clone(),
            legacy: self.legacy,
        };
        // Strings, numbers and lists only: serialising cannot fail.
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// A question of `pack` from what [`Question::to_stored_json`] wrote.
    pub fn from_stored_json(json: &str, pack: PackId) -> Result<Question, serde_json::Error> {
        let s: Stored = serde_json::from_str(json)?;
        Ok(Question {
            id: s.id,
            level: s.level,
            topic: s.topic,
            tags: s.tags,
            prompt: s.prompt,
            look_fors: s.look_fors,
            pass: s.pass,
            bonus: s.bonus,
            red_flags: s.red_flags,
            follow_ups: s.follow_ups,
            detail: s.detail,
            facts: s.facts,
            facts_checked: s.facts_checked,
            aliases: s.aliases,
            legacy: s.legacy,
            pack,
            source: IMPORTED_SOURCE.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_comes_back_as_it_went_in() {
        let bank = crate::bank::load_named(crate::bank::BUILTIN_PACKS).unwrap();
        for q in bank.all() {
            let back = Question::from_stored_json(&q.to_stored_json(), q.pack.clone()).unwrap();
            assert_eq!(back.source, std::path::Path::new(IMPORTED_SOURCE));
            assert_eq!(
                Question {
                    source: back.source.clone(),
                    ..q.clone()
                },
                back
            );
        }
        assert!(Question::from_stored_json("{\"id\":1}", PackId::parse("x").unwrap()).is_err());
    }
}
