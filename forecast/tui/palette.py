"""Colours for rich Text cells, taken from the current Textual theme (tables render Text, not CSS)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.color import Color


@dataclass(frozen=True)
class Palette:
    yes: str
    no: str
    warn: str
    muted: str
    accent: str
    primary: str

    @classmethod
    def from_variables(cls, variables: dict[str, str]) -> Palette:
        background = Color.parse(variables.get("background", "#000000"))

        def solid(name: str, fallback: str) -> str:
            try:
                color = Color.parse(variables.get(name, fallback))
            except Exception:  # a theme may define a variable we cannot parse; fall back quietly
                color = Color.parse(fallback)
            return background.blend(color.with_alpha(1.0), color.a).hex6 if color.a < 1 else color.hex6

        return cls(
            yes=solid("text-success", "#4EBF71"),
            no=solid("text-error", "#D17E92"),
            warn=solid("text-warning", "#FFC473"),
            muted=solid("foreground-muted", "#888888"),
            accent=solid("text-accent", "#FEA62B"),
            primary=solid("text-primary", "#3E9BE0"),
        )


DEFAULT = Palette.from_variables({})
