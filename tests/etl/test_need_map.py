"""The behovskort: target group → need indicator, from the shipped defaults or a coordinator's file (etl.need_map),
on the command line, kept by a rebuild."""

from __future__ import annotations

import pandas as pd
import pytest

from civilkort import auth, gaps
from civilkort.db import open_current
from civilkort.issues import InputError
from etl import demo, need_map
from etl.clean import builtin_vocabularies
from etl.indicators import frames
from tests.etl.test_cli import run

VOCAB = builtin_vocabularies()
EXAMPLE_META = frames(demo.example_indicators())[1]


def _mapping() -> dict[str, tuple]:
    db = open_current()
    try:
        m = gaps.need_map(db)
        return {r.target_group: (r.indicator, r.origin) for r in m.itertuples() if pd.notna(r.indicator)}
    finally:
        db.close()


def test_the_defaults_map_the_example_indicators():
    need, kept = need_map.frames([], VOCAB, EXAMPLE_META)
    by_group = need.set_index("target_group")
    names = dict(zip(EXAMPLE_META["indicator_id"], EXAMPLE_META["name"]))
    mapped = {g: names[i] for g, i in by_group["indicator_id"].dropna().items()}
    assert mapped == {
        "aeldre": "Borgere 80+ (eksempel)",
        "ensomme": "Andel der føler sig meget ensomme (eksempel)",
        "hjemloese": "Hjemløse pr. 1.000 borgere (eksempel)",
    }
    assert set(by_group.index) == set(VOCAB.loc[VOCAB["vocabulary"] == "target_group", "code"])
    assert kept.empty


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("Folketal 65+ år", "aeldre"),
        ("Borgere over 80 år", "aeldre"),
        ("Børn 0-17 år", "boern_unge"),
        ("Indvandrere og efterkommere", "sprogbarrierer"),
        ("Beboere i udsatte boligområder", "udsatte_boligomraader"),
        ("Hjemløse (VIVE)", "hjemloese"),
    ],
)
def test_the_defaults_know_the_usual_names(name, group):
    meta = pd.DataFrame({"indicator_id": ["x"], "name": [name]})
    need = need_map.frames([], VOCAB, meta)[0].set_index("target_group")
    assert need.loc[group, "indicator_id"] == "x"


def test_a_coordinators_file_by_label_or_code_and_a_part_of_the_name(tmp_path):
    f = tmp_path / "kort.csv"
    f.write_text("Målgruppe;Indikator\nÆldre;\nboern_unge;Meget Ensomme\n", encoding="utf-8")
    rules = need_map.read_need_map(f, VOCAB, EXAMPLE_META)
    assert rules == [
        need_map.Rule("aeldre", "", "kort.csv"),
        need_map.Rule("boern_unge", "Meget Ensomme", "kort.csv"),
    ]
    need = need_map.frames(rules, VOCAB, EXAMPLE_META)[0].set_index("target_group")
    assert pd.isna(need.loc["aeldre", "indicator_id"]) and need.loc["aeldre", "origin"] == "kort.csv"
    assert need.loc["boern_unge", "indicator_id"] == "andel-der-foeler-sig-meget-ensomme-eksempel"
    assert need.loc["hjemloese", "origin"] == "standard"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "Målgruppe;Indikator\nÆldre;80+\nPensionister;80+\n",
            "Ukendt målgruppe (fil kort.csv, række 3, kolonne målgruppe). Værdi: 'Pensionister'",
        ),
        (
            "Ældre;Borgere 90+\n",
            "Ingen indikator har det navn (fil kort.csv, række 1, kolonne indikator). Værdi: 'Borgere 90+'",
        ),
        (
            "Målgruppe,Indikator\nÆldre,80+\n",
            "Rækken har 1 kolonne, ikke 2: skilletegnet ser ud til at være komma (fil kort.csv, række 1)",
        ),
        ("\n", "Behovskortet er tomt"),
    ],
    ids=["unknown-group", "unknown-indicator", "comma", "empty"],
)
def test_a_broken_file_is_a_danish_message_naming_file_row_and_column(tmp_path, content, message):
    f = tmp_path / "kort.csv"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        need_map.read_need_map(f, VOCAB, EXAMPLE_META)
    assert message in str(caught.value.issues[0])


def test_the_cli_builds_with_the_defaults_and_a_file_that_a_rebuild_keeps(capsys, data_dir, tmp_path):
    from etl.rebuild import rebuild

    assert run(capsys, "demo", "--scale", "small", "-q")[0] == 0
    assert _mapping()["aeldre"] == ("Borgere 80+ (eksempel)", "standard")
    f = tmp_path / "kort.csv"
    f.write_text("målgruppe;indikator\nÆldre;\nSocialt udsatte;Hjemløse pr. 1.000\n", encoding="utf-8")
    code, _, err = run(capsys, "demo", "--scale", "small", "-q", "--behovskort", str(f))
    assert code == 0, err
    after = _mapping()
    assert "aeldre" not in after and after["socialt_udsatte"] == (
        "Hjemløse pr. 1.000 borgere (eksempel)",
        "kort.csv",
    )
    assert after["ensomme"][1] == "standard"
    rebuild(principal=auth.operator())
    assert _mapping() == after


def test_the_cli_refuses_a_broken_file_in_danish(capsys, data_dir, tmp_path):
    f = tmp_path / "kort.csv"
    f.write_text("Ældre;Borgere 90+\n", encoding="utf-8")
    code, _, err = run(capsys, "demo", "--scale", "small", "-q", "--behovskort", str(f))
    assert code == 1 and "Traceback" not in err
    assert "Ingen indikator har det navn (fil kort.csv, række 1, kolonne indikator)" in err
    code, _, err = run(capsys, "demo", "-q", "--behovskort", str(tmp_path / "mangler.csv"))
    assert code == 1 and "Behovskortet findes ikke" in err
