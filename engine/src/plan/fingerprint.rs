//! A person's attribute snapshot and its hash, the one place they are computed (plan
//! compares them, apply records them): the fields a connector maps are resolved once
//! per instance, and each person's canonical snapshot JSON is written into a reused
//! buffer and hashed, without building a `serde_json::Value`. The JSON is the one
//! `serde_json` writes for the [`Snapshot`] map (keys sorted, compact), the form every
//! stored hash was made from, so hashes stored by earlier versions compare equal.

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
pub struct FieldSet {
    /// The fields, sorted by name.
    fields: Vec<Field>,
}

impl FieldSet {
    /// Resolves `fields` (as [`attrs::mapped_fields`] gives them).
    pub fn new(fields: &BTreeSet<String>) -> Self {
        let fields = fields
            .iter()
            .map(|name| {
                let mut key = Vec::with_capacity(name.len() + 3);
                write_str(&mut key, name);
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
    pub(crate) fn fingerprint(&self, who: &Identity, buffer: &mut Vec<u8>) -> Digest32 {
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

    /// What apply records for `who`: the hash (lowercase hex) and the JSON of the
    /// snapshot.
    pub fn applied(&self, who: &Identity) -> (String, String) {
        let mut buffer = Vec::with_capacity(256);
        let digest = self.fingerprint(who, &mut buffer);
        // Only JSON punctuation and strings `serde_json` escaped from `&str` are written.
        let json = String::from_utf8(buffer).expect("snapshot JSON is UTF-8");
        let mut hex = String::with_capacity(64);
        for byte in digest {
            hex.push(char::from(HEX[usize::from(byte >> 4)]));
            hex.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        (hex, json)
    }

    /// `who`'s snapshot: each field's value, `null` when unset.
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
    // A `str` always serializes, and writing to a `Vec` cannot fail.
    serde_json::to_writer(&mut *buffer, text).expect("a string serializes into a Vec");
}

/// A stored hash (lowercase hex, as [`FieldSet::applied`] writes it) as bytes; `None` for
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

    /// The snapshot as earlier versions built it (the profile through `serde_json`,
    /// else the custom attribute of that name): what stored hashes were made from.
    fn stored_form(who: &Identity, fields: &BTreeSet<String>) -> Snapshot {
        let profile = serde_json::to_value(who).unwrap();
        fields
            .iter()
            .map(|field| {
                let value = match profile.get(field.as_str()) {
                    Some(value) if field != "custom" => value.clone(),
                    _ => who
                        .custom
                        .get(field)
                        .map_or(Value::Null, |v| serde_json::to_value(v).unwrap()),
                };
                (field.clone(), value)
            })
            .collect()
    }

    /// Lowercase hex SHA-256 of `json`.
    fn sha256_hex(json: &str) -> String {
        Sha256::digest(json.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn hashes_match_those_stored_by_earlier_versions() {
        let fields: BTreeSet<String> = ["email", "first_name", "groups", "title"]
            .map(String::from)
            .into();
        let (hash, json) = FieldSet::new(&fields).applied(&people()[0]);
        assert_eq!(
            json,
            r#"{"email":"ada@x.io","first_name":"Ada \"the\" \\ first\n\u0001é😀","groups":["eng","a\"i"],"title":"Engineer"}"#
        );
        assert_eq!(hash, sha256_hex(&json));
    }

    #[test]
    fn snapshots_and_hashes_equal_the_stored_form() {
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
                let expected = stored_form(&who, fields);
                assert_eq!(set.snapshot(&who), expected);
                let json = serde_json::to_string(&expected).unwrap();
                let hash = sha256_hex(&json);
                assert_eq!(
                    Some(set.fingerprint(&who, &mut buffer)),
                    parse_hex(&hash),
                    "{}",
                    String::from_utf8_lossy(&buffer)
                );
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
