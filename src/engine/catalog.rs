//! The questions one server sees: the shipped packs (in memory, in the bank) and the packs
//! the server imported (in the store), less those it switched off with `/pack off`.
//!
//! Picking a question (`/question`, daily posts, sessions, topic suggestions) goes through
//! [`Catalog::filter`], which lists [`Listed`] questions: id, level, topic and pack, all that
//! picking needs. Only the picked question's content is then read ([`Catalog::load`]), so an
//! imported pack costs the picker a compact index, not its text. Finding a question by id
//! ([`Catalog::get`]) does not look at switches and finds retired questions too, so a question
//! of a pack that is off or gone stays readable in lookups, old buttons and scorecards.
//!
//! A server's index (its imported questions and its switches) is cached in a
//! [`TeamCache`] bounded by [`CACHE_QUESTIONS`] in all, least recently used first out. Each
//! call reads the server's pack version (one indexed read, bumped by every import, removal
//! and switch), so a change made through any process is seen at once.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::ops::Deref;
use std::sync::{Arc, Mutex};

use crate::bank::{Bank, Level, PackId, PackInfo, Question};
use crate::model::{GuildId, UserId};
use crate::store::{Db, Store, TeamPack};
use crate::text::closest;

use super::{Engine, Error};

/// Imported questions (and the old ids they answer to) held in the cache of server indexes,
/// in all servers together. At about 55 bytes each (`BENCHMARKS.md` measures it), that is at
/// most about 55 MB.
pub const CACHE_QUESTIONS: usize = 1_000_000;

/// What picking needs of one question, shipped or imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed<'c> {
    pub id: &'c str,
    pub level: Level,
    pub topic: &'c str,
    pub pack: &'c PackId,
}

impl<'c> Listed<'c> {
    pub fn of(q: &'c Question) -> Listed<'c> {
        Listed {
            id: &q.id,
            level: q.level,
            topic: &q.topic,
            pack: &q.pack,
        }
    }
}

/// A question found by id: shipped (borrowed from the bank) or imported (read from the
/// store), and whether it is retired (dropped from its pack, kept for what refers to it).
#[derive(Debug, Clone)]
pub struct Found<'a> {
    pub question: Cow<'a, Question>,
    pub retired: bool,
}

impl Deref for Found<'_> {
    type Target = Question;
    fn deref(&self) -> &Question {
        &self.question
    }
}

/// A pack as a server sees it: shipped, or imported by someone at some time.
#[derive(Debug, Clone, Copy)]
pub struct PackView<'c> {
    pub info: &'c PackInfo,
    /// Who imported it and when (milliseconds); `None` for a shipped pack.
    pub imported: Option<(UserId, i64)>,
}

/// An imported pack in a server's index.
#[derive(Debug)]
struct TeamPackEntry {
    info: PackInfo,
    imported_by: UserId,
    imported_at: i64,
}

/// One imported question in the index: its id is a slice of the index's `ids`.
#[derive(Debug, Clone, Copy)]
struct Entry {
    start: u32,
    len: u16,
    level: Level,
    topic: u16,
    pack: u16,
}

/// A server's imported packs and switches, as picking needs them.
#[derive(Debug, Default)]
pub struct TeamIndex {
    version: i64,
    off: BTreeSet<PackId>,
    packs: Vec<TeamPackEntry>,
    topics: Vec<String>,
    topic_names: HashMap<String, String>,
    /// Every live question's id, one after another.
    ids: String,
    /// In id order.
    entries: Vec<Entry>,
    /// An id a question had before, to the index of its entry.
    aliases: HashMap<Box<str>, u32>,
}

impl TeamIndex {
    /// Switches only: no imported packs.
    fn with_off(off: BTreeSet<PackId>) -> TeamIndex {
        TeamIndex {
            off,
            ..TeamIndex::default()
        }
    }

    /// Reads a server's index from the store.
    fn read(db: &Db<'_>, guild: GuildId, version: i64) -> Result<TeamIndex, Error> {
        let (off, packs, rows, aliases) = (
            db.packs_off(guild)?,
            db.team_packs(guild)?,
            db.team_index(guild)?,
            db.team_aliases(guild)?,
        );
        let mut index = TeamIndex::with_off(off);
        index.version = version;
        for p in packs {
            index.add_pack(p)?;
        }
        let mut topics: Vec<String> = rows.iter().map(|r| r.topic.clone()).collect();
        topics.sort();
        topics.dedup();
        index.topics = topics;
        index.ids = String::with_capacity(rows.iter().map(|r| r.question_id.len()).sum());
        index.entries.reserve_exact(rows.len());
        for r in rows {
            let pack = index.packs.iter().position(|p| p.info.id == r.pack_id);
            let topic = index.topics.binary_search(&r.topic).ok();
            let (Some(pack), Some(topic)) = (pack, topic) else {
                return Err(Error::Internal(format!(
                    "imported question {} names pack {} that the server does not have",
                    r.question_id, r.pack_id
                )));
            };
            let start = index.ids.len();
            index.ids.push_str(&r.question_id);
            index.entries.push(Entry {
                start: u32::try_from(start).map_err(|_| too_many())?,
                len: u16::try_from(r.question_id.len()).map_err(|_| too_many())?,
                level: r.level,
                topic: u16::try_from(topic).map_err(|_| too_many())?,
                pack: u16::try_from(pack).map_err(|_| too_many())?,
            });
        }
        for (alias, id) in aliases {
            if let Some(i) = index.position(&id) {
                index.aliases.insert(alias.into_boxed_str(), i as u32);
            }
        }
        Ok(index)
    }

    fn add_pack(&mut self, p: TeamPack) -> Result<(), Error> {
        let names: HashMap<String, String> = serde_json::from_str(&p.topic_names)
            .map_err(|e| Error::Internal(format!("pack {} topic names: {e}", p.pack_id)))?;
        for (slug, name) in names {
            self.topic_names.entry(slug).or_insert(name);
        }
        self.packs.push(TeamPackEntry {
            info: PackInfo {
                id: p.pack_id,
                name: p.name,
                description: p.description,
            },
            imported_by: p.imported_by,
            imported_at: p.imported_at,
        });
        Ok(())
    }

    /// How many live imported questions the index holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// What the index weighs in the cache: its questions and the old ids they answer to.
    fn weight(&self) -> usize {
        self.entries.len() + self.aliases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// About how many bytes of heap the index holds (its ids, entries, topics, aliases and
    /// packs), for the cache's figures.
    pub fn heap_bytes(&self) -> usize {
        let strings = |v: &[String]| v.iter().map(|s| s.capacity() + 24).sum::<usize>();
        self.ids.capacity()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + strings(&self.topics)
            + self
                .topic_names
                .iter()
                .map(|(k, v)| k.capacity() + v.capacity() + 48)
                .sum::<usize>()
            + self.aliases.keys().map(|k| k.len() + 24).sum::<usize>()
            + self.packs.len() * 256
    }

    fn id(&self, e: &Entry) -> &str {
        &self.ids[e.start as usize..e.start as usize + e.len as usize]
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.entries.binary_search_by(|e| self.id(e).cmp(id)).ok()
    }

    fn listed(&self, e: &Entry) -> Listed<'_> {
        Listed {
            id: self.id(e),
            level: e.level,
            topic: &self.topics[e.topic as usize],
            pack: &self.packs[e.pack as usize].info.id,
        }
    }
}

fn too_many() -> Error {
    Error::Internal("a server's imported questions exceed the index's limits".into())
}

/// Servers' indexes, most recently used kept, [`CACHE_QUESTIONS`] questions in all.
#[derive(Default)]
pub struct TeamCache(Mutex<CacheInner>);

#[derive(Default)]
struct CacheInner {
    map: HashMap<GuildId, (Arc<TeamIndex>, u64)>,
    tick: u64,
    questions: usize,
}

impl TeamCache {
    fn get(&self, guild: GuildId, version: i64) -> Option<Arc<TeamIndex>> {
        let mut inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        let (index, used) = inner.map.get_mut(&guild)?;
        if index.version != version {
            return None;
        }
        *used = tick;
        Some(index.clone())
    }

    fn put(&self, guild: GuildId, index: Arc<TeamIndex>) {
        let mut inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        let added = index.weight();
        if let Some((old, _)) = inner.map.insert(guild, (index, tick)) {
            inner.questions -= old.weight();
        }
        inner.questions += added;
        while inner.questions > CACHE_QUESTIONS && inner.map.len() > 1 {
            let Some(oldest) = inner
                .map
                .iter()
                .filter(|(g, _)| **g != guild)
                .min_by_key(|(_, (_, used))| *used)
                .map(|(g, _)| *g)
            else {
                break;
            };
            if let Some((gone, _)) = inner.map.remove(&oldest) {
                inner.questions -= gone.weight();
            }
        }
    }

    /// Servers, imported questions and about how many bytes of heap held now.
    pub fn held(&self) -> (usize, usize, usize) {
        let inner = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let bytes = inner.map.values().map(|(i, _)| i.heap_bytes()).sum();
        (inner.map.len(), inner.questions, bytes)
    }
}

/// One server's view of the packs.
pub struct Catalog<'a> {
    bank: &'a Bank,
    team: Arc<TeamIndex>,
    /// Where imported questions' content is read; `None` for a catalog of shipped packs.
    source: Option<(&'a Store, GuildId)>,
}

impl<'a> Catalog<'a> {
    /// The shipped packs with `off` switched off (for tests and benchmarks; the engine
    /// reads a server's packs itself in [`Engine::catalog`]).
    pub fn new(bank: &'a Bank, off: BTreeSet<PackId>) -> Catalog<'a> {
        Catalog {
            bank,
            team: Arc::new(TeamIndex::with_off(off)),
            source: None,
        }
    }

    /// Whether the pack is on here.
    pub fn is_on(&self, pack: &PackId) -> bool {
        !self.team.off.contains(pack)
    }

    /// The packs switched off here that exist.
    pub fn off(&self) -> impl Iterator<Item = &PackId> {
        self.team.off.iter().filter(|p| self.pack(p).is_some())
    }

    /// Every pack here, shipped first, each in id order.
    pub fn packs(&self) -> Vec<PackView<'_>> {
        let shipped = self.bank.packs().map(|info| PackView {
            info,
            imported: None,
        });
        let imported = self.team.packs.iter().map(|p| PackView {
            info: &p.info,
            imported: Some((p.imported_by, p.imported_at)),
        });
        shipped.chain(imported).collect()
    }

    /// The pack with this id, shipped or imported.
    pub fn pack(&self, id: &PackId) -> Option<PackView<'_>> {
        if let Some(info) = self.bank.pack(id) {
            return Some(PackView {
                info,
                imported: None,
            });
        }
        self.team
            .packs
            .iter()
            .find(|p| &p.info.id == id)
            .map(|p| PackView {
                info: &p.info,
                imported: Some((p.imported_by, p.imported_at)),
            })
    }

    /// Every live question, on or off, shipped first.
    pub fn all(&self) -> impl Iterator<Item = Listed<'_>> {
        let shipped = self.bank.all().iter().map(Listed::of);
        let imported = self.team.entries.iter().map(|e| self.team.listed(e));
        shipped.chain(imported)
    }

    /// Questions of packs that are on, matching the optional level and topic.
    pub fn filter<'c>(
        &'c self,
        level: Option<Level>,
        topic: Option<&'c str>,
    ) -> impl Iterator<Item = Listed<'c>> + 'c {
        self.all().filter(move |q| {
            self.is_on(q.pack)
                && level.is_none_or(|l| q.level == l)
                && topic.is_none_or(|t| q.topic == t)
        })
    }

    /// The questions of one pack (on or off), listed.
    pub fn of_pack<'c>(&'c self, pack: &'c PackId) -> impl Iterator<Item = Listed<'c>> + 'c {
        self.all().filter(move |q| q.pack == pack)
    }

    /// Topics with at least one question in a pack that is on, alphabetically.
    pub fn topics(&self) -> Vec<&str> {
        let on: BTreeSet<&str> = self.filter(None, None).map(|q| q.topic).collect();
        on.into_iter().collect()
    }

    /// A topic's readable name: as a shipped pack declares it, else as an imported pack
    /// does, else the slug made readable.
    pub fn topic_name(&self, topic: &str) -> String {
        if self.bank.declared_topic_names().get(topic).is_none()
            && let Some(name) = self.team.topic_names.get(topic)
        {
            return name.clone();
        }
        self.bank.topic_name(topic)
    }

    /// How many questions the packs that are on hold.
    pub fn len(&self) -> usize {
        self.filter(None, None).count()
    }

    pub fn is_empty(&self) -> bool {
        self.filter(None, None).next().is_none()
    }

    /// A question by its id now, from what it is called in the store (an id it had before a
    /// rename counts); the id as given when no question has it.
    pub fn current_id<'s>(&'s self, id: &'s str) -> &'s str {
        if let Some(q) = self.bank.get(id) {
            return &q.id;
        }
        match self.team.aliases.get(id) {
            Some(&i) => self.team.id(&self.team.entries[i as usize]),
            None => id,
        }
    }

    /// The question with this id (or one it had before), shipped or imported, live or
    /// retired, whether its pack is on or not.
    pub fn get(&self, id: &str) -> Result<Option<Found<'a>>, Error> {
        match (self.shipped(id), self.source) {
            (Some(found), _) => Ok(Some(found)),
            (None, None) => Ok(None),
            (None, Some((store, _))) => store.read(|db| self.get_in(db, id)),
        }
    }

    fn shipped(&self, id: &str) -> Option<Found<'a>> {
        self.bank.get(id).map(|q| Found {
            question: Cow::Borrowed(q),
            retired: false,
        })
    }

    /// [`Catalog::get`] inside a store call already under way (a store call must not start
    /// another).
    pub fn get_in(&self, db: &Db<'_>, id: &str) -> Result<Option<Found<'a>>, Error> {
        if let Some(found) = self.shipped(id) {
            return Ok(Some(found));
        }
        let Some((_, guild)) = self.source else {
            return Ok(None);
        };
        let Some(row) = db.team_question(guild, id)? else {
            return Ok(None);
        };
        self.found(row)
    }

    fn found(&self, row: crate::store::TeamQuestion) -> Result<Option<Found<'a>>, Error> {
        let question = Question::from_stored_json(&row.body, row.pack_id).map_err(|e| {
            Error::Internal(format!(
                "imported question {} cannot be read: {e}",
                row.question_id
            ))
        })?;
        Ok(Some(Found {
            question: Cow::Owned(question),
            retired: row.retired_at.is_some(),
        }))
    }

    /// A listed question's content (by its id now: no alias to resolve).
    pub fn load(&self, q: Listed<'_>) -> Result<Found<'a>, Error> {
        match (self.shipped(q.id), self.source) {
            (Some(found), _) => Ok(found),
            (None, None) => Err(vanished(q)),
            (None, Some((store, _))) => store.read(|db| self.load_in(db, q)),
        }
    }

    /// [`Catalog::load`] inside a store call already under way (picking loads the picked
    /// question in the transaction that claims it).
    pub fn load_in(&self, db: &Db<'_>, q: Listed<'_>) -> Result<Found<'a>, Error> {
        if let Some(found) = self.shipped(q.id) {
            return Ok(found);
        }
        let Some((_, guild)) = self.source else {
            return Err(vanished(q));
        };
        match db.team_question_exact(guild, q.id)? {
            Some(row) => self.found(row)?.ok_or_else(|| vanished(q)),
            None => Err(vanished(q)),
        }
    }

    /// Questions ranked for a partial input, best first, at most `limit`: the shipped packs'
    /// ranking (ids, then words of the prompt), then imported ids holding what was typed.
    pub fn search(&self, input: &str, limit: usize) -> Vec<Listed<'_>> {
        let mut found: Vec<Listed<'_>> = self
            .bank
            .search(input, limit)
            .into_iter()
            .map(Listed::of)
            .collect();
        let needle = input.trim().to_lowercase();
        let mut imported: Vec<Listed<'_>> = self
            .team
            .entries
            .iter()
            .map(|e| self.team.listed(e))
            .filter(|q| q.id.contains(&needle))
            .collect();
        imported.sort_by_key(|q| (!q.id.starts_with(&needle), q.id.len(), q.id));
        found.extend(imported);
        // An id typed in full comes first, whichever pack has it.
        found.sort_by_key(|q| q.id != needle);
        found.truncate(limit);
        found
    }

    /// Ids close to a mistyped one, for "did you mean" hints.
    pub fn suggest(&self, input: &str, limit: usize) -> Vec<String> {
        self.search(input, limit)
            .into_iter()
            .map(|q| q.id.to_string())
            .collect()
    }
}

impl Engine {
    /// The packs as `guild` sees them.
    pub fn catalog(&self, guild: GuildId) -> Result<Catalog<'_>, Error> {
        self.store().read(|db| self.catalog_in(db, guild))
    }

    /// [`Engine::catalog`] inside a store call already under way.
    pub fn catalog_in(&self, db: &Db<'_>, guild: GuildId) -> Result<Catalog<'_>, Error> {
        let version = db.team_pack_version(guild)?;
        let team = if version == 0 {
            // Never imported nor switched: the shipped packs, all on.
            Arc::new(TeamIndex::default())
        } else {
            let cache = self.state::<TeamCache>();
            match cache.get(guild, version) {
                Some(index) => index,
                None => {
                    let index = Arc::new(TeamIndex::read(db, guild, version)?);
                    cache.put(guild, index.clone());
                    index
                }
            }
        };
        Ok(Catalog {
            bank: self.bank(),
            team,
            source: Some((self.store(), guild)),
        })
    }

    /// A topic's readable name in `guild` (the shipped packs' name when its packs cannot be
    /// read: a name is worth showing even then).
    pub fn topic_name(&self, guild: GuildId, topic: &str) -> String {
        match self.catalog(guild) {
            Ok(catalog) => catalog.topic_name(topic),
            Err(_) => self.bank().topic_name(topic),
        }
    }

    /// A topic that packs switched on in `guild` use, or an error that lists them and
    /// suggests the closest.
    pub fn check_topic(&self, catalog: &Catalog<'_>, topic: &str) -> Result<(), Error> {
        if catalog.filter(None, Some(topic)).next().is_some() {
            return Ok(());
        }
        let topics = catalog.topics();
        Err(Error::UnknownTopic {
            topic: topic.to_string(),
            suggestion: closest(topic, &topics).map(String::from),
            topics: topics.into_iter().map(String::from).collect(),
        })
    }

    /// The questions of packs that are on in the catalog's server, matching a level and
    /// topic; an unknown topic or an empty pool is an error that says what exists.
    pub fn pool<'c>(
        &self,
        catalog: &'c Catalog<'_>,
        level: Level,
        topic: Option<&'c str>,
    ) -> Result<Vec<Listed<'c>>, Error> {
        if let Some(t) = topic {
            self.check_topic(catalog, t)?;
        }
        let pool: Vec<Listed<'c>> = catalog.filter(Some(level), topic).collect();
        if pool.is_empty() {
            return Err(no_questions(catalog, level, topic));
        }
        Ok(pool)
    }
}

fn vanished(q: Listed<'_>) -> Error {
    Error::Internal(format!("question {} vanished", q.id))
}

/// "No questions" for a level and topic, naming the packs switched off here if any.
pub fn no_questions(catalog: &Catalog<'_>, level: Level, topic: Option<&str>) -> Error {
    Error::NoQuestions {
        level: level.to_string(),
        topic: topic.map(String::from),
        // A few are enough to say why; the full list is `/pack list`.
        off: catalog.off().take(10).map(ToString::to_string).collect(),
    }
}
