"""The command line: exit codes and Danish messages people act on."""

from __future__ import annotations

import pytest

from civilkort.db import Database, current_path
from etl.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_is_danish(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "Byg databasen" in capsys.readouterr().out


def test_demo_builds_and_reports(capsys, data_dir):
    code, out, err = run(capsys, "demo", "--scale", "small", "--today", "2026-11-01")
    assert code == 0, err
    assert "Database bygget" in out and "Datakvalitet" in out
    assert "kommuner vises som punkter" in err  # no boundaries given: said plainly
    assert "rækker/s" in err  # progress with rates per step
    code, out, _ = run(capsys, "path")
    assert code == 0 and out.strip() == str(current_path())


def test_path_without_database_says_how_to_build(capsys, data_dir):
    code, _, err = run(capsys, "path")
    assert code == 1 and "python -m etl demo" in err


def test_template_then_check_empty_template(capsys, tmp_path):
    target = tmp_path / "skabelon.xlsx"
    code, out, _ = run(capsys, "template", str(target))
    assert code == 0 and target.exists()
    code, out, err = run(capsys, "check", str(target))
    assert code == 0, err
    assert "Ingen fejl" in out


def test_check_names_file_row_and_column(capsys, tmp_path):
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "organisationer.csv").write_text(
        "Id;Navn;Organisationstype;Postnummer\nORG-1;Løbeklubben;Frivillig forening;8000\nORG-2;Strikkecaféen;Strikkeklub;8000\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "check", str(folder))
    assert code == 1
    assert (
        "organisationer.csv" in err
        and "række 3" in err
        and "Organisationstype" in err
        and "Strikkeklub" in err
    )


def test_failed_build_keeps_previous_database(capsys, data_dir, tmp_path):
    assert run(capsys, "demo", "--scale", "small", "-q")[0] == 0
    before = current_path()
    bad = tmp_path / "tilbud.csv"
    bad.write_text("Id;Organisation (id);Navn;Temaer\nT1;ORG-X;Café;Forebyggelse\n", encoding="utf-8")
    code, _, err = run(capsys, "build", str(bad))
    assert code == 1
    assert "Den tidligere database bruges fortsat" in err and "ORG-X" in err
    assert current_path() == before


def test_bad_boundaries_is_exit_2_and_keeps_previous(capsys, data_dir, tmp_path):
    assert run(capsys, "demo", "--scale", "small", "-q")[0] == 0
    before = current_path()
    code, _, err = run(capsys, "demo", "--scale", "small", "--boundaries", str(tmp_path / "nope.geojson"))
    assert code == 2 and "findes ikke" in err
    assert current_path() == before


def test_report_prints_quality(capsys, data_dir):
    run(capsys, "demo", "--scale", "small", "-q")
    code, out, _ = run(capsys, "report")
    assert code == 0 and "Eksempeldata: ja" in out and "Tilbud med omtrentlig placering" in out


def test_population_from_folk1a(capsys, data_dir, tmp_path):
    folk = tmp_path / "folk1a.csv"
    folk.write_bytes(
        "OMRÅDE;KØN;ALDER;CIVILSTAND;TID;INDHOLD\nHele landet;I alt;Alder i alt;I alt;2025K1;5992734\n"
        "København;I alt;Alder i alt;I alt;2025K1;667099\nAarhus;I alt;Alder i alt;I alt;2025K1;367095\n".encode(
            "cp1252"
        )
    )
    code, _, err = run(capsys, "demo", "--scale", "small", "-q", "--population", str(folk))
    assert code == 0, err
    from civilkort.db import open_current

    db = open_current()
    pop = dict(
        db.query(
            "SELECT municipality_code, population FROM municipalities WHERE population IS NOT NULL"
        ).itertuples(index=False)
    )
    assert pop == {101: 667099, 751: 367095}


def test_a_bad_setting_is_named_before_any_work(monkeypatch, capsys):
    from etl.cli import main

    monkeypatch.setenv("CIVILKORT_DATABASE_URL", "mysql://x@y/z")
    assert main(["check", "nothing.csv"]) == 2
    err = capsys.readouterr().err
    assert "CIVILKORT_DATABASE_URL" in err and "Traceback" not in err


def test_topojson_boundaries_check_and_build(capsys, data_dir, tmp_path):
    import json

    from tests.etl.test_boundaries import TOPOJSON

    topo = tmp_path / "kommuner.topojson"
    topo.write_text(json.dumps(TOPOJSON), encoding="utf-8")
    code, out, err = run(capsys, "demo", "--scale", "small", "--boundaries", str(topo))
    assert code == 0, err
    assert "Database bygget" in out and "Kommuner med grænser                                 2" in out
    assert "Grænsefilen mangler 96 kommuner" in err and "ligger i kommuner, som grænsefilen ikke har" in err
    assert "Traceback" not in err


def test_population_from_the_web_export_says_which_period(capsys, data_dir, tmp_path):
    folk = tmp_path / "FOLK1A.csv"
    folk.write_bytes(
        (
            '"Befolkningen den 1. i kvartalet efter område og tid"\r\n""\r\n"";"2024K4";"2025K1"\r\n'
            '"000 Hele landet";"5961249";"5992734"\r\n"101 København";"663000";"667099"\r\n'
        ).encode("cp1252")
    )
    code, _, err = run(capsys, "demo", "--scale", "small", "-q", "--population", str(folk))
    assert code == 0, err
    assert "Filen har 2 perioder; folketallet for den nyeste, 2025K1, bruges (fil FOLK1A.csv)" in err
    from civilkort.db import open_current

    pop = open_current().query(
        "SELECT municipality_code, population FROM municipalities WHERE population > 0"
    )
    assert dict(pop.itertuples(index=False)) == {101: 667099}


def test_an_unexpected_error_is_danish_names_the_file_and_logs_the_trace(
    capsys, data_dir, tmp_path, monkeypatch
):
    import etl.population

    def boom(path, notes=None):
        raise RuntimeError("noget gik galt")

    monkeypatch.setattr(etl.population, "read_folk1a", boom)
    folk = tmp_path / "folk1a.csv"
    folk.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "demo", "--scale", "small", "-q", "--population", str(folk))
    assert code == 3
    assert f"Uventet fejl under læsning af {folk}: RuntimeError: noget gik galt" in err
    log = data_dir / "logs" / "civilkort-etl.log"
    assert f"Hele forløbet er skrevet i {log}." in err and "Traceback" not in err
    trace = log.read_text(encoding="utf-8")
    assert "Traceback" in trace and "RuntimeError: noget gik galt" in trace and "read_folk1a" not in err


def test_the_trace_goes_to_the_temp_folder_when_the_data_folder_cannot_be_written(
    capsys, tmp_path, monkeypatch
):
    import tempfile

    blocker = tmp_path / "fil"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(blocker / "data"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import etl.boundaries

    monkeypatch.setattr(etl.boundaries, "load", lambda *a, **k: 1 / 0)
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "organisationer.csv").write_text(
        "Id;Navn;Organisationstype;Postnummer\nORG-1;Løbeklubben;Frivillig forening;8000\n", encoding="utf-8"
    )
    code, _, err = run(capsys, "check", str(folder), "--boundaries", "k.geojson")
    assert code == 3
    assert "Uventet fejl under læsning af k.geojson: ZeroDivisionError" in err
    assert f"skrevet i {tmp_path / 'tmp' / 'civilkort-etl.log'}" in err


def _facts(path) -> tuple[dict[str, str], tuple]:
    db = Database(path)
    try:
        counts = db.query("SELECT (SELECT count(*) FROM organisations), (SELECT count(*) FROM offers)")
        return db.meta(), tuple(counts.iloc[0])
    finally:
        db.close()


def test_rebuild_builds_the_serving_database_again_from_its_inputs(capsys, data_dir):
    code, _, err = run(capsys, "rebuild")
    assert code == 1 and "ingen database" in err
    assert run(capsys, "demo", "--scale", "small", "-q", "--today", "2026-11-01")[0] == 0
    before = current_path()
    code, out, err = run(capsys, "rebuild", "-q")
    assert code == 0, err
    assert current_path() != before and "Database bygget" in out
    (old_meta, old_counts), (meta, counts) = _facts(before), _facts(current_path())
    assert counts == old_counts and meta["is_example"] == "true"
    assert meta["inputs"] == f"{old_meta['inputs']}; bygget igen"
