//! SAML 2.0 SP metadata (`md:EntityDescriptor`) for a service, written with quick-xml's
//! writer so every value is escaped.
//!
//! The document holds what an IdP needs to trust the service: the entity ID, one
//! `SPSSODescriptor` for SAML 2.0 that wants signed assertions, the NameID format, the ACS
//! (HTTP-POST, index 0, the default) and, when the service reads attributes, an
//! `AttributeConsumingService` listing them. The service's own signing certificate is not
//! in the spec, so there is no `KeyDescriptor`. Tests validate the output of every
//! connector against the OASIS `saml-schema-metadata-2.0.xsd`.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{
    ATTRNAME_FORMAT_UNSPECIFIED, HTTP_POST_BINDING, SAML2_PROTOCOL, SamlServiceProvider,
    ServiceProvider,
};

/// The SAML metadata namespace.
pub const METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";

/// The SP metadata document of `sp` (whose SAML facts are `saml`), UTF-8, indented.
pub fn sp_metadata(sp: &ServiceProvider, saml: &SamlServiceProvider) -> String {
    // Writing into a Vec cannot fail; an io::Error here would be a quick-xml bug, and an
    // empty document is a safer answer than a panic.
    write(sp, saml).unwrap_or_default()
}

fn write(sp: &ServiceProvider, saml: &SamlServiceProvider) -> io::Result<String> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer
        .create_element("md:EntityDescriptor")
        .with_attribute(("xmlns:md", METADATA_NS))
        .with_attribute(("entityID", saml.entity_id.as_str()))
        .write_inner_content(|w| {
            w.create_element("md:SPSSODescriptor")
                .with_attribute(("AuthnRequestsSigned", "false"))
                .with_attribute(("WantAssertionsSigned", "true"))
                .with_attribute(("protocolSupportEnumeration", SAML2_PROTOCOL))
                .write_inner_content(|w| {
                    w.create_element("md:NameIDFormat")
                        .write_text_content(BytesText::new(&saml.name_id_format))?;
                    w.create_element("md:AssertionConsumerService")
                        .with_attribute(("Binding", HTTP_POST_BINDING))
                        .with_attribute(("Location", saml.acs_url.as_str()))
                        .with_attribute(("index", "0"))
                        .with_attribute(("isDefault", "true"))
                        .write_empty()?;
                    if !saml.attributes.is_empty() {
                        w.create_element("md:AttributeConsumingService")
                            .with_attribute(("index", "0"))
                            .with_attribute(("isDefault", "true"))
                            .write_inner_content(|w| {
                                w.create_element("md:ServiceName")
                                    .with_attribute(("xml:lang", "en"))
                                    .write_text_content(BytesText::new(sp.display_name))?;
                                for attribute in &saml.attributes {
                                    w.create_element("md:RequestedAttribute")
                                        .with_attribute(("Name", attribute.name.as_str()))
                                        .with_attribute(("NameFormat", ATTRNAME_FORMAT_UNSPECIFIED))
                                        .write_empty()?;
                                }
                                Ok(())
                            })?;
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    let mut xml = String::from_utf8(writer.into_inner())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    xml.push('\n');
    Ok(xml)
}
