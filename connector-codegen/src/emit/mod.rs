//! Rust generation from a checked [`Model`].

mod cards;
mod expr;
mod manifest;
mod mapping;
mod names;
mod readme;
mod rest;
mod schemas;
mod user;

use proc_macro2::TokenStream;
use quote::quote;

use crate::catalog::{ENTERPRISE_URN, Target};
use crate::ir::Model;
use crate::spec::model::Protocol;
pub use readme::{GENERATED_MARKER, app_docs, readme};
pub use schemas::extension_schemas;

/// Everything one `connector!` invocation expands to.
pub fn connector_tokens(model: &Model) -> TokenStream {
    let names = names::Names::new(model);
    let (app, connector) = (&names.app, &names.connector);
    let manifest = manifest::manifest_expr(model);
    let app_doc = readme::app_docs(model);
    let connect_doc = format!("Connects to one {} instance.", model.display_name);
    let protocol_items = match model.protocol {
        Protocol::Rest => rest_items(model, &names),
        Protocol::Scim2 | Protocol::None => scim_items(model, &names),
    };
    let cards = cards::card_items(model, &names);
    quote! {
        #[doc = #app_doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::default::Default)]
        pub struct #app;

        /// Everything the spec declares.
        pub static MANIFEST: ::connector_sdk::Manifest = #manifest;

        #protocol_items

        #cards

        #[doc = #connect_doc]
        pub fn connect(config: ::connector_sdk::InstanceConfig) -> ::connector_sdk::Result<#connector> {
            #connector::new(config)
        }
    }
}

/// The typed SCIM User, its schema documents and `impl ScimApp`.
fn scim_items(model: &Model, names: &names::Names) -> TokenStream {
    let (app, user, connector) = (&names.app, &names.user, &names.connector);
    let types = user::user_types(model, names);
    let body = mapping::map_identity_body(model, names);
    let mut schemas = vec!["urn:ietf:params:scim:schemas:core:2.0:User".to_owned()];
    if user::all_targets(model)
        .iter()
        .any(|t| matches!(t, Target::Enterprise { .. }))
    {
        schemas.push(ENTERPRISE_URN.to_owned());
    }
    // Only the extensions the User actually carries: a declared extension whose
    // attributes are neither mapped nor carry a seat is never sent.
    let used = user::all_targets(model);
    schemas.extend(
        model
            .extensions
            .iter()
            .filter(|e| {
                used.iter()
                    .any(|t| matches!(t, Target::Extension { alias, .. } if *alias == e.alias))
            })
            .map(|e| e.urn.clone()),
    );
    let mut managed: Vec<String> = Vec::new();
    for attribute in &model.attributes {
        let path = attribute.target.patch_path();
        if !managed.contains(&path) {
            managed.push(path);
        }
    }
    let scim_schemas = serde_json::to_string_pretty(&extension_schemas(model)).unwrap_or_default();
    let connector_doc = format!(
        "The {} connector: a [`Connector`](::connector_sdk::Connector) over its SCIM API.",
        model.display_name
    );
    quote! {
        #types

        /// SCIM `/Schemas` documents of the vendor extensions (a JSON array).
        pub const SCIM_EXTENSION_SCHEMAS: &str = #scim_schemas;

        impl ::connector_sdk::scim::ScimApp for #app {
            type User = #user;
            const CARDS: &'static [::connector_sdk::cards::Card] = CARDS;
            const USER_SCHEMAS: &'static [&'static str] = &[#(#schemas),*];
            const MANAGED_ATTRIBUTES: &'static [&'static str] = &[#(#managed),*];

            fn manifest() -> &'static ::connector_sdk::Manifest {
                &MANIFEST
            }

            fn map_identity(
                who: &::connector_sdk::Identity,
            ) -> ::std::result::Result<#user, ::connector_sdk::mapping::MappingError> {
                #body
            }
        }

        #[doc = #connector_doc]
        pub type #connector = ::connector_sdk::scim::ScimConnector<#app>;
    }
}

/// The typed REST account and `impl RestApp`.
fn rest_items(model: &Model, names: &names::Names) -> TokenStream {
    let (app, account, connector) = (&names.app, &names.user, &names.connector);
    let types = rest::account_types(model, names);
    let body = rest::map_identity_body(model, names, mapping::value_expr);
    let connector_doc = format!(
        "The {} connector: a [`Connector`](::connector_sdk::Connector) over its REST API, as the spec declares it.",
        model.display_name
    );
    quote! {
        #types

        impl ::connector_sdk::rest::RestApp for #app {
            type Account = #account;
            const CARDS: &'static [::connector_sdk::cards::Card] = CARDS;

            fn manifest() -> &'static ::connector_sdk::Manifest {
                &MANIFEST
            }

            fn map_identity(
                who: &::connector_sdk::Identity,
            ) -> ::std::result::Result<#account, ::connector_sdk::mapping::MappingError> {
                #body
            }
        }

        #[doc = #connector_doc]
        pub type #connector = ::connector_sdk::rest::RestConnector<#app>;
    }
}
