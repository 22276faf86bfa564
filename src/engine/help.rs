//! `/help`, generated from the command declarations.

use super::commands::{Args, leaves};
use super::{Access, Card, Engine, Error, Message, Outcome, Request};

impl Engine {
    pub(super) fn cmd_help(&self, _req: &Request, _args: &Args) -> Result<Outcome, Error> {
        let mut card = Card {
            title: Some("interview-bot commands".into()),
            description: Some(format!(
                "{} questions across {} topics. Rubrics (model answer, red flags, follow-ups) are only ever shown to the person who asks, unless they choose otherwise.",
                self.bank().len(),
                self.bank().topics().count()
            )),
            ..Card::default()
        };
        for leaf in leaves() {
            let mut text = leaf.spec.description.to_string();
            if leaf.spec.access != Access::Everyone {
                text.push_str(&format!(" (for {})", leaf.spec.access.describe()));
            }
            for o in leaf.spec.options {
                let req = if o.required { "required" } else { "optional" };
                text.push_str(&format!("\n• `{}` ({req}): {}", o.name, o.description));
            }
            card = card.field(format!("`{}`", leaf.usage()), text, false);
        }
        Ok(Outcome::private(Message::default().card(card)))
    }
}
