//! Button action ids: the stable strings put on buttons and sent back when pressed. Formatting
//! and parsing live here together so they cannot drift apart.

use crate::bank::Level;

/// The longest custom id Discord accepts.
pub const MAX_ACTION_LEN: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Show the rubric of a question to whoever pressed.
    ModelAnswer { question_id: String },
    /// Post another question with the same filters.
    Another { level: Level, topic: Option<String> },
}

impl Action {
    pub fn to_id(&self) -> String {
        match self {
            Action::ModelAnswer { question_id } => format!("q:answer:{question_id}"),
            Action::Another { level, topic } => {
                format!("q:next:{level}:{}", topic.as_deref().unwrap_or(""))
            }
        }
    }

    /// A short name for logs, never echoing an unrecognised id: `button q:answer`.
    pub fn label(custom_id: &str) -> String {
        match Action::parse(custom_id) {
            Some(Action::ModelAnswer { .. }) => "button q:answer".into(),
            Some(Action::Another { .. }) => "button q:next".into(),
            None => "button (unknown)".into(),
        }
    }

    pub fn parse(id: &str) -> Option<Action> {
        if id.len() > MAX_ACTION_LEN {
            return None;
        }
        let mut parts = id.splitn(3, ':');
        match (parts.next()?, parts.next()?, parts.next()) {
            ("q", "answer", Some(qid)) if !qid.is_empty() => Some(Action::ModelAnswer {
                question_id: qid.to_string(),
            }),
            ("q", "next", Some(rest)) => {
                let (level, topic) = rest.split_once(':')?;
                Some(Action::Another {
                    level: Level::parse(level)?,
                    topic: (!topic.is_empty()).then(|| topic.to_string()),
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for a in [
            Action::ModelAnswer {
                question_id: "aws-s3-basics".into(),
            },
            Action::Another {
                level: Level::Mid,
                topic: Some("multi-account".into()),
            },
            Action::Another {
                level: Level::Senior,
                topic: None,
            },
        ] {
            assert_eq!(Action::parse(&a.to_id()), Some(a));
        }
        assert_eq!(Action::parse("q:next:expert:"), None);
        assert_eq!(Action::parse("q:answer:"), None);
        assert_eq!(Action::parse("zzz"), None);
        assert_eq!(Action::parse(&"q:answer:".repeat(20)), None);
    }
}
