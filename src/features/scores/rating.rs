//! A rating on the anchored 4-point scale ([`SCALE`]): 1 Strong no to 4 Strong yes. Read from
//! `/score`'s choice and from a session's rating button, never as a bare string or number.

use std::fmt;

use crate::engine::command::FromText;
use crate::features::scores::SCALE;

/// A rating from 1 to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rating(u8);

impl Rating {
    /// Every rating, lowest first.
    pub const ALL: [Rating; 4] = [Rating(1), Rating(2), Rating(3), Rating(4)];

    /// `value` if it is on the scale.
    pub fn new(value: u8) -> Option<Rating> {
        (1..=4).contains(&value).then_some(Rating(value))
    }

    /// The number, 1 to 4.
    pub const fn get(self) -> u8 {
        self.0
    }

    /// "3 Yes"
    pub fn label(self) -> String {
        crate::features::scores::rating_label(self.0)
    }

    /// Its name on the scale ("Yes").
    pub fn name(self) -> &'static str {
        SCALE[usize::from(self.0 - 1)].1
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::str::FromStr for Rating {
    type Err = ();

    /// Exactly the digits 1 to 4.
    fn from_str(s: &str) -> Result<Rating, ()> {
        match s {
            "1" | "2" | "3" | "4" => s.parse().ok().and_then(Rating::new).ok_or(()),
            _ => Err(()),
        }
    }
}

impl FromText for Rating {
    fn from_text(text: &str) -> Option<Rating> {
        text.parse().ok()
    }
}
crate::option_value!(text Rating);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::scores::RATING_CHOICES;

    #[test]
    fn ratings_are_one_to_four_and_every_choice_reads_as_one() {
        assert_eq!(Rating::new(0), None);
        assert_eq!(Rating::new(5), None);
        for r in Rating::ALL {
            assert_eq!(r.to_string().parse::<Rating>(), Ok(r));
            assert_eq!(r.label(), format!("{} {}", r.get(), r.name()));
        }
        let read: Vec<Option<Rating>> = RATING_CHOICES
            .iter()
            .map(|c| Rating::from_text(c.value))
            .collect();
        assert_eq!(read, Rating::ALL.map(Some));
        for bad in ["", "0", "5", "+1", "01", " 3", "x"] {
            assert!(bad.parse::<Rating>().is_err(), "{bad}");
        }
    }
}
