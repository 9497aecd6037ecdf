"""The image, compose and nginx files agree with each other and with the app (no container engine here)."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest
import yaml

from tests.browser.replicas import MAIN_CONFIG, render_site
from tests.conftest import PROJECT_ROOT
from tests.services import program

DEPLOY = PROJECT_ROOT / "deploy"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_both_replicas_run_the_same_image_settings_and_secrets(compose) -> None:
    services = compose["services"]
    app1, app2 = services["app1"], services["app2"]
    for key in ("image", "environment", "secrets", "depends_on", "build"):
        assert app1[key] == app2[key], key
    assert app1["volumes"] != app2["volumes"], "each replica has its own data folder"
    assert app1["environment"]["CIVILKORT_MIGRATE"] == "manual"
    assert app1["environment"]["CIVILKORT_DATABASE_URL"].startswith("postgresql://")
    assert app1["secrets"] == [{"source": "streamlit_secrets", "target": "/app/.streamlit/secrets.toml"}]
    assert app1["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}


def test_migration_is_a_one_shot_on_the_same_image(compose) -> None:
    migrate = compose["services"]["migrate"]
    assert migrate["command"] == ["migrate"] and migrate["restart"] == "no"
    assert migrate["image"] == compose["services"]["app1"]["image"]
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_the_proxy_balances_over_both_replicas_with_the_deploy_template(compose) -> None:
    proxy = compose["services"]["proxy"]
    backends = proxy["environment"]["BACKENDS"]
    assert re.findall(r"server (app\d):8501", backends) == ["app1", "app2"]
    assert set(proxy["depends_on"]) == {"app1", "app2"}
    mounts = {m.split(":")[1] for m in proxy["volumes"]}
    assert mounts == {"/etc/nginx/nginx.conf", "/etc/nginx/templates/civilkort.conf.template"}


def test_base_images_are_pinned_by_version(compose) -> None:
    images = [s["image"] for s in compose["services"].values() if "image" in s]
    images += re.findall(r"^ARG PYTHON_IMAGE=(\S+)", (PROJECT_ROOT / "Dockerfile").read_text(), re.M)
    for image in images:
        if image.startswith("${CIVILKORT_IMAGE"):
            continue
        tag = image.rsplit(":", 1)[-1]
        assert ":" in image and re.search(r"\d", tag) and tag != "latest", image


def test_the_dockerfile_runs_the_entrypoint_as_a_user_with_a_health_check() -> None:
    text = (PROJECT_ROOT / "Dockerfile").read_text()
    runtime = text.split("AS runtime", 1)[1]
    assert "nodejs" not in runtime and "npm" not in runtime, "Node stays in the assets stage"
    assert re.search(r"^USER civilkort$", runtime, re.M)
    assert 'ENTRYPOINT ["/app/deploy/entrypoint.sh"]' in runtime
    assert re.search(r"^EXPOSE 8501$", runtime, re.M) and "PORT=8501" in runtime
    assert '"/app/deploy/healthcheck.py"' in runtime
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()
    assert {".streamlit/secrets.toml", "data", ".venv", "static/vendor"} <= set(ignored)


def test_uploads_up_to_streamlits_limit_pass_the_proxy() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    limit_mb = config["server"]["maxUploadSize"]
    proxy_mb = int(re.search(r"client_max_body_size (\d+)m;", render_site("80", ["a:1"])).group(1))
    assert proxy_mb >= limit_mb


def test_the_rendered_nginx_configuration_is_valid(tmp_path) -> None:
    nginx = program("nginx", "nginx (apt-get install nginx-light)")
    (tmp_path / "tmp").mkdir()
    (tmp_path / "civilkort.conf").write_text(
        render_site("127.0.0.1:56999", ["127.0.0.1:56998", "127.0.0.1:56997"])
    )
    (tmp_path / "nginx.conf").write_text(MAIN_CONFIG.format(prefix=tmp_path))
    check = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
