//! Timestamps of the System Log: milliseconds since the Unix epoch, written as Okta
//! writes them (`2026-01-02T03:04:05.678Z`) and read from the ISO 8601 forms the System
//! Log API accepts for `since` and `until`
//! (<https://developer.okta.com/docs/api/openapi/okta-management/management/tag/SystemLog/>).

use std::time::{SystemTime, UNIX_EPOCH};

use crate::scim::value::rfc3339;

/// Now, in milliseconds since the Unix epoch.
pub(super) fn now_ms() -> i64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
}

/// `ms` since the Unix epoch as `YYYY-MM-DDThh:mm:ss.sssZ`.
pub(super) fn format_ms(ms: i64) -> String {
    let ms = u64::try_from(ms).unwrap_or(0);
    rfc3339(ms / 1000, u32::try_from(ms % 1000).unwrap_or(0))
}

/// Reads `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm|±hhmm)` as milliseconds since the
/// Unix epoch; the error says what is wrong.
pub(super) fn parse_ms(text: &str) -> Result<i64, String> {
    let bad = || format!("`{text}` is not an ISO 8601 timestamp such as 2026-01-02T03:04:05.000Z");
    let bytes = text.trim().as_bytes();
    let number = |from: usize, len: usize| -> Result<i64, String> {
        let digits = bytes.get(from..from + len).ok_or_else(bad)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse().ok())
            .ok_or_else(bad)
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|(at, c)| bytes.get(*at) != Some(c))
        || !matches!(bytes.get(10), Some(b'T' | b't'))
    {
        return Err(bad());
    }
    let (year, month, day) = (number(0, 4)?, number(5, 2)?, number(8, 2)?);
    let (hour, minute, second) = (number(11, 2)?, number(14, 2)?, number(17, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return Err(bad());
    }
    if second > 60 {
        return Err(bad());
    }
    let mut at = 19;
    let mut millis = 0;
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return Err(bad());
        }
        let fraction = std::str::from_utf8(&bytes[start..at.min(start + 3)]).map_err(|_| bad())?;
        millis = format!("{fraction:0<3}")
            .parse::<i64>()
            .map_err(|_| bad())?;
    }
    let offset_minutes = match bytes.get(at) {
        Some(b'Z' | b'z') if at + 1 == bytes.len() => 0,
        Some(sign @ (b'+' | b'-')) => {
            let hours = number(at + 1, 2)?;
            let rest = &bytes[at + 3..];
            let minutes = match rest {
                [b':', ..] if rest.len() == 3 => number(at + 4, 2)?,
                _ if rest.len() == 2 => number(at + 3, 2)?,
                _ => return Err(bad()),
            };
            let total = hours * 60 + minutes;
            if *sign == b'+' { total } else { -total }
        }
        _ => return Err(bad()),
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Ok(seconds * 1000 + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_and_offsets_apply() {
        let ms = parse_ms("2026-12-07T12:08:35.123Z").unwrap();
        assert_eq!(format_ms(ms), "2026-12-07T12:08:35.123Z");
        assert_eq!(parse_ms("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(parse_ms("1970-01-01T01:00:00+01:00").unwrap(), 0);
        assert_eq!(parse_ms("1970-01-01T00:00:00.5-0030").unwrap(), 1_800_500);
        assert_eq!(
            parse_ms("2024-02-29T00:00:00.000Z").unwrap(),
            1_709_164_800_000
        );
        for bad in [
            "",
            "2024-02-29",
            "2024-13-01T00:00:00Z",
            "2024-02-29T00:00:00",
            "yesterday",
        ] {
            let error = parse_ms(bad).unwrap_err();
            assert!(error.contains("ISO 8601"), "{bad}: {error}");
        }
    }
}
