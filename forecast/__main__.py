"""Entry point. Keeps start-up light: heavy libraries load inside the commands that need them."""

from __future__ import annotations


def main() -> None:
    from forecast.cli.app import run

    run()


if __name__ == "__main__":
    main()
