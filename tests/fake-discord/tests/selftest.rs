//! Self-test of the fake Discord (this crate): a minimal serenity client
//! written here talks to it, so every payload shape the fake produces is proven to reach an
//! `EventHandler`, and every REST answer it gives is proven to parse in serenity.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_discord::{FakeDiscord, InteractionRef};
use serde_json::{Value, json};
use serenity::all::{
    ButtonStyle, ChannelId, Client, ClientBuilder, CommandOptionType, Context, CreateActionRow,
    CreateAttachment, CreateAutocompleteResponse, CreateButton, CreateCommand, CreateCommandOption,
    CreateEmbed, CreateInteractionResponse, CreateInteractionResponseFollowup,
    CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse, EventHandler,
    GatewayIntents, GuildId, HttpBuilder, Interaction, InteractionId, Ready, ShardManager,
};

const WAIT: Duration = Duration::from_secs(10);
const USER: u64 = 1_300_000_000_000_000_042;

/// What the handler saw, in order; `error: ...` entries are failed REST calls.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<String>>>);

impl Seen {
    fn push(&self, entry: String) {
        self.0.lock().unwrap().push(entry);
    }

    fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    async fn wait_for(&self, pred: impl Fn(&str) -> bool) -> Result<String, String> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(found) = self.all().into_iter().find(|e| pred(e)) {
                return Ok(found);
            }
            if tokio::time::Instant::now() > deadline {
                return Err(format!("handler never saw it; saw {:?}", self.all()));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

struct Handler {
    seen: Seen,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        self.seen.push(format!("ready:{}", ready.user.name));
        let command = CreateCommand::new("ping")
            .description("Replies with pong")
            .add_option(
                CreateCommandOption::new(CommandOptionType::String, "mode", "How to reply")
                    .add_string_choice("Loud", "loud")
                    .add_string_choice("Quiet", "quiet"),
            )
            .add_option(
                CreateCommandOption::new(CommandOptionType::String, "topic", "What to talk about")
                    .set_autocomplete(true),
            );
        let guild = GuildId::new(FakeDiscord::GUILD_ID);
        match guild.set_commands(&ctx.http, vec![command]).await {
            Ok(commands) => self.seen.push(format!("registered:{}", commands.len())),
            Err(e) => self.seen.push(format!("error: set_commands: {e}")),
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(cmd) => {
                let mode = cmd
                    .data
                    .options
                    .iter()
                    .find(|o| o.name == "mode")
                    .and_then(|o| o.value.as_str())
                    .unwrap_or("none")
                    .to_string();
                self.seen
                    .push(format!("command:{}:{mode}:{}", cmd.data.name, cmd.user.id));
                let message = CreateInteractionResponseMessage::new()
                    .content(format!("pong ({mode})"))
                    .ephemeral(true)
                    .embed(
                        CreateEmbed::new()
                            .title("Pong")
                            .description("It works")
                            .field("mode", &mode, true),
                    )
                    .components(vec![CreateActionRow::Buttons(vec![
                        CreateButton::new("again")
                            .label("Again")
                            .style(ButtonStyle::Primary),
                    ])]);
                let answer = cmd
                    .create_response(&ctx.http, CreateInteractionResponse::Message(message))
                    .await;
                if let Err(e) = answer {
                    self.seen.push(format!("error: create_response: {e}"));
                    return;
                }
                match cmd.get_response(&ctx.http).await {
                    Ok(m) => self.seen.push(format!("original:{}", m.content)),
                    Err(e) => self.seen.push(format!("error: get_response: {e}")),
                }
                let edit = EditInteractionResponse::new().content("pong (edited)");
                match cmd.edit_response(&ctx.http, edit).await {
                    Ok(m) => self.seen.push(format!("edited:{}", m.content)),
                    Err(e) => self.seen.push(format!("error: edit_response: {e}")),
                }
                let followup = CreateInteractionResponseFollowup::new()
                    .content("follow-up")
                    .ephemeral(true);
                match cmd.create_followup(&ctx.http, followup).await {
                    Ok(m) => self.seen.push(format!("followup:{}", m.content)),
                    Err(e) => self.seen.push(format!("error: create_followup: {e}")),
                }
            }
            Interaction::Autocomplete(ac) => {
                let typed = ac
                    .data
                    .autocomplete()
                    .map(|o| o.value.to_string())
                    .unwrap_or_default();
                self.seen
                    .push(format!("autocomplete:{}:{typed}", ac.data.name));
                let choices = CreateAutocompleteResponse::new()
                    .add_string_choice("Rust", "rust")
                    .add_string_choice("Ruby", "ruby");
                let answer = ac
                    .create_response(&ctx.http, CreateInteractionResponse::Autocomplete(choices))
                    .await;
                if let Err(e) = answer {
                    self.seen.push(format!("error: autocomplete response: {e}"));
                }
            }
            Interaction::Component(click) => {
                self.seen.push(format!(
                    "component:{}:{}",
                    click.data.custom_id, click.user.id
                ));
                let update = CreateInteractionResponseMessage::new()
                    .content("clicked")
                    .components(vec![]);
                let answer = click
                    .create_response(&ctx.http, CreateInteractionResponse::UpdateMessage(update))
                    .await;
                if let Err(e) = answer {
                    self.seen.push(format!("error: component response: {e}"));
                }
            }
            other => self.seen.push(format!("other:{:?}", other.kind())),
        }
    }
}

struct Bot {
    seen: Seen,
    shards: Arc<ShardManager>,
    task: tokio::task::JoinHandle<()>,
}

impl Bot {
    async fn start(fake: &FakeDiscord) -> Bot {
        let http = HttpBuilder::new("fake-bot-token")
            .proxy(fake.api_url())
            .ratelimiter_disabled(true)
            .build();
        let seen = Seen::default();
        let mut client: Client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
            .event_handler(Handler { seen: seen.clone() })
            .await
            .expect("serenity client builds");
        let shards = Arc::clone(&client.shard_manager);
        let task = tokio::spawn(async move {
            let _ = client.start().await;
        });
        Bot { seen, shards, task }
    }

    async fn stop(self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.shards.shutdown_all()).await;
        self.task.abort();
    }

    fn assert_no_errors(&self) {
        let errors: Vec<String> = self
            .seen
            .all()
            .into_iter()
            .filter(|e| e.starts_with("error"))
            .collect();
        assert!(errors.is_empty(), "handler REST calls failed: {errors:?}");
    }
}

async fn registered(fake: &FakeDiscord) -> Value {
    let path = format!(
        "/applications/{}/guilds/{}/commands",
        FakeDiscord::APP_ID,
        FakeDiscord::GUILD_ID
    );
    fake.wait_request(|r| r.method == "PUT" && r.path == path, WAIT)
        .await
        .expect("guild command registration")
        .body
}

async fn answered_command(fake: &FakeDiscord, bot: &Bot, mode: &str) -> (InteractionRef, Value) {
    let options = json!([{"name": "mode", "type": 3, "value": mode}]);
    let i = fake.send_command("ping", options, USER, "8").await;
    let callback = fake
        .wait_callback(&i, WAIT)
        .await
        .expect("command callback");
    bot.seen
        .wait_for(|e| e == format!("command:ping:{mode}:{USER}"))
        .await
        .expect("command reached the handler");
    (i, callback.body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_button_and_autocomplete_round_trip() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake).await;

    fake.wait_identified(WAIT).await.unwrap();
    assert_eq!(fake.identify_count(), 1);
    let identify = &fake.identify_payloads()[0];
    assert_eq!(identify["intents"], json!(GatewayIntents::GUILDS.bits()));
    bot.seen.wait_for(|e| e == "ready:fake-bot").await.unwrap();

    let commands = registered(&fake).await;
    assert_eq!(commands[0]["name"], "ping");
    assert_eq!(commands[0]["options"][0]["choices"][1]["value"], "quiet");
    bot.seen.wait_for(|e| e == "registered:1").await.unwrap();
    assert_eq!(
        fake.registered_commands(Some(FakeDiscord::GUILD_ID)).len(),
        1
    );

    // Slash command: ephemeral answer with an embed and a button, then the webhook routes.
    let (i, callback) = answered_command(&fake, &bot, "loud").await;
    assert_eq!(callback["type"], 4);
    assert_eq!(callback["data"]["content"], "pong (loud)");
    assert_eq!(callback["data"]["flags"].as_u64().unwrap() & 64, 64);
    bot.seen
        .wait_for(|e| e == "original:pong (loud)")
        .await
        .unwrap();
    bot.seen
        .wait_for(|e| e == "edited:pong (edited)")
        .await
        .unwrap();
    bot.seen
        .wait_for(|e| e == "followup:follow-up")
        .await
        .unwrap();
    let original = fake
        .original_response(&i)
        .expect("original response stored");
    assert_eq!(original["content"], "pong (edited)");

    // Button click on a default message.
    let click = fake.send_button("again", Value::Null, USER).await;
    let callback = fake.wait_callback(&click, WAIT).await.unwrap();
    assert_eq!(callback.body["type"], 7);
    assert_eq!(callback.body["data"]["content"], "clicked");
    bot.seen
        .wait_for(|e| e == format!("component:again:{USER}"))
        .await
        .unwrap();
    assert_eq!(
        fake.original_response(&click).unwrap()["content"],
        "clicked"
    );

    // Autocomplete with a focused option.
    let options = json!([{"name": "topic", "type": 3, "value": "ru", "focused": true}]);
    let ac = fake.send_autocomplete("ping", options).await;
    let callback = fake.wait_callback(&ac, WAIT).await.unwrap();
    assert_eq!(callback.body["type"], 8);
    assert_eq!(callback.body["data"]["choices"][0]["value"], "rust");
    bot.seen
        .wait_for(|e| e == "autocomplete:ping:ru")
        .await
        .unwrap();

    // serenity heartbeats every 5 s (the interval in HELLO); each one is acknowledged.
    let deadline = tokio::time::Instant::now() + WAIT;
    while fake.heartbeat_count() == 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(fake.heartbeat_count() > 0, "no heartbeat within {WAIT:?}");

    bot.assert_no_errors();
    assert_eq!(fake.violations(), Vec::<String>::new());
    assert_eq!(fake.unknown_routes(), Vec::<String>::new());

    // Answering an interaction twice is refused like Discord does, and recorded.
    let http = HttpBuilder::new("fake-bot-token")
        .proxy(fake.api_url())
        .ratelimiter_disabled(true)
        .build();
    let twice = http
        .create_interaction_response(
            InteractionId::new(i.id),
            &i.token,
            &json!({"type": 4, "data": {"content": "again"}}),
            vec![],
        )
        .await;
    assert!(twice.is_err(), "a second answer must fail");
    let violations = fake.violations();
    assert!(
        violations.iter().any(|v| v.contains("answered twice")),
        "{violations:?}"
    );
    bot.stop().await;
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_resumes_after_the_gateway_drops() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake).await;
    fake.wait_identified(WAIT).await.unwrap();
    registered(&fake).await;
    let before = fake.identify_count();

    fake.drop_gateway().await;
    fake.wait_identified(WAIT).await.unwrap();
    assert!(
        fake.identify_count() > before,
        "no IDENTIFY/RESUME after the drop"
    );
    assert_eq!(fake.resume_count(), 1);

    let (_, callback) = answered_command(&fake, &bot, "quiet").await;
    assert_eq!(callback["data"]["content"], "pong (quiet)");
    bot.assert_no_errors();
    assert_eq!(fake.violations(), Vec::<String>::new());
    bot.stop().await;
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_identifies_again_when_resume_is_refused() {
    let fake = FakeDiscord::start().await;
    let bot = Bot::start(&fake).await;
    fake.wait_identified(WAIT).await.unwrap();
    registered(&fake).await;

    fake.set_reject_resume(true);
    fake.drop_gateway().await;
    // serenity restarts the shard after op 9; its shard queuer waits up to 5 s between boots.
    fake.wait_identified(Duration::from_secs(15)).await.unwrap();
    assert_eq!(
        fake.identify_payloads().len(),
        2,
        "expected a second IDENTIFY"
    );
    assert_eq!(fake.resume_count(), 1);

    let (_, callback) = answered_command(&fake, &bot, "loud").await;
    assert_eq!(callback["type"], 4);
    bot.assert_no_errors();
    assert_eq!(fake.violations(), Vec::<String>::new());
    bot.stop().await;
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_answers_parse_in_serenity_and_unknown_routes_are_recorded() {
    let fake = FakeDiscord::start().await;
    let http = HttpBuilder::new("fake-bot-token")
        .proxy(fake.api_url())
        .ratelimiter_disabled(true)
        .build();

    let me = http.get_current_user().await.expect("GET /users/@me");
    assert_eq!(me.id.get(), FakeDiscord::BOT_USER_ID);
    let app = http
        .get_current_application_info()
        .await
        .expect("GET /oauth2/applications/@me");
    assert_eq!(app.id.get(), FakeDiscord::APP_ID);
    let gateway = http.get_gateway().await.expect("GET /gateway");
    assert_eq!(gateway.url, fake.gateway_url());
    let bot_gateway = http.get_bot_gateway().await.expect("GET /gateway/bot");
    assert_eq!(bot_gateway.shards, 1);

    let channel = ChannelId::new(FakeDiscord::CHANNEL_ID);
    let sent = channel
        .send_message(
            &http,
            CreateMessage::new()
                .content("hello")
                .embed(CreateEmbed::new().title("Title").field("a", "b", false))
                .components(vec![CreateActionRow::Buttons(vec![
                    CreateButton::new("go").label("Go"),
                    CreateButton::new_link("https://example.invalid").label("Docs"),
                ])]),
        )
        .await
        .expect("POST /channels/{c}/messages");
    assert_eq!(sent.content, "hello");
    assert_eq!(sent.embeds[0].title.as_deref(), Some("Title"));
    assert_eq!(sent.components.len(), 1);
    let again = channel
        .message(&http, sent.id)
        .await
        .expect("GET the message back");
    assert_eq!(again.id, sent.id);

    // A file upload goes as multipart; the fake validates its payload_json.
    let upload =
        CreateMessage::new().add_file(CreateAttachment::bytes(b"abc".to_vec(), "notes.txt"));
    let with_file = channel
        .send_message(&http, upload)
        .await
        .expect("multipart message");
    assert_eq!(with_file.attachments[0].filename, "notes.txt");
    let recorded = fake
        .wait_request(|r| r.files == ["notes.txt"], WAIT)
        .await
        .expect("multipart request recorded");
    assert!(
        recorded.body["attachments"].is_array(),
        "payload_json parsed: {}",
        recorded.body
    );

    let unknown = http.get_guild(GuildId::new(FakeDiscord::GUILD_ID)).await;
    assert!(
        unknown.is_err(),
        "GET /guilds/{{id}} is not served by the fake"
    );
    let path = format!("GET /api/v10/guilds/{}", FakeDiscord::GUILD_ID);
    assert_eq!(fake.unknown_routes(), vec![path]);
    assert_eq!(fake.violations(), Vec::<String>::new());

    // Live traffic is validated too: an empty message is recorded (and still answered).
    let empty = http
        .send_message(channel, vec![], &json!({"content": ""}))
        .await;
    assert!(empty.is_ok(), "the fake answers even bodies it flags");
    let violations = fake.violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(
        violations[0].starts_with("POST /channels/"),
        "{violations:?}"
    );
    assert!(violations[0].contains("empty message"), "{violations:?}");
    fake.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_catches_bad_bodies() {
    let good = json!({"content": "hi", "embeds": [{"title": "t", "description": "d"}]});
    assert_eq!(
        FakeDiscord::validate("POST", "/channels/1/messages", &good),
        Vec::<String>::new()
    );
    assert_eq!(
        FakeDiscord::validate(
            "POST",
            "/interactions/1/tok/callback",
            &json!({"type": 4, "data": good})
        ),
        Vec::<String>::new()
    );

    let cases = [
        (
            "POST",
            "/channels/1/messages",
            json!({"content": "x".repeat(2001)}),
            "content",
        ),
        (
            "POST",
            "/channels/1/messages",
            json!({"content": ""}),
            "empty message",
        ),
        (
            "POST",
            "/channels/1/messages",
            json!({"embeds": [{"title": "t".repeat(257)}]}),
            "title",
        ),
        (
            "POST",
            "/channels/1/messages",
            json!({"embeds": [{"description": "d".repeat(4096)}, {"description": "d".repeat(2000)}]}),
            "6000",
        ),
        (
            "POST",
            "/channels/1/messages",
            json!({"components": [{"type": 1, "components": [
                {"type": 2, "style": 1, "custom_id": "same", "label": "L".repeat(81)},
                {"type": 2, "style": 1, "custom_id": "same", "label": "ok"},
            ]}]}),
            "label",
        ),
        (
            "POST",
            "/interactions/1/tok/callback",
            json!({"type": 4, "data": {"content": "y".repeat(2001)}}),
            "content",
        ),
        (
            "POST",
            "/interactions/1/tok/callback",
            json!({"type": 8, "data": {"choices": (0..26)
                .map(|n| json!({"name": format!("c{n}"), "value": format!("{n}")}))
                .collect::<Vec<_>>()}}),
            "choices",
        ),
        (
            "POST",
            "/interactions/1/tok/callback",
            json!({"type": 4, "data": {"tts": "yes"}}),
            "schema",
        ),
        (
            "PUT",
            "/api/v10/applications/1/guilds/2/commands",
            json!([{"name": "Bad Name", "description": "x", "options": [
                {"type": 3, "name": "late", "description": "d", "required": false},
                {"type": 3, "name": "early", "description": "d", "required": true},
            ]}]),
            "required option",
        ),
        (
            "PATCH",
            "/webhooks/1/tok/messages/@original?x=1",
            json!({"content": 5}),
            "schema",
        ),
    ];
    for (method, path, body, expected) in cases {
        let found = FakeDiscord::validate(method, path, &body);
        assert!(
            found.iter().any(|v| v.contains(expected)),
            "{method} {path}: expected a violation mentioning {expected:?}, got {found:?}"
        );
        assert!(
            found.iter().all(|v| v.starts_with(&format!("{method} "))),
            "{found:?}"
        );
    }
}

/// What serenity's builders serialize must not be flagged (no false positives from the spec).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_builders_validate_cleanly() {
    use serenity::all::{
        CreateAllowedMentions, CreateEmbedAuthor, CreateEmbedFooter, CreateInputText, CreateModal,
        CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption, EditMessage,
        InputTextStyle, Permissions, Timestamp,
    };

    let embed = CreateEmbed::new()
        .title("Title")
        .description("Description")
        .url("https://example.invalid/page")
        .colour(0x00ff00)
        .timestamp(Timestamp::now())
        .author(CreateEmbedAuthor::new("author").url("https://example.invalid/a"))
        .footer(CreateEmbedFooter::new("footer"))
        .thumbnail("https://example.invalid/t.png")
        .field("name", "value", true);
    let select = CreateSelectMenu::new(
        "pick",
        CreateSelectMenuKind::String {
            options: vec![
                CreateSelectMenuOption::new("One", "1").description("first"),
                CreateSelectMenuOption::new("Two", "2").default_selection(true),
            ],
        },
    )
    .placeholder("Choose")
    .min_values(1)
    .max_values(1);
    let rows = vec![
        CreateActionRow::Buttons(vec![
            CreateButton::new("yes")
                .label("Yes")
                .style(ButtonStyle::Success),
            CreateButton::new("no")
                .label("No")
                .style(ButtonStyle::Danger),
            CreateButton::new_link("https://example.invalid").label("Docs"),
        ]),
        CreateActionRow::SelectMenu(select),
    ];
    let message = CreateInteractionResponseMessage::new()
        .content("hello")
        .embed(embed.clone())
        .components(rows.clone())
        .allowed_mentions(CreateAllowedMentions::new().empty_users().empty_roles())
        .ephemeral(true);
    let modal = CreateModal::new("form", "A form").components(vec![CreateActionRow::InputText(
        CreateInputText::new(InputTextStyle::Paragraph, "Answer", "answer").required(true),
    )]);
    let callback = "/interactions/1/tok/callback";
    let mut bodies: Vec<(&str, String, Value)> = vec![
        (
            "POST",
            callback.into(),
            serde_json::to_value(CreateInteractionResponse::Message(message.clone())).unwrap(),
        ),
        (
            "POST",
            callback.into(),
            serde_json::to_value(CreateInteractionResponse::UpdateMessage(message)).unwrap(),
        ),
        (
            "POST",
            callback.into(),
            serde_json::to_value(CreateInteractionResponse::Defer(
                CreateInteractionResponseMessage::new().ephemeral(true),
            ))
            .unwrap(),
        ),
        (
            "POST",
            callback.into(),
            serde_json::to_value(CreateInteractionResponse::Acknowledge).unwrap(),
        ),
        (
            "POST",
            callback.into(),
            serde_json::to_value(CreateInteractionResponse::Autocomplete(
                CreateAutocompleteResponse::new()
                    .add_string_choice("a", "a")
                    .add_string_choice("b", "b"),
            ))
            .unwrap(),
        ),
        (
            "POST",
            callback.into(),
            serde_json::to_value(CreateInteractionResponse::Modal(modal)).unwrap(),
        ),
        (
            "PATCH",
            "/webhooks/1/tok/messages/@original".into(),
            serde_json::to_value(
                EditInteractionResponse::new()
                    .content("edited")
                    .embed(embed.clone())
                    .components(rows.clone()),
            )
            .unwrap(),
        ),
        (
            "POST",
            "/webhooks/1/tok".into(),
            serde_json::to_value(
                CreateInteractionResponseFollowup::new()
                    .content("more")
                    .ephemeral(true),
            )
            .unwrap(),
        ),
        (
            "POST",
            "/channels/1/messages".into(),
            serde_json::to_value(
                CreateMessage::new()
                    .content("hi")
                    .embed(embed.clone())
                    .components(rows),
            )
            .unwrap(),
        ),
        (
            "PATCH",
            "/channels/1/messages/2".into(),
            serde_json::to_value(EditMessage::new().content("changed").embeds(vec![embed]))
                .unwrap(),
        ),
    ];
    let command = CreateCommand::new("everything")
        .description("Every option type")
        .default_member_permissions(Permissions::MANAGE_GUILD)
        .dm_permission(false)
        .add_option(
            CreateCommandOption::new(CommandOptionType::String, "text", "t")
                .required(true)
                .max_length(50),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::Integer, "count", "c")
                .min_int_value(1)
                .max_int_value(9),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::Number, "ratio", "r").min_number_value(0.5),
        )
        .add_option(CreateCommandOption::new(
            CommandOptionType::Boolean,
            "flag",
            "f",
        ))
        .add_option(CreateCommandOption::new(
            CommandOptionType::User,
            "who",
            "w",
        ))
        .add_option(CreateCommandOption::new(
            CommandOptionType::Channel,
            "where",
            "w",
        ))
        .add_option(CreateCommandOption::new(
            CommandOptionType::Role,
            "role",
            "r",
        ))
        .add_option(
            CreateCommandOption::new(CommandOptionType::Integer, "level", "l")
                .add_int_choice("Low", 1),
        )
        .add_option(
            CreateCommandOption::new(CommandOptionType::String, "topic", "t")
                .set_autocomplete(true),
        );
    let nested = CreateCommand::new("admin")
        .description("Subcommands")
        .add_option(
            CreateCommandOption::new(CommandOptionType::SubCommand, "reset", "Reset things")
                .add_sub_option(
                    CreateCommandOption::new(CommandOptionType::User, "target", "Whom")
                        .required(true),
                ),
        );
    let user_menu = CreateCommand::new("Inspect user").kind(serenity::all::CommandType::User);
    let guild_commands = format!("/applications/1/guilds/{}/commands", FakeDiscord::GUILD_ID);
    bodies.push((
        "PUT",
        guild_commands,
        serde_json::to_value(vec![command, nested, user_menu]).unwrap(),
    ));

    for (method, path, body) in bodies {
        let found = FakeDiscord::validate(method, &path, &body);
        assert_eq!(found, Vec::<String>::new(), "{method} {path} with {body}");
    }
}
