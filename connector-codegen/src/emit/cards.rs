//! The connector's cards: the typed licence inputs (the SKU an enum of the spec's SKUs)
//! in `pub mod cards`, and `CARDS`, the catalogue: one action card per capability the
//! spec declares (never one it does not), plus `ping` and `custom_api_call`. The
//! vocabulary itself (names, capabilities, the inputs that do not depend on the spec,
//! the dispatcher) is `connector_sdk::cards`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::names::{Names, ident};
use super::user::derives;
use crate::ir::Model;
use crate::spec::model::{Capability, Protocol};

/// The action cards `model` has, as (variant of `ActionCard`, input type, output type).
fn action_cards(model: &Model) -> Vec<(&'static str, TokenStream, TokenStream)> {
    let io = quote!(::connector_sdk::cards::io);
    let can = |c: Capability| model.capabilities.contains(&c);
    let declares = |op: &str| {
        model.protocol != Protocol::Rest
            || model
                .rest
                .iter()
                .flat_map(|r| r.operations.iter())
                .any(|o| o.name == op)
    };
    let provisions = model.protocol != Protocol::None;
    let mut cards = Vec::new();
    let mut push = |on: bool, variant: &'static str, input: TokenStream, output: TokenStream| {
        if on {
            cards.push((variant, input, output));
        }
    };
    push(
        provisions && (declares("find") || declares("list")),
        "FindAccount",
        quote!(#io::FindAccountInput),
        quote!(#io::FindAccountOutput),
    );
    push(
        provisions && declares("get"),
        "GetAccount",
        quote!(#io::GetAccountInput),
        quote!(#io::AccountOutput),
    );
    push(
        can(Capability::Import),
        "ListAccounts",
        quote!(#io::ListAccountsInput),
        quote!(#io::ListAccountsOutput),
    );
    push(
        can(Capability::Create),
        "CreateAccount",
        quote!(#io::CreateAccountInput),
        quote!(#io::AccountOutput),
    );
    push(
        can(Capability::Update),
        "UpdateAccount",
        quote!(#io::UpdateAccountInput),
        quote!(#io::AccountOutput),
    );
    push(
        can(Capability::Deactivate),
        "DisableAccount",
        quote!(#io::DisableAccountInput),
        quote!(#io::AccountChanged),
    );
    push(
        can(Capability::Reactivate),
        "EnableAccount",
        quote!(#io::EnableAccountInput),
        quote!(#io::AccountChanged),
    );
    push(
        can(Capability::Delete),
        "DeleteAccount",
        quote!(#io::DeleteAccountInput),
        quote!(#io::AccountChanged),
    );
    let licences = can(Capability::License) && !model.licenses.is_empty();
    push(
        licences,
        "AssignLicense",
        quote!(cards::AssignLicenseInput),
        quote!(#io::LicenseOutput),
    );
    push(
        licences,
        "RevokeLicense",
        quote!(cards::RevokeLicenseInput),
        quote!(#io::LicenseOutput),
    );
    push(
        provisions,
        "Ping",
        quote!(#io::PingInput),
        quote!(#io::Ping),
    );
    push(
        provisions,
        "CustomApiCall",
        quote!(::connector_sdk::cards::custom::CustomApiCallInput),
        quote!(::connector_sdk::cards::custom::CustomApiCallOutput),
    );
    cards
}

/// `pub mod cards` (the spec's typed card inputs) and `pub static CARDS`.
pub(super) fn card_items(model: &Model, names: &Names) -> TokenStream {
    let entries = action_cards(model)
        .into_iter()
        .map(|(variant, input, output)| {
            let variant = format_ident!("{}", variant);
            quote! {
                ::connector_sdk::cards::Card::action::<#input, #output>(
                    ::connector_sdk::cards::ActionCard::#variant
                )
            }
        });
    let licence_types = licence_types(model, names);
    let module_doc = format!(
        "The typed inputs of {}'s cards that depend on its spec.",
        model.display_name
    );
    let cards_doc = format!(
        "{}'s card catalogue: one action card per capability the spec declares, plus \
         `ping` and `custom_api_call`. Run one with `connector_sdk::cards::run`.",
        model.display_name
    );
    quote! {
        #[doc = #module_doc]
        pub mod cards {
            #licence_types
        }

        #[doc = #cards_doc]
        pub static CARDS: &[::connector_sdk::cards::Card] = &[#(#entries),*];
    }
}

/// `<App>Sku` and the two licence inputs, when the spec has seats to assign.
fn licence_types(model: &Model, names: &Names) -> TokenStream {
    if !model.capabilities.contains(&Capability::License) || model.licenses.is_empty() {
        return TokenStream::new();
    }
    let sku = format_ident!("{}Sku", names.app);
    let derive = derives(false);
    let variants: Vec<_> = model
        .licenses
        .iter()
        .map(|l| ident(&heck::AsUpperCamelCase(&l.name).to_string()))
        .collect();
    let docs = model.licenses.iter().map(|l| l.display_name.as_str());
    let renames = model.licenses.iter().map(|l| l.name.as_str());
    let names_of = model.licenses.iter().map(|l| l.name.as_str());
    let sku_doc = format!(
        "A paid seat of {}: one of the spec's SKUs.",
        model.display_name
    );
    let inputs = [
        ("AssignLicenseInput", "AssignLicense", "assign_license"),
        ("RevokeLicenseInput", "RevokeLicense", "revoke_license"),
    ]
    .map(|(name, variant, card)| {
        let name = format_ident!("{}", name);
        let variant = format_ident!("{}", variant);
        let doc = format!("The input of `{card}`.");
        quote! {
            #[doc = #doc]
            #derive
            #[serde(deny_unknown_fields)]
            pub struct #name {
                /// The account.
                pub account: ::connector_sdk::AccountRef,
                /// The seat.
                pub sku: #sku,
            }

            impl ::connector_sdk::cards::CardInput for #name {
                fn into_call(self) -> ::connector_sdk::cards::CardCall {
                    ::connector_sdk::cards::CardCall::#variant(
                        ::connector_sdk::cards::io::LicenseCall {
                            account: self.account,
                            sku: self.sku.as_str(),
                        },
                    )
                }
            }
        }
    });
    quote! {
        #[doc = #sku_doc]
        #[derive(
            ::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq,
            ::std::cmp::Eq,
            ::connector_sdk::__private::serde::Serialize,
            ::connector_sdk::__private::serde::Deserialize,
            ::connector_sdk::__private::schemars::JsonSchema
        )]
        #[serde(crate = "::connector_sdk::__private::serde")]
        #[schemars(crate = "::connector_sdk::__private::schemars")]
        pub enum #sku {
            #(
                #[doc = #docs]
                #[serde(rename = #renames)]
                #variants,
            )*
        }

        impl #sku {
            /// The SKU's name in the spec.
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(Self::#variants => #names_of,)*
                }
            }
        }

        #(#inputs)*
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(app: &str) -> Model {
        let path = format!(
            "{}/../connectors/{app}/connector.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let source = std::fs::read_to_string(&path).unwrap();
        crate::load_model(&source, &path).unwrap_or_else(|e| panic!("{e}"))
    }

    fn variants(model: &Model) -> Vec<&'static str> {
        action_cards(model).into_iter().map(|(v, _, _)| v).collect()
    }

    #[test]
    fn a_card_exists_only_for_a_declared_capability() {
        let mut notion = model("notion");
        let cards = variants(&notion);
        assert!(!cards.contains(&"DeleteAccount") && !cards.contains(&"EnableAccount"));
        assert!(cards.contains(&"DisableAccount") && cards.contains(&"AssignLicense"));
        notion.capabilities.retain(|c| *c != Capability::License);
        let cards = variants(&notion);
        assert!(!cards.contains(&"AssignLicense") && !cards.contains(&"RevokeLicense"));
        let names = Names::new(&notion);
        assert!(licence_types(&notion, &names).is_empty());
        assert_eq!(cards.last(), Some(&"CustomApiCall"));
    }

    #[test]
    fn a_sign_in_only_spec_has_no_action_card() {
        let mut zoom = model("zoom");
        zoom.protocol = Protocol::None;
        zoom.capabilities.clear();
        assert!(variants(&zoom).is_empty());
    }

    #[test]
    fn the_sku_enum_lists_the_spec_skus() {
        let zoom = model("zoom");
        let tokens = licence_types(&zoom, &Names::new(&zoom)).to_string();
        for sku in &zoom.licenses {
            assert!(tokens.contains(&format!("\"{}\"", sku.name)), "{tokens}");
        }
        assert!(tokens.contains("pub enum ZoomSku"), "{tokens}");
    }
}
