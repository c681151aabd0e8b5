"""``zwgk monitor --broker``: the visit schedule of ``zwgk.monitor`` as Celery's own ``celery beat``
schedule (one entry per site, at the site's moments), feeding the ``zwgk.visit`` task to the ``zwgk
worker`` processes. Apart from zwgk.monitor so that the foreground monitor needs no Celery (the
``batch`` extra)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from celery.schedules import schedstate, schedule

from zwgk.monitor import Options, Target, offset_of, slot_of


class OffsetSchedule(schedule):
    """Every ``run_every`` at the site's own offset (the grid above), for ``celery beat``: due when
    the moment now falls in is later than the one of the last run."""

    def __init__(self, run_every=None, offset: float = 0.0, relative=False, nowfun=None, app=None):
        super().__init__(run_every, relative, nowfun, app)
        self.offset = offset

    def _slot(self, moment: datetime) -> int:
        return slot_of(moment.timestamp(), self.seconds, self.offset)

    def is_due(self, last_run_at: datetime) -> schedstate:
        now = self.now()
        slot = self._slot(now)
        following = (slot + 1) * self.seconds + self.offset - now.timestamp()
        return schedstate(slot > self._slot(self.maybe_make_aware(last_run_at)), max(following, 0.01))

    def remaining_estimate(self, last_run_at: datetime) -> timedelta:
        return timedelta(seconds=self.is_due(last_run_at).next)

    def __reduce__(self):
        return self.__class__, (self.run_every, self.offset, self.relative, self.nowfun)

    def __eq__(self, other):
        return isinstance(other, OffsetSchedule) and (self.run_every, self.offset) == (other.run_every, other.offset)

    def __repr__(self) -> str:
        return f"<every {self.seconds:g} s at +{self.offset:.1f} s>"


def beat_schedule(db: str, targets: list[Target], options: Options) -> dict:
    """One beat entry per site: the ``zwgk.visit`` task at the site's moments, dropped if no worker
    took it before the next moment (a late visit would measure another moment)."""
    return {
        f"visit {t.site}": {
            "task": "zwgk.visit", "schedule": OffsetSchedule(timedelta(seconds=options.interval), offset_of(t.site, options.interval)),
            "args": (db, asdict(t), options.to_dict()), "options": {"expires": options.interval},
        }
        for t in targets
    }


def run_beat(broker: str, db: str, targets: list[Target], options: Options, schedule_file: str,
             loglevel: str = "INFO") -> None:
    """``celery beat`` with the sites' schedule, in the foreground (until Ctrl-C / SIGTERM)."""
    from zwgk.tasks import configure

    app = configure(broker)
    app.conf.beat_schedule = beat_schedule(db, targets, options)
    app.conf.beat_max_loop_interval = max(1, min(300, int(options.interval)))
    app.start(["beat", "--schedule", schedule_file, "--loglevel", loglevel])
