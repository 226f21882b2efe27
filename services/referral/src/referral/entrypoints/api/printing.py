"""The printable result of a referral (D-R1, Art. 17): a PDF the patient takes along, with the
verification code anyone can check at ``GET /v1/referrals/verify/{code}``."""

from __future__ import annotations

import functools
import io
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from referral.domain.referral import Path, Status, Step, StepKind
from referral.domain.verification import grouped
from referral.service_layer.services import ReferralView

CHINESE_FONT = "STSong-Light"  # an Adobe CID font PDF readers carry, so nothing is embedded
LATIN_FONT = "Helvetica"
VERIFY_PATH = "/v1/referrals/verify/"

PATH_TITLES = {
    Path.TERTIARY_OUTBOUND: "本市三级定点医疗机构转外就医（第十六、十七条）",
    Path.LONG_TERM_IN_PROVINCE: "异地长期居住人员备案地省内转诊转院（第十八条）",
    Path.LONG_TERM_CROSS_PROVINCE: "异地长期居住人员跨省转诊转院（第十八条）",
    Path.TEMPORARY_ONWARD: "临时外出就医人员转省内其他定点医疗机构（第十九条）",
    Path.EMERGENCY_ONWARD: "异地急诊抢救人员跨省转诊转院（第二十条）",
}
TITLE_NAMES = {"chief": "主任医师", "associate_chief": "副主任医师"}
STATUS_NAMES = {Status.ISSUED: "有效 valid", Status.EXPIRED: "已过期 expired"}


@functools.cache
def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))
    body = ParagraphStyle("body", fontName=CHINESE_FONT, fontSize=10.5, leading=15, wordWrap="CJK")
    # Codes and numbers in a Latin font: crisper, and searchable as plain text in the PDF.
    latin = ParagraphStyle("latin", parent=body, fontName=LATIN_FONT)
    title = ParagraphStyle("title", parent=body, fontSize=17, leading=24, alignment=1)
    subtitle = ParagraphStyle("subtitle", parent=body, fontSize=11, alignment=1)
    return body, latin, title, subtitle


def render_referral(view: ReferralView) -> bytes:
    """One A4 page (more if the reason is long) with the referral's content and its code."""
    body, latin, title, subtitle = _styles()
    referral, content, names = view.referral, view.referral.content, view.institution_names

    def institution(code: str) -> str:
        return f"{names.get(code, '')}（{code}）"

    steps = {step.kind: step for step in referral.steps}
    rows = [
        ("转诊单号 Referral no.", referral.referral_id),
        ("参保人 Patient", f"{view.patient_name or ''}（{content.psn_no}）"),
        ("诊断 Diagnosis", f"{content.diagnosis_code} {content.diagnosis_name}"),
        ("转诊原因 Reason", content.reason),
        ("转出机构 Issued by", institution(referral.issuing_institution)),
        (
            "转入机构 Referred to",
            f"{institution(content.target_institution)} {content.target_region}",
        ),
        (
            "同等待遇机构 Also covered",
            "、".join(institution(code) for code in referral.covered_institutions[1:]) or "无",
        ),
        ("有效期 Valid", f"{content.valid_from.isoformat()} 至 {content.valid_to.isoformat()}"),
        ("状态 Status", STATUS_NAMES.get(view.status, view.status.value)),
        ("转诊意见 Opinion", _signed(steps[StepKind.OPINION])),
        ("科室主任核准 Approved", _signed(steps[StepKind.APPROVAL])),
        ("医保办上传 Uploaded", _signed(steps[StepKind.UPLOAD])),
    ]
    code = grouped(referral.verification_code)
    table = Table(
        [
            [
                Paragraph(escape(label), body),
                Paragraph(escape(value), latin if value.isascii() else body),
            ]
            for label, value in rows
        ]
        + [
            [
                Paragraph("验证码 Verification code", body),
                Paragraph(f'<font name="{LATIN_FONT}" size="13">{code}</font>', body),
            ]
        ],
        colWidths=[48 * mm, 122 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Referral {referral.referral_id}",
        subject=f"verification code {code}",
        author="medins referral service",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(
        [
            Paragraph("基本医疗保险转诊转院证明", title),
            Paragraph(escape(PATH_TITLES[content.path]), subtitle),
            Spacer(1, 6 * mm),
            table,
            Spacer(1, 5 * mm),
            Paragraph(
                escape(
                    f"真伪查验 Verify: {VERIFY_PATH}{code} — 凭验证码可查验本证明是否真实、"
                    "是否已撤销或过期。"
                ),
                body,
            ),
        ]
    )
    return buffer.getvalue()


def _signed(step: Step) -> str:
    title = TITLE_NAMES.get(step.person_title or "", "")
    return f"{step.person_name} {title} {_moment(step.at)}".replace("  ", " ")


def _moment(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M")
