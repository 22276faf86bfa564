//! The scorecard commands, listed once each in [`crate::engine::COMMANDS`].

use super::super::Engine;
use super::super::access::Access;
use super::super::commands::{
    Answer, ChoiceSpec, CommandSpec, Completion, LEVEL_CHOICES, OptionKind, OptionSpec,
};
use super::super::request::{ChannelKind, Permissions};
use super::{RATING_CHOICES, RECOMMENDATION_CHOICES};

/// Discord hides these commands from members without Manage Server until an admin allows the
/// interviewer role (Server Settings, Integrations); the engine checks access again anyway.
const HIDDEN: Option<u64> = Some(Permissions::MANAGE_GUILD);

const fn text(
    name: &'static str,
    description: &'static str,
    max_len: u16,
    required: bool,
) -> OptionSpec {
    OptionSpec {
        name,
        description,
        kind: OptionKind::Text { max_len },
        required,
        choices: &[],
        completion: None,
    }
}

const CANDIDATE: OptionSpec = OptionSpec {
    completion: Some(Completion::Candidate),
    ..text(
        "candidate",
        "The candidate's name (1-100 characters)",
        100,
        true,
    )
};

const RECOMMENDATION: OptionSpec = OptionSpec {
    choices: RECOMMENDATION_CHOICES,
    ..text(
        "recommendation",
        "Your overall recommendation for the candidate",
        20,
        true,
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

const fn group(
    name: &'static str,
    description: &'static str,
    access: Access,
    subcommands: &'static [CommandSpec],
) -> CommandSpec {
    CommandSpec {
        name,
        description,
        options: &[],
        subcommands,
        handler: None,
        access,
        answer: Answer::Private,
        default_permissions: HIDDEN,
    }
}

const fn sub(
    name: &'static str,
    description: &'static str,
    access: Access,
    options: &'static [OptionSpec],
    handler: super::super::commands::Handler,
) -> CommandSpec {
    CommandSpec {
        access,
        ..CommandSpec::leaf(name, description, options, handler)
    }
}

pub const CONFIG: CommandSpec = group(
    "config",
    "Server settings: interviewer role, who sees rubrics, time zone, audit trail",
    Access::Managers,
    &[
        sub(
            "interviewer-role",
            "Set the role whose members may score candidates and open rubrics",
            Access::Managers,
            &[OptionSpec {
                name: "role",
                description: "The interviewers' role",
                kind: OptionKind::Role,
                required: true,
                choices: &[],
                completion: None,
            }],
            Engine::cmd_config_role,
        ),
        sub(
            "rubric-access",
            "Who may open model answers outside interview sessions, for the server or one channel",
            Access::Managers,
            &[
                OptionSpec {
                    choices: ACCESS_CHOICES,
                    ..text("access", "Everyone, or interviewers only", 20, true)
                },
                OptionSpec {
                    name: "channel",
                    description: "Only this channel (default: the whole server)",
                    kind: OptionKind::Channel {
                        kinds: &[
                            ChannelKind::Text,
                            ChannelKind::Announcement,
                            ChannelKind::Thread,
                            ChannelKind::Voice,
                        ],
                    },
                    required: false,
                    choices: &[],
                    completion: None,
                },
            ],
            Engine::cmd_config_rubric,
        ),
        sub(
            "timezone",
            "Set the server's time zone (IANA name such as Europe/Berlin)",
            Access::Managers,
            &[text(
                "zone",
                "An IANA time zone name, e.g. Europe/Berlin or UTC",
                64,
                true,
            )],
            Engine::cmd_config_timezone,
        ),
        sub(
            "show",
            "Show the server's settings",
            Access::Managers,
            &[],
            Engine::cmd_config_show,
        ),
        sub(
            "audit",
            "Recent changes of settings and deletions: who, what and when",
            Access::Managers,
            &[],
            Engine::cmd_config_audit,
        ),
    ],
);

pub const SCORE: CommandSpec = CommandSpec {
    access: Access::Interviewers,
    default_permissions: HIDDEN,
    ..CommandSpec::leaf(
        "score",
        "Score a candidate's answer to a question (1 Strong no to 4 Strong yes)",
        &[
            CANDIDATE,
            OptionSpec {
                completion: Some(Completion::QuestionId),
                ..text("question", "The question's id", 64, true)
            },
            OptionSpec {
                choices: RATING_CHOICES,
                ..text("rating", "Your rating on the anchored scale", 2, true)
            },
            text(
                "notes",
                "What the candidate said, for the scorecard (up to 1000 characters)",
                1000,
                false,
            ),
        ],
        Engine::cmd_score,
    )
};

pub const RECOMMEND: CommandSpec = CommandSpec {
    access: Access::Interviewers,
    default_permissions: HIDDEN,
    ..CommandSpec::leaf(
        "recommend",
        "Set or change your overall recommendation for a candidate",
        &[CANDIDATE, RECOMMENDATION],
        Engine::cmd_recommend,
    )
};

pub const INTERVIEW: CommandSpec = group(
    "interview",
    "Run a guided interview in this channel: questions one at a time, rating buttons",
    Access::Interviewers,
    &[
        sub(
            "start",
            "Start an interview session with a candidate in this channel",
            Access::Interviewers,
            &[
                CANDIDATE,
                OptionSpec {
                    choices: LEVEL_CHOICES,
                    ..text("level", "Seniority the questions are pitched at", 20, true)
                },
                OptionSpec {
                    name: "questions",
                    description: "How many questions (1-10, default 5)",
                    kind: OptionKind::Integer { min: 1, max: 10 },
                    required: false,
                    choices: &[],
                    completion: None,
                },
                OptionSpec {
                    completion: Some(Completion::Topic),
                    ..text("topic", "Only questions on this topic", 64, false)
                },
            ],
            Engine::cmd_interview_start,
        ),
        sub(
            "end",
            "End this channel's session, with your recommendation, and see your scorecard",
            Access::Interviewers,
            &[OptionSpec {
                required: false,
                ..RECOMMENDATION
            }],
            Engine::cmd_interview_end,
        ),
    ],
);

pub const SCORES: CommandSpec = group(
    "scores",
    "Look up scorecards, calibration and questions; export or delete a candidate's data",
    Access::Interviewers,
    &[
        sub(
            "candidate",
            "A candidate's scorecard: ratings, notes, averages, recommendations, interviews",
            Access::Interviewers,
            &[CANDIDATE],
            Engine::cmd_scores_candidate,
        ),
        sub(
            "team",
            "Every candidate: interviewers, questions scored, average, recommendations",
            Access::Interviewers,
            &[text(
                "since",
                "Only candidates interviewed on or after this date (YYYY-MM-DD)",
                10,
                false,
            )],
            Engine::cmd_scores_team,
        ),
        sub(
            "interviewer",
            "Calibration: an interviewer's mean, spread and difference from the team",
            Access::Interviewers,
            &[OptionSpec {
                name: "user",
                description: "The interviewer (default: you; others need Manage Server)",
                kind: OptionKind::User,
                required: false,
                choices: &[],
                completion: None,
            }],
            Engine::cmd_scores_interviewer,
        ),
        sub(
            "question",
            "How a question separates candidates: ratings, spread, agreement",
            Access::Interviewers,
            &[OptionSpec {
                completion: Some(Completion::QuestionId),
                ..text("id", "The question's id", 64, true)
            }],
            Engine::cmd_scores_question,
        ),
        sub(
            "export",
            "Every score as a CSV file",
            Access::Managers,
            &[],
            Engine::cmd_scores_export,
        ),
        sub(
            "forget",
            "Delete everything recorded about a candidate, after confirming",
            Access::Managers,
            &[CANDIDATE],
            Engine::cmd_scores_forget,
        ),
    ],
);
