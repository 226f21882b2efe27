"""Clearing statements as documents: a CSV for systems, a PDF for people (reportlab).

The PDF shows the pair, the period, the status with who confirmed when, the totals, a bar
chart of the month's fund share by institution and the table behind it. Chinese text is set
in the CID font STSong-Light, which needs no font file; figures in Helvetica.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from functools import cache
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from clearing.domain.netting import Figures, InstitutionLine
from clearing.domain.statements import Statement
from medins_common.money import FEN, money_str

CHINESE = "STSong-Light"
_CHART_BARS = 15  # institutions drawn one by one; the rest as one bar
REGION_NAMES = {
    "110000": "北京市",
    "120000": "天津市",
    "130000": "河北省",
    "460000": "海南省",
    "540000": "西藏自治区",
    "660000": "新疆生产建设兵团",
}

CSV_COLUMNS = (
    "period",
    "insured_region",
    "treatment_region",
    "institution_code",
    "settled_count",
    "reversed_count",
    "medfee_sumamt",
    "fund_pay_sumamt",
    "psn_part_amt",
    "psn_cash_pay",
)
TOTAL = "TOTAL"


def statement_csv(statement: Statement) -> str:
    """One row per institution, then the TOTAL row: its fund_pay_sumamt is the amount due."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for code, figures in _rows(statement):
        writer.writerow(
            (
                statement.period,
                statement.insured_region,
                statement.treatment_region,
                code,
                figures.settled_count,
                figures.reversed_count,
                *(money_str(amount) for amount in _amounts(figures)),
            )
        )
    return buffer.getvalue()


def _rows(statement: Statement) -> list[tuple[str, Figures]]:
    return [(line.institution_code, line.figures) for line in statement.institutions] + [
        (TOTAL, statement.figures)
    ]


def _amounts(figures: Figures) -> tuple[Decimal, ...]:
    return (
        figures.medfee_sumamt,
        figures.fund_pay_sumamt,
        figures.psn_part_amt,
        figures.psn_cash_pay,
    )


# -- PDF -----------------------------------------------------------------------------------------


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(CHINESE))


def _region(code: str) -> str:
    name = REGION_NAMES.get(code)
    return f'<font name="{CHINESE}">{name}</font> {code}' if name else code


def statement_pdf(statement: Statement) -> bytes:
    _register_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Clearing statement {statement.period} {statement.insured_region}-"
        f"{statement.treatment_region}",
        author="clearing service",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    heading = ParagraphStyle("heading", fontName="Helvetica-Bold", fontSize=15, leading=20)
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=13)
    story = [
        Paragraph(
            f'<font name="{CHINESE}">异地就医费用清算单</font> · Clearing statement', heading
        ),
        Spacer(1, 3 * mm),
        _facts_table(statement, body),
        Spacer(1, 5 * mm),
        _totals_table(statement),
        Spacer(1, 6 * mm),
        Paragraph(
            f'<font name="{CHINESE}">各医疗机构基金支付</font> · Fund share by institution (yuan)',
            body,
        ),
        _chart(statement.institutions),
        Spacer(1, 4 * mm),
        _institutions_table(statement),
    ]
    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


def _facts_table(statement: Statement, style: ParagraphStyle) -> Table:
    def when(by: str | None, at: object) -> str:
        return f"{by} at {at:%Y-%m-%d %H:%M}" if by else "-"

    rows = [
        ("Period 清算期", statement.period),
        ("Insured region 参保地", _region(statement.insured_region)),
        ("Treatment region 就医地", _region(statement.treatment_region)),
        ("Status 状态", statement.status.value),
        (
            "Confirmed by insured side",
            when(statement.insured_confirmed_by, statement.insured_confirmed_at),
        ),
        (
            "Confirmed by treatment side",
            when(statement.treatment_confirmed_by, statement.treatment_confirmed_at),
        ),
        ("Paid", when(statement.paid_by, statement.paid_at)),
        ("Statement / run", f"{statement.statement_id} / {statement.run_id}"),
    ]
    table = Table(
        [
            [
                Paragraph(_mixed(label), style),
                Paragraph(value, style),
            ]
            for label, value in rows
        ],
        colWidths=(52 * mm, 120 * mm),
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _mixed(label: str) -> str:
    """English in Helvetica, then its Chinese name in the CID font."""
    english, _, chinese = label.partition(" ")
    if chinese and not chinese.isascii():
        return f'{english} <font name="{CHINESE}">{chinese}</font>'
    return label


def _totals_table(statement: Statement) -> Table:
    figures = statement.figures
    rows = [
        ("Settled bills", str(figures.settled_count)),
        ("Reversed bills", str(figures.reversed_count)),
        ("Medical fees (net)", money_str(figures.medfee_sumamt)),
        ("Paid in cash by people (net)", money_str(figures.psn_cash_pay)),
        ("of it, adjustments for earlier periods", money_str(statement.adjustment_fund_pay_sumamt)),
        ("Amount due: fund share (net)", money_str(statement.amount_due)),
    ]
    table = Table(rows, colWidths=(110 * mm, 62 * mm))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "Helvetica"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
            ]
        )
    )
    return table


def _chart(institutions: tuple[InstitutionLine, ...]) -> Drawing:
    drawing = Drawing(172 * mm, 70 * mm)
    if not institutions:
        drawing.add(String(10, 30, "No bills in this period.", fontName="Helvetica"))
        return drawing
    ranked = sorted(institutions, key=lambda line: line.figures.fund_pay_sumamt, reverse=True)
    shown = ranked[:_CHART_BARS]
    rest = sum((line.figures.fund_pay_sumamt for line in ranked[_CHART_BARS:]), Decimal(0))
    labels = [line.institution_code for line in shown] + (
        ["others"] if len(ranked) > len(shown) else []
    )
    amounts = [line.figures.fund_pay_sumamt for line in shown] + (
        [rest] if len(labels) > len(shown) else []
    )
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, 16 * mm
    chart.width, chart.height = 150 * mm, 48 * mm
    chart.data = [[int(amount / FEN) for amount in amounts]]  # fen: whole numbers, exact
    chart.valueAxis.labelTextFormat = lambda fen: f"{fen / 100:,.0f}"
    chart.valueAxis.valueMin = min(0, *chart.data[0])
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = 6.5
    chart.bars[0].fillColor = colors.HexColor("#2f6f9f")
    drawing.add(chart)
    return drawing


def _institutions_table(statement: Statement) -> Table:
    header = ("Institution", "Settled", "Reversed", "Medical fees", "Fund share", "Cash")
    rows = [
        (
            code,
            str(figures.settled_count),
            str(figures.reversed_count),
            money_str(figures.medfee_sumamt),
            money_str(figures.fund_pay_sumamt),
            money_str(figures.psn_cash_pay),
        )
        for code, figures in _rows(statement)
    ]
    table = Table(
        [header, *rows],
        repeatRows=1,
        colWidths=(40 * mm, 20 * mm, 20 * mm, 32 * mm, 32 * mm, 28 * mm),
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "Helvetica"),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), (colors.white, colors.HexColor("#f2f5f8"))),
            ]
        )
    )
    return table


def _page_number(canvas: Any, document: Any) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {document.page}")
    canvas.restoreState()
