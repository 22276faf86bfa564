//! Button and modal actions: one registry, each entry with its id prefix, how it is
//! acknowledged, who may use it, and its handler. Ids are `prefix:args`; the feature that owns
//! an action formats its ids and parses the args, side by side.
//!
//! Posted buttons outlive the process, so ids are a stable format: an upgrade must keep every
//! id that was ever posted working (tests hold the literal ids of the first release). An id
//! longer than Discord's 100 characters is stored and replaced by a short handle `h:<n>`.

use super::access::Access;
use super::effect::{Outcome, Visibility};
use super::request::Request;
use super::{Engine, Error};

/// The longest custom id Discord accepts.
pub const MAX_ACTION_LEN: usize = 100;
/// The prefix of stored handles.
const HANDLE_PREFIX: &str = "h:";

/// How the interaction of an action is first acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ack {
    /// Answer with a new message (private or public).
    Reply(Visibility),
    /// Change the message the button sits on.
    Update,
    /// Open a modal (must be the first answer, so the handler must be quick).
    Modal,
}

/// Runs an action; `args` is the part of the id after `prefix:`.
pub type ActionHandler = fn(&Engine, &Request, &str) -> Result<Outcome, Error>;

pub struct ActionSpec {
    /// `q:answer`: the id is `q:answer:<args>`.
    pub prefix: &'static str,
    pub ack: Ack,
    pub access: Access,
    pub handler: ActionHandler,
}

/// Every action, in no particular order (prefixes are unique; a test checks).
pub static ACTIONS: &[ActionSpec] = &[
    ActionSpec {
        prefix: "q:answer",
        ack: Ack::Reply(Visibility::Private),
        access: Access::Everyone,
        handler: Engine::action_model_answer,
    },
    ActionSpec {
        prefix: "d:answer",
        ack: Ack::Reply(Visibility::Private),
        access: Access::Everyone,
        handler: Engine::action_daily_answer,
    },
    // The scheduler's jobs: only the bot itself runs them.
    ActionSpec {
        prefix: "daily:post",
        ack: Ack::Reply(Visibility::Public),
        access: Access::Bot,
        handler: Engine::job_daily_post,
    },
    ActionSpec {
        prefix: "daily:reveal",
        ack: Ack::Reply(Visibility::Public),
        access: Access::Bot,
        handler: Engine::job_daily_reveal,
    },
    ActionSpec {
        prefix: "daily:resend",
        ack: Ack::Reply(Visibility::Public),
        access: Access::Bot,
        handler: Engine::job_daily_resend,
    },
    ActionSpec {
        prefix: "daily:settle",
        ack: Ack::Reply(Visibility::Public),
        access: Access::Bot,
        handler: Engine::job_daily_settle,
    },
    ActionSpec {
        prefix: "q:next",
        // The pressed card's button is disabled (an update), then the new card follows.
        ack: Ack::Update,
        access: Access::Everyone,
        handler: Engine::action_another,
    },
    // Interview sessions (scores/sessions.rs).
    ActionSpec {
        prefix: "s:rate",
        // The starter's rating moves the session on (an update); everyone gets a private note.
        ack: Ack::Update,
        access: Access::Interviewers,
        handler: Engine::action_session_rate,
    },
    ActionSpec {
        prefix: "s:notes",
        ack: Ack::Modal,
        access: Access::Interviewers,
        handler: Engine::action_session_notes,
    },
    ActionSpec {
        prefix: "s:note",
        ack: Ack::Reply(Visibility::Private),
        access: Access::Interviewers,
        handler: Engine::action_session_note_submit,
    },
    ActionSpec {
        prefix: "s:answer",
        ack: Ack::Reply(Visibility::Private),
        access: Access::Interviewers,
        handler: Engine::action_session_answer,
    },
    ActionSpec {
        prefix: "s:skip",
        ack: Ack::Update,
        access: Access::Interviewers,
        handler: Engine::action_session_skip,
    },
    // Lookups (scores/lookups.rs, scores/forget.rs).
    ActionSpec {
        prefix: "sc:team",
        ack: Ack::Update,
        access: Access::Interviewers,
        handler: Engine::action_team_page,
    },
    ActionSpec {
        prefix: "sc:forget",
        ack: Ack::Update,
        access: Access::Managers,
        handler: Engine::action_forget_confirm,
    },
    ActionSpec {
        prefix: "sc:keep",
        ack: Ack::Update,
        access: Access::Managers,
        handler: Engine::action_forget_cancel,
    },
];

/// The action an id names, with its args. Handles (`h:<n>`) are resolved by the engine first.
pub fn find(id: &str) -> Option<(&'static ActionSpec, &str)> {
    let (prefix, args) = match id.match_indices(':').nth(1) {
        Some((i, _)) => (&id[..i], &id[i + 1..]),
        None => (id, ""),
    };
    ACTIONS
        .iter()
        .find(|a| a.prefix == prefix)
        .map(|a| (a, args))
}

/// A short name for logs, never echoing an unrecognised id: `q:answer`, `(handle)`.
pub fn label(id: &str) -> &'static str {
    if id.starts_with(HANDLE_PREFIX) {
        return "(handle)";
    }
    find(id).map_or("(unknown)", |(a, _)| a.prefix)
}

/// `prefix:args`.
pub fn format(prefix: &str, args: &str) -> String {
    format!("{prefix}:{args}")
}

impl Engine {
    /// The id to put on a button in this guild: the action id itself, or a stored handle if
    /// it is too long for Discord.
    pub fn action_id(&self, guild_id: u64, id: String) -> Result<String, Error> {
        if id.len() <= MAX_ACTION_LEN {
            return Ok(id);
        }
        let now = self.clock.now_ms();
        let handle = self
            .store
            .write(|db| db.action_handle(guild_id, &id, now))?;
        Ok(format!("{HANDLE_PREFIX}{handle}"))
    }

    /// Resolves a handle to the action id it stands for in this guild; other ids pass through.
    pub(super) fn resolve_action(&self, guild_id: u64, id: &str) -> Result<String, Error> {
        let Some(n) = id.strip_prefix(HANDLE_PREFIX) else {
            // Discord never sends more; anything longer is forged.
            if id.len() > MAX_ACTION_LEN {
                return Err(Error::UnknownAction);
            }
            return Ok(id.to_string());
        };
        let handle: i64 = n.parse().map_err(|_| Error::UnknownAction)?;
        self.store
            .read(|db| db.resolve_handle(guild_id, handle))?
            .ok_or(Error::UnknownAction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_unique_and_ids_split_after_the_prefix() {
        let mut prefixes: Vec<&str> = ACTIONS.iter().map(|a| a.prefix).collect();
        prefixes.sort();
        prefixes.dedup();
        assert_eq!(prefixes.len(), ACTIONS.len());
        let (a, args) = find("q:next:mid:multi-account").unwrap();
        assert_eq!((a.prefix, args), ("q:next", "mid:multi-account"));
        let (a, args) = find("q:answer:aws-s3-basics").unwrap();
        assert_eq!((a.prefix, args), ("q:answer", "aws-s3-basics"));
        assert!(find("zzz").is_none());
        assert_eq!(label("h:12"), "(handle)");
        assert_eq!(label("@everyone"), "(unknown)");
    }
}
