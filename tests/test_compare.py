"""Cross-year comparison (pipeline/compare.py) on a small archive of one
city's reports written the way such reports are written."""
import os
import shutil

import pandas as pd
import pytest

from extractors import regions, sessions
from pipeline import compare, dataset, evalsets
from pipeline.batch import ingest
from pipeline.store import query

from conftest import CORPUS, make_inputs

REPORTS = {
    # the same city, spelled three ways, Traditional characters once
    "y2019.txt": "宜昌市2019年建议提案办理工作情况\n2019年,市政府共承办市人大代表建议和政协委员提案300件,"
                 "其中已经解决或基本解决的(A类)180件,占60%。办复率100%,满意率97.8%。全年新增公共停车泊位1200个。"
                 "市政协五届三次会议第12号《关于加快城区停车场建设的提案》已办结。\n",
    "y2020.txt": "湖北省宜昌市2020年建议提案办理情况\n2020年,市政府共承办市人大代表建议和政协委员提案320件,"
                 "其中已经解决或基本解决的(A类)208件,占65%。办复率100%,满意率98.7%,较上年提高0.9个百分点。全年新增城区公共停车泊位1500个。"
                 "市政协五届四次会议第8号《关于加快解决城区停车难问题的提案》正在办理。\n",
    "y2021.txt": "宜昌市2021年建議提案辦理情況\n2021年,市政府共承办市人大代表建议和政协委员提案310件,"
                 "其中已经解决或基本解决的(A类)217件,占70%。办复率100%,满意率99.1%。\n",
    # names only its session: its year comes from the 2021 report of the same term
    "session.txt": "宜昌市人民政府关于市七届人大二次会议代表建议办理情况的报告\n"
                   "市七届人大二次会议以来,市政府共承办代表建议150件,满意率99.5%。\n",
    "tie.txt": "宜昌市2021年人大代表建议办理情况\n2021年市七届人大一次会议期间,代表提出建议140件,满意率99.0%。\n",
    # another report of the same year restates 2020 differently: flagged
    "restated.txt": "宜昌市2021年建议提案办理工作总结\n2021年满意率99.1%,高于2020年的98.0%。\n",
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cmp")
    src = tmp / "in"
    src.mkdir()
    for name, text in REPORTS.items():
        (src / name).write_text(text, encoding="utf-8")
    out = str(tmp / "out")
    ingest([str(src)], out)
    compare.write(out)
    return out


def series(out, measure, scope=None, region="湖北省宜昌市"):
    sql = ("SELECT year, year_basis, value_type, CAST(value AS DOUBLE) v, change_abs, conflict, doc_id FROM series "
           f"WHERE region = '{region}' AND measure = '{measure}'")
    if scope is not None:
        sql += f" AND coalesce(scope, '') = '{scope}'"
    return query(out, sql + " ORDER BY year, value_type, v")


def test_regions_match_across_spellings():
    names = ["宜昌市", "湖北省宜昌市", "宜昌", "湖北省宜昌市"]
    assert {regions.chain(regions.canonical(n)) for n in names} == {"湖北省宜昌市"}
    assert regions.chain(regions.canonical("天津市寶坻區")) == "天津市宝坻区"
    assert regions.canonical("青山区") is None  # Wuhan's or Baotou's: not guessed


def test_region_from_a_government_address():
    assert regions.chain(regions.from_url("https://jyj.wuhan.gov.cn/zfxxgk/t1.shtml")) == "湖北省武汉市"
    assert regions.from_url("https://www.example.com/doc/1.html") is None


def test_satisfaction_series_is_complete_year_by_year(archive):
    df = series(archive, "satisfaction_rate")
    levels = df[(df.value_type == "level") & (df.year_basis != "ref_year")]
    by_year = {y: sorted(g.v) for y, g in levels.groupby("year")}
    assert by_year[2019] == [97.8] and by_year[2020] == [98.7]
    assert 99.1 in by_year[2021]


def test_a_class_series_and_year_on_year_change(archive):
    df = series(archive, "count", "kind=建议提案;category=A")
    assert list(df.v) == [180.0, 208.0, 217.0]
    assert [None if pd.isna(c) else float(c) for c in df.change_abs] == [None, 28.0, 9.0]
    shares = series(archive, "share", "kind=建议提案;category=A")
    assert list(shares.v) == [60.0, 65.0, 70.0]


def test_stated_change_is_kept_beside_the_levels(archive):
    df = series(archive, "satisfaction_rate")
    change = df[df.value_type == "change"]
    assert list(change.year) == [2020] and list(change.v) == [0.9]


def test_year_from_a_session_another_report_dates(archive):
    docs = {d["source"].rsplit("/", 1)[-1]: d for d in dataset.read_rows(archive, "documents")}
    assert docs["session.txt"]["year"] is None  # the text alone gives none
    df = series(archive, "satisfaction_rate")
    row = df[df.doc_id == docs["session.txt"]["doc_id"]]
    assert list(row.year) == [2022] and list(row.year_basis) == ["session"]


def test_disagreeing_reports_are_both_kept_and_flagged(archive):
    df = series(archive, "satisfaction_rate")
    y2020 = df[(df.year == 2020) & (df.value_type == "level")]
    assert sorted(y2020.v) == [98.0, 98.7]
    assert y2020.conflict.all()
    assert not df[df.year == 2019].conflict.any()


def test_the_same_proposal_is_followed_to_the_next_year(archive):
    links = query(archive, "SELECT * FROM proposal_links")
    assert len(links) == 1
    link = links.iloc[0]
    assert (link.from_year, link.from_number, link.to_year, link.to_number) == (2019, "12", 2020, "8")
    assert link.score >= 60 and link.region == "湖北省宜昌市"


def test_every_row_points_at_its_evidence(archive):
    texts = {d["doc_id"]: d["text"] for d in dataset.read_rows(archive, "documents")}
    for r in dataset.read_rows(archive, "series"):
        assert texts[r["doc_id"]][r["start"]:r["end"]] == r["surface"]
    for r in dataset.read_rows(archive, "proposal_links"):
        assert texts[r["to_doc_id"]][r["start"]:r["end"]] == r["surface"]
        assert texts[r["from_doc_id"]][r["from_start"]:r["from_end"]] == r["from_surface"]


def test_session_years():
    found = sessions.find("2016年省十二届人大四次会议期间,代表提出建议;省十二届人大常委会第三十七次会议审议")
    assert [(s.term, s.no, s.year) for s in found] == [(12, 4, 2016)]
    later = sessions.find("省十二届人大五次会议代表建议")[0]
    assert sessions.year_of(later, {("省", "人大", 12, 4): 2016}) == 2017
    assert sessions.year_of(later, {("省", "政协", 12, 4): 2016}) is None  # another body's term
    assert sessions.year_of(later, {("市", "人大", 12, 4): 2016}) is None  # a city's term is not the province's


def test_title_scores_see_rewordings():
    assert compare.title_score("关于加快城区停车场建设的提案", "关于加快解决城区停车难问题的提案") >= 60
    assert compare.title_score("关于加快城区停车场建设的提案", "关于发展农村电商的建议") < 40


def test_compare_on_the_bundled_corpus_forms_series(tmp_path):
    src = make_inputs(tmp_path, names=("028", "019", "015", "066", "067"))
    out = str(tmp_path / "out")
    man = tmp_path / "m.csv"
    man.write_text("file,region\n066.txt,四川省\n", encoding="utf-8")
    for n in ("015", "019"):  # the addresses their collector recorded
        shutil.copy(os.path.join(CORPUS, "raw", f"{n}.json"), src / f"{n}.json")
    ingest([str(src)], out, manifest_path=str(man))
    compare.write(out)
    years = query(out, "SELECT region, list(DISTINCT year ORDER BY year) y FROM series WHERE series_type='metric' "
                       "AND year_basis <> 'ref_year' GROUP BY region")
    got = {r.region: list(r.y) for r in years.itertuples()}
    assert got["湖北省武汉市"] == [2021, 2022, 2023]
    assert got["四川省"] == [2016, 2017]  # 067's year from 066's 2016年省十二届人大四次会议


def test_five_year_series_of_an_unseen_city(tmp_path):
    """corpus/sets/heldout 201–205: one city's reports 2019–2023, spelled 九江市人民政府 /
    九江市 / 本市 (name in the title only) / no name but the site's; written by an
    annotator who never saw this code. The satisfaction-rate and A-class series
    come out complete and correct year by year."""
    src = tmp_path / "in"
    src.mkdir()
    for n in range(201, 206):
        shutil.copy(os.path.join(evalsets.get("heldout").raw, f"{n}.txt"), src / f"{n}.txt")
    out = str(tmp_path / "out")
    ingest([str(src)], out)
    compare.write(out)

    def by_year(measure, scope):
        df = query(out, "SELECT year, CAST(value AS DOUBLE) v FROM series WHERE region = '江西省九江市' "
                        f"AND measure = '{measure}' AND coalesce(scope, '') = '{scope}' AND value_type = 'level' "
                        "AND year_basis <> 'ref_year' ORDER BY year")
        return {int(r.year): r.v for r in df.itertuples()}

    assert by_year("satisfaction_rate", "") == {2019: 96.9, 2020: 97.8, 2021: 98.7, 2022: 98.1, 2023: 98.9}
    assert by_year("count", "kind=建议提案;category=A") == {2019: 338, 2020: 367, 2021: 352, 2022: 440, 2023: 437}
    assert by_year("share", "kind=建议提案;category=A") == {2019: 54.78, 2020: 57.08, 2021: 58.57, 2022: 59.7,
                                                           2023: 62.16}
    assert by_year("reply_rate", "") == {2019: 99.35, 2020: 100, 2021: 100, 2022: 99.73, 2023: 100}
    # the earlier years the reports restate agree with the earlier reports: no conflict on these series
    flagged = query(out, "SELECT count(*) n FROM series WHERE region = '江西省九江市' AND conflict "
                         "AND measure IN ('satisfaction_rate', 'reply_rate')").n[0]
    assert flagged == 0
    # the problems raised again, reworded and across kinds (建议0123 → 提案0057), and nothing else
    links = query(out, "SELECT from_number || '→' || to_number AS l FROM proposal_links WHERE recurring ORDER BY l")
    assert set(links.l) == {"0086→0123", "0123→0057", "0086→0057", "0142→0215", "0098→0177"}


def test_indicators_follow_their_label_across_years(archive):
    df = query(archive, "SELECT year, CAST(value AS DOUBLE) v, link_score, measure FROM series "
                        "WHERE series_type = 'indicator' AND unit = '个' ORDER BY year")
    parking = df[df.measure.str.contains("停车泊位")]
    assert list(parking.year) == [2019, 2020] and list(parking.v) == [1200.0, 1500.0]
    assert pd.isna(parking.link_score.iloc[0]) and parking.link_score.iloc[1] >= 70  # the link keeps its score


def test_derived_tables_survive_later_ingests_and_uploads(tmp_path):
    """After `jyta compare`, adding reports (an ingest, a stored upload) rebuilds
    series and proposal_links with the options compare used: they never vanish."""
    from fastapi.testclient import TestClient

    from pipeline.service import create_app

    src = make_inputs(tmp_path, ("015", "019"))
    out = str(tmp_path / "out")
    ingest([str(src)], out)
    compare.write(out, min_score=70.0)
    years = {r["year"] for r in dataset.read_rows(out, "series")}
    (src / "028.txt").write_text(open(os.path.join(CORPUS, "raw", "028.txt"), encoding="utf-8").read(),
                                 encoding="utf-8")
    ingest([str(src)], out)
    assert {r["year"] for r in dataset.read_rows(out, "series")} > years  # the new report's year is in
    assert query(out, "SELECT count(*) n FROM proposal_links")["n"][0] >= 0  # the view still answers
    assert compare.refresh.__doc__ and open(os.path.join(out, compare.SETTINGS)).read() == '{"min_score": 70.0}'
    c = TestClient(create_app(out))
    r = c.post("/v1/extract?store=true", files={"file": ("r.txt", "2024年,我局共承办市人大代表建议9件,满意率100%。".encode())})
    assert r.status_code == 200 and r.json()["stored"]
    assert dataset.exists(out, "series") and c.get("/v1/series").json()["total"] > 0


def test_compare_console_table_is_narrow_and_counts_read_as_counts():
    from pipeline.cli import series_table

    rows = [{"region": "九江市", "measure": "count", "scope": "kind=建议提案;status=resolved;category=A",
             "year": y, "value": v, "conflict": c}
            for y, v, c in [(2015, 300.0, False), (2018, 5.0, False), (2019, 6.0, False), (2020, 7.0, False),
                            (2021, 8.0, False), (2022, 9.0, True), (2023, 98.7, False)]]
    narrow = series_table(pd.DataFrame(rows))
    assert "2015" not in narrow and "2023" in narrow  # the last six years
    assert " 5 " in narrow + " " and "5.0" not in narrow and "98.7" in narrow and "9!" in narrow
    assert "kind=建议提案;status=re…" in narrow
    wide = series_table(pd.DataFrame(rows), wide=True)
    assert "2015" in wide and "300" in wide and "category=A" in wide
