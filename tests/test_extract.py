"""extract: a finished report back into the values it was written with."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal

import docx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import drafter
from drafter import convert, extract, values
from drafter.cli import cli

TEMPLATE = drafter.load_template("township-work-report")
SCHEMA = TEMPLATE.schema


def _extract(text: str) -> extract.Extracted:
    return extract.extract_text(TEMPLATE.source, SCHEMA, text)


def _typed(flat: dict) -> dict:
    """Return each value of `flat` as drafter reads it, so 3.20 and 3.2 compare equal."""
    data = values.from_mapping(_nested(flat))
    return {key: convert.parse_value(SCHEMA.by_key[key], raw)[0] for key, raw in data.raw.items()}


def _nested(flat: dict) -> dict:
    out: dict = {}
    for key, value in flat.items():
        group, name = key.split(".")
        out.setdefault(group, {})[name] = value
    return out


def _flat(data: dict) -> dict:
    return {f"{g}.{k}": v for g, items in data.items() for k, v in items.items()}


# Characters no literal text of the template holds, so a random name never imitates the sentence
# around it: the template's words bound every value.
_USED = set(TEMPLATE.source)
_ALPHABET = "".join(c for c in "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥梅兰竹菊松柏桃李杏枣栗桑榆柳槐"
                    "凤凰麒麟龙虎豹熊鹿鹤鹭鸥雁燕莺鹂ABCxyz" if c not in _USED)
names = st.text(alphabet=_ALPHABET, min_size=1, max_size=8)


def _strategy(var) -> st.SearchStrategy:
    if var.type == "count":
        return st.integers(int(var.min or 0), 9999 if var.chinese else 10**7)
    if var.type in ("amount", "quantity"):
        return st.decimals(0, 10**6, places=2).map(str)
    if var.type == "percent":
        return st.decimals(0, 100, places=1).map(str)
    if var.type == "year":
        return st.integers(1900, 2100)
    if var.type == "month":
        return st.integers(1, 12)
    if var.type == "day":
        return st.integers(1, 28)
    if var.type == "date":
        return st.dates(min_value=__import__("datetime").date(1900, 1, 1),
                        max_value=__import__("datetime").date(2100, 12, 31)).map(str)
    if var.type == "list":
        return st.lists(names, min_size=1, max_size=3)
    return names


value_sets = st.fixed_dictionaries({v.key: _strategy(v) for v in SCHEMA.variables})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value_sets)
def test_extract_of_the_rendered_text_gives_the_values_back(flat):
    result = _extract(TEMPLATE.render_text(_nested(flat), rules=False))
    assert not result.missing and not result.departures
    assert _typed(result.values) == _typed(flat)


def _is_name(text: str) -> bool:
    try:
        convert.parse_value(SCHEMA.by_key["基本信息.报告人"], text)
    except convert.BadValue:
        return False
    return True


# Any name at all, punctuation and words of the template included, except the half-width marks
# the layout turns full-width next to Chinese (the report then prints ，where the clerk typed ,).
any_names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Co", "Zl", "Zp"),
                                  blacklist_characters=",!:;?()、，"),
                    min_size=1, max_size=12).filter(_is_name)


def _any_strategy(var) -> st.SearchStrategy:
    if var.type in ("name", "text"):
        return any_names
    return _strategy(var)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({v.key: _any_strategy(v) for v in SCHEMA.variables}))
def test_extract_of_the_rendered_docx_gives_any_values_back(flat):
    # The anchors make it exact even for names the text alone could not tell from their sentence.
    data = TEMPLATE.render_bytes(_nested(flat), rules=False)
    result = extract.extract_docx(TEMPLATE.source, SCHEMA, data, file="r.docx")
    assert not result.missing
    assert result.anchored == len(SCHEMA.variables)
    assert _typed(result.values) == _typed(flat)


def test_values_come_back_as_a_clerk_types_them(example):
    result = _extract(TEMPLATE.render_text(example))
    assert result.values["基本信息.届次"] == "18"            # printed 十八
    assert result.values["基本信息.会议日期"] == "2024-12-20"  # printed 2024年12月20日
    assert result.values["农业农村.柑橘村"] == ["南岭", "新华", "永丰"]
    assert result.values["经济发展.固定资产投资"] == "3.2"
    assert _typed(result.values) == _typed(_flat(example))


@pytest.fixture(scope="module")
def text(template, example) -> str:
    return template.render_text(example)


@pytest.mark.parametrize("change", [
    lambda t: t.replace(",", "，").replace(":", "："),
    lambda t: t.replace("，", ",").replace("。", ". ").replace("（", "(").replace("“", '"').replace("”", '"'),
    lambda t: t.replace("。", "。\n"),                               # every sentence a paragraph
    lambda t: "\n".join("　　" + line for line in t.split("\n")),     # indented with full-width spaces
    lambda t: t.replace("\n", "\n\n"),
    lambda t: t.replace("突破亿元大关", "突破亿元\n大关").replace("财税收入8620", "财税收入 8,620"),
    lambda t: t.replace("０", "0").replace("签约新项目5个", "签约新项目５个"),
], ids=["full-width", "half-width", "split-lines", "indented", "blank-lines", "broken-words", "full-width-digit"])
def test_punctuation_width_and_line_breaks_do_not_matter(text, example, change):
    result = _extract(change(text))
    assert not result.missing, result.missing
    assert _typed(result.values) == _typed(_flat(example))


def test_chinese_numerals_and_separators_in_a_retyped_report(text):
    retyped = (text.replace("签约新项目5个", "签约新项目五个").replace("导托渠治理", "导托渠治理")
               .replace("1200万的导托渠", "1,200万的导托渠").replace("2024年是", "二〇二四年是"))
    result = _extract(retyped)
    assert result.values["经济发展.签约新项目"] == "5"
    assert result.values["农业农村.导托渠投资"] == "1200"
    assert result.values["基本信息.年份"] == "2024"


def test_a_rewritten_sentence_loses_only_its_own_values(text, example):
    rewritten = text.replace("完成财税收入8620万元,完成固投3.2亿元。", "全年财税收入首次突破八千万元,固投稳步增长。")
    assert rewritten != text
    result = _extract(rewritten)
    assert set(result.missing) == {"经济发展.财税收入", "经济发展.固定资产投资"}
    expected = {k: v for k, v in _typed(_flat(example)).items() if k not in result.missing}
    assert _typed(result.values) == expected
    [departure] = result.departures
    assert departure.template_text == "完成财税收入【完成财税收入】万元,完成固投【完成固定资产投资（固投）】亿元。"
    assert departure.report_text == "全年财税收入首次突破八千万元,固投稳步增长。"
    assert departure.report_line == text.split("\n").index(next(
        line for line in text.split("\n") if "完成财税收入" in line)) + 1


def test_a_value_used_in_many_sentences_survives_one_rewritten(text):
    rewritten = text.replace("在艾城镇第十八届", "在本镇第十八届")
    result = _extract(rewritten)
    assert result.values["基本信息.镇名"] == "艾城"
    assert not result.missing


def test_an_added_paragraph_and_a_deleted_one_are_departures(text):
    changed = text.replace("各位代表：\n", "各位代表：\n今天天气很好，这是新加的一段。\n")
    changed = changed.replace("集镇弱电下地、敬老院改造升级、农贸市场新建项目加快推进。", "")
    result = _extract(changed)
    assert not result.missing
    shown = [(d.template_text, d.report_text) for d in result.departures]
    assert ("", "今天天气很好，这是新加的一段。") in shown
    assert ("集镇弱电下地、敬老院改造升级、农贸市场新建项目加快推进。", "") in shown


def test_a_value_out_of_range_is_not_recovered_and_says_why(text):
    result = _extract(text.replace("项目完工率88.9%", "项目完工率188.9%"))
    assert "民生事业.项目完工率" in result.missing
    assert "188.9" in result.missing["民生事业.项目完工率"]


def test_another_templates_report_recovers_nothing():
    result = _extract("关于召开全县安全生产工作会议的通知\n各乡镇：\n定于下周召开。")
    assert len(result.missing) == len(SCHEMA.variables)


# ── .docx: python-docx edits, LibreOffice re-saves, the command line ─────────────────────────


def test_docx_with_a_paragraph_edited_in_python_docx(example_docx, example, tmp_path):
    document = docx.Document(str(example_docx))
    target = next(p for p in document.paragraphs if p.text.startswith("为实现上述目标"))
    for run in target.runs[1:]:
        run.text = ""
    target.runs[0].text = "为了实现这些目标，我们重点抓好以下几项工作："
    edited = tmp_path / "edited.docx"
    document.save(str(edited))
    result = extract.extract_report(TEMPLATE.source, SCHEMA, edited)
    assert not result.missing and result.anchored == len(SCHEMA.variables)
    assert _typed(result.values) == _typed(_flat(example))
    assert any(d.report_text == "为了实现这些目标，我们重点抓好以下几项工作：" for d in result.departures)


def _soffice_resave(source, folder):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("soffice not found: apt-get install libreoffice-writer-nogui")
    out = folder / "out"
    subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={(folder / 'p').as_uri()}",
                    "--convert-to", "docx", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    return out / source.name


@pytest.fixture(scope="module")
def resaved(example_docx, tmp_path_factory):
    return _soffice_resave(example_docx, tmp_path_factory.mktemp("resave"))


def test_docx_resaved_by_libreoffice(resaved, example):
    result = extract.extract_report(TEMPLATE.source, SCHEMA, resaved)
    assert not result.missing
    assert _typed(result.values) == _typed(_flat(example))
    # LibreOffice keeps the bookmarks and the custom XML record: every value comes from its anchor.
    assert result.anchored == len(SCHEMA.variables) and result.template == "township-work-report"


def test_text_alone_of_the_libreoffice_copy_gives_the_values_too(resaved, example):
    from drafter import textfile
    result = _extract(textfile.read_report(resaved))
    assert not result.missing and _typed(result.values) == _typed(_flat(example))


def test_cli_writes_the_init_format_filled(runner, example_docx, example, tmp_path):
    out = tmp_path / "去年.yaml"
    result = runner.invoke(cli, ["extract", "township-work-report", str(example_docx), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"取回 {len(SCHEMA.variables)}/{len(SCHEMA.variables)} 项" in result.stdout
    written = out.read_text(encoding="utf-8")
    assert written.startswith("# yaml-language-server: $schema=去年.schema.json\n")
    assert "  # 人民代表大会届次｜整数｜单位：届｜例：18\n" in written and "  届次: 18\n" in written
    assert "  柑橘村: [南岭, 新华, 永丰]\n" in written
    assert (tmp_path / "去年.schema.json").is_file()
    assert _flat(yaml.safe_load(written)) == _flat(yaml.safe_load(written))
    assert TEMPLATE.check(values.read_values_file(out)) == []
    again = runner.invoke(cli, ["extract", "township-work-report", str(example_docx), "-o", str(out)])
    assert again.exit_code == 1 and "--force" in again.stderr
    forced = runner.invoke(cli, ["extract", "township-work-report", str(example_docx), "-o", str(out), "--force"])
    assert forced.exit_code == 0


def test_cli_with_a_rewritten_sentence_exits_1_and_writes_what_it_found(runner, text, tmp_path):
    report = tmp_path / "去年.txt"
    lines = text.split("\n")
    report.write_text(text.replace("完成财税收入8620万元,完成固投3.2亿元。", "全年财税收入首次突破八千万元。"),
                      encoding="gb18030")
    out = tmp_path / "v.yaml"
    result = runner.invoke(cli, ["extract", "township-work-report", str(report), "-o", str(out)])
    assert result.exit_code == 1
    line = next(i for i, row in enumerate(lines, 1) if "完成财税收入" in row)
    assert f"报告 {report}:{line}: " in result.stdout and "全年财税收入首次突破八千万元。" in result.stdout
    assert "完成财税收入【完成财税收入】万元" in result.stdout
    assert "经济发展.财税收入（完成财税收入）：报告中找不到" in result.stdout
    assert "有 2 项未能取回" in result.stderr
    written = out.read_text(encoding="utf-8")
    assert "  #   未能取回：报告中找不到模板第 9 行含这一项的句子" in written
    assert "  财税收入:\n" in written and "  签约新项目: 5\n" in written
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("name", "content", "message"), [
    ("r.doc", b"\xd0\xcf\x11\xe0", "旧版 Word"), ("r.docx", b"not a zip", "无法作为 Word 文档打开"),
    ("missing.txt", None, "文件不存在"),
], ids=["doc", "broken-docx", "missing"])
def test_cli_refuses_what_it_cannot_read_and_writes_nothing(runner, tmp_path, name, content, message):
    report = tmp_path / name
    if content is not None:
        report.write_bytes(content)
    out = tmp_path / "v.yaml"
    result = runner.invoke(cli, ["extract", "township-work-report", str(report), "-o", str(out)])
    assert result.exit_code == 1 and message in result.stderr
    assert not out.exists()


def test_decimal_places_are_as_typed():
    assert convert.typed_text(SCHEMA.by_key["经济发展.固定资产投资"], Decimal("3.20")) == "3.2"
    assert convert.typed_text(SCHEMA.by_key["经济发展.财税收入"], Decimal("8620")) == "8620"


def test_a_drafts_placeholders_are_not_values(example):
    partial = {g: dict(d) for g, d in example.items()}
    del partial["目标任务"]["重要会议"], partial["经济发展"]["签约新项目"]
    data = TEMPLATE.render_bytes(partial, draft=True)
    result = extract.extract_docx(TEMPLATE.source, SCHEMA, data, file="草稿.docx")
    assert set(result.missing) == {"目标任务.重要会议", "经济发展.签约新项目"}
    assert "待填写" in result.missing["目标任务.重要会议"]


def test_cli_on_another_report_says_the_template_may_be_wrong_and_clips_the_diff(runner, tmp_path):
    report = tmp_path / "通知.txt"
    report.write_text(("关于召开全县安全生产工作会议的通知。" * 40 + "\n") * 3, encoding="utf-8")
    out = tmp_path / "v.yaml"
    result = runner.invoke(cli, ["extract", "township-work-report", str(report), "-o", str(out)])
    assert result.exit_code == 1
    assert "是不是选错了模板或报告" in result.stderr
    assert "template.txt:1–3、5–26: " in result.stdout and "……（共 " in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) < 400
    assert f"取回 0/{len(SCHEMA.variables)} 项" in result.stdout


@pytest.mark.parametrize("name", ["a: b", "#井号", "'单引号'", '"双引号"', "- 开头", "[方括号]", "*星", "&和",
                                  "yes", "010", "1.10", "2024-12-20", "{花括号}", "~", "null", "百分之 %", "!标记"],
                         ids=lambda n: n)
def test_a_written_value_reads_back_as_it_was(name, tmp_path):
    from drafter.skeleton import write_skeleton

    filled = {"基本信息.报告人": name, "农业农村.柑橘村": [name, "新华"]}
    path = tmp_path / "v.yaml"
    path.write_text(write_skeleton(SCHEMA, template="t", filled=filled), encoding="utf-8")
    raw = values.read_values_file(path).raw
    assert raw["基本信息.报告人"] == name
    assert raw["农业农村.柑橘村"] == (name, "新华")
    assert raw["基本信息.镇名"] is None


def test_a_brace_templatize_escaped_is_matched_as_the_report_has_it(runner, tmp_path):
    report = tmp_path / "r.txt"
    report.write_text("关于代码的说明\n\n代码{{a}}外，共有x人参加。\n", encoding="utf-8")
    folder = tmp_path / "t"
    assert runner.invoke(cli, ["templatize", str(report), "-o", str(folder)]).exit_code == 0
    assert "{% raw %}" in (folder / "template.txt").read_text(encoding="utf-8")
    last_year = tmp_path / "去年.txt"
    last_year.write_text("关于代码的说明\n\n代码{{a}}外，共有12人参加。\n", encoding="utf-8")
    result = runner.invoke(cli, ["extract", str(folder), str(last_year), "-o", str(tmp_path / "v.yaml")])
    assert result.exit_code == 0, result.output
    [recovered] = values.read_values_file(tmp_path / "v.yaml").raw.values()
    assert recovered == "12"
