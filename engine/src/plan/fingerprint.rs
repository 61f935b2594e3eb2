//! The attribute hash of a person without building a `serde_json::Value`: the fields a
//! connector maps are resolved once per instance, and each person's canonical snapshot
//! JSON is written into a reused buffer and hashed. The bytes are exactly those of
//! [`attrs::hash`]`(`[`attrs::snapshot`]`(..))`, so hashes stored by earlier runs (and by
//! apply) compare equal.

use std::collections::BTreeSet;

use connector_sdk::{CustomValue, Identity, profile};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::attrs::{self, Snapshot};

/// A SHA-256 digest.
pub(crate) type Digest32 = [u8; 32];

/// Lowercase hex digits.
const HEX: &[u8; 16] = b"0123456789abcdef";

/// One mapped field.
#[derive(Debug, Clone)]
struct Field {
    /// The field's name.
    name: String,
    /// `"name":` as canonical JSON.
    key: Vec<u8>,
    /// The base profile field of that name; `None` (or an unset value) reads the custom
    /// attribute of that name.
    profile: Option<profile::Field>,
}

/// A field's value for one person.
enum FieldValue<'a> {
    /// A text.
    Text(&'a str),
    /// A list of texts.
    List(&'a [String]),
    /// Unset.
    Null,
}

/// The profile fields a connector maps, resolved, in snapshot (name) order.
#[derive(Debug, Clone)]
pub(crate) struct FieldSet {
    /// The fields, sorted by name.
    fields: Vec<Field>,
}

impl FieldSet {
    /// Resolves `fields` (as [`attrs::mapped_fields`] gives them).
    pub fn new(fields: &BTreeSet<String>) -> Self {
        let fields = fields
            .iter()
            .map(|name| {
                let mut key = serde_json::to_vec(name).unwrap_or_default();
                key.push(b':');
                Field {
                    name: name.clone(),
                    key,
                    profile: profile::Field::named(name),
                }
            })
            .collect();
        Self { fields }
    }

    /// The SHA-256 of `who`'s snapshot JSON; `buffer` is scratch space.
    pub fn fingerprint(&self, who: &Identity, buffer: &mut Vec<u8>) -> Digest32 {
        buffer.clear();
        buffer.push(b'{');
        for (i, field) in self.fields.iter().enumerate() {
            if i > 0 {
                buffer.push(b',');
            }
            buffer.extend_from_slice(&field.key);
            match value(field, who) {
                FieldValue::Text(text) => write_str(buffer, text),
                FieldValue::List(items) => {
                    buffer.push(b'[');
                    for (k, item) in items.iter().enumerate() {
                        if k > 0 {
                            buffer.push(b',');
                        }
                        write_str(buffer, item);
                    }
                    buffer.push(b']');
                }
                FieldValue::Null => buffer.extend_from_slice(b"null"),
            }
        }
        buffer.push(b'}');
        Sha256::digest(buffer.as_slice()).into()
    }

    /// What apply records for `who`: the hash (hex, as [`attrs::hash`] writes it) and
    /// the JSON of the snapshot (as `serde_json` writes [`attrs::snapshot`]).
    pub fn applied(&self, who: &Identity) -> (String, String) {
        let mut buffer = Vec::with_capacity(256);
        let digest = self.fingerprint(who, &mut buffer);
        let json = String::from_utf8(buffer).unwrap_or_default();
        let mut hex = String::with_capacity(64);
        for byte in digest {
            hex.push(char::from(HEX[usize::from(byte >> 4)]));
            hex.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        (hex, json)
    }

    /// `who`'s snapshot, equal to [`attrs::snapshot`] over the same fields.
    pub fn snapshot(&self, who: &Identity) -> Snapshot {
        self.fields
            .iter()
            .map(|field| {
                let value = match value(field, who) {
                    FieldValue::Text(text) => Value::from(text),
                    FieldValue::List(items) => Value::from(items.to_vec()),
                    FieldValue::Null => Value::Null,
                };
                (field.name.clone(), value)
            })
            .collect()
    }
}

/// `field`'s value for `who`: the profile's, else the custom attribute of that name.
fn value<'a>(field: &Field, who: &'a Identity) -> FieldValue<'a> {
    match field.profile.map(|f| who.get(f)) {
        Some(profile::FieldValue::Text(Some(text))) => return FieldValue::Text(text),
        Some(profile::FieldValue::List(items)) if !items.is_empty() => {
            return FieldValue::List(items);
        }
        _ => {}
    }
    match who.custom.get(&field.name) {
        Some(CustomValue::Text(text)) => FieldValue::Text(text),
        Some(CustomValue::List(items)) => FieldValue::List(items),
        None => FieldValue::Null,
    }
}

/// Appends `text` as a JSON string, escaped as `serde_json` does.
fn write_str(buffer: &mut Vec<u8>, text: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buffer, text);
}

/// A stored hash (lowercase hex, as [`attrs::hash`] writes it) as bytes; `None` for
/// anything else, which then matches no digest.
pub(crate) fn parse_hex(text: &str) -> Option<Digest32> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let nibble = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let mut digest = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        digest[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(digest)
}

/// The changes to show for an update: `before` is the stored snapshot JSON, if any.
pub(crate) fn changes(
    before: Option<&str>,
    after: &Snapshot,
) -> Vec<crate::attrs::AttributeChange> {
    let before: Option<Snapshot> = before.and_then(|a| serde_json::from_str(a).ok());
    attrs::diff(before.as_ref(), after)
}

#[cfg(test)]
mod tests {
    use connector_sdk::IdentityStatus;

    use super::*;

    fn people() -> Vec<Identity> {
        let mut ada = Identity {
            id: "1".into(),
            login: "Ada@X.io".into(),
            email: "ada@x.io".into(),
            first_name: Some("Ada \"the\" \\ first\n\u{1}é😀".into()),
            title: Some("Engineer".into()),
            status: IdentityStatus::Suspended,
            groups: vec!["eng".into(), "a\"i".into()],
            ..Identity::default()
        };
        ada.custom
            .insert("start_date".into(), CustomValue::Text("2026".into()));
        ada.custom.insert(
            "title".into(),
            CustomValue::Text("shadowed by the profile".into()),
        );
        ada.custom
            .insert("custom".into(), CustomValue::List(vec!["x".into()]));
        let mut bare = Identity {
            id: "2".into(),
            login: "b".into(),
            email: "b".into(),
            ..Identity::default()
        };
        bare.custom.insert(
            "groups".into(),
            CustomValue::List(vec!["from custom".into()]),
        );
        bare.custom
            .insert("phone".into(), CustomValue::Text("+1".into()));
        vec![ada, bare, Identity::default()]
    }

    #[test]
    fn fingerprints_and_snapshots_equal_the_attrs_module() {
        let names = [
            "id",
            "login",
            "email",
            "first_name",
            "last_name",
            "display_name",
            "department",
            "title",
            "manager",
            "employee_number",
            "cost_center",
            "organization",
            "division",
            "locale",
            "preferred_language",
            "timezone",
            "phone",
            "status",
            "groups",
            "custom",
            "start_date",
            "unknown",
            "with \"quote",
        ];
        let all: BTreeSet<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let sets = [
            all,
            BTreeSet::new(),
            ["email", "first_name"].map(String::from).into(),
        ];
        let mut buffer = Vec::new();
        for fields in &sets {
            let set = FieldSet::new(fields);
            for who in people() {
                let expected = attrs::snapshot(&who, fields);
                assert_eq!(set.snapshot(&who), expected);
                let hash = attrs::hash(&expected);
                assert_eq!(
                    Some(set.fingerprint(&who, &mut buffer)),
                    parse_hex(&hash),
                    "{}",
                    String::from_utf8_lossy(&buffer)
                );
                let json = serde_json::to_string(&expected).unwrap();
                assert_eq!(set.applied(&who), (hash, json));
            }
        }
    }

    #[test]
    fn only_lowercase_hex_of_the_right_length_parses() {
        let hex = "00".repeat(31) + "ff";
        assert_eq!(parse_hex(&hex).map(|d| d[31]), Some(0xff));
        assert_eq!(parse_hex(&hex.to_uppercase()), None);
        assert_eq!(parse_hex("abc"), None);
        assert_eq!(parse_hex(&"zz".repeat(32)), None);
        assert_eq!(parse_hex(&"é".repeat(32)), None);
    }
}
