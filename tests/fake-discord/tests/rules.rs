//! The Discord rules the fake models (see README.md for the sources), driven with serenity's
//! `Http` pointed at the fake. A bare serenity client holds the gateway session the fake needs to
//! dispatch interactions; it does not answer them: each test answers through REST itself.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_discord::{DEFAULT_USER_ID, FakeDiscord, InteractionRef, Member};
use serde_json::{Value, json};
use serenity::all::{
    ActionRowComponent, ApplicationId, ChannelId, Client, ClientBuilder, Context, EventHandler,
    GatewayIntents, Http, HttpBuilder, Interaction, InteractionId, MessageId, RoleId, ShardManager,
};
use serenity::http::MessagePagination;

const WAIT: Duration = Duration::from_secs(10);
const EPHEMERAL: u64 = 64;

/// Keeps every interaction serenity delivered, and answers none.
#[derive(Clone, Default)]
struct Quiet(Arc<Mutex<Vec<Interaction>>>);

#[serenity::async_trait]
impl EventHandler for Quiet {
    async fn interaction_create(&self, _ctx: Context, interaction: Interaction) {
        self.0.lock().unwrap().push(interaction);
    }
}

impl Quiet {
    async fn wait(&self, id: u64) -> Interaction {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let found = self
                .0
                .lock()
                .unwrap()
                .iter()
                .find(|i| i.id().get() == id)
                .cloned();
            if let Some(i) = found {
                return i;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "interaction {id} never arrived"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

struct Setup {
    fake: FakeDiscord,
    http: Http,
    seen: Quiet,
    shards: Arc<ShardManager>,
    task: tokio::task::JoinHandle<()>,
}

impl Setup {
    async fn start() -> Setup {
        let fake = FakeDiscord::start().await;
        let http = || {
            HttpBuilder::new("fake-bot-token")
                .proxy(fake.api_url())
                .ratelimiter_disabled(true)
                .application_id(ApplicationId::new(FakeDiscord::APP_ID))
                .build()
        };
        let seen = Quiet::default();
        let mut client: Client = ClientBuilder::new_with_http(http(), GatewayIntents::GUILDS)
            .event_handler(seen.clone())
            .await
            .expect("serenity client builds");
        let shards = Arc::clone(&client.shard_manager);
        let task = tokio::spawn(async move {
            let _ = client.start().await;
        });
        fake.wait_identified(WAIT).await.unwrap();
        Setup {
            http: http(),
            seen,
            fake,
            shards,
            task,
        }
    }

    async fn command(&self) -> InteractionRef {
        self.fake
            .send_command("ping", Value::Null, DEFAULT_USER_ID, "0")
            .await
    }

    async fn callback(&self, i: &InteractionRef, body: Value) -> serenity::Result<()> {
        self.http
            .create_interaction_response(InteractionId::new(i.id), &i.token, &body, vec![])
            .await
    }

    async fn stop(self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.shards.shutdown_all()).await;
        self.task.abort();
        self.fake.shutdown().await;
    }
}

fn flags(m: &Value) -> u64 {
    m["flags"].as_u64().unwrap_or(0)
}

fn channel() -> ChannelId {
    ChannelId::new(FakeDiscord::CHANNEL_ID)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_followup_after_a_private_deferral_edits_it_and_stays_private() {
    let s = Setup::start().await;
    let i = s.command().await;
    s.callback(&i, json!({"type": 5, "data": {"flags": EPHEMERAL}}))
        .await
        .unwrap();
    let thinking = s.fake.original_response(&i).expect("deferred message");
    assert!(FakeDiscord::is_loading(&thinking) && FakeDiscord::is_ephemeral(&thinking));

    // The bot asks for a public follow-up: Discord edits the deferred message instead, keeping
    // it ephemeral.
    let first = s
        .http
        .create_followup_message(&i.token, &json!({"content": "for everyone?"}), vec![])
        .await
        .unwrap();
    assert_eq!(first.id.get(), i.id_of_original(&s.fake));
    let original = s.fake.original_response(&i).unwrap();
    assert_eq!(original["content"], "for everyone?");
    assert_eq!(
        flags(&original),
        EPHEMERAL,
        "loading cleared, still ephemeral"
    );
    assert!(s.fake.followups(&i).is_empty());
    assert_eq!(
        s.fake.visible_to_channel(FakeDiscord::CHANNEL_ID),
        Vec::<Value>::new()
    );
    assert_eq!(
        s.fake
            .visible_to(FakeDiscord::CHANNEL_ID, DEFAULT_USER_ID)
            .len(),
        1
    );
    assert!(
        s.fake.notes().iter().any(|n| n.contains("EPHEMERAL")),
        "{:?}",
        s.fake.notes()
    );

    // The second follow-up is a message of its own, with its own flags.
    let second = s
        .http
        .create_followup_message(&i.token, &json!({"content": "now public"}), vec![])
        .await
        .unwrap();
    assert_ne!(second.id, first.id);
    let messages = s.fake.channel_messages(FakeDiscord::CHANNEL_ID);
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["content"], "now public");
    assert_eq!(flags(&messages[1]), 0);
    assert_eq!(s.fake.followups(&i).len(), 1);
    assert_eq!(s.fake.interaction_messages(&i).len(), 2);
    assert_eq!(s.fake.violations(), Vec::<String>::new());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_deferral_cannot_become_private() {
    let s = Setup::start().await;
    let i = s.command().await;
    s.callback(&i, json!({"type": 5})).await.unwrap();
    let edited = s
        .http
        .edit_original_interaction_response(
            &i.token,
            &json!({"content": "secret?", "flags": EPHEMERAL}),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(edited.content, "secret?");
    let original = s.fake.original_response(&i).unwrap();
    assert_eq!(flags(&original), 0, "{original}");
    assert_eq!(s.fake.visible_to_channel(FakeDiscord::CHANNEL_ID).len(), 1);
    // After an edit the deferred message is no longer loading: a follow-up is a new message.
    s.http
        .create_followup_message(
            &i.token,
            &json!({"content": "more", "flags": EPHEMERAL}),
            vec![],
        )
        .await
        .unwrap();
    let messages = s.fake.channel_messages(FakeDiscord::CHANNEL_ID);
    assert_eq!(messages.len(), 2);
    assert!(FakeDiscord::is_ephemeral(&messages[1]));
    assert!(!s.fake.notes().is_empty());
    assert_eq!(s.fake.violations(), Vec::<String>::new());
    s.stop().await;
}

/// What a bot sees if it defers privately, sends the answer as a "public" follow-up and then
/// deletes `@original`: the follow-up was the deferred (private) message, so nothing is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_deferral_public_followup_then_delete_leaves_nothing() {
    let s = Setup::start().await;
    let i = s.command().await;
    s.callback(&i, json!({"type": 5, "data": {"flags": EPHEMERAL}}))
        .await
        .unwrap();
    s.http
        .create_followup_message(&i.token, &json!({"content": "the question"}), vec![])
        .await
        .unwrap();
    s.http
        .delete_original_interaction_response(&i.token)
        .await
        .unwrap();
    assert_eq!(
        s.fake.channel_messages(FakeDiscord::CHANNEL_ID),
        Vec::<Value>::new()
    );
    // A follow-up after the deferred message is gone is a new message (discord-api-docs #2739).
    s.http
        .create_followup_message(&i.token, &json!({"content": "again"}), vec![])
        .await
        .unwrap();
    assert_eq!(s.fake.visible_to_channel(FakeDiscord::CHANNEL_ID).len(), 1);
    assert_eq!(s.fake.violations(), Vec::<String>::new());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn original_and_followups_before_the_first_answer_fail() {
    let s = Setup::start().await;
    let i = s.command().await;
    let edit = s
        .http
        .edit_original_interaction_response(&i.token, &json!({"content": "x"}), vec![])
        .await;
    assert!(edit.is_err(), "PATCH @original before the answer");
    let delete = s.http.delete_original_interaction_response(&i.token).await;
    assert!(delete.is_err(), "DELETE @original before the answer");
    let follow = s
        .http
        .create_followup_message(&i.token, &json!({"content": "x"}), vec![])
        .await;
    assert!(follow.is_err(), "follow-up before the answer");
    let violations = s.fake.violations();
    assert_eq!(violations.len(), 3, "{violations:?}");
    assert!(
        violations
            .iter()
            .all(|v| v.contains("before the interaction was acknowledged"))
    );
    assert!(s.fake.channel_messages(FakeDiscord::CHANNEL_ID).is_empty());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deferred_update_edits_the_components_message() {
    let s = Setup::start().await;
    let click = s
        .fake
        .send_button("go", json!({"content": "pick one"}), DEFAULT_USER_ID)
        .await;
    s.callback(&click, json!({"type": 6})).await.unwrap();
    // No loading message: the channel holds only the message the button is on.
    let messages = s.fake.channel_messages(FakeDiscord::CHANNEL_ID);
    assert_eq!(messages.len(), 1);
    assert!(!FakeDiscord::is_loading(&messages[0]));
    let source_id = messages[0]["id"].clone();
    s.http
        .edit_original_interaction_response(&click.token, &json!({"content": "picked"}), vec![])
        .await
        .unwrap();
    let messages = s.fake.channel_messages(FakeDiscord::CHANNEL_ID);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["id"], source_id);
    assert_eq!(messages[0]["content"], "picked");
    // Follow-ups after a type 6 are new messages.
    s.http
        .create_followup_message(
            &click.token,
            &json!({"content": "just you", "flags": EPHEMERAL}),
            vec![],
        )
        .await
        .unwrap();
    let messages = s.fake.channel_messages(FakeDiscord::CHANNEL_ID);
    assert_eq!(messages.len(), 2);
    assert!(FakeDiscord::is_ephemeral(&messages[1]));
    // A modal is only ever a first answer.
    let modal = json!({"type": 9, "data": {"custom_id": "m", "title": "T", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "a", "label": "A", "style": 1}]}
    ]}});
    assert!(s.callback(&click, modal).await.is_err());
    assert!(
        s.fake
            .violations()
            .iter()
            .any(|v| v.contains("only be the first response")),
        "{:?}",
        s.fake.violations()
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modal_round_trip() {
    let s = Setup::start().await;
    let i = s.command().await;
    let modal = json!({"type": 9, "data": {"custom_id": "feedback", "title": "Feedback",
    "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "name", "label": "Name",
            "style": 1, "min_length": 1, "max_length": 50}]},
        {"type": 1, "components": [{"type": 4, "custom_id": "notes", "label": "Notes",
            "style": 2, "required": false}]},
    ]}});
    s.callback(&i, modal).await.unwrap();
    assert_eq!(s.fake.answered_with(&i), Some(9));
    assert!(s.fake.channel_messages(FakeDiscord::CHANNEL_ID).is_empty());

    let submit = s
        .fake
        .send_modal_submit(
            "feedback",
            &[("name", "Ada"), ("notes", "")],
            DEFAULT_USER_ID,
            None,
        )
        .await;
    // A modal submit cannot answer with another modal, nor (without a message) update one.
    let again = json!({"type": 9, "data": {"custom_id": "x", "title": "x", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "a", "label": "A", "style": 1}]}
    ]}});
    assert!(s.callback(&submit, again).await.is_err());
    let Interaction::Modal(seen) = s.seen.wait(submit.id).await else {
        panic!("serenity did not see a modal submit");
    };
    assert_eq!(seen.data.custom_id, "feedback");
    let values: Vec<(String, Option<String>)> = seen
        .data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .filter_map(|c| match c {
            ActionRowComponent::InputText(t) => Some((t.custom_id.clone(), t.value.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        values,
        vec![
            ("name".to_string(), Some("Ada".to_string())),
            ("notes".to_string(), Some(String::new()))
        ]
    );
    // A refused answer does not count: the submit can still be answered.
    s.callback(
        &submit,
        json!({"type": 4, "data": {"content": "thanks", "flags": EPHEMERAL}}),
    )
    .await
    .unwrap();
    assert!(s.fake.channel_messages(FakeDiscord::CHANNEL_ID)[0]["flags"] == EPHEMERAL);
    let violations = s.fake.violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].contains("callback type 9 is not valid for interaction type 5"));
    s.stop().await;
}

#[test]
fn modal_text_inputs_are_checked() {
    let path = "/interactions/1/tok/callback";
    let modal = |input: Value| {
        json!({"type": 9, "data": {"custom_id": "m", "title": "T", "components": [
            {"type": 1, "components": [input]}
        ]}})
    };
    let good = modal(json!({"type": 4, "custom_id": "a", "label": "A", "style": 2, "value": "v"}));
    assert_eq!(
        FakeDiscord::validate("POST", path, &good),
        Vec::<String>::new()
    );
    let cases = [
        (
            json!({"type": 4, "custom_id": "a", "label": "L".repeat(46), "style": 1}),
            "label",
        ),
        (
            json!({"type": 4, "custom_id": "a", "label": "A", "style": 3}),
            "style",
        ),
        (
            json!({"type": 4, "custom_id": "", "label": "A", "style": 1}),
            "custom_id",
        ),
        (
            json!({"type": 4, "custom_id": "a", "label": "A", "style": 1, "max_length": 4001}),
            "max_length",
        ),
        (
            json!({"type": 4, "custom_id": "a", "label": "A", "style": 1, "value": "v".repeat(4001)}),
            "value",
        ),
        (
            json!({"type": 2, "custom_id": "a", "label": "A", "style": 1}),
            "text input",
        ),
    ];
    for (input, expected) in cases {
        let found = FakeDiscord::validate("POST", path, &modal(input.clone()));
        assert!(
            found.iter().any(|v| v.contains(expected)),
            "{input}: expected {expected:?} in {found:?}"
        );
    }
    let deferral = json!({"type": 5, "data": {"flags": 4}});
    let found = FakeDiscord::validate("POST", path, &deferral);
    assert!(found.iter().any(|v| v.contains("EPHEMERAL")), "{found:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threads_start_from_messages_and_hold_messages() {
    let s = Setup::start().await;
    let posted = s
        .http
        .send_message(channel(), vec![], &json!({"content": "discuss here"}))
        .await
        .unwrap();
    let thread = s
        .http
        .create_thread_from_message(channel(), posted.id, &json!({"name": "Discussion"}), None)
        .await
        .unwrap();
    assert_eq!(
        thread.id.get(),
        posted.id.get(),
        "a thread from a message shares its id"
    );
    assert_eq!(u8::from(thread.kind), 11);
    let again = s
        .http
        .create_thread_from_message(channel(), posted.id, &json!({"name": "Twice"}), None)
        .await;
    assert!(again.is_err(), "one thread per message");

    let inside = s
        .http
        .send_message(thread.id, vec![], &json!({"content": "in the thread"}))
        .await
        .unwrap();
    assert_eq!(inside.channel_id, thread.id);
    assert_eq!(s.fake.channel_messages(thread.id.get()).len(), 1);

    let private = s
        .http
        .create_thread(channel(), &json!({"name": "Private"}), None)
        .await
        .unwrap();
    assert_eq!(
        u8::from(private.kind),
        12,
        "type defaults to PRIVATE_THREAD"
    );
    assert_eq!(s.fake.threads().len(), 2);

    // Message routes check that the message is in the channel named.
    let wrong = s
        .http
        .edit_message(channel(), inside.id, &json!({"content": "moved?"}), vec![])
        .await;
    assert!(wrong.is_err());
    let wrong = s.http.delete_message(channel(), inside.id, None).await;
    assert!(wrong.is_err());
    let violations = s.fake.violations();
    assert_eq!(violations.len(), 3, "{violations:?}");
    assert!(
        violations[0].contains("already has a thread"),
        "{violations:?}"
    );
    assert!(violations[1].contains("not in channel"), "{violations:?}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enforced_nonce_returns_the_earlier_message_and_history_is_newest_first() {
    let s = Setup::start().await;
    let body = json!({"content": "once", "nonce": "abc-1", "enforce_nonce": true});
    let first = s.http.send_message(channel(), vec![], &body).await.unwrap();
    let second = s.http.send_message(channel(), vec![], &body).await.unwrap();
    assert_eq!(first.id, second.id, "same nonce: the earlier message");
    let unenforced = json!({"content": "twice", "nonce": "abc-1"});
    let third = s
        .http
        .send_message(channel(), vec![], &unenforced)
        .await
        .unwrap();
    assert_ne!(
        third.id, first.id,
        "without enforce_nonce a duplicate is created"
    );
    assert_eq!(s.fake.channel_messages(FakeDiscord::CHANNEL_ID).len(), 2);

    let newest = s.http.get_messages(channel(), None, Some(1)).await.unwrap();
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0].id, third.id);
    let all = s.http.get_messages(channel(), None, None).await.unwrap();
    assert_eq!(
        all.iter().map(|m| m.id).collect::<Vec<MessageId>>(),
        vec![third.id, first.id]
    );
    let before = s
        .http
        .get_messages(channel(), Some(MessagePagination::Before(third.id)), None)
        .await
        .unwrap();
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].id, first.id);
    assert_eq!(s.fake.violations(), Vec::<String>::new());
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_and_channel_options_are_resolved_and_member_roles_listed() {
    let s = Setup::start().await;
    s.fake.add_role(77, "interviewer");
    s.fake.add_channel(88, "interviews", 0);
    let member = Member::new(DEFAULT_USER_ID).permissions("8").roles([77]);
    let options = json!([
        {"name": "who", "type": 8, "value": "77"},
        {"name": "where", "type": 7, "value": "88"},
    ]);
    let i = s.fake.send_command_as("assign", options, &member).await;
    let Interaction::Command(cmd) = s.seen.wait(i.id).await else {
        panic!("serenity did not see a command");
    };
    let resolved = &cmd.data.resolved;
    assert_eq!(resolved.roles[&RoleId::new(77)].name, "interviewer");
    assert_eq!(
        resolved.channels[&ChannelId::new(88)].name.as_deref(),
        Some("interviews")
    );
    assert_eq!(cmd.member.as_ref().unwrap().roles, vec![RoleId::new(77)]);
    s.callback(&i, json!({"type": 4, "data": {"content": "ok"}}))
        .await
        .unwrap();
    s.http
        .send_message(ChannelId::new(88), vec![], &json!({"content": "hello"}))
        .await
        .unwrap();
    assert_eq!(s.fake.channel_messages(88).len(), 1);
    assert!(
        s.http
            .send_message(ChannelId::new(99), vec![], &json!({"content": "nowhere"}))
            .await
            .is_err()
    );
    assert_eq!(s.fake.violations().len(), 1, "{:?}", s.fake.violations());
    s.stop().await;
}

#[test]
fn a_bad_body_is_caught() {
    let found = FakeDiscord::validate(
        "POST",
        "/api/v10/channels/1/messages",
        &json!({"content": "x", "nonce": "n".repeat(26), "tts": "loud"}),
    );
    assert!(found.iter().any(|v| v.contains("nonce")), "{found:?}");
    assert!(found.iter().any(|v| v.contains("schema")), "{found:?}");
}

trait OriginalId {
    fn id_of_original(&self, fake: &FakeDiscord) -> u64;
}

impl OriginalId for InteractionRef {
    fn id_of_original(&self, fake: &FakeDiscord) -> u64 {
        fake.original_response(self)
            .and_then(|m| m["id"].as_str()?.parse().ok())
            .expect("an @original message")
    }
}

/// A string select like the bot's evidence lists: any of three options, two chosen already.
fn covered() -> Value {
    json!({"type": 3, "custom_id": "covered", "placeholder": "Covered", "min_values": 0,
           "max_values": 3, "options": [
        {"label": "Arrays", "value": "arrays", "description": "indexing", "default": true},
        {"label": "Hashing", "value": "hashing", "default": true},
        {"label": "Graphs", "value": "graphs", "default": false}
    ]})
}

/// A message with `select` in a row of its own above a row with one button, as the bot sends it.
fn select_message(select: Value) -> Value {
    json!({"content": "evidence", "components": [
        {"type": 1, "components": [select]},
        {"type": 1, "components": [{"type": 2, "style": 1, "label": "Done", "custom_id": "done"}]}
    ]})
}

/// Whether a REST call failed with Discord's `400 Invalid Form Body` (50035).
fn invalid_form_body<T: std::fmt::Debug>(result: serenity::Result<T>) -> bool {
    match result {
        Err(serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(e))) => {
            e.status_code.as_u16() == 400 && e.error.code == 50035
        }
        other => panic!("expected 400 Invalid Form Body, got {other:?}"),
    }
}

#[test]
fn select_rules_are_checked() {
    let path = "/api/v10/channels/1/messages";
    assert_eq!(
        FakeDiscord::validate("POST", path, &select_message(covered())),
        Vec::<String>::new()
    );
    let with = |key: &str, v: Value| {
        let mut s = covered();
        s[key] = v;
        select_message(s)
    };
    let option = |i: usize, key: &str, v: Value| {
        let mut s = covered();
        s["options"][i][key] = v;
        select_message(s)
    };
    let button = |id: &str| json!({"type": 2, "style": 1, "label": "B", "custom_id": id});
    let many_options: Vec<Value> = (0..26)
        .map(|i| json!({"label": format!("o{i}"), "value": format!("o{i}")}))
        .collect();
    let no_custom_id = {
        let mut s = covered();
        s.as_object_mut().unwrap().remove("custom_id");
        select_message(s)
    };
    let mut min_over_default_max = covered();
    min_over_default_max["min_values"] = json!(2);
    min_over_default_max
        .as_object_mut()
        .unwrap()
        .remove("max_values");
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"components": [{"type": 1, "components": [covered(), button("b")]}]}),
            "alone in its action row",
        ),
        (
            json!({"components": (0..6)
                .map(|i| json!({"type": 1, "components": [button(&format!("b{i}"))]}))
                .collect::<Vec<_>>()}),
            "6 action rows (max 5)",
        ),
        (with("options", json!([])), "has 0 options (1 to 25)"),
        (with("options", json!(many_options)), "has 26 options"),
        (
            option(0, "label", json!("L".repeat(101))),
            "options[0].label is 101 characters",
        ),
        (
            option(0, "value", json!("v".repeat(101))),
            "options[0].value is 101 characters",
        ),
        (
            option(0, "description", json!("d".repeat(101))),
            "options[0].description is 101 characters",
        ),
        (option(1, "label", json!("")), "options[1].label is empty"),
        (
            option(2, "value", json!("arrays")),
            "options[2].value \"arrays\" is used twice in one select",
        ),
        (
            with("placeholder", json!("p".repeat(151))),
            "placeholder is 151 characters",
        ),
        (with("min_values", json!(26)), "min_values is 26: 0 to 25"),
        (with("max_values", json!(0)), "max_values is 0: 1 to 25"),
        (with("max_values", json!(26)), "max_values is 26: 1 to 25"),
        (
            {
                let mut s = covered();
                s["min_values"] = json!(3);
                s["max_values"] = json!(2);
                select_message(s)
            },
            "min_values 3 is over max_values 2",
        ),
        (
            select_message(min_over_default_max),
            "min_values 2 is over max_values 1 (omitted, so 1)",
        ),
        (
            with("custom_id", json!("c".repeat(101))),
            "custom_id is 101 characters",
        ),
        (
            with("custom_id", json!("done")),
            "custom_id \"done\" is used twice in one message",
        ),
        (no_custom_id, "a select menu needs a custom_id"),
    ];
    for (body, expected) in cases {
        let found = FakeDiscord::validate("POST", path, &body);
        assert!(
            found.iter().any(|v| v.contains(expected)),
            "expected {expected:?} in {found:?}"
        );
        // The same rules hold for an interaction response.
        let callback = json!({"type": 4, "data": body});
        let found = FakeDiscord::validate("POST", "/interactions/1/tok/callback", &callback);
        assert!(
            found.iter().any(|v| v.contains(expected)),
            "callback: expected {expected:?} in {found:?}"
        );
    }
    // Several defaults are no rule of Discord's (a multi-select shows its current choice).
    let mut all_default = covered();
    all_default["options"][2]["default"] = json!(true);
    assert_eq!(
        FakeDiscord::validate("POST", path, &select_message(all_default)),
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_with_a_broken_select_is_refused_whole() {
    let s = Setup::start().await;
    let posted = s
        .http
        .send_message(channel(), vec![], &select_message(covered()))
        .await
        .unwrap();
    let held = s.fake.message(posted.id.get()).unwrap();
    assert_eq!(held["components"][0]["components"][0]["type"], 3);
    assert_eq!(s.fake.violations(), Vec::<String>::new());

    let mut min_over_max = covered();
    min_over_max["min_values"] = json!(3);
    min_over_max["max_values"] = json!(2);
    let min_over_max = select_message(min_over_max);
    let mut repeated = covered();
    repeated["options"][2]["value"] = json!("arrays");
    let repeated = select_message(repeated);

    // A channel post: nothing created.
    assert!(invalid_form_body(
        s.http.send_message(channel(), vec![], &min_over_max).await
    ));
    assert_eq!(s.fake.channel_messages(FakeDiscord::CHANNEL_ID).len(), 1);
    // An edit: the message stays as it was.
    assert!(invalid_form_body(
        s.http
            .edit_message(channel(), posted.id, &repeated, vec![])
            .await
    ));
    assert_eq!(s.fake.message(posted.id.get()).unwrap(), held);
    // An interaction response: refused, so the interaction is still unanswered, and a valid
    // answer then works.
    let i = s.command().await;
    s.seen.wait(i.id).await;
    assert!(invalid_form_body(
        s.callback(&i, json!({"type": 4, "data": repeated})).await
    ));
    assert_eq!(s.fake.answered_with(&i), None);
    s.callback(&i, json!({"type": 4, "data": select_message(covered())}))
        .await
        .unwrap();
    assert_eq!(s.fake.answered_with(&i), Some(4));
    // A follow-up: no message.
    assert!(invalid_form_body(
        s.http
            .create_followup_message(&i.token, &min_over_max, vec![])
            .await
    ));
    assert!(s.fake.followups(&i).is_empty());
    let refused: Vec<u16> = s
        .fake
        .requests()
        .iter()
        .map(|r| r.status)
        .filter(|st| *st == 400)
        .collect();
    assert_eq!(refused.len(), 4);
    let violations = s.fake.violations();
    assert_eq!(violations.len(), 4, "{violations:?}");
    assert!(
        violations
            .iter()
            .all(|v| v.contains("limit:") && (v.contains("min_values") || v.contains("twice"))),
        "{violations:?}"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_select_sends_what_discord_sends() {
    use serenity::all::ComponentInteractionDataKind;

    let s = Setup::start().await;
    let posted = s
        .http
        .send_message(channel(), vec![], &select_message(covered()))
        .await
        .unwrap();
    let message = s.fake.message(posted.id.get()).unwrap();
    let i = s
        .fake
        .send_select(&message, "covered", &["graphs", "arrays"], DEFAULT_USER_ID)
        .await;
    // Exactly Discord's shape: component type 3 with every chosen value, and the message.
    let payload = s.fake.dispatched(&i).unwrap();
    assert_eq!(payload["type"], 3);
    assert_eq!(
        payload["data"],
        json!({"custom_id": "covered", "component_type": 3, "values": ["graphs", "arrays"]})
    );
    assert_eq!(payload["message"], message);
    assert_eq!(payload["channel_id"], FakeDiscord::CHANNEL_ID.to_string());
    // serenity (what the bot runs) reads it as a string select.
    let Interaction::Component(click) = s.seen.wait(i.id).await else {
        panic!("not a component interaction");
    };
    assert_eq!(click.data.custom_id, "covered");
    assert_eq!(click.message.id, posted.id);
    match &click.data.kind {
        ComponentInteractionDataKind::StringSelect { values } => {
            assert_eq!(values, &["graphs", "arrays"]);
        }
        other => panic!("not a string select: {other:?}"),
    }
    // min_values 0: clearing the select sends no values.
    let cleared = s
        .fake
        .send_select(&message, "covered", &[], DEFAULT_USER_ID)
        .await;
    assert_eq!(
        s.fake.dispatched(&cleared).unwrap()["data"]["values"],
        json!([])
    );
    // The select's message can be updated in answer (type 7), as for a button.
    s.callback(&i, json!({"type": 7, "data": {"content": "noted"}}))
        .await
        .unwrap();
    assert_eq!(s.fake.message(posted.id.get()).unwrap()["content"], "noted");
    // A hostile test can still forge what no client sends, through send_interaction_in.
    let forged = s
        .fake
        .send_interaction_in(
            FakeDiscord::CHANNEL_ID,
            3,
            json!({"custom_id": "covered", "component_type": 3, "values": ["nope", "nope"]}),
            &Member::default(),
            Some(message),
        )
        .await;
    let Interaction::Component(forged) = s.seen.wait(forged.id).await else {
        panic!("not a component interaction");
    };
    assert!(matches!(
        &forged.data.kind,
        ComponentInteractionDataKind::StringSelect { values } if values == &["nope", "nope"]
    ));
    assert_eq!(s.fake.violations(), Vec::<String>::new());
    s.stop().await;
}

#[test]
fn select_data_allows_only_what_a_user_could_choose() {
    let message = |select: Value| {
        let mut m = select_message(select);
        m["id"] = json!("1");
        m
    };
    let covered = message(covered());
    assert_eq!(
        FakeDiscord::select_data(&covered, "covered", &["hashing"]).unwrap(),
        json!({"custom_id": "covered", "component_type": 3, "values": ["hashing"]})
    );
    // Omitted min_values and max_values are 1: exactly one value.
    let mut single = self::covered();
    let fields = single.as_object_mut().unwrap();
    fields.remove("min_values");
    fields.remove("max_values");
    let single = message(single);
    let mut disabled = self::covered();
    disabled["disabled"] = json!(true);
    let disabled = message(disabled);
    let cases: Vec<(&Value, &str, Vec<&str>, &str)> = vec![
        (
            &covered,
            "missing",
            vec!["arrays"],
            "no component with custom_id",
        ),
        (&covered, "done", vec![], "not a string select"),
        (&disabled, "covered", vec!["arrays"], "disabled"),
        (&covered, "covered", vec!["trees"], "not an option"),
        (
            &covered,
            "covered",
            vec!["arrays", "arrays"],
            "chosen twice",
        ),
        (
            &single,
            "covered",
            vec![],
            "0 values chosen in \"covered\", which takes 1 to 1",
        ),
        (
            &single,
            "covered",
            vec!["arrays", "graphs"],
            "which takes 1 to 1",
        ),
    ];
    for (m, id, values, expected) in cases {
        let err = FakeDiscord::select_data(m, id, &values).unwrap_err();
        assert!(err.contains(expected), "{id} {values:?}: {err}");
    }
    // The select may sit in a components v2 layout too.
    let v2 = json!({"id": "2", "flags": 1 << 15, "components": [
        {"type": 17, "components": [{"type": 1, "components": [self::covered()]}]}
    ]});
    assert!(FakeDiscord::select_data(&v2, "covered", &["graphs"]).is_ok());
}

#[tokio::test]
#[should_panic(expected = "no Discord client can send this")]
async fn send_select_fails_the_test_for_a_choice_no_client_can_make() {
    let fake = FakeDiscord::start().await;
    let mut message = select_message(covered());
    message["id"] = json!("1");
    fake.send_select(&message, "covered", &["trees"], DEFAULT_USER_ID)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_its_user_can_choose_in_an_ephemeral_select() {
    use futures_util::FutureExt;

    let s = Setup::start().await;
    let i = s.command().await;
    s.seen.wait(i.id).await;
    let mut data = select_message(covered());
    data["flags"] = json!(EPHEMERAL);
    s.callback(&i, json!({"type": 4, "data": data}))
        .await
        .unwrap();
    let message = s.fake.original_response(&i).unwrap();
    let own = s
        .fake
        .send_select(&message, "covered", &["graphs"], DEFAULT_USER_ID)
        .await;
    s.seen.wait(own.id).await;
    let other = std::panic::AssertUnwindSafe(s.fake.send_select(
        &message,
        "covered",
        &["graphs"],
        DEFAULT_USER_ID + 1,
    ))
    .catch_unwind()
    .await;
    let err = other.expect_err("another user cannot see an ephemeral message");
    let text = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.contains("ephemeral"), "{text}");
    s.stop().await;
}
