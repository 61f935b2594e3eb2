//! Discovery documents (RFC 7644 §4): `/ServiceProviderConfig`, `/ResourceTypes` and
//! `/Schemas` of a tenant, its vendor extensions described from its manifest.

mod core;

use serde_json::{Value, json};

use crate::runtime::rules::FilterRule;
use crate::runtime::tenant::Tenant;
use crate::scim::attr_path::ENTERPRISE_USER_SCHEMA;
use crate::scim::value::is_multi_valued;

/// The service provider configuration.
pub(crate) fn service_provider_config(tenant: &Tenant) -> Value {
    let rules = &tenant.rules;
    let mut config = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": rules.filter != FilterRule::Refuse, "maxResults": rules.page_size},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": false},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with a bearer token in the Authorization header",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}/ServiceProviderConfig", tenant.scim_url),
        },
    });
    if let (Some(manifest), Some(object)) = (tenant.manifest, config.as_object_mut()) {
        object.insert(
            "documentationUri".to_owned(),
            Value::from(manifest.docs_url),
        );
    }
    config
}

/// The resource types, `User` (with the declared extensions) and `Group`.
pub(crate) fn resource_types(tenant: &Tenant) -> Vec<Value> {
    let extensions: Vec<Value> = tenant
        .extensions
        .iter()
        .map(|urn| json!({"schema": urn, "required": false}))
        .collect();
    let location = |id: &str| format!("{}/ResourceTypes/{id}", tenant.scim_url);
    vec![
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "User Account",
            "schema": crate::scim::attr_path::CORE_USER_SCHEMA,
            "schemaExtensions": extensions,
            "meta": {"resourceType": "ResourceType", "location": location("User")},
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Group",
            "schema": crate::scim::attr_path::CORE_GROUP_SCHEMA,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": location("Group")},
        }),
    ]
}

/// The schemas: core User and Group, then each declared extension.
pub(crate) fn schemas(tenant: &Tenant) -> Vec<Value> {
    let mut all = vec![core::user(), core::group()];
    for urn in &tenant.extensions {
        all.push(if urn == ENTERPRISE_USER_SCHEMA {
            core::enterprise_user()
        } else {
            extension_schema(tenant, urn)
        });
    }
    for schema in &mut all {
        let id = schema["id"].as_str().unwrap_or_default().to_owned();
        if let Some(object) = schema.as_object_mut() {
            object.insert(
                "meta".to_owned(),
                json!({"resourceType": "Schema", "location": format!("{}/Schemas/{id}", tenant.scim_url)}),
            );
        }
    }
    all
}

/// A vendor extension described from the manifest's attributes and licence attributes
/// under `urn`.
fn extension_schema(tenant: &Tenant, urn: &str) -> Value {
    let mut attributes: Vec<core::Attr> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    let mut add = |path: &'static str, kind: &'static str| {
        let Some(rest) = path.strip_prefix(urn).and_then(|r| r.strip_prefix(':')) else {
            return;
        };
        let name = rest.split(['.', '[']).next().unwrap_or(rest);
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
            let kind = match kind {
                "boolean" | "integer" | "dateTime" | "decimal" | "reference" => kind,
                _ => "string",
            };
            attributes.push(core::attr(name, kind));
        }
    };
    let display = tenant.manifest.map_or("Vendor", |m| m.display_name);
    if let Some(manifest) = tenant.manifest {
        for attribute in manifest.attributes {
            add(attribute.path, attribute.scim_type);
        }
        for sku in manifest.licenses {
            if let Some(attribute) = &sku.attribute {
                let kind = match serde_json::from_str::<Value>(attribute.assign) {
                    Ok(Value::Bool(_)) => "boolean",
                    Ok(Value::Number(_)) => "integer",
                    _ => "string",
                };
                add(attribute.path, kind);
            }
        }
    }
    debug_assert!(names.iter().all(|n| !is_multi_valued(n)));
    core::schema(
        urn,
        &format!("{display} User"),
        &format!("{display}'s User extension"),
        &attributes,
    )
}
