"""``zalo://``: a Zalo Official Account message to a follower's ``user_id``, as a custom Apprise service.

URL: ``zalo://{app_id}/{secret_key}/{user_id}[/{user_id}...]``. The access and
refresh tokens are not in the URL: they rotate, so they live in the token store
(``<DONDOC_HOME>/secrets/zalo_tokens.json``). The API base URLs come from the
settings (``DONDOC_ZALO_OA_BASE_URL``, ``DONDOC_ZALO_OAUTH_BASE_URL``).

Outside the interaction window (``-230``/``-232``) the send fails with
``last_result.fallback`` set, so the dispatcher goes on to ZNS and then email.
"""

from __future__ import annotations

from apprise.common import NotifyType
from apprise.plugins.base import NotifyBase
from apprise.url import PrivacyMode
from apprise.utils.parse import parse_list, validate_regex

from notifications.plugins.common import ZaloEndpoints, ZaloPost

OA_MESSAGE_PATH = "/v3.0/oa/message/cs"


class NotifyZalo(ZaloPost, NotifyBase):
    service_name = "Zalo Official Account"
    service_url = "https://developers.zalo.me/docs/official-account"
    protocol = "zalo"
    setup_url = "https://developers.zalo.me/docs/official-account/tin-nhan/tin-tu-van/gui-tin-tu-van"
    request_rate_per_sec = 0
    body_maxlen = 2000  # Zalo OA text message limit
    title_maxlen = 0  # a title is folded into the body

    templates = ("{schema}://{app_id}/{secret_key}/{targets}",)
    template_tokens = dict(
        NotifyBase.template_tokens,
        **{
            "app_id": {"name": "App ID", "type": "string", "required": True, "regex": (r"^[0-9A-Za-z_-]+$", "i")},
            "secret_key": {"name": "Secret Key", "type": "string", "private": True, "required": True},
            "target_user": {"name": "Zalo user_id", "type": "string", "map_to": "targets",
                            "regex": (r"^[0-9]+$", "i")},
            "targets": {"name": "Targets", "type": "list:string", "required": True},
        },
    )

    def __init__(self, app_id, secret_key, targets=None, endpoints: ZaloEndpoints | None = None, **kwargs):
        super().__init__(**kwargs)
        self.zalo_app_id = validate_regex(app_id, *self.template_tokens["app_id"]["regex"])
        if not self.zalo_app_id:
            msg = "An invalid Zalo app id was specified."
            self.logger.warning(msg)
            raise TypeError(msg)
        self.secret_key = validate_regex(secret_key)
        if not self.secret_key:
            msg = "No Zalo secret key was specified."
            self.logger.warning(msg)
            raise TypeError(msg)
        self.targets = [t for t in parse_list(targets) if t.isdigit()]
        if not self.targets:
            msg = "No valid Zalo user_id was specified."
            self.logger.warning(msg)
            raise TypeError(msg)
        self.use_endpoints(endpoints)

    def send(self, body, title="", notify_type=NotifyType.INFO, **kwargs):
        """One OA text message per user_id; returns True when all were accepted. Never raises."""
        text = f"{title}\n{body}".strip() if title else body
        text = text[: self.body_maxlen]
        ok = True
        for user_id in self.targets:
            self.throttle()
            payload = {"recipient": {"user_id": user_id}, "message": {"text": text}}
            if not self.post_zalo(f"{self.oa_base_url}{OA_MESSAGE_PATH}", payload, "Zalo OA message"):
                ok = False
        return ok

    @property
    def url_identifier(self):
        return (self.protocol, self.zalo_app_id, self.secret_key)

    def url(self, privacy=False, *args, **kwargs):
        params = self.url_parameters(privacy=privacy, *args, **kwargs)
        return "{schema}://{app_id}/{secret}/{targets}{params}".format(
            schema=self.protocol,
            app_id=self.zalo_app_id,
            secret=self.pprint(self.secret_key, privacy, mode=PrivacyMode.Secret, safe=""),
            targets="/".join(self.quote(t, safe="") for t in self.targets),
            params=("/?" + self.urlencode(params)) if params else "",
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
        if "to" in results["qsd"] and results["qsd"]["to"]:
            results["targets"] += parse_list(results["qsd"]["to"])
        return results
