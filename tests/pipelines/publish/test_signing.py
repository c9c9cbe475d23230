"""The signing core: what is signed, and every way a signature can fail to hold."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pipelines.publish.signing import (
    SigningKeyError,
    canonical_bytes,
    key_id,
    load_private_key,
    load_public_key,
    new_key_pair,
    sign_manifest,
    signature_problems,
)

MANIFEST = {
    "run_id": "r2",
    "outputs": [{"path": "dataset/part-0.parquet", "sha256": "ab" * 32, "rows": 3}],
    "previous_manifest": {"run_id": "r1", "sha256": "cd" * 32},
}


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_a_signed_manifest_verifies_with_and_without_the_trusted_key(key):
    signed = sign_manifest(MANIFEST, key)
    assert signature_problems(signed, key.public_key()) == []
    assert signature_problems(signed, None) == []
    assert signed["signature"]["key_id"] == key_id(key.public_key())


def test_layout_does_not_matter_but_content_does(key):
    signed = sign_manifest(MANIFEST, key)
    relaid = json.loads(json.dumps(signed, indent=4, sort_keys=True))
    assert signature_problems(relaid, key.public_key()) == []
    assert canonical_bytes(relaid) == canonical_bytes(MANIFEST)


@pytest.mark.parametrize(
    "edit",
    [
        lambda m: m["outputs"][0].update(sha256="ef" * 32),
        lambda m: m["previous_manifest"].update(sha256="00" * 32),  # the chain is covered
        lambda m: m.update(extra="added after signing"),
    ],
)
def test_any_edit_after_signing_is_caught(key, edit):
    signed = json.loads(json.dumps(sign_manifest(MANIFEST, key)))
    edit(signed)
    expected = ["manifest.json: the signature does not match its content (changed after signing)"]
    assert signature_problems(signed, key.public_key()) == expected
    assert signature_problems(signed, None) == expected


def test_another_signer_passes_only_without_a_trusted_key(key):
    forged = sign_manifest(MANIFEST, Ed25519PrivateKey.generate())
    assert signature_problems(forged, None) == []
    [problem] = signature_problems(forged, key.public_key())
    assert f"not by the trusted key {key_id(key.public_key())}" in problem


def test_unsigned_malformed_and_unknown_signatures(key):
    assert signature_problems(MANIFEST, None) == []
    assert signature_problems(MANIFEST, key.public_key()) == ["manifest.json: not signed"]
    signed = sign_manifest(MANIFEST, key)
    broken = {**signed, "signature": {**signed["signature"], "value": "zz"}}
    assert signature_problems(broken, None) == ["manifest.json: the signature is malformed"]
    other = {**signed, "signature": {**signed["signature"], "algorithm": "rsa"}}
    assert "is not ed25519" in signature_problems(other, None)[0]


def test_resigning_replaces_the_old_signature(key):
    first = sign_manifest(MANIFEST, key)
    again = sign_manifest({**first, "run_id": "r3"}, key)
    assert signature_problems(again, key.public_key()) == []
    assert again["signature"]["value"] != first["signature"]["value"]


def test_key_files_round_trip_and_wrong_files_are_named():
    private_pem, public_pem = new_key_pair()
    private = load_private_key(private_pem, "sign.key")
    assert key_id(private.public_key()) == key_id(load_public_key(public_pem, "sign.key.pub"))
    with pytest.raises(SigningKeyError, match="sign.key.pub is not an unencrypted PEM private"):
        load_private_key(public_pem, "sign.key.pub")
    with pytest.raises(SigningKeyError, match="sign.key is not a PEM public key"):
        load_public_key(b"garbage", "sign.key")
