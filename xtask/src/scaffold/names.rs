//! The names a new connector gets from its app name (`acme-ai`): the directory, the crate,
//! the spec's machine name, the display name and the environment variable prefix; and the
//! checks that refuse an app name before anything is written.

/// The longest app name accepted (the crate name adds `connector-`).
const MAX_LEN: usize = 40;

/// Names that would collide with something the toolkit already has: the sandbox's strict
/// RFC tenant (`generic`) and the workspace crates named `connector-<name>`.
const RESERVED: &[&str] = &[
    "generic", "sdk", "codegen", "macros", "tests", "cli", "sandbox", "engine", "saml-sp",
];

/// Everything derived from one app name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Names {
    /// The app name as given: the directory under `connectors/` (`acme-ai`).
    pub app: String,
    /// The spec's `connector.name` and the sandbox tenant (`acme_ai`).
    pub machine: String,
    /// The package (`connector-acme-ai`).
    pub package: String,
    /// The package as a Rust identifier (`connector_acme_ai`).
    pub ident: String,
    /// The spec's `display_name` until the author changes it (`Acme Ai`).
    pub display: String,
    /// The prefix of the environment variables the spec names (`ACME_AI`).
    pub env_prefix: String,
}

impl Names {
    /// Checks `app` and derives the names; the error is one line that says what is wrong
    /// and what is accepted.
    pub(super) fn new(app: &str) -> Result<Self, String> {
        let rule = "use lowercase ASCII letters and digits, words separated by single `-`, \
                    starting with a letter (the crate becomes `connector-<app>`)";
        if app.is_empty() {
            return Err(format!("the app name is empty: {rule}"));
        }
        if app.contains('_') {
            return Err(format!(
                "`{app}` is not a valid app name: write `{}` (directories and crates use `-`; \
                 the spec's machine name becomes `{}`)",
                app.replace('_', "-"),
                app.replace('-', "_")
            ));
        }
        let valid_chars = app
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid_chars
            || !app.starts_with(|c: char| c.is_ascii_lowercase())
            || app.ends_with('-')
            || app.contains("--")
        {
            return Err(format!("`{app}` is not a valid app name: {rule}"));
        }
        if app.len() > MAX_LEN {
            return Err(format!(
                "`{app}` is not a valid app name: it has {} characters, at most {MAX_LEN} are allowed",
                app.len()
            ));
        }
        if RESERVED.contains(&app) {
            let taken = if app == "generic" {
                "the sandbox's strict SCIM tenant `generic`".to_owned()
            } else {
                format!("the crate `connector-{app}`")
            };
            return Err(format!(
                "`{app}` is reserved: the toolkit already has {taken}; use the service's own name"
            ));
        }
        let display = app
            .split('-')
            .map(|word| {
                let mut chars = word.chars();
                chars.next().map_or_else(String::new, |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect::<Vec<_>>()
            .join(" ");
        let machine = app.replace('-', "_");
        Ok(Self {
            app: app.to_owned(),
            package: format!("connector-{app}"),
            ident: format!("connector_{machine}"),
            env_prefix: machine.to_ascii_uppercase(),
            machine,
            display,
        })
    }

    /// `connectors/<app>`, relative to the workspace root.
    pub(super) fn dir(&self) -> String {
        format!("connectors/{}", self.app)
    }

    /// The type stem codegen derives from the display name (`AcmeAi`).
    pub(super) fn type_stem(&self) -> String {
        connector_codegen::check::type_stem(&self.display)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_derived_from_the_app_name() {
        let names = Names::new("acme-ai").unwrap();
        assert_eq!(names.machine, "acme_ai");
        assert_eq!(names.package, "connector-acme-ai");
        assert_eq!(names.ident, "connector_acme_ai");
        assert_eq!(names.display, "Acme Ai");
        assert_eq!(names.env_prefix, "ACME_AI");
        assert_eq!(names.dir(), "connectors/acme-ai");
        assert_eq!(names.type_stem(), "AcmeAi");
        assert_eq!(Names::new("acme2").unwrap().display, "Acme2");
    }

    #[test]
    fn bad_names_are_refused_with_the_rule() {
        for bad in [
            "", "Acme", "2acme", "acme-", "-acme", "ac--me", "acme.ai", "acme ai", "acmé",
        ] {
            let error = Names::new(bad).unwrap_err();
            assert!(error.contains("app name"), "{bad}: {error}");
            assert!(!error.contains('\n'), "one line: {error}");
        }
        let error = Names::new("acme_ai").unwrap_err();
        assert!(error.contains("write `acme-ai`"), "{error}");
        let error = Names::new(&"a".repeat(41)).unwrap_err();
        assert!(error.contains("at most 40"), "{error}");
        let error = Names::new("sandbox").unwrap_err();
        assert!(error.contains("the crate `connector-sandbox`"), "{error}");
        assert!(
            Names::new("generic")
                .unwrap_err()
                .contains("strict SCIM tenant")
        );
    }
}
