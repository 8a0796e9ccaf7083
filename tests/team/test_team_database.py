"""A team on one PostgreSQL: the database itself enforces who may write and see what.

Every rule is tried twice: through the CLI (one clear line, exit 1) and with raw SQL through psycopg as
the member's own LOGIN role, which the database must refuse just the same.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.cli_runner import invoke, run
from tests.conftest import PG_ADMIN
from tests.team.conftest import _sql

pytestmark = pytest.mark.postgres  # the SQLite case below needs no server


def test_members_forecast_as_themselves_and_see_others_only_after_forecasting(team_db):
    u, n = team_db["urls"], team_db["names"]
    assert invoke("q", "add", "Will it rain in London on 2027-01-05?", "--closes", "2027-01-05", db=u["alice"]).code == 0
    slug = "will-it-rain-in-london-on-2027-01-05"
    assert invoke("predict", slug, "30%", db=u["alice"]).code == 0

    # bob has not forecast: alice's forecast is hidden from him, in the CLI and in raw SQL
    hidden = invoke("forecasts", slug, "--json", db=u["bob"])
    assert hidden.code == 0 and hidden.json() == []
    assert _sql(u["bob"], "SELECT count(*) FROM forecast") == [(0,)]
    assert _sql(u["bob"], "SELECT count(*) FROM standing_forecast") == [(0,)]  # the team median's source too
    # the observer sees nothing of an open question; the admin sees everything
    assert _sql(u["olga"], "SELECT count(*) FROM forecast") == [(0,)]
    assert _sql(u["adam"], "SELECT count(*) FROM forecast") == [(1,)]

    # bob forecasts; now he sees alice's, and his own is stamped with his role by the database
    assert invoke("predict", slug, "60%", db=u["bob"]).code == 0
    seen = invoke("forecasts", slug, "--json", db=u["bob"]).json()
    assert sorted(f["forecaster"] for f in seen) == sorted([n["alice"], n["bob"]])
    assert _sql(u["bob"], "SELECT DISTINCT recorded_by FROM forecast WHERE forecaster_id = "
                "(SELECT id FROM forecaster WHERE name = current_user)") == [(n["bob"],)]

    # impersonation: refused by the CLI in one line, and by the database for raw SQL
    r = run("predict", slug, "40%", "--by", n["alice"], db=u["bob"])  # the real executable, once
    assert r.code == 1 and "only admins may use --by" in r.err and r.err.count("\n") == 1
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(u["bob"], "INSERT INTO forecast (question_id, forecaster_id, probability, made_at, recorded_at, "
             "rationale, superseded) SELECT 1, id, 0.9, 1, 1, '', false FROM forecaster WHERE name = %s",
             (n["alice"],))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(u["bob"], "UPDATE forecast SET probability = 0.99 WHERE forecaster_id = "
             "(SELECT id FROM forecaster WHERE name = %s)", (n["alice"],))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(u["bob"], "DELETE FROM forecast WHERE forecaster_id = (SELECT id FROM forecaster WHERE name = %s)",
             (n["alice"],))
    # a forged recorded_by is overwritten by the database
    _sql(u["bob"], "INSERT INTO forecast (question_id, forecaster_id, probability, made_at, recorded_at, rationale, "
         "superseded, recorded_by) SELECT 1, id, 0.5, 2, 2, '', false, %s FROM forecaster WHERE name = current_user",
         (n["alice"],))
    assert _sql(team_db["owner"].replace("+psycopg", ""), "SELECT recorded_by FROM forecast WHERE made_at = 2") == [(n["bob"],)]

    # admins may record for a colleague (importing their history)
    assert invoke("predict", slug, "35%", "--by", n["alice"], db=u["adam"]).code == 0

    # deleting: only one's own forecasts, and the trash (which keeps rows whole) is private to who deleted
    alices = _sql(u["adam"], "SELECT f.id FROM forecast f JOIN forecaster p ON p.id = f.forecaster_id "
                  "WHERE p.name = %s ORDER BY f.id", (n["alice"],))[0][0]
    r = invoke("forecasts", "rm", str(alices), db=u["bob"])
    assert r.code == 1 and "only their own forecasts" in r.err
    bobs = _sql(u["bob"], "SELECT min(f.id) FROM forecast f JOIN forecaster p ON p.id = f.forecaster_id "
                "WHERE p.name = current_user")[0][0]
    assert invoke("forecasts", "rm", str(bobs), db=u["bob"]).code == 0
    assert _sql(u["bob"], "SELECT deleted_by FROM trash") == [(n["bob"],)]
    assert _sql(u["alice"], "SELECT count(*) FROM trash") == [(0,)]


def test_only_admins_or_the_creator_edit_or_resolve_and_observers_only_read(team_db):
    u = team_db["urls"]
    invoke("q", "add", "Will the Thames freeze before 2027-03-01?", "--closes", "2027-03-01", db=u["alice"])
    slug = "will-the-thames-freeze-before-2027-03-01"
    for args in (["resolve", slug, "no"], ["q", "edit", slug, "--title", "Hacked?"]):
        r = invoke(*args, db=u["bob"])
        assert r.code == 1 and "only admins or the member who created a question" in r.err
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(u["bob"], "UPDATE question SET title = 'Hacked?'")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(u["bob"], "INSERT INTO resolution_event (question_id, action, resolution, note, actor, at) "
             "VALUES (1, 'resolve', 'no', '', 'x', 1)")
    r = invoke("predict", slug, "10%", db=u["olga"])
    assert r.code == 1 and "observers only read" in r.err
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(u["olga"], "INSERT INTO tag (name) VALUES ('x')")
    assert invoke("q", "edit", slug, "--title", "Will the Thames freeze in London before 2027-03-01?", db=u["alice"]).code == 0
    # comments: stamped with the author's role; only the author edits, the database refuses anyone else
    assert invoke("comment", slug, "The Met Office expects a mild winter.", db=u["alice"]).code == 0
    r = invoke("comment", slug, "--edit", "1", "Hijacked", db=u["bob"])
    assert r.code == 1 and "only its author may change it" in r.err
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(u["bob"], "UPDATE comment SET body = 'Hijacked'")
    _sql(u["bob"], "INSERT INTO comment (question_id, author, body, created_at, updated_at) VALUES (1, %s, 'x', 1, 1)",
         (team_db["names"]["alice"],))
    assert _sql(u["adam"], "SELECT author, body FROM comment ORDER BY id") == [
        (team_db["names"]["alice"], "The Met Office expects a mild winter."), (team_db["names"]["bob"], "x")]
    assert invoke("resolve", slug, "no", db=u["adam"]).code == 0
    # every write statement is logged with the role that made it, by the database; members cannot forge it
    logged = set(_sql(u["adam"], "SELECT role, table_name, action FROM write_log"))
    a, d = team_db["names"]["alice"], team_db["names"]["adam"]
    assert {(a, "question", "INSERT"), (a, "comment", "INSERT"), (d, "resolution_event", "INSERT")} <= logged
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _sql(u["alice"], "INSERT INTO write_log (at, role, table_name, action) VALUES (1, 'bob', 'forecast', 'DELETE')")
    # a closed question shows everyone's forecasts, to observers too
    assert _sql(u["olga"], "SELECT title FROM question") == [("Will the Thames freeze in London before 2027-03-01?",)]


def test_membership_is_managed_by_the_owner_and_history_outlives_it(team_db):
    u, n = team_db["urls"], team_db["names"]
    owner = team_db["owner"]
    r = invoke("team", "add", "mallory_x", "--no-password", db=u["alice"])
    assert r.code == 1 and "the database refused" in r.err
    listed = invoke("team", "list", "--json", db=owner).json()
    assert {m["name"]: m["role"] for m in listed} == {n["alice"]: "member", n["bob"]: "member",
                                                       n["olga"]: "observer", n["adam"]: "admin"}
    invoke("q", "add", "Will it snow in Paris before 2027-02-01?", "--closes", "2027-02-01", db=u["alice"])
    invoke("predict", "will-it-snow-in-paris-before-2027-02-01", "20%", db=u["bob"])
    assert invoke("team", "set-role", n["bob"], "observer", db=owner).code == 0
    r = invoke("predict", "will-it-snow-in-paris-before-2027-02-01", "25%", db=u["bob"])
    assert r.code == 1 and "refused" in r.err
    assert invoke("team", "remove", n["bob"], db=owner).code == 0
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(u["bob"]).close()  # no login any more
    gone = {m["name"]: m for m in invoke("team", "list", "--json", db=owner).json()}[n["bob"]]
    assert gone["role"] == "removed" and not gone["can_login"]
    assert _sql(u["adam"], "SELECT count(*) FROM forecast WHERE recorded_by = %s", (n["bob"],)) == [(1,)]
    for bad, words in [(["team", "add", "Bad Name"], "cannot be a member name"),
                       (["team", "add", "zed_q", "--role", "king"], "role must be")]:
        r = invoke(*bad, "--no-password", db=owner)
        assert r.code != 0 and words in r.err


def test_comments_on_sqlite_are_listed_edited_and_deleted_by_their_author(tmp_path):
    db = str(tmp_path / "talk.db")
    invoke("q", "add", "Will it rain in Oslo on 2027-01-05?", "--closes", "2027-01-05", db=db)
    slug = "will-it-rain-in-oslo-on-2027-01-05"
    assert invoke("comment", slug, "Met Office: 70%.\nECMWF agrees.", db=db).code == 0
    assert invoke("comment", slug, "Looks dry to me", "--by", "bob", db=db).code == 0
    r = invoke("comment", slug, "--delete", "2", db=db)
    assert r.code == 1 and "bob's; only its author" in r.err
    assert invoke("comment", slug, "--edit", "1", "Met Office: 80%.", db=db).code == 0
    shown = invoke("q", "show", slug, "--json", db=db).json()["comments"]
    assert [(c["id"], c["author"] == "bob", c["body"]) for c in shown] == [(1, False, "Met Office: 80%."),
                                                                           (2, True, "Looks dry to me")]
    assert shown[0]["updated_at"] > shown[0]["created_at"]
    text = invoke("q", "show", slug, db=db).out
    assert "comments:" in text and "bob: Looks dry to me" in text and "(edited)" in text
    for bad, words in [(["comment", slug, "   "], "give the comment's text"),
                       (["comment", slug, "--delete", "1", "text"], "--delete takes no text"),
                       (["comment", slug, "--edit", "9", "x"], "no comment 9")]:
        r = invoke(*bad, db=db)
        assert r.code != 0 and words in r.err
    assert invoke("comment", slug, "--delete", "2", "--by", "bob", db=db).code == 0


def test_sqlite_stays_single_user(tmp_path):
    db = str(tmp_path / "solo.db")
    r = invoke("team", "init", db=db)
    assert r.code == 1 and "teams need a PostgreSQL database" in r.err
    assert invoke("q", "add", "Will it rain in Oslo on 2027-01-05?", "--closes", "2027-01-05", db=db).code == 0
    assert invoke("predict", "will-it-rain-in-oslo-on-2027-01-05", "30%", "--by", "someone", db=db).code == 0
