//! interview-bot: a Discord bot for teams that run technical interviews.
//!
//! The product lives here; `main.rs` only parses the command line and wires things up.
//! See ARCHITECTURE.md for the map.

pub mod bank;
pub mod clock;
pub mod config;
pub mod console;
pub mod discord;
pub mod engine;
pub mod features;
pub mod files;
pub mod logging;
pub mod model;
pub mod process;
pub mod store;
pub mod table;
pub mod text;
pub mod time;
