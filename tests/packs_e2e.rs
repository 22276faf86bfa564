//! `/pack import` end to end: the real bot binary against the fake Discord. The file arrives
//! as Discord sends it (an attachment option resolved to an object with `url`, `size` and
//! `content_type`), the bot fetches it from the fake (standing in for Discord's CDN; the bot
//! accepts the configured API's host only because tests point it there), and the preview and
//! its buttons are checked against Discord's OpenAPI spec like every other body.

mod common;

use fake_discord::FakeDiscord;
use serde_json::{Value, json};

use common::e2e::{Bot, assert_clean, button, eventually, manager, sub};

const TEMPLATE: &str = include_str!("../src/features/packs/template.toml");

/// `/pack import` with `bytes` attached as `filename`.
async fn import(fake: &FakeDiscord, bot: &Bot, filename: &str, bytes: &[u8]) -> Value {
    let upload = fake.add_upload(filename, "application/toml", bytes);
    let options = json!([{"name": "file", "type": 11, "value": upload.to_string()}]);
    let i = fake
        .send_command_as("pack", sub("import", options), &manager())
        .await;
    common::e2e::settle(fake, &i, || bot.log()).await;
    let mut found = None;
    eventually("the import's answer", bot, || {
        found = fake
            .interaction_messages(&i)
            .into_iter()
            .find(|m| !FakeDiscord::is_loading(m));
        found.is_some()
    })
    .await;
    found.unwrap()
}

fn described(message: &Value) -> String {
    format!(
        "{} {}",
        message["content"].as_str().unwrap_or(""),
        message["embeds"][0]["description"].as_str().unwrap_or("")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pack_file_is_fetched_previewed_and_imported() {
    let (fake, bot) = common::e2e::connected().await;
    let preview = import(&fake, &bot, "house.toml", TEMPLATE.as_bytes()).await;
    assert!(FakeDiscord::is_ephemeral(&preview), "{preview}");
    assert!(described(&preview).contains("New (2)"), "{preview}");
    assert_eq!(fake.served_uploads(), 1);

    let id = button(&preview, "Import");
    let data = json!({"custom_id": id, "component_type": 2});
    let i = fake
        .send_interaction_as(3, data, &manager(), Some(preview.clone()))
        .await;
    common::e2e::settle(&fake, &i, || bot.log()).await;
    let mut done = String::new();
    eventually("the preview updated", &bot, || {
        done = fake
            .interaction_messages(&i)
            .iter()
            .chain(fake.original_response(&i).iter())
            .map(described)
            .collect::<Vec<_>>()
            .join("\n");
        done.contains("Imported Backend basics")
    })
    .await;

    // A member without Manage Server is refused, and the bot fetches nothing for them.
    let upload = fake.add_upload("house.toml", "application/toml", TEMPLATE.as_bytes());
    let options = json!([{"name": "file", "type": 11, "value": upload.to_string()}]);
    let i = fake
        .send_command_as(
            "pack",
            sub("import", options),
            &fake_discord::Member::new(1_300_000_000_000_000_951),
        )
        .await;
    let r = common::e2e::settle(&fake, &i, || bot.log()).await;
    assert!(r.body.to_string().contains("Manage Server"), "{}", r.body);
    assert_eq!(fake.served_uploads(), 1, "not fetched for a refused member");

    // A broken file: its problems, privately; nothing fetched twice, nothing stored.
    let broken = TEMPLATE.replace("pass = 3", "pass = 9");
    let reply = import(&fake, &bot, "house.toml", broken.as_bytes()).await;
    assert!(described(&reply).contains("1 problem"), "{reply}");
    assert_clean(&fake, &bot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suggestion_goes_through_its_forms_and_lists() {
    let (fake, bot) = common::e2e::connected().await;
    let allow = json!([{"name": "allow", "type": 5, "value": true}]);
    let i = fake
        .send_command_as("config", sub("suggestions", allow), &manager())
        .await;
    common::e2e::settle(&fake, &i, || bot.log()).await;
    // A member opens the form (a modal, type 9) and sends it.
    let member = fake_discord::Member::new(1_300_000_000_000_000_950);
    let i = fake
        .send_command_as("suggest", sub("question", json!([])), &member)
        .await;
    let r = common::e2e::settle(&fake, &i, || bot.log()).await;
    assert_eq!(r.body["type"], 9, "{}", r.body);
    let form = r.body["data"]["custom_id"].as_str().unwrap().to_string();
    let data = FakeDiscord::modal_data(
        &form,
        &[
            ("prompt", "How would you replay a dead-letter queue safely?"),
            ("level", "mid"),
            ("topic", "queues"),
            (
                "look_fors",
                "Fixes the cause first\nReplays in small batches\nWatches for repeats",
            ),
            ("red_flag", ""),
        ],
    );
    let i = fake.send_interaction_as(5, data, &member, None).await;
    let r = common::e2e::settle(&fake, &i, || bot.log()).await;
    assert!(
        r.body.to_string().contains("suggestion #1 waits"),
        "{}",
        r.body
    );

    // A manager reviews it: the suggestion's card, privately, with Reject….
    let i = fake
        .send_command_as("pack", sub("suggestions", json!([])), &manager())
        .await;
    common::e2e::settle(&fake, &i, || bot.log()).await;
    let mut review = None;
    eventually("the review", &bot, || {
        review = fake
            .interaction_messages(&i)
            .into_iter()
            .find(|m| m.to_string().contains("Suggestion #1"));
        review.is_some()
    })
    .await;
    let review = review.unwrap();
    assert!(FakeDiscord::is_ephemeral(&review));
    assert!(button(&review, "Reject…").starts_with("pk:sgno:"));
    assert_clean(&fake, &bot);
}
