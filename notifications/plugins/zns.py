"""``zns://``: a Zalo Notification Service template message to a phone number, as a custom Apprise service.

URL: ``zns://{app_id}/{secret_key}/{phone}[/{phone}...]?template={template_id}``.
The body is the template data as a JSON object (the dispatcher fills it from
``config/notifications.yaml``); a plain-text body is sent as ``{"content": body}``.
``-118`` (no Zalo account for the phone) fails with ``last_result.fallback`` set,
so the dispatcher goes on to email.
"""

from __future__ import annotations

import json
import uuid

from apprise.common import NotifyType
from apprise.plugins.base import NotifyBase
from apprise.url import PrivacyMode
from apprise.utils.parse import parse_list, validate_regex

from dondoc.configuration.people import normalize_phone
from notifications.plugins.common import ZaloEndpoints, ZaloPost

ZNS_PATH = "/message/template"


class NotifyZNS(ZaloPost, NotifyBase):
    service_name = "Zalo ZNS"
    service_url = "https://zalo.cloud/zns"
    protocol = "zns"
    setup_url = "https://developers.zalo.me/docs/zalo-notification-service"
    request_rate_per_sec = 0
    body_maxlen = 10000
    title_maxlen = 0

    templates = ("{schema}://{app_id}/{secret_key}/{targets}",)
    template_tokens = dict(
        NotifyBase.template_tokens,
        **{
            "app_id": {"name": "App ID", "type": "string", "required": True, "regex": (r"^[0-9A-Za-z_-]+$", "i")},
            "secret_key": {"name": "Secret Key", "type": "string", "private": True, "required": True},
            "target_phone": {"name": "Phone (84xxxxxxxxx)", "type": "string", "map_to": "targets",
                             "regex": (r"^84[0-9]{8,10}$", "i")},
            "targets": {"name": "Targets", "type": "list:string", "required": True},
        },
    )
    template_args = dict(
        NotifyBase.template_args,
        **{"template": {"name": "Template ID", "type": "string", "required": True}},
    )

    def __init__(self, app_id, secret_key, targets=None, template=None, endpoints: ZaloEndpoints | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.zalo_app_id = validate_regex(app_id, *self.template_tokens["app_id"]["regex"])
        self.secret_key = validate_regex(secret_key)
        self.template_id = validate_regex(template, r"^[0-9A-Za-z_-]+$")
        if not (self.zalo_app_id and self.secret_key and self.template_id):
            msg = "A Zalo ZNS URL needs an app id, a secret key and ?template=ID."
            self.logger.warning(msg)
            raise TypeError(msg)
        self.targets = [normalize_phone(t) for t in parse_list(targets)]
        self.targets = [t for t in self.targets if t.startswith("84") and 10 <= len(t) <= 12]
        if not self.targets:
            msg = "No valid phone number was specified for Zalo ZNS."
            self.logger.warning(msg)
            raise TypeError(msg)
        self.use_endpoints(endpoints)

    def send(self, body, title="", notify_type=NotifyType.INFO, tracking_id=None, **kwargs):
        """One template message per phone; returns True when all were accepted. Never raises."""
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            data = {"content": body}
        ok = True
        for phone in self.targets:
            self.throttle()
            payload = {"phone": phone, "template_id": self.template_id, "template_data": data,
                       "tracking_id": tracking_id or uuid.uuid4().hex}
            if not self.post_zalo(f"{self.zns_base_url}{ZNS_PATH}", payload, "Zalo ZNS message"):
                ok = False
        return ok

    @property
    def url_identifier(self):
        return (self.protocol, self.zalo_app_id, self.secret_key, self.template_id)

    def url(self, privacy=False, *args, **kwargs):
        params = {"template": self.template_id}
        params.update(self.url_parameters(privacy=privacy, *args, **kwargs))
        return "{schema}://{app_id}/{secret}/{targets}/?{params}".format(
            schema=self.protocol,
            app_id=self.zalo_app_id,
            secret=self.pprint(self.secret_key, privacy, mode=PrivacyMode.Secret, safe=""),
            targets="/".join(self.quote(t, safe="") for t in self.targets),
            params=self.urlencode(params),
        )

    def __len__(self):
        return len(self.targets)

    @staticmethod
    def parse_url(url):
        results = NotifyBase.parse_url(url, verify_host=False)
        if not results:
            return results
        entries = NotifyBase.split_path(results["fullpath"])
        results["app_id"] = NotifyBase.unquote(results["host"])
        results["secret_key"] = entries.pop(0) if entries else None
        results["targets"] = entries
        if results["qsd"].get("template"):
            results["template"] = NotifyBase.unquote(results["qsd"]["template"])
        return results
