"""templatize on whole mini-reports of other offices and conventions (tests/corpus/reports/).

Each report was written for these tests: a county statistics bulletin, a street office's summary,
a township speech, a village notice with figures cut out and no marks, and a 乡 report in
Simplified and in Traditional characters. They check what a clerk sees: keys that say what they
are, one variable per fact, the same kinds in either script, every half-redacted figure one blank,
and the cuts found with their lines.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import drafter
from drafter import chinese
from drafter.cli import cli
from drafter.lint import lint_report
from drafter.schema import dump_schema
from drafter.templatize import templatize

from .conftest import ROOT, SEED

REPORTS = Path(__file__).parent / "corpus" / "reports"
NAMES = sorted(p.name for p in REPORTS.glob("*.txt"))
# Keys a clerk cannot fill without reading the sentence: 名称, 名称2, 年份3, 数量, 金额 …
GENERIC = re.compile(r"(?:名称|年份|月份|日|日期|数量|金额|比率|比例|数值|文字|人数|名)\d*")
# The only variables filling more than one place, and how many: the same fact written twice.
MERGES = {
    "county-bulletin.txt": {"基本信息.县名": 2},
    "district-report.txt": {},
    "street-summary.txt": {},
    "township-speech.txt": {"基本信息.镇名": 4},
    "village-notice.txt": {},
    "xiang-report.txt": {"基本信息.乡名": 2},
    "xiang-report-hant.txt": {"基本信息.鄉名": 2},
}


def _text(name: str) -> str:
    return (REPORTS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def drafts():
    return {name: templatize(_text(name), title="t") for name in NAMES}


def _key_at(draft, words: str) -> str:
    """Return the key of the last blank inside `words`, a piece of the report."""
    start = draft.report.index(words)
    keys = [key for ph, key in zip(draft.placeholders, draft.keys, strict=True)
            if start <= ph.span[0] < start + len(words)]
    assert keys, f"no blank in {words}"
    return keys[-1]


def test_corpus_has_every_report():
    assert set(MERGES) == set(NAMES)


@pytest.mark.parametrize("name", [n for n in NAMES if n != "village-notice.txt"])
def test_fewer_than_one_key_in_ten_is_generic(drafts, name):
    keys = [v.key for v in drafts[name].schema.variables]
    generic = [key for key in keys if GENERIC.fullmatch(key.split(".", 1)[1])]
    assert len(generic) * 10 < len(keys), generic


@pytest.mark.parametrize("name", NAMES)
def test_only_the_same_fact_shares_a_variable(drafts, name):
    draft = drafts[name]
    merged = {key: count for key, count in draft.uses.items() if count > 1}
    assert merged == MERGES[name]
    # Every merge is listed for the clerk to check.
    for key in merged:
        assert any(note.startswith(f"{key}：") and "合为一个变量" in note for note in draft.notes)


@pytest.mark.parametrize("name, words, key", [
    # Whole words, not cut inside one: 农村居民…, 新签约…, 投资规模, 市场主体 in its brackets.
    ("county-bulletin.txt", "农村居民人均可支配收入达xx615元", "人民生活.农村居民人均可支配收入"),
    ("county-bulletin.txt", "投资规模xx亿元", "固定资产投资.投资规模"),
    ("street-summary.txt", "全年新签约项目x个", "经济发展.新签约项目"),
    ("street-summary.txt", "新签约外资项目x个", "经济发展.新签约外资项目"),
    ("street-summary.txt", "新增（市场）主体xxx户", "经济发展.市场主体"),
    # The thing counted after a measure word names its figure, not the one before it.
    ("street-summary.txt", "设立x个便民服务站", "基层组织建设.便民服务站"),
    ("street-summary.txt", "xx个服务点", "基层组织建设.服务点"),
    # A change names what changed: the two 同比增长 of one section are two facts.
    ("county-bulletin.txt", "xx615元，同比增长x.x%", "人民生活.农村居民人均可支配收入同比增长"),
    ("county-bulletin.txt", "xxxxx元，同比增长x.x%", "人民生活.城镇居民人均可支配收入同比增长"),
    ("county-bulletin.txt", "工业总产值xxx万元，同比增长x.x%", "工业和建筑业.规模以上工业总产值同比增长"),
    ("county-bulletin.txt", "比上年增长x2.4%", "综合.地区生产总值比上年增长"),
    ("street-summary.txt", "税收收入x,xxx万元，", "经济发展.税收收入"),
    ("street-summary.txt", "税收收入x,xxx万元，同比增长x%", "经济发展.税收收入同比增长"),
    # People: by post and surname, never 名称2; two 张x are two people.
    ("street-summary.txt", "张x任东湖社区书记", "基层组织建设.东湖社区书记张某"),
    ("street-summary.txt", "李x任东湖社区主任", "基层组织建设.东湖社区主任李某"),
    ("street-summary.txt", "赵xx", "基层组织建设.赵某"),
    ("street-summary.txt", "张x同志被评为市级", "民生保障.市级优秀网格员张某"),
    ("street-summary.txt", "张x同志被评为区级", "民生保障.区级优秀网格员张某"),
    # Dates of different events: each named by its event.
    ("street-summary.txt", "x月", "基层组织建设.街道党工委扩大会议月份"),
    ("street-summary.txt", "x月x日，启动", "基层组织建设.启动网格化管理试点日"),
    # The years of 完成投资 are six facts.
    ("county-bulletin.txt", "2019年，全县完成投资x万元", "固定资产投资.投资3"),
    ("county-bulletin.txt", "2020年，全县完成投资x万元", "固定资产投资.投资4"),
    # A ratio is numbers, one per term.
    ("county-bulletin.txt", "x.x:", "综合.三次产业结构第1项"),
    ("county-bulletin.txt", "x.x:xx.x:xx.x", "综合.三次产业结构第3项"),
    ("county-bulletin.txt", "调整为××", "综合.三次产业结构调整第1项"),
    # A name blank before the thing it names is that thing's name, not the reporting body's.
    ("district-report.txt", "X月X日，XX大桥", "工作回顾.大桥名称"),
    ("district-report.txt", "X月X日，", "工作回顾.大桥建成通车日"),
    ("district-report.txt", "XX产业园", "工作回顾.产业园名称"),
    ("district-report.txt", "区长李XX", "工作回顾.区长李某"),
    ("district-report.txt", "一般公共预算收入XX.X亿元，增长X%", "工作回顾.一般公共预算收入增长"),
    ("district-report.txt", "失业率控制在X.X%", "工作回顾.城镇登记失业率"),
    ("district-report.txt", "同步，达到XXXXX元", "主要目标.居民人均可支配收入金额"),
    # The reporting body's own name, however the blank is drawn, and only its own.
    ("township-speech.txt", "依托x生态优势", "基本信息.镇名"),
    ("xiang-report.txt", "x乡与", "基本信息.乡名"),
    ("xiang-report.txt", "x县", "上年工作回顾.县名"),
    ("xiang-report.txt", "x县x镇签订", "上年工作回顾.镇名"),
], ids=lambda v: v if "x" in v or "×" in v else None)
def test_key_names(drafts, name, words, key):
    assert _key_at(drafts[name], words) == key


@pytest.mark.parametrize("name, tokens", [
    ("county-bulletin.txt", ["20**", "xx.37", "x2.4", "x.8", "2x.5", "200*", "201*", "xx615"]),
    ("street-summary.txt", ["二〇2*", "二00*", "x,xxx"]),
], ids=["bulletin", "street"])
def test_half_redacted_figures_and_year_forms_are_one_blank(drafts, name, tokens):
    found = [ph.token for ph in drafts[name].placeholders]
    for token in tokens:
        assert token in found
    # No figure is left half-marked in the template's text.
    source = drafts[name].source
    assert not re.search(r"\d[xX*]|[xX*]\d|[xX*][.．]\d|\d[.．][xX]", re.sub(r"\{\{.*?\}\}", "", source))


def test_year_forms_name_their_month_and_day(drafts):
    draft = drafts["street-summary.txt"]
    start = draft.report.index("二00*年")
    kinds = [(ph.token, ph.kind) for ph in draft.placeholders if ph.span[0] >= start][:3]
    assert kinds == [("二00*", "year"), ("*", "month"), ("*", "day")]
    assert not any("二00" in key for key in draft.keys)


@pytest.mark.parametrize("words, kind, unit", [
    ("常住人口××万人", "quantity", "万人"),
    ("户籍人口××万", "quantity", "万"),
    ("发放图书xx万册", "quantity", "万册"),
    ("x.x:xx.x", "quantity", ""),
    ("××:××:××", "quantity", ""),
    ("比上年增长x2.4%", "percent", "%"),
    ("xx.37亿元", "amount", "亿元"),
], ids=lambda v: v if "x" in v or "×" in v else None)
def test_kinds(drafts, words, kind, unit):
    draft = drafts["county-bulletin.txt"]
    start = draft.report.index(words)
    ph = next(p for p in draft.placeholders if start <= p.span[0])
    assert (ph.kind, ph.unit) == (kind, unit)


def test_traditional_gives_the_kinds_and_names_of_simplified(drafts):
    simple, traditional = drafts["xiang-report.txt"], drafts["xiang-report-hant.txt"]
    assert [(p.token, p.kind, p.unit) for p in traditional.placeholders] == \
        [(p.token, p.kind, p.unit) for p in simple.placeholders]
    assert len({p.unit for p in simple.placeholders} & {"万元", "亿元", "万美元", "个", "亩", "户", "吨", "项"}) == 8
    # The template keeps the report's script, keys and units included.
    assert "x.x億元" not in traditional.source and "}}億元" in traditional.source
    assert [chinese.to_simplified(k) for k in traditional.keys] == list(simple.keys)
    units = {v.key: v.unit for v in traditional.schema.variables}
    assert units["上年工作回顧.招商引資"] == "萬元" and units["上年工作回顧.蔬菜大棚"] == "個"
    assert not any("可能指同一个名称" in note for note in traditional.notes)


def test_lint_finds_the_figures_cut_out_with_their_lines():
    findings = lint_report(_text("village-notice.txt"))
    assert [(f.line, f.message) for f in findings] == [
        (3, "疑似删去了数字（辖……个）。"), (3, "疑似删去了数字（，……个）。"),
        (3, "疑似删去了数字（区……公里）。"), (3, "疑似删去了数字（府……公里）。"),
        *[(4, "疑似删去了数字（户……户人）。")] * 4, (4, "疑似删去了数字（长……%）。"),
        (5, "疑似删去了数字（定于……召开）。"), *[(6, "疑似删去了数字（于……月日）。")] * 2]


@pytest.mark.parametrize("text", [
    "一、回顾\n完成财税收入1.5万元，增长3.2%，每万元GDP能耗下降，财政收入突破亿元大关。",
    "一、回顾\n引进亿元以上项目5个，个人所得税增长，个别村组滞后，人口密度为每平方公里80人。",
    "一、回顾\n有利于召开大会，于2024年12月20日召开，第二届运动会，本届个体户增加。",
    "一、回顾\n建成万亩良田，各个村组、整个乡镇、这个项目都已完成，每个村有1个卫生室。",
    "表1 投资（万元）、增长（%）\n单位：万元，金额/万元\n| 项目 | 万元 |",
], ids=["money-words", "above-and-personal", "dates-and-ordinals", "idioms", "units-named"])
def test_no_cut_is_found_in_whole_sentences(text):
    assert lint_report(text) == ()


def test_a_report_with_only_cuts_points_at_them(runner, tmp_path):
    report = REPORTS / "village-notice.txt"
    result = runner.invoke(cli, ["templatize", str(report), "-o", str(tmp_path / "t")])
    assert result.exit_code == 1 and "--gaps" in result.stderr
    assert f"{report}:3: 疑似删去了数字（辖……个）" in result.stdout
    result = runner.invoke(cli, ["templatize", str(report), "-o", str(tmp_path / "t"), "--gaps"])
    assert result.exit_code == 0, result.stderr
    source = (tmp_path / "t" / "template.txt").read_text(encoding="utf-8")
    assert "低保户{{ 总体.低保户 }}户{{ 总体.低保户人 }}人" in source and "定于{{ 总体.全村产业发展推进会日期 }}召开" in source
    kinds = {line.split(":")[0].strip(): line for line in
             (tmp_path / "t" / "schema.yaml").read_text(encoding="utf-8").splitlines()}
    assert "总体.距市区" in kinds


def test_seed_reporting_body_and_year_are_one_variable_each():
    draft = templatize(SEED.read_text(encoding="utf-8"), title="t")
    assert draft.uses["基本信息.镇名"] == 8 and draft.uses["基本信息.报告年份"] == 2
    assert draft.uses["主要目标和任务.招商签约任务"] == 2
    year = draft.schema.get("基本信息.报告年份")
    assert (year.type, year.original) == ("year", "2024")
    assert "{{ 基本信息.报告年份 }}年是召开之年" in draft.source
    # 村, 镇, 项目 and 胶业 are words around a name, not units of measure.
    assert {v.unit for v in draft.schema.variables if v.type in ("name", "list")} == {""}
    assert any("基本信息.镇名" in note and "按本镇的名称处理" in note for note in draft.notes)


def test_seed_template_warns_at_check_and_render_about_its_cuts(runner, tmp_path):
    out = tmp_path / "t"
    assert runner.invoke(cli, ["templatize", str(SEED), "-o", str(out)]).exit_code == 0
    sample = {"name": "艾城", "year": "2024", "month": "5", "list": "[张家, 李家]"}
    values = tmp_path / "values.yaml"
    values.write_text(_filled(drafter.load_template(out), sample), encoding="utf-8")
    for command in (["check", str(out), "-f", str(values)],
                    ["render", str(out), "-f", str(values), "-o", str(tmp_path / "r.docx")]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 0, result.stderr
        assert "疑似删去了词语或数字" in result.stderr and f"{out / 'template.txt'}:2: " in result.stderr
        assert "--gaps" in result.stderr
    # Made variables (--gaps), the cuts are filled like any value and nothing is said.
    gapped = tmp_path / "g"
    assert runner.invoke(cli, ["templatize", str(SEED), "-o", str(gapped), "--gaps"]).exit_code == 0
    values.write_text(_filled(drafter.load_template(gapped), {**sample, "text": "习近平新时代中国特色社会主义思想"}),
                      encoding="utf-8")
    result = runner.invoke(cli, ["check", str(gapped), "-f", str(values)])
    assert result.exit_code == 0, result.stderr
    assert "疑似删去" not in result.stderr


def _filled(template, sample: dict[str, str]) -> str:
    groups: dict[str, list[str]] = {}
    for var in template.variables:
        group, name = var.key.split(".")
        groups.setdefault(group, []).append(f"  {name}: {sample.get(var.type, '3')}")
    return "".join(f"{group}:\n" + "\n".join(rows) + "\n" for group, rows in groups.items())


def test_bundled_template_check_does_not_warn(runner):
    example = ROOT / "templates" / "township-work-report" / "example.yaml"
    result = runner.invoke(cli, ["check", "township-work-report", "-f", str(example)])
    assert result.exit_code == 0 and "疑似删去" not in result.stderr


def test_output_does_not_depend_on_the_hash_seed(drafts):
    code = ("import sys; from drafter.templatize import templatize; from drafter.schema import dump_schema; "
            "d = templatize(open(sys.argv[1], encoding='utf-8').read(), title='t'); "
            "sys.stdout.write(d.source + dump_schema(d.schema) + '\\n'.join(d.notes))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, str(REPORTS / "street-summary.txt")], env=env,
                         capture_output=True, text=True, encoding="utf-8", check=True, cwd=ROOT).stdout
    draft = drafts["street-summary.txt"]
    assert out == draft.source + dump_schema(draft.schema) + "\n".join(draft.notes)


def test_check_loads_no_segmenter(tmp_path):
    # check and render warn about cuts with regular expressions: jieba's second of loading is not paid.
    example = ROOT / "templates" / "township-work-report" / "example.yaml"
    code = ("import sys; from click.testing import CliRunner; from drafter.cli import cli; "
            f"r = CliRunner().invoke(cli, ['check', 'township-work-report', '-f', {str(example)!r}]); "
            "assert r.exit_code == 0, r.output; print('jieba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_traditional_headings_name_groups_as_simplified_ones_do():
    text = "一、今年以來工作回顧\n完成財稅收入x萬元。\n二、關於當前的主要任務\n簽約項目x個。"
    assert templatize(text, title="t").keys == ("工作回顧.財稅收入", "主要任務.簽約項目")


def test_lint_never_passes_a_template_with_a_figure_half_blanked():
    from drafter.lint import lint_template
    from drafter.schema import Schema

    findings = lint_template("一、回顾\n比上年增长x2.4%，收入xx615元。", Schema(title="t", variables=()), file="t")
    assert [f.message for f in findings] == ["还有未改成变量的空位“x2.4”。", "还有未改成变量的空位“xx615”。"]


@pytest.mark.parametrize("text, keys", [
    ("一、回顾\n全镇接待来访群众x。打响x品牌，建设美丽x镇。镇党委、镇政府高度重视。",
     ("回顾.来访群众名称", "基本信息.镇名", "基本信息.镇名")),
    ("一、回顾\n全县与x镇、x镇签订协议，x县县委、县政府高度重视，全县上下共同努力。",
     ("回顾.镇名", "回顾.镇名2", "基本信息.县名")),
], ids=["unexplained-blank", "other-towns-in-a-county-report"])
def test_only_the_reporting_body_is_merged(text, keys):
    assert templatize(text, title="t").keys == keys


@pytest.mark.parametrize("text, kind, unit", [
    ("出口x億美元。", "amount", "亿美元"),
    ("外资x千万美元。", "amount", "千万美元"),
    ("接待遊客xx萬人次。", "quantity", "万人次"),
    ("造林x公頃。", "quantity", "公顷"),
    ("提高x個百分點。", "quantity", "个百分点"),
    ("糧食x萬噸。", "quantity", "万吨"),
    ("舉辦x場次活動。", "count", "场次"),
], ids=lambda v: v if "x" in v else None)
def test_traditional_units(text, kind, unit):
    (ph,) = templatize(text, title="t").placeholders
    assert (ph.kind, ph.unit) == (kind, unit)


def test_the_date_of_the_meeting_is_named_by_it():
    draft = templatize("——20XX年X月X日在××镇第x届人民代表大会第x次会议上\n一、回顾\n签约x个。", title="t")
    assert draft.keys[:3] == ("总体.会议年份", "总体.会议月份", "总体.会议日")
