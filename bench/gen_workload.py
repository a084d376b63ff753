#!/usr/bin/env python3
"""Write one benchmark workload in every format the comparison runs.

Usage: gen_workload.py --shape chain|branchy --count N --out DIR [--seed S]
                       [--formats migrate,alembic,sqitch,dbmate,floor]

The revisions are those of gen_graph.py (same shapes, same ids for the same
seed): revision i creates t_<i> (id INTEGER PRIMARY KEY, v TEXT) and the
index ix_t_<i>_v on v; its downgrade drops both.  The SQL is the same text
in every format and runs unchanged on SQLite and PostgreSQL.

DIR receives one subdirectory per format:

  migrate/  this project's environment, written by gen_graph.generate
            (versions/ or versions_b1..b4/), read by migrate_load.
  alembic/  an Alembic environment: alembic.ini (script_location = %(here)s,
            sqlalchemy.url a SQLite file in DIR/alembic, to be replaced by the
            caller), Alembic's generic env.py and script.py.mako, and
            versions/<id>_rev_<i>.py: the revision's ids, labels and message as
            `alembic revision` writes them, each statement one op.execute().
  sqitch/   a sqitch project: sqitch.conf, sqitch.plan (changes rev_<i> in
            generation order), deploy/ and revert/ scripts wrapped in
            BEGIN/COMMIT as sqitch's own templates are; no verify/
            scripts (sqitch deploys without verifying by default).
  dbmate/   a dbmate migrations directory: <version>_rev_<i>.sql, the version
            a timestamp one minute apart per revision, with "-- migrate:up"
            and "-- migrate:down" sections (each runs in its own transaction).
  floor/    up.sql: every upgrade body in generation order; down.sql: every
            downgrade body in reverse order.  Plain SQL without BEGIN or
            COMMIT: the caller wraps it in one transaction (sqlite3 "BEGIN"
            ".read up.sql" "COMMIT", psql -1 -f up.sql).

sqitch and dbmate have no revision graph: they get the branchy shape as one
linear order, generation order, which is topological (every parent comes
before its children).  Alembic and migrate get the graph itself.

Prints one line: the shape, count, heads, and the byte size of the migrate
environment's scripts (the catalog's text).  Only the standard library is
used; the same arguments always write byte-identical files.
"""

import argparse
import datetime
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_graph  # noqa: E402

FORMATS = ("migrate", "alembic", "sqitch", "dbmate", "floor")


def upgrade_sql(i):
    return ["CREATE TABLE t_%d (id INTEGER PRIMARY KEY, v TEXT)" % i,
            "CREATE INDEX ix_t_%d_v ON t_%d (v)" % (i, i)]


def downgrade_sql(i):
    return ["DROP INDEX ix_t_%d_v" % i, "DROP TABLE t_%d" % i]


def fresh(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(path)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


# Alembic 1.8's templates/generic/env.py, verbatim.
ALEMBIC_ENV_PY = '''from logging.config import fileConfig

from sqlalchemy import engine_from_config
from sqlalchemy import pool

from alembic import context

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
target_metadata = None

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def run_migrations_offline() -> None:
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """
    connectable = engine_from_config(
        config.get_section(config.config_ini_section),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )

    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata
        )

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

# Alembic 1.8's templates/generic/script.py.mako, verbatim.
ALEMBIC_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''

# Alembic 1.8's generic alembic.ini, without its comments.
ALEMBIC_INI = '''[alembic]
script_location = %(here)s
prepend_sys_path = .
version_path_separator = os
sqlalchemy.url = sqlite:///%(here)s/bench.db

[post_write_hooks]

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
'''


def create_date(i):
    return "2024-01-%02d 00:00:00.000000" % (1 + i % 28)


def alembic_script(r):
    """One revision as `alembic revision -m` writes it, with its body."""
    i = r["index"]
    if not r["down"]:
        down = None
    elif len(r["down"]) == 1:
        down = r["down"][0]
    else:
        down = tuple(r["down"])
    labels = tuple(r["labels"]) if r["labels"] else None
    up = "\n    ".join('op.execute("%s")' % s for s in upgrade_sql(i))
    dn = "\n    ".join('op.execute("%s")' % s for s in downgrade_sql(i))
    return ('"""benchmark revision %d\n\nRevision ID: %s\nRevises: %s\n'
            'Create Date: %s\n\n"""\nfrom alembic import op\n'
            'import sqlalchemy as sa\n\n\n'
            '# revision identifiers, used by Alembic.\n'
            'revision = %r\ndown_revision = %r\nbranch_labels = %r\n'
            'depends_on = None\n\n\n'
            'def upgrade() -> None:\n    %s\n\n\n'
            'def downgrade() -> None:\n    %s\n'
            % (i, r["id"], ", ".join(r["down"]), create_date(i), r["id"],
               down, labels, up, dn))


def write_alembic(revs, out):
    fresh(out)
    os.makedirs(os.path.join(out, "versions"))
    write(os.path.join(out, "alembic.ini"), ALEMBIC_INI)
    write(os.path.join(out, "env.py"), ALEMBIC_ENV_PY)
    write(os.path.join(out, "script.py.mako"), ALEMBIC_MAKO)
    for r in revs:
        write(os.path.join(out, "versions", "%s_rev_%d.py"
                           % (r["id"], r["index"])), alembic_script(r))


def write_sqitch(revs, out):
    fresh(out)
    for d in ("deploy", "revert"):
        os.makedirs(os.path.join(out, d))
    write(os.path.join(out, "sqitch.conf"),
          "[core]\n\tengine = sqlite\n\ttop_dir = .\n")
    plan = ["%syntax-version=1.0.0", "%project=bench", ""]
    for r in revs:
        i = r["index"]
        name = "rev_%d" % i
        plan.append("%s %s Bench <bench@localhost> # benchmark revision %d"
                    % (name, create_date(i)[:10] + "T00:00:00Z", i))
        write(os.path.join(out, "deploy", name + ".sql"),
              "-- Deploy bench:%s\n\nBEGIN;\n\n%s\n\nCOMMIT;\n"
              % (name, ";\n".join(upgrade_sql(i)) + ";"))
        write(os.path.join(out, "revert", name + ".sql"),
              "-- Revert bench:%s\n\nBEGIN;\n\n%s\n\nCOMMIT;\n"
              % (name, ";\n".join(downgrade_sql(i)) + ";"))
    write(os.path.join(out, "sqitch.plan"), "\n".join(plan) + "\n")


def write_dbmate(revs, out):
    fresh(out)
    t0 = datetime.datetime(2024, 1, 1)
    for r in revs:
        i = r["index"]
        version = (t0 + datetime.timedelta(minutes=i)).strftime("%Y%m%d%H%M%S")
        write(os.path.join(out, "%s_rev_%d.sql" % (version, i)),
              "-- migrate:up\n%s\n\n-- migrate:down\n%s\n"
              % (";\n".join(upgrade_sql(i)) + ";",
                 ";\n".join(downgrade_sql(i)) + ";"))


def dbmate_versions(revs):
    t0 = datetime.datetime(2024, 1, 1)
    return [(t0 + datetime.timedelta(minutes=r["index"])).strftime("%Y%m%d%H%M%S")
            for r in revs]


def write_floor(revs, out):
    fresh(out)
    with open(os.path.join(out, "up.sql"), "w") as f:
        for r in revs:
            f.write("".join(s + ";\n" for s in upgrade_sql(r["index"])))
    with open(os.path.join(out, "down.sql"), "w") as f:
        for r in reversed(revs):
            f.write("".join(s + ";\n" for s in downgrade_sql(r["index"])))
    # the dbmate versions, for building an up-to-date dbmate database
    with open(os.path.join(out, "dbmate_versions.txt"), "w") as f:
        f.write("".join(v + "\n" for v in dbmate_versions(revs)))


def catalog_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            if name.endswith(".sql"):
                total += os.path.getsize(os.path.join(root, name))
    return total


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=("chain", "branchy"), required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--formats", default=",".join(FORMATS))
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")
    formats = [f for f in args.formats.split(",") if f]
    for f in formats:
        if f not in FORMATS:
            ap.error("unknown format %r (known: %s)" % (f, ", ".join(FORMATS)))
    revs, heads = gen_graph.revisions(args.shape, args.count, args.seed)
    os.makedirs(args.out, exist_ok=True)
    if "migrate" in formats:
        path = os.path.join(args.out, "migrate")
        fresh(path)
        gen_graph.generate(args.shape, args.count, path, args.seed)
    if "alembic" in formats:
        write_alembic(revs, os.path.join(args.out, "alembic"))
    if "sqitch" in formats:
        write_sqitch(revs, os.path.join(args.out, "sqitch"))
    if "dbmate" in formats:
        write_dbmate(revs, os.path.join(args.out, "dbmate"))
    if "floor" in formats:
        write_floor(revs, os.path.join(args.out, "floor"))
    size = catalog_bytes(os.path.join(args.out, "migrate"))
    print("%s %d: %d revisions, %d heads, catalog text %d bytes, in %s"
          % (args.shape, args.count, len(revs), heads, size, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
