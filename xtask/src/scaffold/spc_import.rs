//! `--from-service-provider-config`: what a SCIM server says about itself, read from its
//! discovery documents (RFC 7643 §5-7), turned into facts the spec template prefills.
//!
//! The input is one of:
//! - a directory holding `ServiceProviderConfig.json` (required), and optionally
//!   `Schemas.json` and `ResourceTypes.json`, each the body of that endpoint;
//! - a JSON file holding one object with the keys `ServiceProviderConfig` (required),
//!   `Schemas` and `ResourceTypes` (optional), each the body of that endpoint;
//! - a JSON file holding the `/ServiceProviderConfig` body alone.
//!
//! `/Schemas` and `/ResourceTypes` bodies may be a `ListResponse` (`{"Resources": [...]}`),
//! a plain array, or (for `/Schemas`) a single schema.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::{Map, Value};

/// The core User schema.
pub(super) const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The enterprise User extension.
pub(super) const ENTERPRISE_URN: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The `/ServiceProviderConfig` schema.
const SPC_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";

/// URN words that say nothing about the vendor.
const GENERIC_URN_WORDS: &[&str] = &["urn", "ietf", "params", "scim", "schemas", "core", "user"];

/// Aliases a vendor extension cannot take (see docs/spec.md, `[extensions.<alias>]`).
const RESERVED_ALIASES: &[&str] = &["name", "enterprise", "emails", "phonenumbers"];

/// What the discovery documents say, as far as a spec can use it.
#[derive(Debug, Clone, Default)]
pub(super) struct Prefill {
    /// Where the documents came from, for the spec's comments.
    pub origin: String,
    /// The optional features of `/ServiceProviderConfig`.
    pub features: Features,
    /// How the server authenticates, from `authenticationSchemes`.
    pub auth: AuthGuess,
    /// `documentationUri`, when it is an https URL.
    pub docs_url: Option<String>,
    /// The writable core User attributes (`userName`, `name.givenName`, `emails`, ...),
    /// when `/Schemas` has the User schema.
    pub user_attributes: Option<BTreeSet<String>>,
    /// The writable enterprise attributes, when `/Schemas` has that schema.
    pub enterprise_attributes: Option<BTreeSet<String>>,
    /// The vendor User extensions.
    pub extensions: Vec<Extension>,
    /// Facts worth a comment in the spec (a non-standard endpoint, a Group type, ...).
    pub notes: Vec<String>,
}

/// `/ServiceProviderConfig`'s feature flags (`None`: the document does not say).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Features {
    /// `patch.supported`.
    pub patch: Option<bool>,
    /// `filter.supported`.
    pub filter: Option<bool>,
    /// `filter.maxResults`.
    pub filter_max_results: Option<u64>,
    /// `bulk.supported`.
    pub bulk: Option<bool>,
    /// `bulk.maxOperations`.
    pub bulk_max_operations: Option<u64>,
    /// `sort.supported`.
    pub sort: Option<bool>,
    /// `etag.supported`.
    pub etag: Option<bool>,
    /// `changePassword.supported`.
    pub change_password: Option<bool>,
}

/// The spec's `[auth]`, as far as `authenticationSchemes` tells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) enum AuthGuess {
    /// `oauthbearertoken`: a static bearer token (with the scheme's documentation page).
    Bearer(Option<String>),
    /// `oauth2` / `oauth` only: OAuth 2.0 client credentials.
    OAuth2(Option<String>),
    /// Nothing the toolkit can use (HTTP Basic only), or no scheme listed.
    #[default]
    Unknown,
}

/// One vendor User extension from `/Schemas` (and `/ResourceTypes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Extension {
    /// The spec alias derived from the URN.
    pub alias: String,
    /// The schema URN.
    pub urn: String,
    /// The schema's name.
    pub name: String,
    /// The schema's description.
    pub description: String,
    /// The attributes a spec can declare.
    pub attributes: Vec<ExtensionAttribute>,
    /// The attributes left out, each with why.
    pub skipped: Vec<String>,
}

/// One declarable extension attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ExtensionAttribute {
    /// Its SCIM name.
    pub name: String,
    /// `string`, `boolean`, `integer` or `dateTime`.
    pub kind: &'static str,
    /// Its description.
    pub description: String,
}

/// The three documents, as found.
struct Documents {
    spc: Value,
    schemas: Option<Value>,
    resource_types: Option<Value>,
}

/// Reads the documents at `path` (see the module docs for the accepted shapes).
pub(super) fn load(path: &Path) -> Result<Prefill, String> {
    let shown = path.display().to_string();
    if !path.exists() {
        return Err(format!(
            "{shown} does not exist: give a JSON file, or a directory holding \
             ServiceProviderConfig.json"
        ));
    }
    let documents = if path.is_dir() {
        let part = |file: &str, required: bool| -> Result<Option<Value>, String> {
            let file_path = path.join(file);
            if !file_path.exists() && !required {
                return Ok(None);
            }
            read_json(&file_path).map(Some)
        };
        Documents {
            spc: part("ServiceProviderConfig.json", true)?.unwrap_or_default(),
            schemas: part("Schemas.json", false)?,
            resource_types: part("ResourceTypes.json", false)?,
        }
    } else {
        let value = read_json(path)?;
        let Value::Object(mut object) = value else {
            return Err(format!(
                "{shown}: expected a JSON object (a ServiceProviderConfig, or one with the keys \
                 `ServiceProviderConfig`, `Schemas`, `ResourceTypes`)"
            ));
        };
        if let Some(spc) = object.remove("ServiceProviderConfig") {
            Documents {
                spc,
                schemas: object.remove("Schemas"),
                resource_types: object.remove("ResourceTypes"),
            }
        } else if is_spc(&object) {
            Documents {
                spc: Value::Object(object),
                schemas: None,
                resource_types: None,
            }
        } else {
            return Err(format!(
                "{shown}: neither a ServiceProviderConfig document (no `{SPC_URN}` in `schemas`, \
                 no `patch` or `filter`) nor an object with a `ServiceProviderConfig` key"
            ));
        }
    };
    prefill(&shown, &documents)
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text =
        fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not valid JSON: {e}", path.display()))
}

fn is_spc(object: &Map<String, Value>) -> bool {
    let declared = object
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(SPC_URN)));
    declared || object.contains_key("patch") || object.contains_key("filter")
}

fn prefill(origin: &str, documents: &Documents) -> Result<Prefill, String> {
    let Value::Object(spc) = &documents.spc else {
        return Err(format!(
            "{origin}: `ServiceProviderConfig` must be a JSON object"
        ));
    };
    let at = |what: &str| format!("{origin}: ServiceProviderConfig.{what}");
    let features = Features {
        patch: flag(spc, "patch", &at("patch.supported"))?,
        filter: flag(spc, "filter", &at("filter.supported"))?,
        filter_max_results: number(spc, "filter", "maxResults", &at("filter.maxResults"))?,
        bulk: flag(spc, "bulk", &at("bulk.supported"))?,
        bulk_max_operations: number(spc, "bulk", "maxOperations", &at("bulk.maxOperations"))?,
        sort: flag(spc, "sort", &at("sort.supported"))?,
        etag: flag(spc, "etag", &at("etag.supported"))?,
        change_password: flag(spc, "changePassword", &at("changePassword.supported"))?,
    };
    let mut result = Prefill {
        origin: origin.to_owned(),
        features,
        auth: auth_guess(spc),
        docs_url: spc
            .get("documentationUri")
            .and_then(Value::as_str)
            .filter(|u| is_https(u))
            .map(str::to_owned),
        ..Prefill::default()
    };

    let schemas = match &documents.schemas {
        Some(value) => resources(value, &format!("{origin}: Schemas"))?,
        None => Vec::new(),
    };
    let resource_types = match &documents.resource_types {
        Some(value) => resources(value, &format!("{origin}: ResourceTypes"))?,
        None => Vec::new(),
    };
    let schema = |urn: &str| {
        schemas
            .iter()
            .find(|s| s.get("id").and_then(Value::as_str) == Some(urn))
    };
    if let Some(user) = schema(USER_URN) {
        result.user_attributes = Some(writable_paths(user));
    } else if documents.schemas.is_some() {
        result
            .notes
            .push("/Schemas has no core User schema: the mapping keeps the defaults".to_owned());
    }
    if let Some(enterprise) = schema(ENTERPRISE_URN) {
        result.enterprise_attributes = Some(writable_paths(enterprise));
    }

    // The User resource type: its endpoint and its extensions.
    let user_type = resource_types.iter().find(|t| {
        t.get("schema").and_then(Value::as_str) == Some(USER_URN)
            || t.get("name").and_then(Value::as_str) == Some("User")
    });
    if let Some(endpoint) = user_type
        .and_then(|t| t.get("endpoint"))
        .and_then(Value::as_str)
        .filter(|e| *e != "/Users")
    {
        result.notes.push(format!(
            "the server serves Users at `{endpoint}`, but the toolkit calls `<base_url>/Users`"
        ));
    }
    let has_groups = resource_types.iter().any(|t| {
        t.get("name").and_then(Value::as_str) == Some("Group")
            || t.get("endpoint").and_then(Value::as_str) == Some("/Groups")
    });
    if has_groups {
        result.notes.push(
            "the server has a Group resource type: add `groups` to the capabilities for a \
             licence held by group membership"
                .to_owned(),
        );
    }
    let extension_urns: Vec<(String, bool)> = match user_type {
        Some(user_type) => user_type
            .get("schemaExtensions")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|e| {
                        let urn = e.get("schema")?.as_str()?.to_owned();
                        let required = e.get("required").and_then(Value::as_bool) == Some(true);
                        Some((urn, required))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        // Without /ResourceTypes: every non-standard schema that names itself a User one.
        None => schemas
            .iter()
            .filter_map(|s| s.get("id").and_then(Value::as_str))
            .filter(|id| !id.starts_with("urn:ietf:params:scim:schemas:core:"))
            .filter(|id| *id != ENTERPRISE_URN && id.ends_with("User"))
            .map(|id| (id.to_owned(), false))
            .collect(),
    };
    let mut aliases = BTreeSet::new();
    for (urn, required) in extension_urns {
        if urn == ENTERPRISE_URN {
            continue;
        }
        if required {
            result.notes.push(format!(
                "the server requires the extension `{urn}` on every User: map its required \
                 attributes"
            ));
        }
        result
            .extensions
            .push(extension(&urn, schema(&urn), &mut aliases));
    }
    Ok(result)
}

/// `<feature>.supported`; an absent feature is `None`, a non-boolean an error.
fn flag(spc: &Map<String, Value>, feature: &str, at: &str) -> Result<Option<bool>, String> {
    match spc.get(feature).and_then(|f| f.get("supported")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(format!("{at} must be true or false (got {other})")),
    }
}

/// `<feature>.<key>` as a whole number; absent is `None`, anything else an error.
fn number(
    spc: &Map<String, Value>,
    feature: &str,
    key: &str,
    at: &str,
) -> Result<Option<u64>, String> {
    match spc.get(feature).and_then(|f| f.get(key)) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("{at} must be a whole number (got {value})")),
    }
}

fn auth_guess(spc: &Map<String, Value>) -> AuthGuess {
    let schemes: Vec<&Value> = spc
        .get("authenticationSchemes")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let kind = |s: &Value| {
        s.get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let page = |s: &Value| {
        ["documentationUri", "specUri"]
            .iter()
            .filter_map(|k| s.get(*k).and_then(Value::as_str))
            .find(|u| is_https(u))
            .map(str::to_owned)
    };
    if let Some(s) = schemes.iter().find(|s| kind(s) == "oauthbearertoken") {
        return AuthGuess::Bearer(page(s));
    }
    if let Some(s) = schemes
        .iter()
        .find(|s| matches!(kind(s).as_str(), "oauth2" | "oauth"))
    {
        return AuthGuess::OAuth2(page(s));
    }
    AuthGuess::Unknown
}

/// The items of a `ListResponse`, an array, or a single document.
fn resources(value: &Value, what: &str) -> Result<Vec<Value>, String> {
    match value {
        Value::Array(items) => Ok(items.clone()),
        Value::Object(object) => match object.get("Resources") {
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(_) => Err(format!("{what}: `Resources` must be an array")),
            None if object.contains_key("id") => Ok(vec![value.clone()]),
            None => Err(format!(
                "{what}: expected a ListResponse with `Resources`, an array, or one document with an `id`"
            )),
        },
        _ => Err(format!("{what}: expected a JSON object or array")),
    }
}

/// The attribute paths of a schema a client may write: `title`, `name.givenName`, `emails`.
fn writable_paths(schema: &Value) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    for attribute in attributes(schema) {
        let Some(name) = attribute.get("name").and_then(Value::as_str) else {
            continue;
        };
        if !writable(attribute) {
            continue;
        }
        paths.insert(name.to_owned());
        for sub in attribute
            .get("subAttributes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(sub_name) = sub.get("name").and_then(Value::as_str)
                && writable(sub)
            {
                paths.insert(format!("{name}.{sub_name}"));
            }
        }
    }
    paths
}

fn attributes(schema: &Value) -> impl Iterator<Item = &Value> {
    schema
        .get("attributes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn writable(attribute: &Value) -> bool {
    !matches!(
        attribute.get("mutability").and_then(Value::as_str),
        Some("readOnly" | "immutable")
    )
}

/// The extension `urn`, with its schema's attributes when `/Schemas` has it.
fn extension(urn: &str, schema: Option<&Value>, aliases: &mut BTreeSet<String>) -> Extension {
    let text = |key: &str| {
        schema
            .and_then(|s| s.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut result = Extension {
        alias: alias_for(urn, aliases),
        urn: urn.to_owned(),
        name: text("name").unwrap_or_else(|| urn.rsplit(':').next().unwrap_or(urn).to_owned()),
        description: text("description").unwrap_or_else(|| format!("The {urn} extension")),
        attributes: Vec::new(),
        skipped: Vec::new(),
    };
    if schema.is_none() {
        result
            .skipped
            .push("its schema is not in /Schemas: declare the attributes by hand".to_owned());
    }
    for attribute in schema.into_iter().flat_map(attributes) {
        let name = attribute
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let declared_type = attribute
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("string");
        let why_not = if !valid_attribute_name(name) {
            Some("its name is not one the spec format accepts".to_owned())
        } else if attribute.get("multiValued").and_then(Value::as_bool) == Some(true) {
            Some("multi-valued".to_owned())
        } else if !writable(attribute) {
            Some("read-only".to_owned())
        } else {
            None
        };
        let kind = match declared_type {
            "string" => Some("string"),
            "boolean" => Some("boolean"),
            "integer" => Some("integer"),
            "dateTime" => Some("dateTime"),
            _ => None,
        };
        match (why_not, kind) {
            (Some(why), _) => result.skipped.push(format!("`{name}`: {why}")),
            (None, None) => result.skipped.push(format!(
                "`{name}`: type `{declared_type}` (extensions hold string, boolean, integer or dateTime)"
            )),
            (None, Some(kind)) => result.attributes.push(ExtensionAttribute {
                name: name.to_owned(),
                kind,
                description: attribute
                    .get("description")
                    .and_then(Value::as_str)
                    .filter(|d| !d.trim().is_empty())
                    .unwrap_or(name)
                    .to_owned(),
            }),
        }
    }
    result
}

fn valid_attribute_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A snake_case alias from the URN: the word after `extension` when there is one
/// (`urn:ietf:params:scim:schemas:extension:acme:2.0:User` → `acme`), else the last word
/// that is neither a version nor a generic URN word; made unique among `taken`.
fn alias_for(urn: &str, taken: &mut BTreeSet<String>) -> String {
    let parts: Vec<&str> = urn.split(':').collect();
    let after_extension = parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("extension"))
        .and_then(|i| parts.get(i + 1))
        .copied();
    let word = after_extension.or_else(|| {
        parts.iter().rev().copied().find(|p| {
            !p.is_empty()
                && !p.starts_with(|c: char| c.is_ascii_digit())
                && !GENERIC_URN_WORDS.iter().any(|w| p.eq_ignore_ascii_case(w))
        })
    });
    let mut alias: String = word
        .unwrap_or("vendor")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    alias = alias.trim_matches('_').to_owned();
    if !alias.starts_with(|c: char| c.is_ascii_lowercase()) {
        alias.insert_str(0, "ext_");
    }
    if RESERVED_ALIASES.contains(&alias.as_str()) {
        alias.push_str("_ext");
    }
    let mut unique = alias.clone();
    let mut n = 2;
    while taken.contains(&unique) {
        unique = format!("{alias}_{n}");
        n += 1;
    }
    taken.insert(unique.clone());
    unique
}

/// An `https://` URL with something after the scheme and no white space.
fn is_https(url: &str) -> bool {
    url.strip_prefix("https://")
        .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A server's three documents, as one object.
    pub(crate) fn sample() -> Value {
        json!({
            "ServiceProviderConfig": {
                "schemas": [SPC_URN],
                "documentationUri": "https://docs.acme.example/scim",
                "patch": { "supported": true },
                "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
                "filter": { "supported": true, "maxResults": 200 },
                "changePassword": { "supported": false },
                "sort": { "supported": true },
                "etag": { "supported": false },
                "authenticationSchemes": [{
                    "type": "oauthbearertoken",
                    "name": "OAuth Bearer Token",
                    "description": "A token from the admin console",
                    "documentationUri": "https://docs.acme.example/scim/token"
                }]
            },
            "Schemas": { "Resources": [
                { "id": USER_URN, "name": "User", "attributes": [
                    { "name": "userName", "type": "string", "mutability": "readWrite" },
                    { "name": "name", "type": "complex", "subAttributes": [
                        { "name": "givenName", "type": "string" },
                        { "name": "familyName", "type": "string" },
                        { "name": "formatted", "type": "string", "mutability": "readOnly" }
                    ]},
                    { "name": "displayName", "type": "string" },
                    { "name": "title", "type": "string" },
                    { "name": "emails", "type": "complex", "multiValued": true },
                    { "name": "groups", "type": "complex", "mutability": "readOnly" }
                ]},
                { "id": ENTERPRISE_URN, "name": "EnterpriseUser", "attributes": [
                    { "name": "department", "type": "string" },
                    { "name": "costCenter", "type": "string" }
                ]},
                { "id": "urn:ietf:params:scim:schemas:extension:acme:2.0:User",
                  "name": "Acme User", "description": "Acme's licences", "attributes": [
                    { "name": "aiSeat", "type": "boolean", "description": "Acme AI seat" },
                    { "name": "seatCount", "type": "integer" },
                    { "name": "quota", "type": "decimal" },
                    { "name": "tags", "type": "string", "multiValued": true },
                    { "name": "createdBy", "type": "string", "mutability": "readOnly" }
                ]}
            ]},
            "ResourceTypes": [
                { "name": "User", "endpoint": "/Users", "schema": USER_URN, "schemaExtensions": [
                    { "schema": ENTERPRISE_URN, "required": false },
                    { "schema": "urn:ietf:params:scim:schemas:extension:acme:2.0:User", "required": false }
                ]},
                { "name": "Group", "endpoint": "/Groups", "schema": "urn:ietf:params:scim:schemas:core:2.0:Group" }
            ]
        })
    }

    fn write(dir: &Path, name: &str, value: &Value) -> std::path::PathBuf {
        let path = dir.join(name);
        fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
        path
    }

    #[test]
    fn the_combined_object_prefills_features_auth_attributes_and_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let prefill = load(&write(dir.path(), "acme.json", &sample())).unwrap();
        assert_eq!(
            prefill.features,
            Features {
                patch: Some(true),
                filter: Some(true),
                filter_max_results: Some(200),
                bulk: Some(false),
                bulk_max_operations: Some(0),
                sort: Some(true),
                etag: Some(false),
                change_password: Some(false),
            }
        );
        assert_eq!(
            prefill.auth,
            AuthGuess::Bearer(Some("https://docs.acme.example/scim/token".to_owned()))
        );
        assert_eq!(
            prefill.docs_url.as_deref(),
            Some("https://docs.acme.example/scim")
        );
        let user = prefill.user_attributes.unwrap();
        assert!(user.contains("name.givenName") && user.contains("emails"));
        assert!(!user.contains("name.formatted") && !user.contains("groups"));
        assert_eq!(
            prefill.enterprise_attributes.unwrap(),
            BTreeSet::from(["costCenter".to_owned(), "department".to_owned()])
        );
        let [acme] = prefill.extensions.as_slice() else {
            panic!("{:?}", prefill.extensions)
        };
        assert_eq!(acme.alias, "acme");
        let names: Vec<(&str, &str)> = acme
            .attributes
            .iter()
            .map(|a| (a.name.as_str(), a.kind))
            .collect();
        assert_eq!(names, [("aiSeat", "boolean"), ("seatCount", "integer")]);
        assert_eq!(acme.skipped.len(), 3, "{:?}", acme.skipped);
        assert!(
            prefill
                .notes
                .iter()
                .any(|n| n.contains("Group resource type"))
        );
    }

    #[test]
    fn a_directory_and_a_bare_spc_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let sample = sample();
        write(
            dir.path(),
            "ServiceProviderConfig.json",
            &sample["ServiceProviderConfig"],
        );
        write(dir.path(), "Schemas.json", &sample["Schemas"]);
        let prefill = load(dir.path()).unwrap();
        assert_eq!(prefill.features.patch, Some(true));
        // Without /ResourceTypes the extension is found by its URN.
        assert_eq!(prefill.extensions.len(), 1);
        assert!(prefill.notes.is_empty(), "{:?}", prefill.notes);

        let bare = write(dir.path(), "spc.json", &sample["ServiceProviderConfig"]);
        let prefill = load(&bare).unwrap();
        assert_eq!(prefill.features.filter_max_results, Some(200));
        assert!(prefill.user_attributes.is_none() && prefill.extensions.is_empty());
    }

    #[test]
    fn bad_input_is_an_error_that_names_the_file_and_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let missing = load(&dir.path().join("nope.json")).unwrap_err();
        assert!(missing.ends_with("nope.json does not exist: give a JSON file, or a directory holding ServiceProviderConfig.json"), "{missing}");
        let path = dir.path().join("bad.json");
        fs::write(&path, "{ not json").unwrap();
        assert!(
            load(&path)
                .unwrap_err()
                .contains("bad.json: not valid JSON")
        );
        let path = write(dir.path(), "other.json", &json!({ "hello": 1 }));
        assert!(
            load(&path)
                .unwrap_err()
                .contains("neither a ServiceProviderConfig")
        );
        let path = write(
            dir.path(),
            "typed.json",
            &json!({ "patch": { "supported": "yes" } }),
        );
        let error = load(&path).unwrap_err();
        assert!(
            error.ends_with("typed.json: ServiceProviderConfig.patch.supported must be true or false (got \"yes\")"),
            "{error}"
        );
        let empty = tempfile::tempdir().unwrap();
        let error = load(empty.path()).unwrap_err();
        assert!(error.contains("ServiceProviderConfig.json"), "{error}");
    }

    #[test]
    fn aliases_come_from_the_urn_and_are_unique() {
        let mut taken = BTreeSet::new();
        assert_eq!(
            alias_for(
                "urn:ietf:params:scim:schemas:extension:acme:2.0:User",
                &mut taken
            ),
            "acme"
        );
        assert_eq!(
            alias_for(
                "urn:ietf:params:scim:schemas:extension:acme:2.0:User",
                &mut taken
            ),
            "acme_2"
        );
        assert_eq!(
            alias_for("urn:acme-corp:scim:1.0:User", &mut taken),
            "acme_corp"
        );
        assert_eq!(
            alias_for("urn:x:extension:Name:User", &mut taken),
            "name_ext"
        );
        assert_eq!(alias_for("urn:x:extension:42:User", &mut taken), "ext_42");
    }
}
