//! Members and requests as a front end builds them, and running them through the engine.

use interview_bot::engine::{
    Engine, Error, Invocation, Member, Message, Outcome, Permissions, RawOption, Request, limits,
};
use interview_bot::model::{RoleId, UserId};

use super::{CHANNEL, GUILD, Recorder, USER};

/// A member with these roles and permission bits.
pub fn who(id: u64, name: &str, roles: &[u64], permissions: u64) -> Member {
    Member {
        user_id: UserId(id),
        name: name.to_string(),
        roles: roles.iter().copied().map(RoleId).collect(),
        permissions: Permissions(permissions),
    }
}

/// A plain member: no roles, no permissions.
pub fn member(user_id: u64) -> Member {
    who(user_id, &format!("user{user_id}"), &[], 0)
}

/// A member with Manage Server, and no roles.
pub fn manager(id: u64) -> Member {
    who(id, &format!("manager{id}"), &[], Permissions::MANAGE_GUILD)
}

/// A member with Administrator and Manage Server.
pub fn admin(id: u64) -> Member {
    who(
        id,
        &format!("admin{id}"),
        &[],
        Permissions::ADMINISTRATOR | Permissions::MANAGE_GUILD,
    )
}

/// A slash command from `m` in `channel`, its options as text.
pub fn command_in(
    guild: u64,
    channel: u64,
    m: &Member,
    name: &str,
    options: &[(&str, &str)],
) -> Request {
    Request::member(
        guild,
        channel,
        m.clone(),
        Invocation::Command {
            name: name.to_string(),
            options: options.iter().map(|(k, v)| RawOption::text(k, v)).collect(),
        },
    )
}

/// A slash command from `m` in `CHANNEL`.
pub fn command_as(guild: u64, m: &Member, name: &str, options: &[(&str, &str)]) -> Request {
    command_in(guild, CHANNEL, m, name, options)
}

/// A slash command from a plain member (`USER`) in `CHANNEL`.
pub fn command(guild: u64, name: &str, options: &[(&str, &str)]) -> Request {
    command_as(guild, &member(USER), name, options)
}

/// A press of the button `custom_id` by `m` in `channel`, on no particular message.
pub fn button_in(guild: u64, channel: u64, m: &Member, custom_id: &str) -> Request {
    Request::member(
        guild,
        channel,
        m.clone(),
        Invocation::Button {
            custom_id: custom_id.to_string(),
            message: None,
        },
    )
}

/// A press of the button `custom_id` by `m` in `CHANNEL`.
pub fn button_as(guild: u64, m: &Member, custom_id: &str) -> Request {
    button_in(guild, CHANNEL, m, custom_id)
}

/// A press of the button `custom_id` by a plain member (`USER + 1`) in `CHANNEL`.
pub fn press(guild: u64, custom_id: &str) -> Request {
    button_as(guild, &member(USER + 1), custom_id)
}

/// A choice of `values` in the drop-down list `custom_id` by `m` in `CHANNEL`, on no
/// particular message.
pub fn select_as(guild: u64, m: &Member, custom_id: &str, values: &[&str]) -> Request {
    Request::member(
        guild,
        CHANNEL,
        m.clone(),
        Invocation::Select {
            custom_id: custom_id.to_string(),
            values: values.iter().map(|v| v.to_string()).collect(),
            message: None,
        },
    )
}

/// The modal `custom_id` submitted by `m` in `CHANNEL` with these fields.
pub fn modal_as(guild: u64, m: &Member, custom_id: &str, fields: &[(&str, &str)]) -> Request {
    Request::member(
        guild,
        CHANNEL,
        m.clone(),
        Invocation::Modal {
            custom_id: custom_id.to_string(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        },
    )
}

/// Runs the whole cycle (effects delivered, commits applied) and returns the outcome.
pub fn run(e: &Engine, req: &Request) -> Outcome {
    e.execute(req, &mut Recorder::default()).0
}

/// Runs the whole cycle; fails on an error answer or an answer beyond Discord's limits.
pub fn ok(e: &Engine, req: &Request) -> Outcome {
    let outcome = run(e, req);
    assert!(!outcome.is_error, "{outcome:?}");
    assert_eq!(limits::check_outcome(&outcome), Vec::<String>::new());
    outcome
}

/// The refusal of a request (planning only: nothing is delivered or committed).
pub fn refused(e: &Engine, req: &Request) -> Error {
    match e.dispatch(req) {
        Err(err) => err,
        Ok(o) => panic!("expected a refusal, got {o:?}"),
    }
}

/// The text of a message: its content, then each card's title, description, footer and fields.
pub fn message_text(m: &Message) -> String {
    let mut out = m.content.clone().unwrap_or_default();
    for c in &m.cards {
        for s in [&c.title, &c.description, &c.footer].into_iter().flatten() {
            out.push('\n');
            out.push_str(s);
        }
        for fl in &c.fields {
            out.push_str(&format!("\n{}\n{}", fl.name, fl.value));
        }
    }
    out
}

/// Rubrics open to everyone in `GUILD`, and for interviewers only in `channel` (the threads
/// tests' setting).
pub fn rubrics_closed_in(e: &Engine, channel: u64) {
    use interview_bot::model::{ChannelId, GuildId, RubricAccess, UserId};
    e.store()
        .write(|db| {
            db.set_rubric_access(
                GuildId(GUILD),
                None,
                RubricAccess::Everyone,
                UserId(USER),
                0,
            )?;
            db.set_rubric_access(
                GuildId(GUILD),
                Some(ChannelId(channel)),
                RubricAccess::Interviewers,
                UserId(USER),
                0,
            )
        })
        .unwrap();
}
