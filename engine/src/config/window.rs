//! Time-bound access: when an assignment starts and ends.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, Time};

/// When a rule applies: from `starts` (inclusive) to `ends` (exclusive), either open.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Window {
    /// First instant the rule applies, if bounded.
    #[serde(with = "time::serde::rfc3339::option")]
    pub starts: Option<OffsetDateTime>,
    /// First instant the rule no longer applies, if bounded.
    #[serde(with = "time::serde::rfc3339::option")]
    pub ends: Option<OffsetDateTime>,
    /// The end as written (`2026-03-31`), for messages.
    pub until: Option<String>,
}

impl Window {
    /// Whether the rule applies at `now`.
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.starts.is_none_or(|s| now >= s) && self.ends.is_none_or(|e| now < e)
    }

    /// Whether the rule has ended by `now`.
    pub fn has_ended(&self, now: OffsetDateTime) -> bool {
        self.ends.is_some_and(|e| now >= e)
    }
}

/// Which end of a window a value gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bound {
    /// `from`: a date starts at its first instant (UTC).
    Start,
    /// `until`: a date is included whole, so the window ends at the next midnight (UTC).
    End,
}

/// Reads a TOML date (`2026-03-31`), offset date-time (`2026-03-31T18:00:00Z`) or a
/// string holding either.
pub(super) fn parse_instant(value: &toml::Value, bound: Bound) -> Result<OffsetDateTime, String> {
    let text = match value {
        toml::Value::Datetime(datetime) => datetime.to_string(),
        toml::Value::String(text) => text.clone(),
        other => {
            return Err(format!(
                "expected a date (2026-03-31) or a date-time with offset, found {}",
                other.type_str()
            ));
        }
    };
    if let Ok(instant) = OffsetDateTime::parse(&text, &Rfc3339) {
        return Ok(instant);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = Date::parse(&text, &format).map_err(|_| {
        format!(
            "`{text}` is not a date (2026-03-31) or a date-time with offset (2026-03-31T18:00:00Z)"
        )
    })?;
    let date = match bound {
        Bound::Start => date,
        Bound::End => date
            .next_day()
            .ok_or_else(|| format!("`{text}` is out of range"))?,
    };
    Ok(date.with_time(Time::MIDNIGHT).assume_utc())
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_date_is_included_whole() {
        let until: toml::Value = toml::Value::String("2026-03-31".into());
        let ends = parse_instant(&until, Bound::End).unwrap();
        let window = Window {
            starts: None,
            ends: Some(ends),
            until: None,
        };
        assert!(window.is_active(datetime!(2026-03-31 23:59 UTC)));
        assert!(window.has_ended(datetime!(2026-04-01 00:00 UTC)));
    }

    #[test]
    fn bad_dates_say_what_is_expected() {
        let error =
            parse_instant(&toml::Value::String("31/03/2026".into()), Bound::End).unwrap_err();
        assert!(error.contains("is not a date"), "{error}");
        let error = parse_instant(&toml::Value::Integer(3), Bound::End).unwrap_err();
        assert!(error.contains("found integer"), "{error}");
    }
}
