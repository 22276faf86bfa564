//! A missing OpenAPI spec fails loudly, naming the path (its own binary: the spec is loaded once
//! per process).

use fake_discord::FakeDiscord;
use serde_json::json;

#[test]
#[should_panic(expected = "/nonexistent/openapi.json")]
fn a_missing_spec_fails_clearly() {
    // SAFETY: the only test in this binary; nothing else reads the environment concurrently.
    unsafe { std::env::set_var("FAKE_DISCORD_OPENAPI", "/nonexistent/openapi.json") };
    FakeDiscord::validate("POST", "/channels/1/messages", &json!({"content": "x"}));
}
