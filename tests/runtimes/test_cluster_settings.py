"""The Hub-side option check and the cluster settings: bad input is refused with a sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from cloudbook.hub_side import BadRuntimeOptions, check_options
from cloudbook.runtimes.jupyterhub import server_name
from cloudbook.runtimes.replicas import replica_id_for
from cloudbook.settings import Settings

PROFILES = {"cpu": {}, "gpu": {}}


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"profile": "tpu"}, "no 'tpu' runtime profile (it has: cpu, gpu)"),
        ({"image": "evil/latest"}, "Unknown runtime option(s): image"),
        ({"shape": "huge"}, "shape must be"),
        ({"limits": {"memory": -1}}, "memory limit must be a positive"),
        ({"limits": {"memory": "1G"}}, "memory limit must be a positive"),
        ({"limits": {"cpus": 0}}, "CPU limit must be a positive"),
        ({"limits": {"privileged": True}}, "may only name 'memory' and 'cpus'"),
    ],
)
def test_the_hub_refuses_options_it_cannot_serve(options: dict[str, object], says: str) -> None:
    with pytest.raises(BadRuntimeOptions) as refused:
        check_options(options, PROFILES)
    assert says in str(refused.value)


def test_good_options_default_to_the_cpu_profile() -> None:
    checked = check_options({"limits": {"memory": 2**30, "cpus": 1.5}}, PROFILES)
    assert checked["profile"] == "cpu"
    assert checked["limits"] == {"memory": 2**30, "cpus": 1.5}


def test_server_names_are_hub_safe_slugs_and_stable() -> None:
    name = server_name("0d7679cd-21da-4bec-b25b-fbde0bc564d7")
    assert name == server_name("0d7679cd-21da-4bec-b25b-fbde0bc564d7")
    assert len(name) <= 30 and name[0].isalpha() and name.isalnum() and name.islower()


def test_jupyterhub_provider_needs_url_and_token(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(data_dir=tmp_path, runtime_provider="jupyterhub")
    assert "CLOUDBOOK_JUPYTERHUB_URL" in str(refused.value)
    with pytest.raises(ValidationError):
        Settings(data_dir=tmp_path, replica_url="10.0.0.5:8000")
    assert Settings(data_dir=tmp_path).runtime_provider == "local"


def test_replicas_sharing_a_data_dir_get_ids_of_their_own() -> None:
    a = replica_id_for("abc", "http://10.0.0.1:8000")
    b = replica_id_for("abc", "http://10.0.0.2:8000")
    assert a != b and a == replica_id_for("abc", "http://10.0.0.1:8000")
    assert replica_id_for("abc", None) == "abc"
