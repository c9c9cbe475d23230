"""Outputs on an object store: an S3 server (moto) on 127.0.0.1, Beam's S3 filesystem.

What must hold where there is no atomic rename: the run is published by its manifest,
written last; the data equals a local run's; nothing that is never published (text
sidecars, the workers' facts) is left behind; `provenance verify` passes on the intact run
and fails once a data file changes; a second run chains to the first.
"""

from __future__ import annotations

import json
import os

import pytest

boto3 = pytest.importorskip("boto3", reason="the dev extra installs boto3 and moto")
moto_server = pytest.importorskip("moto.moto_server.threaded_moto_server")

from apache_beam.io.filesystems import FileSystems  # noqa: E402
from apache_beam.options.pipeline_options import PipelineOptions  # noqa: E402

from pipelines.commands.verify import verify_run  # noqa: E402
from pipelines.publish import store  # noqa: E402
from tests.conftest import DEMO_CONFIG, run_cli  # noqa: E402

BUCKET = "provenance-test"
# Credentials and the endpoint in the environment, which every Beam worker process
# inherits (the local runner's workers do not see the launcher's --s3_* flags).
CREDENTIALS = {
    "AWS_ENDPOINT_URL_S3": "",  # set once the server's port is known
    "AWS_ACCESS_KEY_ID": "test-key",
    "AWS_SECRET_ACCESS_KEY": "test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def s3_args():
    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ.update({**CREDENTIALS, "AWS_ENDPOINT_URL_S3": endpoint})
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    args = [f"--s3_endpoint_url={endpoint}"]
    FileSystems.set_options(PipelineOptions(args))  # for this test's own reads
    yield args
    server.stop()
    FileSystems.set_options(PipelineOptions([]))  # later tests must not see this endpoint
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="module")
def published(s3_args):
    output = f"s3://{BUCKET}/demo"
    assert run_cli("run", DEMO_CONFIG, "--output", output, "--quiet", *s3_args) == 0
    return output


def _manifest(output: str) -> dict:
    return json.loads(store.read_bytes(store.join(output, "manifest.json")))


def test_a_run_on_an_object_store_is_published_by_its_manifest(published, demo_run):
    manifest = _manifest(published)
    local = json.loads((demo_run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["root"] == f"runs/{manifest['run_id']}"
    assert manifest["content_digests"] == local["content_digests"]
    assert manifest["totals"] == local["totals"]
    listed = {entry["path"] for entry in manifest["outputs"]}
    assert "reports/summary.json" in listed and "croissant.json" in listed
    assert any(path.startswith("dataset/") for path in listed)


def test_nothing_unpublished_is_left_under_the_run(published):
    root = store.join(published, *_manifest(published)["root"].split("/"))
    tops = {path.split("/", 1)[0] for path in store.files_under(root)}
    assert tops == {"dataset", "ledger", "dead_letter", "index", "reports", "croissant.json"}


def test_verify_passes_on_the_intact_run_through_the_cli(published, s3_args):
    assert verify_run(published) == []
    assert run_cli("verify", published, *s3_args) == 0
    public_key = DEMO_CONFIG.parent / "demo-signing.key.pub"
    assert run_cli("verify", published, "--public-key", public_key, *s3_args) == 0
    assert _manifest(published)["signature"]["algorithm"] == "ed25519"


def test_a_second_run_chains_to_the_first_and_both_stay_readable(published, s3_args):
    first = _manifest(published)
    output = published
    assert run_cli("run", DEMO_CONFIG, "--output", output, "--quiet", *s3_args) == 0
    second = _manifest(output)
    assert second["run_id"] != first["run_id"]
    assert second["previous_manifest"]["run_id"] == first["run_id"]
    history = store.join(output, "manifests", f"{first['run_id']}.json")
    assert json.loads(store.read_bytes(history)) == first
    assert verify_run(output) == []


def test_erase_and_trace_refuse_an_object_store_with_a_message(published, capsys):
    assert run_cli("erase", published, "--subject-email", "x@example.org") == 2
    assert "local (or mounted) outputs only" in capsys.readouterr().err
    assert run_cli("trace", published, "some-doc-id") == 2
    assert "local (or mounted) outputs only" in capsys.readouterr().err


def test_verify_fails_once_a_published_data_file_changes(published):
    manifest = _manifest(published)
    victim = next(e["path"] for e in manifest["outputs"] if e["path"].startswith("ledger/"))
    location = store.join(published, *manifest["root"].split("/"), *victim.split("/"))
    original = store.read_bytes(location)
    store.write_bytes(location, original + b"\0")
    try:
        problems = verify_run(published)
    finally:
        store.write_bytes(location, original)
    assert any(victim in problem and "sha256" in problem for problem in problems), problems
    assert any(victim in problem and "not a readable Parquet" in problem for problem in problems)
    assert verify_run(published) == []
