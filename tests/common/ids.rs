//! Ids read from the typed values the engine produced (button actions), never scraped out of
//! rendered text such as a card's footer.

use interview_bot::engine::Button;
use interview_bot::features::daily::DailyButton;
use interview_bot::features::questions::QuestionButton;

/// The question of the card whose "Model answer" button is among `actions`: a question card's
/// `q:answer:<id>`, or a daily post's as the first releases posted it (`d:answer:<id>`; today's
/// daily posts name their post instead, and tests read the question from the post's row),
/// parsed by the feature's own parser.
pub fn question_of<'a>(actions: impl IntoIterator<Item = &'a str>) -> String {
    let actions: Vec<&str> = actions.into_iter().collect();
    for action in &actions {
        if let Ok(QuestionButton::ModelAnswer { question }) = action.parse() {
            return question;
        }
        if let Ok(DailyButton::ModelAnswer { question }) = action.parse() {
            return question;
        }
    }
    panic!("no model-answer button among {actions:?}")
}

/// The question a message (or a reply) with these buttons shows.
pub fn shown_question(buttons: &[Button]) -> String {
    question_of(buttons.iter().map(|b| b.action.as_str()))
}
