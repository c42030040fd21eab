"""Shared fixtures: a migrated database on each backend, the web app, accounts, a live server and
a real headless Chromium.

Tests that use `heroes_db` (directly or through `client`, `live_server`, ...) run once on SQLite and
once on PostgreSQL when a server is reachable (HEROES_TEST_POSTGRES_URL; HEROES_TEST_BACKENDS=sqlite
limits a local run to SQLite). Each backend is migrated once per run in a throw-away schema/file,
and every table is emptied after each test, so tests leave no data behind.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text

from heroes.core import db, jobs
from heroes.core.settings import Settings, set_settings

# CI explores the same examples on every run, so a red run can be replayed; developers' runs keep
# hypothesis's random exploration, which is where new failures are found.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
POSTGRES_URL = os.environ.get("HEROES_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_PASSWORD = "correct-horse-battery"
_ENCRYPTION_KEY = Fernet.generate_key().decode()


def _postgres_reachable() -> bool:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def _backends() -> list[str]:
    wanted = os.environ.get("HEROES_TEST_BACKENDS", "sqlite,postgresql").split(",")
    found = [b for b in ("sqlite", "postgresql") if b in wanted]
    if "postgresql" in found and not _postgres_reachable():
        if os.environ.get("HEROES_REQUIRE_POSTGRES"):
            raise RuntimeError(f"PostgreSQL required but not reachable at {POSTGRES_URL}")
        found.remove("postgresql")
    return found


BACKENDS = _backends()


class _Backend:
    """One migrated database per backend for the whole run."""

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.data_dir = root / name
        self.data_dir.mkdir(parents=True)
        self.schema: str | None = None
        if name == "sqlite":
            self.url = f"sqlite:///{self.data_dir / 'test.db'}"
        else:
            self.schema = f"heroes_test_{uuid.uuid4().hex[:12]}"
            with create_engine(POSTGRES_URL).begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            separator = "&" if "?" in POSTGRES_URL else "?"
            self.url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{self.schema}"
        self.activate()
        db.upgrade()

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": self.data_dir,
            "database_url": self.url,
            "secret_key": "test-session-secret",
            "encryption_key": _ENCRYPTION_KEY,
            "job_runner": "inline",
            "login_max_failures": 5,
        }
        return Settings(**(values | overrides))

    def activate(self, **overrides: Any) -> Settings:
        settings = self.settings(**overrides)
        set_settings(settings)
        return settings

    def empty(self) -> None:
        from sqlalchemy import inspect

        db.import_all_models()
        existing = set(inspect(db.get_engine()).get_table_names())
        with db.session_scope() as session:
            for table in reversed(db.Base.metadata.sorted_tables):
                if table.name in existing:
                    session.execute(table.delete())
        for child in self.data_dir.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            elif child.name.startswith("audit-head"):  # the chain was emptied: so is its recorded head
                child.unlink()

    def drop(self) -> None:
        db.reset_engine()
        if self.schema:
            with create_engine(POSTGRES_URL).begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))


class _BackendPool:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="heroes-tests-"))
        self.backends: dict[str, _Backend] = {}

    def get(self, name: str) -> _Backend:
        if name not in self.backends:
            self.backends[name] = _Backend(name, self.root)
        return self.backends[name]

    def close(self) -> None:
        for backend in self.backends.values():
            backend.drop()
        set_settings(None)
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def _backend_pool() -> Iterator[_BackendPool]:
    pool = _BackendPool()
    yield pool
    pool.close()


@pytest.fixture(params=BACKENDS)
def heroes_db(request: pytest.FixtureRequest, _backend_pool: _BackendPool) -> Iterator[Settings]:
    """A migrated, empty database on one backend, with the settings pointing at it."""
    backend = _backend_pool.get(request.param)
    settings = backend.activate()
    jobs.set_runner(None)
    try:
        yield settings
    finally:
        jobs.set_runner(None)
        backend.activate()
        backend.empty()
        db.reset_engine()


@pytest.fixture
def backend_name(heroes_db: Settings) -> str:
    return "sqlite" if heroes_db.resolved_database_url.startswith("sqlite") else "postgresql"


@pytest.fixture
def make_user(heroes_db: Settings) -> Callable[..., str]:
    """Create a staff account; returns its username (password: TEST_PASSWORD)."""
    from heroes.core.auth import create_user

    def make(role: str, username: str | None = None, password: str = TEST_PASSWORD) -> str:
        name = username or f"{role}-{secrets.token_hex(3)}"
        with db.session_scope() as session:
            create_user(session, name, password, role, actor="test")
        return name

    return make


@pytest.fixture
def app(heroes_db: Settings) -> Any:
    from heroes.core.web.app import create_app

    return create_app()


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_of(client: Any) -> str:
    """The CSRF token of the client's session (from the page's meta tag)."""
    response = client.get("/login")
    match = CSRF_META.search(response.text)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def login_as(client: Any, make_user: Callable[..., str]) -> Callable[..., str]:
    """Sign the test client in with a new account of the given role; returns the username."""

    def login(role: str, username: str | None = None) -> str:
        name = make_user(role, username)
        token = csrf_of(client)
        response = client.post(
            "/login", data={"username": name, "password": TEST_PASSWORD, "csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
        return name

    return login


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(heroes_db: Settings) -> Iterator[str]:
    """The real app served by uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    import uvicorn

    from heroes.core.web.app import create_app

    settings = heroes_db.model_copy(update={"job_runner": "thread"})
    set_settings(settings)
    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A real headless Chromium (Debian's package), driven by Playwright."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError("chromium is not installed; .ci/run installs it")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    """A fresh browser page (English locale); `page.base_url` is the live server."""
    context = browser.new_context(locale="en-GB", base_url=live_server)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    console_errors: list[str] = []
    tab.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    tab.console_errors = console_errors  # type: ignore[attr-defined]
    yield tab
    context.close()


@pytest.fixture
def browser_login(make_user: Callable[..., str]) -> Callable[..., str]:
    """Sign a browser page in with a new account of the given role; returns the username."""

    def login(tab: Any, role: str) -> str:
        name = make_user(role)
        tab.goto("/login")
        tab.fill("#username", name)
        tab.fill("#password", TEST_PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_selector("[data-testid=whoami]")
        return name

    return login


@pytest.fixture
def shared_data() -> Path:
    """The training/evaluation data beside the repository; tests that need it skip without it."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def local_ray() -> Iterator[None]:
    """A real local Ray with 2 CPUs, started once per run for the tests that need it."""
    pytest.importorskip("ray")
    from heroes.core import ray_runner

    ray_runner.disconnect()
    ray_runner.connect(address="", num_cpus=2)
    yield
    ray_runner.disconnect()
