//! The OAuth2 URL that adds the bot to a server.

use serenity::all::Permissions;

/// Every channel permission the bot asks for, with what it is used for. The invite URL is
/// computed from this list, so it asks for exactly these.
pub const PERMISSIONS: &[(Permissions, &str)] = &[
    (
        Permissions::VIEW_CHANNEL,
        "see the channels where questions are posted",
    ),
    (
        Permissions::SEND_MESSAGES,
        "post question messages in channels",
    ),
    (
        Permissions::EMBED_LINKS,
        "show questions and rubrics as embeds",
    ),
    (
        Permissions::READ_MESSAGE_HISTORY,
        "find its own daily post again after a restart, so nothing is posted twice",
    ),
    (
        Permissions::CREATE_PUBLIC_THREADS,
        "reveal a daily question's answer in a thread on the post",
    ),
    (
        Permissions::SEND_MESSAGES_IN_THREADS,
        "post the answer in that thread",
    ),
];

/// Scopes: a bot user, and slash commands.
pub const SCOPES: &[&str] = &["bot", "applications.commands"];

pub fn permissions() -> Permissions {
    PERMISSIONS
        .iter()
        .fold(Permissions::empty(), |all, (p, _)| all | *p)
}

pub fn url(application_id: u64) -> String {
    format!(
        "https://discord.com/oauth2/authorize?client_id={application_id}&scope={}&permissions={}",
        SCOPES.join("%20"),
        permissions().bits()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_has_scopes_and_the_listed_permissions() {
        let u = url(42);
        assert!(u.starts_with("https://discord.com/oauth2/authorize?client_id=42&"));
        assert!(u.contains("scope=bot%20applications.commands"));
        // View Channel, Send Messages, Embed Links, Read Message History, Create Public
        // Threads, Send Messages in Threads.
        assert!(u.ends_with(&format!(
            "permissions={}",
            (1u64 << 10) | (1 << 11) | (1 << 14) | (1 << 16) | (1 << 35) | (1 << 38)
        )));
    }
}
