"""'Bed om opdatering' (civilkort.update_request): the e-mail's text, its mailto: link, and sending it through
a real SMTP server (aiosmtpd, started here on loopback) only when one is configured, recorded in the worklist."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from civilkort import auth, followup, update_request
from civilkort.auth import PermissionDenied
from civilkort.update_request import MailError
from tests.civilkort.test_followup import FYN, SARA, cfg, db, store  # noqa: F401 (fixtures)

SENDER = "sundhedsraad@rm.example.dk"


class Inbox:
    """An aiosmtpd handler that keeps what it is given."""

    def __init__(self, refuse: bool = False) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse:
            return "550 5.1.1 Ukendt modtager"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _authenticator(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"civilkort", b"hemmelig")
    return AuthResult(success=ok)


@pytest.fixture
def smtp(request):
    """A local SMTP server on loopback (with a login when the test is marked so); yields (inbox, port)."""
    inbox, port = Inbox(refuse=getattr(request, "param", None) == "refuse"), _free_port()
    extra = {}
    if getattr(request, "param", None) == "login":
        extra = {"authenticator": _authenticator, "auth_require_tls": False, "auth_required": True}
    server = Controller(inbox, hostname="127.0.0.1", port=port, **extra)
    server.start()
    yield inbox, port
    server.stop()


def _mail_cfg(cfg, port, **changes):  # noqa: F811
    """``cfg`` with the local server as its mail server (no STARTTLS: it has no certificate)."""
    from dataclasses import replace

    mail = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": SENDER, "smtp_starttls": False}
    return replace(cfg, **{**mail, **changes})


def test_mailto_encodes_everything_outside_the_unreserved_set():
    body = "Kære Ærø & Co.\nPris: 1+1=2? 100 %\n#tag"
    url = update_request.mailto("kontakt@forening.dk", "Er alt rigtigt? Ja/nej", body)
    assert url.startswith("mailto:kontakt@forening.dk?subject=")
    query = urlsplit(url).query
    assert " " not in url and "+" not in url and "\n" not in url and "#" not in url
    assert query.count("&") == 1 and query.count("=") == 2  # the body's own & and = are encoded
    fields = {k: unquote(v) for k, v in (p.split("=", 1) for p in query.split("&"))}
    assert fields == {"subject": "Er alt rigtigt? Ja/nej", "body": body.replace("\n", "\r\n")}
    assert parse_qs(query)["body"] == [body.replace("\n", "\r\n")]


def test_the_text_lists_what_is_on_record_with_when_it_was_last_verified(db, store):  # noqa: F811
    request = update_request.prepare(db, store, SARA, "aarhus", "O1")
    assert request.to == "kontakt@forening-et.example.dk"
    assert request.subject == "Er oplysningerne om Forening Et stadig rigtige?"
    body = request.body
    assert body.startswith("Kære Forening Et\n")
    assert "Det har vi registreret om jer (sidst verificeret: 01-06-2026):" in body
    assert "- Hjemmeside: https://forening-et.example.dk" in body and "- CVR-nummer: ikke oplyst" in body
    assert "- Tilbud T1: aktiv; sidst verificeret: aldrig" in body
    assert "- Ender på grænsen: slutter 28-02-2027; sidst verificeret: 01-06-2026" in body
    assert "- Løbende drift: løbende;" in body
    assert body.endswith("Venlig hilsen\nSara\nSundhedsråd Aarhus")
    assert update_request.partners(db, "C4") == {"O5": "Forening Fem"}


def test_only_a_coordinator_of_the_organisations_council_gets_its_mailbox(db, store):  # noqa: F811
    assert update_request.prepare(db, store, FYN, "fyn", "O1").to is None
    with pytest.raises(PermissionDenied):
        update_request.prepare(db, store, auth.ANONYMOUS, "aarhus", "O1")
    with pytest.raises(MailError, match="findes ikke"):
        update_request.prepare(db, store, SARA, "aarhus", "O99")


def test_a_configured_server_sends_it_and_the_worklist_records_the_send(cfg, db, store, smtp):  # noqa: F811
    inbox, port = smtp
    sent = update_request.send_request(db, store, SARA, "aarhus", "O1", _mail_cfg(cfg, port))
    [(mail_from, rcpt_tos, raw)] = inbox.received
    assert (mail_from, rcpt_tos) == (SENDER, ["kontakt@forening-et.example.dk"])
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == sent.subject == "Er oplysningerne om Forening Et stadig rigtige?"
    assert msg["To"].addresses[0].display_name == "Forening Et"
    assert msg.get_content().replace("\r\n", "\n").rstrip("\n") == sent.body
    row = store.one("SELECT * FROM followups WHERE record_id = 'O1'")
    assert (row["status"], row["requested_by"], row["council_id"]) == ("kontaktet", "Sara", "aarhus")
    assert store.history(entity="followups")[0]["action"] == followup.REQUEST_ACTION


@pytest.mark.parametrize("smtp", ["login"], indirect=True)
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_login_is_used_when_configured(cfg, db, store, smtp):  # noqa: F811
    inbox, port = smtp
    login = {"smtp_user": "civilkort", "smtp_password": "hemmelig"}
    update_request.send_request(db, store, SARA, "aarhus", "O1", _mail_cfg(cfg, port, **login))
    assert len(inbox.received) == 1


@pytest.mark.parametrize("smtp", ["refuse"], indirect=True)
def test_a_refusal_by_the_server_is_said_in_danish_and_nothing_is_recorded(cfg, db, store, smtp):  # noqa: F811
    inbox, port = smtp
    with pytest.raises(MailError, match="tog ikke imod e-mailen .*Intet er sendt"):
        update_request.send_request(db, store, SARA, "aarhus", "O1", _mail_cfg(cfg, port))
    assert inbox.received == [] and store.rows("SELECT * FROM followups") == []


def test_starttls_is_required_by_default_so_nothing_goes_out_in_the_clear(cfg, db, store, smtp):  # noqa: F811
    inbox, port = smtp
    with pytest.raises(MailError, match="Intet er sendt"):
        update_request.send_request(db, store, SARA, "aarhus", "O1", _mail_cfg(cfg, port, smtp_starttls=True))
    assert inbox.received == []


def test_nothing_is_sent_without_a_mail_server_nor_to_a_mailbox_the_caller_may_not_see(cfg, db, store, smtp):  # noqa: F811
    inbox, port = smtp
    assert not cfg.smtp_configured
    with pytest.raises(MailError, match="ingen mailserver"):
        update_request.send_request(db, store, SARA, "aarhus", "O1", cfg)
    with pytest.raises(MailError, match="ingen funktionspostkasse"):
        update_request.send_request(db, store, SARA, "aarhus", "O2", _mail_cfg(cfg, port))
    with pytest.raises(PermissionDenied):
        update_request.send_request(db, store, FYN, "aarhus", "O1",
                                    _mail_cfg(cfg, port))  # fmt: skip
    assert inbox.received == [] and store.rows("SELECT * FROM followups") == []


def test_a_name_with_a_line_break_cannot_add_a_header(cfg, db, store, smtp):  # noqa: F811
    inbox, port = smtp
    org = update_request.organisation(db, "O1")
    org["name"] = "Forening Et\r\nBcc: alle@example.dk"
    subject, body = update_request.compose(org, sender="Sara", council="Sundhedsråd Aarhus")
    request = update_request.Request("O1", org["name"], "kontakt@forening-et.example.dk", subject, body)
    update_request.send(_mail_cfg(cfg, port), update_request.message(_mail_cfg(cfg, port), request))
    [(_, rcpt_tos, raw)] = inbox.received
    assert rcpt_tos == ["kontakt@forening-et.example.dk"]
    msg = message_from_bytes(raw, policy=policy.default)
    assert (
        msg["Bcc"] is None
        and msg["Subject"] == "Er oplysningerne om Forening Et Bcc: alle@example.dk stadig rigtige?"
    )


def test_the_password_is_not_in_the_settings_text():
    from civilkort.settings import Settings

    given = Settings.from_env({"CIVILKORT_SMTP_USER": "u", "CIVILKORT_SMTP_PASSWORD": "meget-hemmelig"})
    assert given.smtp_password == "meget-hemmelig" and "meget-hemmelig" not in repr(given)
