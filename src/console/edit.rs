//! Line editing for a person at the console: arrows, history (kept in a file), Ctrl-R, and
//! Tab completion of commands, option names and values from the same declarations as
//! Discord's autocomplete.

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use crate::engine::{
    AutocompleteRequest, Engine, Member, OptionKind, OptionSpec, RawOption, Resolved,
};

use super::{CONSOLE_CHANNEL, CONSOLE_GUILD};

/// Completes console lines.
pub struct LineHelper {
    engine: Engine,
    member: Option<Member>,
    /// The console's channel, role and users, for options that take one.
    directory: Resolved,
}

impl LineHelper {
    pub fn new(engine: Engine) -> LineHelper {
        LineHelper {
            engine,
            member: None,
            directory: Resolved::default(),
        }
    }

    /// Completes channel, role and user options from `directory` (`#console`, ...).
    pub fn with_directory(mut self, directory: Resolved) -> LineHelper {
        self.directory = directory;
        self
    }

    /// Completes as `member` would see it (candidate names need an interviewer).
    pub fn with_member(mut self, member: Member) -> LineHelper {
        self.member = Some(member);
        self
    }

    /// Suggestions for the word before `pos`: (where it starts, candidates).
    pub fn suggest(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let before = &line[..pos.min(line.len())];
        let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = &before[start..];
        let head = before[..start].trim();
        let pairs = |items: Vec<(String, String)>| -> Vec<Pair> {
            items
                .into_iter()
                // A stored value (a candidate's name, a topic) may hold escape sequences:
                // rustyline writes both to the terminal as they are.
                .map(|(display, replacement)| Pair {
                    display: super::render::safe(&display),
                    replacement: super::render::safe(&replacement),
                })
                .collect()
        };
        // The command itself (or a subcommand after a group's name): the longest run of
        // leading words that names a command.
        let head_words: Vec<&str> = head.trim_start_matches('/').split_whitespace().collect();
        let leaf = (1..=head_words.len())
            .rev()
            .find_map(|n| self.engine.registry().find(&head_words[..n].join(" ")));
        let typed_path = head_words.join(" ");
        let typed_path = typed_path.as_str();
        if leaf.is_none() {
            let prefix = if head.is_empty() {
                word.trim_start_matches('/').to_string()
            } else {
                format!("{typed_path} {word}")
            };
            let mut found: Vec<(String, String)> = self
                .engine
                .registry()
                .leaves()
                .iter()
                .map(|l| l.path())
                .filter(|p| p.starts_with(&prefix))
                .map(|p| {
                    // Complete one word at a time: `/daily` before `set`.
                    let done = if head.is_empty() {
                        0
                    } else {
                        typed_path.len() + 1
                    };
                    let next = p[done..].split(' ').next().unwrap_or("").to_string();
                    let replacement = if head.is_empty() {
                        format!("/{next} ")
                    } else {
                        format!("{next} ")
                    };
                    (replacement.trim_end().to_string(), replacement)
                })
                .collect();
            found.sort();
            found.dedup();
            return (start, pairs(found));
        }
        let Some(leaf) = leaf else {
            return (start, Vec::new());
        };
        // What was given before this word: `name:value` words, and plain values in the order
        // the command declares its options (`/recommend Ada st`: Ada is the candidate, so
        // `st` starts the recommendation).
        let path_len = leaf.path().split(' ').count();
        let mut given: Vec<RawOption> = line
            .split_whitespace()
            .filter_map(|w| w.split_once(':'))
            .filter(|(k, _)| leaf.spec.option(k).is_some())
            .map(|(k, v)| RawOption::text(k, v))
            .collect();
        let positional: Vec<&str> = head_words
            .iter()
            .skip(path_len)
            .copied()
            .filter(|w| {
                w.split_once(':')
                    .is_none_or(|(k, _)| leaf.spec.option(k).is_none())
            })
            .collect();
        let free: Vec<&OptionSpec> = leaf
            .spec
            .options
            .iter()
            .filter(|o| !given.iter().any(|g| g.name == o.name))
            .collect();
        for (slot, value) in free.iter().zip(&positional) {
            given.push(RawOption::text(slot.name, value));
        }
        let path = leaf.path();
        // `name:partial`: the option's values.
        if let Some((name, partial)) = word.split_once(':') {
            let Some(option) = leaf.spec.option(name) else {
                return (start, Vec::new());
            };
            let values = self.values(&path, option, partial, &given);
            let items = values
                .into_iter()
                .map(|(label, v)| (label, format!("{name}:{v} ")))
                .collect();
            return (start, pairs(items));
        }
        // Option names not given yet, then values for the next free option.
        let mut items: Vec<(String, String)> = leaf
            .spec
            .options
            .iter()
            .filter(|o| o.name.starts_with(word))
            .filter(|o| !given.iter().any(|g| g.name == o.name))
            .map(|o| (format!("{}:", o.name), format!("{}:", o.name)))
            .collect();
        if let Some(next) = leaf
            .spec
            .options
            .iter()
            .find(|o| !given.iter().any(|g| g.name == o.name))
        {
            items.extend(
                self.values(&path, next, word, &given)
                    .into_iter()
                    .map(|(label, v)| (label, format!("{v} "))),
            );
        }
        (start, pairs(items))
    }

    /// Values for an option: its choices, or what the engine's autocomplete suggests.
    fn values(
        &self,
        path: &str,
        option: &OptionSpec,
        partial: &str,
        given: &[RawOption],
    ) -> Vec<(String, String)> {
        let known = |names: Vec<&String>, sigil: char| -> Vec<(String, String)> {
            let mut found: Vec<(String, String)> = names
                .into_iter()
                .map(|n| format!("{sigil}{n}"))
                .filter(|n| n.to_lowercase().starts_with(&partial.to_lowercase()))
                .map(|n| (n.clone(), n))
                .collect();
            found.sort();
            found
        };
        match option.kind {
            OptionKind::Channel { .. } => {
                return known(
                    self.directory.channels.values().map(|c| &c.name).collect(),
                    '#',
                );
            }
            OptionKind::Role => {
                return known(
                    self.directory.roles.values().map(|r| &r.name).collect(),
                    '@',
                );
            }
            OptionKind::User => {
                return known(
                    self.directory.users.values().map(|u| &u.name).collect(),
                    '@',
                );
            }
            _ => {}
        }
        if !option.choices.is_empty() {
            return option
                .choices
                .iter()
                .filter(|c| c.value.starts_with(&partial.to_lowercase()))
                .map(|c| (format!("{} ({})", c.value, c.name), c.value.to_string()))
                .collect();
        }
        if option.kind == OptionKind::Boolean {
            return ["true", "false"]
                .iter()
                .filter(|v| v.starts_with(partial))
                .map(|v| (v.to_string(), v.to_string()))
                .collect();
        }
        if option.completion.is_none() {
            return Vec::new();
        }
        self.engine
            .autocomplete(&AutocompleteRequest {
                guild_id: CONSOLE_GUILD,
                channel_id: CONSOLE_CHANNEL,
                command: path.to_string(),
                option: option.name.to_string(),
                partial: partial.to_string(),
                options: given.to_vec(),
                member: self.member.clone(),
            })
            .into_iter()
            .map(|c| (format!("{} · {}", c.value, c.name), c.value))
            .collect()
    }
}

impl Completer for LineHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        Ok(self.suggest(line, pos))
    }
}

impl Hinter for LineHelper {
    type Hint = String;
}

impl Highlighter for LineHelper {}

impl Validator for LineHelper {}

impl Helper for LineHelper {}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::bank::Bank;
    use crate::clock::ManualClock;
    use crate::store::Store;

    fn helper() -> LineHelper {
        let bank = Bank::load_configured(None).unwrap().0;
        LineHelper::new(Engine::new(
            Arc::new(bank),
            Store::open_in_memory().unwrap(),
            Arc::new(ManualClock::new(0)),
        ))
    }

    fn replacements(line: &str) -> Vec<String> {
        helper()
            .suggest(line, line.len())
            .1
            .into_iter()
            .map(|p| p.replacement)
            .collect()
    }

    #[test]
    fn commands_options_and_values_complete() {
        assert_eq!(replacements("/qu"), ["/question "]);
        assert!(replacements("/").contains(&"/help ".to_string()));
        let after = replacements("/question ");
        assert!(after.contains(&"level:".to_string()) && after.contains(&"senior ".to_string()));
        assert_eq!(replacements("/question level:s"), ["level:senior "]);
        let topics = replacements("/question senior topic:net");
        assert_eq!(topics, ["topic:networking "]);
        let ids = replacements("/answer id:aws-s3");
        assert!(
            !ids.is_empty() && ids.iter().all(|r| r.starts_with("id:aws-s3")),
            "{ids:?}"
        );
        assert_eq!(
            replacements("/answer id:aws-s3-basics public:t"),
            ["public:true "]
        );
    }

    #[test]
    fn values_given_in_order_move_completion_to_the_next_option() {
        // The level is given: not `level:` again, but the topic's values.
        let after = replacements("/question senior ");
        assert!(!after.contains(&"level:".to_string()), "{after:?}");
        assert!(after.contains(&"networking ".to_string()), "{after:?}");
        // The candidate is given: the recommendation's choices, by their start.
        let mut rec = replacements("/recommend Ada st");
        rec.sort();
        assert_eq!(rec, ["strong-no ", "strong-yes "]);
        assert!(replacements("/recommend Ada ").contains(&"no-decision ".to_string()));
    }

    #[test]
    fn channels_roles_and_users_complete_from_the_consoles_directory() {
        let console = crate::console::directory_for_tests();
        let h = helper().with_directory(console);
        let got = |line: &str| -> Vec<String> {
            h.suggest(line, line.len())
                .1
                .into_iter()
                .map(|p| p.replacement)
                .collect()
        };
        assert_eq!(got("/daily set channel:#c"), ["channel:#console "]);
        assert_eq!(got("/daily set #"), ["#console "]);
        assert_eq!(
            got("/config interviewer-role role:@i"),
            ["role:@interviewers "]
        );
    }
}
