//! Button and modal actions: each feature declares its ids as a type ([`Action`]: `Display`
//! and `FromStr` side by side) and lists its prefixes ([`ActionSpec`]), each with how it is
//! acknowledged and who may use it. Ids are `prefix:args`.
//!
//! Posted buttons outlive the process, so ids are a stable format: an upgrade must keep every
//! id that was ever posted working (tests hold the literal ids of the first release). An id
//! longer than Discord's 100 characters is stored and replaced by a short handle `h:<n>`.

use super::Handled;
use super::access::Access;
use super::effect::Visibility;
use super::request::Request;
use super::{Engine, Error};
use crate::model::GuildId;

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

/// Runs an action; gets the whole id (after a handle, if any, was resolved).
pub type ActionHandler = fn(&Engine, &Request, &str) -> Handled;

/// One id prefix of a feature's buttons or modals, with how it is acknowledged and who may use
/// it.
pub struct ActionSpec {
    /// `q:answer`: the ids are `q:answer:<args>`.
    pub prefix: &'static str,
    pub ack: Ack,
    pub access: Access,
    pub handler: ActionHandler,
}

impl ActionSpec {
    /// The ids of `prefix` are values of `A`, which runs them.
    pub const fn of<A: Action>(prefix: &'static str, ack: Ack, access: Access) -> ActionSpec {
        ActionSpec {
            prefix,
            ack,
            access,
            handler: run::<A>,
        }
    }
}

/// A feature's button and modal ids as a type: formatted by `Display`, parsed by `FromStr`,
/// side by side in the feature, and run by [`Action::run`]. Any id that does not parse is an
/// unknown button.
pub trait Action: std::str::FromStr + std::fmt::Display {
    fn run(self, engine: &Engine, req: &Request) -> Handled;
}

fn run<A: Action>(engine: &Engine, req: &Request, id: &str) -> Handled {
    let action: A = id.parse().map_err(|_| Error::UnknownAction)?;
    action.run(engine, req)
}

/// An id split into its prefix (`q:answer`) and the rest (`aws-s3-basics`).
pub fn split(id: &str) -> (&str, &str) {
    match id.match_indices(':').nth(1) {
        Some((i, _)) => (&id[..i], &id[i + 1..]),
        None => (id, ""),
    }
}

/// For the tests of a feature's ids: each sample formats to an id with one of `specs`'
/// prefixes and parses back to itself, and each of `specs`' prefixes is used by a sample.
pub fn check_ids<A>(samples: &[A], specs: &[ActionSpec])
where
    A: Action + PartialEq + std::fmt::Debug,
{
    for sample in samples {
        let id = sample.to_string();
        let (prefix, _) = split(&id);
        assert!(
            specs.iter().any(|s| s.prefix == prefix),
            "{sample:?} formats as {id}, whose prefix has no action"
        );
        match id.parse::<A>() {
            Ok(back) => assert_eq!(&back, sample, "{id} parses to another action"),
            Err(_) => panic!("{id} (from {sample:?}) does not parse"),
        }
    }
    for spec in specs {
        assert!(
            samples
                .iter()
                .any(|s| split(&s.to_string()).0 == spec.prefix),
            "no sample of {}",
            spec.prefix
        );
    }
}

impl Engine {
    /// The id to put on a button in this guild: the action id itself, or a stored handle if
    /// it is too long for Discord.
    pub fn action_id(&self, guild_id: GuildId, id: String) -> Result<String, Error> {
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
    /// A short name for logs, never echoing an unrecognised id: `q:answer`, `(handle)`.
    pub fn action_label(&self, id: &str) -> &'static str {
        if id.starts_with(HANDLE_PREFIX) {
            return "(handle)";
        }
        self.registry().action(id).map_or("(unknown)", |a| a.prefix)
    }

    pub(super) fn resolve_action(&self, guild_id: GuildId, id: &str) -> Result<String, Error> {
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
    fn ids_split_after_the_prefix() {
        assert_eq!(
            split("q:next:mid:multi-account"),
            ("q:next", "mid:multi-account")
        );
        assert_eq!(
            split("q:answer:aws-s3-basics"),
            ("q:answer", "aws-s3-basics")
        );
        assert_eq!(split("zzz"), ("zzz", ""));
    }
}
