//! Timestamps: one fixed, sortable text format for the state, epoch milliseconds for audit.

use time::OffsetDateTime;
use time::macros::format_description;

/// The current time in UTC.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// `2026-03-31T18:00:00.123Z`: fixed width, so text order is time order.
pub fn stamp(at: OffsetDateTime) -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// Milliseconds since the Unix epoch.
pub fn epoch_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn stamps_are_fixed_width_utc() {
        assert_eq!(
            stamp(datetime!(2026-03-31 20:00:00.5 +02:00)),
            "2026-03-31T18:00:00.500Z"
        );
        assert_eq!(epoch_ms(datetime!(1970-01-01 00:00:01 UTC)), 1000);
    }
}
