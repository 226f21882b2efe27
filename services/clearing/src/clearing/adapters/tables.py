"""The clearing database."""

from sqlalchemy import MetaData

from medins_common.messaging_tables import messaging_tables

metadata = MetaData()
messaging_tables(metadata)
