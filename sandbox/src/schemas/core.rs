//! The core schema documents of RFC 7643 §8.7.1: User, Group and the enterprise User
//! extension, built from a compact attribute table.

use serde_json::{Value, json};

use crate::scim::attr_path::{CORE_GROUP_SCHEMA, CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA};

/// One attribute definition (RFC 7643 §7).
#[derive(Debug, Clone)]
pub(super) struct Attr {
    name: &'static str,
    kind: &'static str,
    multi: bool,
    required: bool,
    case_exact: bool,
    mutability: &'static str,
    returned: &'static str,
    uniqueness: &'static str,
    canonical: &'static [&'static str],
    references: &'static [&'static str],
    subs: Vec<Attr>,
}

/// A single-valued, optional, read-write attribute of type `kind`.
pub(super) fn attr(name: &'static str, kind: &'static str) -> Attr {
    Attr {
        name,
        kind,
        multi: false,
        required: false,
        case_exact: false,
        mutability: "readWrite",
        returned: "default",
        uniqueness: "none",
        canonical: &[],
        references: &[],
        subs: Vec::new(),
    }
}

impl Attr {
    fn multi(mut self) -> Self {
        self.multi = true;
        self
    }
    fn required(mut self) -> Self {
        self.required = true;
        self
    }
    fn exact(mut self) -> Self {
        self.case_exact = true;
        self
    }
    fn mutability(mut self, mutability: &'static str) -> Self {
        self.mutability = mutability;
        self
    }
    fn returned(mut self, returned: &'static str) -> Self {
        self.returned = returned;
        self
    }
    fn unique(mut self) -> Self {
        self.uniqueness = "server";
        self
    }
    fn canonical(mut self, values: &'static [&'static str]) -> Self {
        self.canonical = values;
        self
    }
    fn references(mut self, types: &'static [&'static str]) -> Self {
        self.references = types;
        self
    }
    fn subs(mut self, subs: Vec<Attr>) -> Self {
        self.kind = "complex";
        self.subs = subs;
        self
    }

    /// The attribute definition as JSON.
    pub(super) fn to_json(&self) -> Value {
        let mut out = json!({
            "name": self.name,
            "type": self.kind,
            "multiValued": self.multi,
            "description": self.name,
            "required": self.required,
            "mutability": self.mutability,
            "returned": self.returned,
        });
        let object = out.as_object_mut().expect("a JSON object literal");
        if self.kind != "complex" && self.kind != "boolean" {
            object.insert("caseExact".into(), Value::Bool(self.case_exact));
            object.insert("uniqueness".into(), Value::from(self.uniqueness));
        }
        if !self.canonical.is_empty() {
            object.insert("canonicalValues".into(), json!(self.canonical));
        }
        if !self.references.is_empty() {
            object.insert("referenceTypes".into(), json!(self.references));
        }
        if !self.subs.is_empty() {
            object.insert(
                "subAttributes".into(),
                self.subs.iter().map(Attr::to_json).collect(),
            );
        }
        out
    }
}

/// A multi-valued `value`/`display`/`type`/`primary` attribute (`emails`, `roles`).
fn plural(name: &'static str, value_kind: &'static str, types: &'static [&'static str]) -> Attr {
    let mut value = attr("value", value_kind);
    if value_kind == "reference" {
        value = value.references(&["external"]).exact();
    }
    attr(name, "complex").multi().subs(vec![
        value,
        attr("display", "string"),
        attr("type", "string").canonical(types),
        attr("primary", "boolean"),
    ])
}

/// A schema document.
pub(super) fn schema(id: &str, name: &str, description: &str, attributes: &[Attr]) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": id,
        "name": name,
        "description": description,
        "attributes": attributes.iter().map(Attr::to_json).collect::<Vec<_>>(),
    })
}

/// The core User schema.
pub(super) fn user() -> Value {
    let s = |name| attr(name, "string");
    let attributes = vec![
        s("userName").required().unique(),
        attr("name", "complex").subs(vec![
            s("formatted"),
            s("familyName"),
            s("givenName"),
            s("middleName"),
            s("honorificPrefix"),
            s("honorificSuffix"),
        ]),
        s("displayName"),
        s("nickName"),
        attr("profileUrl", "reference")
            .references(&["external"])
            .exact(),
        s("title"),
        s("userType"),
        s("preferredLanguage"),
        s("locale"),
        s("timezone"),
        attr("active", "boolean"),
        s("password")
            .exact()
            .mutability("writeOnly")
            .returned("never"),
        plural("emails", "string", &["work", "home", "other"]),
        plural(
            "phoneNumbers",
            "string",
            &["work", "home", "mobile", "fax", "pager", "other"],
        ),
        plural(
            "ims",
            "string",
            &["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"],
        ),
        plural("photos", "reference", &["photo", "thumbnail"]),
        attr("addresses", "complex").multi().subs(vec![
            s("formatted"),
            s("streetAddress"),
            s("locality"),
            s("region"),
            s("postalCode"),
            s("country"),
            s("type").canonical(&["work", "home", "other"]),
            attr("primary", "boolean"),
        ]),
        attr("groups", "complex")
            .multi()
            .mutability("readOnly")
            .subs(vec![
                s("value").exact().mutability("readOnly"),
                attr("$ref", "reference")
                    .references(&["Group"])
                    .exact()
                    .mutability("readOnly"),
                s("display").mutability("readOnly"),
                s("type")
                    .canonical(&["direct", "indirect"])
                    .mutability("readOnly"),
            ]),
        plural("entitlements", "string", &[]),
        plural("roles", "string", &[]),
        plural("x509Certificates", "binary", &[]),
    ];
    schema(CORE_USER_SCHEMA, "User", "User Account", &attributes)
}

/// The core Group schema.
pub(super) fn group() -> Value {
    let attributes = vec![
        attr("displayName", "string").required(),
        attr("members", "complex").multi().subs(vec![
            attr("value", "string").exact().mutability("immutable"),
            attr("$ref", "reference")
                .references(&["User", "Group"])
                .exact()
                .mutability("immutable"),
            attr("type", "string")
                .canonical(&["User", "Group"])
                .mutability("immutable"),
            attr("display", "string"),
        ]),
    ];
    schema(CORE_GROUP_SCHEMA, "Group", "Group", &attributes)
}

/// The enterprise User extension schema.
pub(super) fn enterprise_user() -> Value {
    let s = |name| attr(name, "string");
    let attributes = vec![
        s("employeeNumber"),
        s("costCenter"),
        s("organization"),
        s("division"),
        s("department"),
        attr("manager", "complex").subs(vec![
            s("value").exact(),
            attr("$ref", "reference").references(&["User"]).exact(),
            s("displayName").mutability("readOnly"),
        ]),
    ];
    schema(
        ENTERPRISE_USER_SCHEMA,
        "EnterpriseUser",
        "Enterprise User",
        &attributes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_documents_have_their_attributes() {
        let user = user();
        let names: Vec<&str> = user["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"userName") && names.contains(&"x509Certificates"));
        assert_eq!(user["attributes"][0]["uniqueness"], "server");
        assert_eq!(
            group()["attributes"][1]["subAttributes"][0]["mutability"],
            "immutable"
        );
        assert_eq!(enterprise_user()["id"], ENTERPRISE_USER_SCHEMA);
    }
}
