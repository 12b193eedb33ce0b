"""The deployment kit in `deploy/`: systemd units, their environment file, the nginx site.

As far as a machine without systemd as init allows: `systemd-analyze verify` checks the units
(drop-in included) and fails on any warning; the units' exact ExecStart commands, with the
environment file's variables, run the explorer and the scheduler as the service would (only the
install path, the port and the catalogue home differ); nginx, when installed, runs the site
configuration in front of them over real TLS on loopback.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from catalog.config import SETTINGS, Settings, SourceConfig
from catalog.rdf import to_graph
from tests.factories import mfr_dataset
from tests.processes import answering, free_port, wait_for

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
TIMERS = sorted((DEPLOY / "systemd").glob("*.timer"))
INSTALLED = "/opt/helsekatalog/venv/bin/"
"""Where the units expect the catalogue to be installed; these tests use this checkout's venv."""
HERE = str(Path(sys.executable).parent) + "/"
ENV_FILE = "/etc/helsekatalog/helsekatalog.env"
TOKEN = "deploy-test-token"


def unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as systemd reads it: section -> key -> values (a key may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        assert not line.endswith("\\"), f"{path.name}:{number}: no continued lines, please"
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        assert current is not None and "=" in line, f"{path.name}:{number}: {line!r}"
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def environment_file(path: Path = DEPLOY / "helsekatalog.env") -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            found[key] = value
    return found


def exec_start(name: str, port: int | None = None) -> list[str]:
    [command] = unit(DEPLOY / "systemd" / name)["Service"]["ExecStart"]
    argv = shlex.split(command)
    assert argv[0].startswith(INSTALLED)
    argv[0] = HERE + argv[0].removeprefix(INSTALLED)
    if port is not None:
        argv[argv.index("--port") + 1] = str(port)
    return argv


def test_every_variable_the_environment_file_sets_is_a_declared_setting():
    declared = {env for env, _default, _help in SETTINGS.values()} | {"CATALOG_HOME"}
    named = set(environment_file()) | {
        line.lstrip("#").split("=", 1)[0]
        for line in (DEPLOY / "helsekatalog.env").read_text().splitlines()
        if line.startswith("#CATALOG_")
    }
    assert named <= declared, f"not settings: {sorted(named - declared)}"


@pytest.mark.parametrize("path", UNITS, ids=[p.name for p in UNITS])
def test_the_units_run_the_installed_command_as_its_own_user_with_the_environment_file(path):
    service = unit(path)["Service"]
    assert service["User"] == ["helsekatalog"] and service["EnvironmentFile"] == [ENV_FILE]
    assert service["StateDirectory"] == ["helsekatalog"]  # /var/lib/helsekatalog = CATALOG_HOME
    assert environment_file()["CATALOG_HOME"] == "/var/lib/helsekatalog"
    assert shlex.split(service["ExecStart"][0])[0] == INSTALLED + "catalog"
    if path.with_suffix(".timer").exists():  # started by its timer, which is what is enabled
        assert "Install" not in unit(path) and service["Type"] == ["oneshot"]
        assert unit(path.with_suffix(".timer"))["Install"]["WantedBy"] == ["timers.target"]
    else:
        assert unit(path)["Install"]["WantedBy"] == ["multi-user.target"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_finds_nothing_to_say_about_the_units(tmp_path):
    env = tmp_path / "helsekatalog.env"
    shutil.copy(DEPLOY / "helsekatalog.env", env)
    for path in UNITS + TIMERS:  # as installed, but pointing at this checkout's command and a copy of the env file
        text = path.read_text().replace(INSTALLED, HERE).replace(ENV_FILE, str(env))
        (tmp_path / path.name).write_text(text)
        if path.suffix == ".service":
            dropins = tmp_path / f"{path.name}.d"
            dropins.mkdir()
            shutil.copy(DEPLOY / "systemd" / "elasticsearch.conf", dropins)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *[str(tmp_path / p.name) for p in UNITS + TIMERS]],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_the_exact_exec_start_commands_serve_harvest_and_carry_out_admin_requests(tmp_path, server):
    home = tmp_path / "var-lib-helsekatalog"
    env = {**os.environ, **environment_file(), "CATALOG_HOME": str(home), "CATALOG_ADMIN_TOKEN": TOKEN}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = {name: tmp_path / f"{name}.log" for name in ("explorer", "scheduler")}
    procs = {}
    try:
        for name in ("explorer", "scheduler"):
            argv = exec_start(f"helsekatalog-{name}.service", port if name == "explorer" else None)
            with logs[name].open("w") as stderr:
                procs[name] = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        assert answering(base + "/healthz").json() == {"status": "alive"}
        assert requests.get(base + "/readyz", timeout=10).status_code == 200
        feed = server.serve(
            "/mfr.ttl", to_graph([mfr_dataset()]).serialize(format="turtle"), Content_Type="text/turtle"
        )
        auth = {"Authorization": f"Bearer {TOKEN}"}
        added = requests.post(
            base + "/admin/sources", json={"name": "mfr", "kind": "dcat", "url": feed}, headers=auth, timeout=10
        )
        assert added.status_code == 202
        status = base + added.headers["Location"]
        wait_for(lambda: requests.get(status, headers=auth, timeout=10).json()["state"] == "done", 60, "the request")
        hits = wait_for(lambda: requests.get(base + "/api/search?q=fødselsvekt", timeout=10).json()["total"], 60)
        assert hits == 1
        metrics = requests.get(base + "/metrics", timeout=10).text
        assert 'catalog_harvest_runs_total{source="mfr",status="ok"} 1.0' in metrics
        # behind the proxy the environment file trusts, feed links follow its scheme and host
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "katalog.example.no"}
        assert (
            "<https://katalog.example.no/catalog" in requests.get(base + "/catalog", headers=forwarded, timeout=10).text
        )
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
    assert procs["explorer"].wait(20) == 0
    assert procs["scheduler"].wait(20) in (0, -signal.SIGTERM)  # systemd counts SIGTERM as a clean stop
    for name, path in logs.items():  # CATALOG_LOG_FORMAT=json: every line of both is a JSON object
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert lines and all({"time", "level", "event"} <= set(line) for line in lines), name
    events = [line["event"] for line in map(json.loads, logs["scheduler"].read_text().splitlines())]
    assert "admin request finished" in events and "harvest finished" in events


def test_the_backup_units_exact_command_backs_up_a_running_home_into_a_dated_folder(tmp_path, server):
    home = tmp_path / "var-lib-helsekatalog"
    env = {**os.environ, **environment_file(), "CATALOG_HOME": str(home)}
    settings = Settings.load(home)
    feed = server.serve("/mfr.ttl", to_graph([mfr_dataset()]).serialize(format="turtle"), Content_Type="text/turtle")
    settings.sources["mfr"] = SourceConfig(name="mfr", kind="dcat", url=feed)
    settings.save_sources()
    subprocess.run([HERE + "catalog", "harvest"], env=env, check=True, capture_output=True)
    argv = exec_start("helsekatalog-backup.service")
    backups = tmp_path / "var-backups-helsekatalog"
    argv[argv.index("--into") + 1] = str(backups)
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    [dated] = backups.iterdir()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d{6}Z", dated.name)
    assert sorted(p.name for p in dated.iterdir()) == ["catalog.sqlite", "catalog.toml"]
    assert "(1 records)" in done.stdout


def test_a_client_cannot_make_the_feeds_link_elsewhere_without_a_trusted_proxy(tmp_path):
    env = {**os.environ, "CATALOG_HOME": str(tmp_path / "home"), "CATALOG_TRUSTED_PROXY": ""}
    port = free_port()
    argv = exec_start("helsekatalog-explorer.service", port)
    with subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        try:
            answering(f"http://127.0.0.1:{port}/healthz")
            forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
            page = requests.get(f"http://127.0.0.1:{port}/catalog", headers=forwarded, timeout=10).text
            assert "evil.example" not in page and f"<http://127.0.0.1:{port}/catalog" in page
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)


def nginx_site(tmp_path: Path, upstream: int, listen: int, long: int) -> tuple[Path, Path]:
    """deploy/nginx/helsekatalog.conf with only the ports and the certificate's paths changed,
    inside a minimal main configuration that keeps every file under `tmp_path`; and the site's
    self-signed certificate (for katalog.example.no and 127.0.0.1)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=katalog.example.no"]
        + ["-addext", "subjectAltName=DNS:katalog.example.no,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx" / "helsekatalog.conf").read_text()
    site = site.replace("127.0.0.1:8000", f"127.0.0.1:{upstream}").replace("127.0.0.1:8001", f"127.0.0.1:{long}")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{listen} ssl http2;")
    site = site.replace("listen [::]:443 ssl http2;\n", "").replace("listen [::]:80;\n", "")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
    site = site.replace("/etc/ssl/certs/katalog.example.no.pem", str(cert))
    site = site.replace("/etc/ssl/private/katalog.example.no.key", str(key))
    (tmp_path / "site.conf").write_text(site)
    temp = "".join(
        f"    {kind}_temp_path {tmp_path}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{\n    access_log {tmp_path}/access.log;\n{temp}    include {tmp_path}/site.conf;\n}}\n"
    )
    return main, cert


@dataclass
class Site:
    """The site configuration running in nginx over TLS on loopback, in front of the explorer and
    long-request units started by their exact ExecStart commands."""

    public: str
    cert: Path
    upstream: int
    long: int

    def fetch(self, method: str, path: str, stream: bool = False, **headers: str) -> requests.Response:
        """Over TLS checked against the site's own certificate (given per request: a
        REQUESTS_CA_BUNDLE in the environment would override a session's)."""
        headers = {"Host": "katalog.example.no", **headers}
        return requests.request(
            method, self.public + path, verify=str(self.cert), timeout=10, headers=headers, stream=stream
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if shutil.which("nginx") is None or shutil.which("openssl") is None:
        pytest.skip("nginx or openssl is not installed (apt-get install nginx openssl)")
    tmp_path = tmp_path_factory.mktemp("nginx")
    upstream, listen, long = free_port(), free_port(), free_port()
    home = tmp_path / "home"
    env = {**os.environ, **environment_file(), "CATALOG_HOME": str(home), "CATALOG_ADMIN_TOKEN": TOKEN}
    config, cert = nginx_site(tmp_path, upstream, listen, long)
    checked = subprocess.run(["nginx", "-t", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    explorers = [
        subprocess.Popen(
            exec_start(f"helsekatalog-{name}.service", port),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, port in (("explorer", upstream), ("long", long))
    ]
    proxy = subprocess.Popen(["nginx", "-c", str(config), "-p", str(tmp_path)], stderr=subprocess.DEVNULL)
    try:
        answering(f"http://127.0.0.1:{upstream}/healthz")
        answering(f"http://127.0.0.1:{long}/healthz")
        running = Site(f"https://127.0.0.1:{listen}", cert, upstream, long)
        wait_for(lambda: running.fetch("GET", "/healthz").status_code == 200, 30, "nginx")
        yield running
    finally:
        proxy.send_signal(signal.SIGQUIT)
        for explorer in explorers:
            explorer.send_signal(signal.SIGTERM)
        proxy.wait(20)
        for explorer in explorers:
            explorer.wait(20)


def test_nginx_with_the_site_configuration_serves_https_links_and_keeps_admin_internal(site):
    page = wait_for(lambda: r.text if (r := site.fetch("GET", "/catalog")).status_code == 200 else None, 30)
    assert "<https://katalog.example.no/catalog" in page and f":{site.upstream}" not in page
    assert site.fetch("GET", "/healthz").status_code == 200  # 127.0.0.1 is allowed
    assert site.fetch("POST", "/admin/reindex", Authorization=f"Bearer {TOKEN}").status_code == 403  # not 10.0.0.0/8

    # the long requests go to the threaded unit, whose own metrics count them; pages do not
    def dumps(port: int) -> float:
        return _counted(port, "catalog_feed_requests_total", 'answer="dump"')

    before = {port: dumps(port) for port in (site.upstream, site.long)}
    assert site.fetch("GET", "/catalog/dump.nt").status_code == 200
    assert site.fetch("GET", "/catalog?page=all").status_code == 200
    assert site.fetch("GET", "/sparql?query=ASK%20%7B%7D").status_code == 200
    counted = {
        port: requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text for port in (site.upstream, site.long)
    }
    assert (dumps(site.long) - before[site.long], dumps(site.upstream) - before[site.upstream]) == (2, 0)
    sparql = 'endpoint="feeds.sparql.sparql",method="GET",status="200"'
    assert sparql in counted[site.long] and sparql not in counted[site.upstream]
    assert 'endpoint="feeds.catalog",method="GET",status="200"' in counted[site.upstream]  # a feed page


@pytest.mark.parametrize(
    "path",
    ["/catalog", "/catalog?profile=healthdcat-ap", "/catalog/dump.nt", "/api/openapi.json", "/static/style.css", "/"],
)
def test_nginx_compresses_feeds_dumps_api_and_pages_for_clients_that_ask(site, path):
    plain = site.fetch("GET", path, **{"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    compressed = site.fetch("GET", path, stream=True, **{"Accept-Encoding": "gzip"})
    assert compressed.headers.get("Content-Encoding") == "gzip" and "Accept-Encoding" in compressed.headers["Vary"]
    wire = compressed.raw.read(decode_content=False)
    assert len(wire) < len(plain.content) / 2
    assert gzip.decompress(wire) == plain.content


def test_a_harvester_revalidates_a_compressed_feed_page_by_its_weakened_etag(site):
    page = site.fetch("GET", "/catalog", **{"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and page.headers["ETag"].startswith('W/"')
    again = site.fetch("GET", "/catalog", **{"Accept-Encoding": "gzip", "If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304


def test_nginx_answers_429_to_a_client_beyond_its_rate_without_asking_the_catalogue(site):
    """Run last in this module: it spends 127.0.0.1's allowance (and waits for it to come back)."""
    assert site.fetch("GET", "/").headers["Strict-Transport-Security"] == "max-age=31536000"
    # (the module's other tests have spent some of the allowances: a burst is at most so many)
    dumps = [site.fetch("GET", "/catalog?page=all").status_code for _ in range(20)]
    assert dumps[0] == 200 and dumps.count(200) <= 13 and set(dumps) == {200, 429}  # one a second, bursts of 10
    before = _counted(site.upstream, "catalog_http_requests_total", 'endpoint="api.openapi"')
    started = time.monotonic()
    seen = [site.fetch("GET", "/api/openapi.json").status_code for _ in range(150)]
    took = time.monotonic() - started
    # 20 a second, bursts of 60: no more let through than the burst and what the rate gave back
    # meanwhile (a fixed 100 failed once when the 150 requests took 2.1 s, and 102 were let through)
    assert seen[:20] == [200] * 20 and set(seen) == {200, 429}
    assert seen.count(200) <= 61 + 20 * took + 1, (seen.count(200), took)
    assert _counted(site.upstream, "catalog_http_requests_total", 'endpoint="api.openapi"') - before == seen.count(
        200
    )  # the refused never reached it
    wait_for(lambda: site.fetch("GET", "/").status_code == 200, 10, "the allowance to come back")


def _counted(port: int, metric: str, label: str) -> float:
    """What an explorer's metrics count in `metric`'s series with `label` (`name="value"`)."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(metric + "{") and label in line
    )
