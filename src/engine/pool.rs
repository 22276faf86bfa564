//! Questions as every feature finds and picks them: by id (with suggestions for a mistyped
//! one; by level and topic in `catalog.rs`, which knows the server's packs), and the selection
//! rule (least shown in the guild first, random among equals, never the question just shown).

use std::collections::HashMap;

use crate::bank::Question;
use crate::store::ShowCount;

use super::{Engine, Error};

impl Engine {
    /// Finds a question by id, or explains what ids exist.
    pub fn question(&self, id: &str) -> Result<&Question, Error> {
        let id = id.trim();
        self.bank().get(id).ok_or_else(|| Error::UnknownQuestion {
            id: id.to_string(),
            suggestions: self
                .bank()
                .suggest(id, 3)
                .into_iter()
                .map(String::from)
                .collect(),
        })
    }
}

impl Engine {
    /// How often each question was shown, by its id now: history recorded under an id a
    /// question had before a rename (one of its `aliases`) counts for it, so a renamed
    /// question does not look new and come round again before its turn.
    pub fn shown_by_current_id(
        &self,
        counts: HashMap<String, ShowCount>,
    ) -> HashMap<String, ShowCount> {
        let mut out: HashMap<String, ShowCount> = HashMap::with_capacity(counts.len());
        for (id, c) in counts {
            let id = self.bank().get(&id).map_or(id, |q| q.id.clone());
            out.entry(id)
                .and_modify(|e| {
                    e.times += c.times;
                    e.last_ms = e.last_ms.max(c.last_ms);
                })
                .or_insert(c);
        }
        out
    }
}

/// The selection rule, separated from storage and randomness so it can be tested exactly.
pub fn choose_least_shown_in<'a>(
    pool: &[&'a Question],
    counts: &HashMap<String, ShowCount>,
    mut random: impl FnMut(usize) -> usize,
) -> &'a Question {
    let times = |q: &Question| counts.get(&q.id).map_or(0, |c| c.times);
    let fewest = pool.iter().map(|q| times(q)).min().unwrap_or(0);
    let mut candidates: Vec<&Question> = pool
        .iter()
        .copied()
        .filter(|q| times(q) == fewest)
        .collect();
    if candidates.len() > 1 {
        // Never repeat the most recently shown question straight away.
        let latest = pool
            .iter()
            .filter_map(|q| counts.get(&q.id).map(|c| (c.last_ms, q.id.as_str())))
            .max();
        if let Some((_, latest_id)) = latest {
            candidates.retain(|q| q.id != latest_id);
        }
    }
    candidates[random(candidates.len()) % candidates.len()]
}
