//! What daily practice shows the framework: the `/daily` commands and their options, the
//! "Model answer" button of a daily post, the scheduler's jobs, and what is recorded after a
//! post or a reveal was delivered.

use crate::engine::Handled;
use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;

use super::records::Sent;
use crate::engine::action::{Action, ActionSpec, split};
use crate::engine::cards::LEVEL_CHOICES;
use crate::engine::command::{ChoiceSpec, CommandSpec, Completion, OptionSpec, Run};
use crate::engine::{
    Access, Ack, ChannelKind, Delivered, Engine, Error, Feature, JobKind, Permissions, Record,
    Request, ResolvedChannel, ResolvedRole, Visibility,
};
use crate::model::{GuildId, LevelPlan, PostId, ScheduleId};

/// The daily practice feature.
pub static FEATURE: Feature = Feature {
    name: "daily",
    commands: &[DAILY],
    actions: ACTIONS,
    due: Some(|engine, now| engine.daily_jobs(now)),
};

/// Channels a schedule can post in.
pub const POST_CHANNELS: &[ChannelKind] = &[ChannelKind::Text, ChannelKind::Announcement];

const CHANNEL: OptionSpec = OptionSpec::channel("The text or announcement channel", POST_CHANNELS);

/// A `/daily` subcommand: for interviewers, like the group.
const fn sub<O: Run>(name: &'static str, description: &'static str) -> CommandSpec {
    CommandSpec {
        access: Access::Interviewers,
        ..CommandSpec::leaf::<O>(name, description)
    }
}

const DAILY: CommandSpec = CommandSpec {
    default_permissions: Some(Permissions::MANAGE_GUILD),
    ..CommandSpec::group(
        "daily",
        "Daily practice: one question a day in a channel, the answer later",
        Access::Interviewers,
        &[
            sub::<SetOptions>(
                "set",
                "Post a question every day in a channel at a local time",
            ),
            sub::<OffOptions>("off", "Stop daily practice in a channel"),
            sub::<StatusOptions>(
                "status",
                "Every daily schedule of this server, with the next and last post",
            ),
            sub::<NowOptions>(
                "now",
                "Post an extra question in a channel now (not the day's post)",
            ),
            sub::<PreviewOptions>(
                "preview",
                "The next seven posts of a channel, with their levels",
            ),
        ],
    )
};

/// The levels a schedule can post: one level, or a ramp through the week.
const DAILY_LEVEL_CHOICES: &[ChoiceSpec] = &[
    ChoiceSpec {
        name: "Ramp: junior early in the week, mid mid-week, senior at its end",
        value: "ramp",
    },
    LEVEL_CHOICES[0],
    LEVEL_CHOICES[1],
    LEVEL_CHOICES[2],
];

crate::options! {
    /// `/daily set`
    pub struct SetOptions {
        channel: ResolvedChannel = CHANNEL,
        time: String = OptionSpec::text("Local time of day, HH:MM (24-hour), e.g. 09:00", 5),
        timezone: Option<String> = OptionSpec::text(
            "IANA time zone, e.g. Europe/Berlin (default: the server's, else UTC)",
            64,
        )
        .complete(Completion::Timezone),
        level: Option<LevelPlan> = OptionSpec::text(
            "Level of the questions (default: ramp through the week)",
            10,
        )
        .choices(DAILY_LEVEL_CHOICES),
        topic: Option<String> = OptionSpec::text("Only questions on this topic", 64)
            .complete(Completion::Topic),
        role: Option<ResolvedRole> = OptionSpec::role("A role to mention with each question"),
        reveal_after: Option<String> = OptionSpec::text(
            "When to reveal the answer, e.g. 12h, 90m, 1h30m (at most 24h; 0 = never)",
            12,
        ),
        days: Option<String> = OptionSpec::text(
            "every day (default), weekdays, or a list such as mon,wed,fri",
            60,
        ),
    }
}
crate::run_with!(SetOptions => Engine::cmd_daily_set);

/// Subcommands whose one option is the channel: the options struct and its handler.
macro_rules! channel_only {
    ($($(#[$meta:meta])* $name:ident => $handler:path;)+) => {$(
        crate::options! {
            $(#[$meta])*
            pub struct $name {
                channel: ResolvedChannel = CHANNEL,
            }
        }
        crate::run_with!($name => $handler);
    )+};
}

channel_only! {
    /// `/daily off`
    OffOptions => Engine::cmd_daily_off;
    /// `/daily now`
    NowOptions => Engine::cmd_daily_now;
    /// `/daily preview`
    PreviewOptions => Engine::cmd_daily_preview;
}

crate::options! {
    /// `/daily status`
    pub struct StatusOptions {}
}
crate::run_with!(StatusOptions => Engine::cmd_daily_status);

/// The button of a daily post. A stable format: posted buttons outlive the process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DailyButton {
    /// "Model answer": `d:answer:post:<post id>`. The post says the question, and where the
    /// button may be pressed (its server and channel).
    PostAnswer { post: PostId },
    /// "Model answer" as the first releases posted it: `d:answer:<question id>`. Still works
    /// on the daily post it was posted on (found by the pressed message's id), nowhere else.
    ModelAnswer { question: String },
}

const MODEL_ANSWER: &str = "d:answer";
/// What follows [`MODEL_ANSWER`] in the ids that name their post.
const POST: &str = "post:";

impl fmt::Display for DailyButton {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DailyButton::PostAnswer { post } => write!(f, "{MODEL_ANSWER}:{POST}{post}"),
            DailyButton::ModelAnswer { question } => write!(f, "{MODEL_ANSWER}:{question}"),
        }
    }
}

impl FromStr for DailyButton {
    type Err = Error;

    fn from_str(id: &str) -> Result<Self, Error> {
        match split(id) {
            (MODEL_ANSWER, args) => match args.strip_prefix(POST) {
                // Question ids never hold a colon, so `post:` is always a post.
                Some(post) => Ok(DailyButton::PostAnswer {
                    post: PostId(post.parse().map_err(|_| Error::UnknownAction)?),
                }),
                None => Ok(DailyButton::ModelAnswer {
                    question: args.trim().to_string(),
                }),
            },
            _ => Err(Error::UnknownAction),
        }
    }
}

impl Action for DailyButton {
    fn run(self, engine: &Engine, req: &Request) -> Handled {
        match self {
            DailyButton::PostAnswer { post } => engine.action_daily_answer(req, Some(post), None),
            DailyButton::ModelAnswer { question } => {
                engine.action_daily_answer(req, None, Some(question))
            }
        }
    }
}

static ACTIONS: &[ActionSpec] = &[ActionSpec::of::<DailyButton>(
    MODEL_ANSWER,
    Ack::Reply(Visibility::Private),
    Access::Everyone,
)];

/// The scheduler's work for daily practice, run as requests from the bot itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DailyJob {
    /// A schedule's post for a local day, claimed before it is sent.
    Post { schedule: ScheduleId, date: Date },
    /// A claimed post sent again (same question and nonce) after a failure.
    Resend { post: PostId },
    /// A claim left by a stopped process: look for the post before sending again.
    Settle { post: PostId },
    /// A post's answer, in a thread on it.
    Reveal { post: PostId },
}

impl JobKind for DailyJob {
    fn label(&self) -> &'static str {
        match self {
            DailyJob::Post { .. } => "daily post",
            DailyJob::Resend { .. } => "daily resend",
            DailyJob::Settle { .. } => "daily settle",
            DailyJob::Reveal { .. } => "daily reveal",
        }
    }

    fn run(&self, engine: &Engine, req: &Request) -> Handled {
        match *self {
            DailyJob::Post { schedule, date } => engine.job_daily_post(req, schedule, date),
            DailyJob::Resend { post } => engine.job_daily_resend(req, post),
            DailyJob::Settle { post } => engine.job_daily_settle(req, post),
            DailyJob::Reveal { post } => engine.job_daily_reveal(req, post),
        }
    }
}

/// A daily post was claimed; the effect sends it (or, when settling after a restart, finds
/// it).
#[derive(Debug)]
pub struct Posted {
    pub guild_id: GuildId,
    pub post: PostId,
    /// The effect looks the post up (after a restart) rather than sending it.
    pub settle: bool,
}

impl Record for Posted {
    fn record(&self, engine: &Engine, delivered: &Delivered) -> Result<(), Error> {
        let sent = Sent::Post {
            settle: self.settle,
        };
        engine.commit_daily(self.guild_id, self.post, sent, delivered)
    }
}

/// A daily reveal was claimed; the effect is its thread (or reply).
#[derive(Debug)]
pub struct Revealed {
    pub guild_id: GuildId,
    pub post: PostId,
}

impl Record for Revealed {
    fn record(&self, engine: &Engine, delivered: &Delivered) -> Result<(), Error> {
        engine.commit_daily(self.guild_id, self.post, Sent::Reveal, delivered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::action::check_ids;

    #[test]
    fn button_ids_round_trip() {
        check_ids(
            &[
                DailyButton::PostAnswer { post: PostId(42) },
                DailyButton::ModelAnswer {
                    question: "aws-s3-basics".into(),
                },
            ],
            ACTIONS,
        );
    }
}
