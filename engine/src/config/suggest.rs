//! "Did you mean": the known name closest to a misspelt one, when it is close enough to
//! be a typo. One rule for every name the assignments file refers to (groups, mapped
//! attributes).

/// The candidate closest to `name` by edit distance, ignoring case, when the distance is
/// at most a third of the longer name (at least 1).
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let folded = name.to_lowercase();
    candidates
        .into_iter()
        .map(|candidate| {
            (
                strsim::levenshtein(&folded, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(distance, candidate)| {
            *distance <= (name.chars().count().max(candidate.chars().count()) / 3).max(1)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn typos_are_suggested_and_strangers_are_not() {
        let known = ["engineering", "ai-pilot", "Sales"];
        assert_eq!(closest("enginering", known), Some("engineering"));
        assert_eq!(closest("sales", known), Some("Sales"));
        assert_eq!(closest("ai-pilto", known), Some("ai-pilot"));
        assert_eq!(closest("finance", known), None);
    }
}
