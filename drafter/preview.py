"""Previews: a .docx → a PDF and PNG page images through LibreOffice, with open fonts for the Chinese ones.

The only module that runs soffice (LibreOffice) and pdftoppm (poppler). Each conversion uses a private
LibreOffice profile in a temporary folder, so it neither needs nor disturbs a running LibreOffice, and
runs with FONTCONFIG_FILE pointing at the package's fonts.conf, which maps 仿宋_GB2312, 楷体_GB2312,
黑体, 宋体 and 方正小标宋简体 to installed open fonts (GBT9704.md §4).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from .errors import OfficeNotFoundError, PreviewError, describe_os_error
from .template import output_target, write_atomically
from .textfile import read_file

PACKAGES = ("libreoffice-writer-nogui fonts-noto-cjk fonts-noto-cjk-extra fonts-arphic-ukai "
            "poppler-utils")
INSTALL = f"apt-get install {PACKAGES}"
TIMEOUT = 120      # seconds for one soffice conversion; a first start with a new profile takes ~3 s
MAX_DOCX_BYTES = 100_000_000  # a .docx to convert, read from a path
RESOLUTION = 96    # dots per inch of PNG pages: an A4 page is 794 × 1123 pixels
# The open fonts fonts.conf names first, and the Debian package of each; without them the preview
# still has the right line and character counts (every CJK font has 1-em advances) but other
# glyph shapes: the title in a Regular face, the 题注 in a Song one.
STAND_INS = {
    "Noto Serif CJK SC": "fonts-noto-cjk",             # 仿宋_GB2312, 宋体
    "Noto Sans CJK SC": "fonts-noto-cjk",              # 黑体
    "Noto Serif CJK SC Black": "fonts-noto-cjk-extra",  # 方正小标宋简体, the title
    "AR PL UKai CN": "fonts-arphic-ukai",              # 楷体_GB2312, the 题注 and (一) headings
}


def find_soffice() -> str:
    """Return the path of LibreOffice's soffice; raise OfficeNotFoundError when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise OfficeNotFoundError("找不到 LibreOffice（soffice 命令），无法生成预览。",
                              hint=f"请先安装 LibreOffice 和预览字体（Debian/Ubuntu）：sudo {INSTALL}")


def find_pdftoppm() -> str:
    """Return the path of poppler's pdftoppm; raise OfficeNotFoundError when it is not installed."""
    found = shutil.which("pdftoppm")
    if not found:
        raise OfficeNotFoundError("找不到 pdftoppm 命令，无法生成页面图片（--png）。",
                                  hint="请安装 poppler-utils（Debian/Ubuntu）：sudo apt-get install "
                                       "poppler-utils")
    return found


def missing_fonts(fonts: Iterable[str] = tuple(STAND_INS)) -> list[str]:
    """Return which of `fonts` (open stand-ins) fontconfig does not list; empty when it cannot tell."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    try:
        listed = subprocess.run([fc_list, ":", "family"], capture_output=True, text=True, timeout=30,
                                check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    return [font for font in fonts if font not in families]


def font_packages(fonts: Iterable[str]) -> str:
    """Return the Debian packages that install `fonts` (stand-ins), space-separated, each once."""
    return " ".join(dict.fromkeys(STAND_INS[font] for font in fonts))


def docx_to_pdf(source: bytes | str | os.PathLike[str], *, timeout: float = TIMEOUT) -> bytes:
    """Return the PDF LibreOffice makes of the .docx `source` (its bytes or its path).

    Raise OfficeNotFoundError without soffice, PreviewError when the conversion fails or takes
    longer than `timeout` seconds.
    """
    soffice = find_soffice()
    data = source if isinstance(source, bytes) else _read(Path(source))
    with tempfile.TemporaryDirectory(prefix="drafter-preview-") as folder, _fonts_conf() as conf:
        work = Path(folder)
        document = work / "report.docx"
        document.write_bytes(data)
        command = [soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault",
                   f"-env:UserInstallation={(work / 'profile').as_uri()}",
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work / "out"), str(document)]
        _run(command, timeout=timeout, what="LibreOffice", env={**os.environ, "FONTCONFIG_FILE": str(conf)})
        pdf = work / "out" / "report.pdf"
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise PreviewError("LibreOffice 没有生成 PDF。",
                               hint="请确认 .docx 能在 LibreOffice 中打开，或换用新版 LibreOffice。")
        return pdf.read_bytes()


def pdf_to_pngs(pdf: bytes, *, resolution: int = RESOLUTION, first: int | None = None,
                last: int | None = None, timeout: float = TIMEOUT) -> list[bytes]:
    """Return one PNG per page of `pdf` at `resolution` dpi, pages `first`…`last` (1-based) if given."""
    pdftoppm = find_pdftoppm()
    with tempfile.TemporaryDirectory(prefix="drafter-png-") as folder:
        work = Path(folder)
        (work / "in.pdf").write_bytes(pdf)
        command = [pdftoppm, "-png", "-r", str(resolution)]
        command += ["-f", str(first)] if first else []
        command += ["-l", str(last)] if last else []
        _run(command + [str(work / "in.pdf"), str(work / "page")], timeout=timeout, what="pdftoppm")
        # pdftoppm pads page numbers to the width of the page count: page-1.png or page-01.png.
        pages = sorted(work.glob("page-*.png"), key=lambda p: int(re.sub(r"\D", "", p.stem)))
        if not pages:
            raise PreviewError("pdftoppm 没有生成页面图片。", hint="请检查 PDF 是否完整。")
        return [page.read_bytes() for page in pages]


def write_preview(source: bytes | str | os.PathLike[str], pdf_path: Path, *, png_dir: Path | None = None,
                  resolution: int = RESOLUTION, timeout: float = TIMEOUT) -> list[Path]:
    """Write the PDF of the .docx `source` to `pdf_path` and, with `png_dir`, its pages as PNGs.

    Everything is converted before anything is written, and each file is written atomically, so
    a failure leaves no half-written PDF or image. Return the paths written, the PDF first.
    """
    # Every output is checked before the slow conversion, and the picture folder made before the
    # PDF is written: a failure then leaves nothing, not a PDF without its pictures.
    output_target(pdf_path)
    if png_dir is not None:
        find_pdftoppm()
        if not _folder_or_nothing(png_dir):
            raise PreviewError("--png 应给出文件夹，这里已有同名的文件。", file=str(png_dir),
                               hint="请换一个文件夹名，例如 --png pages。")
    pdf = docx_to_pdf(source, timeout=timeout)
    pages = pdf_to_pngs(pdf, resolution=resolution, timeout=timeout) if png_dir is not None else []
    if png_dir is not None:
        try:
            png_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise PreviewError(f"无法创建图片文件夹：{describe_os_error(err)}。", file=str(png_dir),
                               hint="请换一个可写的文件夹。") from err
    written = [write_atomically(pdf_path, pdf)]
    if png_dir is not None:
        written += [write_atomically(png_dir / f"page-{n}.png", png) for n, png in enumerate(pages, 1)]
        # Pages left from a longer earlier preview would pass for pages of this one.
        for stale in png_dir.glob("page-*.png"):
            if re.fullmatch(r"page-\d+", stale.stem) and int(stale.stem[5:]) > len(pages):
                stale.unlink()
    return written


def _folder_or_nothing(path: Path) -> bool:
    try:
        return path.is_dir() or not path.exists()
    except OSError:  # a name too long, a loop of links
        return False


def _read(path: Path) -> bytes:
    return read_file(path, limit=MAX_DOCX_BYTES, error=PreviewError, what="文档")


@contextmanager
def _fonts_conf() -> Iterator[Path]:
    with resources.as_file(resources.files("drafter") / "fonts.conf") as path:
        yield path


def _run(command: list[str], *, timeout: float, what: str, env: dict[str, str] | None = None) -> None:
    # A session of its own lets a timeout kill soffice.bin too, not only the soffice wrapper script.
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                   start_new_session=True)
    except OSError as err:
        raise PreviewError(f"无法运行 {what}：{describe_os_error(err)}。",
                           hint=f"请检查安装：sudo {INSTALL}") from err
    try:
        _, error = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise PreviewError(f"{what} 在 {timeout:g} 秒内没有完成转换，已终止。",
                           hint="请稍后重试；如果总是超时，请检查 LibreOffice 能否单独运行。") from None
    if process.returncode != 0:
        detail = error.decode("utf-8", "replace").strip().splitlines()[-1:] or ["（无输出）"]
        raise PreviewError(f"{what} 转换失败（退出码 {process.returncode}）：{detail[0]}",
                           hint="请确认文档完整，或在命令行单独运行 LibreOffice 查看原因。")


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass
    process.communicate()
