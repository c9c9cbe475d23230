"""Property test: any YAML mapping either loads or fails with a ConfigError, never a crash."""

from __future__ import annotations

import contextlib

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.run.config import ConfigError, load_config

SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=12)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(
    ["name", "policy", "output", "hmac_key", "limits", "sources", "consent", "lineage", "x"]
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(KEYS, VALUES, max_size=7))
def test_random_configs_load_or_fail_cleanly(tmp_path, data):
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(data))
    try:
        load_config(path, output_override=str(tmp_path / "out"))
    except ConfigError as error:
        assert str(path) in str(error) or "policy" in str(error)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300))
def test_random_bytes_as_a_config_fail_cleanly(tmp_path, raw):
    path = tmp_path / "run.yaml"
    path.write_bytes(raw)
    with contextlib.suppress(ConfigError):
        load_config(path, output_override=str(tmp_path / "out"))
