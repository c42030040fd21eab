"""Database engine, sessions and migrations (SQLite by default, PostgreSQL when configured)."""

from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import Depends, Path
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from heroes.core.errors import HeroesError
from heroes.core.settings import get_settings, on_change

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use heroes.core.db.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


class DatabaseBusy(HeroesError):
    def __init__(self) -> None:
        super().__init__("The server is very busy right now. Nothing was saved; please send it again.", 503)


_engine: Engine | None = None
_sessionmaker: sessionmaker[Session] | None = None
_read_sessionmaker: sessionmaker[Session] | None = None
_priority_sessionmaker: sessionmaker[Session] | None = None
READONLY_OPTION = "heroes_readonly"
PRIORITY_OPTION = "heroes_priority"


class WriterGate:
    """SQLite's one writer at a time, for the threads of this process: they sleep in order of
    arrival and the gate is handed straight to the next one (never the whole crowd woken, and no
    newcomer can take it from the thread woken for it). Short priority transactions (the audit
    log's batches, which staff reads wait for) are handed the gate before ordinary writers that
    are waiting; they never take it from a writer that already has it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held = False
        self._urgent: collections.deque[threading.Event] = collections.deque()
        self._ordinary: collections.deque[threading.Event] = collections.deque()

    def acquire(self, timeout: float, priority: bool = False) -> bool:
        queue = self._urgent if priority else self._ordinary
        with self._lock:
            if not self._held:
                self._held = True
                return True
            turn = threading.Event()
            queue.append(turn)
        if turn.wait(timeout):
            return True
        with self._lock:
            if turn.is_set():  # handed over just as the wait timed out: it is ours
                return True
            queue.remove(turn)
            return False

    def release(self) -> None:
        with self._lock:
            for queue in (self._urgent, self._ordinary):
                if queue:
                    queue.popleft().set()  # still held: it passes to the next in line
                    return
            self._held = False


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and then deadlocks writers; take the write
    # lock at BEGIN instead so concurrent writers wait their turn (busy_timeout) rather than fail.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")  # WAL keeps the file consistent; fsync per checkpoint
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={get_settings().db_busy_timeout * 1000}")
        cursor.close()
        private_files(get_settings().data_dir)  # the WAL and shm files appear with the first connection

    # SQLite has one writer at a time. Writers of this process queue at a gate (asleep, in
    # order of arrival, without the GIL) instead of all polling the file lock: under a burst the
    # busy handler's back-off otherwise starves some writers past any timeout. Other processes
    # (job workers) still meet at the file lock, with busy_timeout.
    gate = WriterGate()
    timeout = get_settings().db_busy_timeout

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Read-only sessions (principal lookups, /healthz, pages that only read) never queue for
        # the write lock: WAL lets them read a snapshot while one writer works.
        if connection.get_execution_options().get(READONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
            return
        if not gate.acquire(timeout, priority=bool(connection.get_execution_options().get(PRIORITY_OPTION))):
            raise DatabaseBusy()
        connection.info["heroes_gate"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            connection.info.pop("heroes_gate", None)
            gate.release()
            raise

    def _release(connection: Any) -> None:
        if connection.info.pop("heroes_gate", False):
            gate.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)


class WriteInReadOnly(RuntimeError):
    """A statement that changes data ran in a read-only session (read_scope, ReadDbSession): a bug.
    Left to run, it would take SQLite's write lock behind the writers' gate and then be rolled back
    (the change silently lost), so it is refused before it reaches the database."""


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC", "UPSERT")


def _guard_read_only(readonly: Engine) -> None:
    """Registered on the read-only engine alone, so ordinary sessions pay nothing for it."""

    @event.listens_for(readonly, "before_cursor_execute")
    def _refuse_writes(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() in _WRITES:
            raise WriteInReadOnly(statement.split(None, 3)[:3])


def get_engine() -> Engine:
    global _engine, _sessionmaker, _read_sessionmaker, _priority_sessionmaker
    if _engine is None:
        settings = get_settings()
        url = settings.resolved_database_url
        # Sized for bursts: as many connections as the web server's thread pool has threads, and
        # a wait for a free one (or for SQLite's write lock) well beyond a burst's length.
        pool = {
            "pool_size": settings.db_pool_size,
            "max_overflow": settings.db_max_overflow,
            "pool_timeout": settings.db_busy_timeout,
        }
        if url.startswith("sqlite"):
            settings.ensure_data_dir()
            connect = {"check_same_thread": False, "timeout": settings.db_busy_timeout}
            _engine = create_engine(url, connect_args=connect, **pool)
            _configure_sqlite(_engine)
        else:
            _engine = create_engine(url, pool_pre_ping=True, **pool)
        _sessionmaker = sessionmaker(bind=_engine, expire_on_commit=False)
        readonly = _engine.execution_options(**{READONLY_OPTION: True})
        _guard_read_only(readonly)
        _read_sessionmaker = sessionmaker(bind=readonly, expire_on_commit=False)
        priority = _engine.execution_options(**{PRIORITY_OPTION: True})
        _priority_sessionmaker = sessionmaker(bind=priority, expire_on_commit=False)
    return _engine


def private_files(folder: FilePath) -> None:
    """The database, its WAL and key files readable by the server's account only (0600)."""
    import os

    for path in folder.glob("*"):
        # Another thread may replace or remove a file between the listing and the check (the audit
        # head is written through a temporary file): a file that is gone needs no protecting.
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)


@on_change  # new settings may name another database
def reset_engine() -> None:
    global _engine, _sessionmaker, _read_sessionmaker, _priority_sessionmaker
    if _engine is not None:
        _engine.dispose()
    _engine = None
    _sessionmaker = None
    _read_sessionmaker = None
    _priority_sessionmaker = None


def new_session() -> Session:
    get_engine()
    assert _sessionmaker is not None
    return _sessionmaker()


@contextlib.contextmanager
def _transaction(session: Session) -> Iterator[Session]:
    """Committed when the block ends, rolled back whole on any exception, closed either way."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def session_scope() -> contextlib.AbstractContextManager[Session]:
    """One transaction: committed when the block ends, rolled back whole on any exception."""
    return _transaction(new_session())


def priority_scope() -> contextlib.AbstractContextManager[Session]:
    """A short write transaction that goes before the queue of this process's SQLite writers (the
    audit log's batches). Keep it short: everyone else waits for it."""
    get_engine()
    assert _priority_sessionmaker is not None
    return _transaction(_priority_sessionmaker())


def is_read_only(session: Session) -> bool:
    """Whether `session` came from read_scope (get_read_db): nothing written in it is kept."""
    return bool(session.get_bind().get_execution_options().get(READONLY_OPTION))


@contextlib.contextmanager
def read_scope() -> Iterator[Session]:
    """A read-only transaction: never takes SQLite's write lock; anything written is refused."""
    get_engine()
    assert _read_sessionmaker is not None
    session = _read_sessionmaker()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def get_db() -> Iterator[Session]:
    with session_scope() as session:
        yield session


def get_read_db() -> Iterator[Session]:
    with read_scope() as session:
        yield session


# scope="function": commit when the route returns, before the answer leaves, so a page loaded right
# after a change always sees it.
DbSession = Annotated[Session, Depends(get_db, scope="function")]
# For routes that only read (and audit nothing): no write lock, no commit.
ReadDbSession = Annotated[Session, Depends(get_read_db, scope="function")]

# Ids in paths and queries: bounded so an out-of-range number is a 422, not a database error.
MAX_DB_ID = 2**31 - 1
DbId = Annotated[int, Path(ge=1, le=MAX_DB_ID)]


def alembic_config() -> Any:
    from alembic.config import Config

    from heroes.core.tools import all_tools

    here = FilePath(__file__).parent / "migrations"
    config = Config()
    config.set_main_option("script_location", str(here))
    locations = [str(here / "versions")]
    for tool in all_tools():
        tool_migrations = tool.package_dir / "migrations"
        if tool_migrations.is_dir():
            locations.append(str(tool_migrations))
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    return config


def upgrade() -> None:
    """Apply every migration of the core and of each tool (all Alembic heads)."""
    from alembic import command

    command.upgrade(alembic_config(), "heads")


def current_revisions() -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with get_engine().connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def import_all_models() -> None:
    import importlib

    from heroes.core.tools import all_tools

    importlib.import_module("heroes.core.models")
    for tool in all_tools():
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"{tool.package}.models")
