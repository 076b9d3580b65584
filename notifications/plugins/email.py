"""``smtp://`` / ``smtps://``: email with a plain-text and an HTML part, as a custom Apprise service.

URL: ``smtp://user:password@host:port/to@example.vn?security=starttls&from=...&cc=a@x,b@y``
(``smtps://`` is TLS from the first byte; ``security=none`` for a local relay).
The dispatcher calls :meth:`NotifySMTP.deliver` with a full message (text, HTML,
cc) over one kept-open connection; Apprise's ``notify()`` sends a plain-text
message to the URL's targets. The password never leaves this object:
``url(privacy=True)`` masks it and errors name only the host.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import time

from apprise.common import NotifyType
from apprise.plugins.base import NotifyBase
from apprise.url import PrivacyMode
from apprise.utils.parse import is_email, parse_emails

from notifications.mime import (  # noqa: F401 - the message builder, re-exported with the service
    Address,
    Attachment,
    OutgoingEmail,
    as_address,
    build_email,
    encode_words,
    format_address,
    stable_message_id,
)
from notifications.plugins.common import SendResult

SECURITY = ("starttls", "ssl", "none")


class _Deadline:
    """Socket timeouts that add up to one deadline: however the server answers (silently, or a byte at a
    time), a whole attempt never takes longer than the timeout it was given."""

    deadline: float = float("inf")

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline")
        return left

    def _get_socket(self, host, port, timeout):
        return super()._get_socket(host, port, self._left())

    def send(self, s):
        if self.sock is not None:
            self.sock.settimeout(self._left())
        return super().send(s)

    def getreply(self):
        if self.sock is not None:
            self.sock.settimeout(self._left())
        return super().getreply()


class _SMTP(_Deadline, smtplib.SMTP):
    pass


class _SMTPS(_Deadline, smtplib.SMTP_SSL):
    pass


class _Unknown(Exception):
    """The message was handed over but the server's answer was lost: it may have been accepted."""


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
    def _connect(self, deadline: float) -> smtplib.SMTP:
        port = self.port or (465 if self.security == "ssl" else 587 if self.security == "starttls" else 25)
        smtp = _SMTPS(context=ssl.create_default_context()) if self.security == "ssl" else _SMTP()
        smtp.deadline = deadline
        smtp.connect(self.host, port)
        if self.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if self.user and self.password:
            smtp.login(self.user, self.password)
        return smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.deadline = time.monotonic() + 2
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            except OSError:
                pass
        self._smtp = None

    def _transfer(self, smtp: smtplib.SMTP, message: OutgoingEmail) -> dict:
        """MAIL, RCPT, DATA: the steps of ``sendmail``, knowing when the body has been handed over."""
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(message.sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, message.sender)
        refused = {}
        for recipient in message.recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if len(refused) == len(message.recipients):
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = smtp.docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        body = smtplib._quote_periods(message.data)  # CRLF already: build_email writes it
        body += (b"" if body.endswith(smtplib.bCRLF) else smtplib.bCRLF) + b"." + smtplib.bCRLF
        try:
            smtp.send(body)
            code, reply = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise _Unknown(type(exc).__name__) from None
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        return refused

    def deliver(self, message: OutgoingEmail) -> SendResult:
        """Send a built message on the kept-open connection (a stale one is opened again once), within
        ``smtp_timeout`` seconds in all. Never raises.

        A timeout or a lost connection after the body was handed over is *unknown* (the server may
        have accepted it); everything before that is a failure that may be tried again."""
        deadline = time.monotonic() + self.smtp_timeout
        where = f"{self.host}:{self.port or ''}".rstrip(":")
        for reuse in (self._smtp is not None, False):
            fresh = self._smtp is None
            try:
                if self._smtp is None:
                    self._smtp = self._connect(deadline)
                self._smtp.deadline = deadline
                refused = self._transfer(self._smtp, message)
                bad = ", ".join(refused)
                self.last_result = SendResult(True, message.message_id,
                                              f"Máy chủ thư từ chối: {bad}" if refused else None)
                return self.last_result
            except _Unknown:
                self._drop()
                self.last_result = SendResult(False, message.message_id, unknown=True,
                                              error=f"Máy chủ thư {where} không trả lời sau khi nhận nội dung "
                                                    f"(trong {self.smtp_timeout:g} giây): có thể đã nhận thư")
            except smtplib.SMTPServerDisconnected:
                self._drop()
                if reuse and not fresh:
                    continue  # a kept-open connection the server had closed: once more on a new one
                self.last_result = SendResult(False, error=f"Máy chủ thư {where} ngắt kết nối", transient=True,
                                              channel_down=fresh)
            except smtplib.SMTPRecipientsRefused as exc:
                self.close()
                bad = ", ".join(exc.recipients)
                self.last_result = SendResult(False, error=f"Máy chủ thư từ chối người nhận: {bad}", fallback=True)
            except smtplib.SMTPNotSupportedError:
                self._drop()
                self.last_result = SendResult(False, error=f"Máy chủ thư {where} không hỗ trợ đăng nhập (no AUTH)",
                                              fallback=True)
            except smtplib.SMTPAuthenticationError as exc:
                self.close()
                self.last_result = SendResult(False, code=exc.smtp_code,
                                              error=f"Máy chủ thư {where} từ chối đăng nhập ({exc.smtp_code})",
                                              fallback=True)
            except smtplib.SMTPResponseException as exc:
                self.close()
                self.last_result = SendResult(False, code=exc.smtp_code,
                                              error=f"Máy chủ thư {where} trả lời {exc.smtp_code}",
                                              transient=400 <= exc.smtp_code < 500, fallback=exc.smtp_code >= 500)
            except ConnectionRefusedError:
                self._drop()
                self.last_result = SendResult(False, error=f"Máy chủ thư {where} từ chối kết nối (connection refused)",
                                              transient=True, channel_down=True)
            except (TimeoutError, socket.timeout):
                self._drop()
                self.last_result = SendResult(False, error=f"Máy chủ thư {where} không trả lời trong "
                                                           f"{self.smtp_timeout:g} giây (timeout)",
                                              transient=True, channel_down=True)
            except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
                self._drop()
                self.last_result = SendResult(
                    False, error=f"Không kết nối được máy chủ thư {where} ({type(exc).__name__})",
                    transient=True, channel_down=True,
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


__all__ = ["Address", "Attachment", "NotifySMTP", "OutgoingEmail", "build_email", "encode_words", "stable_message_id"]
