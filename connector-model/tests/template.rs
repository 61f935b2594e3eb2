//! Typed templates built as `static` data (as generated code builds them): the fields they
//! read, their value for a person, and their Okta form for every function.

use std::borrow::Cow::Borrowed as B;

use connector_model::okta::OktaValue;
use connector_model::{CustomKind, Expr, Field, FieldValue, Func, Part, Profile, Template};

/// A person: text fields by name, groups, one custom text and one custom list.
struct Person;

impl Profile for Person {
    fn get(&self, field: Field) -> FieldValue<'_> {
        static GROUPS: [String; 0] = [];
        match field {
            Field::Email => FieldValue::Text(Some("Ada.Lovelace@Example.com")),
            Field::FirstName => FieldValue::Text(Some("Ada")),
            Field::Title => FieldValue::Text(Some("  Countess ")),
            Field::Status => FieldValue::Text(Some("active")),
            Field::Groups => FieldValue::List(&GROUPS),
            _ => FieldValue::Text(None),
        }
    }
    fn custom(&self, name: &str) -> FieldValue<'_> {
        match name {
            "github_login" => FieldValue::Text(Some("ada_l")),
            _ => FieldValue::Text(None),
        }
    }
    fn random_secret(&self) -> String {
        "s3cret".to_owned()
    }
}

/// A call, as generated code writes it (a constructor, so it is promoted to `'static`).
macro_rules! call {
    ($func:ident, $($arg:expr),*) => {
        Expr::Call { func: Func::$func, args: B(&[$($arg),*]) }
    };
}

const fn one(source: &'static str, expr: &'static [Part]) -> Template {
    Template {
        source: B(source),
        parts: B(expr),
    }
}

static EMAIL: Expr = Expr::Field(Field::Email);
static SLUG: Template = one(
    "{slug(lower(local_part(email)))}",
    &[Part::Expr(call!(
        Slug,
        call!(Lower, call!(LocalPart, Expr::Field(Field::Email)))
    ))],
);
static FULL: Template = Template {
    source: B("{first_name} {default(department, \"none\")}"),
    parts: B(&[
        Part::Expr(Expr::Field(Field::FirstName)),
        Part::Text(B(" ")),
        Part::Expr(call!(
            Default,
            Expr::Field(Field::Department),
            Expr::Str(B("none"))
        )),
    ]),
};

fn single(func: Func, args: &'static [Expr]) -> Template {
    Template {
        source: B("test"),
        parts: B(Box::leak(Box::new([Part::Expr(Expr::Call {
            func,
            args: B(args),
        })]))),
    }
}

#[test]
fn reads_and_renders() {
    assert_eq!(SLUG.reads(), ["email"]);
    assert_eq!(SLUG.render(&Person).as_deref(), Some("ada-lovelace"));
    assert_eq!(FULL.reads(), ["first_name", "department"]);
    assert_eq!(FULL.render(&Person).as_deref(), Some("Ada none"));
    assert_eq!(
        FULL.to_string(),
        "{first_name} {default(department, \"none\")}"
    );
    let last = Template {
        source: B("{last_name}"),
        parts: B(&[Part::Expr(Expr::Field(Field::LastName))]),
    };
    assert_eq!(
        last.render(&Person),
        None,
        "an absent field makes the value absent"
    );
    let custom = Expr::Custom {
        name: B("github_login"),
        kind: CustomKind::Text,
    };
    let t = Template {
        source: B("x"),
        parts: B(&[]),
    };
    assert_eq!(t.render(&Person), None);
    assert_eq!(
        single(Func::Upper, Box::leak(Box::new([custom])))
            .render(&Person)
            .as_deref(),
        Some("ADA_L")
    );
    assert_eq!(
        single(Func::Trim, &[Expr::Field(Field::Title)])
            .render(&Person)
            .as_deref(),
        Some("Countess")
    );
    assert_eq!(
        single(Func::Domain, std::slice::from_ref(&EMAIL))
            .render(&Person)
            .as_deref(),
        Some("Example.com")
    );
    assert_eq!(
        single(Func::Join, &[Expr::Field(Field::Groups), Expr::Str(B(","))]).render(&Person),
        None
    );
    assert_eq!(
        single(Func::RandomSecret, &[]).render(&Person).as_deref(),
        Some("s3cret")
    );
}

fn expression(template: &Template) -> String {
    match template.okta().unwrap().value {
        OktaValue::Expression { expression } => expression,
        other => panic!("{other:?}"),
    }
}

/// Every function the language has renders to Okta, or is refused with a reason.
#[test]
fn every_function_has_an_okta_form_or_a_reason() {
    let email = || Box::leak(Box::new([Expr::Field(Field::Email)])) as &'static [Expr];
    let mut covered = Vec::new();
    for func in Func::ALL {
        covered.push(func);
        let template = match func {
            Func::Default => single(func, &[Expr::Field(Field::Email), Expr::Str(B("x"))]),
            Func::Join => single(func, &[Expr::Field(Field::Groups), Expr::Str(B(","))]),
            Func::RandomSecret => single(func, &[]),
            _ => single(func, email()),
        };
        let okta = template.okta();
        match func {
            Func::Lower => assert_eq!(expression(&template), "String.toLowerCase(user.email)"),
            Func::Upper => assert_eq!(expression(&template), "String.toUpperCase(user.email)"),
            Func::Trim => {
                assert_eq!(expression(&template), "user.email");
                assert!(okta.unwrap().warnings[0].contains("no trim"));
            }
            Func::LocalPart => {
                assert_eq!(
                    expression(&template),
                    "String.substringBefore(user.email, \"@\")"
                )
            }
            Func::Domain => assert_eq!(
                expression(&template),
                "String.substringAfter(user.email, \"@\")"
            ),
            Func::Default => assert_eq!(
                expression(&template),
                "(user.email != null && user.email != \"\" ? user.email : \"x\")"
            ),
            Func::Join => assert_eq!(
                okta.unwrap().value,
                OktaValue::Groups { filter_regex: ".*" }
            ),
            Func::Slug => assert_eq!(
                expression(&template),
                "String.replace(user.email, \"[^A-Za-z0-9-]\", \"-\")"
            ),
            Func::RandomSecret => {
                assert!(okta.unwrap_err().to_string().contains("no Okta equivalent"))
            }
        }
    }
    assert_eq!(covered, Func::ALL);
    assert_eq!(
        expression(&SLUG),
        "String.replace(String.toLowerCase(String.substringBefore(user.email, \"@\")), \"[^A-Za-z0-9-]\", \"-\")"
    );
    assert_eq!(
        expression(&FULL),
        "user.firstName + \" \" + (user.department != null && user.department != \"\" ? user.department : \"none\")"
    );
}

#[test]
fn untranslatable_templates_say_why() {
    let groups = Template {
        source: B("{groups}"),
        parts: B(&[Part::Expr(Expr::Field(Field::Groups))]),
    };
    assert!(groups.okta().unwrap_err().to_string().contains("list"));
    let empty = Template {
        source: B(""),
        parts: B(&[]),
    };
    assert!(empty.okta().is_err());
    let quote = Template {
        source: B("a\"b"),
        parts: B(&[Part::Text(B("a\"b"))]),
    };
    assert!(quote.okta().is_err());
    let nested = single(
        Func::Lower,
        &[call!(Join, Expr::Field(Field::Groups), Expr::Str(B(",")))],
    );
    assert!(nested.okta().is_err());
}
