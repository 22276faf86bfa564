//! Reading packs from disk and reporting every problem with `file:line`.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue, ValueDeserializer};

use crate::model::PackId;

use super::{
    Bank, LOOK_FORS, Level, MAX_CARD_CHARS, MAX_DETAIL_CHARS, MAX_FACT_CHARS, MAX_ITEM_CHARS,
    MAX_LOOK_FOR_CHARS, MAX_MORE_CHARS, MAX_PROMPT_CHARS, MAX_RUBRIC_CHARS, MAX_SLUG_CHARS,
    PackInfo, Question,
};

/// One thing wrong with a pack, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line number; 0 when the problem concerns the whole file or folder.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        }
    }
}

/// Why a bank could not be loaded: the complete list of problems found.
#[derive(Debug, thiserror::Error)]
#[error("the question bank has {} problem{}:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" }, report(.0))]
pub struct BankError(pub Vec<Problem>);

fn report(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The fields of a `[[question]]` table as written: each read on its own, so that one wrong
/// or unknown field does not hide the others; a field is `None` when missing or unreadable.
#[derive(Default)]
struct RawQuestion {
    id: Option<Spanned<String>>,
    level: Option<Spanned<String>>,
    topic: Option<Spanned<String>>,
    tags: Option<Vec<Spanned<String>>>,
    prompt: Option<Spanned<String>>,
    answer: Option<Spanned<Vec<Spanned<String>>>>,
    look_fors: Option<Spanned<Vec<Spanned<String>>>>,
    pass: Option<Spanned<i64>>,
    bonus: Option<Spanned<Vec<Spanned<String>>>>,
    red_flags: Option<Spanned<Vec<Spanned<String>>>>,
    follow_ups: Option<Spanned<Vec<Spanned<String>>>>,
    detail: Option<Spanned<String>>,
    facts: Option<Spanned<Vec<Spanned<String>>>>,
    facts_checked: Option<Spanned<toml::value::Datetime>>,
    aliases: Option<Vec<Spanned<String>>>,
}

/// The fields of a question, in the order a pack writes them.
const QUESTION_FIELDS: &[&str] = &[
    "id",
    "level",
    "topic",
    "tags",
    "prompt",
    "look_fors",
    "pass",
    "bonus",
    "red_flags",
    "follow_ups",
    "detail",
    "facts",
    "facts_checked",
    // Ids the question had before it was renamed: posted buttons, stored scores and daily
    // history that name them still find it.
    "aliases",
    // The older name of `look_fors` (every look-for needed for a yes).
    "answer",
];

/// Fields a question may leave out.
const OPTIONAL_FIELDS: &[&str] = &[
    "tags",
    "pass",
    "detail",
    "facts",
    "facts_checked",
    "aliases",
];

/// The fields of the optional `[pack]` table.
const PACK_FIELDS: &[&str] = &["id", "name", "description"];

/// Most tags on one question.
pub const MAX_TAGS: usize = 10;
/// Most ids a question may have had before (renames are rare; each is kept in memory).
pub const MAX_ALIASES: usize = 10;

/// Longest pack name and description (shown in `/pack list`).
pub const MAX_PACK_NAME_CHARS: usize = 80;
pub const MAX_PACK_DESCRIPTION_CHARS: usize = 300;

/// Loads every `*.toml` file directly inside `dir` (sorted by name), checks each question and
/// the ids across files, and returns the bank or every problem found.
pub fn load_dir(dir: &Path) -> Result<Bank, BankError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return Err(BankError(vec![Problem {
                file: dir.to_path_buf(),
                line: 0,
                message: format!("cannot read the questions folder: {e}"),
            }]));
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(BankError(vec![Problem {
            file: dir.to_path_buf(),
            line: 0,
            message: "no question packs (*.toml files) in this folder".into(),
        }]));
    }
    // Files are read and parsed on up to one thread per core, each text dropped once parsed,
    // then merged in name order, so the ids and problems come out as a sequential load's.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut parsed: Vec<(usize, Parsed)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(file) = files.get(i) else { break };
                        done.push((i, Parsed::read(file)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            // A parser panic is a bug; it is not hidden, and not turned into a user's problem.
            .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    parsed.sort_by_key(|(i, _)| *i);
    let mut loader = Loader::default();
    for ((_, p), file) in parsed.into_iter().zip(&files) {
        loader.merge(file, p);
    }
    loader.finish()
}

/// Loads packs given as (file name, text) pairs, such as the built-in ones.
pub fn load_named(packs: &[(&str, &str)]) -> Result<Bank, BankError> {
    let mut loader = Loader::default();
    for (name, text) in packs {
        let file = Path::new(name);
        loader.merge(file, Parsed::text(file, text));
    }
    loader.finish()
}

/// Loads one pack from text, as if it were the file `name`.
pub fn load_str(name: &str, text: &str) -> Result<Bank, BankError> {
    load_named(&[(name, text)])
}

/// Packs parsed so far, with every problem found; ids are checked across files as they come.
#[derive(Default)]
struct Loader {
    questions: Vec<Question>,
    problems: Vec<Problem>,
    names: Vec<TopicName>,
    /// id -> (file, line) of its first definition, valid or not
    seen: HashMap<String, (PathBuf, usize)>,
    /// The topics of every question found, valid or not.
    topics: std::collections::HashSet<String>,
    /// Every tag used so far, and where it was first used.
    tags: HashMap<String, (PathBuf, usize)>,
    /// Each tag's key, and each one-deletion variant of a key, to the tag that has it (for
    /// near-duplicates).
    tag_keys: HashMap<String, String>,
    tag_variants: HashMap<String, String>,
    /// Each pack with questions: its name and description as first given, and where.
    packs: std::collections::BTreeMap<PackId, (PackInfo, Option<(PathBuf, usize)>)>,
}

/// A key and every string one character shorter made from it.
fn deletion_variants(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    let mut out = vec![key.to_string()];
    for i in 0..chars.len() {
        out.push(chars[..i].iter().chain(&chars[i + 1..]).collect());
    }
    out
}

/// A tag as compared for near-duplicates: its words in order of their letters (so `rpo-rto`
/// is `rto-rpo`), each without a plural ending, joined without hyphens.
fn tag_key(tag: &str) -> String {
    let mut words: Vec<String> = tag
        .split('-')
        .map(|w| {
            if let Some(stem) = w.strip_suffix("ies") {
                format!("{stem}y")
            } else if w.ends_with('s') && !w.ends_with("ss") && w.len() > 3 {
                w[..w.len() - 1].to_string()
            } else {
                w.to_string()
            }
        })
        .collect();
    words.sort();
    words.concat()
}

/// One file's questions, problems and topic names.
struct Parsed {
    questions: Vec<Found>,
    problems: Vec<Problem>,
    names: Vec<TopicName>,
    /// The file's pack and what its `[pack]` table says.
    pack: (PackId, PackMeta),
}

/// A `[[question]]` table as found: its id and topic as written (for the checks across files,
/// which a question with other problems takes part in too), the line it starts on, and the
/// question when it has no problem of its own.
struct Found {
    id: Option<String>,
    /// Its former ids, checked as slugs.
    aliases: Vec<String>,
    topic: Option<String>,
    line: usize,
    question: Option<Question>,
}

impl Parsed {
    fn read(file: &Path) -> Parsed {
        match fs::read_to_string(file) {
            Ok(text) => Parsed::text(file, &text),
            Err(e) => Parsed {
                pack: (
                    PackId::from_file_stem(&file.file_stem().unwrap_or_default().to_string_lossy()),
                    PackMeta::default(),
                ),
                questions: Vec::new(),
                problems: vec![Problem {
                    file: file.to_path_buf(),
                    line: 0,
                    message: format!("cannot read the file: {e}"),
                }],
                names: Vec::new(),
            },
        }
    }

    fn text(file: &Path, text: &str) -> Parsed {
        // A pack saved with Windows line endings: TOML keeps the `\r\n` inside multi-line
        // strings, so read every line break as `\n` (lines are counted by `\n` alike).
        let unix;
        let text = if text.contains("\r\n") {
            unix = text.replace("\r\n", "\n");
            unix.as_str()
        } else {
            text
        };
        let mut problems = Vec::new();
        let mut names = Vec::new();
        let mut pack = PackMeta::default();
        let mut questions = FileCtx {
            file,
            text,
            line_starts: line_starts(text),
            problems: &mut problems,
            names: &mut names,
            pack: &mut pack,
        }
        .parse_file();
        // Every question of the file belongs to the file's pack.
        let id = pack.id.clone().unwrap_or_else(|| {
            PackId::from_file_stem(&file.file_stem().unwrap_or_default().to_string_lossy())
        });
        for q in questions.iter_mut().filter_map(|f| f.question.as_mut()) {
            q.pack = id.clone();
        }
        Parsed {
            questions,
            problems,
            names,
            pack: (id, pack),
        }
    }
}

impl Loader {
    /// Adds one file's results, checking its ids against the files before it.
    fn merge(&mut self, file: &Path, parsed: Parsed) {
        self.problems.extend(parsed.problems);
        self.names.extend(parsed.names);
        if !parsed.questions.is_empty() {
            self.merge_pack(file, parsed.pack);
        }
        for found in parsed.questions {
            self.topics.extend(found.topic);
            let Some(id) = found.id else { continue };
            // An id and its aliases share one namespace with every other id and alias: a
            // stored id must find exactly one question.
            let mut clash = false;
            for (name, what) in
                std::iter::once((&id, "id")).chain(found.aliases.iter().map(|a| (a, "alias")))
            {
                if let Some((first_file, first_line)) = self.seen.get(name) {
                    clash = true;
                    self.problems.push(Problem {
                        file: file.to_path_buf(),
                        line: found.line,
                        message: format!(
                            "duplicate {what} `{}`: already used at {}:{}",
                            shown(name),
                            first_file.display(),
                            first_line
                        ),
                    });
                } else {
                    self.seen
                        .insert(name.clone(), (file.to_path_buf(), found.line));
                }
            }
            if let Some(q) = &found.question {
                self.check_tags(file, found.line, &q.tags);
            }
            if !clash {
                self.questions.extend(found.question);
            }
        }
    }

    /// Records the file's pack; the files of one pack may each name it, but alike.
    fn merge_pack(&mut self, file: &Path, (id, meta): (PackId, PackMeta)) {
        let entry = self.packs.entry(id.clone()).or_insert_with(|| {
            (
                PackInfo {
                    id: id.clone(),
                    name: None,
                    description: None,
                },
                None,
            )
        });
        let mut clash = None;
        for (mine, theirs, what) in [
            (&mut entry.0.name, meta.name, "name"),
            (&mut entry.0.description, meta.description, "description"),
        ] {
            match (mine.as_ref(), theirs) {
                (Some(a), Some(b)) if *a != b => clash = Some(what),
                (None, Some(b)) => *mine = Some(b),
                _ => {}
            }
        }
        if let Some(what) = clash {
            let at = entry.1.as_ref().map_or(String::new(), |(f, l)| {
                format!(" (first at {}:{l})", f.display())
            });
            self.problems.push(Problem {
                file: file.to_path_buf(),
                line: meta.line,
                message: format!(
                    "[pack]: pack `{id}` is given another {what} here than in an earlier file{at}; give it once, or alike in every file of the pack"
                ),
            });
        } else if entry.1.is_none() && meta.line > 0 {
            entry.1 = Some((file.to_path_buf(), meta.line));
        }
    }

    /// Refuses a tag spelt nearly like another one already used (`auto-scaling` and
    /// `autoscaling`, `backup` and `backups`, `rpo-rto` and `rto-rpo`, `artefact` and
    /// `artifact`): one idea, one tag, so filtering and counting by tag works.
    fn check_tags(&mut self, file: &Path, line: usize, tags: &[String]) {
        for tag in tags {
            if self.tags.contains_key(tag) {
                continue;
            }
            let key = tag_key(tag);
            // Keys one edit apart share a key or a one-deletion variant: found by lookup, not
            // by comparing with every tag so far (a file may hold thousands). A key of six or
            // more letters matches one edit (or a swap of neighbours) away; a shorter one only
            // an equal key.
            let near = if key.chars().count() >= 6 {
                let variants = deletion_variants(&key);
                variants
                    .iter()
                    .filter_map(|v| self.tag_keys.get(v))
                    .chain(variants.iter().filter_map(|v| self.tag_variants.get(v)))
                    .find(|other| *other != tag)
                    .cloned()
            } else {
                self.tag_keys
                    .get(&key)
                    .filter(|other| *other != tag)
                    .cloned()
            };
            if let Some(other) = near {
                let (f, l) = &self.tags[&other];
                self.problems.push(Problem {
                    file: file.to_path_buf(),
                    line,
                    message: format!(
                        "tag `{tag}` is spelt nearly like `{other}` (used at {}:{l}): use one spelling for one idea",
                        f.display()
                    ),
                });
            } else {
                self.tag_keys
                    .entry(key.clone())
                    .or_insert_with(|| tag.clone());
                for v in deletion_variants(&key).into_iter().skip(1) {
                    self.tag_variants.entry(v).or_insert_with(|| tag.clone());
                }
                self.tags.insert(tag.clone(), (file.to_path_buf(), line));
            }
        }
    }

    /// Checks the topic names against the questions, then returns the bank or every problem,
    /// sorted by file and line.
    fn finish(self) -> Result<Bank, BankError> {
        let Loader {
            questions,
            mut problems,
            names,
            topics: used,
            packs,
            ..
        } = self;
        // Topic names: each declared once, for a topic some question uses (a question with
        // problems of its own still uses its topic).
        let mut topic_names: HashMap<String, String> = HashMap::new();
        let mut declared: HashMap<String, (PathBuf, usize)> = HashMap::new();
        for n in names {
            if let Some((f, l)) = declared.get(&n.slug) {
                // The same name again (an exported pack beside the shipped topics) is fine.
                if topic_names.get(&n.slug) == Some(&n.name) {
                    continue;
                }
                problems.push(Problem {
                    file: n.file.clone(),
                    line: n.line,
                    message: format!(
                        "topic `{}` is named twice, differently: already at {}:{}",
                        n.slug,
                        f.display(),
                        l
                    ),
                });
                continue;
            }
            if !used.contains(&n.slug) && !used.is_empty() {
                problems.push(Problem {
                    file: n.file.clone(),
                    line: n.line,
                    message: format!("topic `{}` has a name but no question uses it", n.slug),
                });
            }
            declared.insert(n.slug.clone(), (n.file.clone(), n.line));
            topic_names.insert(n.slug, n.name);
        }
        if problems.is_empty() {
            let packs = packs
                .into_iter()
                .map(|(id, (info, _))| (id, info))
                .collect();
            Ok(Bank::from_questions(questions, topic_names, packs))
        } else {
            // Stable: problems on one line keep the order they were found in.
            problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            Err(BankError(problems))
        }
    }
}

/// A readable topic name from a pack's `[topics]` table.
struct TopicName {
    slug: String,
    name: String,
    file: PathBuf,
    line: usize,
}

/// Longest readable topic name (shown in titles and suggestions).
const MAX_TOPIC_NAME: usize = 40;

struct FileCtx<'a> {
    file: &'a Path,
    text: &'a str,
    /// Byte offset where each line starts (the first is 0), so a span's line is a binary
    /// search rather than a count from the top of the file for every question.
    line_starts: Vec<usize>,
    problems: &'a mut Vec<Problem>,
    names: &'a mut Vec<TopicName>,
    /// What the file's `[pack]` table says, if it has one.
    pack: &'a mut PackMeta,
}

/// A file's `[pack]` table: the pack's id (else one made from the file name), its name and
/// description, and the line the table starts on.
#[derive(Debug, Default)]
struct PackMeta {
    id: Option<PackId>,
    name: Option<String>,
    description: Option<String>,
    line: usize,
}

impl FileCtx<'_> {
    /// The 1-based line holding byte `offset` (clamped to the end of the text).
    fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        // Lines starting at or before the offset; the first always does.
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// Records the problem `message` says at `span` unless `ok`.
    fn require(&mut self, ok: bool, span: Range<usize>, message: impl FnOnce() -> String) {
        if !ok {
            self.problem(Some(span), message());
        }
    }

    fn problem(&mut self, span: Option<Range<usize>>, message: impl Into<String>) {
        let line = span.map_or(0, |s| self.line_of(s.start));
        // One line per problem, whatever the pack's text held (TOML's own messages quote it).
        let mut message: String = message.into().chars().flat_map(escape_control).collect();
        if message.chars().count() > MAX_MESSAGE_CHARS {
            message = message.chars().take(MAX_MESSAGE_CHARS).collect();
            message.push('…');
        }
        self.problems.push(Problem {
            file: self.file.to_path_buf(),
            line,
            message,
        });
    }

    /// Returns every question of the file as found, valid or not.
    fn parse_file(&mut self) -> Vec<Found> {
        let (root, errors) = DeTable::parse_recoverable(self.text);
        if !errors.is_empty() {
            for e in errors {
                let msg = format!("TOML syntax: {}", e.message().trim());
                self.problem(e.span(), msg);
            }
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut saw_questions = false;
        let mut saw_topics = false;
        // The parsed values are taken, not cloned, into their deserializers.
        for (key, value) in root.into_inner() {
            match key.get_ref().as_ref() {
                "pack" => self.parse_pack(key.span(), value),
                "question" => {
                    saw_questions = true;
                    let DeValue::Array(mut items) = value.into_inner() else {
                        self.problem(
                            Some(key.span()),
                            "`question` must be an array of tables: write each question under `[[question]]`",
                        );
                        continue;
                    };
                    for slot in items.iter_mut() {
                        let item =
                            std::mem::replace(slot, Spanned::new(0..0, DeValue::Boolean(false)));
                        out.push(self.parse_question(item));
                    }
                }
                "topics" => {
                    saw_topics = true;
                    self.parse_topic_names(&value);
                }
                other => self.problem(
                    Some(key.span()),
                    format!("unknown top-level key `{}`: expected `[pack]`, `[topics]` or `[[question]]`", shown(other)),
                ),
            }
        }
        // A file may hold only `[topics]`: readable names for the topics of all packs.
        if !saw_questions && !saw_topics {
            self.problem(None, "no questions: add at least one `[[question]]` table");
        }
        out
    }

    /// `[topics]`: `slug = "Readable name"`.
    fn parse_topic_names(&mut self, value: &Spanned<DeValue<'_>>) {
        let Some(table) = value.get_ref().as_table() else {
            self.problem(
                Some(value.span()),
                "`topics` must be a table: `[topics]` then lines such as `iac = \"Infrastructure as code\"`",
            );
            return;
        };
        for (key, name) in table.iter() {
            let slug = key.get_ref().to_string();
            let line = self.line_of(key.span().start);
            if !is_slug(&slug) {
                self.problem(
                    Some(key.span()),
                    format!("topic `{}` must be a slug", shown(&slug)),
                );
                continue;
            }
            let Some(text) = name.get_ref().as_str().map(str::trim) else {
                self.problem(
                    Some(name.span()),
                    format!("the name of topic `{slug}` must be text"),
                );
                continue;
            };
            if text.is_empty() || text.chars().count() > MAX_TOPIC_NAME {
                self.problem(
                    Some(name.span()),
                    format!("the name of topic `{slug}` must be 1 to {MAX_TOPIC_NAME} characters"),
                );
                continue;
            }
            self.names.push(TopicName {
                slug,
                name: text.to_string(),
                file: self.file.to_path_buf(),
                line,
            });
        }
    }

    /// Reads the value of `table`'s field `field` as `T`, or records why it cannot be.
    fn read<T: serde::de::DeserializeOwned>(
        &mut self,
        table: &str,
        field: &str,
        value: Spanned<DeValue<'_>>,
    ) -> Option<T> {
        let span = value.span();
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(v) => Some(v),
            Err(e) => {
                let msg = format!("{table}: `{field}`: {}", e.message().trim());
                self.problem(e.span().or(Some(span)), msg);
                None
            }
        }
    }

    /// Records an unknown field of a `[pack]` or `[[question]]` table.
    fn unknown_field(&mut self, table: &str, key: &Spanned<DeString<'_>>, known: &[&str]) {
        let expected: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
        self.problem(
            Some(key.span()),
            format!(
                "{table}: unknown field `{}`, expected one of {}",
                shown(key.get_ref()),
                expected.join(", ")
            ),
        );
    }

    /// `[pack]`: a `name` and an optional `description`, both text.
    fn parse_pack(&mut self, key_span: Range<usize>, value: Spanned<DeValue<'_>>) {
        let span = value.span();
        let DeValue::Table(table) = value.into_inner() else {
            self.problem(Some(span), "[pack]: must be a table");
            return;
        };
        let mut named = false;
        self.pack.line = self.line_of(key_span.start);
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "id" => {
                    if let Some(id) = self.read::<Spanned<String>>("[pack]", "id", value) {
                        match PackId::parse(id.get_ref()) {
                            Some(p) => self.pack.id = Some(p),
                            None => self.problem(
                                Some(id.span()),
                                format!(
                                    "[pack]: id `{}` must be lowercase letters and digits joined by single hyphens (at most {} characters), e.g. `backend`",
                                    shown(id.get_ref()),
                                    PackId::MAX_CHARS
                                ),
                            ),
                        }
                    }
                }
                "name" => {
                    named = true;
                    if let Some(name) = self.read::<Spanned<String>>("[pack]", "name", value) {
                        self.check_text("name", &name, MAX_PACK_NAME_CHARS);
                        self.pack.name = Some(trimmed(name));
                    }
                }
                "description" => {
                    if let Some(d) = self.read::<Spanned<String>>("[pack]", "description", value) {
                        self.check_text("description", &d, MAX_PACK_DESCRIPTION_CHARS);
                        self.pack.description = Some(trimmed(d));
                    }
                }
                _ => self.unknown_field("[pack]", &key, PACK_FIELDS),
            }
        }
        if !named && self.pack.id.is_none() {
            self.problem(Some(key_span), "[pack]: missing field `name` (or `id`)");
        }
    }

    /// Reads one `[[question]]` table field by field and checks each, so that every problem of
    /// the question is reported at once; the question itself comes back only without any.
    fn parse_question(&mut self, item: Spanned<DeValue<'_>>) -> Found {
        let item_span = item.span();
        let start = self.line_of(item_span.start);
        let mut found = Found {
            id: None,
            aliases: Vec::new(),
            topic: None,
            line: start,
            question: None,
        };
        let DeValue::Table(table) = item.into_inner() else {
            self.problem(Some(item_span), "each question must be a table");
            return found;
        };
        let before = self.problems.len();
        let mut raw = RawQuestion::default();
        // Which of QUESTION_FIELDS are written, readable or not (an unreadable one is
        // reported as such, not as missing).
        let mut present = [false; QUESTION_FIELDS.len()];
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            match name {
                "id" => raw.id = self.read("question", name, value),
                "level" => raw.level = self.read("question", name, value),
                "topic" => raw.topic = self.read("question", name, value),
                "tags" => raw.tags = self.read("question", name, value),
                "aliases" => raw.aliases = self.read("question", name, value),
                "prompt" => raw.prompt = self.read("question", name, value),
                "answer" => raw.answer = self.read("question", name, value),
                "look_fors" => raw.look_fors = self.read("question", name, value),
                "pass" => raw.pass = self.read("question", name, value),
                "bonus" => raw.bonus = self.read("question", name, value),
                "red_flags" => raw.red_flags = self.read("question", name, value),
                "follow_ups" => raw.follow_ups = self.read("question", name, value),
                "detail" => raw.detail = self.read("question", name, value),
                "facts" => raw.facts = self.read("question", name, value),
                "facts_checked" => raw.facts_checked = self.read("question", name, value),
                _ => {
                    self.unknown_field("question", &key, QUESTION_FIELDS);
                    continue;
                }
            }
            if let Some(i) = QUESTION_FIELDS.iter().position(|f| *f == name) {
                present[i] = true;
            }
        }
        // The optional ones aside, the missing fields are one problem, named together;
        // `look_fors` may be written under its older name `answer` (not both).
        let answer_written = QUESTION_FIELDS
            .iter()
            .zip(present)
            .any(|(f, written)| *f == "answer" && written);
        let missing: Vec<String> = QUESTION_FIELDS
            .iter()
            .zip(present)
            .filter(|(f, written)| !written && !OPTIONAL_FIELDS.contains(f) && **f != "answer")
            .filter(|(f, _)| !(**f == "look_fors" && answer_written))
            .map(|(f, _)| format!("`{f}`"))
            .collect();
        if let (Some(_), Some(answer)) = (&raw.look_fors, &raw.answer) {
            self.problem(
                Some(answer.span()),
                "question: give `look_fors` or the older `answer`, not both".to_string(),
            );
        }
        if !missing.is_empty() {
            let s = if missing.len() == 1 { "" } else { "s" };
            self.problem(
                Some(item_span.clone()),
                format!("question: missing field{s} {}", missing.join(", ")),
            );
        }
        if let Some(raw_id) = &raw.id {
            let id = raw_id.get_ref().trim().to_string();
            self.require(is_slug(&id), raw_id.span(), || {
                format!(
                    "id `{}` must be a slug: lowercase letters, digits and '-', at most {MAX_SLUG_CHARS} characters",
                    shown(raw_id.get_ref())
                )
            });
            found.id = Some(id).filter(|id| !id.is_empty());
        }
        let level = raw.level.as_ref().and_then(|raw_level| {
            let level = Level::parse(raw_level.get_ref());
            self.require(level.is_some(), raw_level.span(), || {
                format!(
                    "unknown level `{}`: use junior, mid or senior",
                    shown(raw_level.get_ref())
                )
            });
            level
        });
        if let Some(raw_topic) = &raw.topic {
            let topic = raw_topic.get_ref().trim().to_string();
            self.require(is_slug(&topic), raw_topic.span(), || {
                format!(
                    "topic `{}` must be a slug such as `networking` or `multi-account`",
                    shown(&topic)
                )
            });
            found.topic = Some(topic);
        }
        for tag in raw.tags.iter().flatten() {
            self.require(is_slug(tag.get_ref().trim()), tag.span(), || {
                format!("tag `{}` must be a slug", shown(tag.get_ref()))
            });
        }
        if let Some(tag) = raw.tags.as_ref().and_then(|t| t.get(MAX_TAGS)) {
            self.problem(
                Some(tag.span()),
                format!("more than {MAX_TAGS} tags: keep the few that help find the question"),
            );
        }
        if let Some(alias) = raw.aliases.as_ref().and_then(|a| a.get(MAX_ALIASES)) {
            self.problem(
                Some(alias.span()),
                format!(
                    "more than {MAX_ALIASES} aliases: keep the ids that scores or links still use"
                ),
            );
        }
        for alias in raw.aliases.iter().flatten() {
            let slug = alias.get_ref().trim();
            if is_slug(slug) {
                found.aliases.push(slug.to_string());
            } else {
                self.problem(
                    Some(alias.span()),
                    format!(
                        "alias `{}` must be a slug, as ids are",
                        shown(alias.get_ref())
                    ),
                );
            }
        }
        if let Some(prompt) = &raw.prompt {
            self.check_text("prompt", prompt, MAX_PROMPT_CHARS);
        }
        // The new format holds look-fors and red flags to a select option's label; the older
        // one (`answer`) keeps its limits, so packs written before still load.
        let short = raw.look_fors.is_some();
        let item_max = |name: &str| match name {
            "look_fors" => MAX_LOOK_FOR_CHARS,
            "red_flags" if short => MAX_LOOK_FOR_CHARS,
            _ => MAX_ITEM_CHARS,
        };
        let mut rubric = 0;
        let mut rubric_span = None;
        for (name, list) in [
            ("answer", &raw.answer),
            ("look_fors", &raw.look_fors),
            ("bonus", &raw.bonus),
            ("red_flags", &raw.red_flags),
            ("follow_ups", &raw.follow_ups),
        ] {
            let Some(list) = list else { continue };
            rubric_span.get_or_insert(list.span());
            if list.get_ref().is_empty() {
                self.problem(
                    Some(list.span()),
                    format!("`{name}` is empty: give at least one entry"),
                );
            }
            let mut seen = std::collections::HashSet::new();
            for entry in list.get_ref() {
                self.check_text(name, entry, item_max(name));
                rubric += entry.get_ref().chars().count();
                // Interviewers tick items by their words, and ticks follow a pack edit by
                // them: two entries of the same words could never be told apart.
                let words = entry.get_ref().trim().to_lowercase();
                self.require(seen.insert(words), entry.span(), || {
                    format!("`{name}` repeats an entry: each must say something different")
                });
            }
        }
        if let Some(list) = &raw.look_fors {
            let n = list.get_ref().len();
            self.require(LOOK_FORS.contains(&n) || n == 0, list.span(), || {
                format!(
                    "`look_fors` has {n} entries: give {} to {}, single ideas an interviewer can hear",
                    LOOK_FORS.start(),
                    LOOK_FORS.end()
                )
            });
        }
        let look_fors = raw
            .look_fors
            .as_ref()
            .or(raw.answer.as_ref())
            .map_or(0, |l| l.get_ref().len());
        if let Some(pass) = &raw.pass {
            let p = *pass.get_ref();
            // The suggested rating is a strong no under half the look-fors and a no from half
            // up to one short of the pass rule, so a yes needs more than half: at half or
            // below, no count of ticks could ever suggest a no.
            let least = (look_fors.div_ceil(2) + 1).min(look_fors).max(1);
            self.require(
                usize::try_from(p).is_ok_and(|p| p >= least && p <= look_fors.max(1)),
                pass.span(),
                || format!("`pass` is {p}: give how many of the {look_fors} look-fors make a yes, from more than half ({least}) to all ({look_fors}); under half suggests a strong no, and a no needs room between half and the pass rule"),
            );
        }
        let mut more = 0;
        if let Some(detail) = &raw.detail {
            self.check_text("detail", detail, MAX_DETAIL_CHARS);
            more += detail.get_ref().chars().count();
            // "Ask follow-up 5 before scoring look-for 6": the card numbers both lists, so a
            // number past the end of its list points the interviewer at nothing.
            let follow_ups = raw.follow_ups.as_ref().map_or(0, |l| l.get_ref().len());
            for (word, count) in [("follow-up", follow_ups), ("look-for", look_fors)] {
                for n in numbered_refs(detail.get_ref(), word) {
                    self.require((1..=count).contains(&n), detail.span(), || {
                        format!("`detail` names {word} {n}, but the question has {count}")
                    });
                }
            }
        }
        if let Some(facts) = &raw.facts {
            for fact in facts.get_ref() {
                self.check_text("facts", fact, MAX_FACT_CHARS);
                more += fact.get_ref().chars().count();
            }
            if raw.facts_checked.is_none() && !facts.get_ref().is_empty() {
                self.problem(
                    Some(facts.span()),
                    "`facts` need `facts_checked`, the date they were last checked (facts_checked = 2026-12-07)".to_string(),
                );
            }
        }
        if let Some(checked) = &raw.facts_checked {
            let date = checked.get_ref();
            self.require(
                date.date.is_some() && date.time.is_none() && date.offset.is_none(),
                checked.span(),
                || format!("`facts_checked` is {date}: give a date, such as 2026-12-07"),
            );
            self.require(raw.facts.is_some(), checked.span(), || {
                "`facts_checked` without `facts`".to_string()
            });
        }
        let prompt_len = raw
            .prompt
            .as_ref()
            .map_or(0, |p| p.get_ref().chars().count());
        let whole = prompt_len + rubric + more;
        if whole > MAX_CARD_CHARS && more > 0 {
            self.problem(
                raw.detail.as_ref().map(Spanned::span).or(rubric_span.clone()),
                format!("the prompt, rubric, `detail` and `facts` have {whole} characters; at most {MAX_CARD_CHARS} fit in one message"),
            );
        }
        if more > MAX_MORE_CHARS {
            self.problem(
                raw.detail.as_ref().map(Spanned::span),
                format!("`detail` and `facts` have {more} characters; at most {MAX_MORE_CHARS} fit in the rubric's second section"),
            );
        }
        if rubric > MAX_RUBRIC_CHARS {
            self.problem(
                rubric_span,
                format!(
                    "the rubric (look_fors, bonus, red_flags, follow_ups) has {rubric} characters; at most {MAX_RUBRIC_CHARS} fit in one Discord embed"
                ),
            );
        }
        if self.problems.len() > before {
            return found;
        }
        let legacy = raw.look_fors.is_none();
        let (
            Some(id),
            Some(level),
            Some(topic),
            Some(prompt),
            Some(look_fors),
            Some(bonus),
            Some(red_flags),
            Some(follow_ups),
        ) = (
            found.id.clone(),
            level,
            found.topic.clone(),
            raw.prompt,
            raw.look_fors.or(raw.answer),
            raw.bonus,
            raw.red_flags,
            raw.follow_ups,
        )
        else {
            // Every field missing or unreadable was reported above.
            return found;
        };
        // The parsed strings are kept (trimmed in place) rather than copied: fewer allocations
        // and less of the heap left in holes, which matters for a bank of thousands.
        let texts = |l: Spanned<Vec<Spanned<String>>>| {
            let mut list: Vec<String> = l.into_inner().into_iter().map(trimmed).collect();
            list.shrink_to_fit();
            list
        };
        found.question = Some(Question {
            id,
            level,
            topic,
            tags: raw.tags.into_iter().flatten().map(trimmed).collect(),
            prompt: trimmed(prompt),
            pass: raw
                .pass
                .and_then(|p| usize::try_from(p.into_inner()).ok())
                .unwrap_or(look_fors.get_ref().len()),
            look_fors: texts(look_fors),
            bonus: texts(bonus),
            red_flags: texts(red_flags),
            follow_ups: texts(follow_ups),
            detail: raw.detail.map(trimmed),
            facts: raw.facts.map(texts).unwrap_or_default(),
            facts_checked: raw.facts_checked.map(|d| d.into_inner().to_string()),
            aliases: found.aliases.clone(),
            legacy,
            // Set for the whole file once its `[pack]` table is read.
            pack: PackId::from_file_stem(""),
            source: self.file.to_path_buf(),
        });
        found
    }

    fn check_text(&mut self, field: &str, value: &Spanned<String>, max: usize) {
        let text = value.get_ref().trim();
        let chars = text.chars().count();
        if text.is_empty() {
            self.problem(Some(value.span()), format!("`{field}` has empty text"));
        } else if let Some(c) = text
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            // Written as an escape (`\u001B`), it would reach Discord and terminals as is.
            self.problem(
                Some(value.span()),
                format!(
                    "`{field}` holds the control character U+{:04X}: remove it",
                    u32::from(c)
                ),
            );
        } else if chars > max {
            self.problem(
                Some(value.span()),
                format!(
                    "`{field}` text has {chars} characters; at most {max} fit in a Discord embed field"
                ),
            );
        }
    }
}

/// The text of a parsed string without surrounding white space, in its own allocation.
fn trimmed(s: Spanned<String>) -> String {
    let mut s = s.into_inner();
    let end = s.trim_end().len();
    s.truncate(end);
    let start = s.len() - s.trim_start().len();
    s.drain(..start);
    s.shrink_to_fit();
    s
}

/// The byte offset of every line's start: 0, then one past each newline.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Longest problem message (TOML's messages quote whole values, which may be huge).
const MAX_MESSAGE_CHARS: usize = 300;

/// Longest piece of a pack's text quoted back in a problem.
const MAX_SHOWN_CHARS: usize = 60;

/// A value from the pack as a problem quotes it: control characters written as escapes (a
/// line break would split the `file:line: message` report), at most [`MAX_SHOWN_CHARS`].
fn shown(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(MAX_SHOWN_CHARS)
        .flat_map(escape_control)
        .collect();
    if value.chars().count() > MAX_SHOWN_CHARS {
        out.push('…');
    }
    out
}

/// A control character as its escape (`\n`, `\u{7}`); anything else as it is.
fn escape_control(c: char) -> Vec<char> {
    if c.is_control() {
        c.escape_default().collect()
    } else {
        vec![c]
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SLUG_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// The number written right after each mention of `word` (or its plural) in `text`: in "Ask
/// follow-up 5 before scoring look-for 6", `follow-up` gives 5 and `look-for` gives 6.
fn numbered_refs(text: &str, word: &str) -> Vec<usize> {
    let lower = text.to_lowercase();
    let mut found = Vec::new();
    for (at, _) in lower.match_indices(word) {
        let rest = &lower[at + word.len()..];
        let rest = rest.strip_prefix('s').unwrap_or(rest);
        let Some(rest) = rest.strip_prefix(' ') else {
            continue;
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse() {
            found.push(n);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_line(text: &str, offset: usize) -> usize {
        let mut problems = Vec::new();
        let mut names = Vec::new();
        let ctx = FileCtx {
            file: Path::new("t.toml"),
            text,
            line_starts: line_starts(text),
            problems: &mut problems,
            names: &mut names,
            pack: &mut PackMeta::default(),
        };
        ctx.line_of(offset)
    }

    #[test]
    fn line_of_counts_the_newlines_before_the_offset() {
        let text = "a = 1\r\nbb = 2\n\nccc = 3";
        // Each offset against a plain count of the newlines before it.
        for offset in 0..=text.len() + 3 {
            let expected = text.as_bytes()[..offset.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            assert_eq!(ctx_line(text, offset), expected, "offset {offset}");
        }
        assert_eq!(ctx_line("", 0), 1);
        assert_eq!(ctx_line("\n", 1), 2);
    }
}
