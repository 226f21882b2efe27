"""Cross-region filings 备案 (D-P1–P3, D-F2–F7).

The rules run when a filing is made, changed or cancelled (``new_filing``, ``Filing.changed``,
``Filing.cancelled``); a stored filing is loaded as it was written, so a later change of the
rules never makes an old row unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from filing.domain.errors import (
    ChannelNotAllowed,
    FilingCancelled,
    FilingOverlaps,
    InvalidValidity,
    LateFilingRefused,
    MaterialsMissing,
    ReferralRefused,
)
from filing.domain.regions import check_destination
from medins_common.errors import Conflict

TEMPORARY_MAX_MONTHS = 12
LATE_FILING_MAX_DAYS = 180
# A filing is made for a move or a stay that is coming, not for one years away.
MAX_DAYS_AHEAD = 365
ONE_DAY = timedelta(days=1)


class FilingClass(StrEnum):
    LONG_TERM = "long_term"  # 异地长期居住人员 (Art. 5-6)
    TEMPORARY = "temporary"  # 临时外出就医人员 (Art. 5, 7)


class Subtype(StrEnum):
    RETIREE_RESETTLED = "retiree_resettled"
    LONG_TERM_RESIDENT = "long_term_resident"
    STATIONED_WORKER = "stationed_worker"
    REFERRAL = "referral"
    EMERGENCY = "emergency"
    OTHER_TEMPORARY = "other_temporary"

    @property
    def filing_class(self) -> FilingClass:
        return FilingClass.LONG_TERM if self in _LONG_TERM else FilingClass.TEMPORARY


_LONG_TERM = {Subtype.RETIREE_RESETTLED, Subtype.LONG_TERM_RESIDENT, Subtype.STATIONED_WORKER}


class FilingStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    """D-F3: where the filing was made."""

    NATIONAL_APP = "national_app"
    JIN_YIBAO_APP = "jin_yibao_app"
    NATIONAL_MINI_PROGRAM = "national_mini_program"
    STATE_COUNCIL_MINI_PROGRAM = "state_council_mini_program"
    DISTRICT_WINDOW = "district_window"
    COMMUNITY_SERVICE_POINT = "community_service_point"
    SELF_SERVICE_TERMINAL = "self_service_terminal"


class FiledBy(StrEnum):
    PERSON = "person"  # the insured person, signed in on an app, mini-program or terminal
    AGENCY = "agency"  # staff at a window or service point, on the person's behalf


_CHANNELS_OF = {
    FiledBy.PERSON: {
        Channel.NATIONAL_APP,
        Channel.JIN_YIBAO_APP,
        Channel.NATIONAL_MINI_PROGRAM,
        Channel.STATE_COUNCIL_MINI_PROGRAM,
        Channel.SELF_SERVICE_TERMINAL,
    },
    FiledBy.AGENCY: {Channel.DISTRICT_WINDOW, Channel.COMMUNITY_SERVICE_POINT},
}


class Material(StrEnum):
    """D-F2 (Art. 9-10): the proofs a filing may rest on."""

    HOUSEHOLD_REGISTER_FRONT_PAGE = "household_register_front_page"  # 户口本首页
    RESIDENT_REGISTRATION_CARD = "resident_registration_card"  # 常住人口登记卡
    RESIDENCE_PROOF = "residence_proof"  # 居住证明
    DISPATCH_LETTER = "dispatch_letter"  # 参保地工作单位派出证明
    DESTINATION_EMPLOYER_CERTIFICATE = "destination_employer_certificate"  # 异地工作单位证明
    WORK_CONTRACT = "work_contract"  # 工作合同
    REFERRAL_CERTIFICATE = "referral_certificate"  # 转诊转院证明
    COMMITMENT_LETTER = "commitment_letter"  # 个人承诺书: replaces any of the above


# Per subtype, the alternatives that suffice (each a set needed together). Emergency and
# other temporary filings rest on the commitment letter alone.
_MATERIAL_OPTIONS: dict[Subtype, tuple[frozenset[Material], ...]] = {
    Subtype.RETIREE_RESETTLED: (
        frozenset({Material.HOUSEHOLD_REGISTER_FRONT_PAGE, Material.RESIDENT_REGISTRATION_CARD}),
    ),
    Subtype.LONG_TERM_RESIDENT: (frozenset({Material.RESIDENCE_PROOF}),),
    Subtype.STATIONED_WORKER: (
        frozenset({Material.DISPATCH_LETTER}),
        frozenset({Material.DESTINATION_EMPLOYER_CERTIFICATE}),
        frozenset({Material.WORK_CONTRACT}),
    ),
    Subtype.REFERRAL: (frozenset({Material.REFERRAL_CERTIFICATE}),),
    Subtype.EMERGENCY: (),
    Subtype.OTHER_TEMPORARY: (),
}


@dataclass(frozen=True)
class Filing:
    filing_id: str
    psn_no: str
    insured_region: str
    subtype: Subtype
    destination_region: str
    start_date: date
    end_date: date | None
    channel: Channel
    materials: frozenset[Material] = frozenset()
    referral_id: str | None = None
    admission_date: date | None = None  # D-F7: the stay a late filing reaches back to
    status: FilingStatus = FilingStatus.ACTIVE
    cancelled_on: date | None = None
    version: int = 1

    @property
    def filing_class(self) -> FilingClass:
        return self.subtype.filing_class

    @property
    def last_day(self) -> date | None:
        """The last day covered: the end date, or the day before a cancellation took effect."""
        if self.cancelled_on is None:
            return self.end_date
        before_cancel = self.cancelled_on - ONE_DAY
        return before_cancel if self.end_date is None else min(self.end_date, before_cancel)

    def covers(self, day: date) -> bool:
        """A cancellation ends cover from its day on; the days before stay covered."""
        last = self.last_day
        return self.start_date <= day and (last is None or day <= last)

    def overlaps(self, other: Filing) -> bool:
        mine, theirs = self.last_day, other.last_day
        return (
            not self.is_void
            and not other.is_void
            and (mine is None or other.start_date <= mine)
            and (theirs is None or self.start_date <= theirs)
        )

    @property
    def is_void(self) -> bool:
        """Cancelled before it started: it never covered a day."""
        return self.last_day is not None and self.last_day < self.start_date

    def changed(
        self,
        *,
        today: date,
        start_date: date | None = None,
        end_date: date | None = None,
        clear_end: bool = False,
        destination_region: str | None = None,
        admission_date: date | None = None,
    ) -> tuple[Filing, list[str]]:
        """The filing after a change of dates or destination, and the fields that changed.

        The creation rules apply to the new values: D-F4 to a new destination, D-F7 to a
        start moved into the past, D-F6 to the validity. ``clear_end`` makes a long-term
        filing open-ended again (a temporary one gets its longest validity).
        """
        self._ensure_active()
        start = start_date or self.start_date
        if start != self.start_date:
            check_start(start, today=today, admission_date=admission_date)
        destination = destination_region or self.destination_region
        if destination != self.destination_region:
            check_destination(insured_region=self.insured_region, destination=destination)
        requested_end = None if clear_end else (end_date or self.end_date)
        if requested_end != self.end_date:
            check_end_not_past(requested_end, today=today)
        after = replace(
            self,
            start_date=start,
            destination_region=destination,
            end_date=validity_end(self.subtype, start=start, end=requested_end),
            admission_date=admission_date if start != self.start_date else self.admission_date,
        )
        changed = [
            name
            for name in ("start_date", "end_date", "destination_region")
            if getattr(after, name) != getattr(self, name)
        ]
        return (replace(after, version=self.version + 1), changed) if changed else (self, [])

    def cancelled(self, *, today: date) -> Filing:
        """Cancellation takes effect today (Art. 13); the days before stay covered."""
        self._ensure_active()
        if self.last_day is not None and self.last_day < today:
            raise Conflict(
                f"Filing {self.filing_id} already ended on {self.last_day.isoformat()}.",
                code="filing_ended",
            )
        return replace(
            self, status=FilingStatus.CANCELLED, cancelled_on=today, version=self.version + 1
        )

    def _ensure_active(self) -> None:
        if self.status is FilingStatus.CANCELLED:
            raise FilingCancelled(f"Filing {self.filing_id} is cancelled; file anew instead.")


def new_filing(
    *,
    filing_id: str,
    psn_no: str,
    insured_region: str,
    subtype: Subtype,
    destination_region: str,
    start_date: date,
    end_date: date | None,
    channel: Channel,
    filed_by: FiledBy,
    materials: frozenset[Material],
    referral_id: str | None,
    admission_date: date | None,
    today: date,
) -> Filing:
    """A filing as the rules allow it to be made (D-F2, D-F3, D-F4, D-F6, D-F7)."""
    check_channel(channel, filed_by=filed_by)
    check_destination(insured_region=insured_region, destination=destination_region)
    check_start(start_date, today=today, admission_date=admission_date)
    check_end_not_past(end_date, today=today)
    if referral_id is not None and subtype is not Subtype.REFERRAL:
        raise ReferralRefused(
            "Only a referral filing cites a referral.",
            code="referral_not_applicable",
            field="referral_id",
        )
    check_materials(subtype, materials, referral_id=referral_id)
    return Filing(
        filing_id=filing_id,
        psn_no=psn_no,
        insured_region=insured_region,
        subtype=subtype,
        destination_region=destination_region,
        start_date=start_date,
        end_date=validity_end(subtype, start=start_date, end=end_date),
        channel=channel,
        materials=materials,
        referral_id=referral_id,
        admission_date=admission_date,
    )


def check_channel(channel: Channel, *, filed_by: FiledBy) -> None:
    """D-F3: people file on apps, mini-programs and terminals; staff at windows and points."""
    if channel not in _CHANNELS_OF[filed_by]:
        allowed = ", ".join(sorted(_CHANNELS_OF[filed_by]))
        raise ChannelNotAllowed(
            f"Filing by the {filed_by.value} is made through one of: {allowed} (D-F3).",
            field="channel",
        )


def check_materials(
    subtype: Subtype, materials: frozenset[Material], *, referral_id: str | None
) -> None:
    """D-F2: the subtype's materials, or a personal commitment letter in their place.

    A cited referral (the ReferralIssued record) stands for the referral certificate.
    """
    if Material.COMMITMENT_LETTER in materials:
        return
    provided = materials | ({Material.REFERRAL_CERTIFICATE} if referral_id else set())
    options = _MATERIAL_OPTIONS[subtype]
    if any(option <= provided for option in options):
        return
    needed = " or ".join(" and ".join(sorted(option)) for option in options)
    raise MaterialsMissing(
        f"A {subtype.value} filing needs "
        f"{needed + ', or ' if needed else ''}a personal commitment letter (D-F2).",
        field="materials",
    )


def check_start(start: date, *, today: date, admission_date: date | None) -> None:
    """D-F7: a filing starts from today up to a year ahead, or reaches back to the admission
    of a stay not yet settled at discharge: at most LATE_FILING_MAX_DAYS back, never before it."""
    if admission_date is not None:
        if admission_date > today:
            raise LateFilingRefused(
                "The admission date lies in the future.",
                code="admission_in_future",
                field="admission_date",
            )
        if start < admission_date:
            raise LateFilingRefused(
                "A late filing starts no earlier than the admission it covers (D-F7).",
                code="start_before_admission",
                field="start_date",
            )
    if start > today + timedelta(days=MAX_DAYS_AHEAD):
        raise LateFilingRefused(
            f"A filing starts at most {MAX_DAYS_AHEAD} days ahead; file closer to the move.",
            code="start_too_far_ahead",
            field="start_date",
        )
    if start >= today:
        return
    if admission_date is None:
        raise LateFilingRefused(
            "A start date in the past is a late filing: give the admission date of the stay "
            "not yet settled at discharge (D-F7).",
            code="late_filing_needs_admission",
            field="start_date",
        )
    if (today - admission_date).days > LATE_FILING_MAX_DAYS:
        raise LateFilingRefused(
            f"A late filing reaches back at most {LATE_FILING_MAX_DAYS} days; for older stays "
            "claim manual reimbursement (D-F7, D-F8).",
            code="late_filing_window_passed",
            field="admission_date",
        )


def check_end_not_past(end: date | None, *, today: date) -> None:
    """An end date is not set into the past: that would withdraw cover already relied on."""
    if end is not None and end < today:
        raise InvalidValidity(
            "The end date lies in the past; a filing ends today at the earliest.",
            code="end_in_past",
            field="end_date",
        )


def longest_temporary_end(start: date) -> date:
    """D-F6: 12 months less a day. A 29 February start ends on 28 February of the next year:
    the anniversary that does not exist falls on 1 March, and the day before it is the last."""
    try:
        anniversary = start.replace(year=start.year + TEMPORARY_MAX_MONTHS // 12)
    except ValueError:
        anniversary = date(start.year + 1, 3, 1)
    return anniversary - ONE_DAY


def validity_end(subtype: Subtype, *, start: date, end: date | None) -> date | None:
    """D-F6: long-term filings run until the person ends them; temporary ones 12 months at most.

    A temporary filing without an end date gets the longest validity.
    """
    if end is not None and end < start:
        raise InvalidValidity("The end date is before the start date.", field="end_date")
    if subtype.filing_class is FilingClass.LONG_TERM:
        return end
    longest = longest_temporary_end(start)
    if end is None:
        return longest
    if end > longest:
        raise InvalidValidity(
            f"A temporary filing lasts at most {TEMPORARY_MAX_MONTHS} months (D-F6): "
            f"the latest end for this start is {longest.isoformat()}.",
            field="end_date",
        )
    return end


def check_no_overlap(filing: Filing, others: list[Filing]) -> None:
    """One long-term filing at a time, and no second filing to the same place for the same
    days: a duplicate submission is refused instead of filed twice."""
    for other in others:
        if other.filing_id == filing.filing_id or not other.overlaps(filing):
            continue
        both_long_term = filing.filing_class is other.filing_class is FilingClass.LONG_TERM
        if both_long_term or other.destination_region == filing.destination_region:
            raise FilingOverlaps(
                f"Filing {other.filing_id} ({other.subtype.value} to "
                f"{other.destination_region}) already covers some of these days; change or "
                "cancel it instead.",
                field="start_date",
                extra={"filing_id": other.filing_id},
            )
