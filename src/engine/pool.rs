//! Questions as every feature finds and picks them: by id (with suggestions for a mistyped
//! one; by level and topic in `catalog.rs`, which knows the server's packs), and the selection
//! rule (least shown in the guild first, random among equals, never the question just shown).

use std::collections::HashMap;

use crate::store::ShowCount;

use super::Error;
use super::catalog::{Catalog, Found, Listed};

impl<'a> Catalog<'a> {
    /// Finds a question by id (shipped or imported here, live or retired), or explains what
    /// ids exist.
    pub fn question(&self, id: &str) -> Result<Found<'a>, Error> {
        let id = id.trim();
        self.get(id)?.ok_or_else(|| Error::UnknownQuestion {
            id: id.to_string(),
            suggestions: self.suggest(id, 3),
        })
    }

    /// How often each question was shown, by its id now: history recorded under an id a
    /// question had before a rename (one of its `aliases`) counts for it, so a renamed
    /// question does not look new and come round again before its turn.
    pub fn shown_by_current_id(
        &self,
        counts: HashMap<String, ShowCount>,
    ) -> HashMap<String, ShowCount> {
        let mut out: HashMap<String, ShowCount> = HashMap::with_capacity(counts.len());
        for (id, c) in counts {
            let id = match self.current_id(&id) {
                now if now == id => id,
                now => now.to_string(),
            };
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
pub fn choose_least_shown_in<'c>(
    pool: &[Listed<'c>],
    counts: &HashMap<String, ShowCount>,
    mut random: impl FnMut(usize) -> usize,
) -> Listed<'c> {
    // One look-up per question (a pool may hold thousands).
    let shown: Vec<Option<&ShowCount>> = pool.iter().map(|q| counts.get(q.id)).collect();
    let times = |i: usize| shown[i].map_or(0, |c| c.times);
    let fewest = (0..pool.len()).map(times).min().unwrap_or(0);
    let mut candidates: Vec<Listed<'c>> = (0..pool.len())
        .filter(|&i| times(i) == fewest)
        .map(|i| pool[i])
        .collect();
    if candidates.len() > 1 {
        // Never repeat the most recently shown question straight away.
        let latest = pool
            .iter()
            .zip(&shown)
            .filter_map(|(q, c)| c.map(|c| (c.last_ms, q.id)))
            .max();
        if let Some((_, latest_id)) = latest {
            candidates.retain(|q| q.id != latest_id);
        }
    }
    candidates[random(candidates.len()) % candidates.len()]
}
