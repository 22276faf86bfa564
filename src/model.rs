//! The closed sets of values the bot keeps: question levels, recommendations, who may open
//! rubrics, and the states of daily posts and interview sessions. Below the engine and the
//! store, which both use them: the engine to decide and show, the store to keep (its
//! `store/types.rs` maps them to and from SQL, and refuses a stored value that is not one of
//! them).
//!
//! Each has one string form, written once: [`Closed::as_str`] gives it and [`Closed::parse`]
//! reads it back (exactly; [`Level::parse`], for what people type, also accepts any case).

use std::fmt;

use jiff::civil::Weekday;
use serde::Serialize;

/// A closed set of values with one string form each.
pub trait Closed: Sized + Copy + PartialEq + 'static {
    /// Every value, in order.
    const VALUES: &'static [Self];

    /// The value's string form, as stored and as given in command options.
    fn as_str(self) -> &'static str;

    /// The value whose string form is exactly `s`.
    fn parse_exact(s: &str) -> Option<Self> {
        Self::VALUES.iter().copied().find(|v| v.as_str() == s)
    }
}

/// A string that is not the string form of any value of a closed set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {set} {value:?}")]
pub struct Unknown {
    pub set: &'static str,
    pub value: String,
}

/// Declares an enum with the string form of each variant, and its `as_str`, `parse`,
/// `Display`, `FromStr` and [`Closed`] from that one table. `@impls` gives a type with its
/// own `as_str` and `parse` (levels) the last three.
macro_rules! closed {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        closed!(@impls $name, $name::ALL);
    };
    (@impls $name:ident, $values:expr) => {
        impl Closed for $name {
            const VALUES: &'static [$name] = $values;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = Unknown;
            fn from_str(s: &str) -> Result<$name, Unknown> {
                $name::parse(s).ok_or_else(|| Unknown {
                    set: stringify!($name),
                    value: s.to_string(),
                })
            }
        }
    };
}

/// How experienced the candidate a question is pitched at is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Junior,
    Mid,
    Senior,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Junior, Level::Mid, Level::Senior];

    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Junior => "junior",
            Level::Mid => "mid",
            Level::Senior => "senior",
        }
    }

    /// Accepts the level names in any case.
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// "Junior", "Mid", "Senior", for titles.
    pub fn title(self) -> &'static str {
        match self {
            Level::Junior => "Junior",
            Level::Mid => "Mid-level",
            Level::Senior => "Senior",
        }
    }
}

closed!(@impls Level, &Level::ALL);

/// A daily schedule's level: fixed, or rising through the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LevelPlan {
    Fixed(Level),
    /// Junior on Monday and Tuesday, mid on Wednesday and Thursday, senior from Friday.
    Ramp,
}

impl LevelPlan {
    pub const ALL: &'static [LevelPlan] = &[
        LevelPlan::Fixed(Level::Junior),
        LevelPlan::Fixed(Level::Mid),
        LevelPlan::Fixed(Level::Senior),
        LevelPlan::Ramp,
    ];

    /// `junior`, `mid`, `senior` or `ramp`.
    pub const fn as_str(self) -> &'static str {
        match self {
            LevelPlan::Fixed(l) => l.as_str(),
            LevelPlan::Ramp => "ramp",
        }
    }

    /// `ramp`, or a level in any case (as [`Level::parse`]).
    pub fn parse(s: &str) -> Option<LevelPlan> {
        match s {
            "ramp" => Some(LevelPlan::Ramp),
            other => Level::parse(other).map(LevelPlan::Fixed),
        }
    }

    /// The level posted on a day of the week.
    pub fn on(self, day: Weekday) -> Level {
        match self {
            LevelPlan::Fixed(l) => l,
            LevelPlan::Ramp => match day {
                Weekday::Monday | Weekday::Tuesday => Level::Junior,
                Weekday::Wednesday | Weekday::Thursday => Level::Mid,
                _ => Level::Senior,
            },
        }
    }

    /// For `/daily status`.
    pub fn describe(self) -> String {
        match self {
            LevelPlan::Fixed(l) => l.title().to_string(),
            LevelPlan::Ramp => {
                "ramp (junior early in the week, mid mid-week, senior at its end)".into()
            }
        }
    }
}

closed!(@impls LevelPlan, LevelPlan::ALL);

closed! {
    /// An interviewer's overall recommendation for a candidate.
    pub enum Recommendation {
        StrongNo = "strong-no",
        No = "no",
        Yes = "yes",
        StrongYes = "strong-yes",
        NoDecision = "no-decision",
    }
}

closed! {
    /// Where a member's question suggestion stands.
    pub enum SuggestionStatus {
        Open = "open",
        Approved = "approved",
        Rejected = "rejected",
    }
}

closed! {
    /// Who may open rubrics in a channel.
    pub enum RubricAccess {
        Everyone = "everyone",
        Interviewers = "interviewers",
    }
}

closed! {
    /// Whether a daily schedule posts.
    pub enum ScheduleStatus {
        Active = "active",
        /// Discord refused for good (the channel is gone, access was removed): waits for
        /// `/daily set`.
        Paused = "paused",
        Off = "off",
    }
}

closed! {
    /// Why a daily post was made.
    pub enum PostKind {
        /// The schedule's post of the day: at most one per channel and local date.
        Scheduled = "scheduled",
        /// `/daily now`: does not count as the day's post.
        Extra = "extra",
    }
}

closed! {
    /// Where a daily post is.
    pub enum PostStatus {
        /// Claimed before it is sent; no message recorded yet.
        Claimed = "claimed",
        /// Discord returned its message.
        Posted = "posted",
    }
}

closed! {
    /// Where the reveal of a daily post's answer is.
    pub enum RevealStatus {
        /// Due at the post's reveal time, in a thread on the post.
        Claimed = "claimed",
        /// No thread could be made: due as a reply to the post.
        Reply = "reply",
        Revealed = "revealed",
    }
}

closed! {
    /// What to do with a daily post's claim once its retry time has come.
    pub enum NextStep {
        /// Look for the post in the channel first (a stopped process may have sent it).
        Settle = "settle",
        /// Send the same question again, with the same nonce.
        Resend = "resend",
    }
}

closed! {
    /// How an interview session came about.
    pub enum SessionKind {
        /// `/interview start`: questions in turn on one bot message.
        Guided = "guided",
        /// `/score` outside a guided session.
        Adhoc = "adhoc",
    }
}

closed! {
    /// Whether an interview session is open.
    pub enum SessionStatus {
        Open = "open",
        /// Closed with `/interview end`.
        Ended = "ended",
        /// Closed by the scheduler after being open too long.
        Expired = "expired",
    }
}

closed! {
    /// What made the bot show a question.
    pub enum Source {
        Command = "command",
        Daily = "daily",
        Session = "session",
    }
}

/// Declares an id newtype over `$raw`, with `get`, `Display` (the bare number) and `From`
/// the raw value; `store/types.rs` gives each its SQL form.
macro_rules! id {
    ($($(#[$meta:meta])* $name:ident($raw:ty);)+) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub $raw);

        impl $name {
            /// The raw number.
            pub const fn get(self) -> $raw {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl From<$raw> for $name {
            fn from(raw: $raw) -> $name {
                $name(raw)
            }
        }

        impl From<$name> for $raw {
            fn from(id: $name) -> $raw {
                id.0
            }
        }
    )+};
}

id! {
    /// A Discord server (a guild).
    GuildId(u64);
    /// A Discord user or member.
    UserId(u64);
    /// A Discord channel or thread.
    ChannelId(u64);
    /// A Discord role.
    RoleId(u64);
    /// A Discord message.
    MessageId(u64);
    /// A candidate's row (`candidates.id`).
    CandidateId(i64);
    /// An interview session's row (`interview_sessions.id`).
    SessionId(i64);
    /// A daily schedule's row (`daily_schedules.id`).
    ScheduleId(i64);
    /// A daily post's row (`daily_posts.id`).
    PostId(i64);
    /// A question's rubric as it was when evidence was given against it
    /// (`rubric_versions.id`).
    RubricId(i64);
}

/// Which items of a rubric list (look-fors, bonus points, red flags) an interviewer ticked:
/// bit `i` is item `i` (from 0). A select lists at most 25 items, so 32 bits hold them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ticks(pub u32);

impl Ticks {
    /// The most items a list of ticks can name.
    pub const MAX_ITEMS: usize = 32;

    /// The ticks of these item indexes (ones beyond [`Ticks::MAX_ITEMS`] are left out).
    pub fn of(indexes: impl IntoIterator<Item = usize>) -> Ticks {
        Ticks(
            indexes
                .into_iter()
                .filter(|&i| i < Ticks::MAX_ITEMS)
                .fold(0, |acc, i| acc | (1 << i)),
        )
    }

    pub fn has(self, index: usize) -> bool {
        index < Ticks::MAX_ITEMS && self.0 & (1 << index) != 0
    }

    pub fn count(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The ticked indexes, lowest first.
    pub fn indexes(self) -> impl Iterator<Item = usize> {
        (0..Ticks::MAX_ITEMS).filter(move |&i| self.has(i))
    }
}

impl GuildId {
    /// The server the local console plays in (Discord never gives out 0).
    pub const CONSOLE: GuildId = GuildId(0);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value's string form reads back as that value, exactly and through `FromStr`, and
    /// no two values share a form.
    fn round_trip<T: Closed + fmt::Debug + fmt::Display + std::str::FromStr>(values: &[T]) {
        assert_eq!(values, T::VALUES);
        let mut forms = std::collections::HashSet::new();
        for &v in values {
            let s = v.as_str();
            assert!(forms.insert(s), "{s} twice");
            assert_eq!(v.to_string(), s);
            assert_eq!(T::parse_exact(s), Some(v));
            assert!(s.parse::<T>().ok() == Some(v), "{s}");
        }
        assert_eq!(T::parse_exact("no-such-value"), None);
        assert!("no-such-value".parse::<T>().is_err());
        assert!("".parse::<T>().is_err());
    }

    #[test]
    fn every_closed_set_round_trips() {
        round_trip(&Level::ALL);
        assert_eq!(Level::parse(" Senior "), Some(Level::Senior));
        round_trip(LevelPlan::ALL);
        assert_eq!(
            LevelPlan::Ramp.on(Weekday::Wednesday),
            Level::Mid,
            "the ramp's middle"
        );
        round_trip(Recommendation::ALL);
        assert_eq!(Recommendation::ALL.len(), 5);
        round_trip(RubricAccess::ALL);
        round_trip(ScheduleStatus::ALL);
        round_trip(PostKind::ALL);
        round_trip(PostStatus::ALL);
        round_trip(RevealStatus::ALL);
        round_trip(NextStep::ALL);
        round_trip(SessionKind::ALL);
        round_trip(SessionStatus::ALL);
        round_trip(Source::ALL);
    }

    #[test]
    fn an_unknown_value_is_named_in_the_error() {
        let e = "maybe".parse::<Recommendation>().unwrap_err();
        assert_eq!(e.to_string(), "unknown Recommendation \"maybe\"");
    }
}

/// A question pack's id, a slug (`aws`): the shipped packs and a server's imported ones are
/// switched on and off, exported and listed by it. Made only from a checked slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PackId(String);

impl PackId {
    /// Longest pack id.
    pub const MAX_CHARS: usize = 40;

    /// The id `s` names, if it is a slug: lowercase ASCII letters and digits in words joined
    /// by single hyphens, at most [`PackId::MAX_CHARS`] long.
    pub fn parse(s: &str) -> Option<PackId> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_CHARS
            && s.split('-').all(|w| {
                !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        ok.then(|| PackId(s.to_string()))
    }

    /// A pack id made from a file name (`My Pack.toml` → `my-pack`), for packs that do not
    /// name their own; `pack` when nothing usable is left.
    pub fn from_file_stem(stem: &str) -> PackId {
        let mut out = String::new();
        for c in stem.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let mut out: String = out
            .trim_end_matches('-')
            .chars()
            .take(Self::MAX_CHARS)
            .collect();
        while out.ends_with('-') {
            out.pop();
        }
        PackId::parse(&out).unwrap_or_else(|| PackId("pack".into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PackId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
