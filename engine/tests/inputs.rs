//! Bad input is reported at file:line, and the source guard stops a run whose directory is
//! empty or shrank too much.

mod common;

use std::path::Path;

use common::{World, apply, directory, person, registry};
use connector_engine::config::DirectoryConfig;
use connector_engine::{Assignments, EngineError, FileSource, PlanOptions};

/// The diagnostics of `text` as an assignments file, one string each.
fn errors(text: &str) -> Vec<String> {
    Assignments::parse(Path::new("assignments.toml"), text, &registry())
        .unwrap_err()
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn assignment_errors_name_file_line_and_column() {
    let text = r#"[instances.slack]
connector = "slak"

[instances.zoom]
connector = "zoom"
token_env = "xoxp-1234-secret"
variables = { vanity = "acme", region = "eu" }

[instances.zoom.policy]
prune = "erase"
removal = "delete"

[[provision]]
instance = "zoom"
groups = ["ai"]
licenses = ["whiteboard", "gold"]
until = "2026-02-30"

[[provision]]
instance = "teams"
people = ["ada@example.com"]

[[sso]]
instance = "zoom"
"#;
    let errors = errors(text);
    let expected = [
        "assignments.toml:2:13: unknown connector `slak` (known: chatgpt, slack, zoom)",
        "assignments.toml:6:13: expected the NAME of an environment variable",
        "assignments.toml:7:32: zoom has no tenant variable `region` (it has: account_id, vanity)",
        "assignments.toml:10:9: `prune` is one of \"protect\", \"disable\", \"delete\", not \"erase\"",
        "assignments.toml:16:27: zoom has no licence `gold`",
        "assignments.toml:17:9: `2026-02-30` is not a date",
        "assignments.toml:20:12: unknown instance `teams`",
        "assignments.toml:23:1: the rule names no `groups` and no `people`",
    ];
    for prefix in expected {
        assert!(
            errors.iter().any(|e| e.starts_with(prefix)),
            "missing `{prefix}` in:\n{}",
            errors.join("\n")
        );
    }
    assert!(
        !errors.iter().any(|e| e.contains("removal")),
        "zoom can delete:\n{}",
        errors.join("\n")
    );
}

#[test]
fn toml_syntax_and_unknown_keys_are_located_too() {
    let unknown = errors("[settings]\nconcurency = 4\n");
    assert_eq!(unknown.len(), 1);
    assert!(
        unknown[0].starts_with("assignments.toml:2:1: unknown field `concurency`"),
        "{unknown:?}"
    );
    let date = errors("[[sso]]\ninstance = \"x\"\ngroups = [\"a\"]\nuntil = 2026-02-30\n");
    assert_eq!(date.len(), 1, "{date:?}");
    assert!(
        date[0].starts_with("assignments.toml:4:9: invalid date"),
        "{date:?}"
    );
    let errors =
        errors("[instances.a]\nconnector = \"slack\"\n[instances.a.policy]\nprune = \"delete\"\n");
    assert!(
        errors[0].contains("slack cannot delete accounts"),
        "{errors:?}"
    );
    assert!(errors[0].starts_with("assignments.toml:4:9:"), "{errors:?}");
}

#[test]
fn a_bad_people_file_is_reported_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        "id,login,email,groups\n1,a@x.io,a@x.io,ai\n2,b@x.io,,ai\n",
    )
    .unwrap();
    let error = FileSource::new(&people, None).load_now().unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("{}:3: person has no `email`", people.display())
    );
}

#[tokio::test]
async fn an_empty_or_shrinking_directory_stops_before_anything_is_planned() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let text = format!(
        "{}[[provision]]\ninstance = \"chatgpt\"\ngroups = [\"ai\"]\n",
        world.instances_toml(&[])
    );
    let engine = world.engine(&text).await;
    let connectors = engine.connectors(&[]);
    let empty = engine
        .plan_directory(
            &directory(vec![]),
            "empty",
            &connectors,
            &PlanOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(empty, EngineError::SourceStop(_)), "{empty}");
    assert!(empty.is_safety_stop());

    let five: Vec<_> = (1..=5).map(|i| person(i, &["ai"])).collect();
    apply(&engine, &directory(five.clone())).await;
    let three = directory(five[..3].to_vec());
    let shrank = engine
        .plan_directory(&three, "partial", &connectors, &PlanOptions::default())
        .await
        .unwrap_err();
    assert!(
        shrank.to_string().contains("shrank from 5 to 3"),
        "{shrank}"
    );
    let accepted = PlanOptions {
        accept_source_shrink: true,
        allow_removals: true,
        ..PlanOptions::default()
    };
    let plan = engine
        .plan_directory(&three, "partial", &connectors, &accepted)
        .await
        .unwrap();
    assert_eq!(plan.summary.by_action.get("disable"), Some(&2));
}

#[tokio::test]
async fn a_misspelt_group_is_refused_and_an_emptied_one_is_a_warning() {
    let world = World::new(&[("chatgpt", "chatgpt")]);
    let text = format!(
        "{}[[provision]]\ninstance = \"chatgpt\"\ngroups = [\"engineering\", \"ai-pilto\"]\n\n\
         [[sso]]\ninstance = \"chatgpt\"\ngroups = [\"finance\"]\n",
        world.instances_toml(&[])
    );
    let rules_line = text.lines().position(|l| l.contains("ai-pilto")).unwrap() + 1;
    let engine = world.engine(&text).await;
    let connectors = engine.connectors(&[]);
    let people = directory(vec![person(1, &["engineering"]), person(2, &["ai-pilot"])]);
    let error = engine
        .plan_directory(&people, "test", &connectors, &PlanOptions::default())
        .await
        .unwrap_err();
    let EngineError::Config(config) = &error else {
        panic!("not an assignments error: {error}");
    };
    let messages: Vec<String> = config.diagnostics.iter().map(ToString::to_string).collect();
    let file = world.dir.path().join("assignments.toml");
    assert_eq!(
        messages,
        [format!(
            "{}:{rules_line}:26: no group `ai-pilto` in the directory (did you mean `ai-pilot`?): \
             the rule would assign nobody through it",
            file.display()
        )],
        "only the typo is refused: `finance` resembles no group"
    );
    // Nothing was planned, so nothing can be applied either.
    let applied = engine
        .apply_directory(
            people.clone(),
            "test",
            connector_engine::ApplyOptions::default(),
        )
        .await;
    assert!(
        matches!(applied, Err(EngineError::Config(_))),
        "{applied:?}"
    );
    assert!(common::users(world.server("chatgpt")).await.is_empty());

    // A group nobody is in (its last member left) is planned, with a warning: the access
    // it gave must still go.
    let emptied = directory(vec![person(1, &["engineering", "ai-pilto"])]);
    let plan = engine
        .plan_directory(&emptied, "test", &connectors, &PlanOptions::default())
        .await
        .unwrap();
    assert_eq!(plan.warnings.len(), 1, "{:?}", plan.warnings);
    assert!(
        plan.warnings[0].starts_with(&format!(
            "{}:{}:11: nobody is in group `finance`",
            file.display(),
            rules_line + 4
        )),
        "{:?}",
        plan.warnings
    );
    let text = connector_engine::plan::render::render(&plan);
    assert!(text.contains("warning: "), "{text}");

    // Declared in the groups list (empty on purpose): no warning.
    let mut listed = emptied.clone();
    listed.groups.push(connector_engine::Group {
        name: "finance".into(),
        description: None,
        members: vec![],
    });
    let plan = engine
        .plan_directory(&listed, "test", &connectors, &PlanOptions::default())
        .await
        .unwrap();
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
}

/// The first fenced block of `language` in a document.
fn fenced<'a>(doc: &'a str, language: &str) -> &'a str {
    let open = format!("```{language}\n");
    let start = doc.find(&open).unwrap() + open.len();
    &doc[start..start + doc[start..].find("```").unwrap()]
}

#[test]
fn the_documented_examples_parse() {
    let doc = include_str!("../../docs/assignments.md");
    let assignments = Assignments::parse(
        Path::new("assignments.toml"),
        fenced(doc, "toml"),
        &registry(),
    )
    .unwrap_or_else(|e| panic!("docs/assignments.md example:\n{e}"));
    assert_eq!(assignments.instances.len(), 3);
    assert_eq!(assignments.instances["zoom"].prices["whiteboard"], 5.0);

    let doc = include_str!("../../docs/directory-format.md");
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("people.json");
    std::fs::write(&json, fenced(doc, "json")).unwrap();
    let directory = FileSource::new(&json, None).load_now().unwrap();
    assert_eq!(directory.people[0].groups, ["engineering", "ai-pilot"]);
    let csv_doc = &doc[doc.find("## CSV").unwrap()..];
    let people = dir.path().join("people.csv");
    std::fs::write(&people, fenced(csv_doc, "csv")).unwrap();
    let groups = dir.path().join("groups.csv");
    let groups_doc = &csv_doc[csv_doc.find("A groups file").unwrap()..];
    std::fs::write(&groups, fenced(groups_doc, "csv")).unwrap();
    let directory = FileSource::new(&people, Some(groups)).load_now().unwrap();
    assert_eq!(directory.people.len(), 2);
    assert!(directory.people[1].groups.contains(&"ai-pilot".to_owned()));
}

#[test]
fn the_okta_directory_example_with_app_groups_parses() {
    let doc = include_str!("../docs/okta.md");
    let example = fenced(
        &doc[doc.find("In the assignments file, `apps`").unwrap()..],
        "toml",
    );
    let assignments =
        Assignments::parse(Path::new("assignments.toml"), example, &registry()).unwrap();
    match assignments.directory {
        Some(DirectoryConfig::Okta {
            url,
            token_env,
            apps,
            attributes,
        }) => {
            assert!(attributes.is_empty());
            assert_eq!(url, "https://acme.okta.com");
            assert_eq!(token_env, "OKTA_API_TOKEN");
            assert_eq!(
                apps,
                [
                    ("0oa1chatgpt".to_owned(), "okta-app-chatgpt".to_owned()),
                    ("0oa1zoom".to_owned(), "okta-app-zoom".to_owned())
                ]
            );
        }
        other => panic!("not an Okta directory: {other:?}"),
    }
    let bad = "[directory.okta]\nurl = \"https://acme.okta.com\"\ntoken_env = \"OKTA_API_TOKEN\"\napps = { \"0oa1\" = \" \" }\n";
    let errors = errors(bad);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("assignments.toml:4:")
            && errors[0].contains("an Okta app's group name is empty"),
        "{errors:?}"
    );
}

#[test]
fn the_okta_attributes_example_parses_and_mistakes_are_refused_at_their_line() {
    let doc = include_str!("../docs/okta.md");
    let table = fenced(
        &doc[doc.find("Any other profile attribute").unwrap()..],
        "toml",
    );
    let text = format!(
        "[directory.okta]\nurl = \"https://acme.okta.com\"\ntoken_env = \"OKTA_API_TOKEN\"\n\n{table}"
    );
    let assignments =
        Assignments::parse(Path::new("assignments.toml"), &text, &registry()).unwrap();
    let Some(DirectoryConfig::Okta { attributes, .. }) = assignments.directory else {
        panic!("not an Okta directory");
    };
    let names: Vec<(String, String)> = attributes
        .iter()
        .map(|(okta, column)| (okta.clone(), column.name()))
        .collect();
    assert_eq!(
        names,
        [
            ("countryCode", "custom.usage_location"),
            ("employeeId", "employee_number"),
            ("skills", "custom.skills[]"),
            ("startDate", "custom.start_date"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );

    let head = "[directory.okta]\nurl = \"https://acme.okta.com\"\ntoken_env = \"OKTA_API_TOKEN\"\n[directory.okta.attributes]\n";
    for (line, expected) in [
        (
            "startDate = \"custom.start-date\"",
            "is not a profile value",
        ),
        ("dept = \"departmnt\"", "did you mean `department`?"),
        ("oktaId = \"id\"", "the Okta user's own id"),
        ("state = \"status\"", "comes from the Okta user's status"),
        ("teams = \"groups\"", "group memberships"),
        (
            "\"9lives\" = \"custom.lives\"",
            "is not an Okta profile attribute name",
        ),
    ] {
        let errors = errors(&format!("{head}{line}\n"));
        assert_eq!(errors.len(), 1, "{line}: {errors:?}");
        assert!(
            errors[0].starts_with("assignments.toml:5:") && errors[0].contains(expected),
            "{line}: {errors:?}"
        );
    }
    let twice = errors(&format!(
        "{head}startDate = \"custom.start_date\"\nhireDate = \"custom.start_date\"\n"
    ));
    assert_eq!(twice.len(), 1, "{twice:?}");
    assert!(
        twice[0].starts_with("assignments.toml:5:")
            && twice[0].contains("already filled from `hireDate`"),
        "{twice:?}"
    );
}
