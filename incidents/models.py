from django.db import models
from django.urls import reverse
from django.utils import timezone

from lib import markdown


class IncidentQuerySet(models.QuerySet):
    def unresolved_at(self, moment):
        """Not resolved by `moment`: open then, or due to start later."""
        return self.filter(models.Q(resolved__isnull=True) | models.Q(resolved__gt=moment))

    def open_at(self, moment):
        return self.unresolved_at(moment).filter(started__lte=moment)

    def public(self, moment):
        """What the public pages show: incidents that have started, open ones first."""
        open_first = models.Case(
            models.When(models.Q(resolved__isnull=True) | models.Q(resolved__gt=moment), then=0),
            default=1,
        )
        return self.filter(started__lte=moment).order_by(open_first, "-started")


class Incident(models.Model):
    """A problem on the platform that staff know about: while it is open, every page
    names it above everything else."""

    title = models.CharField(max_length=120, help_text="What is wrong, in a few words.")
    affected = models.CharField(
        "what is affected",
        max_length=120,
        help_text="Which customers or services, e.g. “VPSs in Frankfurt (fra-2)”.",
    )
    started = models.DateTimeField(default=timezone.now)
    resolved = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Empty while it lasts. A time in the future hides the notice from then on.",
    )
    description = models.TextField(
        blank=True,
        help_text="Shown on the incident's public page. Markdown; any HTML is removed.",
    )
    description_html = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started"]
        indexes = [models.Index(fields=["resolved", "started"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Rendered once, when staff save it, never per request.
        self.description_html = markdown.render(self.description).html if self.description else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "description" in update_fields:
            kwargs["update_fields"] = {*update_fields, "description_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.pk])

    def is_open_at(self, moment):
        return self.started <= moment and (self.resolved is None or self.resolved > moment)

    @property
    def is_open(self):
        return self.is_open_at(timezone.now())

    def since(self, now=None, dated=False):
        """When it started, in the site's time zone: the time alone on the day it
        started, with the date on any later day (or always, `dated`)."""
        started = timezone.localtime(self.started)
        today = timezone.localdate(now)
        if started.date() == today and not dated:
            return f"{started:%H:%M}"
        if started.year == today.year:
            return f"{started.day} {started:%b}, {started:%H:%M}"
        return f"{started.day} {started:%b %Y}, {started:%H:%M}"

    def banner_text(self, now=None, dated=False):
        return f"Known problem: {self.title} — {self.affected}, since {self.since(now, dated)}"
