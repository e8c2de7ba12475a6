"""``flask designation-report`` and ``flask brochure`` write the PDF and print its page count."""

from __future__ import annotations

import re

from tests.documents.conftest import pdf_info, pdf_text


def test_designation_report_command(runner, city, tmp_path):
    out = tmp_path / "isfahan.pdf"
    result = runner.invoke(args=["designation-report", "IR-10-ISFAHAN", "--lang", "en", "--from", "1404",
                                 "--to", "1405", "--out", str(out)])
    assert result.exit_code == 0, result.output
    pages = int(re.search(r"(\d+) pages", result.output).group(1))
    data = out.read_bytes()
    assert int(pdf_info(data)["Pages"]) == pages
    assert "Isfahan" in pdf_text(data) and "12,500" in pdf_text(data)


def test_brochure_command(runner, city, tmp_path):
    out = tmp_path / "felt.pdf"
    result = runner.invoke(args=["brochure", "--lang", "ru", "--craft", "felt", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert re.search(r"\d+ pages", result.output)
    assert "Войлок Исфахана" in pdf_text(out.read_bytes())


def test_commands_explain_mistakes(runner, city, tmp_path):
    out = str(tmp_path / "x.pdf")
    result = runner.invoke(args=["designation-report", "IR-99-NOWHERE", "--out", out])
    assert result.exit_code != 0 and "No organisation" in result.output
    result = runner.invoke(args=["designation-report", "IR-10-KASHAN", "--out", out])
    assert result.exit_code != 0 and "designated" in result.output
    result = runner.invoke(args=["brochure", "--lang", "ru", "--out", out])
    assert result.exit_code != 0 and "--craft" in result.output
    result = runner.invoke(args=["brochure", "--lang", "ru", "--craft", "nothing", "--out", out])
    assert result.exit_code != 0 and "nothing" in result.output
