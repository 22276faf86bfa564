//! `/help`, generated from the command declarations.

use super::commands::{Args, COMMANDS};
use super::{Card, Engine, Error, Reply, Request, Visibility};

impl Engine {
    pub(super) fn cmd_help(&self, _req: &Request, _args: &Args) -> Result<Reply, Error> {
        let mut card = Card {
            title: Some("interview-bot commands".into()),
            description: Some(format!(
                "{} questions across {} topics. Rubrics (model answer, red flags, follow-ups) are only ever shown to the person who asks, unless they choose otherwise.",
                self.bank().len(),
                self.bank().topics().count()
            )),
            ..Card::default()
        };
        for spec in COMMANDS {
            let mut text = spec.description.to_string();
            for o in spec.options {
                let req = if o.required { "required" } else { "optional" };
                text.push_str(&format!("\n• `{}` ({req}): {}", o.name, o.description));
            }
            card = card.field(format!("`{}`", spec.usage()), text, false);
        }
        Ok(Reply::new(Visibility::Private).card(card))
    }
}
