//! The questions one server sees: the bank's packs, less those the server switched off with
//! `/pack off`. Picking a question (`/question`, daily posts, sessions, topic suggestions)
//! goes through the catalog; finding one by id does not look at switches, so a question of a
//! pack that is off stays readable in lookups, old buttons and scorecards.
//!
//! The switches are read from the store on every call (one indexed read), so a change made
//! through any process is seen at once and nothing per server is held in memory.

use std::collections::BTreeSet;

use crate::bank::{Bank, Level, PackId, Question};
use crate::model::GuildId;
use crate::text::closest;

use super::{Engine, Error};

/// One server's view of the packs.
pub struct Catalog<'a> {
    bank: &'a Bank,
    off: BTreeSet<PackId>,
}

impl<'a> Catalog<'a> {
    /// The bank seen with `off` switched off (for tests and benchmarks; the engine reads the
    /// switches itself in [`Engine::catalog`]).
    pub fn new(bank: &'a Bank, off: BTreeSet<PackId>) -> Catalog<'a> {
        Catalog { bank, off }
    }

    /// Whether the question's pack is on here.
    pub fn is_on(&self, q: &Question) -> bool {
        !self.off.contains(&q.pack)
    }

    /// The packs switched off here that the bank has.
    pub fn off(&self) -> impl Iterator<Item = &PackId> {
        self.off.iter().filter(|p| self.bank.pack(p).is_some())
    }

    /// Questions of packs that are on, matching the optional level and topic, in bank order.
    pub fn filter<'b>(
        &'b self,
        level: Option<Level>,
        topic: Option<&'b str>,
    ) -> impl Iterator<Item = &'a Question> + 'b {
        self.bank
            .filter(level, topic)
            .filter(move |q| self.is_on(q))
    }

    /// Topics with at least one question in a pack that is on, alphabetically.
    pub fn topics(&self) -> Vec<&'a str> {
        if self.off.is_empty() {
            return self.bank.topics().collect();
        }
        let on: BTreeSet<&str> = self.filter(None, None).map(|q| q.topic.as_str()).collect();
        on.into_iter().collect()
    }

    /// How many questions the packs that are on hold.
    pub fn len(&self) -> usize {
        if self.off.is_empty() {
            return self.bank.len();
        }
        self.filter(None, None).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Engine {
    /// The packs as `guild` sees them.
    pub fn catalog(&self, guild: GuildId) -> Result<Catalog<'_>, Error> {
        let off = self.store().read(|db| db.packs_off(guild))?;
        Ok(Catalog::new(self.bank(), off))
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
    pub fn pool<'a>(
        &self,
        catalog: &Catalog<'a>,
        level: Level,
        topic: Option<&str>,
    ) -> Result<Vec<&'a Question>, Error> {
        if let Some(t) = topic {
            self.check_topic(catalog, t)?;
        }
        let pool: Vec<&Question> = catalog.filter(Some(level), topic).collect();
        if pool.is_empty() {
            return Err(no_questions(catalog, level, topic));
        }
        Ok(pool)
    }
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
