//! What scorecards show the framework: `/score`, `/recommend`, `/interview` and `/scores` with
//! their typed options, the session, team-page and forget buttons (ids formatted and parsed
//! side by side), and what is recorded once a session's message was posted.

use crate::engine::Handled;
use std::fmt;
use std::str::FromStr;

use crate::bank::Level;
use crate::engine::action::{Action, ActionSpec, split};
use crate::engine::cards::{LEVEL_CHOICES, RATING_CHOICES};
use crate::engine::command::{CommandSpec, Completion, OptionSpec};
use crate::engine::{
    Access, Ack, Delivered, Engine, Error, Feature, Permissions, Record, Request, ResolvedUser,
    Visibility,
};
use crate::features::scores::panel::List;
use crate::features::scores::{RECOMMENDATION_CHOICES, Rating};
use crate::model::{CandidateId, GuildId, Recommendation, RubricId, SessionId};

/// The scorecards feature.
pub static FEATURE: Feature = Feature {
    name: "scores",
    commands: &[SCORE, RECOMMEND, INTERVIEW, SCORES],
    actions: ACTIONS,
    due: Some(|engine, now| {
        Ok(crate::engine::Due {
            outcomes: engine.close_stale_sessions(now)?,
            ..Default::default()
        })
    }),
};

/// Discord hides these commands from members without Manage Server until an admin allows the
/// interviewer role (Server Settings, Integrations); the engine checks access again anyway.
const HIDDEN: Option<u64> = Some(Permissions::MANAGE_GUILD);

const CANDIDATE: OptionSpec = OptionSpec::text("The candidate's name (1-100 characters)", 100)
    .complete(Completion::Candidate);

const RECOMMENDATION: OptionSpec =
    OptionSpec::text("Your overall recommendation for the candidate", 20)
        .choices(RECOMMENDATION_CHOICES);

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

/// A top-level command for interviewers, hidden until allowed ([`HIDDEN`]).
const fn hidden(spec: CommandSpec) -> CommandSpec {
    CommandSpec {
        default_permissions: HIDDEN,
        ..interviewers(spec)
    }
}

const SCORE: CommandSpec = hidden(CommandSpec::leaf::<ScoreOptions>(
    "score",
    "Score a candidate's answer to a question (1 Strong no to 4 Strong yes)",
));

const RECOMMEND: CommandSpec = hidden(CommandSpec::leaf::<RecommendOptions>(
    "recommend",
    "Set or change your overall recommendation for a candidate",
));

const INTERVIEW: CommandSpec = hidden(CommandSpec::group(
    "interview",
    "Run a guided interview in this channel: questions one at a time, rating buttons",
    Access::Interviewers,
    &[
        interviewers(CommandSpec::leaf::<StartOptions>(
            "start",
            "Start an interview session with a candidate in this channel",
        )),
        interviewers(CommandSpec::leaf::<EndOptions>(
            "end",
            "End this channel's session, with your recommendation, and see your scorecard",
        )),
        interviewers(CommandSpec::leaf::<ShowOptions>(
            "show",
            "Show this channel's open session again",
        )),
    ],
));

const SCORES: CommandSpec = hidden(CommandSpec::group(
    "scores",
    "Look up scorecards, calibration and questions; export or delete a candidate's data",
    Access::Interviewers,
    &[
        interviewers(CommandSpec::leaf::<CandidateOptions>(
            "candidate",
            "A candidate's scorecard: ratings, notes, averages, recommendations, interviews",
        )),
        interviewers(CommandSpec::leaf::<TeamOptions>(
            "team",
            "Every candidate: interviewers, questions scored, average, recommendations",
        )),
        interviewers(CommandSpec::leaf::<InterviewerOptions>(
            "interviewer",
            "Calibration: an interviewer's mean, spread and difference from the team",
        )),
        interviewers(CommandSpec::leaf::<QuestionOptions>(
            "question",
            "How a question separates candidates: ratings, spread, agreement",
        )),
        managers(CommandSpec::leaf::<ExportOptions>(
            "export",
            "Every score as a CSV file",
        )),
        managers(CommandSpec::leaf::<ForgetOptions>(
            "forget",
            "Delete everything recorded about a candidate, after confirming",
        )),
    ],
));

crate::options! {
    /// `/score`
    pub struct ScoreOptions {
        candidate: String = CANDIDATE,
        question: String = OptionSpec::text("The question's id", 64).complete(Completion::QuestionId),
        rating: Rating = OptionSpec::text("Your rating on the anchored scale", 2)
            .choices(RATING_CHOICES),
        notes: Option<String> = OptionSpec::text(
            "What the candidate said, for the scorecard (up to 1000 characters)",
            1000,
        ),
    }
}
crate::run_with!(ScoreOptions => Engine::cmd_score);

crate::options! {
    /// `/recommend`
    pub struct RecommendOptions {
        candidate: String = CANDIDATE,
        recommendation: Recommendation = RECOMMENDATION,
    }
}
crate::run_with!(RecommendOptions => Engine::cmd_recommend);

crate::options! {
    /// `/interview start`
    pub struct StartOptions {
        candidate: String = CANDIDATE,
        level: Level = OptionSpec::text("Seniority the questions are pitched at", 20)
            .choices(LEVEL_CHOICES),
        questions: Option<i64> = OptionSpec::integer("How many questions (1-10, default 5)", 1, 10),
        topic: Option<String> = OptionSpec::text("Only questions on this topic", 64)
            .complete(Completion::Topic),
    }
}
crate::run_with!(StartOptions => Engine::cmd_interview_start);

crate::options! {
    /// `/interview end`
    pub struct EndOptions {
        recommendation: Option<Recommendation> = RECOMMENDATION,
    }
}
crate::run_with!(EndOptions => Engine::cmd_interview_end);

crate::options! {
    /// `/interview show`
    pub struct ShowOptions {}
}
crate::run_with!(ShowOptions => Engine::cmd_interview_show);

crate::options! {
    /// `/scores candidate`
    pub struct CandidateOptions {
        candidate: String = CANDIDATE,
    }
}
crate::run_with!(CandidateOptions => Engine::cmd_scores_candidate);

crate::options! {
    /// `/scores team`
    pub struct TeamOptions {
        since: Option<String> = OptionSpec::text(
            "Only candidates interviewed on or after this date (YYYY-MM-DD)",
            10,
        ),
    }
}
crate::run_with!(TeamOptions => Engine::cmd_scores_team);

crate::options! {
    /// `/scores interviewer`
    pub struct InterviewerOptions {
        user: Option<ResolvedUser> =
            OptionSpec::user("The interviewer (default: you; others need Manage Server)"),
    }
}
crate::run_with!(InterviewerOptions => Engine::cmd_scores_interviewer);

crate::options! {
    /// `/scores question`
    pub struct QuestionOptions {
        id: String = OptionSpec::text("The question's id", 64).complete(Completion::QuestionId),
    }
}
crate::run_with!(QuestionOptions => Engine::cmd_scores_question);

crate::options! {
    /// `/scores export`
    pub struct ExportOptions {}
}
crate::run_with!(ExportOptions => Engine::cmd_scores_export);

crate::options! {
    /// `/scores forget`
    pub struct ForgetOptions {
        candidate: String = CANDIDATE,
    }
}
crate::run_with!(ForgetOptions => Engine::cmd_scores_forget);

/// A question of a guided session: the session, and the question's place in it (from 0).
/// Its id form is `<session>:<index>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionQuestion {
    pub session: SessionId,
    pub index: usize,
}

impl fmt::Display for SessionQuestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.session, self.index)
    }
}

/// Where an evidence panel's lists and buttons record: the interview (session) and the rubric
/// version the panel was shown with. Its id form is `<session>:<rubric>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceAt {
    pub session: SessionId,
    pub rubric: RubricId,
}

impl fmt::Display for EvidenceAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.session, self.rubric)
    }
}

/// The buttons and the modal of scorecards. Posted buttons outlive the process: these ids are
/// a stable format (a test holds every form a release posted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScoresAction {
    /// A session's rating button: `s:rate:<session>:<question index>:<rating 1-4>`.
    Rate { at: SessionQuestion, rating: Rating },
    /// A session's "Notes" button: `s:notes:<session>:<index>`.
    Notes(SessionQuestion),
    /// The Notes modal, submitted: `s:note:<session>:<index>`.
    NoteSubmit(SessionQuestion),
    /// A session's model answer: `s:answer:<session>:<index>`.
    Answer(SessionQuestion),
    /// A session's "Skip": `s:skip:<session>:<index>`.
    Skip(SessionQuestion),
    /// A page of `/scores team`: `sc:team:<page>:<since ms, or empty>`.
    TeamPage { page: usize, since: Option<i64> },
    /// Confirms `/scores forget`: `sc:forget:<candidate>:<its creation time>`.
    Forget {
        candidate: CandidateId,
        created: i64,
    },
    /// Cancels `/scores forget`: `sc:keep:<candidate>` (what follows the prefix is not used).
    Keep { candidate: Option<CandidateId> },
    /// An evidence panel's "Covered" list: `ev:cov:<session>:<rubric>`.
    Covered(EvidenceAt),
    /// An evidence panel's "Red flags heard" list: `ev:red:<session>:<rubric>`.
    Flags(EvidenceAt),
    /// An evidence panel's rating button: `ev:rate:<session>:<rubric>:<rating 1-4>`.
    RateWith { at: EvidenceAt, rating: Rating },
    /// "Give a reason" for an override: `ev:why:<session>:<rubric>` (opens `ev:reason`).
    Why(EvidenceAt),
    /// The reason modal, submitted: `ev:reason:<session>:<rubric>`.
    ReasonSubmit(EvidenceAt),
}

const RATE: &str = "s:rate";
const NOTES: &str = "s:notes";
const NOTE: &str = "s:note";
const ANSWER: &str = "s:answer";
const SKIP: &str = "s:skip";
const TEAM: &str = "sc:team";
const FORGET: &str = "sc:forget";
const KEEP: &str = "sc:keep";
const COVERED: &str = "ev:cov";
const FLAGS: &str = "ev:red";
const RATE_WITH: &str = "ev:rate";
const WHY: &str = "ev:why";
const REASON: &str = "ev:reason";

impl fmt::Display for ScoresAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScoresAction::Rate { at, rating } => write!(f, "{RATE}:{at}:{rating}"),
            ScoresAction::Notes(at) => write!(f, "{NOTES}:{at}"),
            ScoresAction::NoteSubmit(at) => write!(f, "{NOTE}:{at}"),
            ScoresAction::Answer(at) => write!(f, "{ANSWER}:{at}"),
            ScoresAction::Skip(at) => write!(f, "{SKIP}:{at}"),
            ScoresAction::TeamPage { page, since } => match since {
                Some(s) => write!(f, "{TEAM}:{page}:{s}"),
                None => write!(f, "{TEAM}:{page}:"),
            },
            ScoresAction::Forget { candidate, created } => {
                write!(f, "{FORGET}:{candidate}:{created}")
            }
            ScoresAction::Keep { candidate } => match candidate {
                Some(c) => write!(f, "{KEEP}:{c}"),
                None => write!(f, "{KEEP}:"),
            },
            ScoresAction::Covered(at) => write!(f, "{COVERED}:{at}"),
            ScoresAction::Flags(at) => write!(f, "{FLAGS}:{at}"),
            ScoresAction::RateWith { at, rating } => write!(f, "{RATE_WITH}:{at}:{rating}"),
            ScoresAction::Why(at) => write!(f, "{WHY}:{at}"),
            ScoresAction::ReasonSubmit(at) => write!(f, "{REASON}:{at}"),
        }
    }
}

/// A session button's args: session, question index, and the rest.
fn session_args(args: &str) -> Result<(SessionQuestion, &str), Error> {
    let mut parts = args.splitn(3, ':');
    let session = parts
        .next()
        .and_then(|s| s.parse().ok())
        .map(SessionId)
        .ok_or(Error::UnknownAction)?;
    let index = parts
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or(Error::UnknownAction)?;
    Ok((
        SessionQuestion { session, index },
        parts.next().unwrap_or(""),
    ))
}

/// An evidence id's args: interview, rubric version, and the rest.
fn evidence_args(args: &str) -> Result<(EvidenceAt, Option<&str>), Error> {
    let mut parts = args.splitn(3, ':');
    let mut number = || {
        parts
            .next()
            .filter(|p| !p.starts_with('+'))
            .and_then(|p| p.parse::<i64>().ok())
            .ok_or(Error::UnknownAction)
    };
    let at = EvidenceAt {
        session: SessionId(number()?),
        rubric: RubricId(number()?),
    };
    Ok((at, parts.next()))
}

impl FromStr for ScoresAction {
    type Err = Error;

    fn from_str(id: &str) -> Result<Self, Error> {
        let number = |s: &str| s.parse::<i64>().map_err(|_| Error::UnknownAction);
        let (prefix, args) = split(id);
        match prefix {
            RATE => {
                let (at, rest) = session_args(args)?;
                let rating: Rating = rest.parse().map_err(|()| Error::UnknownAction)?;
                Ok(ScoresAction::Rate { at, rating })
            }
            NOTES | NOTE | ANSWER | SKIP => {
                let (at, _) = session_args(args)?;
                Ok(match prefix {
                    NOTES => ScoresAction::Notes(at),
                    NOTE => ScoresAction::NoteSubmit(at),
                    ANSWER => ScoresAction::Answer(at),
                    _ => ScoresAction::Skip(at),
                })
            }
            TEAM => {
                let (page, since) = args.split_once(':').ok_or(Error::UnknownAction)?;
                let page: usize = page.parse().map_err(|_| Error::UnknownAction)?;
                let since = if since.is_empty() {
                    None
                } else {
                    Some(number(since)?)
                };
                Ok(ScoresAction::TeamPage { page, since })
            }
            FORGET => {
                let (candidate, created) = args.split_once(':').ok_or(Error::UnknownAction)?;
                Ok(ScoresAction::Forget {
                    candidate: CandidateId(number(candidate)?),
                    created: number(created)?,
                })
            }
            KEEP => Ok(ScoresAction::Keep {
                candidate: args.parse().ok().map(CandidateId),
            }),
            RATE_WITH => match evidence_args(args)? {
                (at, Some(rating)) => Ok(ScoresAction::RateWith {
                    at,
                    rating: rating.parse().map_err(|()| Error::UnknownAction)?,
                }),
                _ => Err(Error::UnknownAction),
            },
            COVERED | FLAGS | WHY | REASON => match evidence_args(args)? {
                (at, None) => Ok(match prefix {
                    COVERED => ScoresAction::Covered(at),
                    FLAGS => ScoresAction::Flags(at),
                    WHY => ScoresAction::Why(at),
                    _ => ScoresAction::ReasonSubmit(at),
                }),
                _ => Err(Error::UnknownAction),
            },
            _ => Err(Error::UnknownAction),
        }
    }
}

impl Action for ScoresAction {
    fn run(self, engine: &Engine, req: &Request) -> Handled {
        match self {
            ScoresAction::Rate { at, rating } => engine.session_score(req, at, Some(rating), None),
            ScoresAction::Notes(at) => engine.action_session_notes(req, at),
            ScoresAction::NoteSubmit(at) => engine.action_session_note_submit(req, at),
            ScoresAction::Answer(at) => engine.action_session_answer(req, at),
            ScoresAction::Skip(at) => engine.action_session_skip(req, at),
            ScoresAction::TeamPage { page, since } => engine.action_team_page(req, page, since),
            ScoresAction::Forget { candidate, created } => {
                engine.action_forget_confirm(req, candidate, created)
            }
            ScoresAction::Keep { .. } => engine.action_forget_cancel(req),
            ScoresAction::Covered(at) => engine.action_evidence_list(req, at, List::Covered),
            ScoresAction::Flags(at) => engine.action_evidence_list(req, at, List::Flags),
            ScoresAction::RateWith { at, rating } => engine.action_evidence_rate(req, at, rating),
            ScoresAction::Why(at) => engine.action_evidence_why(req, at),
            ScoresAction::ReasonSubmit(at) => engine.action_evidence_reason(req, at),
        }
    }
}

static ACTIONS: &[ActionSpec] = &[
    // The starter's rating moves the session on (an update); everyone gets a private note.
    ActionSpec::of::<ScoresAction>(RATE, Ack::Update, Access::Interviewers),
    ActionSpec::of::<ScoresAction>(NOTES, Ack::Modal, Access::Interviewers),
    ActionSpec::of::<ScoresAction>(NOTE, Ack::Reply(Visibility::Private), Access::Interviewers),
    ActionSpec::of::<ScoresAction>(
        ANSWER,
        Ack::Reply(Visibility::Private),
        Access::Interviewers,
    ),
    ActionSpec::of::<ScoresAction>(SKIP, Ack::Update, Access::Interviewers),
    ActionSpec::of::<ScoresAction>(TEAM, Ack::Update, Access::Interviewers),
    ActionSpec::of::<ScoresAction>(FORGET, Ack::Update, Access::Managers),
    ActionSpec::of::<ScoresAction>(KEEP, Ack::Update, Access::Managers),
    // The evidence panel (private): its lists and ratings update it; the reason is a modal.
    ActionSpec::of::<ScoresAction>(COVERED, Ack::Update, Access::Interviewers),
    ActionSpec::of::<ScoresAction>(FLAGS, Ack::Update, Access::Interviewers),
    ActionSpec::of::<ScoresAction>(RATE_WITH, Ack::Update, Access::Interviewers),
    ActionSpec::of::<ScoresAction>(WHY, Ack::Modal, Access::Interviewers),
    ActionSpec::of::<ScoresAction>(
        REASON,
        Ack::Reply(Visibility::Private),
        Access::Interviewers,
    ),
];

/// A public message showing a candidate (an interview session's question message) was
/// posted: remember its id, for the session and for `forget`.
#[derive(Debug)]
pub struct CandidateMessage {
    pub guild_id: GuildId,
    pub candidate_id: CandidateId,
    /// The session the message belongs to, if any.
    pub session_id: Option<SessionId>,
}

impl Record for CandidateMessage {
    fn record(&self, engine: &Engine, delivered: &Delivered) -> Result<(), Error> {
        engine.record_candidate_message(
            self.guild_id,
            self.candidate_id,
            self.session_id,
            delivered,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::action::check_ids;

    fn ev(session: i64, rubric: i64) -> EvidenceAt {
        EvidenceAt {
            session: SessionId(session),
            rubric: RubricId(rubric),
        }
    }

    fn at(session: i64, index: usize) -> SessionQuestion {
        SessionQuestion {
            session: SessionId(session),
            index,
        }
    }

    #[test]
    fn ids_round_trip() {
        check_ids(
            &[
                ScoresAction::Rate {
                    at: at(3, 1),
                    rating: Rating::ALL[3],
                },
                ScoresAction::Notes(at(3, 0)),
                ScoresAction::NoteSubmit(at(3, 2)),
                ScoresAction::Answer(at(9, 0)),
                ScoresAction::Skip(at(9, 4)),
                ScoresAction::TeamPage {
                    page: 2,
                    since: Some(1_700_000_000_000),
                },
                ScoresAction::TeamPage {
                    page: 0,
                    since: None,
                },
                ScoresAction::Forget {
                    candidate: CandidateId(5),
                    created: 1_700_000_000_000,
                },
                ScoresAction::Keep {
                    candidate: Some(CandidateId(5)),
                },
                ScoresAction::Covered(ev(3, 12)),
                ScoresAction::Flags(ev(3, 12)),
                ScoresAction::RateWith {
                    at: ev(3, 12),
                    rating: Rating::ALL[0],
                },
                ScoresAction::Why(ev(4, 1)),
                ScoresAction::ReasonSubmit(ev(4, 1)),
            ],
            ACTIONS,
        );
        for forged in [
            "ev:cov:3",
            "ev:cov:3:x",
            "ev:cov:3:12:9",
            "ev:rate:3:12",
            "ev:rate:3:12:5",
            "ev:red:+3:12",
        ] {
            assert!(forged.parse::<ScoresAction>().is_err(), "{forged}");
        }
        assert!("s:rate:3:1:5".parse::<ScoresAction>().is_err());
    }
}
