"""env.py of the converter's test environments: online runs only.

The URL comes from the config attribute "url" (set by the tests), the
environment variable MIGRATE_ALEMBIC_URL or the ini's sqlalchemy.url.
"""
import os

from alembic import context
from sqlalchemy import create_engine

url = (
    context.config.attributes.get("url")
    or os.environ.get("MIGRATE_ALEMBIC_URL")
    or context.config.get_main_option("sqlalchemy.url")
)
if context.is_offline_mode():
    context.configure(url=url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
