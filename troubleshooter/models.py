from django.db import models
from django.utils import timezone


class OutcomeFeedback(models.Model):
    """A customer's answer to "did this fix it?" on an outcome page, with the path taken."""

    cause = models.SlugField()
    fixed = models.BooleanField()
    path = models.TextField(blank=True, help_text="The flowchart answers that led here.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "outcome feedback"
        verbose_name_plural = "outcome feedback"

    def __str__(self):
        return f"{self.cause}: {'fixed' if self.fixed else 'not fixed'}"
