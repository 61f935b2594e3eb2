//! The spec's enums, once: codegen deserializes `connector.toml` into them and the SDK's
//! manifest holds them. Each value has one spelling (`as_str`), the spec's and the
//! manifest JSON's.

/// Declares a unit enum with its spelling, serde renames and `ALL`.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        pub enum $name {
            $( $(#[$vmeta])* #[cfg_attr(feature = "serde", serde(rename = $text))] $variant, )*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [Self; [$($text),*].len()] = [$(Self::$variant),*];

            /// The spelling in specs and manifests.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text,)* }
            }
        }
    };
}

vocabulary! {
    /// How the connector authenticates to the service.
    pub enum AuthKind {
        /// A static bearer token.
        Bearer = "bearer",
        /// OAuth 2.0 client credentials (or a vendor grant of the same shape).
        OAuth2ClientCredentials = "oauth2_client_credentials",
        /// A service account's RS256-signed JWT exchanged for a token (Google's domain-wide
        /// delegation); the key comes from `key_env`, the impersonated admin from `subject`.
        ServiceAccountJwt = "service_account_jwt",
    }
}

vocabulary! {
    /// A provisioning protocol.
    pub enum Protocol {
        /// SCIM 2.0 (RFC 7643/7644).
        Scim2 = "scim2",
        /// A vendor REST API declared in the spec's `[rest]`.
        Rest = "rest",
        /// No provisioning API: sign-in only.
        None = "none",
    }
}

vocabulary! {
    /// One thing a connector can do to an account.
    pub enum Capability {
        /// Create accounts.
        Create = "create",
        /// Update account attributes.
        Update = "update",
        /// Deactivate (suspend) accounts, reversibly.
        Deactivate = "deactivate",
        /// Reactivate deactivated accounts.
        Reactivate = "reactivate",
        /// Delete accounts for good.
        Delete = "delete",
        /// List existing accounts (import, reconcile).
        Import = "import",
        /// Manage groups.
        Groups = "groups",
        /// Assign and reclaim paid seats.
        License = "license",
    }
}

vocabulary! {
    /// How attribute updates are sent.
    pub enum UpdateMethod {
        /// PATCH with the changed attributes.
        Patch = "patch",
        /// PUT of the whole resource.
        Put = "put",
    }
}

vocabulary! {
    /// How an account is deactivated.
    pub enum DeactivateMethod {
        /// PATCH `active` to false.
        PatchActive = "patch_active",
        /// PUT the resource with `active: false`.
        PutActive = "put_active",
        /// DELETE, which the service treats as deactivation (Slack).
        Delete = "delete",
    }
}

vocabulary! {
    /// The shape of PATCH operations.
    pub enum PatchStyle {
        /// One operation per attribute with a `path` (`{"op":"replace","path":"active","value":false}`).
        Path = "path",
        /// One path-less `replace` whose value is an object (`{"op":"replace","value":{"active":false}}`).
        Pathless = "pathless",
    }
}

vocabulary! {
    /// A SCIM attribute type.
    pub enum ScimType {
        /// Text.
        String = "string",
        /// true or false.
        Boolean = "boolean",
        /// A whole number.
        Integer = "integer",
        /// An RFC 3339 timestamp, sent as text.
        DateTime = "dateTime",
    }
}

vocabulary! {
    /// The type of a custom directory attribute.
    pub enum CustomKind {
        /// One text value.
        Text = "text",
        /// A list of text values.
        List = "list",
    }
}

vocabulary! {
    /// How a paid seat is assigned.
    pub enum LicenseMode {
        /// The seat comes with an active account; nothing else to do.
        Automatic = "automatic",
        /// A SCIM attribute on the account carries it.
        Attribute = "attribute",
        /// Membership of a SCIM group carries it.
        Group = "group",
        /// A separate vendor API call assigns it.
        Api = "api",
        /// Only a person in the vendor's console can do it.
        Manual = "manual",
    }
}

vocabulary! {
    /// A sign-in protocol.
    pub enum SsoProtocol {
        /// SAML 2.0.
        Saml2 = "saml2",
        /// OpenID Connect.
        Oidc = "oidc",
    }
}

vocabulary! {
    /// A directory between the company IdP and the service.
    pub enum FederationVia {
        /// Google Workspace (third-party SSO profile).
        GoogleWorkspace = "google_workspace",
        /// Microsoft Entra ID (domain federation).
        EntraId = "entra_id",
    }
}

vocabulary! {
    /// A SAML NameID format.
    pub enum NameIdFormat {
        /// `urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress`
        EmailAddress = "emailAddress",
        /// `urn:oasis:names:tc:SAML:2.0:nameid-format:persistent`
        Persistent = "persistent",
        /// `urn:oasis:names:tc:SAML:2.0:nameid-format:transient`
        Transient = "transient",
        /// `urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified`
        Unspecified = "unspecified",
    }
}

impl NameIdFormat {
    /// The format's URN.
    pub const fn urn(self) -> &'static str {
        match self {
            Self::EmailAddress => "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
            Self::Persistent => "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            Self::Transient => "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
            Self::Unspecified => "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        }
    }
}

vocabulary! {
    /// An HTTP method of a declared REST operation.
    pub enum HttpMethod {
        /// GET
        Get = "GET",
        /// POST
        Post = "POST",
        /// PUT
        Put = "PUT",
        /// PATCH
        Patch = "PATCH",
        /// DELETE
        Delete = "DELETE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_are_the_spec_ones() {
        assert_eq!(Capability::ALL.len(), 8);
        assert_eq!(Capability::License.as_str(), "license");
        assert_eq!(
            AuthKind::OAuth2ClientCredentials.as_str(),
            "oauth2_client_credentials"
        );
        assert_eq!(DeactivateMethod::PatchActive.as_str(), "patch_active");
        assert_eq!(HttpMethod::Delete.as_str(), "DELETE");
        assert_eq!(ScimType::DateTime.as_str(), "dateTime");
        assert!(NameIdFormat::EmailAddress.urn().ends_with(":emailAddress"));
    }
}
