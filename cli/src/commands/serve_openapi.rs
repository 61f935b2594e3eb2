//! `GET /openapi.json` of `connector serve`: an OpenAPI 3.1 document of the cards over
//! HTTP, generated from the card schemas of the configured instances. One path per
//! instance and action card (`/cards/{instance}/{card}`, written out), whose request
//! body and 200 response are the card's input and output JSON Schemas; the schemas'
//! `$defs` become `components.schemas` (renamed per instance when two connectors define
//! one name differently); bearer security; the error answers.

use std::collections::BTreeMap;
use std::sync::Arc;

use connector_engine::config::Instance;
use connector_sdk::Connector;
use connector_sdk::cards::CardKind;
use serde_json::{Map, Value, json};

/// The error answers every card path documents, with what they mean.
const ERRORS: [(&str, &str); 10] = [
    (
        "400",
        "The input is not JSON or does not fit the card (`path` names where).",
    ),
    ("401", "Missing or wrong bearer token."),
    (
        "403",
        "`custom_api_call` outside the instance's allow-list.",
    ),
    (
        "404",
        "Unknown instance or card, or the account does not exist.",
    ),
    ("409", "The app refused: the account already exists."),
    ("413", "The input is too large."),
    (
        "422",
        "The app refused the call (its 4xx): `app_status`, `scim_type`, `detail`.",
    ),
    ("429", "The app is still throttling after the retries."),
    (
        "502",
        "The app failed (its 5xx), was unreachable, or refused the instance's credentials.",
    ),
    (
        "503",
        "The instance cannot be reached (its configuration or credentials).",
    ),
];

/// The document for `instances` (those whose connector cannot be built are left out).
pub(crate) fn document(
    instances: &BTreeMap<String, Instance>,
    connectors: &BTreeMap<String, Result<Arc<dyn Connector>, String>>,
) -> Value {
    let mut components = Map::new();
    components.insert(
        "Error".to_owned(),
        json!({
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": { "type": "string", "description": "What went wrong." },
                "path": { "type": "string", "description": "The JSON path of the input at fault." },
                "app_status": { "type": ["integer", "null"], "description": "The app's HTTP status." },
                "scim_type": { "type": ["string", "null"], "description": "The app's SCIM scimType." },
                "detail": { "type": ["string", "null"], "description": "The app's SCIM detail." }
            }
        }),
    );
    let mut paths = Map::new();
    for (name, connector) in connectors {
        let Ok(connector) = connector else { continue };
        let Some(instance) = instances.get(name) else {
            continue;
        };
        for card in connector
            .cards()
            .iter()
            .filter(|c| c.kind == CardKind::Action)
        {
            let input = hoist(&(card.input_schema)().to_value(), name, &mut components);
            let output = hoist(&(card.output_schema)().to_value(), name, &mut components);
            let mut responses = Map::new();
            responses.insert(
                "200".to_owned(),
                json!({
                    "description": "The card's output.",
                    "content": { "application/json": { "schema": output } }
                }),
            );
            for (status, description) in ERRORS {
                responses.insert(
                    status.to_owned(),
                    json!({
                        "description": description,
                        "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/Error" }
                        } }
                    }),
                );
            }
            paths.insert(
                format!("/cards/{name}/{}", card.name),
                json!({
                    "post": {
                        "operationId": format!("{}__{}", operation_part(name), card.name),
                        "summary": format!("{} on {name} ({})", card.name, instance.manifest.name),
                        "description": card.summary,
                        "tags": [name],
                        "requestBody": {
                            "required": true,
                            "content": { "application/json": { "schema": input } }
                        },
                        "responses": responses,
                    }
                }),
            );
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "connector serve: cards",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The action cards of the configured connector instances. Each \
                            call is authenticated with the bearer token of \
                            --cards-token-env and audited.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
        },
        "security": [{ "bearer": [] }],
    })
}

/// An instance name as an `operationId` part (letters, digits, `_`).
fn operation_part(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// `schema` with its `$defs` moved to `components` and its references rewritten to
/// them. A definition already there with other content is stored as `{instance}_{name}`.
fn hoist(schema: &Value, instance: &str, components: &mut Map<String, Value>) -> Value {
    let mut schema = schema.clone();
    let Some(object) = schema.as_object_mut() else {
        return schema;
    };
    object.remove("$schema");
    let defs = match object.remove("$defs") {
        Some(Value::Object(defs)) => defs,
        _ => Map::new(),
    };
    let mut renamed = BTreeMap::new();
    for (name, def) in &defs {
        let target = match components.get(name) {
            None => name.clone(),
            Some(existing) if same_after_renames(existing, def, &defs) => name.clone(),
            Some(_) => format!("{}_{name}", operation_part(instance)),
        };
        renamed.insert(name.clone(), target);
    }
    for (name, def) in defs {
        let mut def = def;
        rewrite(&mut def, &renamed);
        components.insert(renamed[&name].clone(), def);
    }
    rewrite(&mut schema, &renamed);
    schema
}

/// Whether a definition equals the one already stored (its references written as the
/// document writes them, which is the same when nothing was renamed).
fn same_after_renames(existing: &Value, def: &Value, defs: &Map<String, Value>) -> bool {
    let mut def = def.clone();
    let identity: BTreeMap<String, String> = defs.keys().map(|k| (k.clone(), k.clone())).collect();
    rewrite(&mut def, &identity);
    *existing == def
}

/// Rewrites every `$ref` to `#/$defs/NAME` as `#/components/schemas/RENAMED`.
fn rewrite(value: &mut Value, renamed: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref")
                && let Some(name) = reference.strip_prefix("#/$defs/")
            {
                let target = renamed.get(name).map_or(name, String::as_str);
                *reference = format!("#/components/schemas/{target}");
            }
            map.values_mut().for_each(|v| rewrite(v, renamed));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, renamed)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defs_are_hoisted_and_a_clash_is_renamed() {
        let mut components = Map::new();
        let a = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": { "sku": { "$ref": "#/$defs/Sku" } },
            "$defs": { "Sku": { "enum": ["basic"] } }
        });
        let b = json!({
            "properties": { "sku": { "$ref": "#/$defs/Sku" } },
            "$defs": { "Sku": { "enum": ["pro"] } }
        });
        let a = hoist(&a, "zoom", &mut components);
        let again = hoist(
            &json!({"$ref": "#/$defs/Sku", "$defs": {"Sku": {"enum": ["basic"]}}}),
            "x",
            &mut components,
        );
        let b = hoist(&b, "slack-eng", &mut components);
        assert_eq!(a["properties"]["sku"]["$ref"], "#/components/schemas/Sku");
        assert!(a.get("$schema").is_none() && a.get("$defs").is_none());
        assert_eq!(again["$ref"], "#/components/schemas/Sku");
        assert_eq!(
            b["properties"]["sku"]["$ref"],
            "#/components/schemas/slack_eng_Sku"
        );
        assert_eq!(components["Sku"]["enum"][0], "basic");
        assert_eq!(components["slack_eng_Sku"]["enum"][0], "pro");
    }
}
