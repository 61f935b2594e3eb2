//! The SAML Response an emulated SAML app sends for a user, built from the app's
//! `settings.signOn` (ACS URL as Destination and Recipient, audience, NameID format,
//! signing of the Response and the Assertion, expression attribute statements) and the
//! user's profile, with empty `ds:Signature` templates for [`AppKey::sign`](super::app_key::AppKey::sign).
//!
//! The NameID is the app username (`credentials.userNameTemplate`: `${source.email}` the
//! email, else the login). Attribute expressions are evaluated when they read one profile
//! attribute (`user.email`); other expressions and `GROUP` statements are left out.

use serde_json::{Map, Value};

use crate::scim::value::rfc3339;

const SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The Assertion's signature, signed first.
const ASSERTION_SIGNATURE: &str = "//*[local-name()='Assertion']/*[local-name()='Signature']";
/// The Response's signature, signed last (it covers the signed Assertion).
const RESPONSE_SIGNATURE: &str = "/*/*[local-name()='Signature']";
/// How long the assertion is valid.
const LIFETIME_SECS: u64 = 300;

/// What a sign request may set.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// The Issuer (the app's IdP entity ID).
    pub issuer: String,
    /// The AuthnRequest ID answered, for SP-initiated sign-in.
    pub in_response_to: Option<String>,
    /// Replaces the app's audience.
    pub audience: Option<String>,
}

/// The unsigned Response for `user` and the XPaths of the signatures to make, in order.
pub(crate) fn unsigned(
    app: &Map<String, Value>,
    user: &Map<String, Value>,
    options: &Options,
) -> Result<(String, Vec<&'static str>), String> {
    let sign_on = &app["settings"]["signOn"];
    let text = |key: &str| sign_on[key].as_str().unwrap_or("").to_owned();
    let acs = text("ssoAcsUrl");
    if acs.is_empty() {
        return Err("the app has no settings.signOn.ssoAcsUrl".to_owned());
    }
    let destination = non_empty(text("destination"), &acs);
    let recipient = non_empty(text("recipient"), &acs);
    let audience = options.audience.clone().unwrap_or_else(|| text("audience"));
    let format = non_empty(
        text("subjectNameIdFormat"),
        "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    );
    let profile = &user["profile"];
    let template = app["credentials"]["userNameTemplate"]["template"]
        .as_str()
        .unwrap_or("${source.login}");
    let name_id_field = if template.contains("email") {
        "email"
    } else {
        "login"
    };
    let name_id = profile[name_id_field].as_str().unwrap_or("").to_owned();
    let attributes: String = sign_on["attributeStatements"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["type"] == "EXPRESSION")
        .filter_map(|s| {
            let name = s["name"].as_str()?;
            let value = evaluate(s["values"][0].as_str()?, profile)?;
            Some(format!(
                r#"<saml:Attribute Name="{}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"><saml:AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">{}</saml:AttributeValue></saml:Attribute>"#,
                escape(name),
                escape(&value)
            ))
        })
        .collect();
    let sign_response = sign_on["responseSigned"].as_bool().unwrap_or(true);
    let sign_assertion = sign_on["assertionSigned"].as_bool().unwrap_or(true);
    let response_id = format!("id{}", unique());
    let assertion_id = format!("id{}", unique());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let stamp = |seconds: u64| rfc3339(seconds, 0);
    let issued = stamp(now);
    let not_before = stamp(now.saturating_sub(30));
    let not_after = stamp(now + LIFETIME_SECS);
    let irt = options
        .in_response_to
        .as_ref()
        .map(|id| format!(r#" InResponseTo="{}""#, escape(id)))
        .unwrap_or_default();
    let response_sig = if sign_response {
        signature_template(&response_id)
    } else {
        String::new()
    };
    let assertion_sig = if sign_assertion {
        signature_template(&assertion_id)
    } else {
        String::new()
    };
    let issuer = escape(&options.issuer);
    let xml = format!(
        r#"<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{response_id}" Version="2.0" IssueInstant="{issued}" Destination="{destination}"{irt}><saml:Issuer>{issuer}</saml:Issuer>{response_sig}<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="{assertion_id}" Version="2.0" IssueInstant="{issued}"><saml:Issuer>{issuer}</saml:Issuer>{assertion_sig}<saml:Subject><saml:NameID Format="{format}">{name_id}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData{irt} NotOnOrAfter="{not_after}" Recipient="{recipient}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_after}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{issued}" SessionIndex="{assertion_id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>{attributes}</saml:AttributeStatement></saml:Assertion></samlp:Response>"#,
        destination = escape(&destination),
        format = escape(&format),
        name_id = escape(&name_id),
        recipient = escape(&recipient),
        audience = escape(&audience),
    );
    let mut xpaths = Vec::new();
    if sign_assertion {
        xpaths.push(ASSERTION_SIGNATURE);
    }
    if sign_response {
        xpaths.push(RESPONSE_SIGNATURE);
    }
    Ok((xml, xpaths))
}

/// `value`, or `fallback` when it is empty.
fn non_empty(value: String, fallback: &str) -> String {
    if value.is_empty() {
        fallback.to_owned()
    } else {
        value
    }
}

/// The value of an Okta expression that reads one profile attribute (`user.email`).
fn evaluate(expression: &str, profile: &Value) -> Option<String> {
    let field = expression.strip_prefix("user.")?;
    if !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    profile[field].as_str().map(str::to_owned)
}

/// A fresh hex id part.
fn unique() -> String {
    crate::runtime::auth::random_token("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(32)
        .collect()
}

/// An empty enveloped RSA-SHA256 / SHA-256 signature over the element `id`.
fn signature_template(id: &str) -> String {
    format!(
        r##"<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#{id}"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>"##
    )
}

/// XML-escapes text for element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_response_follows_the_app_settings() {
        let app = json!({
            "credentials": {"userNameTemplate": {"template": "${source.email}"}},
            "settings": {"signOn": {
                "ssoAcsUrl": "https://sp.example/acs",
                "audience": "https://sp.example",
                "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                "responseSigned": true, "assertionSigned": false,
                "attributeStatements": [
                    {"type": "EXPRESSION", "name": "first", "values": ["user.firstName"]},
                    {"type": "EXPRESSION", "name": "odd", "values": ["String.len(user.x)"]},
                ],
            }},
        });
        let user = json!({"profile": {"login": "ada", "email": "ada@x.io", "firstName": "A<da"}});
        let options = Options {
            issuer: "http://www.okta.com/exk1".into(),
            ..Options::default()
        };
        let (xml, xpaths) = unsigned(
            app.as_object().unwrap(),
            user.as_object().unwrap(),
            &options,
        )
        .unwrap();
        assert_eq!(xpaths, [RESPONSE_SIGNATURE]);
        assert!(
            xml.contains(r#"Destination="https://sp.example/acs""#),
            "{xml}"
        );
        assert!(xml.contains(">ada@x.io</saml:NameID>"), "{xml}");
        assert!(xml.contains("<saml:Audience>https://sp.example</saml:Audience>"));
        assert!(xml.contains(">A&lt;da</saml:AttributeValue>"), "{xml}");
        assert!(
            !xml.contains("\"odd\""),
            "unevaluated expressions are left out"
        );
        assert_eq!(xml.matches("<ds:Signature ").count(), 1);
        let no_acs = json!({"settings": {"signOn": {}}});
        assert!(
            unsigned(
                no_acs.as_object().unwrap(),
                user.as_object().unwrap(),
                &options
            )
            .is_err()
        );
    }
}
