//! `/pack remove pack:<id>`: removes one of the server's imported packs, after a confirmation
//! that says what refers to it. Questions that scores, sessions, evidence, history or daily
//! posts name are kept, retired (readable in lookups and old buttons, never picked again);
//! the rest are deleted. A shipped pack cannot be removed, only switched off.

use crate::bank::{PackId, per_level};
use crate::engine::access::member;
use crate::engine::cards::BOT_COLOUR;
use crate::engine::{
    ButtonStyle, Card, Effect, Engine, Error, Handled, Message, Outcome, Refusal, Request,
};
use crate::store::audit_action as action;
use crate::text::truncate;

use super::import::{ImportRefusal, PackButton};
use super::{PACK_OPTION, find_pack};

crate::options! {
    /// `/pack remove pack:<id>`
    pub struct RemoveOptions {
        pack: String = PACK_OPTION,
    }
}
crate::run_with!(RemoveOptions => Engine::cmd_pack_remove);

/// A pack that comes with the bot: it is switched off, not removed.
#[derive(Debug)]
pub struct ShippedPack(pub PackId);

impl Refusal for ShippedPack {
    fn kind(&self) -> &'static str {
        "shipped pack not removable"
    }

    fn user_message(&self) -> String {
        format!(
            "The pack `{0}` comes with the bot, so it cannot be removed. `/pack off pack:{0}` switches it off in this server.",
            self.0
        )
    }
}

/// Most schedules a confirmation names.
const NAMED_SCHEDULES: usize = 5;

impl Engine {
    pub(crate) fn cmd_pack_remove(&self, req: &Request, opts: RemoveOptions) -> Handled {
        let catalog = self.catalog(req.guild_id)?;
        let view = find_pack(&catalog, &opts.pack)?;
        let id = view.info.id.clone();
        if view.imported.is_none() {
            return Err(ShippedPack(id).into());
        }
        let ids: Vec<&str> = catalog.of_pack(&id).map(|q| q.id).collect();
        let (total, levels) = per_level(catalog.of_pack(&id).map(|q| q.level));
        let (version, referenced, schedules) = self.store().read(|db| {
            Ok::<_, Error>((
                db.team_pack_version(req.guild_id)?,
                db.referenced_questions(req.guild_id, &ids)?,
                db.schedules(req.guild_id)?,
            ))
        })?;
        // Schedules left with nothing to post: no question of another pack that is on
        // matches their topic.
        let orphaned: Vec<String> = schedules
            .iter()
            .filter(|s| s.status == crate::store::ScheduleStatus::Active)
            .filter(|s| {
                !catalog
                    .filter(None, s.topic.as_deref())
                    .any(|q| q.pack != &id)
            })
            .map(|s| format!("<#{}>", s.channel_id))
            .collect();
        let kept = referenced.len();
        let mut lines = vec![format!("{total} questions ({levels}).")];
        lines.push(if kept == 0 {
            "No score, session, evidence or history names its questions: all are deleted.".into()
        } else {
            format!(
                "{kept} of them are named by scores, sessions, evidence or history: they are kept, marked retired, so scorecards, lookups and old buttons still show them, and never asked again. The other {} are deleted.",
                total - kept
            )
        });
        if !orphaned.is_empty() {
            let more = orphaned.len().saturating_sub(NAMED_SCHEDULES);
            let mut named = orphaned
                .iter()
                .take(NAMED_SCHEDULES)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if more > 0 {
                named.push_str(&format!(" and {more} more"));
            }
            lines.push(format!(
                "Daily practice in {named} would have nothing left to post: it pauses at its next post."
            ));
        }
        lines.push("Nothing is removed until you press **Remove**.".into());
        let remove = self.action_id(
            req.guild_id,
            PackButton::Remove {
                pack: id.clone(),
                version,
            }
            .to_string(),
        )?;
        let keep = self.action_id(req.guild_id, PackButton::Keep.to_string())?;
        let card = Card {
            title: Some(truncate(
                &format!("Remove {} (`{id}`)?", view.info.title()),
                256,
            )),
            description: Some(lines.join("\n")),
            colour: Some(BOT_COLOUR),
            ..Card::default()
        };
        Ok(Outcome::private(
            Message::default()
                .card(card)
                .button("Remove", remove, ButtonStyle::Danger)
                .button("Keep it", keep, ButtonStyle::Secondary),
        ))
    }

    pub(crate) fn action_pack_remove(&self, req: &Request, pack: PackId, version: i64) -> Handled {
        let by = member(req)?.user_id;
        let now = self.now_ms();
        let dropped = self.store().write(|db| {
            if db.team_pack_version(req.guild_id)? != version {
                return Err(Error::from(ImportRefusal::Stale));
            }
            let dropped = db
                .remove_team_pack(req.guild_id, &pack, now)?
                .ok_or(ImportRefusal::Expired)?;
            let detail = format!(
                "{} retired, {} deleted",
                dropped.retired.len(),
                dropped.deleted.len()
            );
            db.audit(
                req.guild_id,
                by,
                action::PACK_REMOVED,
                pack.as_str(),
                &detail,
                now,
            )?;
            Ok(dropped)
        })?;
        let text = format!(
            "Removed the pack `{pack}`: {} questions deleted, {} kept as retired (scorecards and lookups still show them). Daily practice left with nothing to post pauses at its next post.",
            dropped.deleted.len(),
            dropped.retired.len(),
        );
        Ok(Outcome::new(vec![Effect::Update(Message::text(text))]))
    }

    pub(crate) fn action_pack_keep(&self, _req: &Request) -> Handled {
        Ok(Outcome::new(vec![Effect::Update(Message::text(
            "Kept: nothing was removed.",
        ))]))
    }
}
