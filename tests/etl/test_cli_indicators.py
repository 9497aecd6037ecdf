"""Need indicators from the command line to the build, and kept by a rebuild."""

from __future__ import annotations

import pytest

from civilkort import auth
from civilkort.db import open_current
from etl.cli import main
from tests.etl.test_cli import run
from tests.etl.test_indicators import FOLK1A_BY_AGE


def _meta(*, examples: bool = False) -> list[tuple]:
    """The loaded indicators; without the example data's own unless ``examples``."""
    db = open_current()
    try:
        rows = db.query(
            "SELECT indicator_id, name, unit, period, source, file_name, municipalities FROM indicator_meta "
            "WHERE $examples OR source <> 'Eksempeldata (genereret)' ORDER BY indicator_id",
            {"examples": examples},
        )
        return list(rows.itertuples(index=False, name=None))
    finally:
        db.close()


def _values(indicator_id: str) -> dict[int, float]:
    db = open_current()
    try:
        rows = db.query(
            "SELECT municipality_code, value FROM indicators WHERE indicator_id = $i", {"i": indicator_id}
        )
        return dict(rows.itertuples(index=False, name=None))
    finally:
        db.close()


@pytest.fixture
def files(tmp_path):
    folk = tmp_path / "FOLK1A.csv"
    folk.write_bytes(FOLK1A_BY_AGE.encode("cp1252"))
    lonely = tmp_path / "ensomhed.csv"
    lonely.write_text("Kommune;Andel\nKøbenhavn;12,5\nAarhus;9,25\n", encoding="utf-8")
    return folk, lonely


def test_two_indicators_with_their_options_are_built(capsys, data_dir, files):
    folk, lonely = files
    code, out, err = run(
        capsys,
        "demo",
        "--scale",
        "small",
        "-q",
        "--indicator",
        str(folk),
        "--indicator-name",
        "Borgere 80-89 år",
        "--indicator",
        str(lonely),
        "--indicator-unit",
        "procent",
        "--indicator-period",
        "2021",
        "--indicator-source",
        "Danskernes Sundhed",
    )
    assert code == 0, err
    assert "Rækker for hele landet eller regioner er sprunget over (fil FOLK1A.csv)" in err
    assert _meta() == [
        (
            "borgere-80-89-aar",
            "Borgere 80-89 år",
            "people",
            "2025K3",
            "Danmarks Statistik, FOLK1A",
            "FOLK1A.csv",
            3,
        ),
        ("ensomhed", "ensomhed", "percent", "2021", "Danskernes Sundhed", "ensomhed.csv", 2),
    ]
    assert _values("ensomhed") == {101: 12.5, 751: 9.25}
    assert _values("borgere-80-89-aar") == {101: 21000, 751: 13500, 825: 180}


def test_a_rebuild_keeps_the_indicators(capsys, data_dir, files):
    from etl.rebuild import rebuild

    folk, _ = files
    assert run(capsys, "demo", "--scale", "small", "-q", "--indicator", str(folk))[0] == 0
    before = _meta()
    first = open_current().path
    rebuild(principal=auth.operator())
    assert open_current().path != first
    assert _meta() == before and _values(before[0][0])[101] == 21000


def test_the_example_data_has_its_own_indicators_marked_as_examples(capsys, data_dir):
    assert run(capsys, "demo", "--scale", "small", "-q")[0] == 0
    assert _meta() == []
    examples = _meta(examples=True)
    assert [(name, unit, n) for _, name, unit, _, _, _, n in examples] == [
        ("Andel der føler sig meget ensomme (eksempel)", "percent", 98),
        ("Borgere 80+ (eksempel)", "people", 98),
        ("Hjemløse pr. 1.000 borgere (eksempel)", "per_1000", 98),
    ]
    assert {(source, file) for *_, source, file, _ in examples} == {
        ("Eksempeldata (genereret)", "eksempeldata")
    }


def test_errors_in_every_file_are_danish_and_keep_the_previous_database(capsys, data_dir, tmp_path):
    assert run(capsys, "demo", "--scale", "small", "-q")[0] == 0
    first = open_current().path
    mixed = tmp_path / "blandet.csv"
    mixed.write_text("Kommune;Andel\nKøbenhavn;12,5\nAarhus,9,5\n", encoding="utf-8")
    unknown = tmp_path / "ukendt.csv"
    unknown.write_text("OMRÅDE;TID;INDHOLD\n999 Ukendtby;2025;5\n", encoding="utf-8")
    code, _, err = run(
        capsys, "demo", "--scale", "small", "-q", "--indicator", str(mixed), "--indicator", str(unknown)
    )
    assert code == 1 and "Traceback" not in err
    assert "Data kan ikke indlæses (2 fejl). Den tidligere database bruges fortsat." in err
    assert "skilletegnene er blandet (fil blandet.csv, række 3)" in err
    assert "Ukendt kommune (fil ukendt.csv, række 2, kolonne OMRÅDE). Værdi: '999 Ukendtby'" in err
    assert open_current().path == first


def test_an_unknown_unit_and_a_missing_file_are_named(capsys, data_dir, tmp_path):
    code, _, err = run(capsys, "demo", "-q", "--indicator", str(tmp_path / "findes-ikke.csv"))
    assert code == 1 and "Indikatorfilen findes ikke" in err
    (tmp_path / "a.csv").write_text("København;1\n", encoding="utf-8")
    code, _, err = run(capsys, "demo", "-q", "--indicator", str(tmp_path / "a.csv"), "--indicator-unit", "kg")
    assert code == 1 and "Ukendt enhed for indikatoren. Værdi: 'kg'" in err


def test_an_indicator_option_before_any_file_is_refused_in_danish(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["build", "x.xlsx", "--indicator-name", "Ældre"])
    assert exc.value.code == 2
    assert "--indicator-name skal stå efter den --indicator FIL, den gælder" in capsys.readouterr().err


def test_help_explains_the_indicator_options(capsys):
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    out = capsys.readouterr().out
    assert "--indicator FIL" in out and "--indicator-unit ENHED" in out and "pr. 1.000" in out


def test_an_upload_in_the_app_keeps_the_indicators(capsys, data_dir, files):
    from etl import upload as up
    from etl import upload_files
    from etl.diff import UPDATE
    from tests.etl.test_upload import GOOD_ORG, KIM, ORG_HEADER, _csv

    folk, _ = files
    assert run(capsys, "demo", "--scale", "small", "-q", "--indicator", str(folk))[0] == 0
    before = _meta()
    saved = upload_files.save_uploads(KIM, [("org.csv", _csv(ORG_HEADER, GOOD_ORG))])
    check = up.check_upload(saved, UPDATE)
    assert check.can_build, [str(i) for i in check.errors]
    up.build_upload(check, KIM)
    assert _meta() == before
