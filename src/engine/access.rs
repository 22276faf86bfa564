//! Who may do what: one rule per command and per button, checked here for every front end,
//! whatever Discord shows or hides.

use super::request::{Member, Origin, Permissions, Request};
use super::{Engine, Error};

/// The rule a command or button declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Any member of the server.
    Everyone,
    /// Members with the server's interviewer role, and managers.
    Interviewers,
    /// Members with Manage Server or Administrator.
    Managers,
    /// Only the bot's own work (the scheduler); no member may start it.
    Bot,
}

impl Access {
    /// What the rule asks for, for refusals and `/help`.
    pub fn describe(self) -> &'static str {
        match self {
            Access::Everyone => "everyone",
            Access::Interviewers => {
                "interviewers (the server's interviewer role, or Manage Server)"
            }
            Access::Managers => "members with Manage Server",
            Access::Bot => "the bot itself",
        }
    }
}

/// The member behind a request, or an internal error for the bot's own work (scoring is always
/// a member's).
pub fn member(req: &Request) -> Result<&Member, Error> {
    match &req.origin {
        Origin::Member(m) => Ok(m),
        Origin::Bot => Err(Error::Internal("scoring needs a member".into())),
    }
}

/// Manage Server or Administrator.
pub fn is_manager(member: &Member) -> bool {
    member.permissions.has(Permissions::ADMINISTRATOR)
        || member.permissions.has(Permissions::MANAGE_GUILD)
}

impl Engine {
    /// Checks `rule` for the request's origin. The bot's own work passes every rule.
    pub(super) fn authorize(&self, req: &Request, rule: Access) -> Result<(), Error> {
        let member = match &req.origin {
            Origin::Bot => return Ok(()),
            Origin::Member(m) => m,
        };
        let allowed = match rule {
            Access::Everyone => true,
            Access::Bot => false,
            Access::Managers => is_manager(member),
            Access::Interviewers => {
                is_manager(member) || {
                    let role = self.store.read(|db| db.interviewer_role(req.guild_id))?;
                    role.is_some_and(|r| member.roles.contains(&r))
                }
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(Error::NotAllowed { rule })
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{ChannelId, GuildId, RoleId, UserId};
    use std::sync::Arc;

    use super::*;
    use crate::bank::Bank;
    use crate::clock::ManualClock;
    use crate::engine::Invocation;
    use crate::store::Store;

    fn engine() -> Engine {
        Engine::new(
            Arc::new(Bank::default()),
            Store::open_in_memory().unwrap(),
            Arc::new(ManualClock::new(0)),
        )
    }

    fn req(origin: Origin) -> Request {
        Request {
            guild_id: GuildId(5),
            channel_id: ChannelId(6),
            origin,
            invocation: Invocation::Command {
                name: "help".into(),
                options: vec![],
            },
            resolved: Default::default(),
        }
    }

    fn member(roles: Vec<u64>, permissions: u64) -> Origin {
        Origin::Member(Member {
            user_id: UserId(9),
            name: "m".into(),
            roles: roles.into_iter().map(RoleId).collect(),
            permissions: Permissions(permissions),
        })
    }

    #[test]
    fn each_rule_admits_exactly_who_it_says() {
        let e = engine();
        let plain = req(member(vec![77], 0));
        let manager = req(member(vec![], Permissions::MANAGE_GUILD));
        let admin = req(member(vec![], Permissions::ADMINISTRATOR));
        for r in [&plain, &manager, &admin] {
            assert!(e.authorize(r, Access::Everyone).is_ok());
        }
        assert!(matches!(
            e.authorize(&plain, Access::Managers),
            Err(Error::NotAllowed { .. })
        ));
        assert!(e.authorize(&manager, Access::Managers).is_ok());
        assert!(e.authorize(&admin, Access::Managers).is_ok());
        // Interviewers: managers always; role 77 only once it is the interviewer role, and
        // only in its own guild.
        assert!(e.authorize(&plain, Access::Interviewers).is_err());
        assert!(e.authorize(&manager, Access::Interviewers).is_ok());
        e.store
            .write(|db| db.set_interviewer_role(GuildId(5), Some(RoleId(77)), UserId(1), 0))
            .unwrap();
        assert!(e.authorize(&plain, Access::Interviewers).is_ok());
        let elsewhere = Request {
            guild_id: GuildId(8),
            ..plain.clone()
        };
        assert!(e.authorize(&elsewhere, Access::Interviewers).is_err());
        // The bot's own work (the scheduler) passes every rule.
        assert!(e.authorize(&req(Origin::Bot), Access::Managers).is_ok());
    }
}
