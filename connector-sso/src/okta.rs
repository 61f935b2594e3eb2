//! The identity provider side of sign-in as Okta's Apps API takes it: each app is the body
//! of a `POST /api/v1/apps` request.
//!
//! - SAML services get a custom SAML 2.0 app (`signOnMode: SAML_2_0`) that signs both the
//!   Response and the Assertion with RSA-SHA256 / SHA-256.
//! - OIDC-only services get an OIDC web app (`signOnMode: OPENID_CONNECT`).
//! - SP-initiated-only services (ChatGPT) also get a bookmark app (`signOnMode: BOOKMARK`)
//!   that opens the login URL; the sign-on app is hidden from end users' dashboards,
//!   because IdP-initiated sign-in from its tile would fail.

use serde::Serialize;

use super::expression::OktaValue;
use super::notes::{Note, Severity};
use super::{ATTRNAME_FORMAT_UNSPECIFIED, OidcRelyingParty, SamlServiceProvider, ServiceProvider};

/// Okta's issuer template for the org's SAML apps.
pub const OKTA_IDP_ISSUER: &str = "http://www.okta.com/${org.externalKey}";

/// The Okta apps for one service, in creation order: sign-on app, then bookmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OktaApps {
    /// The custom SAML 2.0 app, for SAML services.
    pub saml_app: Option<SamlApp>,
    /// The OIDC app, for OIDC-only services.
    pub oidc_app: Option<OidcApp>,
    /// The dashboard tile, for SP-initiated-only services.
    pub bookmark_app: Option<BookmarkApp>,
}

impl OktaApps {
    /// Every app, in creation order (sign-on app, then bookmark).
    pub fn apps(&self) -> Vec<OktaApp<'_>> {
        let mut apps = Vec::new();
        apps.extend(self.saml_app.as_ref().map(OktaApp::Saml));
        apps.extend(self.oidc_app.as_ref().map(OktaApp::Oidc));
        apps.extend(self.bookmark_app.as_ref().map(OktaApp::Bookmark));
        apps
    }

    /// [`apps`](Self::apps) as a pretty JSON array of request bodies (the `okta` format),
    /// keys in the order of the types' fields.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.apps()).unwrap_or_else(|_| "[]".to_owned())
    }
}

/// One Okta app, serialized as its request body.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum OktaApp<'a> {
    /// A custom SAML 2.0 app.
    Saml(&'a SamlApp),
    /// An OIDC app.
    Oidc(&'a OidcApp),
    /// A bookmark app.
    Bookmark(&'a BookmarkApp),
}

/// Whether an app's tile shows on the Okta dashboard and in Okta Mobile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Visibility {
    /// Okta's browser-plugin toolbar; always false here.
    pub auto_submit_toolbar: bool,
    /// Where the tile is hidden.
    pub hide: Hide,
}

/// Where an app's tile is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hide {
    /// Hidden in Okta Mobile.
    #[serde(rename = "iOS")]
    pub ios: bool,
    /// Hidden on the web dashboard.
    pub web: bool,
}

/// How Okta computes the app username (which `${user.userName}` then sends as NameID).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserNameTemplate {
    /// The template (`${source.email}`).
    pub template: String,
    /// `BUILT_IN`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// An app's credentials settings (only the username template is set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppCredentials {
    /// The app username.
    pub user_name_template: UserNameTemplate,
}

/// A custom SAML 2.0 app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SamlApp {
    /// The app's name on dashboards.
    pub label: String,
    /// Tile visibility (hidden for SP-initiated-only services).
    pub visibility: Visibility,
    /// Okta features; none.
    pub features: Vec<String>,
    /// `SAML_2_0`.
    pub sign_on_mode: &'static str,
    /// The app username, sent as NameID.
    pub credentials: AppCredentials,
    /// The SAML settings.
    pub settings: SamlSettings,
}

/// The settings object of a SAML app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SamlSettings {
    /// The sign-on settings.
    pub sign_on: SamlSignOn,
}

/// `settings.signOn` of a custom SAML 2.0 app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SamlSignOn {
    /// RelayState for IdP-initiated sign-in; empty.
    pub default_relay_state: String,
    /// Single sign-on URL: the service's ACS URL.
    pub sso_acs_url: String,
    /// The Issuer Okta sends.
    pub idp_issuer: String,
    /// Audience URI: the SP entity ID.
    pub audience: String,
    /// SubjectConfirmationData Recipient: the ACS URL.
    pub recipient: String,
    /// Response Destination: the ACS URL.
    pub destination: String,
    /// The NameID value (`${user.userName}`, the app username).
    pub subject_name_id_template: String,
    /// The NameID format URN.
    pub subject_name_id_format: String,
    /// Sign the Response.
    pub response_signed: bool,
    /// Sign the Assertion.
    pub assertion_signed: bool,
    /// `RSA_SHA256`.
    pub signature_algorithm: &'static str,
    /// `SHA256`.
    pub digest_algorithm: &'static str,
    /// Honour ForceAuthn in AuthnRequests.
    pub honor_force_authn: bool,
    /// The AuthnContextClassRef Okta sends.
    pub authn_context_class_ref: &'static str,
    /// The attribute statements.
    pub attribute_statements: Vec<OktaAttributeStatement>,
}

/// One attribute statement of an Okta SAML app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum OktaAttributeStatement {
    /// A value computed by an Okta expression.
    #[serde(rename = "EXPRESSION")]
    Expression {
        /// The SAML attribute name.
        name: String,
        /// The attribute NameFormat URN.
        namespace: String,
        /// The expressions (one).
        values: Vec<String>,
    },
    /// One value per group whose name matches `filterValue`.
    #[serde(rename = "GROUP", rename_all = "camelCase")]
    Group {
        /// The SAML attribute name.
        name: String,
        /// The attribute NameFormat URN.
        namespace: String,
        /// `REGEX`.
        filter_type: String,
        /// The regular expression.
        filter_value: String,
    },
}

/// An OIDC web app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcApp {
    /// `oidc_client`.
    pub name: &'static str,
    /// The app's name on dashboards.
    pub label: String,
    /// `OPENID_CONNECT`.
    pub sign_on_mode: &'static str,
    /// Client authentication.
    pub credentials: OidcCredentials,
    /// The OAuth client settings.
    pub settings: OidcSettings,
}

/// `credentials` of an OIDC app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcCredentials {
    /// The client authentication method.
    pub oauth_client: OidcClientAuth,
}

/// How the service authenticates to Okta's token endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OidcClientAuth {
    /// `client_secret_basic`.
    pub token_endpoint_auth_method: &'static str,
}

/// `settings` of an OIDC app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcSettings {
    /// The OAuth client.
    pub oauth_client: OidcClient,
}

/// `settings.oauthClient` of an OIDC app (Okta spells these keys in snake_case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OidcClient {
    /// `web`.
    pub application_type: &'static str,
    /// The service's redirect URI.
    pub redirect_uris: Vec<String>,
    /// `code`.
    pub response_types: Vec<&'static str>,
    /// `authorization_code`.
    pub grant_types: Vec<&'static str>,
    /// Where Okta starts sign-in from the tile, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiate_login_uri: Option<String>,
    /// `TRUSTED`: no consent screen.
    pub consent_method: &'static str,
}

/// A bookmark app: a dashboard tile that opens a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BookmarkApp {
    /// `bookmark`.
    pub name: &'static str,
    /// The tile's label.
    pub label: String,
    /// `BOOKMARK`.
    pub sign_on_mode: &'static str,
    /// The URL.
    pub settings: BookmarkSettings,
}

/// `settings` of a bookmark app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookmarkSettings {
    /// The URL setting.
    pub app: BookmarkUrl,
}

/// `settings.app` of a bookmark app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BookmarkUrl {
    /// Whether Okta should request an integration for the URL; false.
    pub request_integration: bool,
    /// The URL the tile opens: the service's login URL.
    pub url: String,
}

/// Builds the Okta apps of `sp`, adding the notes an admin needs to `notes`.
pub(crate) fn apps(sp: &ServiceProvider, notes: &mut Vec<Note>) -> OktaApps {
    let hidden = sp.sp_initiated_only;
    let saml_app = sp
        .saml
        .as_ref()
        .map(|saml| saml_app(sp, saml, hidden, notes));
    let oidc_app = sp.oidc.as_ref().map(|oidc| oidc_app(sp, oidc));
    let bookmark_app = if sp.sp_initiated_only {
        match &sp.login_url {
            Some(url) => {
                notes.push(Note::idp(
                    Severity::Action,
                    format!(
                        "{name} accepts only SP-initiated sign-in: hide the {protocol} app from \
                         end users' dashboards (the generated app sets visibility.hide.web and \
                         visibility.hide.iOS to true) and give people the bookmark app \
                         \"{name}\", which opens {url}. Assign both apps to the same people: \
                         the {protocol} app lets them sign in, the bookmark shows the tile.",
                        name = sp.display_name,
                        protocol = sp.protocol.as_str().to_uppercase().replace("SAML2", "SAML"),
                    ),
                ));
                Some(BookmarkApp {
                    name: "bookmark",
                    label: sp.display_name.to_owned(),
                    sign_on_mode: "BOOKMARK",
                    settings: BookmarkSettings {
                        app: BookmarkUrl {
                            request_integration: false,
                            url: url.clone(),
                        },
                    },
                })
            }
            None => {
                notes.push(Note::idp(
                    Severity::Warning,
                    format!(
                        "{} accepts only SP-initiated sign-in but its spec has no login URL, \
                         so no bookmark app was generated",
                        sp.display_name
                    ),
                ));
                None
            }
        }
    } else {
        None
    };
    OktaApps {
        saml_app,
        oidc_app,
        bookmark_app,
    }
}

fn saml_app(
    sp: &ServiceProvider,
    saml: &SamlServiceProvider,
    hidden: bool,
    notes: &mut Vec<Note>,
) -> SamlApp {
    let email_format = saml.name_id_format.ends_with(":emailAddress");
    let user_name = if email_format {
        "${source.email}"
    } else {
        "${source.login}"
    };
    if saml.name_id_format.ends_with(":persistent") {
        notes.push(Note::idp(
            Severity::Warning,
            format!(
                "{} expects a persistent NameID; the app sends the Okta username, which must \
                 never change for a person (renaming breaks the link to their account)",
                sp.display_name
            ),
        ));
    }
    notes.push(Note::idp(
        Severity::Action,
        format!(
            "After creating the SAML app, give {} the app's IdP metadata \
             (GET /api/v1/apps/{{appId}}/sso/saml/metadata) and check it first with \
             `connector sso check {} --idp-metadata <file>`.",
            sp.display_name, sp.connector
        ),
    ));
    let attribute_statements = saml
        .attributes
        .iter()
        .filter_map(|attribute| {
            Some(match attribute.okta.as_ref()? {
                OktaValue::Expression { expression } => OktaAttributeStatement::Expression {
                    name: attribute.name.clone(),
                    namespace: ATTRNAME_FORMAT_UNSPECIFIED.to_owned(),
                    values: vec![expression.clone()],
                },
                OktaValue::Groups { filter_regex } => OktaAttributeStatement::Group {
                    name: attribute.name.clone(),
                    namespace: ATTRNAME_FORMAT_UNSPECIFIED.to_owned(),
                    filter_type: "REGEX".to_owned(),
                    filter_value: (*filter_regex).to_owned(),
                },
            })
        })
        .collect();
    SamlApp {
        label: sp.display_name.to_owned(),
        visibility: Visibility {
            auto_submit_toolbar: false,
            hide: Hide {
                ios: hidden,
                web: hidden,
            },
        },
        features: Vec::new(),
        sign_on_mode: "SAML_2_0",
        credentials: AppCredentials {
            user_name_template: UserNameTemplate {
                template: user_name.to_owned(),
                kind: "BUILT_IN".to_owned(),
            },
        },
        settings: SamlSettings {
            sign_on: SamlSignOn {
                default_relay_state: String::new(),
                sso_acs_url: saml.acs_url.clone(),
                idp_issuer: OKTA_IDP_ISSUER.to_owned(),
                audience: saml.entity_id.clone(),
                recipient: saml.acs_url.clone(),
                destination: saml.acs_url.clone(),
                subject_name_id_template: "${user.userName}".to_owned(),
                subject_name_id_format: saml.name_id_format.clone(),
                response_signed: true,
                assertion_signed: true,
                signature_algorithm: "RSA_SHA256",
                digest_algorithm: "SHA256",
                honor_force_authn: true,
                authn_context_class_ref: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
                attribute_statements,
            },
        },
    }
}

fn oidc_app(sp: &ServiceProvider, oidc: &OidcRelyingParty) -> OidcApp {
    OidcApp {
        name: "oidc_client",
        label: sp.display_name.to_owned(),
        sign_on_mode: "OPENID_CONNECT",
        credentials: OidcCredentials {
            oauth_client: OidcClientAuth {
                token_endpoint_auth_method: "client_secret_basic",
            },
        },
        settings: OidcSettings {
            oauth_client: OidcClient {
                application_type: "web",
                redirect_uris: vec![oidc.redirect_uri.clone()],
                response_types: vec!["code"],
                grant_types: vec!["authorization_code"],
                initiate_login_uri: oidc.initiate_login_uri.clone(),
                consent_method: "TRUSTED",
            },
        },
    }
}
