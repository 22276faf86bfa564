//! A file attached to a command, as a front end hands it to the engine once fetched. Also
//! included by `benches/packs.rs`.

use interview_bot::engine::{
    Fetched, Invocation, RawOption, RawValue, Request, ResolvedAttachment,
};

/// Adds `bytes` as the file option `option` of the command `req`, named `filename`, fetched.
pub fn attach(mut req: Request, option: &str, filename: &str, bytes: &[u8]) -> Request {
    let id = req.resolved.attachments.len() as u64 + 1;
    if let Invocation::Command { options, .. } = &mut req.invocation {
        options.push(RawOption {
            name: option.into(),
            value: RawValue::Id(id),
        });
    }
    req.resolved.attachments.insert(
        id,
        ResolvedAttachment {
            id,
            filename: filename.into(),
            size: bytes.len() as u64,
            url: format!("https://cdn.discordapp.com/attachments/1/{id}/{filename}"),
            content: Fetched::Bytes(bytes.to_vec()),
        },
    );
    req
}
