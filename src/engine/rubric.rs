//! Who may open a rubric (model answer, red flags, follow-ups) outside an interview session:
//! the one rule every feature that shows rubrics asks. Inside a session only interviewers ever
//! may (the session's buttons say so themselves).
//!
//! `/config rubric-access` sets it per guild, with per-channel overrides. With nothing set the
//! default depends on where the rubric is shown: interviewers only for `/question` cards and
//! `/answer`, so a candidate in the channel never sees one from a fresh install on; everyone
//! for daily-practice posts, whose answers are revealed anyway.

use super::access::Access;
use super::error::ScoreError;
use super::request::Request;
use super::{Engine, Error};

/// Where a rubric is being opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RubricContext {
    /// A `/question` card's "Model answer", or `/answer`.
    Question,
    /// A daily-practice post.
    Daily,
}

pub use crate::model::RubricAccess;

impl RubricContext {
    /// The access with nothing configured.
    pub fn default_access(self) -> RubricAccess {
        match self {
            RubricContext::Question => RubricAccess::Interviewers,
            RubricContext::Daily => RubricAccess::Everyone,
        }
    }
}

impl Engine {
    /// Who may open rubrics in this channel: the channel's setting, else the guild's, else the
    /// context's default.
    pub fn rubric_access(
        &self,
        guild_id: u64,
        channel_id: u64,
        context: RubricContext,
    ) -> Result<RubricAccess, Error> {
        let (channel, guild) = self
            .store
            .read(|db| db.rubric_access(guild_id, channel_id))?;
        Ok(channel.or(guild).unwrap_or(context.default_access()))
    }

    /// Whether the request comes from an interviewer (or the bot itself).
    pub fn is_interviewer(&self, req: &Request) -> Result<bool, Error> {
        match self.authorize(req, Access::Interviewers) {
            Ok(()) => Ok(true),
            Err(Error::NotAllowed { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Refuses, with a message saying how an admin opens rubrics up, when the requester may
    /// not open a rubric here; otherwise says what the channel's access is.
    pub fn check_rubric(
        &self,
        req: &Request,
        context: RubricContext,
    ) -> Result<RubricAccess, Error> {
        let access = self.rubric_access(req.guild_id, req.channel_id, context)?;
        if access == RubricAccess::Interviewers && !self.is_interviewer(req)? {
            return Err(ScoreError::RubricLimited.into());
        }
        Ok(access)
    }
}
