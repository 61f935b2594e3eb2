//! The names of a manifest's mapped attributes: the key the spec's `[mapping]` writes
//! (`enterprise.department`, `emails.work`), the SCIM path a connector writes
//! (`urn:…:User:department`, `emails`), and the extension schema an attribute needs.
//! The assignments file's `exclude_attributes` and refusal reports use them.

/// The enterprise User extension's URN.
pub const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The mapping key of a manifest attribute path, as the spec's `[mapping]` writes it:
/// `enterprise.department` for the enterprise extension, `emails.work` for
/// `emails[type eq "work"].value`, the path itself otherwise (core attributes,
/// `name.givenName`, vendor extension paths, REST fields).
pub fn mapping_key(path: &str) -> String {
    if let Some(attribute) = path
        .strip_prefix(ENTERPRISE_URN)
        .and_then(|rest| rest.strip_prefix(':'))
    {
        return format!("enterprise.{attribute}");
    }
    if let Some((attribute, rest)) = path.split_once("[type eq \"")
        && let Some((kind, _)) = rest.split_once('"')
    {
        return format!("{attribute}.{kind}");
    }
    path.to_owned()
}

/// The path a connector writes for a manifest attribute path: the attribute before any
/// value filter (`emails` for `emails[type eq "work"].value`).
pub fn written_path(path: &str) -> &str {
    path.split('[').next().unwrap_or(path)
}

/// The extension schema URN an attribute path belongs to (everything before the last
/// `:` of a `urn:` path); `None` for core attributes.
pub fn schema_of(path: &str) -> Option<&str> {
    let urn = path.get(..4)?.eq_ignore_ascii_case("urn:");
    let head = written_path(path);
    urn.then(|| head.rfind(':').map(|colon| &head[..colon]))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_paths_and_schemas() {
        let department = format!("{ENTERPRISE_URN}:department");
        assert_eq!(mapping_key(&department), "enterprise.department");
        assert_eq!(mapping_key("emails[type eq \"work\"].value"), "emails.work");
        assert_eq!(mapping_key("name.givenName"), "name.givenName");
        assert_eq!(
            mapping_key("urn:acme:2.0:User:tier"),
            "urn:acme:2.0:User:tier"
        );
        assert_eq!(written_path("emails[type eq \"work\"].value"), "emails");
        assert_eq!(written_path(&department), department);
        assert_eq!(schema_of(&department), Some(ENTERPRISE_URN));
        assert_eq!(schema_of("title"), None);
        assert_eq!(
            schema_of("urn:acme:2.0:User:tier"),
            Some("urn:acme:2.0:User")
        );
    }
}
