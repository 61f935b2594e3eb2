//! A seat that is one value of an enumerated attribute (a seat type Full / Dev / Collab):
//! several `attribute` SKUs may write one attribute only when `[license]` declares them
//! `exclusive`, each with its own value and one shared revoke value. The worked example
//! of the spec reference and of the tutorial compiles.

use connector_codegen::load_model;

/// Miro's spec with its `[license]` section replaced by `license`.
fn miro_with(license: &str) -> String {
    let spec = include_str!("../../connectors/miro/connector.toml");
    let start = spec.find("\n[license]").expect("Miro's [license]") + 1;
    let end = spec.find("\n[sso]").expect("Miro's [sso]") + 1;
    format!("{}{license}\n{}", &spec[..start], &spec[end..])
}

/// A `[license]` of `skus` (name, assign, revoke) on `userType`, with `header` lines.
fn seats(header: &str, skus: &[(&str, &str, &str)]) -> String {
    let mut text =
        format!("[license]\n{header}source = \"https://developers.miro.com/docs/users\"\n");
    for (name, assign, revoke) in skus {
        text.push_str(&format!(
            "\n[license.skus.{name}]\ndisplay_name = \"{name} seat\"\nmode = \"attribute\"\nattribute = \"userType\"\nassign = \"{assign}\"\nrevoke = \"{revoke}\"\n"
        ));
    }
    text
}

/// The rendered diagnostics of a spec that must not compile.
fn errors(spec: &str) -> Vec<String> {
    match load_model(spec, "connector.toml") {
        Ok(_) => panic!("the spec compiled:\n{spec}"),
        Err(errors) => errors.rendered(),
    }
}

/// The line (1-based) of the first occurrence of `needle` after `after`.
fn line_of(spec: &str, after: &str, needle: &str) -> usize {
    let start = spec.find(after).unwrap();
    let at = start + spec[start..].find(needle).unwrap();
    spec[..at].lines().count() + 1
}

#[test]
fn two_skus_on_one_attribute_are_an_error_at_the_second_sku_line() {
    let spec = miro_with(&seats(
        "",
        &[("full", "Full", "View"), ("dev", "Dev", "View")],
    ));
    let errors = errors(&spec);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let line = line_of(&spec, "[license.skus.full]", "attribute = \"userType\"");
    let expected = format!(
        "connector.toml:{line}:13: SKUs `dev` and `full` both write `userType`: assigning one would silently take the other away"
    );
    assert!(
        errors[0].starts_with(&expected),
        "{}\nwanted: {expected}",
        errors[0]
    );
    assert!(
        errors[0].contains("declare `exclusive = true` in `[license]`"),
        "{}",
        errors[0]
    );
}

#[test]
fn exclusive_seats_compile_with_one_attribute_and_distinct_values() {
    let spec = miro_with(&seats(
        "exclusive = true\n",
        &[
            ("full", "Full", "View"),
            ("dev", "Dev", "View"),
            ("collab", "Collab", "View"),
        ],
    ));
    let model =
        load_model(&spec, "connector.toml").unwrap_or_else(|e| panic!("{:#?}", e.rendered()));
    let on_user_type: Vec<(&str, &str, &str)> = model
        .licenses
        .iter()
        .filter_map(|sku| {
            let (target, assign, revoke) = sku.attribute.as_ref()?;
            (target.display_path() == "userType").then_some((
                sku.name.as_str(),
                assign.as_str(),
                revoke.as_str(),
            ))
        })
        .collect();
    assert_eq!(
        on_user_type,
        [
            ("collab", "\"Collab\"", "\"View\""),
            ("dev", "\"Dev\"", "\"View\""),
            ("full", "\"Full\"", "\"View\""),
        ]
    );
}

#[test]
fn exclusive_seats_need_distinct_assign_values_and_one_revoke_value() {
    let same_assign = miro_with(&seats(
        "exclusive = true\n",
        &[("full", "Full", "View"), ("dev", "Full", "View")],
    ));
    let errors_same = errors(&same_assign);
    assert!(
        errors_same
            .iter()
            .any(|e| e.contains("exclusive seats need distinct values")),
        "{errors_same:#?}"
    );
    let two_revokes = miro_with(&seats(
        "exclusive = true\n",
        &[("full", "Full", "View"), ("dev", "Dev", "Free")],
    ));
    let errors_revoke = errors(&two_revokes);
    assert!(
        errors_revoke
            .iter()
            .any(|e| e.contains("revoke to the same value")),
        "{errors_revoke:#?}"
    );
    let revoke_assigns = miro_with(&seats(
        "exclusive = true\n",
        &[("full", "Full", "Dev"), ("dev", "Dev", "Dev")],
    ));
    let errors_cycle = errors(&revoke_assigns);
    assert!(
        errors_cycle
            .iter()
            .any(|e| e.contains("revoking one seat would assign another")),
        "{errors_cycle:#?}"
    );
}

#[test]
fn exclusive_without_a_shared_attribute_is_an_error() {
    let spec = miro_with(&seats("exclusive = true\n", &[("full", "Full", "View")]));
    let errors = errors(&spec);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0]
            .contains("`exclusive = true` but no two `attribute` SKUs write the same attribute"),
        "{}",
        errors[0]
    );
}

/// The fenced TOML block after the `<!-- exclusive-seats-example -->` marker of a doc.
fn example(doc: &str) -> &str {
    let marker = doc
        .find("<!-- exclusive-seats-example -->")
        .expect("the doc has the exclusive seats example");
    let rest = &doc[marker..];
    let start = rest
        .find("```toml\n")
        .expect("a toml block after the marker")
        + "```toml\n".len();
    let end = rest[start..].find("```").expect("the block ends") + start;
    &rest[start..end]
}

#[test]
fn the_worked_examples_of_the_docs_compile() {
    for (name, doc) in [
        ("docs/spec.md", include_str!("../../docs/spec.md")),
        (
            "docs/adding-a-connector.md",
            include_str!("../../docs/adding-a-connector.md"),
        ),
    ] {
        let spec = miro_with(example(doc));
        if let Err(errors) = load_model(&spec, "connector.toml") {
            panic!(
                "the example of {name} does not compile: {:#?}",
                errors.rendered()
            );
        }
    }
}
