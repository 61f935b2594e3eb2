//! The generated SP metadata of every connector validates against the OASIS SAML 2.0
//! metadata schema, checked by two tools we did not write: libxml2's `xmllint --schema`
//! and python3-saml's `OneLogin_Saml2_XML.validate_xml` (lxml), both with the XSDs
//! python3-saml ships. pysaml2 then loads each document as SP metadata and must find the
//! ACS URL, the entity ID and the NameID format we generated.

mod common;

use std::process::Command;

use common::connectors::all_manifests;
use common::{example_inputs, python, run, schemas_dir, tempdir};

#[test]
fn every_connectors_sp_metadata_is_valid_saml_metadata() {
    let dir = tempdir();
    let schema = schemas_dir().join("saml-schema-metadata-2.0.xsd");
    assert!(schema.is_file(), "{} is missing", schema.display());
    let mut files = Vec::new();
    let mut expected = Vec::new();
    for manifest in all_manifests() {
        let artifacts = connector_sso::generate(manifest, &example_inputs(manifest))
            .unwrap_or_else(|e| panic!("{e}"));
        // A service that signs in with OIDC only has no SAML metadata to check.
        let Some(saml) = artifacts.service_provider.saml.clone() else {
            assert!(artifacts.sp_metadata.is_none(), "{}", manifest.name);
            continue;
        };
        let xml = artifacts
            .sp_metadata
            .expect("SAML services have SP metadata");
        let path = dir
            .path()
            .join(format!("{}-sp-metadata.xml", manifest.name));
        std::fs::write(&path, &xml).expect("write metadata");
        files.push(path);
        expected.push((saml.entity_id, saml.acs_url, saml.name_id_format));
    }
    // Every connector of the workspace is covered: the list is generated from connectors/*/
    // by `cargo xtask gen` (and `cargo xtask check` fails when it is stale).
    let specs = std::fs::read_dir(common::workspace_root().join("connectors"))
        .expect("connectors/")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("connector.toml").is_file())
        .count();
    assert_eq!(
        all_manifests().len(),
        specs,
        "common::all_manifests is stale: run `cargo xtask gen`"
    );
    assert!(!files.is_empty(), "no connector offers SAML sign-in");

    // 1. libxml2 (Debian's xmllint).
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .args(&files)
        .output()
        .expect("xmllint is installed (apt-get install libxml2-utils)");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "xmllint refused:\n{stderr}");
    for file in &files {
        assert!(
            stderr.contains(&format!("{} validates", file.display())),
            "{stderr}"
        );
    }

    // 2. python3-saml (lxml) and 3. pysaml2, in one Python run.
    let script = r#"
import sys
from onelogin.saml2.xml_utils import OneLogin_Saml2_XML
from saml2 import BINDING_HTTP_POST
from saml2.mdstore import MetadataStore
from saml2.config import Config
from saml2.attribute_converter import ac_factory

for path in sys.argv[1:]:
    xml = open(path, encoding="utf-8").read()
    result = OneLogin_Saml2_XML.validate_xml(xml, "saml-schema-metadata-2.0.xsd", False)
    if isinstance(result, str):
        sys.exit("python3-saml: %s: %s" % (path, result))
    store = MetadataStore(ac_factory(), Config())
    store.load("local", path)
    for entity_id in store.keys():
        acs = store.assertion_consumer_service(entity_id, BINDING_HTTP_POST)
        formats = [f["text"].strip() for f in store[entity_id]["spsso_descriptor"][0]["name_id_format"]]
        print("%s|%s|%s" % (entity_id, acs[0]["location"], formats[0]))
"#;
    let stdout = run(Command::new(python()).arg("-c").arg(script).args(&files));
    let seen: Vec<(String, String, String)> = stdout
        .lines()
        .filter(|line| line.contains('|'))
        .map(|line| {
            let mut parts = line.splitn(3, '|').map(str::to_owned);
            (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(seen, expected, "pysaml2 reads back what we generated");
}

#[test]
fn a_broken_document_is_refused_by_the_same_schema_check() {
    // The check above would pass anything if the schema were not applied: make sure a
    // document without the ACS `index` (required by the XSD) fails it.
    let dir = tempdir();
    let manifest = &connector_zoom::MANIFEST;
    let xml = connector_sso::generate(manifest, &example_inputs(manifest))
        .expect("artifacts")
        .sp_metadata
        .expect("metadata")
        .replace(r#" index="0" isDefault="true"/>"#, "/>");
    let path = dir.path().join("broken.xml");
    std::fs::write(&path, xml).expect("write");
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schemas_dir().join("saml-schema-metadata-2.0.xsd"))
        .arg(&path)
        .output()
        .expect("xmllint runs");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("'index' is required"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
