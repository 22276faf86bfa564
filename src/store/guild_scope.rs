//! Every statement the store runs on a table with a `guild_id` column is scoped to one guild
//! (a server never reads or changes another's rows), except the few listed in
//! [`CROSS_GUILD`], each with its reason.
//!
//! How the check sees every statement: all of them are prepared through `Db::prep`, which
//! records the SQL it was given and the line that called it ([`record`]). The test runs every
//! store function ([`exercise`]) and then checks
//! - that every line of the store's source that calls `prep` ran (so a new statement cannot
//!   hide from the check by not being run here: add its function to [`exercise`]);
//! - that nothing else in the store's source runs SQL on a connection, apart from `PRAGMA`s and
//!   the transaction control listed in [`RAW_SQL`];
//! - that in every recorded statement each reference to a table with a `guild_id` column is
//!   constrained on it: `guild_id = …` (or `alias.guild_id = …`) for a read, update or delete,
//!   `guild_id` among the columns of an insert.
//!
//! Not checked here: the migrations (`migrations/*.sql`, run by `rusqlite_migration`), whose
//! data steps (filling `question_counts` and `candidate_ratings`) rightly read every guild.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashSet};
use std::panic::Location;

use super::{
    Db, Evidence, NewPost, NewRecommendation, NewSchedule, NewSession, RubricText, ScoreKey,
    SessionKind, SessionStatus, ShownQuestion,
};
use super::{Source, Store, StoreError};
use crate::model::{
    ChannelId, GuildId, Level, LevelPlan, MessageId, NextStep, PostKind, Recommendation, RoleId,
    RubricAccess, Ticks, UserId,
};
use crate::time::{Days, TimeOfDay, Zone};

/// Store functions whose statements read or change every guild's rows, and why.
const CROSS_GUILD: &[(&str, &str)] = &[
    (
        "active_schedules",
        "the scheduler looks at the active schedules of every guild",
    ),
    (
        "unsettled_posts",
        "the scheduler settles the claims a stopped process left, in every guild",
    ),
    (
        "due_reveals",
        "the scheduler reveals the answers that are due, in every guild",
    ),
    (
        "next_reveal_at",
        "the scheduler sleeps until the next reveal of any guild",
    ),
    (
        "stale_sessions",
        "the scheduler closes the sessions left open too long, in every guild",
    ),
];

/// SQL run on a connection directly rather than through `Db::prep` (besides `PRAGMA`s, which
/// touch no table), and why.
const RAW_SQL: &[(&str, &str)] = &[
    (
        "ROLLBACK",
        "mod.rs: ends a transaction a caller left open; touches no table",
    ),
    (
        "BEGIN EXCLUSIVE; COMMIT;",
        "backup.rs: takes the lock on a restored copy; touches no table",
    ),
];

/// Each file of `src/store/` with its path, as the check reads it.
macro_rules! sources {
    ($($file:literal,)+) => {
        &[$((concat!("src/store/", $file), include_str!($file)),)+]
    };
}

/// The store's source files, read by the check. A test below checks the list is complete.
const SOURCES: &[(&str, &str)] = sources![
    "audit.rs",
    "backup.rs",
    "candidates.rs",
    "daily.rs",
    "evidence.rs",
    "guild_config.rs",
    "handles.rs",
    "history.rs",
    "mod.rs",
    "packs.rs",
    "scores.rs",
    "sessions.rs",
    "settings.rs",
    "suggestions.rs",
    "team_packs.rs",
    "types.rs",
];

/// One statement prepared while [`exercise`] ran.
struct Seen {
    /// The store function [`exercise`] was calling.
    label: &'static str,
    file: &'static str,
    line: u32,
    sql: String,
}

thread_local! {
    static SEEN: RefCell<Vec<Seen>> = const { RefCell::new(Vec::new()) };
    static LABEL: Cell<&'static str> = const { Cell::new("") };
}

/// Called by `Db::prep` for every statement (in tests only).
pub(super) fn record(sql: &str, at: &'static Location<'static>) {
    SEEN.with(|s| {
        s.borrow_mut().push(Seen {
            label: LABEL.get(),
            file: at.file(),
            line: at.line(),
            sql: sql.to_string(),
        })
    });
}

/// Runs `f` as the store function `label`.
fn at<T>(label: &'static str, f: impl FnOnce() -> T) -> T {
    LABEL.set(label);
    let out = f();
    LABEL.set("");
    out
}

/// The code of a source file: without its test module.
fn code(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod tests")
        .map_or(text, |i| &text[..i])
}

/// The `(file, line)` of every call of `prep` in the store's code.
/// Fewer `prep` call sites than this (57 today) means the scanner has stopped finding them.
const PREP_FLOOR: usize = 50;

fn prep_sites() -> BTreeSet<(String, u32)> {
    let mut sites = BTreeSet::new();
    for (file, text) in SOURCES {
        for (i, line) in code(text).lines().enumerate() {
            let line = line.split("//").next().unwrap_or("");
            if line.contains(".prep(") {
                sites.insert((file.to_string(), i as u32 + 1));
            }
        }
    }
    sites
}

/// SQL run on a connection other than through `prep`: `(file, what)` for each call whose SQL
/// is not a `PRAGMA` or listed in [`RAW_SQL`].
fn raw_sql() -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (file, text) in SOURCES {
        let mut code = code(text).to_string();
        // `prep` itself.
        if let Some(start) = code.find("fn prep(") {
            let end = start + code[start..].find("\n    }\n").unwrap_or(0);
            code.replace_range(start..end, "");
        }
        let flat: String = code
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<String>()
            .split_whitespace()
            .collect();
        for call in [
            "prepare_cached(",
            ".prepare(",
            ".execute(",
            ".execute_batch(",
            ".query_row(",
            ".query_row_and_then(",
        ] {
            for (i, _) in flat.match_indices(call) {
                let arg = &flat[i + call.len()..];
                // A statement's own `execute`/`query_row` takes parameters, not SQL.
                let literal = arg.strip_prefix('"');
                let dynamic = arg.starts_with("&format!") || arg.starts_with("sql");
                let ok = match literal {
                    Some(lit) => {
                        let sql = &lit[..lit.find('"').unwrap_or(lit.len())];
                        sql.starts_with("PRAGMA")
                            || RAW_SQL.iter().any(|(s, _)| s.replace(' ', "") == sql)
                    }
                    None => !dynamic && !call.starts_with("prepare") && call != ".prepare(",
                };
                if !ok {
                    found.push((
                        file.to_string(),
                        flat[i..(i + 80).min(flat.len())].to_string(),
                    ));
                }
            }
        }
    }
    found
}

/// SQL tokens: words (with their dots), `?N`, string literals as `'…'`, and punctuation.
fn tokens(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        if c == '\'' {
            for d in chars.by_ref() {
                if d == '\'' {
                    break;
                }
            }
            out.push("'…'".into());
        } else if c.is_alphanumeric() || c == '_' || c == '?' {
            let mut word = c.to_string();
            while let Some(&d) = chars.peek() {
                if d.is_alphanumeric() || d == '_' || d == '.' {
                    word.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(word);
        } else {
            let mut op = c.to_string();
            if let Some(&d) = chars.peek()
                && matches!((c, d), ('!' | '<' | '>', '=') | ('<', '>'))
            {
                op.push(d);
                chars.next();
            }
            out.push(op);
        }
    }
    out
}

const KEYWORDS: &[&str] = &[
    "on",
    "where",
    "set",
    "join",
    "left",
    "inner",
    "cross",
    "order",
    "group",
    "limit",
    "values",
    "select",
    "union",
    "having",
    "returning",
    "as",
    "default",
    // `table INDEXED BY index`: a named index, not an alias.
    "indexed",
];

/// The references to tables of `guild_tables` in `sql` that are not constrained on
/// `guild_id`, as `table` or `table alias`. A reference is constrained when its `guild_id`
/// equals a parameter or a constant, or equals the `guild_id` of a constrained one (a join on
/// the guild); an unqualified `guild_id` stands for every reference without an alias.
fn unscoped(sql: &str, guild_tables: &HashSet<String>) -> Vec<String> {
    let t: Vec<String> = tokens(sql).iter().map(|w| w.to_lowercase()).collect();
    // Whose `guild_id` a token is: the alias, or "" for an unqualified one.
    let guild_of = |w: &str| -> Option<String> {
        if w == "guild_id" {
            Some(String::new())
        } else {
            w.strip_suffix(".guild_id").map(String::from)
        }
    };
    let fixed = |w: &str| w.starts_with('?') || w == "'…'" || w.parse::<i64>().is_ok();
    let mut anchored: HashSet<String> = HashSet::new();
    let mut joined: Vec<(String, String)> = Vec::new();
    for i in 1..t.len().saturating_sub(1) {
        if t[i] != "=" {
            continue;
        }
        let (l, r) = (&t[i - 1], &t[i + 1]);
        match (guild_of(l), guild_of(r)) {
            (Some(a), Some(b)) => joined.push((a, b)),
            (Some(a), None) if fixed(r) => {
                anchored.insert(a);
            }
            (None, Some(b)) if fixed(l) => {
                anchored.insert(b);
            }
            _ => {}
        }
    }
    loop {
        let before = anchored.len();
        for (a, b) in &joined {
            if anchored.contains(a) || anchored.contains(b) {
                anchored.insert(a.clone());
                anchored.insert(b.clone());
            }
        }
        if anchored.len() == before {
            break;
        }
    }
    let mut out = Vec::new();
    for (i, w) in t.iter().enumerate() {
        if !matches!(w.as_str(), "from" | "join" | "into" | "update") {
            continue;
        }
        let Some(table) = t.get(i + 1) else {
            continue;
        };
        if !guild_tables.contains(table) {
            continue;
        }
        if w == "into" {
            // INSERT INTO table (columns…): the guild must be one of them.
            let columns: Vec<&String> = t[i + 2..]
                .iter()
                .skip_while(|w| *w == "(")
                .take_while(|w| *w != ")")
                .collect();
            if !columns.iter().any(|c| *c == "guild_id") {
                out.push(table.clone());
            }
            continue;
        }
        let mut next = i + 2;
        if t.get(next).is_some_and(|w| w == "as") {
            next += 1;
        }
        let alias = t
            .get(next)
            .filter(|a| {
                !KEYWORDS.contains(&a.as_str())
                    && a.chars().all(|c| c.is_alphanumeric() || c == '_')
            })
            .cloned();
        let scoped = match &alias {
            Some(a) => anchored.contains(a),
            None => anchored.contains("") || anchored.contains(table),
        };
        if !scoped {
            out.push(match alias {
                Some(a) => format!("{table} {a}"),
                None => table.clone(),
            });
        }
    }
    out
}

/// The tables with a `guild_id` column.
fn guild_tables(store: &Store) -> HashSet<String> {
    store
        .read(|db| {
            let mut stmt = db.conn.prepare(
                "SELECT m.name FROM sqlite_schema m, pragma_table_info(m.name) p
                  WHERE m.type = 'table' AND p.name = 'guild_id'",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok::<_, StoreError>(rows.collect::<Result<_, _>>()?)
        })
        .unwrap()
}

const G: GuildId = GuildId(7);
const CH: ChannelId = ChannelId(70);
const ME: UserId = UserId(700);
const DAY: jiff::civil::Date = jiff::civil::date(2024, 1, 1);
const OTHER: UserId = UserId(701);

/// Calls every function of the store, each under its name, so that every statement is
/// prepared (and so recorded) at least once.
fn exercise(store: &Store) {
    store
        .write(|db: &Db<'_>| {
            // settings.rs, guild_config.rs, handles.rs
            at("set_interviewer_role", || {
                db.set_interviewer_role(G, Some(RoleId(1)), ME, 1)
            })?;
            at("interviewer_role", || db.interviewer_role(G))?;
            at("set_rubric_access", || {
                db.set_rubric_access(G, None, RubricAccess::Everyone, ME, 1)
            })?;
            at("rubric_access", || db.rubric_access(G, CH))?;
            at("rubric_settings", || db.rubric_settings(G))?;
            at("set_guild_timezone", || {
                db.set_guild_timezone(G, "UTC", ME, 1)
            })?;
            at("guild_timezone", || db.guild_timezone(G))?;
            // packs.rs
            let aws = crate::model::PackId::parse("aws").expect("a slug");
            at("set_pack_enabled", || {
                db.set_pack_enabled(G, &aws, false, ME, 1)
            })?;
            at("packs_off", || db.packs_off(G))?;
            at("pack_switches", || db.pack_switches(G))?;
            // team_packs.rs
            let team = crate::store::TeamPack {
                pack_id: crate::model::PackId::parse("house").expect("a slug"),
                name: Some("House".into()),
                description: None,
                topic_names: "{}".into(),
                imported_by: ME,
                imported_at: 1,
            };
            let q = |id: &str| crate::store::NewTeamQuestion {
                question_id: id.into(),
                level: Level::Mid,
                topic: "t".into(),
                body: "{}".into(),
                aliases: vec![format!("{id}-old")],
            };
            at("store_team_pack", || {
                db.store_team_pack(G, &team, &[q("h1"), q("h2")], 1)
            })?;
            at("store_team_pack", || {
                db.store_team_pack(G, &team, &[q("h1")], 2)
            })?;
            at("team_pack_version", || db.team_pack_version(G))?;
            at("team_packs", || db.team_packs(G))?;
            at("team_index", || db.team_index(G))?;
            at("team_aliases", || db.team_aliases(G))?;
            at("team_question", || db.team_question(G, "h1-old"))?;
            at("team_question_exact", || db.team_question_exact(G, "h1"))?;
            at("team_ids", || db.team_ids(G))?;
            at("team_question_count", || db.team_question_count(G))?;
            let import = at("add_pack_import", || {
                db.add_pack_import(G, "p.toml", "x", 1, ME, 1)
            })?;
            at("pack_import", || db.pack_import(G, import, 2))?;
            at("drop_pack_import", || db.drop_pack_import(G, import))?;
            // suggestions.rs
            at("set_suggestions_allowed", || {
                db.set_suggestions_allowed(G, true, ME, 1)
            })?;
            at("suggestions_allowed", || db.suggestions_allowed(G))?;
            let look = ["a".to_string(), "b".to_string(), "c".to_string()];
            let s = at("add_suggestion", || {
                db.add_suggestion(&crate::store::NewSuggestion {
                    guild_id: G,
                    author_id: ME,
                    level: Level::Junior,
                    topic: "t",
                    prompt: "p",
                    look_fors: &look,
                    red_flag: None,
                    at_ms: 1,
                })
            })?;
            at("open_suggestions_of", || db.open_suggestions_of(G, ME))?;
            at("suggestions_of", || db.suggestions_of(G, ME, 5))?;
            at("open_suggestions", || db.open_suggestions(G, 5))?;
            at("suggestion", || db.suggestion(G, s))?;
            at("decide_suggestion", || {
                db.decide_suggestion(
                    G,
                    s,
                    &crate::store::Decision::Rejected { reason: "r" },
                    ME,
                    2,
                )
            })?;
            let h = at("action_handle", || db.action_handle(G, "x", 1))?;
            at("resolve_handle", || db.resolve_handle(G, h))?;
            // history.rs
            let shown = |id| ShownQuestion {
                guild_id: G,
                channel_id: CH,
                question_id: id,
                shown_by: Some(ME),
                source: Source::Command,
                at_ms: 1,
            };
            let c1 = at("claim_shown", || db.claim_shown(&shown("q1")))?;
            at("claim_shown", || db.claim_shown(&shown("q1")))?;
            let c2 = at("claim_shown", || db.claim_shown(&shown("q2")))?;
            at("confirm_shown", || {
                db.confirm_shown(G, c1, Some(MessageId(5)))
            })?;
            at("release_shown", || db.release_shown(G, c2))?;
            at("show_counts", || db.show_counts(G))?;
            at("use_next", || db.use_next(G, c1, 2))?;
            at("recent_in_channel", || db.recent_in_channel(G, CH, 5))?;
            at("history", || db.history(G))?;
            // candidates.rs, sessions.rs
            let (c, _) = at("find_or_add_candidate", || {
                db.find_or_add_candidate(G, "Ada", "ada", ME, 1)
            })?;
            at("candidate_by_key", || db.candidate_by_key(G, "ada"))?;
            // A candidate keyed as before names were normalised, then re-keyed.
            at("find_or_add_candidate", || {
                db.find_or_add_candidate(G, "Ｂｅａ", "ｂｅａ", ME, 1)
            })?;
            at("legacy_candidate", || db.legacy_candidate(G, "bea"))?;
            at("find_or_add_candidate", || {
                db.find_or_add_candidate(G, "Bea", "bea", ME, 1)
            })?;
            at("candidate_names", || db.candidate_names(G, 5))?;
            at("candidates", || db.candidates(G))?;
            at("remember_candidate_message", || {
                db.remember_candidate_message(G, c.id, CH, MessageId(9))
            })?;
            at("candidate_messages", || db.candidate_messages(G, c.id))?;
            let questions = ["q1".to_string(), "q2".to_string()];
            let session = at("create_session", || {
                db.create_session(&NewSession {
                    guild_id: G,
                    channel_id: CH,
                    candidate_id: c.id,
                    kind: SessionKind::Guided,
                    started_by: ME,
                    level: Some(Level::Mid),
                    topic: None,
                    questions: &questions,
                    at_ms: 1,
                })
            })?;
            at("session", || db.session(G, session))?;
            at("open_session_in_channel", || {
                db.open_session_in_channel(G, CH)
            })?;
            at("scoring_sessions", || db.scoring_sessions(G, c.id, ME))?;
            at("interviewed_candidates", || {
                db.interviewed_candidates(G, None)
            })?;
            at("last_interviews", || db.last_interviews(G, None, 0, 5))?;
            at("candidate_sessions", || db.candidate_sessions(G, c.id))?;
            at("stale_sessions", || db.stale_sessions(10))?;
            at("advance_session", || db.advance_session(G, session, 0, 1))?;
            at("set_session_message", || {
                db.set_session_message(G, session, MessageId(9))
            })?;
            // scores.rs
            let key = ScoreKey {
                guild_id: G,
                candidate_id: c.id,
                session_id: session,
                question_id: "q1",
                interviewer_id: ME,
                interviewer_name: "Me",
            };
            at("put_score", || db.put_score(&key, Some(3), None, 1))?;
            at("put_score", || db.put_score(&key, Some(4), Some("n"), 2))?;
            at("score", || db.score(&key))?;
            at("candidate_scores", || db.candidate_scores(G, c.id))?;
            at("guild_scores", || db.guild_scores(G))?;
            at("recommended_candidates", || {
                db.recommended_candidates(G, ME)
            })?;
            at("candidate_rating_summary", || {
                db.candidate_rating_summary(G, c.id)
            })?;
            at("set_recommendation", || {
                db.set_recommendation(&NewRecommendation {
                    guild_id: G,
                    candidate_id: c.id,
                    interviewer_id: OTHER,
                    interviewer_name: "Other",
                    recommendation: Recommendation::Yes,
                    session_id: Some(session),
                    at_ms: 3,
                })
            })?;
            at("recommendation_counts", || {
                db.recommendation_counts(G, c.id)
            })?;
            at("interviewer_ratings", || db.interviewer_ratings(G, ME))?;
            at("rating_interviewers", || db.rating_interviewers(G, 5))?;
            // Both statements: one interviewer with a score, one with a recommendation only.
            at("interviewer_name", || db.interviewer_name(G, ME))?;
            at("interviewer_name", || db.interviewer_name(G, OTHER))?;
            at("question_ratings", || {
                db.question_ratings(G, &["q1"], Some(ME))
            })?;
            at("question_scored", || db.question_scored(G, &["q1"]))?;
            // evidence.rs
            let text = RubricText {
                question_id: "q1".into(),
                look_fors: vec!["a".into(), "b".into()],
                pass: 1,
                bonus: vec![],
                red_flags: vec!["r".into()],
            };
            let rubric = at("rubric_version", || db.rubric_version(G, &text, 1))?;
            at("rubric", || db.rubric(G, rubric))?;
            at("find_rubric_version", || db.find_rubric_version(G, &text))?;
            at("latest_rubric", || db.latest_rubric(G, "q1"))?;
            at("guild_rubrics", || db.guild_rubrics(G))?;
            let score_id = at("score_id_for", || db.score_id_for(&key, 1))?;
            let ticked = Evidence {
                rubric,
                covered: Ticks(1),
                bonus: Ticks(0),
                red_flags: Ticks(0),
                suggested: 3,
                reason: String::new(),
            };
            at("put_evidence", || {
                db.put_evidence(&key, score_id, &ticked, 1)
            })?;
            at("evidence", || db.evidence(G, score_id))?;
            at("set_evidence_reason", || {
                db.set_evidence_reason(G, score_id, "why", 2)
            })?;
            at("question_evidence", || {
                db.question_evidence(G, &["q1"], Some(ME))
            })?;
            at("candidate_evidence", || db.candidate_evidence(G, c.id))?;
            at("candidate_rubrics", || db.candidate_rubrics(G, c.id))?;
            at("guild_evidence", || db.guild_evidence(G))?;
            at("interviewer_agreement", || db.interviewer_agreement(G, ME))?;
            at("score_history", || db.score_history(G, c.id))?;
            at("candidate_recommendations", || {
                db.candidate_recommendations(G, c.id)
            })?;
            at("guild_recommendations", || db.guild_recommendations(G))?;
            at("close_session", || {
                db.close_session(G, session, SessionStatus::Ended, Some(ME), 4)
            })?;
            // audit.rs
            at("audit", || db.audit(G, ME, "x", "", "", 1))?;
            at("audit_entries", || db.audit_entries(G))?;
            at("audit_recent", || db.audit_recent(G, 5))?;
            at("candidate_footprint", || db.candidate_footprint(G, c.id))?;
            at("delete_candidate", || db.delete_candidate(G, c.id))?;
            at("remove_team_pack", || {
                db.remove_team_pack(G, &crate::model::PackId::parse("house").unwrap(), 3)
            })?;
            // daily.rs
            let schedule = at("set_schedule", || {
                db.set_schedule(&NewSchedule {
                    guild_id: G,
                    channel_id: CH,
                    channel_name: "daily",
                    post_time: TimeOfDay::parse("09:00").unwrap(),
                    timezone: &Zone::named("UTC").unwrap(),
                    level: LevelPlan::Ramp,
                    topic: None,
                    role_id: None,
                    reveal_after_s: 60,
                    days: Days::EVERY_DAY,
                    by: ME,
                    at_ms: 1,
                })
            })?;
            at("schedule_in", || db.schedule_in(G, CH))?;
            at("schedule_by_id", || db.schedule_by_id(G, schedule.id))?;
            at("schedules", || db.schedules(G))?;
            at("active_schedules", || db.active_schedules())?;
            let post = at("claim_post", || {
                db.claim_post(&NewPost {
                    schedule: &schedule,
                    kind: PostKind::Scheduled,
                    local_date: DAY,
                    question_id: "q1",
                    history_claim: c1,
                    reveal_due_at: Some(5),
                    at_ms: 1,
                })
            })?
            .unwrap();
            at("post", || db.post(G, post.id))?;
            at("post_on", || db.post_on(G, CH, DAY))?;
            at("last_post", || db.last_post(G, CH))?;
            at("unsettled_posts", || db.unsettled_posts())?;
            at("post_retry", || {
                db.post_retry(G, post.id, NextStep::Resend, 2)
            })?;
            at("post_sent", || db.post_sent(G, post.id, MessageId(11), 2))?;
            at("due_reveals", || db.due_reveals(10))?;
            at("next_reveal_at", || db.next_reveal_at(1))?;
            at("reveal_failed", || db.reveal_failed(G, post.id, 20))?;
            at("reveal_as_reply", || db.reveal_as_reply(G, post.id))?;
            at("post_revealed", || {
                db.post_revealed(G, post.id, Some(ChannelId(12)), 21)
            })?;
            at("drop_reveal", || db.drop_reveal(G, post.id))?;
            at("release_post", || db.release_post(G, post.id))?;
            at("channel_show_counts", || db.channel_show_counts(G, CH))?;
            at("schedule_failed", || {
                db.schedule_failed(G, schedule.id, 2, 3)
            })?;
            at("schedule_recovered", || {
                db.schedule_recovered(G, schedule.id)
            })?;
            at("pause_schedule", || {
                db.pause_schedule(G, schedule.id, "gone", 4)
            })?;
            at("schedule_off", || db.schedule_off(G, CH, 5))?;
            Ok::<_, StoreError>(())
        })
        .unwrap();
}

/// Every statement of the store on a table with a `guild_id` column constrains `guild_id`,
/// apart from the scheduler's scans of every guild ([`CROSS_GUILD`]).
#[test]
fn every_statement_is_scoped_to_a_guild() {
    let store = Store::open_in_memory().unwrap();
    let tables = guild_tables(&store);
    for t in ["daily_posts", "daily_schedules", "scores", "rubric_access"] {
        assert!(tables.contains(t), "{t} not among {tables:?}");
    }
    SEEN.with(|s| s.borrow_mut().clear());
    exercise(&store);
    let seen = SEEN.with(|s| std::mem::take(&mut *s.borrow_mut()));

    let mut problems = Vec::new();
    // Every call of `prep` ran.
    let ran: BTreeSet<(String, u32)> = seen.iter().map(|s| (s.file.to_string(), s.line)).collect();
    for (file, line) in prep_sites().difference(&ran) {
        problems.push(format!(
            "{file}:{line}: this statement never ran in `exercise`: call its store function there"
        ));
    }
    for (file, call) in raw_sql() {
        problems.push(format!(
            "{file}: SQL run on a connection directly, not through `prep`: {call}"
        ));
    }
    let mut excused = HashSet::new();
    for s in &seen {
        let bad = unscoped(&s.sql, &tables);
        if bad.is_empty() {
            continue;
        }
        if CROSS_GUILD.iter().any(|(name, _)| *name == s.label) {
            excused.insert(s.label);
            continue;
        }
        problems.push(format!(
            "{}:{} ({}): {bad:?} not constrained on guild_id:\n    {}",
            s.file,
            s.line,
            s.label,
            s.sql.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
    // An exception that no longer reads every guild is taken off the list.
    for (name, _) in CROSS_GUILD {
        if !excused.contains(name) {
            problems.push(format!(
                "{name} is listed in CROSS_GUILD but all its statements are scoped"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The check catches the statements it is for, and passes scoped ones.
#[test]
fn the_guild_check_catches_unscoped_statements() {
    let store = Store::open_in_memory().unwrap();
    let tables = guild_tables(&store);
    for sql in [
        "UPDATE daily_posts SET nonce = ?2 WHERE id = ?1",
        "SELECT id FROM daily_posts WHERE id = ?1",
        "DELETE FROM scores WHERE id = ?1",
        "INSERT INTO audit_log (actor_id, action, at) VALUES (?1, ?2, ?3)",
        "SELECT s.id FROM scores s JOIN candidates c ON c.id = s.candidate_id WHERE s.guild_id = ?1",
        "SELECT x FROM scores s WHERE guild_id = ?1",
        "SELECT 1 FROM scores WHERE guild_id > ?1",
        // A join on the guild scopes nothing by itself.
        "SELECT s.id FROM interview_sessions s JOIN candidates c ON c.guild_id = s.guild_id WHERE s.status = 'open'",
        "SELECT id FROM scores INDEXED BY scores_by_question WHERE question_id = ?1",
    ] {
        assert!(!unscoped(sql, &tables).is_empty(), "{sql}");
    }
    for sql in [
        "UPDATE daily_posts SET nonce = ?3 WHERE guild_id = ?1 AND id = ?2",
        "INSERT INTO audit_log (guild_id, actor_id) VALUES (?1, ?2)",
        "SELECT s.id FROM scores s JOIN candidates c ON c.guild_id = s.guild_id AND c.id = s.candidate_id WHERE s.guild_id = ?1",
        "SELECT a FROM t_not_a_table WHERE id = 1",
        "SELECT m.n FROM (SELECT 1 AS n FROM scores WHERE guild_id = ?1) m LEFT JOIN candidate_ratings t ON t.guild_id = ?1",
        "SELECT id FROM scores INDEXED BY scores_by_question WHERE guild_id = ?1 AND question_id = ?2",
    ] {
        assert!(unscoped(sql, &tables).is_empty(), "{sql}");
    }
}

/// [`SOURCES`] lists every file of the store.
#[test]
fn the_guild_check_reads_every_store_file() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/store");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".rs") && f != "guild_scope.rs")
        .map(|f| format!("src/store/{f}"))
        .collect();
    files.sort();
    let listed: Vec<&str> = SOURCES.iter().map(|(f, _)| *f).collect();
    assert_eq!(files, listed);
    // The scanner finds the store's statements: a floor a little under today's count (the
    // daily and scores stores' row reads and updates each go through one `prep`), so a
    // scanner that stops finding them fails here.
    assert!(prep_sites().len() > PREP_FLOOR, "{:?}", prep_sites().len());
}
