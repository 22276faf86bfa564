//! `team_packs`, `team_questions`, `team_question_aliases`, `pack_imports` and
//! `team_pack_versions`: the packs a server imported from Discord. The store keeps a
//! question's content as the JSON the bank writes (it does not read it); picking reads only
//! the id, pack, level and topic columns.

use std::collections::BTreeSet;

use rusqlite::{OptionalExtension, params};

use super::types::id;
use super::{Db, StoreError};
use crate::model::{GuildId, Level, PackId, UserId};

/// An imported pack as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamPack {
    pub pack_id: PackId,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Readable topic names, as a JSON object (slug to name).
    pub topic_names: String,
    pub imported_by: UserId,
    pub imported_at: i64,
}

/// One imported question as stored: what picking needs, and its content as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamQuestion {
    pub question_id: String,
    pub pack_id: PackId,
    pub level: Level,
    pub topic: String,
    pub body: String,
    pub retired_at: Option<i64>,
}

/// What picking needs of one live imported question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamIndexRow {
    pub question_id: String,
    pub pack_id: PackId,
    pub level: Level,
    pub topic: String,
}

/// A question to store with its pack: the columns picking reads, its content, and the ids it
/// had before a rename.
#[derive(Debug, Clone)]
pub struct NewTeamQuestion {
    pub question_id: String,
    pub level: Level,
    pub topic: String,
    pub body: String,
    pub aliases: Vec<String>,
}

/// What storing a pack did to the questions the file no longer has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Kept, marked retired: scores, sessions, evidence or history name them.
    pub retired: Vec<String>,
    /// Deleted: nothing referred to them.
    pub deleted: Vec<String>,
}

/// A checked file waiting for Import or Cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackImport {
    pub id: i64,
    pub file_name: String,
    pub content: String,
    /// The server's pack version when the file was previewed.
    pub version: i64,
    pub created_by: UserId,
    pub created_at: i64,
}

/// How long a previewed file waits for Import.
pub const PACK_IMPORT_TTL_MS: i64 = 24 * 60 * 60 * 1000;
/// Previewed files kept per server; a newer preview pushes out the oldest.
pub const MAX_PENDING_IMPORTS: i64 = 5;

impl Db<'_> {
    /// The server's pack version: bumped by every import, removal and switch.
    pub fn team_pack_version(&self, guild_id: GuildId) -> Result<i64, StoreError> {
        Ok(self
            .prep("SELECT version FROM team_pack_versions WHERE guild_id = ?1")?
            .query_row(params![guild_id], |r| r.get(0))
            .optional()?
            .unwrap_or(0))
    }

    /// Marks the server's packs changed.
    pub fn bump_team_pack_version(&self, guild_id: GuildId) -> Result<(), StoreError> {
        self.prep(
            "INSERT INTO team_pack_versions (guild_id, version) VALUES (?1, 1)
             ON CONFLICT (guild_id) DO UPDATE SET version = version + 1",
        )?
        .execute(params![guild_id])?;
        Ok(())
    }

    /// The server's imported packs, by id.
    pub fn team_packs(&self, guild_id: GuildId) -> Result<Vec<TeamPack>, StoreError> {
        self.rows(
            "SELECT pack_id, name, description, topic_names, imported_by, imported_at
             FROM team_packs WHERE guild_id = ?1 ORDER BY pack_id",
            params![guild_id],
            |r| {
                Ok(TeamPack {
                    pack_id: r.get("pack_id")?,
                    name: r.get("name")?,
                    description: r.get("description")?,
                    topic_names: r.get("topic_names")?,
                    imported_by: id(r, "imported_by")?,
                    imported_at: r.get("imported_at")?,
                })
            },
        )
    }

    /// What picking needs of every live imported question of the server, by id.
    pub fn team_index(&self, guild_id: GuildId) -> Result<Vec<TeamIndexRow>, StoreError> {
        self.rows(
            "SELECT question_id, pack_id, level, topic FROM team_questions
             WHERE guild_id = ?1 AND retired_at IS NULL ORDER BY question_id",
            params![guild_id],
            |r| {
                Ok(TeamIndexRow {
                    question_id: r.get("question_id")?,
                    pack_id: r.get("pack_id")?,
                    level: r.get("level")?,
                    topic: r.get("topic")?,
                })
            },
        )
    }

    /// The server's aliases (old id, id now) of live imported questions.
    pub fn team_aliases(&self, guild_id: GuildId) -> Result<Vec<(String, String)>, StoreError> {
        self.rows(
            "SELECT a.alias, a.question_id FROM team_question_aliases a
             JOIN team_questions q ON q.guild_id = a.guild_id AND q.question_id = a.question_id
             WHERE a.guild_id = ?1 AND q.retired_at IS NULL ORDER BY a.alias",
            params![guild_id],
            |r| Ok((r.get("alias")?, r.get("question_id")?)),
        )
    }

    /// One imported question, live or retired, by its id or an id it had before.
    pub fn team_question(
        &self,
        guild_id: GuildId,
        question_id: &str,
    ) -> Result<Option<TeamQuestion>, StoreError> {
        let now: Option<String> = self
            .prep(
                "SELECT question_id FROM team_question_aliases WHERE guild_id = ?1 AND alias = ?2",
            )?
            .query_row(params![guild_id, question_id], |r| r.get(0))
            .optional()?;
        self.team_question_exact(guild_id, now.as_deref().unwrap_or(question_id))
    }

    /// One imported question by its id now (no aliases): what picking loads.
    pub fn team_question_exact(
        &self,
        guild_id: GuildId,
        question_id: &str,
    ) -> Result<Option<TeamQuestion>, StoreError> {
        self.prep(
            "SELECT question_id, pack_id, level, topic, body, retired_at FROM team_questions
             WHERE guild_id = ?1 AND question_id = ?2",
        )?
        .query(params![guild_id, question_id])?
        .next()?
        .map(team_question)
        .transpose()
    }

    /// The live questions of one imported pack, by id.
    pub fn team_pack_questions(
        &self,
        guild_id: GuildId,
        pack_id: &PackId,
    ) -> Result<Vec<TeamQuestion>, StoreError> {
        self.rows(
            "SELECT question_id, pack_id, level, topic, body, retired_at FROM team_questions
             WHERE guild_id = ?1 AND pack_id = ?2 AND retired_at IS NULL ORDER BY question_id",
            params![guild_id, pack_id],
            team_question,
        )
    }

    /// Every id the server's imported questions hold (live or retired, and the ids they had
    /// before), with its pack: an import may not take one held by another pack.
    pub fn team_ids(&self, guild_id: GuildId) -> Result<Vec<(String, PackId)>, StoreError> {
        self.rows(
            "SELECT question_id AS qid, pack_id FROM team_questions WHERE guild_id = ?1
             UNION ALL
             SELECT a.alias AS qid, q.pack_id FROM team_question_aliases a
             JOIN team_questions q ON q.guild_id = a.guild_id AND q.question_id = a.question_id
             WHERE a.guild_id = ?1",
            params![guild_id],
            |r| Ok((r.get("qid")?, r.get("pack_id")?)),
        )
    }

    /// Live imported questions in the whole server, for the per-server total.
    pub fn team_question_count(&self, guild_id: GuildId) -> Result<usize, StoreError> {
        let n: i64 = self
            .prep("SELECT count(*) FROM team_questions WHERE guild_id = ?1 AND retired_at IS NULL")?
            .query_row(params![guild_id], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Which of `ids` scores, sessions, evidence, history or daily posts of the server name.
    pub fn referenced_questions(
        &self,
        guild_id: GuildId,
        ids: &[&str],
    ) -> Result<BTreeSet<String>, StoreError> {
        let mut found = BTreeSet::new();
        let mut stmt = self.prep(
            "SELECT EXISTS (SELECT 1 FROM scores WHERE guild_id = ?1 AND question_id = ?2)
                 OR EXISTS (SELECT 1 FROM question_history WHERE guild_id = ?1 AND question_id = ?2)
                 OR EXISTS (SELECT 1 FROM daily_posts WHERE guild_id = ?1 AND question_id = ?2)
                 OR EXISTS (SELECT 1 FROM rubric_versions WHERE guild_id = ?1 AND question_id = ?2)
                 OR EXISTS (SELECT 1 FROM interview_sessions WHERE guild_id = ?1
                            AND instr(' ' || questions || ' ', ' ' || ?2 || ' ') > 0)",
        )?;
        for q in ids {
            let referenced: bool = stmt.query_row(params![guild_id, q], |r| r.get(0))?;
            if referenced {
                found.insert((*q).to_string());
            }
        }
        Ok(found)
    }

    /// Stores a pack (adding it, or replacing what the server had under its id): its
    /// questions are written or rewritten, and those the pack had that `questions` lacks
    /// are retired when something refers to them and deleted otherwise.
    pub fn store_team_pack(
        &self,
        guild_id: GuildId,
        pack: &TeamPack,
        questions: &[NewTeamQuestion],
        at_ms: i64,
    ) -> Result<Dropped, StoreError> {
        self.prep(
            "INSERT INTO team_packs
                 (guild_id, pack_id, name, description, topic_names, imported_by, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (guild_id, pack_id) DO UPDATE SET name = ?3, description = ?4,
                 topic_names = ?5, imported_by = ?6, imported_at = ?7",
        )?
        .execute(params![
            guild_id,
            pack.pack_id,
            pack.name,
            pack.description,
            pack.topic_names,
            pack.imported_by,
            pack.imported_at
        ])?;
        let keep: BTreeSet<&str> = questions.iter().map(|q| q.question_id.as_str()).collect();
        let had = self.team_pack_questions(guild_id, &pack.pack_id)?;
        let gone: Vec<&str> = had
            .iter()
            .map(|q| q.question_id.as_str())
            .filter(|id| !keep.contains(id))
            .collect();
        let dropped = self.drop_team_questions(guild_id, &gone, at_ms)?;
        self.prep(
            "DELETE FROM team_question_aliases WHERE guild_id = ?1 AND question_id IN
                 (SELECT question_id FROM team_questions WHERE guild_id = ?1 AND pack_id = ?2)",
        )?
        .execute(params![guild_id, pack.pack_id])?;
        let mut put = self.prep(
            "INSERT INTO team_questions
                 (guild_id, question_id, pack_id, level, topic, body, retired_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)
             ON CONFLICT (guild_id, question_id) DO UPDATE SET pack_id = ?3, level = ?4,
                 topic = ?5, body = ?6, retired_at = NULL",
        )?;
        let mut alias = self.prep(
            "INSERT INTO team_question_aliases (guild_id, alias, question_id) VALUES (?1, ?2, ?3)
             ON CONFLICT (guild_id, alias) DO UPDATE SET question_id = ?3",
        )?;
        for q in questions {
            put.execute(params![
                guild_id,
                q.question_id,
                pack.pack_id,
                q.level,
                q.topic,
                q.body
            ])?;
            for a in &q.aliases {
                alias.execute(params![guild_id, a, q.question_id])?;
            }
        }
        self.bump_team_pack_version(guild_id)?;
        Ok(dropped)
    }

    /// Removes an imported pack: its questions are retired when something refers to them
    /// and deleted otherwise, and the pack and its switch are forgotten. `None` when the
    /// server has no such pack.
    pub fn remove_team_pack(
        &self,
        guild_id: GuildId,
        pack_id: &PackId,
        at_ms: i64,
    ) -> Result<Option<Dropped>, StoreError> {
        let removed = self
            .prep("DELETE FROM team_packs WHERE guild_id = ?1 AND pack_id = ?2")?
            .execute(params![guild_id, pack_id])?;
        if removed == 0 {
            return Ok(None);
        }
        let ids: Vec<String> = self
            .team_pack_questions(guild_id, pack_id)?
            .into_iter()
            .map(|q| q.question_id)
            .collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let dropped = self.drop_team_questions(guild_id, &ids, at_ms)?;
        self.prep("DELETE FROM pack_switches WHERE guild_id = ?1 AND pack_id = ?2")?
            .execute(params![guild_id, pack_id])?;
        self.bump_team_pack_version(guild_id)?;
        Ok(Some(dropped))
    }

    /// Retires the questions among `ids` that something refers to, and deletes the rest
    /// (with their aliases).
    fn drop_team_questions(
        &self,
        guild_id: GuildId,
        ids: &[&str],
        at_ms: i64,
    ) -> Result<Dropped, StoreError> {
        let referenced = self.referenced_questions(guild_id, ids)?;
        let mut dropped = Dropped::default();
        let mut retire = self.prep(
            "UPDATE team_questions SET retired_at = ?3 WHERE guild_id = ?1 AND question_id = ?2",
        )?;
        let mut delete =
            self.prep("DELETE FROM team_questions WHERE guild_id = ?1 AND question_id = ?2")?;
        let mut unalias = self
            .prep("DELETE FROM team_question_aliases WHERE guild_id = ?1 AND question_id = ?2")?;
        for id in ids {
            if referenced.contains(*id) {
                retire.execute(params![guild_id, id, at_ms])?;
                dropped.retired.push((*id).to_string());
            } else {
                delete.execute(params![guild_id, id])?;
                unalias.execute(params![guild_id, id])?;
                dropped.deleted.push((*id).to_string());
            }
        }
        Ok(dropped)
    }

    /// Keeps a checked file until Import or Cancel, pushing out the server's oldest when it
    /// has [`MAX_PENDING_IMPORTS`], and forgetting any older than [`PACK_IMPORT_TTL_MS`].
    pub fn add_pack_import(
        &self,
        guild_id: GuildId,
        file_name: &str,
        content: &str,
        version: i64,
        by: UserId,
        at_ms: i64,
    ) -> Result<i64, StoreError> {
        self.prep("DELETE FROM pack_imports WHERE guild_id = ?1 AND created_at < ?2")?
            .execute(params![guild_id, at_ms - PACK_IMPORT_TTL_MS])?;
        self.prep(
            "DELETE FROM pack_imports WHERE guild_id = ?1 AND id NOT IN
                 (SELECT id FROM pack_imports WHERE guild_id = ?1
                  ORDER BY created_at DESC, id DESC LIMIT ?2)",
        )?
        .execute(params![guild_id, MAX_PENDING_IMPORTS - 1])?;
        self.prep(
            "INSERT INTO pack_imports
                 (guild_id, file_name, content, version, created_by, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![guild_id, file_name, content, version, by, at_ms])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// A file waiting for Import, if it is still kept and not older than a day.
    pub fn pack_import(
        &self,
        guild_id: GuildId,
        import_id: i64,
        now_ms: i64,
    ) -> Result<Option<PackImport>, StoreError> {
        let mut stmt = self.prep(
            "SELECT id, file_name, content, version, created_by, created_at FROM pack_imports
             WHERE guild_id = ?1 AND id = ?2 AND created_at >= ?3",
        )?;
        let mut rows = stmt.query(params![guild_id, import_id, now_ms - PACK_IMPORT_TTL_MS])?;
        let Some(r) = rows.next()? else {
            return Ok(None);
        };
        Ok(Some(PackImport {
            id: r.get("id")?,
            file_name: r.get("file_name")?,
            content: r.get("content")?,
            version: r.get("version")?,
            created_by: id(r, "created_by")?,
            created_at: r.get("created_at")?,
        }))
    }

    /// Forgets a waiting file (used or cancelled); whether it was there.
    pub fn drop_pack_import(&self, guild_id: GuildId, import_id: i64) -> Result<bool, StoreError> {
        Ok(self
            .prep("DELETE FROM pack_imports WHERE guild_id = ?1 AND id = ?2")?
            .execute(params![guild_id, import_id])?
            > 0)
    }
}

fn team_question(r: &rusqlite::Row<'_>) -> Result<TeamQuestion, StoreError> {
    Ok(TeamQuestion {
        question_id: r.get("question_id")?,
        pack_id: r.get("pack_id")?,
        level: r.get("level")?,
        topic: r.get("topic")?,
        body: r.get("body")?,
        retired_at: r.get("retired_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChannelId;
    use crate::store::{ShownQuestion, Source, Store};

    const G: GuildId = GuildId(1);
    const OTHER: GuildId = GuildId(2);
    const ME: UserId = UserId(10);

    fn pack(id: &str) -> TeamPack {
        TeamPack {
            pack_id: PackId::parse(id).unwrap(),
            name: Some(id.to_uppercase()),
            description: None,
            topic_names: "{}".into(),
            imported_by: ME,
            imported_at: 1,
        }
    }

    fn q(id: &str, aliases: &[&str]) -> NewTeamQuestion {
        NewTeamQuestion {
            question_id: id.into(),
            level: Level::Junior,
            topic: "basics".into(),
            body: format!("{{\"id\":\"{id}\"}}"),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        }
    }

    fn ids(store: &Store, g: GuildId) -> Vec<String> {
        store
            .read(|db| db.team_index(g))
            .unwrap()
            .into_iter()
            .map(|r| r.question_id)
            .collect()
    }

    #[test]
    fn a_reimport_retires_what_history_names_and_deletes_the_rest() {
        let store = Store::open_in_memory().unwrap();
        let house = pack("house");
        store
            .write(|db| db.store_team_pack(G, &house, &[q("a", &[]), q("b", &[]), q("c", &[])], 1))
            .unwrap();
        store
            .write(|db| db.store_team_pack(OTHER, &house, &[q("a", &[])], 1))
            .unwrap();
        store
            .write(|db| {
                db.claim_shown(&ShownQuestion {
                    guild_id: G,
                    channel_id: ChannelId(5),
                    question_id: "b",
                    shown_by: Some(ME),
                    source: Source::Command,
                    at_ms: 2,
                })
            })
            .unwrap();
        let version = store.read(|db| db.team_pack_version(G)).unwrap();
        let dropped = store
            .write(|db| db.store_team_pack(G, &house, &[q("a2", &["a"])], 3))
            .unwrap();
        assert_eq!(dropped.retired, ["b"]);
        assert_eq!(dropped.deleted, ["a", "c"]);
        assert_eq!(ids(&store, G), ["a2"]);
        assert!(store.read(|db| db.team_pack_version(G)).unwrap() > version);
        // The retired question stays readable; the old id finds the renamed one.
        let b = store.read(|db| db.team_question(G, "b")).unwrap().unwrap();
        assert_eq!(b.retired_at, Some(3));
        let a = store.read(|db| db.team_question(G, "a")).unwrap().unwrap();
        assert_eq!(a.question_id, "a2");
        assert!(store.read(|db| db.team_question(G, "c")).unwrap().is_none());
        // The other server never met any of it.
        assert_eq!(ids(&store, OTHER), ["a"]);
        assert_eq!(
            store
                .read(|db| db.team_question(OTHER, "a"))
                .unwrap()
                .unwrap()
                .question_id,
            "a"
        );
    }

    #[test]
    fn removing_a_pack_keeps_only_what_is_referred_to() {
        let store = Store::open_in_memory().unwrap();
        let house = pack("house");
        store
            .write(|db| db.store_team_pack(G, &house, &[q("a", &[]), q("b", &[])], 1))
            .unwrap();
        store
            .write(|db| db.set_pack_enabled(G, &house.pack_id, false, ME, 1))
            .unwrap();
        store
            .write(|db| {
                db.claim_shown(&ShownQuestion {
                    guild_id: G,
                    channel_id: ChannelId(5),
                    question_id: "a",
                    shown_by: None,
                    source: Source::Command,
                    at_ms: 2,
                })
            })
            .unwrap();
        let dropped = store
            .write(|db| db.remove_team_pack(G, &house.pack_id, 5))
            .unwrap()
            .unwrap();
        assert_eq!(
            (dropped.retired, dropped.deleted),
            (vec!["a".into()], vec!["b".into()])
        );
        assert!(store.read(|db| db.team_packs(G)).unwrap().is_empty());
        assert!(store.read(|db| db.packs_off(G)).unwrap().is_empty());
        assert!(ids(&store, G).is_empty());
        assert!(store.read(|db| db.team_question(G, "a")).unwrap().is_some());
        // Removing it again finds nothing.
        assert!(
            store
                .write(|db| db.remove_team_pack(G, &house.pack_id, 6))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn pending_imports_expire_and_are_bounded_per_server() {
        let store = Store::open_in_memory().unwrap();
        let add = |at| {
            store
                .write(|db| db.add_pack_import(G, "p.toml", "x", 0, ME, at))
                .unwrap()
        };
        let first = add(0);
        assert!(
            store
                .read(|db| db.pack_import(G, first, 10))
                .unwrap()
                .is_some()
        );
        assert!(
            store
                .read(|db| db.pack_import(OTHER, first, 10))
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .read(|db| db.pack_import(G, first, PACK_IMPORT_TTL_MS + 1))
                .unwrap()
                .is_none()
        );
        let later: Vec<i64> = (1..=MAX_PENDING_IMPORTS).map(add).collect();
        assert!(
            store
                .read(|db| db.pack_import(G, first, 10))
                .unwrap()
                .is_none()
        );
        for id in later {
            assert!(
                store
                    .read(|db| db.pack_import(G, id, 10))
                    .unwrap()
                    .is_some()
            );
        }
    }
}
