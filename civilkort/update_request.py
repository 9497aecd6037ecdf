"""'Bed om opdatering': an e-mail that asks an organisation to check what the product has on record.

:func:`prepare` writes the e-mail (Danish, polite): what the serving build holds about the organisation,
its offers and collaborations, each with when it was last verified, addressed to the organisation's role
mailbox (``email``, a personal field kept in the store: only a coordinator of the organisation's council
sees it).  The page shows the text to copy and a ``mailto:`` link (:func:`mailto`, RFC 6068); the server
sends nothing itself unless a mail server is configured (``CIVILKORT_SMTP_*``, ``Settings.smtp_configured``),
and then :func:`send_request` sends it through the standard library's ``smtplib`` and records the send in
the follow-up worklist's audit (:func:`civilkort.followup.record_request`).
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from urllib.parse import quote

import pandas as pd

from civilkort import danish, followup, personal
from civilkort.auth import COORDINATOR, Principal, require
from civilkort.db import Database
from civilkort.settings import Settings
from civilkort.store import Store

SMTP_TIMEOUT_S = 20.0
"""How long the server waits for the mail server before giving up."""


class MailError(Exception):
    """An e-mail that cannot be prepared or sent (no mailbox, no mail server, the server refused); Danish."""


@dataclass(frozen=True)
class Request:
    """One prepared e-mail: to whom (None: no mailbox the caller may see), subject, body, ``mailto:`` link."""

    organisation_id: str
    name: str
    to: str | None
    subject: str
    body: str

    @property
    def mailto(self) -> str:
        """The e-mail as a ``mailto:`` link (empty address when there is none)."""
        return mailto(self.to or "", self.subject, self.body)


def mailto(to: str, subject: str, body: str) -> str:
    """A ``mailto:`` URL (RFC 6068): every character outside the unreserved set percent-encoded as UTF-8,
    spaces as ``%20`` (not ``+``), line breaks as ``%0D%0A``."""
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return f"mailto:{quote(to, safe='@')}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def organisation(db: Database, organisation_id: str) -> dict | None:
    """The organisation as the build holds it (None if not there), with its offers and collaborations."""
    found = db.query(
        "SELECT organisation_id, name, cvr, organisation_type_label, address, postcode, city, website,"
        " last_verified, council_id FROM organisations WHERE organisation_id = $id",
        {"id": organisation_id},
    )
    if found.empty:
        return None
    offers = db.query(
        "SELECT name, status_label, schedule, last_verified FROM offers WHERE organisation_id = $id"
        " ORDER BY name, offer_id",
        {"id": organisation_id},
    )
    collaborations = db.query(
        "SELECT title, start_date, end_date, status_label, last_verified FROM collaborations"
        " WHERE list_contains(organisation_ids, $id) ORDER BY end_date NULLS LAST, title, collaboration_id",
        {"id": organisation_id},
    )
    return {**found.iloc[0].to_dict(), "offers": offers, "collaborations": collaborations}


def partners(db: Database, collaboration_id: str) -> dict[str, str]:
    """The organisations of a collaboration: id -> name (those the build holds)."""
    df = db.query(
        "SELECT g.organisation_id, g.name FROM collaborations c, unnest(c.organisation_ids) AS p(organisation_id)"
        " JOIN organisations g USING (organisation_id) WHERE c.collaboration_id = $id ORDER BY g.name",
        {"id": collaboration_id},
    )
    return dict(zip(df["organisation_id"], df["name"], strict=True))


def _value(value: object) -> str:
    return "ikke oplyst" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _verified(value: object) -> str:
    return danish.date(value, missing="aldrig")


def compose(
    org: dict, *, sender: str, council: str, update_link: tuple[str, dt.datetime] | None = None
) -> tuple[str, str]:
    """The subject and body of the e-mail for ``org`` (from :func:`organisation`), signed by ``sender``; the
    name on one line (it goes into the subject header, where a line break would start another header).
    With ``update_link`` (the link to the update form and when it stops working) the e-mail offers it."""
    name = " ".join(str(org["name"]).split())
    lines = [
        f"Kære {name}",
        "",
        f"{council} bruger Civilsamfundskortet til at give overblik over foreninger, tilbud og samarbejder, så "
        "borgere, praktiserende læger og hospitaler kan finde frem til jer. Vi vil gerne være sikre på, at det, "
        "vi viser om jer, stadig er rigtigt.",
        "",
        f"Det har vi registreret om jer (sidst verificeret: {_verified(org['last_verified'])}):",
        f"- Navn: {name}",
        f"- CVR-nummer: {_value(org.get('cvr'))}",
        f"- Organisationstype: {_value(org.get('organisation_type_label'))}",
        f"- Adresse: {danish.place(org.get('address'), org.get('postcode'), org.get('city')) or 'ikke oplyst'}",
        f"- Hjemmeside: {_value(org.get('website'))}",
    ]
    offers = org["offers"]
    if len(offers):
        lines += ["", "Jeres tilbud:"]
        for o in offers.itertuples(index=False):
            when = f"; {o.schedule.strip()}" if isinstance(o.schedule, str) and o.schedule.strip() else ""
            status = _value(o.status_label).lower()
            lines.append(f"- {o.name}: {status}{when}; sidst verificeret: {_verified(o.last_verified)}")
    collabs = org["collaborations"]
    if len(collabs):
        lines += ["", "Jeres samarbejder med regionen og kommunerne:"]
        for c in collabs.itertuples(index=False):
            end = f"slutter {danish.date(c.end_date)}" if pd.notna(c.end_date) else "løbende"
            lines.append(f"- {c.title}: {end}; sidst verificeret: {_verified(c.last_verified)}")
    lines += [
        "",
        "Vil I svare på denne e-mail med det, der skal rettes, eller blot bekræfte, at oplysningerne stadig er "
        "rigtige?"
        + (
            " Slutter et samarbejde, eller er det forlænget, hører vi også gerne om det."
            if len(collabs)
            else ""
        ),
        *(
            [
                "",
                "I kan også selv rette jeres oplysninger og tilbud her (linket virker til og med "
                f"{danish.date(update_link[1] - dt.timedelta(days=1))}); vi gennemgår rettelserne, før de vises:",
                update_link[0],
            ]
            if update_link
            else []
        ),
        "",
        "På forhånd tak.",
        "",
        "Venlig hilsen",
        sender,
        council,
    ]
    return f"Er oplysningerne om {name} stadig rigtige?", "\n".join(lines)


def prepare(
    db: Database,
    store: Store,
    principal: Principal,
    council_id: str,
    organisation_id: str,
    *,
    update_link: tuple[str, dt.datetime] | None = None,
) -> Request:
    """The e-mail to one organisation, for a coordinator; ``to`` is its role mailbox if the caller may see
    it (a coordinator of the organisation's council), else None.  MailError if the build has no such one.
    ``update_link``: the organisation's update form and its end (civilkort.update_form), offered in the text."""
    require(principal, COORDINATOR)
    org = organisation(db, organisation_id)
    if org is None:
        raise MailError(f"Organisationen {organisation_id} findes ikke i de viste data.")
    fields = personal.personal_fields(
        store, principal, personal.build_name(db.path), "organisations", [organisation_id]
    )
    to = None
    if organisation_id in fields.index and pd.notna(fields.loc[organisation_id, "email"]):
        to = str(fields.loc[organisation_id, "email"]).strip() or None
    subject, body = compose(
        org, sender=principal.name, council=followup.council_name(council_id), update_link=update_link
    )
    return Request(organisation_id, " ".join(str(org["name"]).split()), to, subject, body)


def message(cfg: Settings, request: Request) -> EmailMessage:
    """The e-mail as a MIME message from the configured sender (UTF-8 text, headers encoded as needed)."""
    msg = EmailMessage()
    msg["From"] = formataddr(("Civilsamfundskortet", str(cfg.smtp_from)))
    msg["To"] = formataddr((" ".join(request.name.split()), str(request.to)))  # one line: no header injection
    msg["Subject"] = " ".join(request.subject.split())
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=str(cfg.smtp_from).rpartition("@")[2])
    msg.set_content(request.body)
    return msg


def send(cfg: Settings, msg: EmailMessage) -> None:
    """Hand ``msg`` to the configured mail server (STARTTLS and login as configured); MailError, in Danish,
    if there is none or it refuses."""
    if not cfg.smtp_configured:
        raise MailError("Serveren sender ikke e-mails: der er ingen mailserver sat op (CIVILKORT_SMTP_HOST).")
    try:
        with smtplib.SMTP(str(cfg.smtp_host), cfg.smtp_port, timeout=SMTP_TIMEOUT_S) as smtp:
            if cfg.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if cfg.smtp_user:
                smtp.login(cfg.smtp_user, cfg.smtp_password or "")
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(
            f"Mailserveren {cfg.smtp_host} tog ikke imod e-mailen ({type(exc).__name__}: {exc}). Intet er sendt; "
            "kopiér teksten i stedet, eller prøv igen senere."
        ) from exc


def send_request(
    db: Database,
    store: Store,
    principal: Principal,
    council_id: str,
    organisation_id: str,
    cfg: Settings,
    *,
    update_link: tuple[str, dt.datetime] | None = None,
) -> Request:
    """Prepare the e-mail to one organisation, send it through the configured mail server, and record the
    send in the council's worklist (audited; an 'åben' row becomes 'kontaktet').  A coordinator of the
    council only; MailError when there is no mailbox the caller may see or no mail server."""
    followup.require_council_scope(principal, council_id, "At bede om en opdatering")
    request = prepare(db, store, principal, council_id, organisation_id, update_link=update_link)
    if request.to is None:
        raise MailError(
            f"{request.name} har ingen funktionspostkasse, som du kan se (den er ikke registreret, eller "
            "organisationen hører til et andet sundhedsråd). Intet er sendt."
        )
    send(cfg, message(cfg, request))
    followup.record_request(
        store, principal, council_id, followup.ORGANISATION, organisation_id, title=request.name
    )
    return request
