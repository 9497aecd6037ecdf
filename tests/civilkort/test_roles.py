"""Where roles come from (login claims, the roles file, CIVILKORT_KOORDINATORER, the roles table) and the scope they give."""

from __future__ import annotations

import pytest

from civilkort import auth, grants, roles
from civilkort.auth import PermissionDenied, Principal
from civilkort.grants import Grant, GrantError
from civilkort.settings import Settings, SettingsError
from civilkort.store import Store

ADMIN = Principal("Ane Admin", via="login", is_admin=True)
REGIONAL_MIDT = Principal("Lis Regional", via="login", regions=frozenset({"midtjylland"}))
AARHUS = Principal("Kim Aarhus", via="login", councils=frozenset({"aarhus"}))


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store.sqlite")


def test_grants_in_their_own_form_need_no_mapping():
    given = grants.from_claim(["koordinator:aarhus", "Regional:Midtjylland", "admin", "some-other-group"], {})
    assert given == {Grant("koordinator", "aarhus"), Grant("regional", "midtjylland"), Grant("admin", "*")}
    assert grants.from_claim("koordinator:fyn, koordinator:horsens", {}) == {
        Grant("koordinator", "fyn"),
        Grant("koordinator", "horsens"),
    }
    with pytest.raises(GrantError, match="'odense' findes ikke"):
        grants.from_claim(["koordinator:odense"], {})


def test_the_roles_file_maps_groups_and_names_a_bad_entry(tmp_path):
    mapping = grants.parse_roles_file(
        '[grupper]\n"3F2A-GUID" = ["koordinator:aarhus", "koordinator:horsens"]\n"Civilkort-Admin" = "admin"\n'
    )
    claims = {"email": "kim@rm.dk", "name": "Kim", "groups": ["3f2a-guid", "Alle-ansatte"]}
    kim = auth.from_login(claims, groups=mapping, configured="")
    assert kim.councils == {"aarhus", "horsens"} and not kim.is_admin
    assert kim.scope_text == "koordinator for Sundhedsråd Aarhus og Horsens"
    with pytest.raises(GrantError, match=r"gruppen 'X'.*'vejle' findes ikke"):
        grants.parse_roles_file('[grupper]\nX = ["koordinator:vejle"]')
    with pytest.raises(GrantError, match="er ikke en rolle"):
        grants.parse_roles_file('[grupper]\nX = ["superbruger"]')
    with pytest.raises(GrantError, match="ikke gyldig TOML"):
        grants.parse_roles_file("[grupper\n")


def test_an_unknown_council_in_the_settings_stops_the_start(tmp_path):
    bad = tmp_path / "roller.toml"
    bad.write_text('[grupper]\n"RM" = ["regional:jylland"]\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="CIVILKORT_ROLLER_FIL.*'jylland' findes ikke"):
        Settings.from_env({"CIVILKORT_ROLLER_FIL": str(bad)})
    with pytest.raises(SettingsError, match="CIVILKORT_KOORDINATORER: kim@rm.dk: .*'aarhuus' findes ikke"):
        Settings.from_env({"CIVILKORT_KOORDINATORER": "kim@rm.dk=aarhuus"})
    with pytest.raises(SettingsError, match="e-mailadresse"):
        Settings.from_env({"CIVILKORT_KOORDINATORER": "aarhus"})


def test_the_coordinators_setting_gives_scope_and_a_bare_email_keeps_its_old_meaning():
    parsed = grants.parse_coordinators(
        "Kim@RM.dk=aarhus+horsens, lis@rh.dk=regional:oestdanmark; ane@x.dk=admin, bo@x.dk"
    )
    assert parsed["kim@rm.dk"] == {Grant("koordinator", "aarhus"), Grant("koordinator", "horsens")}
    assert parsed["lis@rh.dk"] == {Grant("regional", "oestdanmark")}
    assert parsed["ane@x.dk"] == parsed["bo@x.dk"] == {Grant("admin", "*")}


def test_a_users_scope_is_claims_and_setting_and_table_together():
    claims = {"email": "Kim@RM.dk", "name": "Kim", "groups": "koordinator:fyn"}
    kim = auth.from_login(
        claims, groups={}, configured="kim@rm.dk=aarhus", granted={Grant("regional", "nordjylland")}
    )
    assert kim.councils == {"fyn", "aarhus"} and kim.regions == {"nordjylland"}
    assert (
        kim.may_coordinate("vendsyssel")
        and kim.may_coordinate("aarhus")
        and not kim.may_coordinate("horsens")
    )
    assert not kim.may_coordinate(None) and not kim.may_coordinate_region("midtjylland")
    assert kim.label == "regional koordinator"
    assert (
        kim.scope_text
        == "regional koordinator, Region Nordjylland, og koordinator for Sundhedsråd Aarhus og Fyn"
    )
    ole = auth.from_login({"email": "ole@x.dk", "name": "Ole", "groups": []}, groups={}, configured="")
    assert ole.label == "læser" and not ole.has(auth.COORDINATOR)


def test_the_claim_named_in_the_settings_is_read(monkeypatch):
    monkeypatch.setenv("CIVILKORT_ROLLER_CLAIM", "roles")
    claims = {"email": "a@x.dk", "roles": ["koordinator:midt"], "groups": ["admin"]}
    person = auth.from_login(claims, groups={}, configured="")
    assert person.councils == {"midt"} and not person.is_admin


def test_the_refusal_names_the_councils_and_the_users_own_scope():
    with pytest.raises(PermissionDenied) as exc:
        auth.require_council(AARHUS, ["fyn"], what="Workshoppen")
    assert str(exc.value) == (
        "Du er koordinator for Sundhedsråd Aarhus. Workshoppen hører til Sundhedsråd Fyn, "
        "så det kræver koordinatoradgang dér."
    )
    with pytest.raises(PermissionDenied, match="national administrator"):
        auth.require_council(REGIONAL_MIDT, [None], what="Workshoppen")
    with pytest.raises(PermissionDenied, match="Region Syddanmark"):
        auth.require_region(REGIONAL_MIDT, "syddanmark", what="Sekvensen")
    auth.require_council(REGIONAL_MIDT, ["aarhus", "horsens"], what="Parret")
    auth.require_council(ADMIN, [None, "fyn"], what="Parret")


def test_a_coordinator_needs_a_scope():
    with pytest.raises(ValueError):
        Principal("Kim", roles=frozenset({auth.COORDINATOR}))
    assert auth.operator("kim").is_admin and auth.operator("kim").name == "CLI (kim)"


def test_an_administrator_grants_and_revokes_audited(store):
    row = roles.grant(store, ADMIN, " Kim@RM.dk ", "koordinator", "aarhus")
    assert (row["subject"], row["role"], row["scope"]) == ("kim@rm.dk", "koordinator", "aarhus")
    assert roles.grant(store, ADMIN, "kim@rm.dk", "koordinator", "aarhus") == row  # again: no change
    roles.grant(store, ADMIN, "lis@rh.dk", "regional", "oestdanmark")
    assert roles.grants_for(store, "KIM@rm.dk") == {Grant("koordinator", "aarhus")}
    assert [r["label"] for r in roles.list_roles(store, ADMIN)] == [
        "koordinator, Sundhedsråd Aarhus",
        "regional koordinator, Region Østdanmark",
    ]
    roles.revoke(store, ADMIN, "kim@rm.dk", "koordinator", "aarhus")
    assert roles.grants_for(store, "kim@rm.dk") == frozenset()
    assert [h["action"] for h in store.history(entity="roles")] == [
        "fjern koordinator:aarhus",
        "tildel regional:oestdanmark",
        "tildel koordinator:aarhus",
    ]
    with pytest.raises(roles.RoleError, match="har ikke rollen"):
        roles.revoke(store, ADMIN, "kim@rm.dk", "koordinator", "aarhus")
    with pytest.raises(roles.RoleError, match="'odense' findes ikke"):
        roles.grant(store, ADMIN, "kim@rm.dk", "koordinator", "odense")
    with pytest.raises(roles.RoleError, match="ikke en e-mailadresse"):
        roles.grant(store, ADMIN, "kim", "koordinator", "aarhus")


def test_a_regional_grants_only_in_their_region_and_a_coordinator_not_at_all(store):
    roles.grant(store, REGIONAL_MIDT, "kim@rm.dk", "koordinator", "horsens")
    before = store.version()
    for who, role, scope in (
        (REGIONAL_MIDT, "koordinator", "fyn"),
        (REGIONAL_MIDT, "regional", "midtjylland"),
        (REGIONAL_MIDT, "admin", "*"),
        (AARHUS, "koordinator", "aarhus"),
        (Principal("Læser"), "koordinator", "aarhus"),
    ):
        with pytest.raises(PermissionDenied):
            roles.grant(store, who, "ole@x.dk", role, scope)
    with pytest.raises(PermissionDenied):
        roles.revoke(store, AARHUS, "kim@rm.dk", "koordinator", "horsens")
    with pytest.raises(PermissionDenied, match="national administrator"):
        roles.list_roles(store, AARHUS)
    assert store.version() == before
    assert [r["subject"] for r in roles.list_roles(store, REGIONAL_MIDT)] == ["kim@rm.dk"]
