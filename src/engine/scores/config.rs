//! `/config`: the interviewer role, who may open rubrics (per server, per channel), the
//! server's time zone, and a summary of them.

use super::super::commands::Args;
use super::super::error::ScoreError;
use super::super::request::{ResolvedChannel, ResolvedRole};
use super::super::rubric::{RubricAccess, RubricContext};
use super::super::{Card, Engine, Error, Message, Outcome, Request, help::BOT_COLOUR};
use super::{member, timestamp_utc};
use crate::store::{AuditEntry, audit_action as action};
use crate::text::{escape, truncate};

/// How many entries `/config audit` shows.
pub const AUDIT_SHOWN: u32 = 25;

/// Whether `zone` is a time zone the bundled tz database knows (`Europe/Berlin`, `UTC`).
pub fn valid_timezone(zone: &str) -> bool {
    crate::engine::daily::time::zone(zone).is_some()
}

impl Engine {
    pub(in crate::engine) fn cmd_config_role(
        &self,
        req: &Request,
        args: &Args,
    ) -> Result<Outcome, Error> {
        let role: ResolvedRole = args.require("role")?;
        let by = member(req)?.user_id;
        let now = self.clock.now_ms();
        self.store.write(|db| {
            db.set_interviewer_role(req.guild_id, Some(role.id), by, now)?;
            db.audit(
                req.guild_id,
                by,
                action::INTERVIEWER_ROLE,
                &role.id.to_string(),
                "",
                now,
            )
        })?;
        Ok(Outcome::private(Message::text(format!(
            "Interviewers are now members with <@&{}> (and anyone with Manage Server). They can score candidates, run sessions, look up scorecards and open rubrics.\n\
             Discord shows /score, /interview, /recommend and /scores only to members with Manage Server until you allow the role for them: Server Settings → Integrations → the bot.",
            role.id
        ))))
    }

    pub(in crate::engine) fn cmd_config_rubric(
        &self,
        req: &Request,
        args: &Args,
    ) -> Result<Outcome, Error> {
        let access: String = args.require("access")?;
        let access =
            RubricAccess::parse(&access).ok_or_else(|| Error::Internal("access choice".into()))?;
        let channel: Option<ResolvedChannel> = args.get("channel")?;
        let by = member(req)?.user_id;
        let now = self.clock.now_ms();
        let target = channel.as_ref().map(|c| c.id);
        self.store.write(|db| {
            db.set_rubric_access(req.guild_id, target, access, by, now)?;
            let subject = channel.as_ref().map_or(String::new(), |c| c.id.to_string());
            db.audit(
                req.guild_id,
                by,
                action::RUBRIC_ACCESS,
                &subject,
                access.as_str(),
                now,
            )
        })?;
        let whom = match access {
            RubricAccess::Everyone => "anyone who asks",
            RubricAccess::Interviewers => "interviewers only",
        };
        let place = match &channel {
            Some(c) => format!("in <#{}>", c.id),
            None => "in this server (channels with their own setting keep it)".to_string(),
        };
        Ok(Outcome::private(Message::text(format!(
            "Model answers outside interview sessions are now for {whom} {place}. Inside sessions they are always for interviewers only."
        ))))
    }

    pub(in crate::engine) fn cmd_config_timezone(
        &self,
        req: &Request,
        args: &Args,
    ) -> Result<Outcome, Error> {
        let zone: String = args.require("zone")?;
        if !valid_timezone(&zone) {
            return Err(ScoreError::Timezone { zone }.into());
        }
        let by = member(req)?.user_id;
        let now = self.clock.now_ms();
        self.store.write(|db| {
            db.set_guild_timezone(req.guild_id, &zone, by, now)?;
            db.audit(req.guild_id, by, action::TIMEZONE, "", &zone, now)
        })?;
        Ok(Outcome::private(Message::text(format!(
            "The server's time zone is now `{zone}` (used for daily posts)."
        ))))
    }

    pub(in crate::engine) fn cmd_config_show(
        &self,
        req: &Request,
        _args: &Args,
    ) -> Result<Outcome, Error> {
        let (role, zone, rubric) = self.store.read(|db| {
            Ok::<_, Error>((
                db.interviewer_role(req.guild_id)?,
                db.guild_timezone(req.guild_id)?,
                db.rubric_settings(req.guild_id)?,
            ))
        })?;
        let role = role.map_or_else(
            || "none set: only members with Manage Server count as interviewers (`/config interviewer-role`)".to_string(),
            |r| format!("<@&{r}> (and members with Manage Server)"),
        );
        let zone = zone.map_or_else(|| "not set (UTC)".to_string(), |z| format!("`{z}`"));
        let default = rubric.iter().find(|(c, _)| c.is_none()).map(|(_, a)| *a);
        let mut rubric_lines = vec![match default {
            Some(a) => format!("Server: {a}"),
            None => format!(
                "Server: not set (interviewers for /question and /answer, {} for daily practice)",
                RubricContext::Daily.default_access().as_str()
            ),
        }];
        for (c, a) in rubric.iter().filter_map(|(c, a)| c.map(|c| (c, a))) {
            rubric_lines.push(format!("<#{c}>: {a}"));
        }
        rubric_lines.push("Inside interview sessions: interviewers only, always".into());
        let card = Card {
            title: Some("Server settings".into()),
            colour: Some(BOT_COLOUR),
            ..Card::default()
        }
        .field("Interviewers", role, false)
        .field("Model answers", rubric_lines.join("\n"), false)
        .field("Time zone", zone, false);
        Ok(Outcome::private(Message::default().card(card)))
    }
}

/// One audit entry as a line: when (UTC), who, what.
pub fn describe_audit(e: &AuditEntry) -> String {
    let what = match e.action.as_str() {
        action::INTERVIEWER_ROLE => format!("set the interviewer role to <@&{}>", e.subject),
        action::RUBRIC_ACCESS => format!(
            "set model answers {} to {}",
            if e.subject.is_empty() {
                "for the server".to_string()
            } else {
                format!("in <#{}>", e.subject)
            },
            match e.detail.as_str() {
                "everyone" => "everyone",
                _ => "interviewers only",
            }
        ),
        action::TIMEZONE => format!("set the time zone to `{}`", escape(&e.detail)),
        action::DAILY_SET => format!(
            "set daily practice in <#{}>: {}",
            e.subject,
            // Made by the engine from checked values (time, zone, days, level, topic, role).
            e.detail
        ),
        action::DAILY_OFF => format!("turned daily practice off in <#{}>", e.subject),
        action::CANDIDATE_DELETED => format!("deleted a candidate ({})", escape(&e.detail)),
        other => format!("{} {}", escape(other), escape(&e.detail)),
    };
    format!("`{}` <@{}> {what}", timestamp_utc(e.at), e.actor_id)
}

impl Engine {
    pub(in crate::engine) fn cmd_config_audit(
        &self,
        req: &Request,
        _args: &Args,
    ) -> Result<Outcome, Error> {
        let entries = self
            .store
            .read(|db| db.audit_recent(req.guild_id, AUDIT_SHOWN))?;
        if entries.is_empty() {
            return Ok(Outcome::private(Message::text(
                "The audit trail is empty: no settings have been changed and no candidate deleted in this server yet.",
            )));
        }
        // Whole lines only, within an embed description's 4096 characters.
        let mut text = String::new();
        let mut shown = 0;
        for line in entries.iter().map(|e| truncate(&describe_audit(e), 300)) {
            if text.chars().count() + line.chars().count() + 1 > 3900 {
                break;
            }
            text.push_str(&line);
            text.push('\n');
            shown += 1;
        }
        let card = Card {
            title: Some("Audit trail".into()),
            description: Some(text.trim_end().to_string()),
            colour: Some(BOT_COLOUR),
            footer: Some(format!(
                "The {shown} newest changes of settings and deletions, newest first; times UTC."
            )),
            ..Card::default()
        };
        Ok(Outcome::private(Message::default().card(card)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zone_names_are_checked_against_the_tz_database() {
        for ok in [
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
        ] {
            assert!(valid_timezone(ok), "{ok}");
        }
        for bad in [
            "",
            "Berlin",
            "Mars/Olympus",
            "Europe/",
            "Europe/Ber lin",
            "Europe/../etc",
        ] {
            assert!(!valid_timezone(bad), "{bad}");
        }
    }
}
