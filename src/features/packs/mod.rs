//! `/pack`: the question packs of this server. `list` shows every pack with its counts and
//! whether it is on here; `on` and `off` switch a pack for this server (a pack that is off
//! gives no questions to `/question`, daily posts or sessions, but its questions stay
//! readable); `export` sends a pack as a TOML file that loads back unchanged; `import`
//! checks, previews and stores a server's own pack (`import.rs`); `template` sends a
//! two-question example to start a pack from.
//!
//! Packs come from the bank (shipped, or the `QUESTIONS_DIR` folder) and from the store (the
//! server's imported packs); the engine's catalog shows both.

mod import;
mod remove;
mod review;

use std::collections::HashMap;

pub use import::{ImportOptions, MAX_SERVER_QUESTIONS, MAX_TEAM_PACKS, PackButton, changed_fields};
pub use remove::RemoveOptions;
pub use review::SuggestionsOptions;

use crate::bank::{Bank, PackId, Question, pack_to_toml, per_level};
use crate::engine::access::member;
use crate::engine::action::ActionSpec;
use crate::engine::cards::BOT_COLOUR;
use crate::engine::catalog::PackView;
use crate::engine::command::{Completion, OptionSpec};
use crate::engine::{
    Access, Ack, Attachment, Card, Catalog, CommandSpec, Engine, Error, Feature, Handled, Message,
    Outcome, Permissions, Refusal, Request, Visibility,
};
use crate::model::GuildId;
use crate::store::audit_action as action;
use crate::store::{Db, PackSwitch};
use crate::text::{closest, escape, quote, truncate};

/// The packs feature: `/pack`.
pub static FEATURE: Feature = Feature {
    name: "packs",
    commands: &[PACK],
    actions: ACTIONS,
    due: None,
};

/// A subcommand for interviewers.
const fn interviewers(spec: CommandSpec) -> CommandSpec {
    CommandSpec {
        access: Access::Interviewers,
        ..spec
    }
}

/// A subcommand for members with Manage Server.
const fn managers(spec: CommandSpec) -> CommandSpec {
    CommandSpec {
        access: Access::Managers,
        ..spec
    }
}

const PACK: CommandSpec = CommandSpec {
    // Shown to members with Manage Server until an admin allows it for the interviewer role;
    // the engine checks each subcommand's access anyway.
    default_permissions: Some(Permissions::MANAGE_GUILD),
    ..CommandSpec::group(
        "pack",
        "Question packs: list, switch on or off, import your own, export, get a template",
        Access::Interviewers,
        &[
            interviewers(CommandSpec::leaf::<ListOptions>(
                "list",
                "Every pack, its questions per level, whether it is on here",
            )),
            managers(CommandSpec::leaf::<OnOptions>(
                "on",
                "Switch a pack back on here",
            )),
            managers(CommandSpec::leaf::<OffOptions>(
                "off",
                "Switch a pack off here: no new questions from it",
            )),
            managers(CommandSpec::leaf::<ImportOptions>(
                "import",
                "Import a .toml or .csv pack, checked and previewed first",
            )),
            managers(CommandSpec::leaf::<ExportOptions>(
                "export",
                "A pack as a TOML file that loads back unchanged",
            )),
            managers(CommandSpec::leaf::<RemoveOptions>(
                "remove",
                "Remove a pack this server imported",
            )),
            interviewers(CommandSpec::leaf::<SuggestionsOptions>(
                "suggestions",
                "Review members' suggestions: approve into a pack, or reject",
            )),
            managers(CommandSpec::leaf::<TemplateOptions>(
                "template",
                "An example pack with two questions, to start your own",
            )),
        ],
    )
};

/// The import preview's buttons: managers only, each changes the preview message.
static ACTIONS: &[ActionSpec] = &[
    ActionSpec::of::<PackButton>(import::IMPORT, Ack::Update, Access::Managers),
    ActionSpec::of::<PackButton>(import::CANCEL, Ack::Update, Access::Managers),
    ActionSpec::of::<PackButton>(import::REMOVE, Ack::Update, Access::Managers),
    ActionSpec::of::<PackButton>(import::KEEP, Ack::Update, Access::Managers),
    // Reviewing suggestions: interviewers, each step a form or a private answer.
    ActionSpec::of::<PackButton>(import::APPROVE_INTO, Ack::Modal, Access::Interviewers),
    ActionSpec::of::<PackButton>(
        import::APPROVE,
        Ack::Reply(Visibility::Private),
        Access::Interviewers,
    ),
    ActionSpec::of::<PackButton>(import::REJECT, Ack::Modal, Access::Interviewers),
    ActionSpec::of::<PackButton>(
        import::REJECT_WITH,
        Ack::Reply(Visibility::Private),
        Access::Interviewers,
    ),
];

const PACK_OPTION: OptionSpec =
    OptionSpec::text("The pack's id, e.g. aws", PackId::MAX_CHARS as u16)
        .complete(Completion::Pack);

crate::options! {
    /// `/pack list`
    pub struct ListOptions {}
}
crate::run_with!(ListOptions => Engine::cmd_pack_list);

crate::options! {
    /// `/pack on pack:<id>`
    pub struct OnOptions {
        pack: String = PACK_OPTION,
    }
}
crate::run_with!(OnOptions => Engine::cmd_pack_on);

crate::options! {
    /// `/pack off pack:<id>`
    pub struct OffOptions {
        pack: String = PACK_OPTION,
    }
}
crate::run_with!(OffOptions => Engine::cmd_pack_off);

crate::options! {
    /// `/pack export pack:<id>`
    pub struct ExportOptions {
        pack: String = PACK_OPTION,
    }
}
crate::run_with!(ExportOptions => Engine::cmd_pack_export);

crate::options! {
    /// `/pack template`
    pub struct TemplateOptions {}
}
crate::run_with!(TemplateOptions => Engine::cmd_pack_template);

/// The example pack `/pack template` sends: two questions in the bot's format, each field
/// explained, and the same two as a CSV a spreadsheet can open. `tests/packs.rs` checks both.
pub const TEMPLATE: &str = include_str!("template.toml");
pub const TEMPLATE_CSV: &str = include_str!("template.csv");

/// Most pack ids a reply lists, and most packs `/pack list` shows as fields (Discord allows
/// 25 fields and 6,000 characters in a card).
const LISTED: usize = 20;
/// Characters `/pack list` gives its fields (of Discord's 6,000 for a message's embeds).
const FIELDS_BUDGET: usize = 5_000;

/// A pack id the bank does not have.
#[derive(Debug)]
pub struct UnknownPack {
    pub typed: String,
    pub suggestion: Option<String>,
    pub packs: Vec<String>,
}

impl Refusal for UnknownPack {
    fn kind(&self) -> &'static str {
        "unknown pack"
    }

    fn user_message(&self) -> String {
        let mut text = format!("There is no pack {}.", quote(&self.typed));
        if let Some(s) = &self.suggestion {
            text.push_str(&format!(" Did you mean `{s}`?"));
        }
        if !self.packs.is_empty() {
            let packs: Vec<String> = self
                .packs
                .iter()
                .take(LISTED)
                .map(|p| format!("`{p}`"))
                .collect();
            let more = self.packs.len().saturating_sub(LISTED);
            text.push_str(&format!(" Packs: {}", packs.join(", ")));
            if more > 0 {
                text.push_str(&format!(" and {more} more (`/pack list`)"));
            }
            text.push('.');
        }
        text
    }
}

/// The pack `typed` names in this server, or a refusal that lists its packs.
fn find_pack<'c>(catalog: &'c Catalog<'_>, typed: &str) -> Result<PackView<'c>, Error> {
    let typed = typed.trim().to_lowercase();
    if let Some(view) = PackId::parse(&typed).and_then(|id| catalog.pack(&id)) {
        return Ok(view);
    }
    let packs = catalog.packs();
    let ids: Vec<&str> = packs.iter().map(|p| p.info.id.as_str()).collect();
    Err(UnknownPack {
        suggestion: closest(&typed, &ids).map(String::from),
        packs: ids.iter().map(|s| s.to_string()).collect(),
        typed,
    }
    .into())
}

/// The live questions of one of the server's imported packs, read back from the store.
fn stored_questions(db: &Db<'_>, guild: GuildId, pack: &PackId) -> Result<Vec<Question>, Error> {
    db.team_pack_questions(guild, pack)?
        .into_iter()
        .map(|r| {
            Question::from_stored_json(&r.body, r.pack_id)
                .map_err(|e| Error::Internal(format!("stored question {}: {e}", r.question_id)))
        })
        .collect()
}

/// Questions of a pack, in all and per level: "junior 45, mid 52, senior 47".
fn pack_counts(catalog: &Catalog<'_>, id: &PackId) -> (usize, String) {
    per_level(catalog.of_pack(id).map(|q| q.level))
}

impl Engine {
    pub(crate) fn cmd_pack_list(&self, req: &Request, _opts: ListOptions) -> Handled {
        let switches: Vec<PackSwitch> = self.store().read(|db| db.pack_switches(req.guild_id))?;
        let catalog = self.catalog(req.guild_id)?;
        let mut card = Card {
            title: Some("Question packs".into()),
            colour: Some(BOT_COLOUR),
            footer: Some(
                "Managers: /pack off or /pack on switches a pack for this server; /pack export sends it as a file; /pack import adds your own."
                    .into(),
            ),
            ..Card::default()
        };
        let mut on = 0;
        let (mut shown, mut used) = (0, 0);
        let packs = catalog.packs();
        for view in &packs {
            let info = view.info;
            let (total, levels) = pack_counts(&catalog, &info.id);
            let switch = switches.iter().find(|s| s.pack_id == info.id);
            let state = match switch {
                Some(s) if !s.enabled => format!(
                    "**off** here since <t:{}:d>, by <@{}>",
                    s.changed_at / 1000,
                    s.changed_by
                ),
                Some(s) => {
                    on += 1;
                    format!(
                        "on (switched back <t:{}:d>, by <@{}>)",
                        s.changed_at / 1000,
                        s.changed_by
                    )
                }
                None => {
                    on += 1;
                    "on".to_string()
                }
            };
            if shown >= LISTED {
                continue;
            }
            let origin = match view.imported {
                None => "comes with the bot".to_string(),
                Some((by, at)) => format!("imported <t:{}:d> by <@{by}>", at / 1000),
            };
            let mut value = format!("{state} · {origin} · {total} questions: {levels}");
            if let Some(d) = &info.description {
                value.push('\n');
                value.push_str(&escape(&truncate(d, 200)));
            }
            let name = format!("{} (`{}`)", escape(&truncate(info.title(), 80)), info.id);
            let value = truncate(&value, 400);
            // Discord takes 6,000 characters of embeds in a message: the fields stop short of
            // it, with room for the title, description and footer.
            let size = name.chars().count() + value.chars().count();
            if used + size > FIELDS_BUDGET {
                shown = LISTED;
                continue;
            }
            used += size;
            shown += 1;
            card = card.field(name, value, false);
        }
        let listed = card.fields.len();
        if packs.len() > listed {
            card.footer = Some(format!(
                "{} more packs not shown. Managers: /pack off or /pack on switches a pack for this server.",
                packs.len() - listed
            ));
        }
        card.description = Some(if on == 0 {
            "No pack is on in this server: /question, daily posts and sessions have nothing to ask. `/pack on` brings one back.".into()
        } else {
            "Packs that come with the bot, and this server's own (`/pack import`). A pack that is off gives no new questions here; its questions stay readable in lookups and on old buttons.".into()
        });
        Ok(Outcome::private(Message::default().card(card)))
    }

    /// Switches `typed` on or off for the server, with an audit entry, and says what changed.
    fn switch_pack(&self, req: &Request, typed: &str, enabled: bool) -> Handled {
        let catalog = self.catalog(req.guild_id)?;
        let view = find_pack(&catalog, typed)?;
        let id = view.info.id.clone();
        let title = view.info.title().to_string();
        let (total, _) = pack_counts(&catalog, &id);
        let by = member(req)?.user_id;
        let now = self.now_ms();
        let was_on = self.store().write(|db| {
            let was_on = !db.packs_off(req.guild_id)?.contains(&id);
            if was_on != enabled {
                db.set_pack_enabled(req.guild_id, &id, enabled, by, now)?;
                db.audit(
                    req.guild_id,
                    by,
                    if enabled {
                        action::PACK_ON
                    } else {
                        action::PACK_OFF
                    },
                    id.as_str(),
                    "",
                    now,
                )?;
            }
            Ok::<_, Error>(was_on)
        })?;
        let name = format!("{} (`{id}`)", escape(&title));
        let text = match (was_on, enabled) {
            (true, true) => format!("{name} is already on in this server."),
            (false, false) => format!("{name} is already off in this server."),
            (false, true) => format!(
                "{name} is on again in this server: /question, daily posts and new sessions can pick its {total} questions."
            ),
            (true, false) => {
                let mut text = format!(
                    "{name} is off in this server: /question, daily posts and new sessions no longer pick its {total} questions. Scorecards, lookups and old buttons still show them. `/pack on pack:{id}` brings it back."
                );
                if self.catalog(req.guild_id)?.is_empty() {
                    text.push_str(
                        "\nNo pack is on now, so there is nothing to ask; daily schedules pause at their next post.",
                    );
                }
                text
            }
        };
        Ok(Outcome::private(Message::text(text)))
    }

    pub(crate) fn cmd_pack_on(&self, req: &Request, opts: OnOptions) -> Handled {
        self.switch_pack(req, &opts.pack, true)
    }

    pub(crate) fn cmd_pack_off(&self, req: &Request, opts: OffOptions) -> Handled {
        self.switch_pack(req, &opts.pack, false)
    }

    /// An imported pack as a bank of its own (its live questions and topic names), for
    /// export; `None` when the server has no such imported pack.
    fn imported_bank(&self, req: &Request, id: &PackId) -> Result<Option<Bank>, Error> {
        let (packs, questions) = self.store().read(|db| {
            Ok::<_, Error>((
                db.team_packs(req.guild_id)?,
                stored_questions(db, req.guild_id, id)?,
            ))
        })?;
        let Some(pack) = packs.into_iter().find(|p| &p.pack_id == id) else {
            return Ok(None);
        };
        let names: HashMap<String, String> = serde_json::from_str(&pack.topic_names)
            .map_err(|e| Error::Internal(format!("pack {id} topic names: {e}")))?;
        let info = crate::bank::PackInfo {
            id: pack.pack_id,
            name: pack.name,
            description: pack.description,
        };
        Ok(Some(Bank::of_one_pack(info, questions, names)))
    }

    pub(crate) fn cmd_pack_export(&self, req: &Request, opts: ExportOptions) -> Handled {
        let catalog = self.catalog(req.guild_id)?;
        let view = find_pack(&catalog, &opts.pack)?;
        let info = view.info.clone();
        let (text, how) = match view.imported {
            None => (
                pack_to_toml(self.bank(), &info.id),
                "Edit it and import it as your own pack with `/pack import` under another `[pack] id` (or load it from the questions folder, `QUESTIONS_DIR`)",
            ),
            Some(_) => (
                self.imported_bank(req, &info.id)?
                    .and_then(|bank| pack_to_toml(&bank, &info.id)),
                "Edit it and import it again with `/pack import`: the preview shows what changed",
            ),
        };
        let text = text.ok_or_else(|| Error::Internal("pack vanished".into()))?;
        let (total, _) = pack_counts(&catalog, &info.id);
        let by = member(req)?.user_id;
        let now = self.now_ms();
        self.store().write(|db| {
            db.audit(
                req.guild_id,
                by,
                action::PACK_EXPORTED,
                info.id.as_str(),
                "",
                now,
            )
        })?;
        Ok(Outcome::private(Message {
            content: Some(format!(
                "{} (`{}`): {total} questions in the bot's TOML format. {how}; `interview-bot bank check FILE` checks a file offline.",
                escape(info.title()),
                info.id
            )),
            attachments: vec![Attachment {
                filename: format!("{}.toml", info.id),
                bytes: text.into_bytes(),
            }],
            ..Message::default()
        }))
    }

    pub(crate) fn cmd_pack_template(&self, _req: &Request, _opts: TemplateOptions) -> Handled {
        Ok(Outcome::private(Message {
            content: Some(
                "An example pack with two questions, twice: in the bot's TOML format with each field explained, and as a CSV for a spreadsheet (one row a question, one list item a line inside a cell; a CSV's pack id is its file name). Write your questions, then check the file with `interview-bot bank check FILE`."
                    .into(),
            ),
            attachments: vec![
                Attachment {
                    filename: "pack-template.toml".into(),
                    bytes: TEMPLATE.as_bytes().to_vec(),
                },
                Attachment {
                    // Named after the pack: a CSV's pack id is its file name.
                    filename: "backend-basics.csv".into(),
                    bytes: TEMPLATE_CSV.as_bytes().to_vec(),
                },
            ],
            ..Message::default()
        }))
    }
}
