//! URL templates (`https://{vanity}.zoom.us/saml/SSO`): placeholders must be declared
//! tenant variables, braces balanced, and the URL with example values well formed.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use connector_model::placeholder::{Piece, pieces};

use super::Checker;
use crate::diagnostic::did_you_mean;
use crate::spec::Sp;
use crate::spec::model::SpecFile;

/// Tracks which tenant variables the spec's templates use.
pub struct Templates {
    examples: BTreeMap<String, String>,
    used: BTreeSet<String>,
}

impl Templates {
    /// A tracker over the declared variables and their example values.
    pub fn new(examples: BTreeMap<String, String>) -> Self {
        Self {
            examples,
            used: BTreeSet::new(),
        }
    }

    /// Checks a URL template: placeholders, and an https URL once filled with examples.
    pub(crate) fn check_url(&mut self, cx: &mut Checker<'_>, about: &str, value: &Sp<String>) {
        let Some(filled) = self.check_placeholders(cx, about, value) else {
            return;
        };
        if let Err(why) = url_problem(&filled) {
            cx.error_help(
                value.span(),
                format!("malformed URL template for `{about}`: {why}"),
                format!("with the example values it reads `{filled}`; write an https URL such as `https://{{tenant}}.example.com/scim/v2`"),
            );
        }
    }

    /// Checks a text template (an entity ID that need not be a URL).
    pub(crate) fn check_text(&mut self, cx: &mut Checker<'_>, about: &str, value: &Sp<String>) {
        self.check_placeholders(cx, about, value);
    }

    fn check_placeholders(
        &mut self,
        cx: &mut Checker<'_>,
        about: &str,
        value: &Sp<String>,
    ) -> Option<String> {
        let text = value.as_str();
        let (base, exact) = string_base(cx.source, value);
        let span = |r: Range<usize>| {
            if exact {
                base + r.start..base + r.end
            } else {
                value.span()
            }
        };
        let mut filled = String::new();
        let mut ok = true;
        for piece in pieces(text) {
            match piece {
                Piece::Text { text, at } => {
                    if let Some(stray) = text.find('}') {
                        cx.error(
                            span(at + stray..at + stray + 1),
                            format!("malformed URL template for `{about}`: stray `}}`"),
                        );
                        return None;
                    }
                    filled.push_str(text);
                }
                Piece::Unclosed { at } => {
                    cx.error_help(
                        span(at..text.len()),
                        format!("malformed URL template for `{about}`: `{{` is never closed"),
                        "placeholders are written `{variable}`",
                    );
                    return None;
                }
                Piece::Var { name, at } => {
                    if let Some(example) = self.examples.get(name) {
                        self.used.insert(name.to_owned());
                        filled.push_str(example);
                    } else {
                        ok = false;
                        let mean = did_you_mean(name, self.examples.keys().map(String::as_str));
                        cx.error_help(
                            span(at..at + name.len() + 2),
                            format!(
                                "`{about}` uses `{{{name}}}`, which is not a declared tenant variable{mean}"
                            ),
                            format!(
                                "declare it under `[variables.{name}]` with a description and an example"
                            ),
                        );
                    }
                }
            }
        }
        ok.then_some(filled)
    }

    /// Marks tenant variable `name` used; false when it is not declared.
    pub(crate) fn use_variable(&mut self, name: &str) -> bool {
        let known = self.examples.contains_key(name);
        if known {
            self.used.insert(name.to_owned());
        }
        known
    }

    /// The declared tenant variables.
    pub(crate) fn variable_names(&self) -> Vec<String> {
        self.examples.keys().cloned().collect()
    }

    /// Reports declared variables no template uses.
    pub(crate) fn report_unused(&self, cx: &mut Checker<'_>, spec: &SpecFile) {
        for key in spec.variables.keys() {
            if !self.used.contains(key.as_str()) {
                cx.error_help(
                    key.span(),
                    format!(
                        "tenant variable `{}` is declared but no template uses it",
                        key.as_str()
                    ),
                    "remove it, or use it as `{name}` in a URL template",
                );
            }
        }
    }
}

/// Checks a URL that takes no placeholders.
pub(crate) fn check_plain_url(cx: &mut Checker<'_>, about: &str, value: &Sp<String>) {
    if let Err(why) = url_problem(value.as_str()) {
        cx.error(value.span(), format!("malformed URL for `{about}`: {why}"));
    }
}

/// Whether `text` is a well-formed https URL.
pub(crate) fn is_https_url(text: &str) -> bool {
    url_problem(text).is_ok()
}

fn url_problem(text: &str) -> Result<(), String> {
    let Some(rest) = text.strip_prefix("https://") else {
        return Err("it must start with `https://`".to_owned());
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    if host.is_empty() {
        return Err("it has no host".to_owned());
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        || host.starts_with(['.', '-'])
        || host.ends_with(['.', '-'])
    {
        return Err(format!("`{host}` is not a valid host name"));
    }
    if text.chars().any(char::is_whitespace) {
        return Err("it contains white space".to_owned());
    }
    Ok(())
}

/// Where a TOML string's text starts in the source, and whether byte offsets within the
/// value map one-to-one onto the source (no escapes, single-line quotes).
pub(crate) fn string_base(source: &str, value: &Sp<String>) -> (usize, bool) {
    let span = value.span();
    let raw = source.get(span.clone()).unwrap_or("");
    let quoted = (raw.starts_with('"') && !raw.starts_with("\"\"\""))
        || (raw.starts_with('\'') && !raw.starts_with("'''"));
    let exact = quoted && raw.len() >= 2 && &raw[1..raw.len() - 1] == value.as_str();
    (span.start + usize::from(quoted), exact)
}

#[cfg(test)]
mod tests {
    use super::url_problem;

    #[test]
    fn urls() {
        assert!(url_problem("https://api.zoom.us/scim2").is_ok());
        assert!(url_problem("https://127.0.0.1:8080/v2").is_ok());
        assert!(url_problem("http://api.zoom.us").is_err());
        assert!(url_problem("https:///x").is_err());
        assert!(url_problem("https://a b.com").is_err());
    }
}
