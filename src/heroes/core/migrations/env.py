"""Alembic environment: the engine comes from HEROES settings, never from an ini file."""

from alembic import context

from heroes.core.db import Base, get_engine, import_all_models

import_all_models()
target_metadata = Base.metadata

with get_engine().connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
