//! `/pack`: the question packs of this server. `list` shows every pack with its counts and
//! whether it is on here; `on` and `off` switch a pack for this server (a pack that is off
//! gives no questions to `/question`, daily posts or sessions, but its questions stay
//! readable); `export` sends a pack as a TOML file that loads back unchanged; `template` sends
//! a two-question example to start a pack from.
//!
//! Packs come from the bank (shipped, or the `QUESTIONS_DIR` folder); importing packs from
//! Discord builds on this (issue 23).

use crate::bank::{PackId, PackInfo, pack_to_toml, per_level};
use crate::engine::access::member;
use crate::engine::cards::BOT_COLOUR;
use crate::engine::command::{Completion, OptionSpec};
use crate::engine::{
    Access, Attachment, Card, Catalog, CommandSpec, Engine, Error, Feature, Handled, Message,
    Outcome, Permissions, Refusal, Request,
};
use crate::store::PackSwitch;
use crate::store::audit_action as action;
use crate::text::{closest, escape, quote, truncate};

/// The packs feature: `/pack`.
pub static FEATURE: Feature = Feature {
    name: "packs",
    commands: &[PACK],
    actions: &[],
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
        "Question packs: list them, switch them on or off here, export one, get a template",
        Access::Interviewers,
        &[
            interviewers(CommandSpec::leaf::<ListOptions>(
                "list",
                "Every question pack, its questions per level, and whether it is on here",
            )),
            managers(CommandSpec::leaf::<OnOptions>(
                "on",
                "Switch a pack on in this server: its questions can be asked again",
            )),
            managers(CommandSpec::leaf::<OffOptions>(
                "off",
                "Switch a pack off in this server: no new questions from it (old ones stay readable)",
            )),
            managers(CommandSpec::leaf::<ExportOptions>(
                "export",
                "A pack as a TOML file that loads back unchanged",
            )),
            managers(CommandSpec::leaf::<TemplateOptions>(
                "template",
                "An example pack with two questions, to start your own",
            )),
        ],
    )
};

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

impl Engine {
    /// The pack `typed` names, or a refusal that lists the packs.
    fn find_pack(&self, typed: &str) -> Result<&PackInfo, Error> {
        let typed = typed.trim().to_lowercase();
        if let Some(info) = PackId::parse(&typed).and_then(|id| self.bank().pack(&id)) {
            return Ok(info);
        }
        let ids: Vec<&str> = self.bank().packs().map(|p| p.id.as_str()).collect();
        Err(UnknownPack {
            suggestion: closest(&typed, &ids).map(String::from),
            packs: ids.iter().map(|s| s.to_string()).collect(),
            typed,
        }
        .into())
    }

    /// Questions of a pack, in all and per level: "junior 45, mid 52, senior 47".
    fn pack_counts(&self, id: &PackId) -> (usize, String) {
        per_level(self.bank().of_pack(id))
    }

    pub(crate) fn cmd_pack_list(&self, req: &Request, _opts: ListOptions) -> Handled {
        let switches: Vec<PackSwitch> = self.store().read(|db| db.pack_switches(req.guild_id))?;
        let mut card = Card {
            title: Some("Question packs".into()),
            colour: Some(BOT_COLOUR),
            footer: Some(
                "Managers: /pack off or /pack on switches a pack for this server; /pack export sends it as a file."
                    .into(),
            ),
            ..Card::default()
        };
        let mut on = 0;
        let total_packs = self.bank().packs().count();
        for (i, info) in self.bank().packs().enumerate() {
            let (total, levels) = self.pack_counts(&info.id);
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
            if i >= LISTED {
                continue;
            }
            let mut value = format!("{state} · {total} questions: {levels}");
            if let Some(d) = &info.description {
                value.push('\n');
                value.push_str(&escape(&truncate(d, 200)));
            }
            card = card.field(
                format!("{} (`{}`)", escape(&truncate(info.title(), 80)), info.id),
                truncate(&value, 400),
                false,
            );
        }
        if total_packs > LISTED {
            card.footer = Some(format!(
                "{} more packs not shown. Managers: /pack off or /pack on switches a pack for this server.",
                total_packs - LISTED
            ));
        }
        card.description = Some(if on == 0 {
            "No pack is on in this server: /question, daily posts and sessions have nothing to ask. `/pack on` brings one back.".into()
        } else {
            "Packs that come with the bot or from the server's questions folder. A pack that is off gives no new questions here; its questions stay readable in lookups and on old buttons.".into()
        });
        Ok(Outcome::private(Message::default().card(card)))
    }

    /// Switches `typed` on or off for the server, with an audit entry, and says what changed.
    fn switch_pack(&self, req: &Request, typed: &str, enabled: bool) -> Handled {
        let info = self.find_pack(typed)?;
        let id = info.id.clone();
        let by = member(req)?.user_id;
        let now = self.now_ms();
        let (was_on, off_now) = self.store().write(|db| {
            let mut off = db.packs_off(req.guild_id)?;
            let was_on = !off.contains(&id);
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
                if enabled {
                    off.remove(&id);
                } else {
                    off.insert(id.clone());
                }
            }
            Ok::<_, Error>((was_on, off))
        })?;
        let (total, _) = self.pack_counts(&id);
        let name = format!("{} (`{id}`)", escape(info.title()));
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
                if Catalog::new(self.bank(), off_now).is_empty() {
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

    pub(crate) fn cmd_pack_export(&self, req: &Request, opts: ExportOptions) -> Handled {
        let info = self.find_pack(&opts.pack)?;
        let text = pack_to_toml(self.bank(), &info.id)
            .ok_or_else(|| Error::Internal("pack vanished".into()))?;
        let (total, _) = self.pack_counts(&info.id);
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
                "{} (`{}`): {total} questions in the bot's TOML format. Edit it and load it from the questions folder (`QUESTIONS_DIR`); `interview-bot bank check FILE` checks it first.",
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
