//! Every kind of card the bot shows, pinned once. Each test drives one feature through the
//! engine (commands, buttons, forms and scheduled jobs, delivered and committed as a front end
//! would) against a small fixture pack, and compares a plain transcript of the effects with
//! a file under `tests/snapshots/`. A wording change is one update:
//! `UPDATE_EXPECT=1 cargo test --test snapshots`, then review the diff.
//!
//! Behaviour (who may see what, the arithmetic of lookups) is asserted on typed results in
//! the other tests; these pin only how it reads.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use expect_test::{ExpectFile, expect_file};
use interview_bot::bank::Bank;
use interview_bot::clock::{Clock, ManualClock};
use interview_bot::console::{Line, parse_line};
use interview_bot::engine::{
    ButtonStyle, ChannelKind, Deliver, Delivered, Effect, Engine, Invocation, Member, Message,
    MessageRef, Permissions, Request, Resolved, ResolvedChannel, ResolvedRole, SourceMessage,
    Visibility,
};
use interview_bot::features::scores::evidence::{rubric_text, suggest};
use interview_bot::model::{ChannelId, GuildId, MessageId, RoleId, Ticks};
use interview_bot::store::{Evidence, ScoreKey, Store};

mod common;
use common::{CHANNEL, GUILD};

const ROLE: u64 = 444_444_444_444_444_444;
/// Monday 1 June 2026, 08:00 UTC.
const START_MS: i64 = 1_780_300_800_000;

fn mia() -> Member {
    common::who(1004, "Mia", &[ROLE], Permissions::MANAGE_GUILD)
}

fn bob() -> Member {
    common::who(1002, "Bob", &[ROLE], 0)
}

/// A front end that delivers everything, numbers messages as Discord would, and keeps a
/// transcript of what it was given.
#[derive(Default)]
struct Transcript {
    next_id: u64,
    text: String,
    /// The newest message with buttons, and its id.
    last_buttons: Option<(u64, Message)>,
    /// The message whose button was pressed: what an update replaces.
    pressed: Option<u64>,
}

impl Deliver for Transcript {
    fn deliver(&mut self, effect: &Effect, earlier: &[Delivered]) -> Delivered {
        let id = match effect {
            Effect::Reply { .. } | Effect::Post { .. } | Effect::Thread { .. } => {
                self.next_id += 1;
                9_000 + self.next_id
            }
            _ => self.pressed.unwrap_or_default(),
        };
        let t = &mut self.text;
        match effect {
            Effect::Reply {
                visibility,
                message,
            } => {
                let v = match visibility {
                    Visibility::Public => "public",
                    Visibility::Private => "private",
                };
                writeln!(t, "> reply ({v}) #{id}").unwrap();
                show(t, message);
            }
            Effect::Update(message) => {
                writeln!(t, "> update #{id}").unwrap();
                show(t, message);
            }
            Effect::UpdateButtons(buttons) => {
                writeln!(t, "> update buttons of #{id}").unwrap();
                show(
                    t,
                    &Message {
                        buttons: buttons.clone(),
                        ..Message::default()
                    },
                );
            }
            Effect::OpenModal(modal) => {
                writeln!(t, "> form {:?} [{}]", modal.title, modal.action).unwrap();
                for input in &modal.inputs {
                    writeln!(
                        t,
                        "  input {} {:?} ({:?}, required {}, at most {}){}{}",
                        input.id,
                        input.label,
                        input.style,
                        input.required,
                        input.max_len,
                        input
                            .value
                            .as_ref()
                            .map(|v| format!(" value {v:?}"))
                            .unwrap_or_default(),
                        input
                            .placeholder
                            .as_ref()
                            .map(|p| format!(" placeholder {p:?}"))
                            .unwrap_or_default(),
                    )
                    .unwrap();
                }
            }
            Effect::Post {
                message,
                nonce,
                reply_to,
                ..
            } => {
                let reply = reply_to
                    .map(|r| format!(", replying to #{r}"))
                    .unwrap_or_default();
                let nonce = if nonce.is_some() {
                    ", with a nonce"
                } else {
                    ""
                };
                writeln!(t, "> post #{id}{reply}{nonce}").unwrap();
                show(t, message);
            }
            Effect::FindPost { .. } => {
                writeln!(t, "> find post: not found").unwrap();
                return Delivered::NotFound;
            }
            Effect::Thread { on, name, message } => {
                writeln!(t, "> thread {name:?} on {}", target(*on, earlier)).unwrap();
                show(t, message);
            }
            Effect::Edit {
                target: on,
                message,
            } => {
                writeln!(t, "> edit {}", target(*on, earlier)).unwrap();
                show(t, message);
            }
            Effect::Delete { target: on } => {
                writeln!(t, "> delete {}", target(*on, earlier)).unwrap();
            }
        }
        if let Some(message) = effect.message()
            && !message.buttons.is_empty()
        {
            self.last_buttons = Some((id, message.clone()));
        }
        Delivered::Message {
            channel_id: Some(ChannelId(CHANNEL)),
            message_id: Some(MessageId(id)),
        }
    }
}

fn target(on: MessageRef, earlier: &[Delivered]) -> String {
    match on {
        MessageRef::Earlier(e) => match earlier.get(e.index()).and_then(Delivered::message_id) {
            Some(id) => format!("#{id}"),
            None => format!("effect {}", e.index()),
        },
        MessageRef::Existing { message_id, .. } => format!("#{message_id}"),
    }
}

/// A message as plain text: content, each card's parts, buttons with their ids.
fn show(t: &mut String, m: &Message) {
    if let Some(content) = &m.content {
        for line in content.lines() {
            writeln!(t, "  | {line}").unwrap();
        }
    }
    for card in &m.cards {
        writeln!(
            t,
            "  [card{}]",
            card.colour
                .map(|c| format!(" #{c:06x}"))
                .unwrap_or_default()
        )
        .unwrap();
        if let Some(title) = &card.title {
            writeln!(t, "  title: {title}").unwrap();
        }
        if let Some(description) = &card.description {
            for line in description.lines() {
                writeln!(t, "  | {line}").unwrap();
            }
        }
        for field in &card.fields {
            let inline = if field.inline { " (inline)" } else { "" };
            writeln!(t, "  field: {}{inline}", field.name).unwrap();
            for line in field.value.lines() {
                writeln!(t, "  | {line}").unwrap();
            }
        }
        if let Some(footer) = &card.footer {
            writeln!(t, "  footer: {footer}").unwrap();
        }
    }
    for s in &m.selects {
        writeln!(
            t,
            "  select [{}] {} to {} -> {}",
            s.placeholder, s.min, s.max, s.action
        )
        .unwrap();
        for o in &s.options {
            let mark = if o.default { "x" } else { " " };
            let description = o
                .description
                .as_deref()
                .map_or(String::new(), |d| format!(" ({d})"));
            writeln!(t, "    [{mark}] {}{description} = {}", o.label, o.value).unwrap();
        }
    }
    for b in &m.buttons {
        let style = match b.style {
            ButtonStyle::Primary => "primary",
            ButtonStyle::Secondary => "secondary",
            ButtonStyle::Success => "success",
            ButtonStyle::Danger => "danger",
        };
        let disabled = if b.disabled { ", disabled" } else { "" };
        writeln!(
            t,
            "  button [{}] {style}{disabled} -> {}",
            b.label, b.action
        )
        .unwrap();
    }
    for a in &m.attachments {
        writeln!(t, "  file {} ({} bytes)", a.filename, a.bytes.len()).unwrap();
        if let Ok(text) = std::str::from_utf8(&a.bytes) {
            for line in text.lines() {
                writeln!(t, "  | {line}").unwrap();
            }
        }
    }
    if !m.ping_roles.is_empty() {
        writeln!(t, "  pings roles {:?}", m.ping_roles).unwrap();
    }
}

/// The engine over the snapshot pack, at a fixed time and with fixed randomness.
struct Scene {
    engine: Engine,
    clock: Arc<ManualClock>,
    out: Transcript,
    _dir: tempfile::TempDir,
}

impl Scene {
    fn new() -> Scene {
        let pack = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshot-pack");
        let bank = Arc::new(Bank::load(&pack).expect("the snapshot pack is valid"));
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("snapshots.sqlite3")).unwrap();
        let clock = Arc::new(ManualClock::new(START_MS));
        let engine = Engine::new(bank, store, clock.clone()).with_seed(7);
        Scene {
            engine,
            clock,
            out: Transcript::default(),
            _dir: dir,
        }
    }

    fn resolved() -> Resolved {
        let mut resolved = Resolved::default();
        resolved.channels.insert(
            ChannelId(CHANNEL),
            ResolvedChannel {
                id: ChannelId(CHANNEL),
                name: "general".into(),
                kind: ChannelKind::Text,
                bot_permissions: Some(Permissions(u64::MAX)),
            },
        );
        resolved.roles.insert(
            RoleId(ROLE),
            ResolvedRole {
                id: RoleId(ROLE),
                name: "interviewers".into(),
                mentionable: true,
            },
        );
        resolved
    }

    fn send(&mut self, member: &Member, invocation: Invocation) {
        if !matches!(
            invocation,
            Invocation::Button { .. } | Invocation::Select { .. }
        ) {
            self.out.pressed = None;
        }
        let mut req = Request::member(GUILD, CHANNEL, member.clone(), invocation);
        req.resolved = Scene::resolved();
        self.engine.execute(&req, &mut self.out);
    }

    /// A command as typed in the console, by `member`.
    fn run(&mut self, member: &Member, line: &str) {
        writeln!(self.out.text, "\n$ {} {line}", member.name).unwrap();
        let Line::Run(invocation) = parse_line(line, &self.engine).expect(line) else {
            panic!("{line}: not a command");
        };
        self.send(member, invocation);
    }

    /// A command whose answer is not part of the transcript (setting a scene up).
    fn quietly(&mut self, member: &Member, line: &str) {
        let Line::Run(invocation) = parse_line(line, &self.engine).expect(line) else {
            panic!("{line}: not a command");
        };
        let mut req = Request::member(GUILD, CHANNEL, member.clone(), invocation);
        req.resolved = Scene::resolved();
        self.engine.execute(&req, &mut Transcript::default());
    }

    /// Presses the button labelled `label` on the newest message with buttons.
    fn press(&mut self, member: &Member, label: &str) {
        let (id, message) = self
            .out
            .last_buttons
            .clone()
            .expect("a message with buttons");
        let button = message
            .buttons
            .iter()
            .find(|b| b.label.contains(label))
            .unwrap_or_else(|| panic!("no button {label:?} on #{id}"));
        writeln!(
            self.out.text,
            "\n$ {} presses [{}] on #{id}",
            member.name, button.label
        )
        .unwrap();
        self.out.pressed = Some(id);
        let invocation = Invocation::Button {
            custom_id: button.action.clone(),
            message: Some(SourceMessage {
                id: MessageId(id),
                buttons: message.buttons.clone(),
                selects: message.selects.iter().map(|s| s.action.clone()).collect(),
            }),
        };
        self.send(member, invocation);
    }

    /// Chooses `values` in the list whose placeholder starts with `list` on the newest message
    /// with buttons.
    fn choose(&mut self, member: &Member, list: &str, values: &[&str]) {
        let (id, message) = self
            .out
            .last_buttons
            .clone()
            .expect("a message with buttons");
        let select = message
            .selects
            .iter()
            .find(|s| s.placeholder.starts_with(list))
            .unwrap_or_else(|| panic!("no list {list:?} on #{id}"));
        writeln!(
            self.out.text,
            "\n$ {} chooses {values:?} in [{}] on #{id}",
            member.name, select.placeholder
        )
        .unwrap();
        self.out.pressed = Some(id);
        let invocation = Invocation::Select {
            custom_id: select.action.clone(),
            values: values.iter().map(|v| v.to_string()).collect(),
            message: Some(SourceMessage {
                id: MessageId(id),
                buttons: message.buttons.clone(),
                selects: message.selects.iter().map(|s| s.action.clone()).collect(),
            }),
        };
        self.send(member, invocation);
    }

    /// Submits the form `action` with `fields`.
    fn submit(&mut self, member: &Member, action: &str, fields: &[(&str, &str)]) {
        writeln!(self.out.text, "\n$ {} submits {action}", member.name).unwrap();
        let invocation = Invocation::Modal {
            custom_id: action.into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        self.send(member, invocation);
    }

    /// Moves the clock to `ms` and runs what the scheduler would run then.
    fn at(&mut self, ms: i64) {
        self.clock.set(ms);
        writeln!(
            self.out.text,
            "\n@ {}",
            jiff::Timestamp::from_millisecond(ms).unwrap()
        )
        .unwrap();
        let due = self.engine.due(ms).expect("due work");
        for outcome in due.outcomes {
            self.engine.deliver(&outcome, &mut self.out);
        }
        for job in due.jobs {
            self.engine.execute(&job, &mut self.out);
        }
    }

    fn check(self, file: ExpectFile) {
        file.assert_eq(&self.out.text);
    }
}

const HOUR: i64 = 3_600_000;

#[test]
fn question_and_rubric_cards() {
    let mut s = Scene::new();
    s.run(&mia(), "/question senior");
    s.press(&mia(), "Model answer");
    s.press(&mia(), "Another question");
    s.run(&mia(), "/question junior topic:storage");
    s.run(&mia(), "/answer id:snap-mid-caching public:true");
    s.run(&mia(), "/answer id:snap-mid-cachin");
    s.check(expect_file!["snapshots/questions.txt"]);
}

#[test]
fn help_cards() {
    let mut s = Scene::new();
    s.run(&bob(), "/help");
    s.run(&bob(), "/help command:score");
    s.run(&bob(), "/help command:daily");
    s.check(expect_file!["snapshots/help.txt"]);
}

#[test]
fn config_cards() {
    let mut s = Scene::new();
    s.run(&mia(), "/config interviewer-role role:@interviewers");
    s.run(&mia(), "/config timezone zone:Europe/Berlin");
    s.run(&mia(), "/config rubric-access access:everyone");
    s.run(&mia(), "/config show");
    s.run(&mia(), "/config audit");
    s.check(expect_file!["snapshots/config.txt"]);
}

#[test]
fn pack_cards() {
    let mut s = Scene::new();
    s.run(&mia(), "/pack list");
    s.run(&mia(), "/pack off pack:snapshot");
    s.run(&bob(), "/question level:junior");
    s.run(&mia(), "/pack list");
    s.run(&mia(), "/pack on pack:snapshot");
    s.run(&mia(), "/pack off pack:snapshots");
    s.check(expect_file!["snapshots/packs.txt"]);
}

#[test]
fn daily_cards() {
    let mut s = Scene::new();
    s.run(
        &mia(),
        "/daily set channel:#general time:09:00 timezone:UTC level:mid",
    );
    s.run(&mia(), "/daily status");
    s.run(&mia(), "/daily preview channel:#general");
    s.at(START_MS + HOUR);
    s.press(&bob(), "answer");
    s.at(START_MS + 13 * HOUR);
    s.run(&mia(), "/daily now channel:#general");
    s.run(&mia(), "/daily off channel:#general");
    s.check(expect_file!["snapshots/daily.txt"]);
}

#[test]
fn session_cards() {
    let mut s = Scene::new();
    s.run(&mia(), "/config interviewer-role role:@interviewers");
    s.run(
        &mia(),
        "/interview start candidate:Ada level:mid questions:2",
    );
    s.press(&bob(), "3");
    s.press(&mia(), "Notes");
    s.submit(
        &mia(),
        &notes_form(&s),
        &[("notes", "Clear on rollback; vague on metrics.")],
    );
    s.press(&mia(), "4");
    // The second question in Mia's evidence panel: two look-fors and a red flag, then none,
    // then her rating from the panel moves the session on.
    s.press(&mia(), "Rubric and evidence");
    s.choose(&mia(), "Covered", &["l1", "l2"]);
    s.choose(&mia(), "Red flags", &["r1"]);
    s.choose(&mia(), "Red flags", &[]);
    s.press(&mia(), "3 Yes");
    s.run(&mia(), "/interview end recommendation:yes");
    s.check(expect_file!["snapshots/sessions.txt"]);
}

/// The action of the form the newest notes button opened.
fn notes_form(s: &Scene) -> String {
    let form = s
        .out
        .text
        .lines()
        .rev()
        .find(|l| l.starts_with("> form"))
        .expect("a form was opened");
    form.rsplit_once('[')
        .and_then(|(_, rest)| rest.strip_suffix(']'))
        .expect("the form's action")
        .to_string()
}

#[test]
fn lookup_cards() {
    let mut s = Scene::new();
    s.run(&mia(), "/config interviewer-role role:@interviewers");
    for (member, candidate, question, rating) in [
        (mia(), "Ada", "snap-mid-rollout", 3),
        (bob(), "Ada", "snap-mid-rollout", 2),
        (mia(), "Ada", "snap-mid-caching", 4),
        (bob(), "Lin", "snap-mid-caching", 1),
        (mia(), "Lin", "snap-mid-caching", 2),
    ] {
        s.run(
            &member,
            &format!(
                "/score candidate:{candidate} question:{question} rating:{rating} notes:\"ok\""
            ),
        );
    }
    s.run(&mia(), "/recommend candidate:Ada recommendation:yes");
    s.run(&bob(), "/recommend candidate:Ada recommendation:no");
    s.run(&mia(), "/recommend candidate:Lin recommendation:strong-no");
    s.run(&mia(), "/scores candidate candidate:Ada");
    s.run(&mia(), "/scores team");
    s.run(&mia(), "/scores interviewer");
    s.run(&mia(), "/scores question id:snap-mid-caching");
    s.run(&mia(), "/scores export");
    s.run(&mia(), "/scores forget candidate:Lin");
    s.press(&mia(), "Delete");
    s.check(expect_file!["snapshots/lookups.txt"]);
}

impl Scene {
    /// Ticks evidence behind the score `member` gave `candidate` on `question` (items numbered
    /// from 1), against the question's rubric in the bank or, with `reworded`, against an
    /// older version whose last look-for read differently; the transcript notes it.
    /// Written to the store directly: what the ticking selects would store.
    fn tick(&mut self, member: &Member, candidate: &str, question: &str, ticks: Ticked) {
        let (covered, bonus, red, reason, reworded) = ticks;
        writeln!(
            self.out.text,
            "\n# {} ticks for {candidate} on {question}: look-fors {covered:?}, bonus {bonus:?}, red flags {red:?}{}{}",
            member.name,
            if reason.is_empty() { String::new() } else { format!(", reason {reason:?}") },
            if reworded { ", on an older rubric" } else { "" },
        )
        .unwrap();
        let mut text = rubric_text(self.engine.bank().get(question).expect("a pack question"));
        if reworded {
            let last = text.look_fors.last_mut().expect("look-fors");
            *last = format!("{last} (worded before)");
        }
        let ticks = |items: &[usize]| Ticks::of(items.iter().map(|i| i - 1));
        let (covered, bonus, red_flags) = (ticks(covered), ticks(bonus), ticks(red));
        let suggested = suggest(&text, covered, bonus, red_flags).get();
        let now = self.clock.now_ms();
        self.engine
            .store()
            .write(|db| {
                let score = db
                    .guild_scores(GuildId(GUILD))?
                    .into_iter()
                    .find(|s| {
                        s.candidate_name == candidate
                            && s.question_id == question
                            && s.interviewer_id == member.user_id
                    })
                    .expect("the score to tick evidence for");
                let key = ScoreKey {
                    guild_id: GuildId(GUILD),
                    candidate_id: score.candidate_id,
                    session_id: score.session_id,
                    question_id: question,
                    interviewer_id: member.user_id,
                    interviewer_name: &member.name,
                };
                let rubric = db.rubric_version(GuildId(GUILD), &text, now)?;
                let evidence = Evidence {
                    rubric,
                    covered,
                    bonus,
                    red_flags,
                    suggested,
                    reason: reason.to_string(),
                };
                db.put_evidence(&key, score.id, &evidence, now)
            })
            .unwrap();
    }
}

/// Look-fors covered, bonus points, red flags (numbered from 1), a reason, and whether on an
/// older version of the rubric.
type Ticked = (
    &'static [usize],
    &'static [usize],
    &'static [usize],
    &'static str,
    bool,
);

/// The evidence behind scores, as the three lookups and the export show it: per score on the
/// scorecard (an override, a red flag, a score on an older rubric), per look-for in the
/// question view (for a manager, and blind for an interviewer), agreement with the rubric in
/// calibration, and the export's evidence columns.
#[test]
fn evidence_lookup_cards() {
    let mut s = Scene::new();
    s.quietly(&mia(), "/config interviewer-role role:@interviewers");
    for (member, candidate, question, rating) in [
        (mia(), "Ada", "snap-mid-rollout", 4),
        (bob(), "Ada", "snap-mid-rollout", 2),
        (mia(), "Ada", "snap-mid-caching", 4),
        (mia(), "Lin", "snap-mid-rollout", 2),
        (bob(), "Lin", "snap-mid-rollout", 1),
        (mia(), "Kim", "snap-mid-rollout", 3),
        (bob(), "Kim", "snap-mid-caching", 3),
    ] {
        s.quietly(
            &member,
            &format!(
                "/score candidate:{candidate} question:{question} rating:{rating} notes:\"ok\""
            ),
        );
    }
    s.tick(
        &mia(),
        "Ada",
        "snap-mid-rollout",
        (&[1, 2, 3], &[1], &[], "", false),
    );
    s.tick(
        &bob(),
        "Ada",
        "snap-mid-rollout",
        (&[1, 3], &[], &[], "", true),
    );
    s.tick(
        &mia(),
        "Ada",
        "snap-mid-caching",
        (&[1, 2], &[], &[], "", false),
    );
    s.tick(
        &mia(),
        "Lin",
        "snap-mid-rollout",
        (&[2], &[], &[1], "knew the rest, unasked", false),
    );
    s.tick(
        &bob(),
        "Lin",
        "snap-mid-rollout",
        (&[2], &[], &[1], "", false),
    );
    s.tick(
        &mia(),
        "Kim",
        "snap-mid-rollout",
        (&[1, 2], &[], &[], "calm under probing", false),
    );
    s.tick(
        &bob(),
        "Kim",
        "snap-mid-caching",
        (&[1, 2], &[], &[], "", false),
    );
    s.quietly(&mia(), "/recommend candidate:Ada recommendation:yes");
    s.quietly(&bob(), "/recommend candidate:Ada recommendation:no");
    s.quietly(&mia(), "/recommend candidate:Lin recommendation:strong-no");
    s.run(&mia(), "/scores candidate candidate:Ada");
    s.run(&mia(), "/scores candidate candidate:Lin");
    s.run(&bob(), "/scores candidate candidate:Lin");
    s.run(&mia(), "/scores question id:snap-mid-rollout");
    s.run(&bob(), "/scores question id:snap-mid-rollout");
    s.run(&mia(), "/scores question id:snap-mid-caching");
    s.run(&mia(), "/scores interviewer");
    s.run(&bob(), "/scores interviewer");
    s.run(&mia(), "/scores export");
    s.check(expect_file!["snapshots/evidence.txt"]);
}

/// The team page's buttons, over more candidates than one page holds.
#[test]
fn team_pages() {
    let mut s = Scene::new();
    for n in 1..=11 {
        s.clock.set(START_MS + n * HOUR);
        let line = format!(
            "/score candidate:Cand{n:02} question:snap-mid-rollout rating:{}",
            1 + n % 4
        );
        s.quietly(&mia(), &line);
    }
    s.run(&mia(), "/scores team");
    s.press(&mia(), "Older");
    s.press(&mia(), "Newer");
    s.check(expect_file!["snapshots/team_pages.txt"]);
}

#[test]
fn error_replies() {
    let mut s = Scene::new();
    s.run(
        &bob(),
        "/score candidate:Ada question:snap-mid-rollout rating:3",
    );
    s.run(&mia(), "/question principal");
    s.run(&mia(), "/question senior topic:kubernetes");
    s.run(&mia(), "/scores candidate candidate:Nobody");
    s.send(
        &mia(),
        Invocation::Button {
            custom_id: "q:answer:no-such-question".into(),
            message: None,
        },
    );
    s.check(expect_file!["snapshots/errors.txt"]);
}
