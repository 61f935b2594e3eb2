//! The `connector.toml` a new connector starts from: every key with a comment that says
//! what it means, sensible SCIM defaults, and `TODO` placeholders (which fail the build,
//! saying what to put there) wherever only the vendor's documentation can tell.
//!
//! Every placeholder reads `TODO: <what>, e.g. <example>`; the tests fill each one with
//! its example and check that the spec then compiles, so the template cannot drift from
//! the format.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::names::Names;
use super::spc_import::{AuthGuess, Prefill};

/// Which kind of connector to scaffold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Protocol {
    /// SCIM 2.0 (the default).
    Scim,
    /// A vendor REST API described by `[rest]`.
    Rest,
}

/// The largest `page_size` the format accepts.
const MAX_PAGE_SIZE: u64 = 10_000;

/// A TOML basic string holding `text`.
pub(super) fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A placeholder value: `"TODO: <what>, e.g. <example>"`.
fn todo(what: &str, example: &str) -> String {
    toml_string(&format!("TODO: {what}, e.g. {example}"))
}

/// An https value when known, else a placeholder for it.
fn url_or_todo(known: Option<&str>, what: &str, example: &str) -> String {
    known.map_or_else(|| todo(what, example), toml_string)
}

/// The spec text for `names`, of `protocol`, prefilled from a SCIM server's discovery
/// documents when `prefill` is given (SCIM only).
pub(super) fn render(names: &Names, protocol: Protocol, prefill: Option<&Prefill>) -> String {
    let mut spec = Spec {
        names,
        protocol,
        prefill,
        out: String::new(),
        host: format!("{}.example", names.app),
    };
    spec.header();
    spec.connector();
    spec.variables();
    spec.auth();
    spec.provisioning();
    match protocol {
        Protocol::Scim => {
            spec.dialect();
            spec.rate_limit();
            spec.extensions();
        }
        Protocol::Rest => {
            spec.rate_limit();
            spec.rest();
        }
    }
    spec.mapping();
    spec.license();
    spec.sso();
    spec.out
}

/// The spec being written.
struct Spec<'a> {
    names: &'a Names,
    protocol: Protocol,
    prefill: Option<&'a Prefill>,
    out: String,
    /// The example host (`acme.example`).
    host: String,
}

impl Spec<'_> {
    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// `# text`, one comment line per line of `text`.
    fn comment(&mut self, text: &str) {
        for line in text.lines() {
            if line.is_empty() {
                self.out.push_str("#\n");
            } else {
                let _ = writeln!(self.out, "# {line}");
            }
        }
    }

    fn key(&mut self, key: &str, value: &str) {
        let _ = writeln!(self.out, "{key} = {value}");
    }

    fn docs_url(&self) -> Option<&str> {
        self.prefill.and_then(|p| p.docs_url.as_deref())
    }

    fn header(&mut self) {
        let display = self.names.display.clone();
        let app = self.names.app.clone();
        self.line("#:schema ../../schemas/connector.schema.json");
        self.comment(&format!(
            "{display}: the connector spec, scaffolded by `cargo xtask gen new {app}`.\n\
             \n\
             A value that starts with \"TODO\" is a placeholder: the build fails at its line and\n\
             says what to put there, until it is replaced by the real value. The comment above\n\
             each key says what it means; docs/spec.md describes the whole format and\n\
             docs/adding-a-connector.md walks through a new connector from start to finish.\n\
             Every fact comes from the vendor's documentation: each `source` links its page."
        ));
        if let Some(prefill) = self.prefill {
            self.spc_summary(prefill);
        }
        self.line("spec_version = 1");
    }

    /// The comment block that records what the discovery documents said.
    fn spc_summary(&mut self, prefill: &Prefill) {
        let f = &prefill.features;
        let said = |flag: Option<bool>| match flag {
            Some(true) => "supported",
            Some(false) => "not supported",
            None => "not stated",
        };
        let mut filter = said(f.filter).to_owned();
        if let Some(max) = f.filter_max_results {
            let _ = write!(filter, " (at most {max} results)");
        }
        let mut bulk = said(f.bulk).to_owned();
        if let (Some(true), Some(max)) = (f.bulk, f.bulk_max_operations) {
            let _ = write!(bulk, " (at most {max} operations)");
        }
        let mut text = format!(
            "\n\
             Prefilled from the server's discovery documents ({}):\n\
             \x20 patch: {}; filter: {filter};\n\
             \x20 bulk: {bulk}; sort: {}; etag: {}; changePassword: {}.\n\
             The toolkit uses PATCH and filtering (see [provisioning.dialect]); it does not use\n\
             bulk, sort, etag or changePassword, which are recorded here for reference.",
            prefill.origin,
            said(f.patch),
            said(f.sort),
            said(f.etag),
            said(f.change_password),
        );
        for note in &prefill.notes {
            let _ = write!(text, "\nNote: {note}.");
        }
        self.comment(&text);
    }

    fn connector(&mut self) {
        let display = self.names.display.clone();
        let machine = self.names.machine.clone();
        let stem = self.names.type_stem();
        let host = self.host.clone();
        let docs_what = match self.protocol {
            Protocol::Scim => "the vendor's SCIM provisioning documentation",
            Protocol::Rest => "the vendor's user management API documentation",
        };
        let docs_example = match self.protocol {
            Protocol::Scim => format!("https://docs.{host}/scim"),
            Protocol::Rest => format!("https://developer.{host}/reference/users"),
        };
        let docs = url_or_todo(self.docs_url(), docs_what, &docs_example);
        self.line("");
        self.line("[connector]");
        self.comment(
            "Machine name: lowercase letters, digits and `_`, starting with a letter. It names\n\
             the connector in assignments files, in `connector sso <name>` and in the sandbox.",
        );
        self.key("name", &toml_string(&machine));
        self.comment(&format!(
            "The service's name as the vendor writes it (change the case if needed); it is also\n\
             the stem of the generated Rust types ({stem}, {stem}User, {stem}Connector)."
        ));
        self.key("display_name", &toml_string(&display));
        self.comment("The company behind the service.");
        self.key(
            "vendor",
            &todo(
                "the company behind the service",
                &format!("{display}, Inc."),
            ),
        );
        self.comment("The product, and the AI feature it governs.");
        self.key(
            "product",
            &todo(
                "the product and the AI feature it governs",
                &format!("{display} Workspace with {display} AI"),
            ),
        );
        self.comment("The vendor's provisioning documentation (an https URL).");
        self.key("docs_url", &docs);

        self.line("");
        self.line("[plan]");
        self.comment("The plan that unlocks SAML/OIDC sign-in.");
        self.key(
            "sso",
            &todo("the plan that unlocks single sign-on", "Enterprise"),
        );
        self.comment("The plan that unlocks provisioning.");
        self.key(
            "provisioning",
            &todo("the plan that unlocks provisioning", "Enterprise"),
        );
        self.comment("The vendor page that says which plan includes what.");
        self.key(
            "source",
            &todo(
                "the vendor's plans or pricing page",
                &format!("https://{host}/pricing"),
            ),
        );
    }

    fn variables(&mut self) {
        let host = self.host.clone();
        self.line("");
        self.comment(&format!(
            "Tenant variables (optional): a value each instance supplies, used as `{{name}}` in\n\
             URL and text templates (base_url, sso URLs, console URLs), such as a subdomain.\n\
             Declare one only when a template uses it, with a description and an example:\n\
             \n\
             [variables.tenant]\n\
             description = \"The workspace subdomain: demo for demo.{host}\"\n\
             example = \"demo\""
        ));
    }

    fn auth(&mut self) {
        let prefix = self.names.env_prefix.clone();
        let host = self.host.clone();
        let guess = self
            .prefill
            .map_or(AuthGuess::Bearer(None), |p| p.auth.clone());
        self.line("");
        self.line("[auth]");
        self.comment(
            "How the connector authenticates: \"bearer\" (a static token),\n\
             \"oauth2_client_credentials\" (a client id and secret exchanged at token_url) or\n\
             \"service_account_jwt\" (a Google service account). Secrets never go in a spec:\n\
             the *_env keys name environment variables (UPPER_SNAKE_CASE).",
        );
        if matches!(guess, AuthGuess::Unknown) {
            self.comment(
                "The server lists neither an OAuth bearer token nor OAuth 2.0 among its\n\
                 authenticationSchemes; the toolkit needs one of them.",
            );
        }
        let source = match guess {
            AuthGuess::OAuth2(source) => {
                self.key("kind", "\"oauth2_client_credentials\"");
                self.comment("The token endpoint (a URL template).");
                self.key(
                    "token_url",
                    &todo(
                        "the OAuth 2.0 token endpoint",
                        &format!("https://auth.{host}/oauth/token"),
                    ),
                );
                self.comment(
                    "The grant_type sent (default \"client_credentials\"), the scopes and any\n\
                     extra form parameters (values are text templates):\n\
                     grant_type = \"client_credentials\"\n\
                     scopes = [\"scim\"]\n\
                     params = { audience = \"https://api.example.com\" }",
                );
                self.comment("The environment variables that hold the client id and secret.");
                self.key(
                    "client_id_env",
                    &toml_string(&format!("{prefix}_CLIENT_ID")),
                );
                self.key(
                    "client_secret_env",
                    &toml_string(&format!("{prefix}_CLIENT_SECRET")),
                );
                source
            }
            AuthGuess::Bearer(source) => {
                self.bearer(&prefix);
                source
            }
            AuthGuess::Unknown => {
                self.bearer(&prefix);
                None
            }
        };
        self.comment("The vendor page on creating the credentials.");
        let what = match self.protocol {
            Protocol::Scim => "the vendor page on creating the SCIM token or API client",
            Protocol::Rest => "the vendor page on creating an API token or client",
        };
        self.key(
            "source",
            &url_or_todo(
                source.as_deref(),
                what,
                &format!("https://docs.{host}/api/authentication"),
            ),
        );
    }

    /// `kind = "bearer"` with the token's variable.
    fn bearer(&mut self, prefix: &str) {
        let variable = match self.protocol {
            Protocol::Scim => format!("{prefix}_SCIM_TOKEN"),
            Protocol::Rest => format!("{prefix}_API_TOKEN"),
        };
        self.key("kind", "\"bearer\"");
        self.comment("The environment variable that holds the token.");
        self.key("token_env", &toml_string(&variable));
    }

    fn provisioning(&mut self) {
        let host = self.host.clone();
        self.line("");
        self.line("[provisioning]");
        self.comment(
            "\"scim2\" (SCIM 2.0), \"rest\" (a vendor REST API described by [rest]) or \"none\"\n\
             (sign-in only).",
        );
        match self.protocol {
            Protocol::Scim => {
                self.key("protocol", "\"scim2\"");
                self.comment(
                    "The SCIM base URL: the connector calls <base_url>/Users. A URL template:\n\
                     `{tenant}` stands for a declared tenant variable\n\
                     (https://{tenant}.example.com/scim/v2), or `{scim_url}` for a whole URL\n\
                     the service issues per connection.",
                );
                self.key(
                    "base_url",
                    &todo("the SCIM base URL", &format!("https://api.{host}/scim/v2")),
                );
            }
            Protocol::Rest => {
                self.key("protocol", "\"rest\"");
                self.comment(
                    "The API's base URL: operation paths that start with `/` are below it.\n\
                     A URL template (`{tenant}` stands for a declared tenant variable).",
                );
                self.key(
                    "base_url",
                    &todo("the REST API's base URL", &format!("https://api.{host}/v1")),
                );
            }
        }
        self.comment(
            "What the connector can do: create, update, deactivate, reactivate, delete,\n\
             import (list accounts), groups, license (assign and revoke paid seats).\n\
             `reactivate` needs `deactivate`. Declare only what the vendor documents.",
        );
        self.key(
            "capabilities",
            "[\"create\", \"update\", \"deactivate\", \"reactivate\", \"import\"]",
        );
        let (what, example) = match self.protocol {
            Protocol::Scim => (
                "the vendor's SCIM reference",
                format!("https://docs.{host}/scim"),
            ),
            Protocol::Rest => (
                "the vendor's user API reference",
                format!("https://developer.{host}/reference/users"),
            ),
        };
        self.comment("The vendor page these facts come from.");
        let docs = self.docs_url().map(str::to_owned);
        self.key("source", &url_or_todo(docs.as_deref(), what, &example));
    }

    fn dialect(&mut self) {
        let features = self.prefill.map(|p| p.features.clone());
        let patch = features.as_ref().and_then(|f| f.patch).unwrap_or(true);
        let filter = features.as_ref().and_then(|f| f.filter).unwrap_or(true);
        let page_size = features
            .as_ref()
            .and_then(|f| f.filter_max_results)
            .filter(|n| *n >= 1)
            .map_or(100, |n| n.min(MAX_PAGE_SIZE));
        let from_spc = if self.prefill.is_some() {
            " (from ServiceProviderConfig)"
        } else {
            ""
        };
        self.line("");
        self.line("[provisioning.dialect]");
        self.comment(
            "How the service speaks SCIM. Every key has a default; the values below are the\n\
             defaults unless the server's documents said otherwise.",
        );
        self.comment(&format!(
            "Attribute updates: \"patch\" or \"put\" (the whole User){from_spc}."
        ));
        self.key("update", if patch { "\"patch\"" } else { "\"put\"" });
        self.comment(
            "Deactivation: \"patch_active\" (PATCH active=false), \"put_active\" (PUT with\n\
             active=false) or \"delete\" (a DELETE that only deactivates on this service).",
        );
        self.key(
            "deactivate",
            if patch {
                "\"patch_active\""
            } else {
                "\"put_active\""
            },
        );
        self.comment(
            "PATCH requests: \"path\" (one operation per attribute) or \"pathless\" (one\n\
             replace with an object value).",
        );
        self.key("patch_style", "\"path\"");
        self.comment(&format!(
            "The attribute finding an account filters on: \"userName\", \"emails\" or \"none\"\n\
             (the server cannot filter; the connector pages through every account){from_spc}."
        ));
        self.key("filter", if filter { "\"userName\"" } else { "\"none\"" });
        self.comment(&format!(
            "The largest page the server returns, 1 to 10000{from_spc}."
        ));
        self.key("page_size", &page_size.to_string());
        self.comment(
            "A User-Agent the server requires (default: connector-toolkit/<version> (<name>)):\n\
             user_agent = \"...\"",
        );
        match self.docs_url().map(str::to_owned) {
            Some(url) => {
                self.comment("The page these facts come from (optional).");
                self.key("source", &toml_string(&url));
            }
            None => self.comment(
                "The page these facts come from (optional):\n\
                 source = \"https://...\"",
            ),
        }
    }

    fn rate_limit(&mut self) {
        let host = self.host.clone();
        self.line("");
        self.line("[provisioning.rate_limit]");
        self.comment(
            "The vendor's published limit: `requests` per `per` (a whole number and a unit,\n\
             ms, s, m or h: \"500ms\", \"1s\", \"1m\", \"1h\"), `burst` requests at once.\n\
             Delete this table only when the vendor publishes no limit.",
        );
        self.key(
            "requests",
            &todo("the number of requests allowed per period", "100"),
        );
        self.key("per", &todo("the period, a number and ms, s, m or h", "1m"));
        self.key("burst", "1");
        self.key(
            "source",
            &todo(
                "the vendor's rate-limit page",
                &format!("https://docs.{host}/api/rate-limits"),
            ),
        );
    }

    fn extensions(&mut self) {
        let machine = self.names.machine.clone();
        let host = self.host.clone();
        let extensions = self
            .prefill
            .map(|p| p.extensions.clone())
            .unwrap_or_default();
        self.line("");
        if extensions.is_empty() {
            self.comment(&format!(
                "Vendor SCIM User extensions (optional). The alias prefixes mapping keys\n\
                 (`{machine}.aiSeat`); attribute types are string, boolean, integer, dateTime.\n\
                 \n\
                 [extensions.{machine}]\n\
                 urn = \"urn:ietf:params:scim:schemas:extension:{machine}:2.0:User\"\n\
                 name = \"{} User\"\n\
                 description = \"{}'s user extension\"\n\
                 source = \"https://docs.{host}/scim/schemas\"\n\
                 \n\
                 [extensions.{machine}.attributes]\n\
                 aiSeat = {{ type = \"boolean\", description = \"The AI add-on seat\" }}",
                self.names.display, self.names.display
            ));
            return;
        }
        self.comment(
            "Vendor SCIM User extensions, from /Schemas. The alias prefixes mapping keys and\n\
             licence attributes (`<alias>.<attribute>`); types are string, boolean, integer,\n\
             dateTime.",
        );
        for (i, extension) in extensions.iter().enumerate() {
            if i > 0 {
                self.line("");
            }
            let _ = writeln!(self.out, "[extensions.{}]", extension.alias);
            self.key("urn", &toml_string(&extension.urn));
            self.key("name", &toml_string(&extension.name));
            self.key("description", &toml_string(&extension.description));
            let docs = self.docs_url().map(str::to_owned);
            self.key(
                "source",
                &url_or_todo(
                    docs.as_deref(),
                    "the vendor page that documents this extension",
                    &format!("https://docs.{host}/scim/schemas"),
                ),
            );
            self.line("");
            let _ = writeln!(self.out, "[extensions.{}.attributes]", extension.alias);
            for attribute in &extension.attributes {
                let _ = writeln!(
                    self.out,
                    "{} = {{ type = \"{}\", description = {} }}",
                    attribute.name,
                    attribute.kind,
                    toml_string(&attribute.description)
                );
            }
            for skipped in &extension.skipped {
                self.comment(&format!("Left out: {skipped}."));
            }
        }
    }

    fn rest(&mut self) {
        let host = self.host.clone();
        self.line("");
        self.line("[rest]");
        self.comment(
            "The vendor REST API as data (docs/spec.md, [rest]): the account's attributes,\n\
             where an account's fields are, and one table per operation. Every operation\n\
             path is a placeholder: check each against the vendor's API reference, together\n\
             with its query, body and pointers.",
        );
        self.key(
            "source",
            &todo(
                "the vendor's user API reference",
                &format!("https://developer.{host}/reference/users"),
            ),
        );
        self.line("");
        self.line("[rest.attributes]");
        self.comment(
            "The account's attributes by the vendor's field names (dotted paths, two levels at\n\
             most): type \"string\", \"boolean\", \"integer\" or \"dateTime\", a description,\n\
             `create_only` (sent on create only) and `sensitive` (never logged). [mapping]\n\
             below computes each from the directory profile.",
        );
        self.line("email = { type = \"string\", description = \"The sign-in email address\" }");
        self.line("first_name = { type = \"string\", description = \"Given name\" }");
        self.line("last_name = { type = \"string\", description = \"Family name\" }");
        self.line("");
        self.line("[rest.account]");
        self.comment(
            "JSON pointers into one account as the API returns it: its id, its user name\n\
             (an attribute that [mapping] sets), optionally its email and display name, and\n\
             the field that says it is active with the value that means so.",
        );
        self.key("id", "\"/id\"");
        self.key("user_name", "\"/email\"");
        self.key("email", "\"/email\"");
        self.key("active", "{ pointer = \"/active\", equals = true }");

        let operations: [(&str, &str, &str, &str, &[&str]); 7] = [
            (
                "find",
                "GET",
                "the path that searches users by email",
                "/users",
                &[
                    "# Finds one account by the user name the mapping gives the person.",
                    "query = { email = \"{account.user_name}\" }",
                    "# The array of matching accounts in the response.",
                    "items = \"/users\"",
                ],
            ),
            (
                "get",
                "GET",
                "the path of one user",
                "/users/{account.id}",
                &[],
            ),
            (
                "list",
                "GET",
                "the path that lists users",
                "/users",
                &[
                    "# Paging, one style: a cursor sent back as {page.cursor} (next_cursor), a",
                    "# next-page URL (next_url), or a total with {page.offset} (total).",
                    "query = { limit = \"{page.count}\", cursor = \"{page.cursor}\" }",
                    "items = \"/users\"",
                    "next_cursor = \"/next_cursor\"",
                ],
            ),
            (
                "create",
                "POST",
                "the path that creates a user",
                "/users",
                &[
                    "# \"account\" sends the mapped attributes as a JSON object.",
                    "body = \"account\"",
                ],
            ),
            (
                "update",
                "PATCH",
                "the path that updates a user",
                "/users/{account.id}",
                &["body = \"account\""],
            ),
            (
                "disable",
                "PATCH",
                "the path that deactivates a user",
                "/users/{account.id}",
                &["body = { active = false }"],
            ),
            (
                "enable",
                "PATCH",
                "the path that reactivates a user",
                "/users/{account.id}",
                &["body = { active = true }"],
            ),
        ];
        for (name, method, what, example, extra) in operations {
            self.line("");
            let _ = writeln!(self.out, "[rest.operations.{name}]");
            self.key("method", &toml_string(method));
            self.key("path", &todo(what, example));
            for line in extra {
                self.line(line);
            }
        }
    }

    fn mapping(&mut self) {
        self.line("");
        self.line("[mapping]");
        self.comment(
            "Each account attribute, computed from the directory profile (docs/spec.md,\n\
             \"Templates\"): `{field}` holes over profile fields such as email, first_name,\n\
             last_name, title, department, and functions such as lower(...),\n\
             local_part(...) and default(..., \"fallback\"). Keys with a dot are quoted.",
        );
        if self.protocol == Protocol::Rest {
            self.comment("Each key names an attribute of [rest.attributes].");
            self.key("email", "\"{email}\"");
            self.key("first_name", "\"{first_name}\"");
            self.key("last_name", "\"{last_name}\"");
            return;
        }
        self.comment(
            "`userName` is required; keep `user_name` in tests/sandbox.rs in step with it.",
        );
        let user = self.prefill.and_then(|p| p.user_attributes.clone());
        let enterprise = self.prefill.and_then(|p| p.enterprise_attributes.clone());
        let checked = user.is_some();
        for (key, template, on_by_default) in MAPPING_DEFAULTS {
            // A dotted key must be quoted, or TOML reads it as nested tables.
            let line = if key.contains('.') {
                format!("\"{key}\" = \"{template}\"")
            } else {
                format!("{key} = \"{template}\"")
            };
            let on = if *key == "userName" {
                true
            } else if let Some(attribute) = key.strip_prefix("enterprise.") {
                enterprise
                    .as_ref()
                    .is_some_and(|set| declares(set, attribute))
            } else if let Some(set) = &user {
                declares(set, scim_path(key))
            } else {
                *on_by_default
            };
            if on {
                self.line(&line);
            } else if checked {
                let _ = writeln!(
                    self.out,
                    "# {line}  (not writable in the server's /Schemas)"
                );
            } else {
                let _ = writeln!(self.out, "# {line}");
            }
        }
    }

    fn license(&mut self) {
        let host = self.host.clone();
        let display = self.names.display.clone();
        let seat_attribute = self
            .prefill
            .and_then(|p| {
                p.extensions.iter().find_map(|e| {
                    e.attributes
                        .iter()
                        .find(|a| a.kind == "boolean")
                        .map(|a| format!("{}.{}", e.alias, a.name))
                })
            })
            .unwrap_or_else(|| format!("{}.aiSeat", self.names.machine));
        self.line("");
        let body = match self.protocol {
            Protocol::Scim => format!(
                "Paid seats (optional): add \"license\" to the capabilities, then one table per\n\
                 SKU. A seat is held by an attribute (\"attribute\"), by membership of a SCIM\n\
                 group (\"group\", needs the \"groups\" capability), comes with every active\n\
                 account (\"automatic\"), takes a vendor API call (\"api\", with\n\
                 [rest.operations.assign_license] and revoke_license) or a person in the\n\
                 vendor's console (\"manual\", with instructions).\n\
                 \n\
                 [license]\n\
                 source = \"https://docs.{host}/licences\"\n\
                 \n\
                 [license.skus.ai]\n\
                 display_name = \"{display} AI\"\n\
                 mode = \"attribute\"\n\
                 attribute = \"{seat_attribute}\"\n\
                 assign = true\n\
                 revoke = false\n\
                 \n\
                 [license.skus.ai_by_group]\n\
                 display_name = \"{display} AI\"\n\
                 mode = \"group\"\n\
                 group = \"{display} AI users\""
            ),
            Protocol::Rest => format!(
                "Paid seats (optional): add \"license\" to the capabilities, then one table per\n\
                 SKU: \"automatic\" (comes with the account), \"api\" (a vendor API call, with\n\
                 [rest.operations.assign_license] and revoke_license reading {{sku.<param>}})\n\
                 or \"manual\" (a person in the vendor's console).\n\
                 \n\
                 [license]\n\
                 source = \"https://docs.{host}/licences\"\n\
                 \n\
                 [license.skus.ai]\n\
                 display_name = \"{display} AI\"\n\
                 mode = \"manual\"\n\
                 instructions = \"Grant {display} AI in the admin console: Users > user > Add-ons\""
            ),
        };
        self.comment(&body);
    }

    fn sso(&mut self) {
        let host = self.host.clone();
        self.line("");
        self.line("[sso]");
        self.comment("The sign-in protocols the service supports: \"saml2\" and/or \"oidc\".");
        self.key("protocols", "[\"saml2\"]");
        self.comment(
            "true when only SP-initiated sign-in works (the IdP tile becomes a bookmark to\n\
             login_url, which is then required).",
        );
        self.key("sp_initiated_only", "false");
        self.comment(&format!(
            "When the service fixes them: where SP-initiated sign-in starts (a URL template),\n\
             the ACS URL (a URL template) and the SP entity ID (a text template):\n\
             login_url = \"https://{host}/login\"\n\
             acs_url = \"https://{host}/saml/acs\"\n\
             entity_id = \"https://{host}/saml/metadata\""
        ));
        self.comment(
            "The SAML NameID format: \"emailAddress\", \"persistent\", \"transient\" or\n\
             \"unspecified\".",
        );
        self.key("name_id_format", "\"emailAddress\"");
        self.comment("Attribute statements: attribute name = template over the directory profile.");
        self.key(
            "attributes",
            "{ email = \"{email}\", firstName = \"{first_name}\", lastName = \"{last_name}\" }",
        );
        self.comment("The vendor's single sign-on setup page.");
        self.key(
            "source",
            &todo(
                "the vendor's SAML setup page",
                &format!("https://docs.{host}/sso/saml"),
            ),
        );
    }
}

/// The SCIM mapping keys a new spec offers: key, template, on without `/Schemas`.
const MAPPING_DEFAULTS: &[(&str, &str, bool)] = &[
    ("userName", "{email}", true),
    ("name.givenName", "{first_name}", true),
    ("name.familyName", "{last_name}", true),
    ("displayName", "{first_name} {last_name}", true),
    ("emails.work", "{email}", true),
    ("phoneNumbers.work", "{phone}", false),
    ("title", "{title}", false),
    ("preferredLanguage", "{preferred_language}", false),
    ("locale", "{locale}", false),
    ("timezone", "{timezone}", false),
    ("enterprise.employeeNumber", "{employee_number}", false),
    ("enterprise.costCenter", "{cost_center}", false),
    ("enterprise.organization", "{organization}", false),
    ("enterprise.division", "{division}", false),
    ("enterprise.department", "{department}", false),
];

/// The schema attribute a mapping key writes (`emails.work` → `emails`).
fn scim_path(key: &str) -> &str {
    match key.split_once('.') {
        Some((head @ ("emails" | "phoneNumbers"), _)) => head,
        _ => key,
    }
}

/// Whether a schema's writable paths include `path`; a complex attribute listed without
/// its sub-attributes counts as declaring all of them.
fn declares(paths: &BTreeSet<String>, path: &str) -> bool {
    if paths.contains(path) {
        return true;
    }
    match path.split_once('.') {
        Some((head, _)) => {
            paths.contains(head) && !paths.iter().any(|p| p.starts_with(&format!("{head}.")))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::spc_import;
    use connector_codegen::check::placeholders::placeholder_request;

    /// The spec with every placeholder replaced by its example (unquoted when it is a
    /// whole number), as an author who followed every hint would write it.
    fn filled(spec: &str) -> String {
        let mut out = String::new();
        for line in spec.lines() {
            let replaced = line.split_once(" = \"TODO").map(|(key, _)| {
                let value = &line[key.len() + 4..line.len() - 1];
                let request = placeholder_request(value).unwrap_or_default();
                let example = request
                    .rsplit_once("e.g. ")
                    .map(|(_, e)| e)
                    .unwrap_or_else(|| panic!("placeholder without an example: {line}"));
                if example.parse::<u64>().is_ok() {
                    format!("{key} = {example}")
                } else {
                    format!("{key} = {}", toml_string(example))
                }
            });
            out.push_str(replaced.as_deref().unwrap_or(line));
            out.push('\n');
        }
        out
    }

    fn check(spec: &str) {
        let errors = connector_codegen::load_model(spec, "connector.toml")
            .map(|_| ())
            .expect_err("a fresh spec has placeholders");
        assert!(
            errors
                .diagnostics
                .iter()
                .all(|d| d.message.contains("is an unfilled placeholder")),
            "{errors}"
        );
        let filled = filled(spec);
        assert!(!filled.contains(" = \"TODO"), "{filled}");
        if let Err(errors) = connector_codegen::load_model(&filled, "connector.toml") {
            panic!("{errors}\n\n{filled}");
        }
    }

    fn acme() -> Names {
        Names::new("acme").unwrap()
    }

    #[test]
    fn the_scim_template_has_placeholders_and_compiles_once_they_are_filled() {
        let spec = render(&acme(), Protocol::Scim, None);
        assert!(spec.contains(
            "base_url = \"TODO: the SCIM base URL, e.g. https://api.acme.example/scim/v2\""
        ));
        assert!(spec.contains("token_env = \"ACME_SCIM_TOKEN\""));
        check(&spec);
    }

    #[test]
    fn the_rest_template_compiles_once_its_placeholders_are_filled() {
        let spec = render(&Names::new("acme-ai").unwrap(), Protocol::Rest, None);
        assert!(spec.contains("protocol = \"rest\""));
        assert!(spec.contains("[rest.operations.list]"));
        check(&spec);
    }

    #[test]
    fn a_prefilled_template_uses_what_the_server_said() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acme.json");
        std::fs::write(&path, spc_import::tests::sample().to_string()).unwrap();
        let prefill = spc_import::load(&path).unwrap();
        let spec = render(&acme(), Protocol::Scim, Some(&prefill));
        for expected in [
            "#   patch: supported; filter: supported (at most 200 results);\n#   bulk: not supported; sort: supported;",
            "docs_url = \"https://docs.acme.example/scim\"",
            "source = \"https://docs.acme.example/scim/token\"",
            "page_size = 200",
            "[extensions.acme]",
            "aiSeat = { type = \"boolean\", description = \"Acme AI seat\" }",
            "# Left out: `quota`: type `decimal`",
            "title = \"{title}\"",
            "\"enterprise.department\" = \"{department}\"",
            "# \"phoneNumbers.work\" = \"{phone}\"  (not writable in the server's /Schemas)",
            "attribute = \"acme.aiSeat\"",
            "Note: the server has a Group resource type",
        ] {
            assert!(spec.contains(expected), "missing `{expected}` in:\n{spec}");
        }
        check(&spec);
    }

    #[test]
    fn a_server_without_patch_or_filter_gets_put_and_no_filter() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spc.json");
        std::fs::write(
            &path,
            r#"{"patch": {"supported": false}, "filter": {"supported": false, "maxResults": 50000},
                "authenticationSchemes": [{"type": "oauth2", "name": "OAuth"}]}"#,
        )
        .unwrap();
        let prefill = spc_import::load(&path).unwrap();
        let spec = render(&acme(), Protocol::Scim, Some(&prefill));
        for expected in [
            "update = \"put\"",
            "deactivate = \"put_active\"",
            "filter = \"none\"",
            "page_size = 10000",
            "kind = \"oauth2_client_credentials\"",
            "client_secret_env = \"ACME_CLIENT_SECRET\"",
        ] {
            assert!(spec.contains(expected), "missing `{expected}` in:\n{spec}");
        }
        check(&spec);
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_string("a \"b\" \\ c\n"), "\"a \\\"b\\\" \\\\ c\\n\"");
        assert_eq!(toml_string("\u{1}"), "\"\\u0001\"");
    }
}
