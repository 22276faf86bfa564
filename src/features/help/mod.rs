//! `/help`, generated from the command declarations: how a session goes, who sees what, and
//! every command in a line; `/help command:<name>` gives one command's options in full. All of
//! it fits one Discord message (a test checks).

use crate::engine::Handled;
use crate::engine::cards::{BOT_COLOUR, scale_text};
use crate::engine::command::{CommandSpec, Completion, Leaf, OptionSpec, Run};
use crate::engine::{Access, Card, Engine, Error, Feature, Message, Outcome, Request};
use crate::text::truncate;

/// The help feature: `/help`.
pub static FEATURE: Feature = Feature {
    name: "help",
    commands: &[CommandSpec::leaf::<HelpOptions>(
        "help",
        "How the bot works and its commands; or one command's options in full",
    )],
    actions: &[],
    due: None,
};

crate::options! {
    /// `/help [command:<name>]`
    pub struct HelpOptions {
        command: Option<String> = OptionSpec::text("Show this command's options in full", 20)
            .complete(Completion::Command),
    }
}

impl Run for HelpOptions {
    fn run(self, engine: &Engine, req: &Request) -> Handled {
        engine.help(req, self.command)
    }
}

impl Engine {
    fn help(&self, req: &Request, command: Option<String>) -> Handled {
        // Counts of the packs on here; with the store unreadable, of every pack (help still
        // answers).
        let catalog = self
            .catalog(req.guild_id)
            .unwrap_or_else(|_| crate::engine::Catalog::new(self.bank(), Default::default()));
        let shown = self.presentation();
        let name = shown.bot_name.as_deref().unwrap_or("interview-bot");
        let mention = |path: &str| match shown
            .command_ids
            .get(path.split(' ').next().unwrap_or(path))
        {
            Some(id) => format!("</{path}:{id}>"),
            None => format!("`/{path}`"),
        };
        let description = format!(
            "**1. Post a question.** {question} with a level (and a topic if you like) posts a question card for the whole channel, candidate included.\n\
             **2. The candidate answers aloud.** The card shows only the question, never the answer.\n\
             **3. Open the rubric.** **🔒 Model answer** on the card, or {answer} with the id from the card's footer, shows the bar (\"Yes at this level: 3 of these 4\" look-fors), what a strong yes adds, the red flags and follow-up probes, to you alone.\n\
             **4. Score.** {score} per question, or {interview} for the questions one at a time with rating buttons. Tick what you heard in the **Covered** and **Red flags heard** lists (on **🔒 Rubric and evidence** in a session, and on {score}'s confirmation): the bot suggests a rating from your ticks (1 a red flag or under half the look-fors, 2 below the pass rule, 3 the pass rule met, 4 every look-for and a bonus point). Rate as you judge; a 1 or 4 against the evidence asks for a one-line reason. {scores} looks the results up.\n\n\
             **Who sees what:** question cards are public; rubrics, scores, errors and this help are private. Interviewers are members with the server's interviewer role, or with Manage Server. Rubrics are for interviewers only until a server admin opens them up with {config}; only then can {answer} post one with `public:true`. Scoring is blind: you see the other interviewers' ratings, notes and recommendations for a candidate only once your own scorecard is in, that is your recommendation ({recommend} or {end}); your ratings alone do not lift it. Members with Manage Server see everything.\n\
             {count} questions across {topics} topics.",
            question = mention("question"),
            answer = mention("answer"),
            score = mention("score"),
            interview = mention("interview start"),
            scores = mention("scores candidate"),
            config = mention("config rubric-access"),
            recommend = mention("recommend"),
            end = mention("interview end"),
            count = catalog.len(),
            topics = catalog.topics().len(),
        );
        if let Some(typed) = command {
            // Any top-level command of the registry, as suggested while typing.
            let command = typed.trim().trim_start_matches('/');
            if !self.registry().commands().any(|c| c.name == command) {
                return Err(Error::UnknownCommand {
                    name: command.to_string(),
                    registry: self.registry(),
                });
            }
            // One command in full: each of its subcommands with every option.
            let mut card = Card {
                title: Some(format!("/{command}")),
                colour: Some(BOT_COLOUR),
                ..Card::default()
            };
            for leaf in self
                .registry()
                .leaves()
                .into_iter()
                .filter(|l| l.root.name == command)
            {
                card = card.field(
                    truncate(&leaf.usage(), 256),
                    truncate(&command_help(&leaf, &mention(&leaf.path())), 1024),
                    false,
                );
            }
            if command == "score" || command == "interview" {
                card = card.field("Rating scale", scale_text(), false);
            }
            return Ok(Outcome::private(Message::default().card(card)));
        }
        let mut card = Card {
            title: Some(format!("{name}: how it works")),
            description: Some(description),
            colour: Some(BOT_COLOUR),
            footer: Some("/help command:<name> shows a command's options in full.".into()),
            ..Card::default()
        };
        // Every command in a line, grouped by its top-level command; who may use them is said
        // once for the group (what most of its commands need), and on the lines that differ.
        for root in self.registry().commands() {
            let leaves: Vec<_> = self
                .registry()
                .leaves()
                .into_iter()
                .filter(|l| std::ptr::eq(l.root, root))
                .collect();
            let usual = leaves
                .iter()
                .map(|l| access_tag(l.spec.access))
                .max_by_key(|tag| {
                    leaves
                        .iter()
                        .filter(|l| access_tag(l.spec.access) == *tag)
                        .count()
                })
                .unwrap_or("");
            let lines: Vec<String> = leaves
                .iter()
                .map(|l| {
                    let tag = access_tag(l.spec.access);
                    format!(
                        "{}: {}{}",
                        mention(&l.path()),
                        l.spec.description,
                        if tag == usual { "" } else { tag }
                    )
                })
                .collect();
            card = card.field(
                format!("/{}{usual}", root.name),
                truncate(&lines.join("\n"), 1024),
                false,
            );
        }
        card = card.field("Rating scale (/score, sessions)", scale_text(), false);
        Ok(Outcome::private(Message::default().card(card)))
    }
}

/// Who may use a command, in a few words.
fn access_tag(access: Access) -> &'static str {
    match access {
        Access::Everyone | Access::Bot => "",
        Access::Interviewers => " (interviewers)",
        Access::Managers => " (Manage Server)",
    }
}

fn command_help(leaf: &Leaf, mention: &str) -> String {
    let mut text = format!(
        "{mention}: {}{}",
        leaf.spec.description,
        access_tag(leaf.spec.access)
    );
    for o in leaf.spec.options {
        let req = if o.required { "required" } else { "optional" };
        text.push_str(&format!("\n• `{}` ({req}): {}", o.name, o.description));
    }
    text
}
