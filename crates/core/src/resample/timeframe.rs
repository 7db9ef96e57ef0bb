//! Timeframe strings ("1m", "5m", "1h", "1d", "15 minutes", ...) parsed into a bin width in minutes.

use crate::error::{Result, StoreError};

/// A bin width that divides a day: N minutes (N | 1440), N hours (N | 24) or one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timeframe {
    minutes: u32,
}

impl Timeframe {
    /// A width in minutes.
    ///
    /// # Errors
    /// `ERR_TIMEFRAME` when `minutes` is 0 or does not divide a day (1440 minutes).
    pub fn from_minutes(minutes: u32) -> Result<Self> {
        if minutes == 0 || 1_440 % minutes != 0 {
            return Err(StoreError::Timeframe(format!("{minutes} minutes (the width must divide 1440)")));
        }
        Ok(Self { minutes })
    }

    /// Parses `"<N><unit>"` with unit m/min/minute(s), h/hour(s), d/day(s) (case-insensitive, N defaults
    /// to 1, blanks allowed). `"1M"` means one minute, as in Lumibot.
    ///
    /// # Errors
    /// `ERR_TIMEFRAME` for anything else.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || StoreError::Timeframe(text.to_owned());
        let s = text.trim().to_ascii_lowercase();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (digits, unit) = s.split_at(split);
        let n: u32 = if digits.is_empty() { 1 } else { digits.parse().map_err(|_| bad())? };
        let per = match unit.trim() {
            "m" | "min" | "mins" | "minute" | "minutes" | "t" => 1,
            "h" | "hr" | "hour" | "hours" => 60,
            "d" | "day" | "days" => 1_440,
            _ => return Err(bad()),
        };
        let minutes = n.checked_mul(per).ok_or_else(bad)?;
        Self::from_minutes(minutes).map_err(|_| bad())
    }

    /// Bin width in minutes.
    pub fn minutes(self) -> u32 {
        self.minutes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lumibot_style_strings() {
        assert_eq!(Timeframe::parse("1M").unwrap().minutes(), 1);
        assert_eq!(Timeframe::parse("5m").unwrap().minutes(), 5);
        assert_eq!(Timeframe::parse("15 minutes").unwrap().minutes(), 15);
        assert_eq!(Timeframe::parse("hour").unwrap().minutes(), 60);
        assert_eq!(Timeframe::parse("4h").unwrap().minutes(), 240);
        assert_eq!(Timeframe::parse("1d").unwrap().minutes(), 1_440);
    }

    #[test]
    fn rejects_widths_that_do_not_divide_a_day() {
        for bad in ["7m", "0m", "2d", "week", "", "5 min bars", "m5"] {
            assert_eq!(Timeframe::parse(bad).unwrap_err().code(), "ERR_TIMEFRAME", "{bad}");
        }
    }
}
