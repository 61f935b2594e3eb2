"""A pysaml2 identity provider for connector-saml-sp's tests (test-only).

It is configured from the SP metadata our SDK generates: pysaml2 reads the metadata file,
parses the AuthnRequest our SP issued (HTTP-Redirect binding), and answers with a Response
signed by pysaml2 (through the Debian `xmlsec1` program) with the key given on the command
line. The base64 SAMLResponse is printed on stdout.

Usage: python pysaml2_idp.py --sp-metadata SP.xml --key IDP.key --cert IDP.crt
           --entity-id IDP_ENTITY --sso-url URL --xmlsec1 PATH --name-id EMAIL
           [--saml-request B64_DEFLATED] [--attribute NAME=VALUE ...]
"""

import argparse
import base64
import sys

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_UNSPECIFIED, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sp-metadata", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--entity-id", required=True)
    parser.add_argument("--sso-url", required=True)
    parser.add_argument("--xmlsec1", required=True)
    parser.add_argument("--name-id", required=True)
    parser.add_argument("--name-id-format", default=NAMEID_FORMAT_EMAILADDRESS)
    parser.add_argument("--saml-request")
    parser.add_argument("--sp-entity-id")
    parser.add_argument("--attribute", action="append", default=[])
    args = parser.parse_args()

    config = IdPConfig()
    config.load(
        {
            "entityid": args.entity_id,
            "xmlsec_binary": args.xmlsec1,
            "key_file": args.key,
            "cert_file": args.cert,
            "metadata": {"local": [args.sp_metadata]},
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [
                            (args.sso_url, BINDING_HTTP_REDIRECT),
                            (args.sso_url, BINDING_HTTP_POST),
                        ]
                    },
                    "name_id_format": [args.name_id_format],
                    # Attribute names as the SP metadata requests them (no OID mapping).
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "name_form": NAME_FORMAT_UNSPECIFIED,
                        }
                    },
                }
            },
        }
    )
    server = Server(config=config)

    in_response_to = None
    sp_entity_id = args.sp_entity_id
    if args.saml_request:
        request = server.parse_authn_request(args.saml_request, BINDING_HTTP_REDIRECT)
        in_response_to = request.message.id
        sp_entity_id = request.message.issuer.text
    if sp_entity_id is None:
        sys.exit("need --saml-request or --sp-entity-id")
    # The ACS comes from the SP metadata pysaml2 loaded, not from the request.
    destination = server.metadata.assertion_consumer_service(sp_entity_id, BINDING_HTTP_POST)[0]["location"]

    identity = {}
    for assignment in args.attribute:
        name, value = assignment.split("=", 1)
        identity.setdefault(name, []).append(value)

    response = server.create_authn_response(
        identity=identity,
        in_response_to=in_response_to,
        destination=destination,
        sp_entity_id=sp_entity_id,
        name_id=NameID(format=args.name_id_format, text=args.name_id),
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
        sign_response=True,
        sign_assertion=True,
        sign_alg=SIG_RSA_SHA256,
        digest_alg=DIGEST_SHA256,
    )
    sys.stdout.write(base64.b64encode(str(response).encode("utf-8")).decode("ascii"))


if __name__ == "__main__":
    main()
