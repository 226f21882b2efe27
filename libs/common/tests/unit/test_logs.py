import json
import logging

from medins_common.context import correlation_id_var
from medins_common.logs import configure_logging, scrub


def test_national_id_numbers_are_scrubbed_from_log_text():
    assert scrub("person 11010519491231002X filed") == "person [id-number] filed"
    assert scrub("psn_no 12000000000000000001") == "psn_no 12000000000000000001"  # 20 digits


def test_log_lines_are_json_with_service_and_correlation_id(capsys):
    configure_logging(service="unit", level="INFO")
    token = correlation_id_var.set("corr-1")
    try:
        logging.getLogger("t").info("id %s", "11010519491231002X")
    finally:
        correlation_id_var.reset(token)
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["service"] == "unit"
    assert line["correlation_id"] == "corr-1"
    assert "11010519491231002X" not in line["message"]
