//! The small function library that generated mappings call, and mapping errors.
//!
//! Codegen compiles each mapping template of a spec (`"{first_name} {last_name}"`,
//! `"{lower(email)}"`) into Rust expressions of type `Option<String>` built from these
//! functions (defined once, with the template language, in `connector_model::template`).
//! A value is `None` when a field it reads is absent from the profile.

/// A directory profile that cannot produce a required attribute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "attribute `{attribute}` is required but its mapping `{mapping}` gave no value for identity {identity}"
)]
pub struct MappingError {
    /// The SCIM attribute path.
    pub attribute: &'static str,
    /// The mapping as written in the spec.
    pub mapping: &'static str,
    /// The directory id of the person.
    pub identity: String,
}

pub use connector_model::template::{
    concat, default, domain, join, local_part, lower, slug, trim, upper,
};

/// A fresh random credential of 32 characters from the operating system's secure
/// generator, for initial passwords that a service demands but single sign-on never uses.
pub fn random_secret() -> String {
    use ring::rand::SecureRandom;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-=";
    let rng = ring::rand::SystemRandom::new();
    let mut out = String::with_capacity(32);
    let mut bytes = [0u8; 64];
    while out.len() < 32 {
        if rng.fill(&mut bytes).is_err() {
            continue;
        }
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - 256 % ALPHABET.len();
        for byte in bytes.iter().filter(|b| usize::from(**b) < limit) {
            if out.len() == 32 {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]));
        }
    }
    out
}

/// Turns an absent required value into a [`MappingError`].
pub fn required(
    value: Option<String>,
    attribute: &'static str,
    mapping: &'static str,
    identity: &str,
) -> Result<String, MappingError> {
    value.filter(|v| !v.is_empty()).ok_or_else(|| MappingError {
        attribute,
        mapping,
        identity: identity.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn templates_are_absent_when_a_part_is() {
        assert_eq!(concat([s("Ada"), s(" "), s("Lovelace")]), s("Ada Lovelace"));
        assert_eq!(concat([s("Ada"), s(" "), None]), None);
    }

    #[test]
    fn functions() {
        assert_eq!(lower(s("Ada@X.COM")), s("ada@x.com"));
        assert_eq!(upper(s("ada")), s("ADA"));
        assert_eq!(slug(s("ada.love_lace")), s("ada-love-lace"));
        assert_eq!(trim(s("  ")), None);
        assert_eq!(local_part(s("ada@example.com")), s("ada"));
        assert_eq!(domain(s("ada@example.com")), s("example.com"));
        assert_eq!(domain(s("ada")), None);
        assert_eq!(default(None, "n/a"), s("n/a"));
        assert_eq!(join(&["a".into(), "b".into()], ","), s("a,b"));
        assert_eq!(join(&[], ","), None);
        assert!(required(None, "userName", "{email}", "00u1").is_err());
        let (a, b) = (random_secret(), random_secret());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
