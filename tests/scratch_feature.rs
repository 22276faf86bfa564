//! Adding a command touches one feature: a scratch feature declared here, with one command and
//! one option, runs through the engine with nothing else changed (issue 18's "Adding a
//! command"). The option's name is written once, as the field's.

use std::sync::Arc;

use interview_bot::bank::Bank;
use interview_bot::clock::ManualClock;
use interview_bot::engine::command::{CommandSpec, OptionSpec, Run};
use interview_bot::engine::{
    Engine, Error, Feature, Invocation, Member, Message, Outcome, Permissions, RawOption, Registry,
    Request,
};
use interview_bot::model::UserId;
use interview_bot::store::Store;

interview_bot::options! {
    /// `/echo text:<text>`
    pub struct EchoOptions {
        text: String = OptionSpec::text("What to say back", 50),
    }
}

impl Run for EchoOptions {
    fn run(self, _engine: &Engine, _req: &Request) -> Result<Outcome, Error> {
        Ok(Outcome::private(Message::text(format!(
            "echo: {}",
            self.text
        ))))
    }
}

static SCRATCH: Feature = Feature {
    name: "scratch",
    commands: &[CommandSpec::leaf::<EchoOptions>("echo", "Say it back")],
    actions: &[],
    due: None,
};

static FEATURES: &[&Feature] = &[&SCRATCH];

fn engine() -> Engine {
    let bank = Bank::load_configured(None).unwrap().0;
    Engine::with_features(
        Arc::new(bank),
        Store::open_in_memory().unwrap(),
        Arc::new(ManualClock::new(0)),
        Registry::new(FEATURES),
    )
}

fn run(engine: &Engine, options: Vec<RawOption>) -> Result<Outcome, Error> {
    let member = Member {
        user_id: UserId(1),
        name: "Ada".into(),
        roles: vec![],
        permissions: Permissions(0),
    };
    engine.dispatch(&Request::member(
        1,
        2,
        member,
        Invocation::Command {
            name: "echo".into(),
            options,
        },
    ))
}

#[test]
fn a_scratch_feature_adds_a_command_with_one_typed_option() {
    let engine = engine();
    let leaf = engine
        .registry()
        .find("echo")
        .expect("the scratch command is found");
    assert_eq!(leaf.spec.options.len(), 1);
    assert_eq!(leaf.spec.options[0].name, "text");
    assert!(leaf.spec.options[0].required);
    let outcome = run(&engine, vec![RawOption::text("text", "hello")]).unwrap();
    assert_eq!(
        outcome.first_reply().unwrap().1.content.as_deref(),
        Some("echo: hello")
    );
    // A misspelt option name is refused by the declaration, not read as nothing.
    assert!(matches!(
        run(&engine, vec![RawOption::text("txet", "hello")]),
        Err(Error::UnknownOption { .. })
    ));
    // The engine knows only the features it was given.
    assert!(engine.registry().find("question").is_none());
}
