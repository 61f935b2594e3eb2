//! The ranges of the spec's whole-number keys: the checker enforces them, and a value of
//! the wrong kind (`page_size = "ten"`) is reported with the same range.

use std::ops::RangeInclusive;

/// `spec_version`: this toolkit reads version 1.
pub const SPEC_VERSION: RangeInclusive<u64> = 1..=1;

/// `provisioning.dialect.page_size`: at least one resource per page, and no page larger
/// than a SCIM server would reasonably return in one response.
pub const PAGE_SIZE: RangeInclusive<u64> = 1..=10_000;

/// `provisioning.dialect.group_members_per_request`: at least one member per request.
pub const GROUP_MEMBERS_PER_REQUEST: RangeInclusive<u64> = 1..=100_000;

/// `provisioning.rate_limit.requests` and `.burst`: at least one request.
pub const RATE_LIMIT: RangeInclusive<u64> = 1..=u32::MAX as u64;

/// HTTP status codes in `[rest]` operations and tests.
pub const HTTP_STATUS: RangeInclusive<u64> = 100..=599;

/// The range of the whole-number key `key` (its last dotted segment), when the spec
/// format has one.
pub fn of_key(key: &str) -> Option<RangeInclusive<u64>> {
    match key {
        "spec_version" => Some(SPEC_VERSION),
        "page_size" => Some(PAGE_SIZE),
        "group_members_per_request" => Some(GROUP_MEMBERS_PER_REQUEST),
        "requests" | "burst" => Some(RATE_LIMIT),
        "status" | "success" | "not_found" | "conflict" | "already_done" => Some(HTTP_STATUS),
        _ => None,
    }
}

/// Whether `value` is within `range`.
pub fn contains(range: &RangeInclusive<u64>, value: impl Into<u64>) -> bool {
    range.contains(&value.into())
}
