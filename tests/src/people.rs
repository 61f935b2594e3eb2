//! Sample people for connector tests.

use connector_sdk::{CustomValue, Identity, IdentityStatus};

const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
];
const LAST: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth", "Allen",
];
const DEPARTMENTS: &[&str] = &["Engineering", "Research", "Sales", "Finance"];

/// A distinct, fully populated person for index `i`, with an address at `domain`.
///
/// `login` equals `email`, so connectors that map `userName` from either agree.
pub fn person(i: usize, domain: &str) -> Identity {
    let first = FIRST[i % FIRST.len()];
    let last = LAST[(i / FIRST.len() + i) % LAST.len()];
    let email = format!(
        "{}.{}{i}@{domain}",
        first.to_lowercase(),
        last.to_lowercase()
    );
    Identity {
        id: format!("00u{i:06}"),
        login: email.clone(),
        email,
        first_name: Some(first.to_owned()),
        last_name: Some(last.to_owned()),
        display_name: Some(format!("{first} {last}")),
        department: Some(DEPARTMENTS[i % DEPARTMENTS.len()].to_owned()),
        title: Some("Engineer".to_owned()),
        employee_number: Some(format!("E{i:05}")),
        organization: Some("Example Corp".to_owned()),
        phone: Some(format!("+1555{i:07}")),
        status: IdentityStatus::Active,
        groups: vec!["everyone".to_owned()],
        custom: [(
            "start_date".to_owned(),
            CustomValue::Text(format!("2026-{:02}-01T00:00:00Z", i % 12 + 1)),
        )]
        .into(),
        ..Identity::default()
    }
}
