//! `/daily set|off|status|now|preview`.

use super::DEFAULT_REVEAL_S;
use super::surface::{NowOptions, OffOptions, PreviewOptions, SetOptions, StatusOptions};
use crate::bank::Level;
use crate::engine::Handled;
use crate::engine::access::member;
use crate::engine::catalog::no_questions;
use crate::engine::{
    Card, Effect, Engine, Error, Message, Outcome, Permissions, Request, ResolvedChannel,
    ResolvedRole, Visibility,
};
use crate::model::{LevelPlan, PostKind};
use crate::store::{NewSchedule, Schedule, ScheduleStatus};
use crate::time::{self, Days, TimeOfDay, Zone, describe_instant, discord_timestamp};

/// What a schedule needs to do its work in a channel, and why.
const NEEDED: &[(u64, &str)] = &[
    (Permissions::VIEW_CHANNEL, "View Channel"),
    (Permissions::SEND_MESSAGES, "Send Messages"),
    (Permissions::EMBED_LINKS, "Embed Links"),
    (Permissions::READ_MESSAGE_HISTORY, "Read Message History"),
    (Permissions::CREATE_PUBLIC_THREADS, "Create Public Threads"),
    (
        Permissions::SEND_MESSAGES_IN_THREADS,
        "Send Messages in Threads",
    ),
];

impl Engine {
    pub(super) fn cmd_daily_set(&self, req: &Request, opts: SetOptions) -> Handled {
        let channel: ResolvedChannel = opts.channel;
        let time_text: String = opts.time;
        let post_time = TimeOfDay::parse(&time_text).ok_or(Error::InvalidTime(time_text))?;
        let zone_name = match opts.timezone {
            Some(z) => z,
            None => self
                .store
                .read(|db| db.guild_timezone(req.guild_id))?
                .unwrap_or_else(|| "UTC".into()),
        };
        let zone = Zone::named(&zone_name).ok_or_else(|| Error::UnknownZone {
            suggestions: time::suggest_zones(&zone_name, 3),
            name: zone_name.clone(),
        })?;
        let level = opts.level.unwrap_or(LevelPlan::Ramp);
        let topic = opts.topic.map(|t| t.to_lowercase());
        let catalog = self.catalog(req.guild_id)?;
        if let Some(t) = &topic {
            self.check_topic(&catalog, t)?;
        }
        // Every level the schedule will post at needs questions.
        let levels: Vec<Level> = match level {
            LevelPlan::Fixed(l) => vec![l],
            LevelPlan::Ramp => Level::ALL.to_vec(),
        };
        for l in levels {
            if catalog.filter(Some(l), topic.as_deref()).next().is_none() {
                return Err(no_questions(&catalog, l, topic.as_deref()));
            }
        }
        let role: Option<ResolvedRole> = opts.role;
        let reveal_after_s = match opts.reveal_after {
            Some(d) => time::parse_duration(&d).ok_or(Error::InvalidDuration(d))?,
            None => DEFAULT_REVEAL_S,
        };
        let days = match opts.days {
            Some(d) => time::parse_days(&d).ok_or(Error::InvalidDays(d))?,
            None => Days::EVERY_DAY,
        };
        let missing = missing_permissions(&channel, role.as_ref());
        if !missing.is_empty() {
            return Err(Error::BotLacksPermissions {
                channel: channel.name.clone(),
                missing,
            });
        }
        let now = self.clock.now_ms();
        let by = member(req)?.user_id;
        let audited = format!(
            "{post_time} {zone_name}, {}, level {}{}{}",
            days.describe(),
            level.as_str(),
            topic
                .as_deref()
                .map_or(String::new(), |t| format!(", topic {t}")),
            role.as_ref()
                .map_or(String::new(), |r| format!(", pings <@&{}>", r.id)),
        );
        let stored = self.store.write(|db| {
            db.audit(
                req.guild_id,
                by,
                crate::store::audit_action::DAILY_SET,
                &channel.id.to_string(),
                &audited,
                now,
            )?;
            db.set_schedule(&NewSchedule {
                guild_id: req.guild_id,
                channel_id: channel.id,
                channel_name: &channel.name,
                post_time,
                timezone: &zone,
                level,
                topic: topic.as_deref(),
                role_id: role.as_ref().map(|r| r.id),
                reveal_after_s,
                days,
                by,
                at_ms: now,
            })
        })?;
        self.wake_scheduler();
        let mut card = self.schedule_card(&stored, now);
        card.title = Some(format!("Daily practice set for #{}", channel.name));
        let mut message = Message::default().card(card);
        if channel.bot_permissions.is_none() {
            message.content = Some(format!(
                "I cannot see my own permissions in #{} from here; I will check before each post, and `/daily status` will say if something is missing.",
                channel.name
            ));
        }
        Ok(Outcome::private(message))
    }

    pub(super) fn cmd_daily_off(&self, req: &Request, opts: OffOptions) -> Handled {
        let channel: ResolvedChannel = opts.channel;
        let now = self.clock.now_ms();
        let by = member(req)?.user_id;
        let was = self.store.write(|db| {
            let was = db.schedule_off(req.guild_id, channel.id, now)?;
            if was {
                db.audit(
                    req.guild_id,
                    by,
                    crate::store::audit_action::DAILY_OFF,
                    &channel.id.to_string(),
                    "",
                    now,
                )?;
            }
            Ok::<_, Error>(was)
        })?;
        self.wake_scheduler();
        if !was {
            return Err(Error::NoSchedule(channel.name));
        }
        Ok(Outcome::private(Message::text(format!(
            "Daily practice in #{} is off. Today's post, if there was one, stays where it is.",
            channel.name
        ))))
    }

    pub(super) fn cmd_daily_status(&self, req: &Request, _opts: StatusOptions) -> Handled {
        let schedules = self.store.read(|db| db.schedules(req.guild_id))?;
        if schedules.is_empty() {
            return Ok(Outcome::private(Message::text(
                "No daily practice in this server yet. Start one with `/daily set channel:#channel time:09:00`.",
            )));
        }
        let now = self.clock.now_ms();
        let mut message = Message::default();
        for s in schedules.into_iter().take(10) {
            message.cards.push(self.schedule_card(&s, now));
        }
        Ok(Outcome::private(message))
    }

    pub(super) fn cmd_daily_now(&self, req: &Request, opts: NowOptions) -> Handled {
        let channel: ResolvedChannel = opts.channel;
        let s = self.channel_schedule(req, &channel)?;
        let now = self.clock.now_ms();
        let today =
            time::local_date(s.timezone.tz(), now).ok_or_else(|| Error::Internal("date".into()))?;
        let level = s.level.on(today.weekday());
        let catalog = self.catalog(req.guild_id)?;
        if catalog
            .filter(Some(level), s.topic.as_deref())
            .next()
            .is_none()
        {
            return Err(no_questions(&catalog, level, s.topic.as_deref()));
        }
        let mut outcome = self
            .post_daily(&s, level, PostKind::Extra, today, now)?
            .ok_or_else(|| Error::Internal("an extra daily post was not claimed".into()))?;
        outcome.effects.push(Effect::reply(
            Visibility::Private,
            Message::text(format!(
                "An extra question is going to #{}; it does not count as the day's post. `/daily status` shows the last post.",
                channel.name
            )),
        ));
        Ok(outcome)
    }

    pub(super) fn cmd_daily_preview(&self, req: &Request, opts: PreviewOptions) -> Handled {
        let channel: ResolvedChannel = opts.channel;
        let s = self.channel_schedule(req, &channel)?;
        let now = self.clock.now_ms();
        let lines: Vec<String> = s
            .upcoming(now, 7, false)
            .into_iter()
            .map(|(date, at)| {
                format!(
                    "• {} · {} ({})",
                    discord_timestamp(at, 'F'),
                    s.level.on(date.weekday()).title(),
                    describe_instant(s.timezone.tz(), at)
                )
            })
            .collect();
        Ok(Outcome::private(Message::default().card(Card {
            title: Some(format!("The next posts in #{}", s.channel_name)),
            description: Some(lines.join("\n")),
            colour: Some(crate::engine::BOT_COLOUR),
            ..Card::default()
        })))
    }

    /// The channel's schedule (not turned off), or the error that says there is none.
    fn channel_schedule(
        &self,
        req: &Request,
        channel: &ResolvedChannel,
    ) -> Result<Schedule, Error> {
        self.store
            .read(|db| db.schedule_in(req.guild_id, channel.id))?
            .filter(|s| s.status != ScheduleStatus::Off)
            .ok_or_else(|| Error::NoSchedule(channel.name.clone()))
    }
}

/// What the bot lacks in a channel for a schedule (empty when it has it all, or when its
/// permissions there are not known).
fn missing_permissions(
    channel: &ResolvedChannel,
    role: Option<&ResolvedRole>,
) -> Vec<&'static str> {
    let Some(perms) = channel.bot_permissions else {
        return Vec::new();
    };
    if perms.has(Permissions::ADMINISTRATOR) {
        return Vec::new();
    }
    let mut missing: Vec<&'static str> = NEEDED
        .iter()
        .filter(|(bit, _)| !perms.has(*bit))
        .map(|(_, name)| *name)
        .collect();
    if let Some(r) = role
        && !r.mentionable
        && !perms.has(Permissions::MENTION_EVERYONE)
    {
        missing.push("Mention @everyone, @here and All Roles (the role is not mentionable)");
    }
    missing
}
