"""python app.py reprocess: the filters, the progress bar, the diffs and the summary."""

from __future__ import annotations

import pytest

from tests.processes.helpers import definition

LEAD = {"EntityName": "Lead", "Email": "a@b.c", "CountryId": "Canada"}


@pytest.fixture
def failures(client, admin, source_key) -> dict:
    other = client.post("/api/v1/sources", headers=admin, json={"name": "other"}).json
    for key in (source_key, source_key, other["api_key"]):
        assert client.post(f"/webhooks/{key}", json=LEAD).json["status"] == "failed"
    process = client.get("/api/v1/processes", headers=admin).json["items"][0]["id"]
    client.put(f"/api/v1/processes/{process}/definition", headers=admin,
               json=definition({"resolve": {"match_names": True}}))
    return {"other": other["id"]}


def test_the_command_line_with_a_progress_bar(app, failures):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reprocess", "--status", "failed", "--since", "2000-01-01"])
    assert result.exit_code == 0, result.output
    assert "reprocessing 3 webhook(s)" in result.output
    assert result.output.endswith("reprocessed 3 webhook(s): 3 processed\n")
    again = runner.invoke(args=["reprocess", "--status", "processed", "--source",
                                str(failures["other"]), "--diff"])
    lines = again.output.splitlines()
    assert lines[-1] == "reprocessed 1 webhook(s): 1 processed"
    assert '"change": "unchanged"' in lines[-2]
    assert runner.invoke(args=["reprocess"]).output.endswith("reprocessed 0 webhook(s): nothing matched\n")
