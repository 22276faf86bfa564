//! `/pack import file:<attachment> [dry_run]`: a pack file checked with the rules of
//! `bank check` and this server's (ids must not clash with a shipped question or another
//! pack's; limits per server), then previewed: new, changed (which fields), unchanged, and
//! the pack's questions the file no longer has. Nothing is stored until Import is pressed;
//! the previewed file is kept until then, with the server's pack version, so Import stores
//! exactly what was previewed, or refuses when the packs changed in between.
//!
//! The engine never downloads: the front end hands it the file's bytes
//! ([`crate::engine::Fetched`]), Discord's from the attachment host, the console's from a path.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use crate::bank::{
    Bank, MAX_UPLOAD_BYTES, PackId, PackInfo, Question, UploadProblem, check_upload,
};
use crate::engine::access::member;
use crate::engine::action::{Action, split};
use crate::engine::cards::BOT_COLOUR;
use crate::engine::command::OptionSpec;
use crate::engine::{
    Attachment, ButtonStyle, Card, Effect, Engine, Error, FetchRefusal, Fetched, Handled, Message,
    Outcome, Refusal, Request, ResolvedAttachment,
};
use crate::model::GuildId;
use crate::store::{Db, NewTeamQuestion, TeamPack, audit_action as action};
use crate::text::{defuse_mentions, escape, pings_or_masked_links, quote, truncate};

/// Most packs a server may import.
pub const MAX_TEAM_PACKS: usize = 20;
/// Most imported questions a server may hold, all its packs together.
pub const MAX_SERVER_QUESTIONS: usize = 10_000;
/// Most ids a preview lists under each heading.
const LISTED_IDS: usize = 15;
/// Problems shown in the reply itself; all of them are in the attached file.
const SHOWN_PROBLEMS: usize = 15;

crate::options! {
    /// `/pack import file:<attachment> [dry_run:<bool>]`
    pub struct ImportOptions {
        file: ResolvedAttachment = OptionSpec::attachment(
            "The pack: a .toml file in the bot's format, or a .csv (see /pack template)"
        ),
        dry_run: Option<bool> = OptionSpec::boolean(
            "Only check the file and show what would change; store nothing"
        ),
    }
}
crate::run_with!(ImportOptions => Engine::cmd_pack_import);

/// The buttons of `/pack`'s confirmations: an import preview's `pk:import:<n>` and
/// `pk:cancel:<n>` (`n` the kept file), and a removal's `pk:remove:<pack>:<version>` (the
/// server's pack version when it was asked) and `pk:keep`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackButton {
    Import {
        import: i64,
    },
    Cancel {
        import: i64,
    },
    Remove {
        pack: PackId,
        version: i64,
    },
    Keep,
    /// `/pack suggestions`: the select of packs to approve a suggestion into.
    ApproveInto {
        suggestion: i64,
    },
    /// The approval form of a suggestion into a pack.
    Approve {
        suggestion: i64,
        pack: PackId,
    },
    /// "Reject…", and its form with the reason.
    Reject {
        suggestion: i64,
    },
    RejectWith {
        suggestion: i64,
    },
}

pub const IMPORT: &str = "pk:import";
pub const CANCEL: &str = "pk:cancel";
pub const REMOVE: &str = "pk:remove";
pub const KEEP: &str = "pk:keep";
pub const APPROVE_INTO: &str = "pk:sgpack";
pub const APPROVE: &str = "pk:sgadd";
pub const REJECT: &str = "pk:sgno";
pub const REJECT_WITH: &str = "pk:sgwhy";

impl fmt::Display for PackButton {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackButton::Import { import } => write!(f, "{IMPORT}:{import}"),
            PackButton::Cancel { import } => write!(f, "{CANCEL}:{import}"),
            PackButton::Remove { pack, version } => write!(f, "{REMOVE}:{pack}:{version}"),
            PackButton::Keep => f.write_str(KEEP),
            PackButton::ApproveInto { suggestion } => write!(f, "{APPROVE_INTO}:{suggestion}"),
            PackButton::Approve { suggestion, pack } => {
                write!(f, "{APPROVE}:{suggestion}:{pack}")
            }
            PackButton::Reject { suggestion } => write!(f, "{REJECT}:{suggestion}"),
            PackButton::RejectWith { suggestion } => write!(f, "{REJECT_WITH}:{suggestion}"),
        }
    }
}

impl FromStr for PackButton {
    type Err = Error;

    fn from_str(id: &str) -> Result<Self, Error> {
        let (prefix, args) = split(id);
        let number = |s: &str| s.parse::<i64>().map_err(|_| Error::UnknownAction);
        match prefix {
            IMPORT => Ok(PackButton::Import {
                import: number(args)?,
            }),
            CANCEL => Ok(PackButton::Cancel {
                import: number(args)?,
            }),
            REMOVE => {
                let (pack, version) = args.rsplit_once(':').ok_or(Error::UnknownAction)?;
                Ok(PackButton::Remove {
                    pack: PackId::parse(pack).ok_or(Error::UnknownAction)?,
                    version: number(version)?,
                })
            }
            KEEP if args.is_empty() => Ok(PackButton::Keep),
            APPROVE_INTO => Ok(PackButton::ApproveInto {
                suggestion: number(args)?,
            }),
            APPROVE => {
                let (suggestion, pack) = args.split_once(':').ok_or(Error::UnknownAction)?;
                Ok(PackButton::Approve {
                    suggestion: number(suggestion)?,
                    pack: PackId::parse(pack).ok_or(Error::UnknownAction)?,
                })
            }
            REJECT => Ok(PackButton::Reject {
                suggestion: number(args)?,
            }),
            REJECT_WITH => Ok(PackButton::RejectWith {
                suggestion: number(args)?,
            }),
            _ => Err(Error::UnknownAction),
        }
    }
}

impl Action for PackButton {
    fn run(self, engine: &Engine, req: &Request) -> Handled {
        match self {
            PackButton::Import { import } => engine.action_pack_import(req, import),
            PackButton::Cancel { import } => engine.action_pack_cancel(req, import),
            PackButton::Remove { pack, version } => engine.action_pack_remove(req, pack, version),
            PackButton::Keep => engine.action_pack_keep(req),
            PackButton::ApproveInto { suggestion } => {
                engine.action_suggestion_pack(req, suggestion)
            }
            PackButton::Approve { suggestion, pack } => {
                engine.action_suggestion_approve(req, suggestion, pack)
            }
            PackButton::Reject { suggestion } => engine.action_suggestion_reject(req, suggestion),
            PackButton::RejectWith { suggestion } => {
                engine.action_suggestion_reject_with(req, suggestion)
            }
        }
    }
}

/// Why an import stops before any checking of its content.
#[derive(Debug)]
pub enum ImportRefusal {
    Fetch(FetchRefusal),
    /// The preview's file is gone: used, cancelled, or more than a day old.
    Expired,
    /// The server's packs changed since the preview.
    Stale,
}

impl Refusal for ImportRefusal {
    fn kind(&self) -> &'static str {
        match self {
            ImportRefusal::Fetch(_) => "pack file not fetched",
            ImportRefusal::Expired => "pack confirmation expired",
            ImportRefusal::Stale => "pack confirmation stale",
        }
    }

    fn user_message(&self) -> String {
        match self {
            ImportRefusal::Fetch(FetchRefusal::TooLarge { limit }) => format!(
                "That file is too large: a pack file may have at most {} KB. Split it into several packs.",
                limit / 1000
            ),
            ImportRefusal::Fetch(FetchRefusal::NotDiscord) => {
                "That file is not on Discord's attachment server, so the bot did not fetch it. Attach the file to the command itself.".into()
            }
            ImportRefusal::Fetch(FetchRefusal::TimedOut) => {
                "Fetching the file took too long. Try again in a moment.".into()
            }
            ImportRefusal::Fetch(FetchRefusal::Failed) => {
                "The file could not be fetched from Discord. Try again in a moment.".into()
            }
            ImportRefusal::Fetch(FetchRefusal::NotFound) => {
                "There is no such file. Give the path of a .toml or .csv pack file.".into()
            }
            ImportRefusal::Expired => {
                "This was already done, cancelled or has expired: nothing more was changed. Run the command again if you need to.".into()
            }
            ImportRefusal::Stale => {
                "The packs of this server changed since this was shown (an import, a removal or a switch), so nothing was done. Run the command again to see what it would change now.".into()
            }
        }
    }
}

/// What importing a checked file would do.
#[derive(Debug)]
pub(super) struct Plan {
    pack: PackInfo,
    /// The file's `[topics]` names of the topics its questions use.
    topic_names: BTreeMap<String, String>,
    pub(super) questions: Vec<Question>,
    /// Whether the server has the pack already (a re-import).
    replacing: bool,
    pack_changes: Vec<&'static str>,
    new: Vec<String>,
    changed: Vec<(String, Vec<&'static str>)>,
    unchanged: usize,
    /// The pack's questions the file no longer has: kept as retired, and deleted.
    retired: Vec<String>,
    deleted: Vec<String>,
}

impl Plan {
    /// The pack's questions as the store keeps them.
    pub(super) fn rows(&self) -> Vec<NewTeamQuestion> {
        self.questions
            .iter()
            .map(|q| NewTeamQuestion {
                question_id: q.id.clone(),
                level: q.level,
                topic: q.topic.clone(),
                body: q.to_stored_json(),
                aliases: q.aliases.clone(),
            })
            .collect()
    }

    fn changes_nothing(&self) -> bool {
        self.replacing
            && self.new.is_empty()
            && self.changed.is_empty()
            && self.retired.is_empty()
            && self.deleted.is_empty()
            && self.pack_changes.is_empty()
    }

    /// "3 new, 2 changed, 5 unchanged, 1 retired, 1 deleted", for the audit trail.
    fn summary(&self) -> String {
        format!(
            "{} new, {} changed, {} unchanged, {} retired, {} deleted",
            self.new.len(),
            self.changed.len(),
            self.unchanged,
            self.retired.len(),
            self.deleted.len()
        )
    }
}

/// The fields of a question that differ between two versions, in file order.
pub fn changed_fields(old: &Question, new: &Question) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut check = |name: &'static str, differs: bool| {
        if differs {
            fields.push(name);
        }
    };
    check("level", old.level != new.level);
    check("topic", old.topic != new.topic);
    check("tags", old.tags != new.tags);
    check("prompt", old.prompt != new.prompt);
    check("look_fors", old.look_fors != new.look_fors);
    check("pass", old.pass != new.pass);
    check("bonus", old.bonus != new.bonus);
    check("red_flags", old.red_flags != new.red_flags);
    check("follow_ups", old.follow_ups != new.follow_ups);
    check("detail", old.detail != new.detail);
    check("facts", old.facts != new.facts);
    check("facts_checked", old.facts_checked != new.facts_checked);
    check("aliases", old.aliases != new.aliases);
    fields
}

/// Every text field of a question, named.
fn texts(q: &Question) -> Vec<(&'static str, &str)> {
    let mut out = vec![("prompt", q.prompt.as_str())];
    for (name, items) in [
        ("look_fors", &q.look_fors),
        ("bonus", &q.bonus),
        ("red_flags", &q.red_flags),
        ("follow_ups", &q.follow_ups),
        ("facts", &q.facts),
    ] {
        out.extend(items.iter().map(|i| (name, i.as_str())));
    }
    if let Some(d) = &q.detail {
        out.push(("detail", d.as_str()));
    }
    out
}

impl Engine {
    pub(crate) fn cmd_pack_import(&self, req: &Request, opts: ImportOptions) -> Handled {
        let file = opts.file;
        if file.size > MAX_UPLOAD_BYTES as u64 {
            return Err(ImportRefusal::Fetch(FetchRefusal::TooLarge {
                limit: MAX_UPLOAD_BYTES as u64,
            })
            .into());
        }
        let bytes = match file.content {
            Fetched::Bytes(b) => b,
            Fetched::Refused(why) => return Err(ImportRefusal::Fetch(why).into()),
            Fetched::NotFetched => {
                return Err(Error::Internal(
                    "/pack import got a file not fetched".into(),
                ));
            }
        };
        let dry_run = opts.dry_run.unwrap_or(false);
        let checked = match check_upload(&file.filename, &bytes) {
            Ok(bank) => bank,
            Err(problems) => return Ok(problems_reply(&file.filename, &problems)),
        };
        // Checked as UTF-8 already; kept as text until Import.
        let content = String::from_utf8(bytes)
            .map_err(|_| Error::Internal("a checked pack file is not UTF-8".into()))?;
        let by = member(req)?.user_id;
        let now = self.now_ms();
        let planned = self.store().write(|db| {
            let version = db.team_pack_version(req.guild_id)?;
            let plan = match self.plan_import(db, req.guild_id, checked)? {
                Ok(plan) => plan,
                Err(problems) => return Ok(Err(problems)),
            };
            let import = if dry_run || plan.changes_nothing() {
                None
            } else {
                Some(db.add_pack_import(
                    req.guild_id,
                    &file.filename,
                    &content,
                    version,
                    by,
                    now,
                )?)
            };
            Ok::<_, Error>(Ok((plan, import)))
        })?;
        let (plan, import) = match planned {
            Ok(p) => p,
            Err(problems) => return Ok(problems_reply(&file.filename, &problems)),
        };
        let mut message = Message::default().card(preview_card(&plan, dry_run));
        if let Some(import) = import {
            let yes = self.action_id(req.guild_id, PackButton::Import { import }.to_string())?;
            let no = self.action_id(req.guild_id, PackButton::Cancel { import }.to_string())?;
            message = message.button("Import", yes, ButtonStyle::Success).button(
                "Cancel",
                no,
                ButtonStyle::Secondary,
            );
        }
        Ok(Outcome::private(message))
    }

    /// What importing `file` into `guild` would do, or the server's rules it breaks.
    pub(super) fn plan_import(
        &self,
        db: &Db<'_>,
        guild: GuildId,
        file: Bank,
    ) -> Result<Result<Plan, Vec<UploadProblem>>, Error> {
        let problem = |message: String| UploadProblem {
            place: crate::bank::Place::File,
            message,
        };
        let mut problems = Vec::new();
        let infos: Vec<&PackInfo> = file.packs().collect();
        let [info] = infos.as_slice() else {
            return Ok(Err(vec![problem(
                "a file holds one pack: give its questions one `[pack] id`".into(),
            )]));
        };
        let pack = (*info).clone();
        if self.bank().pack(&pack.id).is_some() {
            problems.push(problem(format!(
                "the pack id `{}` is a pack that comes with the bot: give yours another `[pack] id` (for a CSV, another file name)",
                pack.id
            )));
        }
        let packs = db.team_packs(guild)?;
        let had = packs.iter().find(|p| p.pack_id == pack.id);
        if had.is_none() && packs.len() >= MAX_TEAM_PACKS {
            problems.push(problem(format!(
                "this server has {MAX_TEAM_PACKS} packs already, the most it may import: remove one with `/pack remove` first"
            )));
        }
        // Ids are per server: not a shipped question's, nor another pack's (live, retired
        // or an old id).
        let taken: HashMap<String, PackId> = db.team_ids(guild)?.into_iter().collect();
        for q in file.all() {
            for id in std::iter::once(&q.id).chain(&q.aliases) {
                if self.bank().get(id).is_some() {
                    problems.push(problem(format!(
                        "question `{}`: the id `{id}` belongs to a question that comes with the bot; choose another",
                        q.id
                    )));
                } else if let Some(other) = taken.get(id.as_str()).filter(|p| **p != pack.id) {
                    problems.push(problem(format!(
                        "question `{}`: the id `{id}` belongs to a question of the pack `{other}` in this server; choose another",
                        q.id
                    )));
                }
            }
            for (field, text) in texts(q) {
                if let Some(what) = pings_or_masked_links(text) {
                    problems.push(problem(format!(
                        "question `{}`, {field}: {what} is not allowed in a pack imported from Discord",
                        q.id
                    )));
                }
            }
        }
        let others = db.team_question_count(guild)?
            - had.map_or(Ok(0), |_| {
                db.team_pack_questions(guild, &pack.id).map(|qs| qs.len())
            })?;
        if others + file.len() > MAX_SERVER_QUESTIONS {
            problems.push(problem(format!(
                "this server's packs would hold {} questions, more than the {MAX_SERVER_QUESTIONS} a server may import",
                others + file.len()
            )));
        }
        // The pack's own words and its topics' names are shown too (in titles, and in the
        // public line above a question card).
        let names = file.declared_topic_names();
        let shown = [pack.name.as_deref(), pack.description.as_deref()]
            .into_iter()
            .flatten()
            .chain(names.values().map(String::as_str));
        for text in shown {
            if let Some(what) = pings_or_masked_links(text) {
                problems.push(problem(format!(
                    "the pack's name, description or a topic's name: {what} is not allowed"
                )));
            } else if text.chars().any(char::is_control) {
                problems.push(problem(
                    "the pack's name, description or a topic's name holds a control character"
                        .into(),
                ));
            }
        }
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        // The topic names the file declares for the topics its questions use.
        let used: BTreeSet<&str> = file.all().iter().map(|q| q.topic.as_str()).collect();
        let topic_names: BTreeMap<String, String> = file
            .declared_topic_names()
            .iter()
            .filter(|(t, _)| used.contains(t.as_str()))
            .map(|(t, n)| (t.clone(), n.clone()))
            .collect();
        let old = super::stored_questions(db, guild, &pack.id)?;
        let old_by_id: HashMap<&str, &Question> = old.iter().map(|q| (q.id.as_str(), q)).collect();
        let mut plan = Plan {
            pack_changes: Vec::new(),
            replacing: had.is_some(),
            new: Vec::new(),
            changed: Vec::new(),
            unchanged: 0,
            retired: Vec::new(),
            deleted: Vec::new(),
            questions: Vec::new(),
            topic_names,
            pack: pack.clone(),
        };
        if let Some(had) = had {
            let had_names: BTreeMap<String, String> =
                serde_json::from_str(&had.topic_names).unwrap_or_default();
            if had.name != pack.name {
                plan.pack_changes.push("name");
            }
            if had.description != pack.description {
                plan.pack_changes.push("description");
            }
            if had_names != plan.topic_names {
                plan.pack_changes.push("topic names");
            }
        }
        let mut ids: Vec<&Question> = file.all().iter().collect();
        ids.sort_by(|a, b| a.id.cmp(&b.id));
        for q in &ids {
            match old_by_id.get(q.id.as_str()) {
                None => plan.new.push(q.id.clone()),
                Some(before) => {
                    let fields = changed_fields(before, q);
                    if fields.is_empty() {
                        plan.unchanged += 1;
                    } else {
                        plan.changed.push((q.id.clone(), fields));
                    }
                }
            }
        }
        let keep: BTreeSet<&str> = file.all().iter().map(|q| q.id.as_str()).collect();
        let gone: Vec<&str> = old
            .iter()
            .map(|q| q.id.as_str())
            .filter(|id| !keep.contains(id))
            .collect();
        let referenced = db.referenced_questions(guild, &gone)?;
        for id in gone {
            if referenced.contains(id) {
                plan.retired.push(id.to_string());
            } else {
                plan.deleted.push(id.to_string());
            }
        }
        plan.questions = file.all().to_vec();
        Ok(Ok(plan))
    }

    pub(crate) fn action_pack_import(&self, req: &Request, import: i64) -> Handled {
        let by = member(req)?.user_id;
        let now = self.now_ms();
        let done = self.store().write(|db| {
            let pending = db
                .pack_import(req.guild_id, import, now)?
                .ok_or(ImportRefusal::Expired)?;
            if db.team_pack_version(req.guild_id)? != pending.version {
                db.drop_pack_import(req.guild_id, import)?;
                return Err(ImportRefusal::Stale.into());
            }
            // The same bytes as at the preview, checked by the same rules: the same plan.
            let checked = check_upload(&pending.file_name, pending.content.as_bytes())
                .map_err(|_| Error::Internal("a previewed pack file no longer checks".into()))?;
            let plan = self
                .plan_import(db, req.guild_id, checked)?
                .map_err(|_| Error::Internal("a previewed pack no longer plans".into()))?;
            let questions = plan.rows();
            let names = serde_json::to_string(&plan.topic_names)
                .map_err(|e| Error::Internal(format!("topic names: {e}")))?;
            db.store_team_pack(
                req.guild_id,
                &TeamPack {
                    pack_id: plan.pack.id.clone(),
                    name: plan.pack.name.clone(),
                    description: plan.pack.description.clone(),
                    topic_names: names,
                    imported_by: by,
                    imported_at: now,
                },
                &questions,
                now,
            )?;
            db.audit(
                req.guild_id,
                by,
                action::PACK_IMPORTED,
                plan.pack.id.as_str(),
                &plan.summary(),
                now,
            )?;
            db.drop_pack_import(req.guild_id, import)?;
            Ok::<_, Error>(plan)
        })?;
        // A schedule paused for want of questions may have some now.
        self.wake_scheduler();
        let text = format!(
            "Imported {} (`{}`): {}. `/question` and daily posts can pick its questions now; `/pack off pack:{}` switches it off.",
            escape(done.pack.title()),
            done.pack.id,
            done.summary(),
            done.pack.id
        );
        Ok(Outcome::new(vec![Effect::Update(Message::text(text))]))
    }

    pub(crate) fn action_pack_cancel(&self, req: &Request, import: i64) -> Handled {
        self.store()
            .write(|db| db.drop_pack_import(req.guild_id, import))?;
        Ok(Outcome::new(vec![Effect::Update(Message::text(
            "Import cancelled: nothing was stored.",
        ))]))
    }
}

/// The preview of a plan, as a card.
fn preview_card(plan: &Plan, dry_run: bool) -> Card {
    let ids = |list: &[String]| {
        let shown: Vec<String> = list
            .iter()
            .take(LISTED_IDS)
            .map(|id| format!("`{id}`"))
            .collect();
        let more = list.len().saturating_sub(LISTED_IDS);
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    let (total, levels) = crate::bank::per_level(plan.questions.iter().map(|q| q.level));
    let mut lines = vec![format!(
        "{} the pack {} (`{}`): {total} questions ({levels}).",
        if plan.replacing { "Replaces" } else { "Adds" },
        escape(plan.pack.title()),
        plan.pack.id
    )];
    if plan.changes_nothing() {
        lines.push("The file is the same as the pack this server has: nothing to import.".into());
    }
    if !plan.pack_changes.is_empty() {
        lines.push(format!(
            "**Pack:** {} changed",
            plan.pack_changes.join(", ")
        ));
    }
    if !plan.new.is_empty() {
        lines.push(format!("**New ({}):** {}", plan.new.len(), ids(&plan.new)));
    }
    if !plan.changed.is_empty() {
        lines.push(format!("**Changed ({}):**", plan.changed.len()));
        for (id, fields) in plan.changed.iter().take(LISTED_IDS) {
            lines.push(format!("• `{id}`: {}", fields.join(", ")));
        }
        if plan.changed.len() > LISTED_IDS {
            lines.push(format!("• and {} more", plan.changed.len() - LISTED_IDS));
        }
    }
    if plan.replacing {
        lines.push(format!("**Unchanged:** {}", plan.unchanged));
    }
    if !plan.retired.is_empty() || !plan.deleted.is_empty() {
        lines.push(format!(
            "**No longer in the file ({}):**",
            plan.retired.len() + plan.deleted.len()
        ));
        if !plan.retired.is_empty() {
            lines.push(format!(
                "• kept as retired, since scores, sessions or history name them: {}",
                ids(&plan.retired)
            ));
        }
        if !plan.deleted.is_empty() {
            lines.push(format!("• deleted: {}", ids(&plan.deleted)));
        }
    }
    lines.push(if dry_run {
        "Dry run: nothing was stored. Run `/pack import` without `dry_run` to import it.".into()
    } else if plan.changes_nothing() {
        String::new()
    } else {
        "Nothing is stored until you press **Import** (this preview keeps for a day).".into()
    });
    Card {
        title: Some(truncate(
            &format!("Import preview · {}", plan.pack.title()),
            256,
        )),
        description: Some(truncate(lines.join("\n").trim_end(), 4000)),
        colour: Some(BOT_COLOUR),
        ..Card::default()
    }
}

/// The reply to a file with problems: all of them, in the message when they fit and in an
/// attached text file too when they do not. Nothing was stored.
fn problems_reply(filename: &str, problems: &[UploadProblem]) -> Outcome {
    let n = problems.len();
    let mut text = format!(
        "{} has {n} problem{}, so nothing was stored. Fix {} and run `/pack import` again (`/pack template` has an example):",
        quote(filename),
        if n == 1 { "" } else { "s" },
        if n == 1 { "it" } else { "them" },
    );
    for p in problems.iter().take(SHOWN_PROBLEMS) {
        text.push_str("\n• ");
        // The bot's own words with ids and short quotes from the file: shown as written, but
        // never able to ping.
        text.push_str(&defuse_mentions(&truncate(&p.to_string(), 300)));
    }
    let mut attachments = Vec::new();
    if n > SHOWN_PROBLEMS || text.chars().count() > 1900 {
        text = truncate(&text, 1700);
        text.push_str(&format!("\n… all {n} are in the attached file."));
        let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
        attachments.push(Attachment {
            filename: "pack-problems.txt".into(),
            bytes: (all.join("\n") + "\n").into_bytes(),
        });
    }
    Outcome::private(Message {
        content: Some(text),
        attachments,
        ..Message::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::action::check_ids;

    #[test]
    fn button_ids_parse_back() {
        check_ids(
            &[
                PackButton::Import { import: 7 },
                PackButton::Cancel { import: 7 },
                PackButton::Remove {
                    pack: PackId::parse("house").unwrap(),
                    version: 3,
                },
                PackButton::Keep,
                PackButton::ApproveInto { suggestion: 4 },
                PackButton::Approve {
                    suggestion: 4,
                    pack: PackId::parse("house").unwrap(),
                },
                PackButton::Reject { suggestion: 4 },
                PackButton::RejectWith { suggestion: 4 },
            ],
            crate::features::packs::ACTIONS,
        );
        assert!("pk:import:x".parse::<PackButton>().is_err());
        assert!("pk:other:1".parse::<PackButton>().is_err());
        assert!("pk:remove:Bad Id:1".parse::<PackButton>().is_err());
        assert!("pk:keep:1".parse::<PackButton>().is_err());
    }

    #[test]
    fn pings_and_masked_links_are_found_in_any_case() {
        assert!(pings_or_masked_links("ask @Everyone").is_some());
        assert!(pings_or_masked_links("see <@123>").is_some());
        assert!(pings_or_masked_links("[docs](https://x)").is_some());
        assert!(pings_or_masked_links("an email a@b.c and [brackets] (kept)").is_none());
    }
}
