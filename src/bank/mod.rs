//! The question bank: every TOML pack under the questions folder, loaded and validated once at
//! start. Read-only afterwards, so it is shared freely between threads.

mod export;
mod load;
mod stored;
mod upload;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

pub use crate::model::PackId;
pub use export::pack_to_toml;
pub use load::{
    BankError, MAX_PACK_DESCRIPTION_CHARS, MAX_PACK_NAME_CHARS, Problem, load_dir, load_named,
    load_str,
};
pub use stored::IMPORTED_SOURCE;
pub use upload::{
    MAX_UPLOAD_BYTES, MAX_UPLOAD_QUESTIONS, Place, UploadFormat, UploadProblem, check_upload,
};

/// The levels are part of the model (below the bank, the engine and the store).
pub use crate::model::Level;

/// Where packs are looked for when `QUESTIONS_DIR` is not set.
pub const DEFAULT_DIR: &str = "data/questions";

/// The packs shipped in `data/questions/`, compiled into the binary so that it works from any
/// directory. A test checks that every shipped pack is listed here.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    (
        "aws-junior.toml",
        include_str!("../../data/questions/aws-junior.toml"),
    ),
    (
        "aws-mid.toml",
        include_str!("../../data/questions/aws-mid.toml"),
    ),
    (
        "aws-senior.toml",
        include_str!("../../data/questions/aws-senior.toml"),
    ),
    (
        "topics.toml",
        include_str!("../../data/questions/topics.toml"),
    ),
];

/// Longest text accepted for one answer or bonus point, red flag or follow-up: one Discord embed field
/// holds 1024 characters and the bullet prefix needs a few.
pub const MAX_ITEM_CHARS: usize = 1000;
/// Longest prompt: it becomes an embed description and is echoed in plain-text front ends.
pub const MAX_PROMPT_CHARS: usize = 1000;
/// All of a question's rubric text together must fit in one embed (6000 characters in total).
pub const MAX_RUBRIC_CHARS: usize = 4000;
/// A look-for, and a red flag written with look-fors: Discord's select-option label holds 100
/// characters, and the evidence selects list them.
pub const MAX_LOOK_FOR_CHARS: usize = 100;
/// How many look-fors a question has: few enough to tick while listening.
pub const LOOK_FORS: std::ops::RangeInclusive<usize> = 3..=6;
/// The optional `detail`, and one `facts` entry.
pub const MAX_DETAIL_CHARS: usize = 1500;
pub const MAX_FACT_CHARS: usize = 300;
/// `detail` and `facts` together: the second section of the rubric card.
pub const MAX_MORE_CHARS: usize = 3000;
/// The prompt, rubric, detail and facts together: one message's embeds hold 6000 characters,
/// and the headings, title and footer need some.
pub const MAX_CARD_CHARS: usize = 5400;
/// Ids, topics and tags are short slugs (a button's custom id holds at most 100 characters).
pub const MAX_SLUG_CHARS: usize = 64;

/// One interview question with its rubric.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Question {
    pub id: String,
    pub level: Level,
    pub topic: String,
    pub tags: Vec<String>,
    pub prompt: String,
    /// What an interviewer listens for: single ideas a candidate says or shows, each at most
    /// [`MAX_LOOK_FOR_CHARS`]. A pack in the older format gives them as `answer`.
    pub look_fors: Vec<String>,
    /// How many look-fors make a yes at the question's level (all, unless the pack says).
    pub pass: usize,
    /// Depth beyond the must-cover points: what earns a "strong yes".
    pub bonus: Vec<String>,
    pub red_flags: Vec<String>,
    pub follow_ups: Vec<String>,
    /// The longer explanation, for interviewers who want it (not part of the bar).
    pub detail: Option<String>,
    /// Volatile numbers and product news: they inform, they are not pass criteria.
    pub facts: Vec<String>,
    /// When `facts` were last checked (`YYYY-MM-DD`).
    pub facts_checked: Option<String>,
    /// The ids it had before a rename: [`Bank::get`] finds it by them too.
    pub aliases: Vec<String>,
    /// Written in the older format (`answer` for the look-fors): `bank check` says how to move.
    #[serde(skip)]
    pub legacy: bool,
    /// The pack it belongs to: its file's `[pack] id`, else one made from the file's name.
    #[serde(skip)]
    pub pack: PackId,
    /// The pack file the question came from (for diagnostics).
    #[serde(skip)]
    pub source: PathBuf,
}

/// A pack as its files' `[pack]` tables describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackInfo {
    pub id: PackId,
    pub name: Option<String>,
    pub description: Option<String>,
}

impl PackInfo {
    /// The pack's name, else its id.
    pub fn title(&self) -> &str {
        self.name.as_deref().unwrap_or(self.id.as_str())
    }
}

/// How many questions of these `levels` there are, and how many at each level: "junior 45,
/// mid 52, senior 47".
pub fn per_level(levels: impl IntoIterator<Item = Level>) -> (usize, String) {
    let mut per: BTreeMap<Level, usize> = BTreeMap::new();
    for l in levels {
        *per.entry(l).or_insert(0) += 1;
    }
    let text: Vec<String> = Level::ALL
        .iter()
        .map(|l| format!("{l} {}", per.get(l).copied().unwrap_or(0)))
        .collect();
    (per.values().sum(), text.join(", "))
}

/// All loaded questions, indexed by id.
#[derive(Debug, Default)]
pub struct Bank {
    questions: Vec<Question>,
    by_id: HashMap<String, usize>,
    topics: BTreeSet<String>,
    /// Readable names from the packs' `[topics]` tables.
    topic_names: HashMap<String, String>,
    /// Every pack that has questions, by id.
    packs: BTreeMap<PackId, PackInfo>,
}

impl Bank {
    /// Builds a bank from questions already validated (ids unique).
    fn from_questions(
        mut questions: Vec<Question>,
        topic_names: HashMap<String, String>,
        packs: BTreeMap<PackId, PackInfo>,
    ) -> Bank {
        questions.sort_by(|a, b| (a.level, &a.topic, &a.id).cmp(&(b.level, &b.topic, &b.id)));
        // A question is found by its id and by the ids it had before (the loader keeps them
        // apart from every other id).
        let by_id = questions
            .iter()
            .enumerate()
            .flat_map(|(i, q)| {
                std::iter::once(q.id.clone())
                    .chain(q.aliases.iter().cloned())
                    .map(move |id| (id, i))
            })
            .collect();
        let topics = questions.iter().map(|q| q.topic.clone()).collect();
        Bank {
            questions,
            by_id,
            topics,
            topic_names,
            packs,
        }
    }

    /// A bank of one pack from questions already checked: an imported pack read back from
    /// the store, for export and comparison.
    pub fn of_one_pack(
        info: PackInfo,
        questions: Vec<Question>,
        topic_names: HashMap<String, String>,
    ) -> Bank {
        let packs = BTreeMap::from([(info.id.clone(), info)]);
        Bank::from_questions(questions, topic_names, packs)
    }

    /// The packs, in id order.
    pub fn packs(&self) -> impl Iterator<Item = &PackInfo> {
        self.packs.values()
    }

    /// The pack with this id.
    pub fn pack(&self, id: &PackId) -> Option<&PackInfo> {
        self.packs.get(id)
    }

    /// The topics' readable names as declared in `[topics]` tables, for export.
    pub fn declared_topic_names(&self) -> &HashMap<String, String> {
        &self.topic_names
    }

    /// Loads and validates every `*.toml` pack in `dir`.
    pub fn load(dir: &Path) -> Result<Bank, BankError> {
        load_dir(dir)
    }

    /// Loads the configured folder; with none configured, `data/questions` in the working
    /// directory if it exists, else the packs built into the binary. Also says which it used.
    pub fn load_configured(dir: Option<&Path>) -> Result<(Bank, String), BankError> {
        let dir = dir.map(Path::to_path_buf).or_else(|| {
            let default = PathBuf::from(DEFAULT_DIR);
            default.is_dir().then_some(default)
        });
        match dir {
            Some(d) => Ok((load_dir(&d)?, d.display().to_string())),
            None => Ok((load_named(BUILTIN_PACKS)?, "built-in packs".to_string())),
        }
    }

    pub fn len(&self) -> usize {
        self.questions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    pub fn all(&self) -> &[Question] {
        &self.questions
    }

    /// The question with this id, or that had it before a rename (its `aliases`).
    pub fn get(&self, id: &str) -> Option<&Question> {
        self.by_id.get(id).map(|&i| &self.questions[i])
    }

    /// Topic slugs in alphabetical order.
    pub fn topics(&self) -> impl Iterator<Item = &str> {
        self.topics.iter().map(String::as_str)
    }

    /// A topic's readable name, as a pack's `[topics]` table declares it ("Infrastructure as
    /// code" for `iac`); else the slug made readable ("Multi account").
    pub fn topic_name(&self, topic: &str) -> String {
        if let Some(name) = self.topic_names.get(topic) {
            return name.clone();
        }
        let spaced = topic.replace('-', " ");
        let mut chars = spaced.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    pub fn has_topic(&self, topic: &str) -> bool {
        self.topics.contains(topic)
    }

    /// Questions matching the optional level and topic, in bank order.
    pub fn filter<'a, 'b>(
        &'a self,
        level: Option<Level>,
        topic: Option<&'b str>,
    ) -> impl Iterator<Item = &'a Question> + 'b
    where
        'a: 'b,
    {
        self.questions.iter().filter(move |q| {
            level.is_none_or(|l| q.level == l) && topic.is_none_or(|t| q.topic == t)
        })
    }

    /// Questions per topic, for summaries (per level: [`per_level`]).
    pub fn topic_counts(&self) -> BTreeMap<&str, usize> {
        let mut topics = BTreeMap::new();
        for q in &self.questions {
            *topics.entry(q.topic.as_str()).or_insert(0) += 1;
        }
        topics
    }

    /// A one-line summary: "72 questions (junior 24, mid 24, senior 24) in 13 topics: ...".
    pub fn summary(&self) -> String {
        let topics = self.topic_counts();
        let (count, levels) = per_level(self.questions.iter().map(|q| q.level));
        let topics: Vec<String> = topics.iter().map(|(t, n)| format!("{t} {n}")).collect();
        format!(
            "{count} questions ({levels}) in {} topics: {}",
            self.topics.len(),
            topics.join(", ")
        )
    }

    /// The questions of one pack, in bank order.
    pub fn of_pack<'a>(&'a self, id: &'a PackId) -> impl Iterator<Item = &'a Question> + 'a {
        self.questions.iter().filter(move |q| &q.pack == id)
    }

    /// How to move questions still written in the older format (`answer`), if any: for
    /// `bank check`, which loads them all the same.
    pub fn legacy_note(&self) -> Option<String> {
        let legacy: Vec<&Question> = self.questions.iter().filter(|q| q.legacy).collect();
        let first = legacy.first()?;
        Some(format!(
            "note: {} question{} (the first `{}` in {}) use the older `answer` list, where every entry is needed for a yes. To move one, rename `answer` to `look_fors` with {} to {} single ideas of at most {MAX_LOOK_FOR_CHARS} characters each, add `pass` (how many make a yes; all if left out), keep red flags under {MAX_LOOK_FOR_CHARS} characters, and move longer explanation to `detail` and volatile numbers to `facts` with `facts_checked` (README, Question packs).",
            legacy.len(),
            if legacy.len() == 1 { "" } else { "s" },
            first.id,
            first.source.display(),
            LOOK_FORS.start(),
            LOOK_FORS.end(),
        ))
    }

    /// Question ids ranked for a partial input: exact id, id prefix, id substring, then words of
    /// the prompt, topic or tags. Best first, at most `limit`.
    pub fn search(&self, input: &str, limit: usize) -> Vec<&Question> {
        let needle = input.trim().to_lowercase();
        if needle.is_empty() {
            return self.questions.iter().take(limit).collect();
        }
        // Typing the start of an id offers the ids that start so, and nothing looser:
        // `aws-s3` must not offer `aws-secrets-config`.
        let by_prefix: Vec<&Question> = self
            .questions
            .iter()
            .filter(|q| q.id.starts_with(&needle))
            .collect();
        if !by_prefix.is_empty() {
            let mut by_prefix = by_prefix;
            by_prefix.sort_by_key(|q| (q.id != needle, q.id.len(), q.id.clone()));
            by_prefix.truncate(limit);
            return by_prefix;
        }
        let words: Vec<&str> = needle
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let mut scored: Vec<(u32, &Question)> = self
            .questions
            .iter()
            .filter_map(|q| {
                let score = {
                    let hay = format!("{} {} {} {}", q.id, q.prompt, q.topic, q.tags.join(" "))
                        .to_lowercase();
                    // A word counts when it starts a word of the question (not anywhere inside).
                    let tokens: Vec<&str> = hay
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|t| !t.is_empty())
                        .collect();
                    let hits = words
                        .iter()
                        .filter(|w| tokens.iter().any(|t| t.starts_with(*w)))
                        .count() as u32;
                    // Among partial matches, a longer shared start with the id ranks higher,
                    // so a mistyped id suggests its intended neighbour first.
                    let shared =
                        q.id.bytes()
                            .zip(needle.bytes())
                            .take_while(|(a, b)| a == b)
                            .count()
                            .min(19) as u32;
                    if hits as usize == words.len() {
                        400 + hits
                    } else if hits > 0 {
                        100 + hits * 20 + shared
                    } else {
                        return None;
                    }
                };
                Some((score, q))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        scored.into_iter().take(limit).map(|(_, q)| q).collect()
    }

    /// Ids close to a mistyped one, for "did you mean" hints.
    pub fn suggest(&self, input: &str, limit: usize) -> Vec<&str> {
        self.search(input, limit)
            .into_iter()
            .map(|q| q.id.as_str())
            .collect()
    }
}
