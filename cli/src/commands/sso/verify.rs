//! `connector sso verify`: verifies SAML Responses the way the service's SP would
//! (`connector_saml_sp`: XML signatures with xmlsec, signature-wrapping shapes, issuer,
//! audience, recipient, destination, validity window, InResponseTo, replay), against the
//! IdP's metadata, and prints each verdict with its reason.
//!
//! The Responses are verified in order by one SP, so a second answer to the same
//! AuthnRequest, or the same assertion twice, is refused as a replay. An SP-initiated
//! Response answers an AuthnRequest this process did not send: `--in-response-to` names
//! the requests the service sent.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use connector_saml_sp::{IdpTrust, Rejection, SamlSp, SpOptions, VerifiedLogin};
use connector_sdk::display::escape_lines;
use serde_json::json;

use super::target::{self, TargetArgs};
use super::{EXIT_CHECK_FAILED, EXIT_OK, fail, read};

/// The largest Response file read, in bytes (the SP itself refuses more than 256 KiB).
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Options of `connector sso verify`.
#[derive(Debug, Args)]
pub(super) struct VerifyArgs {
    /// Response files: the XML document, or the base64 `SAMLResponse` form value (also
    /// URL-encoded, or a whole `SAMLResponse=...&RelayState=...` form body). Verified in
    /// order by one SP, so a repeated Response is a replay.
    #[arg(required = true, value_name = "RESPONSE")]
    responses: Vec<PathBuf>,
    #[command(flatten)]
    target: TargetArgs,
    /// The IdP's SAML metadata (Okta: the app's "Identity Provider metadata"): the
    /// entity ID every Issuer must be, and the signing certificate.
    #[arg(long, value_name = "FILE")]
    metadata: PathBuf,
    /// The ID of an AuthnRequest the service sent (SP-initiated sign-in), which a
    /// Response may answer once (repeatable). Without it, a Response with InResponseTo
    /// is refused as answering an unknown request.
    #[arg(long = "in-response-to", value_name = "ID")]
    in_response_to: Vec<String>,
    /// `text` (the verdict, reason and signed-in person) or `json`.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    format: VerifyFormat,
}

/// The output formats of `connector sso verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum VerifyFormat {
    /// Per Response: `FILE: valid` or `FILE: rejected (code)`, then details.
    Text,
    /// A JSON array with one object per Response.
    Json,
}

/// Runs `connector sso verify`: exit 0 every Response valid, 1 one rejected, 2 could not
/// run.
pub(super) fn run(args: &VerifyArgs) -> u8 {
    let sp = match build_sp(args) {
        Ok(sp) => sp,
        Err(message) => return fail(message),
    };
    for id in &args.in_response_to {
        sp.expect_request(id);
    }
    let mut verdicts = Vec::new();
    for path in &args.responses {
        let input = match read_response(path) {
            Ok(input) => input,
            Err(message) => return fail(message),
        };
        let outcome = match &input {
            Input::Xml(xml) => sp.verify_xml(xml),
            Input::Base64(value) => sp.verify_post(value),
        };
        verdicts.push((path.as_path(), outcome));
    }
    let all_valid = verdicts.iter().all(|(_, outcome)| outcome.is_ok());
    match args.format {
        VerifyFormat::Text => {
            let text: String = verdicts
                .iter()
                .map(|(path, outcome)| describe(path, sp.service().display_name, outcome))
                .collect();
            // Every value quoted from a Response is escaped for the terminal.
            print!("{}", escape_lines(&text));
        }
        VerifyFormat::Json => {
            let list: Vec<serde_json::Value> = verdicts
                .iter()
                .map(|(path, outcome)| to_json(path, outcome))
                .collect();
            match serde_json::to_string_pretty(&list) {
                Ok(json) => println!("{json}"),
                Err(error) => return fail(error),
            }
        }
    }
    if all_valid {
        EXIT_OK
    } else {
        EXIT_CHECK_FAILED
    }
}

/// The service's SP trusting the IdP of `--metadata`.
fn build_sp(args: &VerifyArgs) -> Result<SamlSp, String> {
    let target = target::resolve(None, &args.target)?;
    let (service, _) = target.saml_service()?;
    let metadata = read(&args.metadata)?;
    let at = |e: &dyn std::fmt::Display| format!("{}: {e}", args.metadata.display());
    let idp = IdpTrust::from_metadata(&metadata).map_err(|e| at(&e))?;
    SamlSp::new(service, idp, SpOptions::default()).map_err(|e| at(&e))
}

/// A Response as given.
#[derive(Debug, PartialEq, Eq)]
enum Input {
    /// The XML document.
    Xml(String),
    /// The base64 `SAMLResponse` value.
    Base64(String),
}

/// Reads a Response file (at most [`MAX_FILE_BYTES`]) and tells its form.
fn read_response(path: &Path) -> Result<Input, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "{}: larger than {MAX_FILE_BYTES} bytes; not a SAML Response",
            path.display()
        ));
    }
    let text = String::from_utf8(bytes)
        .map_err(|e| format!("{}: not UTF-8 text ({e})", path.display()))?;
    decode_input(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// XML when it starts with `<`; otherwise the `SAMLResponse` value: taken from a form
/// body when it is one, percent-decoded when URL-encoded.
fn decode_input(text: &str) -> Result<Input, String> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err("empty: expected a SAML Response (XML or base64)".to_owned());
    }
    if text.starts_with('<') {
        return Ok(Input::Xml(text.to_owned()));
    }
    if let Some(encoded) = text
        .split('&')
        .find_map(|pair| pair.strip_prefix("SAMLResponse="))
    {
        return percent_decode(encoded, true).map(Input::Base64);
    }
    if text.contains('=') && text.contains('&') {
        return Err("a form body without a SAMLResponse field".to_owned());
    }
    if text.contains('%') {
        return percent_decode(text, false).map(Input::Base64);
    }
    Ok(Input::Base64(text.to_owned()))
}

/// Decodes `%XX` escapes (and `+` as a space in a form body).
fn percent_decode(text: &str, plus_is_space: bool) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        format!("a `%` at byte {i} is not followed by two hex digits")
                    })?;
                out.push(hex);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "the URL-encoded value is not UTF-8".to_owned())
}

/// The text verdict of one Response.
fn describe(path: &Path, service: &str, outcome: &Result<VerifiedLogin, Rejection>) -> String {
    let file = path.display();
    match outcome {
        Ok(login) => {
            let mut out = format!("{file}: valid\n");
            out.push_str(&format!(
                "  signed in   {} ({}) to {service}\n",
                login.name_id,
                login
                    .name_id_format
                    .as_deref()
                    .unwrap_or("no NameID format")
            ));
            let signed: Vec<&str> = [
                (login.assertion_signed, "assertion signed"),
                (login.response_signed, "response signed"),
            ]
            .into_iter()
            .filter_map(|(yes, what)| yes.then_some(what))
            .collect();
            out.push_str(&format!(
                "  assertion   {} ({})\n",
                login.assertion_id,
                signed.join(", ")
            ));
            out.push_str(&match &login.in_response_to {
                Some(id) => format!("  answers     AuthnRequest {id}\n"),
                None => "  answers     no AuthnRequest (IdP-initiated)\n".to_owned(),
            });
            for (name, values) in &login.attributes {
                out.push_str(&format!("  attribute   {name} = {}\n", values.join(", ")));
            }
            for warning in &login.warnings {
                out.push_str(&format!("  warning     {warning}\n"));
            }
            out
        }
        Err(rejection) => {
            let mut out = format!("{file}: rejected ({})\n", rejection.code());
            out.push_str(&format!("  reason      {rejection}\n"));
            if let Some(hint) = hint(rejection) {
                out.push_str(&format!("  hint        {hint}\n"));
            }
            out
        }
    }
}

/// What to try next, for the rejections a command-line user can act on.
fn hint(rejection: &Rejection) -> Option<&'static str> {
    match rejection {
        Rejection::UnknownRequest(_) => Some(
            "an SP-initiated Response: pass --in-response-to <ID> with the ID of the \
             AuthnRequest the service sent",
        ),
        Rejection::Expired(_) => Some(
            "a Response is valid for minutes: capture a fresh one (browser developer tools, \
             the POST to the ACS) and verify it at once",
        ),
        Rejection::UntrustedKey(_) | Rejection::WrongIssuer(_) => Some(
            "is --metadata the metadata of the IdP app that signed this Response? (Okta: the \
             app's Sign On tab, \"Identity Provider metadata\")",
        ),
        Rejection::WrongAudience(_)
        | Rejection::WrongRecipient(_)
        | Rejection::WrongDestination(_) => Some(
            "compare the IdP app's settings with `connector sso <app>` (pass the tenant's \
             values with --var or --instance)",
        ),
        _ => None,
    }
}

/// The JSON verdict of one Response.
fn to_json(path: &Path, outcome: &Result<VerifiedLogin, Rejection>) -> serde_json::Value {
    let file = path.display().to_string();
    match outcome {
        Ok(login) => json!({ "file": file, "verdict": "valid", "login": login }),
        Err(rejection) => json!({
            "file": file,
            "verdict": "rejected",
            "code": rejection.code(),
            "reason": rejection.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_xml_base64_url_encoded_or_a_form_body() {
        assert_eq!(
            decode_input("\u{feff}\n <samlp:Response/>\n").unwrap(),
            Input::Xml("<samlp:Response/>".to_owned())
        );
        assert_eq!(
            decode_input("PHg+\n").unwrap(),
            Input::Base64("PHg+".to_owned())
        );
        assert_eq!(
            decode_input("PHg%2B%3D").unwrap(),
            Input::Base64("PHg+=".to_owned())
        );
        assert_eq!(
            decode_input("RelayState=a+b&SAMLResponse=PHg%2B%3D").unwrap(),
            Input::Base64("PHg+=".to_owned())
        );
        assert!(
            decode_input("RelayState=x&other=y")
                .unwrap_err()
                .contains("without a SAMLResponse")
        );
        assert!(
            decode_input("PHg%2")
                .unwrap_err()
                .contains("two hex digits")
        );
        assert!(decode_input("  \n").unwrap_err().contains("empty"));
    }
}
