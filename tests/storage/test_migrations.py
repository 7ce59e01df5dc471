from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import migrate
from storage.engine import open_engine
from storage.models import SQLModel


async def test_upgrade_from_empty_to_head_matches_the_models(empty_database_url: str) -> None:
    async with open_engine(empty_database_url) as engine:
        before, after = await migrate.upgrade(engine)
        assert (before, after) == (None, migrate.head_revision())

        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}),
                    SQLModel.metadata,
                )
            )
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert differences == []
    assert set(SQLModel.metadata.tables) <= tables


async def test_upgrade_is_repeatable_and_downgrade_removes_everything(
    empty_database_url: str,
) -> None:
    async with open_engine(empty_database_url) as engine:
        await migrate.upgrade(engine)
        assert await migrate.upgrade(engine) == (migrate.head_revision(),) * 2
        await migrate.downgrade(engine)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert tables <= {"alembic_version"}
        await migrate.upgrade(engine)
        assert await migrate.current_revision(engine) == migrate.head_revision()
