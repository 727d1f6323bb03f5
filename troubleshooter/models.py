from django.db import models
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from troubleshooter import chartdiff


class ImmutableChartVersion(Exception):
    pass


class ChartVersionQuerySet(models.QuerySet):
    def numbers_for(self, content_hash):
        """(the newest number stored with this content, the newest number of all), in
        one query; None for either when there is none."""
        found = self.aggregate(
            mine=Max("number", filter=Q(content_hash=content_hash)), latest=Max("number")
        )
        return found["mine"], found["latest"]

    def record(self, chart):
        """Store `chart` (a flowchart.Flowchart) as the next version when what it says
        differs from the newest stored version; return the new version, or None."""
        latest = self.order_by("-number").first()
        if latest is not None and latest.content_hash == chart.content_hash:
            return None
        from troubleshooter import flowchart

        snapshot = chart.snapshot()
        summary = chartdiff.compare(latest.chart, snapshot).summary if latest else "First version."
        version = self.create(
            number=(latest.number + 1) if latest else 1,
            content_hash=chart.content_hash,
            chart=snapshot,
            question_count=len(snapshot["questions"]),
            outcome_count=len(snapshot["outcomes"]),
            summary=summary,
            change_note=chart.change_note,
        )
        flowchart.forget_versions()  # this process's charts may be this version now
        return version


class ChartVersion(models.Model):
    """One immutable version of the flowchart with its outcomes, written by `load_content`
    when they changed: every question, its answers and where each leads, and each
    outcome's text."""

    number = models.PositiveIntegerField(unique=True)
    content_hash = models.CharField(max_length=64)
    chart = models.JSONField(help_text="The questions, answers and outcomes, as loaded.")
    question_count = models.PositiveIntegerField()
    outcome_count = models.PositiveIntegerField()
    summary = models.TextField(help_text="What changed since the version before.")
    change_note = models.TextField(blank=True, help_text="The author's note (change_note).")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChartVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"

    def __str__(self):
        return f"Flowchart version {self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableChartVersion("Chart versions are immutable; load a new one instead.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("troubleshooter:version", args=[self.number])

    def changes_since(self, older):
        return chartdiff.compare(older.chart, self.chart)

    def questions(self):
        """Each question with its answers, and where each answer leads (`target`)."""
        return [
            {
                **question,
                "answers": [
                    {**answer, "target": chartdiff.target(self.chart, answer)}
                    for answer in question["answers"]
                ],
            }
            for question in self.chart["questions"]
        ]

    def outcomes(self):
        return [{"slug": slug, **outcome} for slug, outcome in self.chart["outcomes"].items()]


class OutcomeFeedback(models.Model):
    """A customer's answer to "did this fix it?" on an outcome page, with the path taken."""

    cause = models.SlugField()
    fixed = models.BooleanField()
    path = models.TextField(blank=True, help_text="The flowchart answers that led here.")
    chart_version = models.ForeignKey(
        ChartVersion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
        help_text="The version of the flowchart the customer walked.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outcome feedback"
        verbose_name_plural = "outcome feedback"

    def __str__(self):
        return f"{self.cause}: {'fixed' if self.fixed else 'not fixed'}"
