//! CME Globex hours, holidays and the quarterly equity-index roll used by the sample generator.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use chrono_tz::America::New_York;

/// A quarterly contract (March, June, September, December).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Contract<'a> {
    pub root: &'a str,
    pub year: i32,
    pub month: u32,
}

impl<'a> Contract<'a> {
    /// The next quarterly contract.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self { year: self.year + 1, month: 3, ..self }
        } else {
            Self { month: self.month + 3, ..self }
        }
    }

    /// DataBento raw symbol: root + month code + last digit of the year (`MESH4`).
    pub fn databento_symbol(self) -> String {
        let code = match self.month {
            3 => 'H',
            6 => 'M',
            9 => 'U',
            _ => 'Z',
        };
        format!("{}{}{}", self.root, code, self.year.rem_euclid(10))
    }

    /// A stable made-up instrument id.
    pub fn instrument_id(self) -> u32 {
        42_000 + (self.year as u32 % 100) * 100 + self.month
    }
}

/// Roll instant (ns UTC) of `c`: 00:00 ET on the 8th weekday before the third Friday of its month.
pub(crate) fn roll_instant(c: Contract<'_>) -> i64 {
    let first = NaiveDate::from_ymd_opt(c.year, c.month, 1).expect("valid month");
    let to_friday = (Weekday::Fri.num_days_from_monday() + 7 - first.weekday().num_days_from_monday()) % 7;
    let mut day = first + Duration::days(i64::from(to_friday) + 14);
    let mut weekdays = 0;
    while weekdays < 8 {
        day -= Duration::days(1);
        if day.weekday().num_days_from_monday() < 5 {
            weekdays += 1;
        }
    }
    New_York
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .earliest()
        .and_then(|d| d.timestamp_nanos_opt())
        .expect("midnight exists")
}

/// The front contract at instant `t_ns` (ns UTC).
pub(crate) fn contract_for(root: &str, t_ns: i64) -> Contract<'_> {
    let local = chrono::DateTime::from_timestamp_nanos(t_ns).with_timezone(&New_York);
    let month = local.month().div_ceil(3) * 3;
    let c = Contract { root, year: local.year(), month };
    if t_ns >= roll_instant(c) {
        c.next()
    } else {
        c
    }
}

/// Is Globex trading at ET wall-clock `local`? Sun 18:00 – Fri 17:00, daily 17:00–18:00 halt, and
/// no trading in the session of a holiday (from 18:00 the evening before to 18:00 on the day).
pub(crate) fn globex_open(local: NaiveDateTime) -> bool {
    let hour = local.time().hour();
    let weekday = local.weekday();
    let open_by_week = match weekday {
        Weekday::Sat => false,
        Weekday::Sun => hour >= 18,
        Weekday::Fri => hour < 17,
        _ => hour != 17,
    };
    let session_date = if hour >= 18 { local.date() + Duration::days(1) } else { local.date() };
    open_by_week && !is_holiday(session_date)
}

use chrono::Timelike;

/// CME full-day closures: New Year's Day, Good Friday, Independence Day, Thanksgiving, Christmas
/// (observed on the nearest weekday when they fall on a weekend).
fn is_holiday(d: NaiveDate) -> bool {
    let y = d.year();
    let fixed = |m, day| observed(NaiveDate::from_ymd_opt(y, m, day).expect("valid date"));
    let thanksgiving = {
        let nov1 = NaiveDate::from_ymd_opt(y, 11, 1).expect("valid date");
        let to_thu = (Weekday::Thu.num_days_from_monday() + 7 - nov1.weekday().num_days_from_monday()) % 7;
        nov1 + Duration::days(i64::from(to_thu) + 21)
    };
    [fixed(1, 1), fixed(7, 4), fixed(12, 25), thanksgiving, easter(y) - Duration::days(2)].contains(&d)
}

fn observed(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d - Duration::days(1),
        Weekday::Sun => d + Duration::days(1),
        _ => d,
    }
}

/// Gregorian Easter Sunday (anonymous algorithm).
fn easter(y: i32) -> NaiveDate {
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(y, month as u32, day as u32).expect("valid Easter date")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    }

    #[test]
    fn globex_hours_and_holidays() {
        assert!(globex_open(at(2024, 1, 3, 9, 30)));
        assert!(!globex_open(at(2024, 1, 3, 17, 30)), "daily halt");
        assert!(globex_open(at(2024, 1, 7, 18, 0)), "Sunday open");
        assert!(!globex_open(at(2024, 1, 5, 17, 0)), "Friday close");
        assert!(!globex_open(at(2023, 12, 25, 10, 0)), "Christmas");
        assert!(!globex_open(at(2023, 12, 31, 19, 0)), "New Year's eve session belongs to Jan 1");
        assert!(!globex_open(at(2024, 3, 29, 10, 0)), "Good Friday 2024");
    }

    #[test]
    fn mes_roll_dates_follow_the_spec() {
        let c = |y, m| Contract { root: "MES", year: y, month: m };
        let date = |t: i64| chrono::DateTime::from_timestamp_nanos(t).with_timezone(&New_York).date_naive().to_string();
        assert_eq!(date(roll_instant(c(2023, 12))), "2023-12-05");
        assert_eq!(date(roll_instant(c(2024, 3))), "2024-03-05");
        assert_eq!(date(roll_instant(c(2024, 6))), "2024-06-11");
        assert_eq!(date(roll_instant(c(2025, 3))), "2025-03-11");
        let jan3 = New_York.with_ymd_and_hms(2024, 1, 3, 9, 30, 0).unwrap().timestamp_nanos_opt().unwrap();
        assert_eq!(contract_for("MES", jan3).databento_symbol(), "MESH4");
    }
}
