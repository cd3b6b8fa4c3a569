"""The county hub (县级平台): FastAPI on uvicorn over HTTPS, SQLAlchemy 2 + Alembic on PostgreSQL
(SQLite for a one-command trial). It enrolls township devices, takes their pushed events exactly
once and keeps what it is sent — ID numbers encrypted, found by keyed hash. See sync/PROTOCOL.md."""
