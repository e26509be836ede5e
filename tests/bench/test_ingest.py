"""The bench's bare insert endpoint: one committed row per request, on hookhub's database."""

from __future__ import annotations

from bench.ingest import BareRow, bare_insert_app
from core import db


def test_bare_insert_commits_the_raw_body(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/bench.db"
    monkeypatch.setenv("DATABASE_URL", url)
    reader = db.database_from_url(url)
    with reader.bind_ctx([BareRow]):
        reader.create_tables([BareRow])
    client = bare_insert_app().test_client()

    answer = client.post("/webhooks/key", data=b"a=1&b=2",
                         content_type="application/x-www-form-urlencoded")

    assert answer.status_code == 202
    assert answer.get_json() == {"id": 1, "status": "received"}
    with reader.bind_ctx([BareRow]):
        assert [bytes(r.body) for r in BareRow.select()] == [b"a=1&b=2"]
