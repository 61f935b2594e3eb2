//! SCIM `/Schemas` documents (RFC 7643 §7) for the spec's vendor extensions, so a SCIM
//! server that validates attributes (scim2-server) can be started with them.

use serde_json::{Value, json};

use crate::ir::Model;
use crate::spec::model::ScimType;

/// One schema document per vendor extension.
pub fn extension_schemas(model: &Model) -> Vec<Value> {
    model
        .extensions
        .iter()
        .map(|ext| {
            let attributes: Vec<Value> = ext
                .attributes
                .iter()
                .map(|(name, kind, description)| {
                    json!({
                        "name": name,
                        "type": match kind {
                            ScimType::String => "string",
                            ScimType::Boolean => "boolean",
                            ScimType::Integer => "integer",
                            ScimType::DateTime => "dateTime",
                        },
                        "multiValued": false,
                        "description": description,
                        "required": false,
                        "caseExact": false,
                        "mutability": "readWrite",
                        "returned": "default",
                        "uniqueness": "none",
                    })
                })
                .collect();
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
                "id": ext.urn,
                "name": ext.name,
                "description": ext.description,
                "attributes": attributes,
                "meta": {
                    "resourceType": "Schema",
                    "location": format!("/Schemas/{}", ext.urn),
                },
            })
        })
        .collect()
}
