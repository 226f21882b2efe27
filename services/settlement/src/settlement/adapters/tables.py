"""The settlement database: read models fed by other services' events, bills and what they use.

Read-model rows carry ``as_of`` (the event's ``occurred_at``): an upsert applies only if it is
not older than what the row already holds, so a late redelivery never undoes a later change.
Cancellations and revocations live in tables of their own, so they hold whatever order the
events arrive in (a cancellation may overtake the creation it cancels).
"""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    UniqueConstraint,
)

from medins_common.messaging_tables import messaging_tables
from medins_common.sqltypes import Timestamp
from settlement.adapters.sqltypes import Fen

metadata = MetaData()
messaging_tables(metadata)


def _money(name: str) -> Column:
    return Column(name, Fen(), nullable=False)


def _ratio(name: str) -> Column:
    return Column(name, Numeric(7, 4), nullable=False)


# -- read models ----------------------------------------------------------------------------

known_persons = Table(
    "known_persons",
    metadata,
    Column("psn_no", String(30), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("insured_region", String(6), nullable=False),
    Column("insutype", String(3), nullable=False),
    Column("person_type", String(30), nullable=False),
    Column("status", String(20), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    Column("as_of", Timestamp(), nullable=True),  # null: written before versions were kept
)

known_filings = Table(
    "known_filings",
    metadata,
    Column("filing_id", String(36), primary_key=True),
    Column("psn_no", String(30), nullable=False),
    Column("filing_class", String(20), nullable=False),
    Column("subtype", String(30), nullable=False),
    Column("destination_region", String(6), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("scope", JSON, nullable=True),  # null: the default scope (D-F5)
    Column("updated_at", Timestamp(), nullable=False),
    Column("as_of", Timestamp(), nullable=True),
    Index("ix_known_filings_psn_no", "psn_no"),
)

filing_cancellations = Table(
    "filing_cancellations",
    metadata,
    Column("filing_id", String(36), primary_key=True),
    Column("psn_no", String(30), nullable=False),
    Column("cancelled_on", Date, nullable=False),  # the filing's last day in force
    Column("as_of", Timestamp(), nullable=False),
)

known_institutions = Table(
    "known_institutions",
    metadata,
    Column("code", String(30), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("region", String(6), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("level", Integer, nullable=True),
    Column("designated", Boolean, nullable=False),
    Column("networked_services", JSON, nullable=False),
    Column("consortium_id", String(60), nullable=True),
    Column("jjj_mutual_recognition", Boolean, nullable=False),
    Column("as_of", Timestamp(), nullable=False),
    Index("ix_known_institutions_consortium_id", "consortium_id"),
)

known_chronic_registrations = Table(
    "known_chronic_registrations",
    metadata,
    Column("registration_id", String(36), primary_key=True),
    Column("psn_no", String(30), nullable=False),
    Column("filing_id", String(36), nullable=True),
    Column("disease_code", String(30), nullable=False),
    Column("disease_name", String(100), nullable=False),
    Column("institution_codes", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("as_of", Timestamp(), nullable=False),
    Index("ix_known_chronic_registrations_psn_no", "psn_no"),
)

known_referrals = Table(
    "known_referrals",
    metadata,
    Column("referral_id", String(36), primary_key=True),
    Column("psn_no", String(30), nullable=False),
    Column("path", String(40), nullable=False),
    Column("issuing_institution", String(30), nullable=False),
    Column("target_institution", String(30), nullable=False),
    Column("target_region", String(6), nullable=False),
    Column("covered_institutions", JSON, nullable=False),  # the target and its consortium
    Column("consortium_id", String(60), nullable=True),  # the target's, when issued
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=False),
    Column("as_of", Timestamp(), nullable=False),
    Index("ix_known_referrals_psn_no", "psn_no"),
)

referral_revocations = Table(
    "referral_revocations",
    metadata,
    Column("referral_id", String(36), primary_key=True),
    Column("psn_no", String(30), nullable=False),
    Column("revoked_at", Timestamp(), nullable=False),
)

closed_periods = Table(
    "closed_periods",
    metadata,
    Column("period", String(7), primary_key=True),
    Column("run_id", String(60), nullable=False),
    Column("closed_at", Timestamp(), nullable=False),
)

# -- bills and what they use ----------------------------------------------------------------

accumulators = Table(
    "accumulators",
    metadata,
    # Per person, insurance type, calendar year and benefit care type (DOMAIN.md arithmetic).
    Column("psn_no", String(30), primary_key=True),
    Column("insutype", String(3), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("care_type", String(30), primary_key=True),
    _money("deductible_used"),
    _money("fund_paid"),
    Column("admissions", Integer, nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
)

bills = Table(
    "bills",
    metadata,
    Column("bill_id", String(32), primary_key=True),
    Column("institution_code", String(30), nullable=False),
    Column("setl_id", String(60), nullable=False),
    Column("mdtrt_id", String(60), nullable=False),
    Column("psn_no", String(30), nullable=False),
    Column("insutype", String(3), nullable=False),
    Column("person_type", String(30), nullable=False),
    Column("med_type", String(6), nullable=False),
    Column("care_type", String(30), nullable=False),
    Column("insured_region", String(6), nullable=False),
    Column("treatment_region", String(6), nullable=False),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=False),
    Column("emergency", Boolean, nullable=False),
    Column("chronic_disease", String(30), nullable=True),
    Column("request_hash", String(64), nullable=False),  # the hospital's body, for retries
    _money("medfee_sumamt"),
    _money("fulamt_ownpay_amt"),
    _money("overlmt_selfpay"),
    _money("preselfpay_amt"),
    _money("inscp_scp_amt"),
    _money("act_pay_dedc"),
    _money("hifp_pay"),
    _ratio("pool_prop_selfpay"),
    _money("fund_pay_sumamt"),
    _money("psn_part_amt"),
    _money("acct_pay"),
    _money("psn_cash_pay"),
    Column("clr_optins", String(6), nullable=False),
    Column("coverage", JSON, nullable=False),
    Column("lines", JSON, nullable=False),
    Column("trace", JSON, nullable=False),
    Column("catalogue_version", String(60), nullable=False),
    Column("policy_version", String(60), nullable=False),
    # What the bill took from its accumulator row, so a reversal gives back exactly that.
    Column("accumulator_year", Integer, nullable=False),
    Column("accumulator_care_type", String(30), nullable=False),
    _money("used_deductible"),
    _money("used_fund"),
    Column("used_admissions", Integer, nullable=False),
    Column("settled_at", Timestamp(), nullable=False),
    Column("settled_day", Date, nullable=False),  # Asia/Shanghai, for a hospital's day
    Column("period", String(7), nullable=False),
    Column("reversed_at", Timestamp(), nullable=True),
    Column("reversed_day", Date, nullable=True),
    Column("reversal_period", String(7), nullable=True),
    Column("reversal_reason", String(200), nullable=True),
    UniqueConstraint("institution_code", "setl_id", name="uq_bills_institution_setl_id"),
    Index("ix_bills_institution_settled_day", "institution_code", "settled_day"),
    Index("ix_bills_institution_reversed_day", "institution_code", "reversed_day"),
    Index("ix_bills_period", "period"),
    Index("ix_bills_reversal_period", "reversal_period"),
)

hospital_reconciliations = Table(
    "hospital_reconciliations",
    metadata,
    # A hospital's daily totals (national code 3201) and what settlement computed for them.
    Column("institution_code", String(30), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("declared_count", Integer, nullable=False),
    _money("declared_medfee_sumamt"),
    _money("declared_fund_pay_sumamt"),
    _money("declared_cash"),
    Column("computed_count", Integer, nullable=False),
    _money("computed_medfee_sumamt"),
    _money("computed_fund_pay_sumamt"),
    _money("computed_cash"),
    Column("result", String(10), nullable=False),  # match | mismatch
    Column("reconciled_at", Timestamp(), nullable=False),
    Index("ix_hospital_reconciliations_day", "day"),
)

manual_claims = Table(
    "manual_claims",
    metadata,
    Column("claim_id", String(32), primary_key=True),
    Column("psn_no", String(30), nullable=False),
    Column("insured_region", String(6), nullable=False),
    Column("insutype", String(3), nullable=False),
    Column("person_type", String(30), nullable=False),
    Column("institution_code", String(30), nullable=False),
    Column("treatment_region", String(6), nullable=False),
    Column("care_type", String(30), nullable=False),
    Column("begndate", Date, nullable=False),
    Column("enddate", Date, nullable=False),
    Column("emergency", Boolean, nullable=False),
    Column("chronic_disease", String(30), nullable=True),
    Column("invoices", JSON, nullable=False),  # e-invoices with their lines, as claimed
    Column("valuation", JSON, nullable=False),  # amounts, lines and rule trace
    Column("status", String(20), nullable=False),
    Column("history", JSON, nullable=False),  # every transition: status, reason, who, when
    Column("submitted_at", Timestamp(), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    Index("ix_manual_claims_psn_no", "psn_no"),
    Index("ix_manual_claims_insured_region_status", "insured_region", "status"),
)

claimed_invoices = Table(
    "claimed_invoices",
    metadata,
    # An e-invoice is reimbursed once: a second claim naming it is refused.
    Column("einvoice_no", String(60), primary_key=True),
    Column("claim_id", String(32), nullable=False),
)
