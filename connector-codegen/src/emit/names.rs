//! Names of the generated items.

use proc_macro2::{Ident, Span};

use crate::ir::Model;

/// The identifiers generated for one connector.
pub(super) struct Names {
    /// Marker type that implements `ScimApp` (`Zoom`).
    pub app: Ident,
    /// The typed User (`ZoomUser`).
    pub user: Ident,
    /// The connector alias (`ZoomConnector`).
    pub connector: Ident,
    stem: String,
}

impl Names {
    /// Names for `model`.
    pub(super) fn new(model: &Model) -> Self {
        let stem = model.type_stem.clone();
        let record = if model.protocol == crate::spec::model::Protocol::Rest {
            "Account"
        } else {
            "User"
        };
        Self {
            app: ident(&stem),
            user: ident(&format!("{stem}{record}")),
            connector: ident(&format!("{stem}Connector")),
            stem,
        }
    }

    /// The struct of a nested REST object (`GeminiAccountName` for `name`).
    pub(super) fn rest_nested(&self, head: &str) -> Ident {
        ident(&format!("{}{}", self.user, heck::AsUpperCamelCase(head)))
    }

    /// The struct of extension `alias` (`ZoomExtension` when the alias is the
    /// connector's name, else `SlackGuestExtension`).
    pub(super) fn extension(&self, alias: &str) -> Ident {
        let camel = heck::AsUpperCamelCase(alias).to_string();
        if camel.eq_ignore_ascii_case(&self.stem) {
            ident(&format!("{}Extension", self.stem))
        } else {
            ident(&format!("{}{camel}Extension", self.stem))
        }
    }
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "unsafe", "use", "where", "while", "yield", "abstract", "become", "box", "do", "final",
    "macro", "override", "priv", "typeof", "unsized", "virtual",
];

/// An identifier, raw (`r#type`) when it is a keyword.
pub(super) fn ident(name: &str) -> Ident {
    if KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// The Rust field for a SCIM attribute name (`zoomAICompanion` → `zoom_ai_companion`).
pub(super) fn field_ident(scim_name: &str) -> Ident {
    ident(&heck::AsSnakeCase(scim_name).to_string())
}
