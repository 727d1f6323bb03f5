from django.db import models


class Counter(models.Model):
    """A rate-limit counter every worker shares, for deployments without Redis (see
    lib/ratelimit.py, which reads and writes it with one atomic statement)."""

    key = models.CharField(max_length=250, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.FloatField(db_index=True)  # seconds since the epoch

    class Meta:
        db_table = "lib_counter"

    def __str__(self):
        return f"{self.key}: {self.count}"
