"""Shared fixtures: the bundled template, its example values, and the example rendered once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import settings

import drafter

# CI runs the same examples every time, so a red build can be reproduced; a developer's run explores.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = ROOT / "templates" / "township-work-report"
SEED = ROOT / "seeds" / "000_bfa708c56a8de71e.txt"


@pytest.fixture(scope="session")
def template() -> drafter.Template:
    return drafter.load_template("township-work-report")


@pytest.fixture(scope="session")
def example() -> dict:
    return yaml.safe_load((TEMPLATE_DIR / "example.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def example_docx(template, example, tmp_path_factory) -> Path:
    return template.render_docx(example, tmp_path_factory.mktemp("docx") / "example.docx")


@pytest.fixture(scope="session")
def office_schema(tmp_path_factory):
    """Return a function that asserts .docx bytes validate against the Office Open XML schema.

    openxml-audit is an independent, pure-Python validator of the ECMA-376 schemas and Word's own
    compatibility rules: it catches what makes Word call a file unreadable, which LibreOffice and
    python-docx forgive. Loading its schemas takes seconds, so one validator serves the session.
    """
    from openxml_audit import OpenXmlValidator

    validator = OpenXmlValidator()
    folder = tmp_path_factory.mktemp("audit")

    def check(data: bytes, name: str = "report.docx") -> None:
        path = folder / name
        path.write_bytes(data)
        result = validator.validate(path)
        assert result.is_valid, [str(error) for error in result.errors]

    return check


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def nested(flat: dict[str, object]) -> dict[str, dict[str, object]]:
    """Return `flat` dotted keys as the nested dicts a values file holds."""
    out: dict[str, dict[str, object]] = {}
    for key, value in flat.items():
        group, name = key.split(".")
        out.setdefault(group, {})[name] = value
    return out
