"""Entry point. Keeps start-up light: heavy libraries load inside the commands that need them."""

from __future__ import annotations

import os
import sys


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main() -> None:
    from forecast.cli.app import run

    try:
        run()
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc.code)
    # Every session and file is closed by now; skipping interpreter teardown (freeing a large listing
    # or score arrays object by object) saves a tenth of a second on big databases.
    import logging

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
