//! The templates of declared operations: `{name}` placeholders over the tenant variables
//! and the operation's values (`{account.id}`, `{sku.sku_id}`, `{page.cursor}`,
//! `{lookup}`), rendered into request paths, query parameters and JSON bodies.

use std::collections::BTreeMap;

use connector_model::placeholder::{Piece, pieces};
use serde_json::Value;

use crate::connector::AccountRef;
use crate::error::{Error, Result};
use crate::http::{Method, Request, parse_url};
use crate::manifest::{HttpMethod, LicenseSku};

/// The values one call's templates may use: tenant variables by their names, operation
/// values by dotted names (`account.id`) and `lookup`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vars {
    /// Name → value.
    values: BTreeMap<String, String>,
}

impl Vars {
    /// The tenant variables of an instance, and nothing else yet.
    pub(crate) fn new(tenant: &BTreeMap<String, String>) -> Self {
        Self {
            values: tenant.clone(),
        }
    }

    /// Sets `name` (without braces) to `value`.
    pub(crate) fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.set(name, value);
        self
    }

    /// Sets `name` (without braces) to `value`.
    pub(crate) fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_owned(), value.into());
    }

    /// `{account.id}` and `{account.user_name}`.
    pub(crate) fn account(self, account: &AccountRef) -> Self {
        self.with("account.id", account.id.as_str())
            .with("account.user_name", account.user_name.as_str())
    }

    /// `{sku.name}` and `{sku.<param>}` of each of the SKU's parameters (whose values
    /// are templates over the tenant variables: `{box_ai_group_id}`).
    pub(crate) fn sku(mut self, sku: &LicenseSku) -> Result<Self> {
        self.set("sku.name", sku.name);
        for (name, template) in sku.params {
            let value = self.render(template)?;
            self.set(&format!("sku.{name}"), value);
        }
        Ok(self)
    }

    /// `template` with every `{name}` replaced by its value.
    pub(crate) fn render(&self, template: &str) -> Result<String> {
        let mut out = String::with_capacity(template.len());
        for piece in pieces(template) {
            match piece {
                Piece::Text { text, .. } => out.push_str(text),
                Piece::Var { name, .. } => out.push_str(self.value(name, template)?),
                Piece::Unclosed { .. } => {
                    return Err(Error::Config(format!(
                        "unclosed `{{` in template `{template}`"
                    )));
                }
            }
        }
        Ok(out)
    }

    /// The value of `name`, as an [`Error::Config`] naming it when there is none.
    fn value(&self, name: &str, template: &str) -> Result<&str> {
        self.values.get(name).map(String::as_str).ok_or_else(|| {
            let what = if name.contains('.') || name == "lookup" {
                "has no value in this operation"
            } else {
                "is not a tenant variable set on the instance"
            };
            Error::Config(format!("`{{{name}}}` {what} (template `{template}`)"))
        })
    }

    /// A JSON body template (JSON text whose strings are templates), rendered. A string
    /// that is exactly one placeholder becomes the value as a JSON string.
    pub(crate) fn render_json(&self, template: &str) -> Result<Value> {
        let mut json: Value = serde_json::from_str(template)
            .map_err(|e| Error::Config(format!("body template is not JSON ({e}): {template}")))?;
        self.render_strings(&mut json)?;
        Ok(json)
    }

    /// Renders every string inside `json`.
    fn render_strings(&self, json: &mut Value) -> Result<()> {
        match json {
            Value::String(text) => *text = self.render(text)?,
            Value::Array(items) => {
                for item in items {
                    self.render_strings(item)?;
                }
            }
            Value::Object(object) => {
                for value in object.values_mut() {
                    self.render_strings(value)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The request for a path template and query templates. The path is below the base
    /// URL when it starts with `/`; else it is an absolute `https://` (or `http://`) URL
    /// template whose host may use tenant variables, or starts with a tenant variable
    /// holding an API URL (`{licensing_api}/product/{sku.product}`).
    ///
    /// Each path segment is rendered and percent-encoded on its own, so a value can
    /// never change the path; a placeholder that renders empty in the path is an error
    /// (it would address another resource). Query parameters that render empty are
    /// left out (`pageToken` on the first page); a literal `?query` in the path is kept.
    pub(crate) fn request(
        &self,
        method: HttpMethod,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<Request> {
        let (path, literal_query) = match path.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path, None),
        };
        let (base, path) = if let Some(relative) = path.strip_prefix('/') {
            (None, relative)
        } else if let Some(after) = path.strip_prefix('{') {
            // A tenant variable holding an API URL (`{licensing_api}/product/...`).
            let close = after.find('}').unwrap_or(after.len());
            let name = &after[..close];
            let rest = after.get(close + 1..).unwrap_or("");
            if name.contains('.') || name == "lookup" || !(rest.is_empty() || rest.starts_with('/'))
            {
                return Err(Error::Config(format!(
                    "operation path `{path}` must start with a tenant variable holding a URL, then `/`"
                )));
            }
            let base = parse_url("operation URL", self.value(name, path)?)?;
            (Some(base), rest.strip_prefix('/').unwrap_or(rest))
        } else if let Some((scheme, rest)) = ["https://", "http://"]
            .into_iter()
            .find_map(|scheme| path.strip_prefix(scheme).map(|rest| (scheme, rest)))
        {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let base = format!("{scheme}{}/", self.render(authority)?);
            (Some(parse_url("operation URL", &base)?), path)
        } else {
            return Err(Error::Config(format!(
                "operation path `{path}` must start with `/`, `https://` or a tenant variable"
            )));
        };
        let mut segments = Vec::new();
        if !path.is_empty() {
            for segment in path.split('/') {
                let rendered = self.render(segment)?;
                if rendered.is_empty() && segment.contains('{') {
                    return Err(Error::Config(format!(
                        "`{segment}` is empty in operation path `{path}`"
                    )));
                }
                segments.push(rendered);
            }
        }
        let mut request = Request::new(method_of(method), segments);
        if let Some(base) = base {
            request = request.at(base);
        }
        for pair in literal_query.into_iter().flat_map(|q| q.split('&')) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            request = request.query(name, self.render(value)?);
        }
        for (name, template) in query {
            let value = self.render(template)?;
            if !value.is_empty() {
                request = request.query(*name, value);
            }
        }
        Ok(request)
    }
}

/// The HTTP layer's [`Method`] for a manifest's [`HttpMethod`].
pub(crate) fn method_of(method: HttpMethod) -> Method {
    match method {
        HttpMethod::Get => Method::Get,
        HttpMethod::Post => Method::Post,
        HttpMethod::Put => Method::Put,
        HttpMethod::Patch => Method::Patch,
        HttpMethod::Delete => Method::Delete,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use url::Url;

    use super::*;

    fn vars() -> Vars {
        let mut tenant = BTreeMap::new();
        tenant.insert("customer".to_owned(), "my_customer".to_owned());
        tenant.insert("host".to_owned(), "lic.example.com".to_owned());
        Vars::new(&tenant)
            .account(&AccountRef {
                id: "a/b c".to_owned(),
                user_name: "ada@example.com".to_owned(),
            })
            .with("page.cursor", "")
    }

    fn url(request: &Request) -> String {
        let base = Url::parse("https://api.example.com/admin/v1").unwrap();
        request.url(&base).unwrap().to_string()
    }

    #[test]
    fn paths_encode_each_segment_and_skip_empty_query_values() {
        let request = vars()
            .request(
                HttpMethod::Get,
                "/users/{account.id}/x",
                &[("customer", "{customer}"), ("pageToken", "{page.cursor}")],
            )
            .unwrap();
        assert_eq!(
            url(&request),
            "https://api.example.com/admin/v1/users/a%2Fb%20c/x?customer=my_customer"
        );
    }

    #[test]
    fn absolute_templates_render_the_host() {
        let request = vars()
            .request(
                HttpMethod::Post,
                "https://{host}/v1/user/{account.user_name}?alt=json",
                &[],
            )
            .unwrap();
        assert_eq!(request.method, Method::Post);
        assert_eq!(
            url(&request),
            "https://lic.example.com/v1/user/ada@example.com?alt=json"
        );
    }

    #[test]
    fn paths_below_a_url_variable() {
        let vars = vars().with("api", "https://lic.example.com/apps/v1/");
        let request = vars
            .request(HttpMethod::Delete, "{api}/user/{account.user_name}", &[])
            .unwrap();
        assert_eq!(
            url(&request),
            "https://lic.example.com/apps/v1/user/ada@example.com"
        );
        assert!(vars.request(HttpMethod::Get, "{api}x/y", &[]).is_err());
        assert!(
            vars.request(HttpMethod::Get, "{account.id}/y", &[])
                .is_err()
        );
        assert!(vars.request(HttpMethod::Get, "{customer}/y", &[]).is_err());
    }

    #[test]
    fn errors_name_the_placeholder() {
        let vars = vars();
        let err = vars.render("/x/{lookup}").unwrap_err().to_string();
        assert!(err.contains("`{lookup}` has no value"), "{err}");
        let err = vars.render("{tenant}").unwrap_err().to_string();
        assert!(err.contains("not a tenant variable"), "{err}");
        let empty = vars.clone().with("account.id", "");
        assert!(
            empty
                .request(HttpMethod::Delete, "/users/{account.id}", &[])
                .is_err()
        );
        assert!(vars.request(HttpMethod::Get, "users", &[]).is_err());
    }

    #[test]
    fn json_bodies() {
        let body = vars()
            .render_json(
                r#"{"selected_usernames": ["{account.user_name}"], "n": 1, "s": "u:{account.id}"}"#,
            )
            .unwrap();
        assert_eq!(
            body,
            json!({"selected_usernames": ["ada@example.com"], "n": 1, "s": "u:a/b c"})
        );
    }
}
