//! `/config`: the interviewer role, who may open rubrics (per server, per channel), the
//! server's time zone, and a summary of them.

use crate::engine::Handled;
use crate::engine::access::member;
use crate::engine::cards::BOT_COLOUR;
use crate::engine::command::{ChoiceSpec, CommandSpec, OptionSpec};
use crate::engine::rubric::{RubricAccess, RubricContext};
use crate::engine::{
    Access, Card, ChannelKind, Engine, Error, Feature, Message, Outcome, Permissions, Refusal,
    Request, ResolvedChannel, ResolvedRole,
};
use crate::model::UserId;
use crate::store::{AuditEntry, Db, StoreError, audit_action as action};
use crate::text::{escape, quote, truncate};
use crate::time::timestamp_utc;

/// The server settings feature: `/config`.
pub static FEATURE: Feature = Feature {
    name: "config",
    commands: &[CONFIG],
    actions: &[],
    due: None,
};

const CONFIG: CommandSpec = CommandSpec {
    // Discord hides the command from members without Manage Server until an admin changes it;
    // the engine checks access again anyway.
    default_permissions: Some(Permissions::MANAGE_GUILD),
    ..CommandSpec::group(
        "config",
        "Server settings: interviewer role, who sees rubrics, time zone, audit trail",
        Access::Managers,
        &[
            CommandSpec {
                access: Access::Managers,
                ..CommandSpec::leaf::<RoleOptions>(
                    "interviewer-role",
                    "Set the role whose members may score candidates and open rubrics",
                )
            },
            CommandSpec {
                access: Access::Managers,
                ..CommandSpec::leaf::<RubricOptions>(
                    "rubric-access",
                    "Who may open model answers outside sessions, server-wide or in one channel",
                )
            },
            CommandSpec {
                access: Access::Managers,
                ..CommandSpec::leaf::<TimezoneOptions>(
                    "timezone",
                    "Set the server's time zone (IANA name such as Europe/Berlin)",
                )
            },
            CommandSpec {
                access: Access::Managers,
                ..CommandSpec::leaf::<SuggestionsOptions>(
                    "suggestions",
                    "Allow or stop members' question suggestions",
                )
            },
            CommandSpec {
                access: Access::Managers,
                ..CommandSpec::leaf::<ShowOptions>("show", "Show the server's settings")
            },
            CommandSpec {
                access: Access::Managers,
                ..CommandSpec::leaf::<AuditOptions>(
                    "audit",
                    "Recent changes of settings and deletions: who, what and when",
                )
            },
        ],
    )
};

const ACCESS_CHOICES: &[ChoiceSpec] = &[
    ChoiceSpec {
        name: "Everyone in the channel",
        value: "everyone",
    },
    ChoiceSpec {
        name: "Interviewers only",
        value: "interviewers",
    },
];

crate::options! {
    /// `/config interviewer-role role:<role>`
    pub struct RoleOptions {
        role: ResolvedRole = OptionSpec::role("The interviewers' role"),
    }
}
crate::run_with!(RoleOptions => Engine::cmd_config_role);

crate::options! {
    /// `/config rubric-access access:<everyone|interviewers> [channel:<channel>]`
    pub struct RubricOptions {
        access: RubricAccess = OptionSpec::text("Everyone, or interviewers only", 20)
            .choices(ACCESS_CHOICES),
        channel: Option<ResolvedChannel> = OptionSpec::channel(
            "Only this channel (default: the whole server)",
            &[
                ChannelKind::Text,
                ChannelKind::Announcement,
                ChannelKind::Thread,
                ChannelKind::Voice,
            ],
        ),
    }
}
crate::run_with!(RubricOptions => Engine::cmd_config_rubric);

crate::options! {
    /// `/config timezone zone:<IANA name>`
    pub struct TimezoneOptions {
        zone: String = OptionSpec::text("An IANA time zone name, e.g. Europe/Berlin or UTC", 64),
    }
}
crate::run_with!(TimezoneOptions => Engine::cmd_config_timezone);

crate::options! {
    /// `/config suggestions allow:<bool>`
    pub struct SuggestionsOptions {
        allow: bool = OptionSpec::boolean("Whether members may suggest questions with /suggest"),
    }
}
crate::run_with!(SuggestionsOptions => Engine::cmd_config_suggestions);

crate::options! {
    /// `/config show`
    pub struct ShowOptions {}
}
crate::run_with!(ShowOptions => Engine::cmd_config_show);

crate::options! {
    /// `/config audit`
    pub struct AuditOptions {}
}
crate::run_with!(AuditOptions => Engine::cmd_config_audit);

/// How many entries `/config audit` shows.
pub const AUDIT_SHOWN: u32 = 25;

/// Whether `zone` is a time zone the bundled tz database knows (`Europe/Berlin`, `UTC`).
pub fn valid_timezone(zone: &str) -> bool {
    crate::time::zone(zone).is_some()
}

impl Engine {
    /// Changes a setting as the requesting member with `set` (given their id and the time)
    /// and records it in the audit trail as (action, subject, detail), in one transaction.
    fn audited(
        &self,
        req: &Request,
        (action, subject, detail): (&str, &str, &str),
        set: impl FnOnce(&Db<'_>, UserId, i64) -> Result<(), StoreError>,
    ) -> Result<(), Error> {
        let by = member(req)?.user_id;
        let now = self.now_ms();
        self.store().write(|db| {
            set(db, by, now)?;
            db.audit(req.guild_id, by, action, subject, detail, now)?;
            Ok(())
        })
    }

    pub(crate) fn cmd_config_role(&self, req: &Request, opts: RoleOptions) -> Handled {
        let role: ResolvedRole = opts.role;
        self.audited(
            req,
            (action::INTERVIEWER_ROLE, &role.id.to_string(), ""),
            |db, by, now| db.set_interviewer_role(req.guild_id, Some(role.id), by, now),
        )?;
        Ok(Outcome::private(Message::text(format!(
            "Interviewers are now members with <@&{}> (and anyone with Manage Server). They can score candidates, run sessions, look up scorecards and open rubrics.\n\
             Discord shows /score, /interview, /recommend, /scores and /pack only to members with Manage Server until you allow the role for them: Server Settings → Integrations → the bot.",
            role.id
        ))))
    }

    pub(crate) fn cmd_config_rubric(&self, req: &Request, opts: RubricOptions) -> Handled {
        let access = opts.access;
        let channel: Option<ResolvedChannel> = opts.channel;
        let target = channel.as_ref().map(|c| c.id);
        let subject = channel.as_ref().map_or(String::new(), |c| c.id.to_string());
        self.audited(
            req,
            (action::RUBRIC_ACCESS, &subject, access.as_str()),
            |db, by, now| db.set_rubric_access(req.guild_id, target, access, by, now),
        )?;
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

    pub(crate) fn cmd_config_timezone(&self, req: &Request, opts: TimezoneOptions) -> Handled {
        let zone: String = opts.zone;
        if !valid_timezone(&zone) {
            return Err(NotAZone { zone }.into());
        }
        self.audited(req, (action::TIMEZONE, "", &zone), |db, by, now| {
            db.set_guild_timezone(req.guild_id, &zone, by, now)
        })?;
        Ok(Outcome::private(Message::text(format!(
            "The server's time zone is now `{zone}` (used for daily posts)."
        ))))
    }

    pub(crate) fn cmd_config_suggestions(
        &self,
        req: &Request,
        opts: SuggestionsOptions,
    ) -> Handled {
        let allow = opts.allow;
        let detail = if allow { "on" } else { "off" };
        self.audited(req, (action::SUGGESTIONS, "", detail), |db, by, now| {
            db.set_suggestions_allowed(req.guild_id, allow, by, now)
        })?;
        Ok(Outcome::private(Message::text(if allow {
            "Members may now suggest questions with `/suggest question` (at most 3 waiting each). Interviewers review them with `/pack suggestions`."
        } else {
            "Members can no longer suggest questions. Suggestions already made stay in `/pack suggestions`."
        })))
    }

    pub(crate) fn cmd_config_show(&self, req: &Request, _opts: ShowOptions) -> Handled {
        let (role, zone, rubric, suggestions) = self.store().read(|db| {
            Ok::<_, Error>((
                db.interviewer_role(req.guild_id)?,
                db.guild_timezone(req.guild_id)?,
                db.rubric_settings(req.guild_id)?,
                db.suggestions_allowed(req.guild_id)?,
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
        .field("Time zone", zone, false)
        .field(
            "Suggestions",
            if suggestions {
                "members may suggest questions (`/suggest question`)"
            } else {
                "off (`/config suggestions allow:true` lets members suggest questions)"
            },
            false,
        );
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
        action::SCORES_EXPORTED => format!("exported the scores ({})", escape(&e.detail)),
        action::PACK_ON => format!("switched the pack `{}` on", escape(&e.subject)),
        action::PACK_OFF => format!("switched the pack `{}` off", escape(&e.subject)),
        action::PACK_EXPORTED => format!("exported the pack `{}`", escape(&e.subject)),
        action::PACK_IMPORTED => format!(
            "imported the pack `{}` ({})",
            escape(&e.subject),
            escape(&e.detail)
        ),
        action::SUGGESTIONS => format!("turned suggestions {}", escape(&e.detail)),
        action::SUGGESTION_APPROVED => format!(
            "approved suggestion #{} ({})",
            escape(&e.subject),
            escape(&e.detail)
        ),
        action::SUGGESTION_REJECTED => format!("rejected suggestion #{}", escape(&e.subject)),
        action::PACK_REMOVED => format!(
            "removed the pack `{}` ({})",
            escape(&e.subject),
            escape(&e.detail)
        ),
        other => format!("{} {}", escape(other), escape(&e.detail)),
    };
    format!("`{}` <@{}> {what}", timestamp_utc(e.at), e.actor_id)
}

impl Engine {
    pub(crate) fn cmd_config_audit(&self, req: &Request, _opts: AuditOptions) -> Handled {
        let entries = self
            .store
            .read(|db| db.audit_recent(req.guild_id, AUDIT_SHOWN))?;
        if entries.is_empty() {
            return Ok(Outcome::private(Message::text(
                "The audit trail is empty: no settings have been changed, no scores exported and no candidate deleted in this server yet.",
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

/// `/config timezone` with a name that is no IANA time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAZone {
    pub zone: String,
}

impl Refusal for NotAZone {
    fn kind(&self) -> &'static str {
        "time zone"
    }

    fn user_message(&self) -> String {
        format!(
            "{} is not a time zone name: use an IANA name such as `Europe/Berlin`, `America/New_York` or `UTC`.",
            quote(&self.zone)
        )
    }
}
