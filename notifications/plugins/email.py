"""``smtp://`` / ``smtps://``: email with a plain-text and an HTML part, as a custom Apprise service.

URL: ``smtp://user:password@host:port/to@example.vn?security=starttls&from=...&cc=a@x,b@y``
(``smtps://`` is TLS from the first byte; ``security=none`` for a local relay).
The dispatcher calls :meth:`NotifySMTP.deliver` with a full message (text, HTML,
cc) over one kept-open connection; Apprise's ``notify()`` sends a plain-text
message to the URL's targets. The password never leaves this object:
``url(privacy=True)`` masks it and errors name only the host.
"""

from __future__ import annotations

import base64
import itertools
import mimetypes
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from apprise.common import NotifyType
from apprise.plugins.base import NotifyBase
from apprise.url import PrivacyMode
from apprise.utils.parse import is_email, parse_emails

from notifications.plugins.common import SendResult

SECURITY = ("starttls", "ssl", "none")


def encode_words(value: str, width: int = 39) -> str:
    """A header value as RFC 2047 encoded words (UTF-8, base64), folded; ASCII is kept as is.

    Every chunk keeps its own spaces inside the encoded word, so decoders that drop
    the whitespace between encoded words (as RFC 2047 says) lose nothing.

    >>> encode_words("Nhắc việc")
    '=?utf-8?b?Tmjhuq9jIHZp4buHYw==?='
    >>> encode_words("Report ready")
    'Report ready'
    """
    if value.isascii():
        return value
    chunks, current, size = [], [], 0
    for char in value:
        length = len(char.encode("utf-8"))
        if size + length > width and current:
            chunks.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += length
    chunks.append("".join(current))
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(c.encode('utf-8')).decode('ascii')}?=" for c in chunks)


Address = tuple[str, str]  # (display name, addr-spec)


def as_address(value: str | Address) -> Address:
    return value if isinstance(value, tuple) else parseaddr(value)


def format_address(value: str | Address) -> str:
    name, addr = as_address(value)
    if not addr:
        return name
    if not name:
        return addr
    return formataddr((name, addr)) if name.isascii() else f"{encode_words(name)} <{addr}>"


def _body(text: str, subtype: str) -> bytes:
    encoded = base64.encodebytes(text.encode("utf-8")).replace(b"\n", b"\r\n")
    return (f"Content-Type: text/{subtype}; charset=\"utf-8\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n").encode("ascii") + encoded


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email: its name as the recipient sees it, its bytes and MIME type."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"

    @classmethod
    def from_path(cls, path: str | Path) -> "Attachment":
        path = Path(path)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return cls(path.name, path.read_bytes(), kind)


def _filename_param(name: str, value: str) -> str:
    """A MIME parameter: quoted when ASCII, else RFC 2231 (``name*=utf-8''...``).

    >>> _filename_param("filename", "bao-cao.docx")
    'filename="bao-cao.docx"'
    >>> _filename_param("filename", "Báo cáo.docx")
    "filename*=utf-8''B%C3%A1o%20c%C3%A1o.docx"
    """
    if value.isascii() and '"' not in value and "\\" not in value:
        return f'{name}="{value}"'
    return f"{name}*=utf-8''{quote(value, safe='')}"


def _attachment_part(attachment: Attachment) -> bytes:
    encoded = base64.encodebytes(attachment.data).replace(b"\n", b"\r\n")
    return (f"Content-Type: {attachment.content_type}; {_filename_param('name', attachment.filename)}\r\n"
            f"Content-Disposition: attachment; {_filename_param('filename', attachment.filename)}\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n").encode("ascii") + encoded


_BOUNDARY_TOKEN = uuid.uuid4().hex  # one random draw per process; the counter makes each boundary unique
_BOUNDARY_COUNTER = itertools.count(1)


@dataclass(frozen=True)
class OutgoingEmail:
    """A ready-to-send message: envelope sender and recipients, Message-ID, and the RFC 5322 bytes."""

    sender: str
    recipients: list[str]
    message_id: str
    data: bytes

    def as_bytes(self) -> bytes:
        return self.data


def _boundary() -> str:
    return f"=_dondoc_{_BOUNDARY_TOKEN}_{next(_BOUNDARY_COUNTER)}"


def build_email(*, sender: str | Address, to: list[str | Address], cc: list[str | Address], subject: str,
                text: str, html: str | None, headers: dict[str, str] | None = None,
                attachments: list[Attachment] | tuple[Attachment, ...] = ()) -> OutgoingEmail:
    """A standard MIME message: multipart/alternative (text + HTML) in UTF-8, subject as encoded words;
    with ``attachments``, that body and the files (base64) inside multipart/mixed.

    Addresses are ``(name, addr)`` pairs or strings. Written directly rather than
    through ``email.message`` (several times faster, and the 3.11 ``EmailMessage``
    folder can drop the spaces between encoded words).
    """
    sender, to, cc = as_address(sender), [as_address(t) for t in to], [as_address(c) for c in cc]
    envelope_from = sender[1]
    domain = envelope_from.rpartition("@")[2] or "localhost"
    message_id = make_msgid(domain=domain)
    lines = [
        f"Subject: {encode_words(subject)}",
        f"From: {format_address(sender)}",
        f"To: {', '.join(format_address(t) for t in to) or 'undisclosed-recipients:;'}",
    ]
    if cc:
        lines.append(f"Cc: {', '.join(format_address(c) for c in cc)}")
    lines += [f"Date: {formatdate(localtime=True)}", f"Message-ID: {message_id}", "MIME-Version: 1.0"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {encode_words(value)}")
    head = ("\r\n".join(lines) + "\r\n").encode("ascii")
    if html:
        boundary = _boundary()
        body = (f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode("ascii")
                + f"--{boundary}\r\n".encode("ascii") + _body(text, "plain")
                + f"--{boundary}\r\n".encode("ascii") + _body(html, "html")
                + f"--{boundary}--\r\n".encode("ascii"))
    else:
        body = _body(text, "plain")
    if attachments:
        mixed = _boundary()
        body = (f'Content-Type: multipart/mixed; boundary="{mixed}"\r\n\r\n'.encode("ascii")
                + f"--{mixed}\r\n".encode("ascii") + body
                + b"".join(f"--{mixed}\r\n".encode("ascii") + _attachment_part(a) for a in attachments)
                + f"--{mixed}--\r\n".encode("ascii"))
    data = head + body
    recipients = [addr for _name, addr in [*to, *cc] if addr]
    return OutgoingEmail(envelope_from, recipients, message_id, data)


class NotifySMTP(NotifyBase):
    service_name = "Email (SMTP)"
    service_url = "https://datatracker.ietf.org/doc/html/rfc5321"
    protocol = "smtp"
    secure_protocol = "smtps"
    request_rate_per_sec = 0

    templates = (
        "{schema}://{host}/{targets}",
        "{schema}://{host}:{port}/{targets}",
        "{schema}://{user}:{password}@{host}:{port}/{targets}",
    )
    template_tokens = dict(
        NotifyBase.template_tokens,
        **{
            "host": {"name": "Hostname", "type": "string", "required": True},
            "port": {"name": "Port", "type": "int", "min": 1, "max": 65535},
            "user": {"name": "User Name", "type": "string"},
            "password": {"name": "Password", "type": "string", "private": True},
            "target_email": {"name": "Target Email", "type": "string", "map_to": "targets"},
            "targets": {"name": "Targets", "type": "list:string"},
        },
    )
    template_args = dict(
        NotifyBase.template_args,
        **{
            "security": {"name": "Security", "type": "choice:string", "values": SECURITY, "default": "starttls"},
            "from": {"name": "From", "type": "string", "map_to": "sender"},
            "cc": {"name": "Carbon Copy", "type": "list:string"},
        },
    )

    def __init__(self, targets=None, security=None, sender=None, cc=None, **kwargs):
        super().__init__(**kwargs)
        if not self.host:
            msg = "An SMTP URL needs a host."
            self.logger.warning(msg)
            raise TypeError(msg)
        self.security = "ssl" if self.secure else (security or "starttls").lower()
        if self.security not in SECURITY:
            msg = f"Unknown SMTP security {security!r}: use starttls, ssl or none."
            self.logger.warning(msg)
            raise TypeError(msg)
        self.sender = sender or (f"{self.user}@{self.host}" if self.user and "@" not in self.user else self.user) \
            or f"dondoc@{self.host}"
        self.targets = [e for e in parse_emails(targets) if is_email(e)]
        self.cc = [e for e in parse_emails(cc) if is_email(e)]
        self.smtp_timeout = self.socket_connect_timeout or 20
        self._smtp: smtplib.SMTP | None = None
        self.last_result = SendResult(False)

    # -- connection ------------------------------------------------------------------------
    def _connect(self) -> smtplib.SMTP:
        port = self.port or (465 if self.security == "ssl" else 587 if self.security == "starttls" else 25)
        if self.security == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, port, timeout=self.smtp_timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(self.host, port, timeout=self.smtp_timeout)
            if self.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if self.user and self.password:
            smtp.login(self.user, self.password)
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None

    def deliver(self, message: OutgoingEmail) -> SendResult:
        """Send a built message on the kept-open connection (reconnecting once). Never raises."""
        for reuse in (True, False):
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                refused = self._smtp.sendmail(message.sender, message.recipients, message.data)
                if refused:
                    bad = ", ".join(refused)
                    self.last_result = SendResult(True, message.message_id, f"Máy chủ thư từ chối: {bad}")
                else:
                    self.last_result = SendResult(True, message.message_id)
                return self.last_result
            except smtplib.SMTPServerDisconnected:
                self._smtp = None
                if reuse:
                    continue
                self.last_result = SendResult(False, error=f"Máy chủ thư {self.host} ngắt kết nối", transient=True)
            except smtplib.SMTPRecipientsRefused as exc:
                self.close()
                bad = ", ".join(exc.recipients)
                self.last_result = SendResult(False, error=f"Máy chủ thư từ chối người nhận: {bad}", fallback=True)
            except smtplib.SMTPAuthenticationError as exc:
                self.close()
                self.last_result = SendResult(False, code=exc.smtp_code,
                                              error=f"Máy chủ thư {self.host} từ chối đăng nhập ({exc.smtp_code})",
                                              fallback=True)
            except smtplib.SMTPResponseException as exc:
                self.close()
                self.last_result = SendResult(False, code=exc.smtp_code,
                                              error=f"Máy chủ thư {self.host} trả lời {exc.smtp_code}",
                                              transient=400 <= exc.smtp_code < 500, fallback=exc.smtp_code >= 500)
            except (smtplib.SMTPException, OSError) as exc:
                self._smtp = None
                self.last_result = SendResult(
                    False, error=f"Không kết nối được máy chủ thư {self.host}:{self.port or ''} ({type(exc).__name__})",
                    transient=True,
                )
            break
        self.logger.warning("Failed to send email: %s", self.last_result.error)
        return self.last_result

    def send(self, body, title="", notify_type=NotifyType.INFO, **kwargs):
        """Apprise entry point: a plain-text email to the URL's targets. Never raises."""
        if not self.targets:
            self.logger.warning("No email target in the SMTP URL.")
            return False
        message = build_email(sender=self.sender, to=self.targets, cc=self.cc, subject=title or "Đôn Đốc",
                              text=body, html=None)
        ok = self.deliver(message).ok
        self.close()
        return ok

    # -- URL round trip --------------------------------------------------------------------
    @property
    def url_identifier(self):
        return (self.secure_protocol if self.secure else self.protocol, self.user, self.password, self.host,
                self.port)

    def url(self, privacy=False, *args, **kwargs):
        params = {"security": self.security, "from": self.sender}
        if self.cc:
            params["cc"] = ",".join(self.cc)
        params.update(self.url_parameters(privacy=privacy, *args, **kwargs))
        auth = ""
        if self.user:
            auth = self.quote(self.user, safe="")
            if self.password:
                auth += ":" + self.pprint(self.password, privacy, mode=PrivacyMode.Secret, safe="")
            auth += "@"
        return "{schema}://{auth}{host}{port}/{targets}?{params}".format(
            schema=self.secure_protocol if self.secure else self.protocol,
            auth=auth,
            host=self.host,
            port=f":{self.port}" if self.port else "",
            targets="/".join(self.quote(t, safe="@") for t in self.targets),
            params=self.urlencode(params),
        )

    def __len__(self):
        return max(1, len(self.targets))

    @staticmethod
    def parse_url(url):
        results = NotifyBase.parse_url(url)
        if not results:
            return results
        results["targets"] = [NotifyBase.unquote(e) for e in NotifyBase.split_path(results["fullpath"])]
        qsd = results["qsd"]
        if qsd.get("to"):
            results["targets"] += parse_emails(qsd["to"])
        if qsd.get("cc"):
            results["cc"] = parse_emails(qsd["cc"])
        if qsd.get("from"):
            results["sender"] = NotifyBase.unquote(qsd["from"])
        if qsd.get("security"):
            results["security"] = qsd["security"]
        return results


__all__ = ["Address", "Attachment", "NotifySMTP", "OutgoingEmail", "build_email", "encode_words"]
