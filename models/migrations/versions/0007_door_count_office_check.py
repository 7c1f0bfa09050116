"""door_count: the office is checked once per statement, not once per row

PostgreSQL checks a foreign key row by row (about 4.6 µs a row, more than the
COPY of the row itself): the office foreign key more than doubled the load of
a counter file. It is replaced by triggers that keep the same guarantee:

- PostgreSQL: after each INSERT or UPDATE statement on door_count, one query
  over the statement's new rows (a transition table) refuses an office that
  does not exist, with SQLSTATE 23503 (foreign_key_violation), as the foreign
  key did. The offices are locked FOR KEY SHARE, as a foreign key check does,
  so an office cannot be deleted before the rows commit.
- SQLite: a row trigger (SQLite has no statement triggers; its foreign key
  check was cheap, the trigger costs the same).
- Both: an office that door counts refer to cannot be deleted or renamed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 15:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_door_count_office_id_office"

POSTGRES = [
    """
    CREATE FUNCTION door_count_office_exists() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        asked integer;
        found integer;
    BEGIN
        SELECT count(DISTINCT office_id) INTO asked FROM new_rows;
        SELECT count(*) INTO found FROM (
            SELECT 1 FROM office
            WHERE id IN (SELECT DISTINCT office_id FROM new_rows)
            FOR KEY SHARE
        ) AS locked;
        IF found < asked THEN
            RAISE EXCEPTION 'door_count: office not in table office'
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER door_count_office_on_insert AFTER INSERT ON door_count
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION door_count_office_exists()
    """,
    """
    CREATE TRIGGER door_count_office_on_update AFTER UPDATE ON door_count
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION door_count_office_exists()
    """,
    """
    CREATE FUNCTION office_without_door_counts() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
            RETURN NEW;
        END IF;
        IF EXISTS (SELECT 1 FROM door_count WHERE office_id = OLD.id) THEN
            RAISE EXCEPTION 'office %: door counts refer to it', OLD.id
                USING ERRCODE = 'foreign_key_violation';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$
    """,
    """
    CREATE TRIGGER office_door_counts BEFORE DELETE OR UPDATE OF id ON office
    FOR EACH ROW EXECUTE FUNCTION office_without_door_counts()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER office_door_counts ON office",
    "DROP FUNCTION office_without_door_counts()",
    "DROP TRIGGER door_count_office_on_update ON door_count",
    "DROP TRIGGER door_count_office_on_insert ON door_count",
    "DROP FUNCTION door_count_office_exists()",
]

SQLITE = [
    """
    CREATE TRIGGER door_count_office_on_insert BEFORE INSERT ON door_count
    WHEN NOT EXISTS (SELECT 1 FROM office WHERE id = NEW.office_id)
    BEGIN SELECT RAISE(ABORT, 'door_count: office not in table office'); END
    """,
    """
    CREATE TRIGGER door_count_office_on_update BEFORE UPDATE OF office_id
    ON door_count
    WHEN NOT EXISTS (SELECT 1 FROM office WHERE id = NEW.office_id)
    BEGIN SELECT RAISE(ABORT, 'door_count: office not in table office'); END
    """,
    """
    CREATE TRIGGER office_door_counts_on_delete BEFORE DELETE ON office
    WHEN EXISTS (SELECT 1 FROM door_count WHERE office_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, 'office: door counts refer to it'); END
    """,
    """
    CREATE TRIGGER office_door_counts_on_update BEFORE UPDATE OF id ON office
    WHEN NEW.id <> OLD.id
        AND EXISTS (SELECT 1 FROM door_count WHERE office_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, 'office: door counts refer to it'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER office_door_counts_on_update",
    "DROP TRIGGER office_door_counts_on_delete",
    "DROP TRIGGER door_count_office_on_update",
    "DROP TRIGGER door_count_office_on_insert",
]


def upgrade() -> None:
    with op.batch_alter_table(
        "door_count", table_kwargs={"sqlite_with_rowid": False}
    ) as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE if sqlite else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DROP if sqlite else POSTGRES_DROP:
        op.execute(statement)
    with op.batch_alter_table(
        "door_count", table_kwargs={"sqlite_with_rowid": False}
    ) as batch_op:
        batch_op.create_foreign_key(FK, "office", ["office_id"], ["id"])
