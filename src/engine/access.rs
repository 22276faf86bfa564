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
        }
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
