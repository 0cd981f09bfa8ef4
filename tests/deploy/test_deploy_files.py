"""Static checks of the deployment files (no Docker engine or cluster needed).

They tie deploy/ to the code: the settings of services/common/platform/config.py, the fixed
ports and names of docs/PRODUCT.md, the `ticketdesk` commands, the search attributes of
`ticketdesk dev`. A new setting without documentation, a typo in a variable name, a
port that drifted or a Deployment without a budget fails here.
"""

from __future__ import annotations

import http.server
import importlib.util
import re
import shlex
import subprocess
import sys
import threading
from concurrent import futures
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from services.common.platform.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"

# docs/PRODUCT.md, "Fixed names": default ports.
PORTS = {"auth": 50051, "tickets": 50052, "files": 50053, "ui": 8080}
TEMPORAL_PORT, TEMPORAL_UI_PORT = 7233, 8233
MODULES = {"auth": "services.auth", "tickets": "services.tickets", "files": "services.files",
           "worker": "workflows.ticket.worker", "ui": "ui"}
GRPC = ("auth", "tickets", "files")
REPLICATED = ("auth", "tickets", "files", "worker", "ui")
DATABASES = {"auth", "tickets", "files", "temporal", "temporal_visibility"}
# Variables of the compose stack itself (deploy/compose.env.example), not of Settings.
STACK_VARIABLES = {"TICKETDESK_IMAGE", "TICKETDESK_DB_PASSWORD"}
MAX_UPLOAD = Settings.model_fields["max_upload_bytes"].default
# /metrics, /healthz, /readyz of each process (services/common/platform/metrics.py).
METRICS = {role: Settings.model_fields[f"{role}_metrics_port"].default
           for role in ("auth", "tickets", "files", "worker", "ui")}
PLACEHOLDER = re.compile(r"^(|CHANGE_ME|\$\{[^}]+\}|\"\"|'')$")


def env_name(field: str) -> str:
    return "TICKETDESK_" + field.upper()


SETTINGS_NAMES = {env_name(name) for name in Settings.model_fields}
SECRET_NAMES = {env_name(name) for name, field in Settings.model_fields.items()
                if field.annotation is SecretStr or name.endswith("_database_url")}


def load_yaml_documents(path: Path) -> list:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def k8s() -> list[dict]:
    documents = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            documents += load_yaml_documents(path)
    return documents


def of_kind(documents: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in documents if d["kind"] == kind}


def parse_env_file(path: Path) -> tuple[dict[str, str], set[str]]:
    """(active assignments, every name mentioned as `NAME=`, commented or not)."""
    active, mentioned = {}, set()
    for line in path.read_text().splitlines():
        match = re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if not match:
            continue
        mentioned.add(match.group(2))
        if not match.group(1):
            active[match.group(2)] = match.group(3)
    return active, mentioned


def test_the_fixed_ports_are_the_settings_defaults():
    for name, port in PORTS.items():
        assert Settings.model_fields[f"{name}_port"].default == port
    assert Settings.model_fields["temporal_port"].default == TEMPORAL_PORT
    assert Settings.model_fields["temporal_ui_port"].default == TEMPORAL_UI_PORT


def test_every_yaml_file_parses():
    files = sorted(DEPLOY.rglob("*.yaml")) + sorted(DEPLOY.rglob("*.yml"))
    assert len(files) >= 10
    for path in files:
        assert load_yaml_documents(path), f"{path} is empty"


# ---------------------------------------------------------------------- environment


def test_env_example_documents_every_setting():
    _, mentioned = parse_env_file(DEPLOY / "ticketdesk.env.example")
    missing = sorted(SETTINGS_NAMES - mentioned)
    assert not missing, f"deploy/ticketdesk.env.example does not document {missing}"


def test_deploy_files_name_only_real_settings():
    """A TICKETDESK_* name that no setting reads is a typo (the process ignores it)."""
    unknown = {}
    for path in sorted(DEPLOY.rglob("*")):
        if path.is_file() and path.suffix in {".yaml", ".example", ".sh", ".conf", ""}:
            for name in set(re.findall(r"\bTICKETDESK_[A-Z0-9_]+\b", path.read_text())):
                if name not in SETTINGS_NAMES | STACK_VARIABLES:
                    unknown.setdefault(path.relative_to(ROOT).as_posix(), []).append(name)
    assert not unknown


def test_env_example_values_are_valid_settings(monkeypatch):
    active, _ = parse_env_file(DEPLOY / "ticketdesk.env.example")
    for name in list(__import__("os").environ):
        if name.startswith("TICKETDESK_"):
            monkeypatch.delenv(name)
    for name, value in active.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.host == "0.0.0.0"
    assert not settings.migrate_on_start
    assert not settings.reflection
    assert settings.auth_target == f"auth:{PORTS['auth']}"
    assert settings.tickets_target == f"tickets:{PORTS['tickets']}"
    assert settings.files_target == f"files:{PORTS['files']}"


def test_secrets_are_placeholders_everywhere():
    """No real secret in any deployment file: CHANGE_ME, empty, or a compose variable."""
    # `NAME=value` (env, shell) or `NAME: value` (YAML); not `${NAME:?...}` references.
    pattern = re.compile(r"(?<![\w${])([A-Z_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PWD))[=:]\s*(\S*)")
    found = []
    for path in sorted(DEPLOY.rglob("*")) + [ROOT / ".dockerignore"]:
        if not path.is_file() or path.suffix == ".py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for name, value in pattern.findall(line):
                if value.lstrip('"').startswith("$("):  # generated: "$(openssl rand ...)"
                    continue
                if not PLACEHOLDER.match(value.strip().rstrip(",")) and not value.startswith("${"):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {name}")
    assert not found, f"values that look like real secrets: {found}"
    # URLs with an embedded password: only placeholders or compose variables.
    for path in [DEPLOY / "ticketdesk.env.example", K8S / "secret.yaml", DEPLOY / "compose.yaml"]:
        for password in re.findall(r"://[^:/@\s]+:([^@\s]+)@", path.read_text()):
            assert password == "CHANGE_ME" or password.startswith("${"), path


def test_compose_variables_are_documented(compose):
    text = (DEPLOY / "compose.yaml").read_text()
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", text))
    _, documented = parse_env_file(DEPLOY / "compose.env.example")
    assert used <= documented, sorted(used - documented)


# -------------------------------------------------------------------------- compose


def app_services(compose) -> dict[str, dict]:
    return {name: s for name, s in compose["services"].items()
            if str(s.get("image", "")).startswith("${TICKETDESK_IMAGE")}


def command_of(service: dict) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_compose_services_have_pinned_images_and_env_files(compose):
    for name, service in compose["services"].items():
        assert "image" in service or "build" in service, name
        image = service.get("image", "")
        if not image.startswith("${"):
            assert ":" in image and not image.endswith(":latest"), f"{name}: pin {image}"
            assert re.search(r":\d", image), f"{name}: {image} needs a version tag"
        for env_file in service.get("env_file", []):
            assert (DEPLOY / f"{env_file}.example").exists(), f"{name}: {env_file}.example"
    assert (DEPLOY / "compose.env.example").exists()


def test_compose_runs_every_role_with_its_command(compose):
    services = compose["services"]
    for role, module in MODULES.items():
        assert command_of(services[role]) == ["python", "-m", module]
        assert importlib.util.find_spec(module) is not None, module
    assert command_of(services["migrate"]) == ["ticketdesk", "migrate"]


def test_the_migrate_command_exists():
    from typer.main import get_command

    from cli.main import app

    assert "migrate" in get_command(app).commands  # type: ignore[attr-defined]


def test_compose_healthchecks_where_services_serve(compose):
    one_shot = {name for name, s in compose["services"].items()
                if s.get("restart") == "no" or "tools" in s.get("profiles", [])}
    assert {"migrate", "temporal-setup", "backup"} <= one_shot
    for name, service in compose["services"].items():
        if name not in one_shot:
            assert "healthcheck" in service and service["healthcheck"].get("test"), name
    for name in GRPC:
        test = service_test = compose["services"][name]["healthcheck"]["test"]
        assert test[:4] == ["CMD", "python", "/opt/ticketdesk/healthcheck.py", "grpc"], name
        assert service_test[4] == f"127.0.0.1:{PORTS[name]}", name
        assert compose["services"][name]["expose"] == [str(PORTS[name])]
    assert compose["services"]["ui"]["healthcheck"]["test"][-1] == \
        f"http://127.0.0.1:{METRICS['ui']}/readyz"
    assert compose["services"]["worker"]["healthcheck"]["test"][-1] == \
        f"http://127.0.0.1:{METRICS['worker']}/readyz"


def test_compose_order_and_replicas(compose):
    services = compose["services"]
    for name in GRPC:
        assert services[name]["depends_on"]["migrate"] == \
            {"condition": "service_completed_successfully"}, name
    for name in ("tickets", "worker"):  # they start workflows that upsert the attributes
        assert services[name]["depends_on"]["temporal-setup"]["condition"] == \
            "service_completed_successfully", name
    for name in REPLICATED:
        assert services[name]["deploy"]["replicas"] == 2, name
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"


def test_compose_infrastructure(compose):
    services = compose["services"]
    temporal = services["temporal"]
    assert temporal["image"].startswith("temporalio/auto-setup:")
    assert temporal["environment"]["DB"] == "postgres12"
    assert temporal["environment"]["POSTGRES_SEEDS"] == "postgres"
    assert {temporal["environment"]["DBNAME"], temporal["environment"]["VISIBILITY_DBNAME"]} \
        == {"temporal", "temporal_visibility"}
    assert services["temporal-ui"]["image"].startswith("temporalio/ui:")
    assert services["temporal-ui"]["ports"] == [f"127.0.0.1:{TEMPORAL_UI_PORT}:8080"]
    assert services["temporal-setup"]["command"] == ["/opt/ticketdesk/register-search-attributes.sh"]
    assert {n for n, s in services.items() if "temporal" in s.get("profiles", [])} == \
        {"temporal", "temporal-ui", "temporal-setup"}
    _, stack = parse_env_file(DEPLOY / "compose.env.example")
    assert "COMPOSE_PROFILES" in stack
    assert "./postgres-init:/docker-entrypoint-initdb.d:ro" in services["postgres"]["volumes"]
    assert services["ui"]["environment"]["NICEGUI_REDIS_URL"].startswith("redis://redis:")
    assert "redis" in services
    for name in ("files",):
        assert any(v.endswith(":/var/lib/ticketdesk/files") for v in services[name]["volumes"])
    # The database URLs name the databases the init script creates.
    environment = services["auth"]["environment"]
    for name in GRPC:
        url = environment[f"TICKETDESK_{name.upper()}_DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://ticketdesk:") and url.endswith(f"@postgres:5432/{name}")
    # The proxy publishes HTTPS and the gRPC ports, nothing else of the app is published.
    published = [p for s in services.values() for p in s.get("ports", [])]
    assert {f"{p}:{p}" for p in (50051, 50052, 50053)} <= set(published)
    for name in MODULES:
        assert "ports" not in services[name], f"{name} must not publish ports (replicas)"


def test_postgres_init_script_creates_every_database():
    script = (DEPLOY / "postgres-init" / "10-ticketdesk.sh").read_text()
    created = set(re.findall(r"CREATE DATABASE (\w+)", script))
    assert created == DATABASES
    assert "set -euo pipefail" in script
    subprocess.run(["bash", "-n", str(DEPLOY / "postgres-init" / "10-ticketdesk.sh")], check=True)


def test_search_attribute_script_registers_what_the_workflows_use():
    from cli.dev import SEARCH_ATTRIBUTES

    script = (DEPLOY / "register-search-attributes.sh").read_text()
    keywords = re.search(r"^keywords=\((.*)\)$", script, re.M).group(1).split()
    datetimes = re.search(r"^datetimes=\((.*)\)$", script, re.M).group(1).split()
    registered = {**{k: "Keyword" for k in keywords}, **{d: "Datetime" for d in datetimes}}
    assert registered == SEARCH_ATTRIBUTES
    assert re.search(r"search-attribute create .*\n?.*--type \"\$type\" --name \"\$name\"", script)


def test_shell_scripts_are_strict_and_parse():
    for path in [ROOT / "scripts" / "backup.sh", ROOT / "scripts" / "restore.sh",
                 DEPLOY / "register-search-attributes.sh", DEPLOY / "postgres-init" / "10-ticketdesk.sh"]:
        text = path.read_text()
        assert text.startswith("#!/") and "set -euo pipefail" in text, path
        assert path.stat().st_mode & 0o111, f"{path} is not executable"
        subprocess.run(["bash", "-n", str(path)], check=True)


# ------------------------------------------------------------------------ Dockerfile


def dockerfile_stages() -> list[tuple[str, str, list[str]]]:
    """(base image, stage name, instruction lines) per stage, ARG defaults resolved."""
    text = (DEPLOY / "Dockerfile").read_text()
    text = re.sub(r"\\\n\s*", " ", text)  # join continuation lines
    args = dict(re.findall(r"^ARG (\w+)=(\S+)", text, re.M))
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            match = re.match(r"FROM\s+(\S+)(?:\s+AS\s+(\S+))?", line, re.I)
            image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], match.group(1))
            stages.append((image, match.group(2) or "", []))
        elif stages:
            stages[-1][2].append(line)
    return stages


def test_dockerfile_is_multi_stage_pinned_and_non_root():
    stages = dockerfile_stages()
    names = [name for _, name, _ in stages]
    assert len(stages) >= 2 and names[0] == "builder" and names[-1] == "runtime"
    for image, _, _ in stages:
        if image in names:  # FROM an earlier stage
            continue
        assert ":" in image and not image.endswith(":latest"), image
        assert re.search(r":3\.11\.\d+-slim", image), f"pin the Python image: {image}"
    for image, name, lines in stages[1:]:
        text = "\n".join(lines)
        assert not re.search(r"\b(gcc|g\+\+|build-essential|clang)\b", text), \
            f"no compilers in stage {name}"
    final = stages[-1][2]
    users = [line.split()[1] for _, _, lines in stages for line in lines if line.startswith("USER ")]
    assert users and all(u in {"ticketdesk", "10001"} for u in users)
    assert any(line.startswith("USER ") for line in final) or \
        any(line.startswith("USER ") for line in stages[-2][2])


def test_dockerfile_runtime_contents():
    text = (DEPLOY / "Dockerfile").read_text()
    assert "PYTHONDONTWRITEBYTECODE=1" in text and "PYTHONUNBUFFERED=1" in text
    assert re.search(r"useradd [^\n]*--uid 10001", text)
    assert re.search(r"install -d -o ticketdesk -g ticketdesk [^\n]*/var/lib/ticketdesk", text)
    exposed = {int(p) for line in re.findall(r"^EXPOSE (.*)$", text, re.M) for p in line.split()}
    assert exposed == set(PORTS.values()) | set(METRICS.values())
    assert re.search(r"^HEALTHCHECK ", text, re.M), "HEALTHCHECK (or NONE, documented)"
    assert re.search(r'^CMD \["ticketdesk", "--help"\]', text, re.M)
    assert "--no-index --find-links /wheels" in text  # only the built wheels
    for source in re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", text, re.M):
        for item in source.split():
            assert (ROOT / item).exists(), f"COPY {item}: missing"


def test_dockerfile_copies_every_package_and_dockerignore_keeps_them():
    text = (DEPLOY / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\S+)/ \S+/$", text, re.M))
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}  # dev only
    assert packages <= copied | {"ticketdesk"}, sorted(packages - copied)
    assert "proto" in copied
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    for must in (".git", ".venv", "var", "deploy/*.env", "deploy/.env", "deploy/certs"):
        assert must in ignored, must
    for item in copied | {"pyproject.toml", "README.md", "deploy/healthcheck.py", "deploy/backup.py"}:
        assert item not in ignored


# ------------------------------------------------------------------------ Kubernetes


def test_kustomization_lists_every_manifest():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    present = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present
    assert kustomization["namespace"] == "ticketdesk"


def test_k8s_documents_are_well_formed(k8s):
    for doc in k8s:
        assert doc.get("apiVersion") and doc.get("kind") and doc["metadata"].get("name"), doc
        if doc["kind"] not in ("Namespace",):
            assert "namespace" not in doc["metadata"], "kustomization sets the namespace"


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def test_k8s_workloads_are_locked_down_with_resources(k8s):
    workloads = {**of_kind(k8s, "Deployment"), **of_kind(k8s, "Job")}
    assert workloads
    for name, workload in workloads.items():
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] == 10001, name
        mounts_by_volume = {v["name"]: v for v in spec["volumes"]}
        for container in spec["containers"]:
            assert container["image"].startswith("ticketdesk:"), name
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), name
            assert {"cpu", "memory"} <= set(resources["limits"]), name
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert "emptyDir" in mounts_by_volume[mounts["/tmp"]], name
            refs = {ref.get("configMapRef", ref.get("secretRef", {})).get("name")
                    for ref in container["envFrom"]}
            assert refs == {"ticketdesk-config", "ticketdesk-secrets"}, name


def test_k8s_deployments_probes_services_and_budgets(k8s):
    deployments = of_kind(k8s, "Deployment")
    services = of_kind(k8s, "Service")
    budgets = of_kind(k8s, "PodDisruptionBudget")
    assert set(deployments) == {f"ticketdesk-{role}" for role in REPLICATED}
    for name, deployment in deployments.items():
        role = name.removeprefix("ticketdesk-")
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items(), name
        assert deployment["spec"]["replicas"] == 2, name
        spec = pod_spec(deployment)
        assert spec.get("topologySpreadConstraints") or spec.get("affinity"), name
        for constraint in spec.get("topologySpreadConstraints", []):
            assert constraint["labelSelector"]["matchLabels"].items() <= labels.items()
        container = spec["containers"][0]
        assert container["command"] == (["python", "-m", MODULES[role]]), name

        budget = budgets[name]
        assert budget["spec"]["minAvailable"] == 1
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()

        if role in METRICS:
            assert {"name": "metrics", "containerPort": METRICS[role]} in container["ports"]
            notes = deployment["spec"]["template"]["metadata"]["annotations"]
            assert notes["prometheus.io/port"] == str(METRICS[role]), name
        if role in GRPC:
            port = PORTS[role]
            assert container["ports"][0] == {"name": "grpc", "containerPort": port}
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                assert container[probe]["grpc"]["port"] == port, f"{name} {probe}"
        if role in GRPC or role == "ui":
            service = services[name]
            assert service["spec"]["selector"].items() <= labels.items(), name
            targets = {p["targetPort"] for p in service["spec"]["ports"]}
            assert targets <= {p["name"] for p in container["ports"]} | {p["containerPort"] for p in container["ports"]}
        if role == "worker":
            assert [p["name"] for p in container["ports"]] == ["metrics"]
            assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
            assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
        if role == "ui":
            assert container["ports"][0] == {"name": "http", "containerPort": PORTS["ui"]}
            assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
            assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}


def test_k8s_grpc_services_are_headless_and_addresses_match(k8s):
    services = of_kind(k8s, "Service")
    config = of_kind(k8s, "ConfigMap")["ticketdesk-config"]["data"]
    for role in GRPC:
        service = services[f"ticketdesk-{role}"]
        assert service["spec"]["clusterIP"] == "None"
        assert service["spec"]["ports"][0]["port"] == PORTS[role]
        assert config[f"TICKETDESK_{role.upper()}_ADDRESS"] == f"ticketdesk-{role}:{PORTS[role]}"


def test_k8s_ingress_for_the_ui(k8s):
    ingress = of_kind(k8s, "Ingress")["ticketdesk-ui"]
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    size = notes["nginx.ingress.kubernetes.io/proxy-body-size"]
    assert int(size.rstrip("m")) * 1024 * 1024 > MAX_UPLOAD
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    service = of_kind(k8s, "Service")[backend["name"]]
    assert backend["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}
    assert ingress["spec"]["tls"]


def test_k8s_jobs(k8s):
    jobs = of_kind(k8s, "Job")
    assert pod_spec(jobs["ticketdesk-migrate"])["containers"][0]["command"] == ["ticketdesk", "migrate"]
    setup = pod_spec(jobs["ticketdesk-temporal-setup"])["containers"][0]["command"]
    assert setup == ["/opt/ticketdesk/register-search-attributes.sh"]


def test_k8s_config_and_secret(k8s, monkeypatch):
    config = of_kind(k8s, "ConfigMap")["ticketdesk-config"]["data"]
    secret = of_kind(k8s, "Secret")["ticketdesk-secrets"]["stringData"]
    assert not (SECRET_NAMES & set(config)), "secrets belong in the Secret"
    for name in ("TICKETDESK_SERVICE_TOKEN", "TICKETDESK_UI_STORAGE_SECRET",
                 *(f"TICKETDESK_{r.upper()}_DATABASE_URL" for r in GRPC)):
        assert name in secret, name
    for name, value in secret.items():
        assert value in ("", "CHANGE_ME") or "CHANGE_ME" in value or name == "NICEGUI_REDIS_URL"
    assert config["TICKETDESK_MIGRATE_ON_START"] == "false"
    for name in list(__import__("os").environ):
        if name.startswith("TICKETDESK_"):
            monkeypatch.delenv(name)
    for name, value in {**config, **secret}.items():
        if name.startswith("TICKETDESK_"):
            monkeypatch.setenv(name, value)
    Settings()  # every value parses


# ----------------------------------------------------------------------------- nginx


def test_nginx_conf():
    text = (DEPLOY / "nginx.conf").read_text()
    code = re.sub(r"#[^\n]*", "", text)
    assert code.count("{") == code.count("}")
    assert "proxy_http_version 1.1;" in code
    assert "proxy_set_header Upgrade $http_upgrade;" in code
    assert "proxy_set_header Connection $connection_upgrade;" in code
    assert "location /_nicegui_ws/ {" in code
    websocket = code.split("location /_nicegui_ws/ {", 1)[1].split("}", 1)[0]
    assert int(re.search(r"proxy_read_timeout (\d+)s;", websocket).group(1)) >= 3600
    size = re.search(r"client_max_body_size (\d+)m;", code).group(1)
    assert int(size) * 1024 * 1024 >= MAX_UPLOAD + 1024 * 1024, "headroom above the upload limit"
    ui = code.split("upstream ticketdesk_ui {", 1)[1].split("}", 1)[0]
    assert re.search(r"^\s*(ip_hash|hash \S+)", ui, re.M), "sticky sessions for the UI"
    assert f"server ui:{PORTS['ui']}" in ui
    for role in GRPC:
        assert f"server {role}:{PORTS[role]}" in code
        assert re.search(rf"listen {PORTS[role]} ssl;", code)
    for header in ("Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options",
                   "Referrer-Policy", "Content-Security-Policy"):
        assert f"add_header {header}" in code, header
    assert "ssl_certificate /etc/nginx/certs/fullchain.pem;" in code
    assert "ssl_certificate_key /etc/nginx/certs/privkey.pem;" in code
    assert "listen 443 ssl" in code and "return 301 https://" in code


# ---------------------------------------------------------------------- healthcheck


def run_healthcheck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(DEPLOY / "healthcheck.py"), *args],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_healthcheck_grpc():
    import grpc
    from grpc_health.v1 import health, health_pb2, health_pb2_grpc

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        servicer.set("", health_pb2.HealthCheckResponse.SERVING)
        assert run_healthcheck("grpc", f"127.0.0.1:{port}").returncode == 0
        servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
        result = run_healthcheck("grpc", f"127.0.0.1:{port}")
        assert result.returncode == 1 and "NOT_SERVING" in result.stderr
    finally:
        server.stop(None)
    assert run_healthcheck("grpc", f"127.0.0.1:{port}").returncode == 1
    assert run_healthcheck().returncode == 2


def test_healthcheck_http():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200 if self.path == "/login" else 500)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert run_healthcheck("http", f"{base}/login").returncode == 0
        assert run_healthcheck("http", f"{base}/broken").returncode == 1
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------------- wheel


def test_the_wheel_carries_every_file_the_code_needs(tmp_path):
    """The image installs only the built wheel: migrations, templates and stubs must be in it."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "pyproject.toml",
                             "README.md", "proto", "services", "workflows", "ui", "cli"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    source = tmp_path / "src"
    for name in listed:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((ROOT / name).read_bytes())
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(tmp_path / "wheels"), str(source)],
                   check=True, capture_output=True, timeout=300)
    import zipfile

    wheel = next((tmp_path / "wheels").glob("ticketdesk-*.whl"))
    inside = set(zipfile.ZipFile(wheel).namelist())
    needed = []
    for name in listed:
        path = Path(name)
        if path.suffix in {".proto", ".md"} or name in {"pyproject.toml"}:
            continue
        needed.append(path.relative_to("proto").as_posix() if path.parts[0] == "proto" else name)
    missing = sorted(n for n in needed if n not in inside)
    assert not missing, f"not in the wheel (pyproject package-data?): {missing}"
    assert any(n.endswith("migrations/env.py") for n in inside)
