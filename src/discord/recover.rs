//! The recovery of a lost post: a channel post whose answer never came back is looked for in
//! the channel's recent history, so that it is recorded instead of posted twice.

use serenity::all::{ChannelId, MessageId, Nonce};

use crate::engine::Delivered;

use super::convert;
use super::rest::Rest;

/// Looks through a channel's recent messages for a post of the bot's: by nonce (Discord echoes
/// it on messages it still holds in memory), or else the bot's own message since `since_ms`
/// whose first card's footer is `marker`, exactly.
pub(super) async fn find_post(
    rest: &Rest,
    channel_id: u64,
    nonce: &str,
    marker: &str,
    since_ms: i64,
) -> Result<Delivered, serenity::Error> {
    /// Milliseconds between the Unix epoch and Discord's (2015-01-01), for snowflakes.
    const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;
    let me = serenity::all::UserId::new(rest.my_id().await?.max(1));
    let channel = ChannelId::new(channel_id);
    // Messages after `since_ms`, oldest first, a page at a time (a busy channel may have
    // many since the claim).
    let mut after = MessageId::new((((since_ms - DISCORD_EPOCH_MS).max(1) as u64) << 22).max(1));
    for _ in 0..20 {
        let page = rest.messages_after(channel, after, 100).await?;
        if page.is_empty() {
            break;
        }
        let found = page.iter().find(|m| {
            let by_nonce = matches!(&m.nonce, Some(Nonce::String(n)) if n == nonce);
            let mine = m.author.id == me
                && m.embeds
                    .first()
                    .and_then(|e| e.footer.as_ref())
                    .is_some_and(|f| f.text == marker);
            by_nonce || mine
        });
        if let Some(m) = found {
            return Ok(convert::posted(channel, m.id));
        }
        match page.iter().map(|m| m.id).max() {
            Some(newest) if newest > after => after = newest,
            _ => break,
        }
    }
    Ok(Delivered::NotFound)
}
