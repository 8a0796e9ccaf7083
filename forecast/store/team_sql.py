"""What `forecast team init` installs in a PostgreSQL database: group roles, grants, row-level security.

The rules live in the database, not in the CLI, so that a member connected with psql cannot get
around them either:

- forecast_admin, forecast_member and forecast_observer are NOLOGIN group roles; each person is a LOGIN
  role in one of them (`team add`), and their forecaster row is named after the role.
- forecasts: a member inserts only as themselves (`forecaster.name = current_user`); admins may insert
  for anyone (importing a colleague's history); nobody updates or deletes another's rows.
- hidden forecasts: while a question is open and `hide_until_forecast` is on, a member sees another
  member's forecasts (and the standing-forecast cache behind the team median) only once they have a
  forecast of their own on it; observers see them after the close; admins always.
- questions: any member adds one; only admins or the member who created it edit, resolve or delete it.
- observers read and write nothing (SELECT only).
- comments: anyone but an observer writes one; only its author edits or deletes it (admins may delete).
- the trash (deleted rows kept whole for `restore`) is seen and changed only by who deleted, and admins.
- every forecast, question, resolution, comment and deletion records the role that made it (a trigger),
  and every write statement on any table is logged with its role in `write_log`.

Policies on `forecast` cannot query `forecast` (PostgreSQL refuses the recursion), so the checks that
must see rows the caller may not are SECURITY DEFINER functions owned by the database owner; they use
`session_user`, the role that logged in, because inside them `current_user` is the owner.
"""

from __future__ import annotations

GROUPS = ("forecast_admin", "forecast_member", "forecast_observer")
ROLE_OF_GROUP = {"forecast_admin": "admin", "forecast_member": "member", "forecast_observer": "observer"}
GROUP_OF_ROLE = {v: k for k, v in ROLE_OF_GROUP.items()}

# tables whose rows the policies below guard; every other table is shared by members
GUARDED = ("forecaster", "forecast", "standing_forecast", "question", "resolution_event", "team_setting", "comment",
           "trash")

_NOW_US = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION forecast_is_admin() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT pg_has_role(session_user, 'forecast_admin', 'USAGE')
$$;

CREATE OR REPLACE FUNCTION forecast_me() RETURNS integer LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
  SELECT id FROM public.forecaster WHERE name = session_user
$$;

CREATE OR REPLACE FUNCTION forecast_hidden_from_me(qid integer) RETURNS boolean LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT COALESCE((SELECT value = 'true' FROM public.team_setting WHERE key = 'hide_until_forecast'), true)
     AND EXISTS (SELECT 1 FROM public.question q
                 WHERE q.id = qid AND q.status = 'open' AND q.closes_at > {_NOW_US})
     AND NOT EXISTS (SELECT 1 FROM public.forecast f JOIN public.forecaster p ON p.id = f.forecaster_id
                     WHERE f.question_id = qid AND p.name = session_user)
$$;

CREATE OR REPLACE FUNCTION forecast_question_mine(qid integer) RETURNS boolean LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT EXISTS (SELECT 1 FROM public.question WHERE id = qid AND created_by = session_user)
$$;

CREATE OR REPLACE FUNCTION forecast_comment_in_trash(who text, said text, created bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  -- A comment restored with its deleted question (services/trash.py) comes back as written: its author,
  -- body and time are in an open trash entry, which only who deleted it (or an admin) can restore. Anything
  -- else inserted under another's name is what the stamp exists to stop.
  SELECT EXISTS (SELECT 1 FROM public.trash
                 WHERE kind = 'question' AND state = 'deleted' AND payload <> ''
                   AND (payload::jsonb -> 'rows' -> 'comment')
                       @> jsonb_build_array(jsonb_build_object('author', who, 'body', said, 'created_at', created)))
$$;

CREATE OR REPLACE FUNCTION forecast_guard_change() RETURNS trigger LANGUAGE plpgsql AS $$
-- Row-level security filters an UPDATE or DELETE of someone else's row silently (0 rows); these checks
-- make the refusal loud, so a client learns why instead of seeing its change vanish.
BEGIN
  IF TG_TABLE_NAME = 'question' THEN
    IF NOT (forecast_is_admin() OR OLD.created_by = session_user) THEN
      RAISE EXCEPTION 'row-level security: table "question" may be changed only by admins or its creator'
        USING ERRCODE = '42501';
    END IF;
  ELSIF TG_TABLE_NAME = 'comment' THEN
    IF OLD.author IS DISTINCT FROM session_user AND NOT (TG_OP = 'DELETE' AND forecast_is_admin()) THEN
      RAISE EXCEPTION 'row-level security: table "comment" rows are changed only by their author'
        USING ERRCODE = '42501';
    END IF;
  ELSIF TG_TABLE_NAME = 'forecast' THEN
    IF OLD.forecaster_id IS DISTINCT FROM forecast_me() AND NOT (TG_OP = 'DELETE' AND forecast_is_admin()) THEN
      RAISE EXCEPTION 'row-level security: table "forecast" rows are changed only by their forecaster'
        USING ERRCODE = '42501';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION forecast_log_write() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
-- One row per write statement, whoever ran it and however (the CLI, the TUI, psql): members cannot write
-- write_log themselves (no grant), only through this function.
BEGIN
  INSERT INTO public.write_log (at, role, table_name, action)
  VALUES ({_NOW_US}, session_user, TG_TABLE_NAME, TG_OP);
  RETURN NULL;
END
$$;

-- every table but the log itself and alembic's: a statement-level trigger each
CREATE OR REPLACE FUNCTION forecast_log_all_writes() RETURNS void LANGUAGE plpgsql AS $$
DECLARE t text;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public'
                                             AND tablename NOT IN ('write_log', 'alembic_version') LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS forecast_log_write ON %I', t);
    EXECUTE format('CREATE TRIGGER forecast_log_write AFTER INSERT OR UPDATE OR DELETE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION forecast_log_write()', t);
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION forecast_stamp_role() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'forecast' THEN
    NEW.recorded_by := session_user;
  ELSIF TG_TABLE_NAME = 'question' THEN
    IF TG_OP = 'INSERT' THEN NEW.created_by := session_user; ELSE NEW.created_by := OLD.created_by; END IF;
  ELSIF TG_TABLE_NAME = 'resolution_event' THEN
    NEW.actor := session_user;
  ELSIF TG_TABLE_NAME = 'comment' THEN
    IF TG_OP = 'UPDATE' THEN NEW.author := OLD.author;
    ELSIF NOT forecast_comment_in_trash(NEW.author, NEW.body, NEW.created_at) THEN NEW.author := session_user;
    END IF;
  ELSIF TG_TABLE_NAME = 'trash' THEN
    IF TG_OP = 'INSERT' THEN NEW.deleted_by := session_user; ELSE NEW.deleted_by := OLD.deleted_by; END IF;
  END IF;
  RETURN NEW;
END
$$;
"""

TRIGGERS = """
SELECT forecast_log_all_writes();
DROP TRIGGER IF EXISTS forecast_stamp_role ON forecast;
CREATE TRIGGER forecast_stamp_role BEFORE INSERT ON forecast FOR EACH ROW EXECUTE FUNCTION forecast_stamp_role();
DROP TRIGGER IF EXISTS forecast_stamp_role ON question;
CREATE TRIGGER forecast_stamp_role BEFORE INSERT OR UPDATE ON question FOR EACH ROW EXECUTE FUNCTION forecast_stamp_role();
DROP TRIGGER IF EXISTS forecast_guard_change ON question;
CREATE TRIGGER forecast_guard_change BEFORE UPDATE OR DELETE ON question FOR EACH ROW EXECUTE FUNCTION forecast_guard_change();
DROP TRIGGER IF EXISTS forecast_guard_change ON forecast;
CREATE TRIGGER forecast_guard_change BEFORE UPDATE OR DELETE ON forecast FOR EACH ROW EXECUTE FUNCTION forecast_guard_change();
DROP TRIGGER IF EXISTS forecast_guard_change ON comment;
CREATE TRIGGER forecast_guard_change BEFORE UPDATE OR DELETE ON comment FOR EACH ROW EXECUTE FUNCTION forecast_guard_change();
DROP TRIGGER IF EXISTS forecast_stamp_role ON comment;
CREATE TRIGGER forecast_stamp_role BEFORE INSERT OR UPDATE ON comment FOR EACH ROW EXECUTE FUNCTION forecast_stamp_role();
DROP TRIGGER IF EXISTS forecast_stamp_role ON trash;
CREATE TRIGGER forecast_stamp_role BEFORE INSERT OR UPDATE ON trash FOR EACH ROW EXECUTE FUNCTION forecast_stamp_role();
DROP TRIGGER IF EXISTS forecast_stamp_role ON resolution_event;
CREATE TRIGGER forecast_stamp_role BEFORE INSERT ON resolution_event FOR EACH ROW EXECUTE FUNCTION forecast_stamp_role();
"""

_SEE_FORECAST = (
    "forecast_is_admin() OR forecaster_id = forecast_me() OR NOT forecast_hidden_from_me(question_id)"
)
_OWN = "forecaster_id = forecast_me()"

POLICIES = f"""
ALTER TABLE forecaster ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS team_read ON forecaster;
CREATE POLICY team_read ON forecaster FOR SELECT USING (true);
DROP POLICY IF EXISTS team_insert ON forecaster;
CREATE POLICY team_insert ON forecaster FOR INSERT WITH CHECK (forecast_is_admin() OR name = session_user);
DROP POLICY IF EXISTS team_admin ON forecaster;
CREATE POLICY team_admin ON forecaster FOR UPDATE USING (forecast_is_admin());

ALTER TABLE forecast ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS team_read ON forecast;
CREATE POLICY team_read ON forecast FOR SELECT USING ({_SEE_FORECAST});
DROP POLICY IF EXISTS team_insert ON forecast;
CREATE POLICY team_insert ON forecast FOR INSERT WITH CHECK (forecast_is_admin() OR {_OWN});
DROP POLICY IF EXISTS team_update ON forecast;
CREATE POLICY team_update ON forecast FOR UPDATE USING ({_SEE_FORECAST}) WITH CHECK ({_OWN});
DROP POLICY IF EXISTS team_delete ON forecast;
CREATE POLICY team_delete ON forecast FOR DELETE USING ({_SEE_FORECAST});  -- the trigger: own rows only

ALTER TABLE standing_forecast ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS team_read ON standing_forecast;
CREATE POLICY team_read ON standing_forecast FOR SELECT USING ({_SEE_FORECAST});
DROP POLICY IF EXISTS team_write ON standing_forecast;
CREATE POLICY team_write ON standing_forecast FOR ALL USING (forecast_is_admin() OR {_OWN})
  WITH CHECK (forecast_is_admin() OR {_OWN});

ALTER TABLE question ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS team_read ON question;
CREATE POLICY team_read ON question FOR SELECT USING (true);
DROP POLICY IF EXISTS team_insert ON question;
CREATE POLICY team_insert ON question FOR INSERT WITH CHECK (true);
DROP POLICY IF EXISTS team_update ON question;
CREATE POLICY team_update ON question FOR UPDATE USING (true) WITH CHECK (true);  -- forecast_guard_change decides
DROP POLICY IF EXISTS team_delete ON question;
CREATE POLICY team_delete ON question FOR DELETE USING (true);  -- forecast_guard_change decides

ALTER TABLE resolution_event ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS team_read ON resolution_event;
CREATE POLICY team_read ON resolution_event FOR SELECT USING (true);
DROP POLICY IF EXISTS team_insert ON resolution_event;
CREATE POLICY team_insert ON resolution_event FOR INSERT
  WITH CHECK (forecast_is_admin() OR forecast_question_mine(question_id));

-- the trash holds deleted rows whole (a deleted question's forecasts too): only who deleted them, and admins
ALTER TABLE trash ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS team_read ON trash;
CREATE POLICY team_read ON trash FOR SELECT USING (forecast_is_admin() OR deleted_by = session_user);
DROP POLICY IF EXISTS team_insert ON trash;
CREATE POLICY team_insert ON trash FOR INSERT WITH CHECK (true);
DROP POLICY IF EXISTS team_change ON trash;
CREATE POLICY team_change ON trash FOR UPDATE USING (forecast_is_admin() OR deleted_by = session_user);
DROP POLICY IF EXISTS team_purge ON trash;
CREATE POLICY team_purge ON trash FOR DELETE USING (forecast_is_admin() OR deleted_by = session_user);

ALTER TABLE team_setting ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS team_read ON team_setting;
CREATE POLICY team_read ON team_setting FOR SELECT USING (true);
DROP POLICY IF EXISTS team_admin ON team_setting;
CREATE POLICY team_admin ON team_setting FOR ALL USING (forecast_is_admin()) WITH CHECK (forecast_is_admin());
"""


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grants(database: str) -> str:
    """The group roles are cluster-wide, so only the members of *this* team may connect to its database:
    CONNECT is taken from PUBLIC here and granted to each member by `team add`."""
    db = quoted(database)
    return f"""
REVOKE CONNECT ON DATABASE {db} FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO forecast_admin, forecast_member, forecast_observer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO forecast_admin, forecast_member, forecast_observer;
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO forecast_admin, forecast_member;
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM forecast_admin, forecast_member;
REVOKE INSERT, UPDATE, DELETE ON write_log FROM forecast_admin, forecast_member;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO forecast_admin, forecast_member;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO forecast_admin, forecast_member, forecast_observer;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT INSERT, UPDATE, DELETE ON TABLES TO forecast_admin, forecast_member;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO forecast_admin, forecast_member;
"""


__all__ = ["FUNCTIONS", "GROUPS", "GROUP_OF_ROLE", "GUARDED", "POLICIES", "ROLE_OF_GROUP", "TRIGGERS", "grants", "quoted"]
