"""Reliability tests: the real command line against real files, directories, mounts and servers; in this
process (tests/cli_runner.py `invoke`) unless the process itself is what a test is about. The small database
(tests/small_db.py) and its fixtures `small_db_template` and `small_db` are in tests/conftest.py."""
