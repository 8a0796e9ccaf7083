"""Run the scoring engine on the public data in ../shared/data and print our numbers next to the references.

    python benchmarks/check_real_data.py [--data ../shared/data]

- PredictionBook (iqisa public.csv): mean Brier over every resolved forecast (README: 0.16145) and the
  10-bin calibration table from its README, through the engine's `forecast` calibration unit. The
  README counts every row, including forecasts made after a question's deadline and exact duplicates, so
  the check opens each window to cover them (deadline -> far future; opening -> first forecast); the
  engine's own numbers on the real windows (late forecasts left out) are printed too.
- ForecastBench 2024-07-21 superforecasters: the leaderboard's "Superforecaster median forecast" row
  (dataset 0.122 on N=521, market resolved 0.082 on N=54, overall resolved 0.102), reproduced by the
  engine's @median team aggregate, with questions tagged dataset / market and a breakdown by tag.
- Metaculus community-prediction series (no published reference): the time-weighted Brier and the
  baseline score of the community prediction, after converting its Europe/Berlin timestamps to UTC.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1]))

from forecast.core.scoring import ScoringInput, score  # noqa: E402

FAR = 4_102_444_800_000_000  # 2100-01-01 in microseconds
PB_BINS = [(0.026, 0.043, 11674), (0.126, 0.113, 5052), (0.225, 0.207, 3942), (0.324, 0.259, 3314),
           (0.428, 0.308, 3697), (0.524, 0.440, 4496), (0.625, 0.505, 4601), (0.724, 0.612, 4248),
           (0.822, 0.715, 3933), (0.949, 0.842, 6178)]  # fmt: skip


def micros(text: str, zone: ZoneInfo | None = None) -> int:
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone or UTC)
    return int(dt.timestamp() * 1_000_000) if dt.microsecond == 0 else round(dt.timestamp() * 1_000_000)


def iqisa_input(rows, *, zone: ZoneInfo | None = None, cover_everything: bool = False) -> ScoringInput:
    """An iqisa long CSV as scoring input; `zone` is the zone of naive forecast timestamps."""
    q_index: dict[str, int] = {}
    questions: list[dict] = []
    forecasts = []
    for r in rows:
        qi = q_index.get(r["question_id"])
        if qi is None:
            qi = q_index[r["question_id"]] = len(questions)
            outcome = {"1.0": 1, "1": 1, "0.0": 0, "0": 0}.get(r["outcome"])
            resolved = r["resolve_time"] not in ("", "None") and outcome is not None
            questions.append({"opens": micros(r["open_time"]), "closes": micros(r["close_time"]), "outcome": outcome,
                              "resolved_at": micros(r["resolve_time"]) if resolved else None})  # fmt: skip
        forecasts.append((qi, r["user_id"], micros(r["timestamp"], zone), float(r["probability"])))
    if cover_everything:
        first: dict[int, int] = {}
        for qi, _, t, _ in forecasts:
            first[qi] = min(first.get(qi, t), t)
        for qi, q in enumerate(questions):
            q["opens"] = min(q["opens"], first.get(qi, q["opens"]))
            q["closes"], q["resolved_at"] = FAR, None
    return ScoringInput.from_rows(questions, forecasts)


def predictionbook(data: Path) -> None:
    with (data / "predictionbook" / "public.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    print("PredictionBook (iqisa public.csv)")
    scores = score(iqisa_input(rows, cover_everything=True), unit="forecast", aggregates=False)
    overall = scores.summary().overall
    n = sum(b.count for b in overall.calibration)
    mean = overall.decomposition.brier
    inp, dropped = scores.tl.inp, scores.tl.dropped_src
    extra = ((inp.p[dropped] - inp.outcome[inp.q_idx[dropped]]) ** 2).sum()
    print(f"  mean Brier over every resolved forecast: ours {mean:.5f} on {n:,} forecasts; README 0.16145 on 51,135")
    print(f"    the {len(dropped)} others were replaced by the same user's forecast at the same instant; with them "
          f"counted too: {(mean * n + extra) / (n + len(dropped)):.5f} on {n + len(dropped):,}")  # fmt: skip
    print("  calibration (forecast unit): bin  ours mean p / observed / n   README")
    for b, (ref_p, ref_o, ref_n) in zip(overall.calibration, PB_BINS, strict=True):
        print(f"    [{b.lo:.1f}, {b.hi:.1f}{']' if b.hi == 1 else ')'}  {b.mean_forecast:.3f} / "
              f"{b.observed:.3f} / {b.count:5d}   {ref_p:.3f} / {ref_o:.3f} / {ref_n:5d}")  # fmt: skip
    real = score(iqisa_input(rows), unit="time", aggregates=False).summary()
    people = [f for f in real.forecasters if f.n_questions]
    late = sum(f.n_late for f in real.forecasters)
    nq = sum(f.n_questions for f in people)
    tw = sum(f.brier * f.n_questions for f in people) / nq
    plain = sum(f.brier_forecasts * f.n_forecasts for f in people) / sum(f.n_forecasts for f in people)
    print(f"  on the real windows: {real.questions.scored:,} questions scored, "
          f"{real.questions.empty_window:,} with an empty window, {late:,} late forecasts left out; "
          f"time-weighted Brier {tw:.5f} and plain {plain:.5f} over {nq:,} (question, forecaster) pairs")  # fmt: skip


def forecastbench(data: Path) -> None:
    folder = data / "forecastbench"
    forecasts = json.loads((folder / "2024-07-21.ForecastBench.human_super_individual.json").read_text())["forecasts"]
    resolutions = json.loads((folder / "2024-07-21_resolution_set.json").read_text())["resolutions"]
    dataset_sources = {"acled", "dbnomics", "fred", "wikipedia", "yfinance"}

    def key(r):
        qid = tuple(r["id"]) if isinstance(r["id"], list) else r["id"]
        return (r["source"], qid, r["resolution_date"] if r["source"] in dataset_sources else None)

    resolved = {key(r): r for r in resolutions}
    due = micros("2024-07-21")
    q_index: dict[tuple, int] = {}
    questions, rows, tags = [], [], {}
    for f in forecasts:
        k = key(f)
        if k not in resolved:
            continue  # 3 market questions have no resolution record
        qi = q_index.get(k)
        if qi is None:
            qi = q_index[k] = len(questions)
            r = resolved[k]
            outcome = r["resolved_to"] if r["resolved"] and r["resolved_to"] in (0, 1) else None
            questions.append({"opens": due, "closes": due + 86_400_000_000, "outcome": outcome})
            tags[qi] = ["dataset" if k[0] in dataset_sources else "market"]
        rows.append((qi, f["user_id"], due, round(float(f["forecast"]), 6)))
    scores = score(ScoringInput.from_rows(questions, rows, tags), aggregates=True)
    median = {r.key: r for r in scores.breakdown("tag") if r.name == "@median"}
    d, m = median["dataset"], median["market"]
    print("ForecastBench 2024-07-21, superforecaster median (@median aggregate)")
    print(f"  dataset score: ours {d.brier:.5f} on N={d.n_questions}; leaderboard 0.122 on N=521")
    print(f"  market score (resolved): ours {m.brier:.5f} on N={m.n_questions}; leaderboard 0.082 on N=54")
    print(f"  overall resolved: ours {(d.brier + m.brier) / 2:.5f}; leaderboard 0.102")
    people = [r for r in scores.breakdown("tag") if r.key == "dataset" and not r.name.startswith("@")]
    n = sum(r.n_forecasts for r in people if r.n_forecasts)
    plain = sum(r.brier_forecasts * r.n_forecasts for r in people if r.n_forecasts) / n
    print(f"  every individual resolved dataset forecast: ours {plain:.5f} on {n:,}; README 0.11427 on 3,883")


def metaculus(data: Path) -> None:
    with zipfile.ZipFile(data / "metaculus-cp-timeseries" / "public.csv.zip") as z:
        text = io.TextIOWrapper(z.open("public.csv"), encoding="utf-8", newline="")
        rows = list(csv.DictReader(text))
    inp = iqisa_input(rows, zone=ZoneInfo("Europe/Berlin"))
    out = score(inp, aggregates=False).summary()
    cp = out.forecasters[0]
    print("Metaculus community prediction (iqisa public.csv.zip; no published reference)")
    print(f"  {out.questions.scored:,} questions scored; time-weighted Brier {cp.brier:.5f}, plain "
          f"{cp.brier_forecasts:.5f}; baseline {cp.baseline:.1f}; log score {cp.log_score:.4f}; "
          f"coverage {cp.coverage:.3f}; {cp.n_late:,} points at or after the close left out")  # fmt: skip
    utc = iqisa_input(rows)  # the same timestamps wrongly taken as UTC: the caveat in the README
    late_utc = score(utc, aggregates=False).summary().forecasters[0].n_late
    print(f"  (read as UTC instead of Europe/Berlin, {late_utc:,} points would fall at or after the close)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(__file__).parents[2] / "shared" / "data")
    args = ap.parse_args()
    predictionbook(args.data)
    forecastbench(args.data)
    metaculus(args.data)


if __name__ == "__main__":
    main()
