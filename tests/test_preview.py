"""drafter.preview and `drafter preview`: missing tools, failures and timeouts, and a real conversion."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

from drafter import preview
from drafter.cli import cli
from drafter.errors import OfficeNotFoundError, PreviewError

from .conftest import TEMPLATE_DIR

EXAMPLE = str(TEMPLATE_DIR / "example.yaml")


def _tool(folder: Path, name: str, script: str) -> None:
    """Put an executable `name` running the shell `script` into `folder`."""
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def bare_path(tmp_path, monkeypatch) -> Path:
    """Return a folder that is the whole PATH: no soffice, no pdftoppm until a test puts one there."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    return folder


def test_missing_soffice_says_what_to_install(bare_path, example_docx):
    with pytest.raises(OfficeNotFoundError) as caught:
        preview.docx_to_pdf(example_docx)
    assert "LibreOffice" in caught.value.message
    assert "apt-get install libreoffice-writer-nogui fonts-noto-cjk" in caught.value.hint


def test_cli_without_soffice_fails_cleanly_and_writes_nothing(bare_path, runner, tmp_path):
    out = tmp_path / "report.pdf"
    result = runner.invoke(cli, ["preview", "township-work-report", "-f", EXAMPLE, "-o", str(out)])
    assert result.exit_code == 1
    assert "找不到 LibreOffice" in result.stderr and "apt-get install" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell scripts stand in for soffice")
def test_png_without_pdftoppm_fails_before_converting(bare_path, runner, tmp_path):
    _tool(bare_path, "soffice", "exit 0")
    out = tmp_path / "report.pdf"
    result = runner.invoke(cli, ["preview", "township-work-report", "-f", EXAMPLE, "-o", str(out),
                                 "--png", str(tmp_path / "pages")])
    assert result.exit_code == 1 and "poppler-utils" in result.stderr
    assert not out.exists() and not (tmp_path / "pages").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell scripts stand in for soffice")
@pytest.mark.parametrize(("script", "message"), [
    ("echo 'source file could not be loaded' >&2; exit 1", "转换失败"),
    ("exit 0", "没有生成 PDF"),
    (f"exec {sys.executable} -c 'import time; time.sleep(30)'", "秒内没有完成"),
], ids=["fails", "no-output", "hangs"])
def test_a_failed_conversion_leaves_the_old_pdf_alone(bare_path, tmp_path, example_docx, script, message):
    _tool(bare_path, "soffice", script)
    out = tmp_path / "report.pdf"
    out.write_bytes(b"%PDF old")
    with pytest.raises(PreviewError) as caught:
        preview.write_preview(example_docx, out, timeout=1)
    assert message in caught.value.message
    assert out.read_bytes() == b"%PDF old"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".report", ".drafter"))] == []


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason=f"soffice not found (LibreOffice): {preview.INSTALL}")
@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm not found: apt-get install poppler-utils")
def test_cli_writes_the_pdf_and_page_images(runner, tmp_path):
    out, pages = tmp_path / "report.pdf", tmp_path / "pages"
    result = runner.invoke(cli, ["preview", "township-work-report", "-f", EXAMPLE, "-o", str(out),
                                 "--png", str(pages), "--dpi", "30", "--profile", "windows"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    images = sorted(pages.iterdir(), key=lambda p: int(p.stem.split("-")[1]))
    assert len(images) >= 8 and images[0].name == "page-1.png"
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in images)
    assert f"页面图片 {len(images)} 张" in result.output


def test_fonts_conf_ships_with_the_package_and_maps_every_name():
    conf = (Path(preview.__file__).parent / "fonts.conf").read_text(encoding="utf-8")
    for name in ("仿宋_GB2312", "仿宋", "FangSong", "楷体_GB2312", "楷体", "KaiTi", "黑体", "SimHei",
                 "宋体", "SimSun", "方正小标宋简体"):
        assert f"<family>{name}</family>" in conf, name
    assert "/etc/fonts/fonts.conf" in conf
    assert os.path.isfile(Path(preview.__file__).parent / "fonts.conf")
