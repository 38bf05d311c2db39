"""The report (bot/report.py) as an HTML page and a PDF (fpdf2), with the same charts
as the dashboard (``chart_figure`` and ``new_figure`` of bot/console/metrics.py): SVG
in the page, PNG in the PDF. Numbers, channels and agent ids; customers' words only in
the short excerpts of the interactions to celebrate and to review, redacted
(bot/report_highlights.py)."""

from __future__ import annotations

import base64
import html
import io
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.console.metrics import Data, chart_figure, new_figure

TITLE = "Support report {period}"
# (key, label, how it is shown)
ROWS = [
    ("conversations", "Conversations", "count"),
    ("surveys", "Surveys answered", "count"),
    ("csat", "CSAT (1-5)", "score"),
    ("empathy", "Empathy rating (1-5)", "score"),
    ("ces", "Customer effort, CES (1-7, 7 easiest)", "score"),
    ("nps", "NPS (-100 to 100)", "count"),
    ("fcr", "First-contact resolution", "share"),
    ("escalation_rate", "Escalation rate (handoffs per conversation)", "share"),
    ("time_to_person_p50_min", "Time to a person, median (min)", "score"),
    ("time_to_person_p95_min", "Time to a person, p95 (min)", "score"),
    ("intensity_start", "Feeling intensity at the start (0-1)", "score"),
    ("intensity_end", "Feeling intensity at the end (0-1)", "score"),
]
GROUP_COLUMNS = [
    "conversations",
    "surveys",
    "csat",
    "empathy",
    "ces",
    "nps",
    "fcr",
    "escalation_rate",
    "time_to_person_p50_min",
]
SHORT = {
    "conversations": "Chats",
    "surveys": "Surveys",
    "csat": "CSAT",
    "empathy": "Empathy",
    "ces": "CES",
    "nps": "NPS",
    "fcr": "FCR",
    "escalation_rate": "Escalated",
    "time_to_person_p50_min": "Wait p50",
}
NONE_YET = "None in this period."
STORY_WIDTHS = (6, 16, 18, 12, 14, 16, 44, 64)  # mm, A4's 190 in all
WORKS_WIDTHS = (70, 14, 14, 16, 22, 14, 20, 20)
SCORES = (("csat", "CSAT"), ("empathy", "Empathy"), ("ces", "CES"))


def show(value: Any, how: str) -> str:
    """A number as the report shows it ("-" for none)."""
    if value is None:
        return "-"
    if how == "share":
        return f"{100 * value:.1f}%"
    if how == "count":
        return str(value)
    if how == "signed":
        return f"{value:+.2f}"
    return f"{value:.2f}"


def change(now: Any, before: Any, how: str) -> str:
    """The change from the period before ("" when either is missing)."""
    if now is None or before is None:
        return ""
    delta = now - before
    if how == "share":
        return f"{100 * delta:+.1f} pt"
    return f"{delta:+.2f}" if how == "score" else f"{delta:+d}"


def overview(report: dict[str, Any]) -> list[list[str]]:
    """Header and rows: each number, this period, the one before, the change, and
    with a baseline the baseline's number and the change from it."""
    now, before = report["overall"], report["previous"]["overall"]
    base = report.get("baseline")
    rows = [["", report["period"], report["previous"]["period"], "change"]]
    if base:
        rows[0] += [f"baseline {base['period']}", "vs baseline"]
    for key, label, how in ROWS:
        row = [
            label,
            show(now[key], how),
            show(before[key], how),
            change(now[key], before[key], how),
        ]
        if base:
            then = base["overall"][key]
            row += [show(then, how), change(now[key], then, how)]
        rows.append(row)
    return rows


def groups(report: dict[str, Any]) -> list[list[str]]:
    """Header and rows: the assistant, each channel and each agent."""
    hows = {key: how for key, _, how in ROWS}
    rows = [["", *(SHORT[k] for k in GROUP_COLUMNS)]]
    named = [("assistant (no person)", report["assistant"])]
    named += [(f"channel {c}", n) for c, n in report["channels"].items()]
    named += [(f"agent {a}", n) for a, n in report["agents"].items()]
    for name, numbers in named:
        rows.append([name, *(show(numbers[k], hows[k]) for k in GROUP_COLUMNS)])
    return rows


def stories(report: dict[str, Any], which: str) -> list[list[str]]:
    """Header and rows: the interactions to celebrate or to review (``which``)."""
    rows = [
        ["", "Channel", "Agent", "CSAT", "Empathy", "Scorecard", "Customer", "Reply"]
    ]
    for n, story in enumerate(report.get("highlights", {}).get(which, []), 1):
        rows.append(
            [
                str(n),
                story["channel"] or "-",
                story["agent"] or "assistant",
                show(story["csat"], "score"),
                show(story["empathy"], "score"),
                show(story["scorecard"], "share"),
                story["said"],
                story["reply"],
            ]
        )
    return rows


def _works(value: Any, how: str) -> str:
    return value if isinstance(value, str) else show(value, how)


def phrases(report: dict[str, Any]) -> list[list[str]]:
    """Header and rows: each family of empathetic phrases and what follows it."""
    rows = [
        [
            "Phrase family",
            "Uses",
            "Chats",
            "Next turns",
            "Intensity change",
            "Rated",
            "CSAT",
            "Empathy",
        ]
    ]
    for row in report.get("what_works", {}).get("rows", []):
        name = row["family"] + (
            f" (\u201c{row['example']}\u201d)" if row["example"] else ""
        )
        rows.append(
            [
                name,
                str(row["uses"]),
                str(row["conversations"]),
                str(row["next_turns"]),
                _works(row["intensity_change"], "signed"),
                str(row["rated"]),
                _works(row["csat"], "score"),
                _works(row["empathy"], "score"),
            ]
        )
    return rows


def works_note(report: dict[str, Any]) -> str:
    """What the phrase table's numbers mean."""
    least = report.get("what_works", {}).get("min_count", 0)
    return (
        "Intensity change: the customer's feeling intensity (0-1) in their next "
        "message minus in the message the reply answered (negative: calmer). CSAT "
        "and empathy: the ratings of the conversations that used the phrase. A "
        f"number resting on fewer than {least} cases reads \u201ctoo few to tell\u201d."
    )


def charts(report: dict[str, Any]) -> dict[str, Any]:
    """The report's charts as matplotlib figures, by name."""
    scores = new_figure()
    ax = scores.add_subplot()
    xs = list(range(len(SCORES)))
    bars = [(report["previous"]["overall"], report["previous"]["period"])]
    if base := report.get("baseline"):
        bars.insert(0, (base["overall"], f"baseline {base['period']}"))
    bars.append((report["overall"], report["period"]))
    width = 0.8 / len(bars)
    for i, (numbers, label) in enumerate(bars):
        ax.bar(
            [x - 0.4 + width * (i + 0.5) for x in xs],
            [numbers[k] or 0 for k, _ in SCORES],
            width,
            label=label,
        )
    ax.set_xticks(xs, [name for _, name in SCORES])
    ax.set_title(
        "Survey scores against the period before"
        + (" and the baseline" if base else "")
    )
    ax.legend()
    data = Data(report["tickets"], report["overall"]["conversations"], [], 0)
    return {
        "scores": scores,
        "ratings": chart_figure("ratings", data, {}),
        "time_to_human": chart_figure("time_to_human", data, {}),
    }


def _image(figure: Any, fmt: str) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return out.getvalue()


def _table(rows: list[list[str]]) -> str:
    if len(rows) == 1:
        return f"<p>{NONE_YET}</p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in rows[1:]
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def to_html(report: dict[str, Any], figures: dict[str, Any]) -> str:
    """The report as one self-contained HTML page."""
    title = TITLE.format(period=report["period"])
    images = "".join(
        f'<img alt="{html.escape(name)}" src="data:image/svg+xml;base64,'
        f'{base64.b64encode(_image(figure, "svg")).decode()}">'
        for name, figure in figures.items()
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:sans-serif;max-width:60rem;margin:2rem auto}"
        "table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;"
        "padding:.25rem .5rem;text-align:right}td:first-child{text-align:left}"
        "img{max-width:100%}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(_against(report))}.</p>"
        f"<h2>Everyone</h2>{_table(overview(report))}"
        f"<h2>The assistant, by channel and by agent</h2>{_table(groups(report))}"
        f"<h2>Interactions to celebrate</h2>{_table(stories(report, 'celebrate'))}"
        f"<h2>Interactions to review</h2>{_table(stories(report, 'review'))}"
        f"<h2>What works: empathetic phrases</h2>"
        f"<p>{html.escape(works_note(report))}</p>{_table(phrases(report))}"
        f"<h2>Charts</h2>{images}</body></html>"
    )


def _against(report: dict[str, Any]) -> str:
    """The period's dates and what it is compared with."""
    text = f"{report['start']} to {report['end']} (UTC), against "
    text += report["previous"]["period"]
    if base := report.get("baseline"):
        text += f" and the baseline {base['period']} ({base['start']} to {base['end']})"
    return text


def _latin(text: str) -> str:
    """Text the PDF's built-in font can draw."""
    for wide, narrow in (("\u2013", "-"), ("\u2026", "..."), ("\u201c", '"')):
        text = text.replace(wide, narrow)
    text = text.replace("\u201d", '"').replace("\u2019", "'")
    return text.encode("latin-1", "replace").decode("latin-1")


def to_pdf(report: dict[str, Any], figures: dict[str, Any]) -> bytes:
    """The report as a PDF (A4)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime.fromisoformat(report["start"]))
    pdf.set_title(TITLE.format(period=report["period"]))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(
        0,
        12,
        _latin(TITLE.format(period=report["period"])),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 8, _latin(_against(report)), new_x="LMARGIN", new_y="NEXT")
    phrase_rows = phrases(report)
    wide = (80, 35, 35, 30) if not report.get("baseline") else (60, 24, 24, 20, 28, 24)
    for heading, rows, widths in (
        ("Everyone", overview(report), wide),
        ("The assistant, by channel and by agent", groups(report), (46, *([16] * 9))),
        ("Interactions to celebrate", stories(report, "celebrate"), STORY_WIDTHS),
        ("Interactions to review", stories(report, "review"), STORY_WIDTHS),
        ("What works: empathetic phrases", phrase_rows, WORKS_WIDTHS),
    ):
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 10, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8)
        if rows is phrase_rows:
            pdf.multi_cell(
                0, 4, _latin(works_note(report)), new_x="LMARGIN", new_y="NEXT"
            )
        if len(rows) == 1:
            pdf.cell(0, 6, NONE_YET, new_x="LMARGIN", new_y="NEXT")
            continue
        align = ("LEFT", *(["RIGHT"] * (len(widths) - 1)))
        with pdf.table(
            col_widths=widths, text_align=align, first_row_as_headings=True
        ) as table:
            for row in rows:
                cells = table.row()
                for cell in row:
                    cells.cell(_latin(cell))
    for figure in figures.values():
        if pdf.get_y() > 180:
            pdf.add_page()
        pdf.image(io.BytesIO(_image(figure, "png")), w=170)
    return bytes(pdf.output())


def write(report: dict[str, Any], folder: Path) -> list[Path]:
    """Write ``<period>.html`` and ``<period>.pdf`` into ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = charts(report)
    page = folder / f"{report['period']}.html"
    page.write_text(to_html(report, figures), encoding="utf-8")
    pdf = folder / f"{report['period']}.pdf"
    pdf.write_bytes(to_pdf(report, figures))
    return [page, pdf]
