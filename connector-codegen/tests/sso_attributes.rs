//! Every function codegen accepts in `[sso.attributes]` reaches Okta: the checked template
//! is the AST the runtime translates (no second parser to drift), so each renders to an
//! Okta expression, except `random_secret()`, which codegen refuses with a clear error.

use connector_codegen::load_model;
use connector_model::Func;
use connector_model::okta::OktaValue;

/// Perplexity's spec with `attributes` replaced.
fn spec_with(attributes: &str) -> String {
    let spec = include_str!("../../connectors/perplexity/connector.toml");
    let line = spec
        .lines()
        .find(|l| l.starts_with("attributes = { id = "))
        .expect("the perplexity spec's sso attributes line");
    spec.replace(line, &format!("attributes = {{ {attributes} }}"))
}

#[test]
fn every_function_in_sso_attributes_renders_to_an_okta_expression() {
    let cases = [
        (
            "lower",
            r#"lower = "{lower(email)}""#,
            "String.toLowerCase(user.email)",
        ),
        (
            "upper",
            r#"upper = "{upper(email)}""#,
            "String.toUpperCase(user.email)",
        ),
        ("trim", r#"trim = "{trim(title)}""#, "user.title"),
        (
            "local",
            r#"local = "{local_part(email)}""#,
            "String.substringBefore(user.email, \"@\")",
        ),
        (
            "domain",
            r#"domain = "{domain(login)}""#,
            "String.substringAfter(user.login, \"@\")",
        ),
        (
            "default",
            r#"default = "{default(department, \"none\")}""#,
            "(user.department != null && user.department != \"\" ? user.department : \"none\")",
        ),
        (
            "slug",
            r#"slug = "{slug(local_part(email))}""#,
            "String.replace(String.substringBefore(user.email, \"@\"), \"[^A-Za-z0-9-]\", \"-\")",
        ),
    ];
    let lines: Vec<&str> = cases.iter().map(|(_, line, _)| *line).collect();
    let joined = format!(
        r#"{}, groups = "{{join(groups, \",\")}}""#,
        lines.join(", ")
    );
    let model = load_model(&spec_with(&joined), "connector.toml")
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let mut called: Vec<Func> = Vec::new();
    for (name, template) in &model.sso.attributes {
        called.extend(Func::ALL.into_iter().filter(|f| template.calls(*f)));
        let translation = template.okta().unwrap_or_else(|e| panic!("{name}: {e}"));
        if name == "groups" {
            assert_eq!(translation.value, OktaValue::Groups { filter_regex: ".*" });
            continue;
        }
        let (_, _, want) = cases.iter().find(|(n, _, _)| n == name).unwrap();
        assert_eq!(
            translation.value,
            OktaValue::Expression {
                expression: (*want).to_owned()
            },
            "{name}"
        );
    }
    for func in Func::ALL {
        assert!(
            called.contains(&func) || func == Func::RandomSecret,
            "`{}` is not covered",
            func.name()
        );
    }
}

#[test]
fn random_secret_in_sso_attributes_is_refused_at_its_place() {
    let spec = spec_with(r#"password = "{random_secret()}""#);
    let errors = load_model(&spec, "connector.toml").unwrap_err();
    let [error] = errors.diagnostics.as_slice() else {
        panic!("{:?}", errors.diagnostics)
    };
    assert!(
        error
            .message
            .contains("SSO attribute `password` calls `random_secret()`")
            && error.message.contains("Okta has no equivalent"),
        "{}",
        error.message
    );
    let at = spec.find("\"{random_secret()}\"").unwrap();
    assert_eq!(error.span, at..at + "\"{random_secret()}\"".len());
}
