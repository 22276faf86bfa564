//! What the engine benchmarks share: a front end whose Discord answers at once. Included by
//! each bench with `#[path]` (a file under `benches/shared/` is no bench target of its own).

use interview_bot::engine::{Deliver, Delivered, Effect};
use interview_bot::model::{ChannelId, MessageId};

/// The channel the benches' requests come from.
pub const CHANNEL: u64 = 7;

/// Delivers everything at once, as a front end with an instant Discord would.
pub struct Instant0(pub u64);

impl Deliver for Instant0 {
    fn deliver(&mut self, _effect: &Effect, _earlier: &[Delivered]) -> Delivered {
        self.0 += 1;
        Delivered::Message {
            channel_id: Some(ChannelId(CHANNEL)),
            message_id: Some(MessageId(self.0)),
        }
    }
}
