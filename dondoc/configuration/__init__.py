"""The configuration: one typed model per YAML file, read once and validated on load.

========================  ===========================================================
file                      model
========================  ===========================================================
``offices.yaml``          :class:`~dondoc.configuration.tables.OfficesConfig`
``holidays.yaml``         :class:`~dondoc.configuration.tables.HolidaysConfig`
``deadlines.yaml``        :class:`~dondoc.configuration.tables.DeadlinesConfig`
``escalation.yaml``       :class:`~dondoc.configuration.policy.Policy`
``reporting.yaml``        :class:`~dondoc.configuration.reporting.ReportingConfig`
``notifications.yaml``    :class:`~dondoc.configuration.tables.NotificationsConfig`
``people.yaml``           :class:`~dondoc.configuration.people.PeopleConfig` (user folder only)
========================  ===========================================================

Built-in files live in the ``config`` package; a file of the same name in the
user's folder (``DONDOC_CONFIG_DIR``, or ``<DONDOC_HOME>/config``) extends it.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from dondoc.configuration.files import ConfigError, load_model
from dondoc.configuration.people import PeopleConfig, Person
from dondoc.configuration.policy import Level, Policy, QuietHours
from dondoc.configuration.reporting import ReportingConfig
from dondoc.configuration.tables import DeadlinesConfig, HolidaysConfig, NotificationsConfig, OfficesConfig


class AppConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    offices: OfficesConfig
    holidays: HolidaysConfig
    deadlines: DeadlinesConfig
    policy: Policy
    reporting: ReportingConfig
    notifications: NotificationsConfig
    people: PeopleConfig


def load_config(user_dir: Path | None) -> AppConfig:
    """Every configuration file, built-in extended by ``user_dir``; raises :class:`ConfigError`."""
    notifications = load_model(NotificationsConfig, "notifications.yaml", user_dir)
    people = load_model(PeopleConfig, "people.yaml", user_dir, builtin=False)
    if "default_channels" not in people.model_fields_set:
        people = people.model_copy(update={"default_channels": list(notifications.default_channels)})
    return AppConfig(
        offices=load_model(OfficesConfig, "offices.yaml", user_dir),
        holidays=load_model(HolidaysConfig, "holidays.yaml", user_dir),
        deadlines=load_model(DeadlinesConfig, "deadlines.yaml", user_dir),
        policy=load_model(Policy, "escalation.yaml", user_dir),
        reporting=load_model(ReportingConfig, "reporting.yaml", user_dir),
        notifications=notifications,
        people=people,
    )


__all__ = [
    "AppConfig", "ConfigError", "DeadlinesConfig", "HolidaysConfig", "Level", "NotificationsConfig", "OfficesConfig",
    "PeopleConfig", "Person", "Policy", "QuietHours", "ReportingConfig", "load_config",
]
