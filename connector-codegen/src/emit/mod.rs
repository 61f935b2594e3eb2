//! Rust generation from a checked [`Model`].

mod docs;
mod expr;
mod manifest;
mod mapping;
mod names;
mod schemas;
mod user;

use proc_macro2::TokenStream;
use quote::quote;

use crate::catalog::ENTERPRISE_URN;
use crate::ir::Model;
pub use docs::crate_docs;
pub use schemas::extension_schemas;

/// Everything one `connector!` invocation expands to.
pub fn connector_tokens(model: &Model) -> TokenStream {
    let names = names::Names::new(model);
    let (app, user, connector) = (&names.app, &names.user, &names.connector);
    let types = user::user_types(model, &names);
    let manifest = manifest::manifest_expr(model);
    let body = mapping::map_identity_body(model, &names);
    let app_doc = docs::crate_docs(model);

    let mut schemas = vec!["urn:ietf:params:scim:schemas:core:2.0:User".to_owned()];
    if user::all_targets(model)
        .iter()
        .any(|t| matches!(t, crate::catalog::Target::Enterprise { .. }))
    {
        schemas.push(ENTERPRISE_URN.to_owned());
    }
    schemas.extend(model.extensions.iter().map(|e| e.urn.clone()));
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
    let connect_doc = format!("Connects to one {} instance.", model.display_name);

    quote! {
        #[doc = #app_doc]
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::default::Default)]
        pub struct #app;

        #types

        /// Everything the spec declares.
        pub static MANIFEST: ::connector_sdk::Manifest = #manifest;

        /// SCIM `/Schemas` documents of the vendor extensions (a JSON array).
        pub const SCIM_EXTENSION_SCHEMAS: &str = #scim_schemas;

        impl ::connector_sdk::scim::ScimApp for #app {
            type User = #user;
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

        #[doc = #connect_doc]
        pub fn connect(config: ::connector_sdk::InstanceConfig) -> ::connector_sdk::Result<#connector> {
            #connector::new(config)
        }
    }
}
