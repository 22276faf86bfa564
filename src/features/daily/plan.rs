//! A schedule's calendar: when it posts on a local date, how late a missed post may still go
//! out, and its next posting instants.

use jiff::civil::Date;

use super::CATCH_UP_MS;
use crate::store::Schedule;
use crate::time;

/// The calendar of a schedule (only daily practice reads it this way).
impl Schedule {
    /// When the schedule posts on a local date, if it posts that day.
    pub(super) fn due_on(&self, date: Date) -> Option<i64> {
        if !self.days.contains(date.weekday()) {
            return None;
        }
        time::instant_on(self.timezone.tz(), date, self.post_time).map(|t| t.as_millisecond())
    }

    /// The last moment a post for `date` may still go out.
    pub(super) fn deadline(&self, date: Date, due: i64) -> i64 {
        let end = time::end_of_day_ms(self.timezone.tz(), date).unwrap_or(due + CATCH_UP_MS);
        (due + CATCH_UP_MS).min(end)
    }

    /// The next `count` posting instants from `now` on, with their dates (today's counts if
    /// its time has not come yet, or `include_today`).
    pub(super) fn upcoming(
        &self,
        now: i64,
        count: usize,
        include_today_if_due: bool,
    ) -> Vec<(Date, i64)> {
        let Some(today) = time::local_date(self.timezone.tz(), now) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut date = today;
        for _ in 0..(count * 7 + 8) {
            if out.len() == count {
                break;
            }
            if let Some(due) = self.due_on(date)
                && (due > now
                    || (include_today_if_due && date == today && now < self.deadline(date, due)))
            {
                out.push((date, due));
            }
            match date.tomorrow() {
                Ok(d) => date = d,
                Err(_) => break,
            }
        }
        out
    }
}
