//! What daily practice shows: a post's card with its recovery footer, and a schedule's card.

use super::surface::DailyButton;
use crate::bank::Question;
use crate::engine::cards::{MODEL_ANSWER_LABEL, question_card};
use crate::engine::{ButtonStyle, Card, Catalog, Engine, Error, Message};
use crate::model::{GuildId, PostId};
use crate::store::{Schedule, ScheduleStatus};
use crate::time::{describe_duration, describe_instant, discord_timestamp};

impl Engine {
    /// A daily post's card: the question card, with a "Model answer" that everyone may open
    /// (the answer is revealed to the channel later anyway).
    /// Its button names the post, which says the question and where it may be pressed.
    pub(super) fn daily_card(
        &self,
        catalog: &Catalog<'_>,
        guild_id: GuildId,
        post: PostId,
        q: &Question,
    ) -> Result<Message, Error> {
        let card = question_card(
            &format!(
                "Daily practice · {} · {}",
                q.level.title(),
                catalog.topic_name(&q.topic)
            ),
            &q.prompt,
            q.level,
            daily_footer(&q.id),
        );
        let answer = self.action_id(guild_id, DailyButton::PostAnswer { post }.to_string())?;
        Ok(Message::default()
            .card(card)
            .button(MODEL_ANSWER_LABEL, answer, ButtonStyle::Primary))
    }

    /// One schedule for `/daily set` and `/daily status`.
    pub(super) fn schedule_card(&self, s: &Schedule, now: i64) -> Card {
        let topic = s
            .topic
            .as_deref()
            .map_or("any topic".to_string(), |t| self.topic_name(s.guild_id, t));
        let mut lines = vec![
            format!(
                "**When:** {} {} ({})",
                s.post_time,
                s.timezone,
                s.days.describe()
            ),
            format!("**Level:** {} · **Topic:** {topic}", s.level.describe()),
            format!(
                "**Answer:** {}",
                match s.reveal_after_s {
                    0 => "not revealed".to_string(),
                    n => format!(
                        "revealed {} after the post, in a thread",
                        describe_duration(n)
                    ),
                }
            ),
        ];
        if let Some(role) = s.role_id {
            lines.push(format!("**Mentions:** <@&{role}>"));
        }
        match s.status {
            ScheduleStatus::Paused => lines.push(format!(
                "**Paused:** {}. Fix it, then run `/daily set` again.",
                s.paused_reason
                    .as_deref()
                    .unwrap_or("Discord refused the last post")
            )),
            _ => {
                if let Some((_, at)) = s.upcoming(now, 1, true).first() {
                    lines.push(format!(
                        "**Next post:** {} ({})",
                        discord_timestamp(*at, 'F'),
                        describe_instant(s.timezone.tz(), *at)
                    ));
                }
                if s.failing_since.is_some() {
                    lines.push(
                        "**Retrying:** the last attempt failed on Discord's side; trying again shortly."
                            .into(),
                    );
                }
            }
        }
        if let Ok(Some(last)) = self.store.read(|db| db.last_post(s.guild_id, s.channel_id)) {
            let when = last.posted_at.unwrap_or(last.claimed_at);
            lines.push(format!(
                "**Last post:** {} · `{}`",
                discord_timestamp(when, 'R'),
                last.question_id
            ));
        }
        Card {
            title: Some(format!("#{}", s.channel_name)),
            description: Some(lines.join("\n")),
            colour: Some(crate::engine::BOT_COLOUR),
            ..Card::default()
        }
    }
}

/// The end of every daily post's footer, after the question id. It is also the key a
/// restarted process finds its post by ([`FindPost`](crate::engine::Effect::FindPost) compares
/// the whole footer), so posts made before an upgrade must still match: never reword it (a
/// test pins it).
pub const FOOTER_RECOVERY_KEY: &str = " · daily practice · the answer follows in a thread";

/// The footer of a daily post: also how a stopped process's post is recognised in the channel.
pub(super) fn daily_footer(question_id: &str) -> String {
    format!("{question_id}{FOOTER_RECOVERY_KEY}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_footer_recovery_key_is_the_one_posts_have_always_carried() {
        // Posts made by earlier releases are found after a restart by this exact text.
        assert_eq!(
            FOOTER_RECOVERY_KEY,
            " · daily practice · the answer follows in a thread"
        );
    }
}
