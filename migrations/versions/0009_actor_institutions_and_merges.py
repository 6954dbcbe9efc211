"""Actors: ``part_of`` (an institution's country, the Senate's Congress) and ``actor_merges``
(the ids and keys of actors that re-annotation merged into another, so they keep answering).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite only auto-increments an INTEGER PRIMARY KEY.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Not batch mode: rebuilding ``actors`` would drop the table every annotation points at
        # (with foreign keys on, a cascade). SQLite adds a column with its reference in place
        # (no ON DELETE: SQLite's reflection would not see it; a merge moves the parts itself).
        op.execute(
            "ALTER TABLE actors ADD COLUMN part_of_id INTEGER CONSTRAINT "
            "fk_actors_part_of_id_actors REFERENCES actors (id)"
        )
    else:
        op.add_column("actors", sa.Column("part_of_id", _ID, nullable=True))
        op.create_foreign_key(
            "fk_actors_part_of_id_actors",
            "actors",
            "actors",
            ["part_of_id"],
            ["id"],
        )
    op.create_index("ix_actors_part_of_id", "actors", ["part_of_id"])
    op.create_table(
        "actor_merges",
        sa.Column("id", _ID, autoincrement=False, nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("actor_id", _ID, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_actor_merges"),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["actors.id"],
            name="fk_actor_merges_actor_id_actors",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_actor_merges_key", "actor_merges", ["key"], unique=True)
    op.create_index("ix_actor_merges_actor_id", "actor_merges", ["actor_id"])


def downgrade() -> None:
    op.drop_table("actor_merges")
    op.drop_index("ix_actors_part_of_id", "actors")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35+) drops a column in place once nothing indexes it; its reference goes too
        op.execute("ALTER TABLE actors DROP COLUMN part_of_id")
    else:
        op.drop_constraint("fk_actors_part_of_id_actors", "actors", type_="foreignkey")
        op.drop_column("actors", "part_of_id")
