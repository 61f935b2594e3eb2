//! Mutations that state no wrong fact: the vendor documents both values. They are
//! reported, not run, and left out of the kill rate. Each entry says why, with its source;
//! an entry without a documented reason is a missing test in disguise.

/// One mutation known to be equivalent.
struct Equivalent {
    /// The connector (`connectors/<app>`).
    app: &'static str,
    /// The fact, as `--list` names it.
    fact: &'static str,
    /// Why the other value is right too, with the vendor's page.
    why: &'static str,
}

const EQUIVALENT: &[Equivalent] = &[Equivalent {
    app: "canva",
    fact: "provisioning.dialect.patch_style",
    why: "Canva's PATCH takes operations with a `path` and a path-less `value` object alike \
          (https://www.canva.dev/docs/scim/)",
}];

/// Why the mutation of `fact` in `app` states no wrong fact, if it is a known one.
pub(crate) fn why(app: &str, fact: &str) -> Option<&'static str> {
    EQUIVALENT
        .iter()
        .find(|e| e.app == app && e.fact == fact)
        .map(|e| e.why)
}

#[cfg(test)]
mod tests {
    use super::{EQUIVALENT, why};
    use crate::mutate::facts::mutations;

    #[test]
    fn each_entry_names_a_fact_its_spec_has_and_gives_a_source() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for entry in EQUIVALENT {
            let path = root
                .join("connectors")
                .join(entry.app)
                .join("connector.toml");
            let source = std::fs::read_to_string(&path).unwrap();
            let facts = mutations(&source).unwrap();
            assert!(
                facts.iter().any(|m| m.fact == entry.fact),
                "{}: no fact {}",
                entry.app,
                entry.fact
            );
            assert!(entry.why.contains("https://"), "{}: no source", entry.fact);
        }
        assert!(why("canva", "provisioning.dialect.patch_style").is_some());
        assert!(why("slack", "provisioning.dialect.patch_style").is_none());
    }
}
