//! `[instances.NAME.cards]`: what the cards over HTTP (`connector serve`'s
//! `POST /cards/{instance}/{card}`) may do on the instance. Today one key:
//! `custom_api_call = { methods = ["GET"], path_prefixes = ["/Users"] }`, the allow-list
//! without which `custom_api_call` is refused over HTTP.

use connector_sdk::cards::custom::relative_segments;
use serde::Deserialize;
use serde_spanned::Spanned;

use super::diag::Diagnostics;
use super::suggest;

/// The HTTP methods `custom_api_call` can use.
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// `[instances.NAME.cards]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCards {
    pub custom_api_call: Option<Spanned<RawCustomApiCall>>,
}

/// `custom_api_call = { methods, path_prefixes }` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCustomApiCall {
    pub methods: Vec<Spanned<String>>,
    pub path_prefixes: Vec<Spanned<String>>,
}

/// What the cards over HTTP may do on one instance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardAccess {
    /// The allow-list of `custom_api_call`; `None`: refused over HTTP.
    pub custom_api_call: Option<CustomApiAllow>,
}

/// The calls `custom_api_call` may make over HTTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomApiAllow {
    /// Upper-case HTTP methods (`GET`).
    pub methods: Vec<String>,
    /// Path prefixes (`/Users`), each starting with `/`, compared segment by segment.
    pub path_prefixes: Vec<String>,
}

impl CustomApiAllow {
    /// Whether `method` on `path` is allowed: the method is listed and the path's
    /// segments start with the segments of one of the prefixes (so `/Users` allows
    /// `/Users` and `/Users/42`, not `/UsersX`). A path that leaves the base URL is never
    /// allowed.
    pub fn allows(&self, method: &str, path: &str) -> bool {
        if !self.methods.iter().any(|m| m.eq_ignore_ascii_case(method)) {
            return false;
        }
        let Ok(segments) = relative_segments(path) else {
            return false;
        };
        self.path_prefixes.iter().any(|prefix| {
            relative_segments(prefix).is_ok_and(|wanted| {
                wanted.len() <= segments.len() && wanted.iter().zip(&segments).all(|(a, b)| a == b)
            })
        })
    }
}

/// Checks `[instances.NAME.cards]`, reporting each problem at its span.
pub(super) fn check(raw: &RawCards, diags: &mut Diagnostics) -> CardAccess {
    let Some(custom) = &raw.custom_api_call else {
        return CardAccess::default();
    };
    let spec = custom.get_ref();
    if spec.methods.is_empty() {
        diags.error(
            custom.span(),
            "`custom_api_call` needs at least one method in `methods` (GET, POST, PUT, PATCH, DELETE)",
        );
    }
    if spec.path_prefixes.is_empty() {
        diags.error(
            custom.span(),
            "`custom_api_call` needs at least one path prefix in `path_prefixes` (\"/Users\")",
        );
    }
    let mut methods = Vec::new();
    for method in &spec.methods {
        let upper = method.get_ref().trim().to_ascii_uppercase();
        if METHODS.contains(&upper.as_str()) {
            methods.push(upper);
        } else {
            let hint = suggest::closest(method.get_ref(), METHODS)
                .map(|m| format!("; did you mean `{m}`?"))
                .unwrap_or_default();
            diags.error(
                method.span(),
                format!(
                    "unknown method `{}` in `custom_api_call.methods` (GET, POST, PUT, PATCH, DELETE){hint}",
                    method.get_ref()
                ),
            );
        }
    }
    let mut path_prefixes = Vec::new();
    for prefix in &spec.path_prefixes {
        let text = prefix.get_ref();
        if !text.starts_with('/') {
            diags.error(
                prefix.span(),
                format!("the path prefix `{text}` must start with `/` (\"/Users\")"),
            );
        } else if let Err(why) = relative_segments(text) {
            diags.error(prefix.span(), why);
        } else {
            path_prefixes.push(text.clone());
        }
    }
    CardAccess {
        custom_api_call: Some(CustomApiAllow {
            methods,
            path_prefixes,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(methods: &[&str], prefixes: &[&str]) -> CustomApiAllow {
        CustomApiAllow {
            methods: methods.iter().map(|m| (*m).to_owned()).collect(),
            path_prefixes: prefixes.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn prefixes_match_whole_segments_and_methods_must_be_listed() {
        let allow = allow(&["GET"], &["/Users"]);
        assert!(allow.allows("GET", "/Users"));
        assert!(allow.allows("get", "/Users/42"));
        assert!(allow.allows("GET", "Users/42"));
        assert!(!allow.allows("GET", "/UsersX"));
        assert!(!allow.allows("GET", "/Groups"));
        assert!(!allow.allows("DELETE", "/Users/42"));
        assert!(!allow.allows("GET", "/Users/../Groups"));
        assert!(!allow.allows("GET", "/Users/%2e%2e/Groups"));
    }
}
