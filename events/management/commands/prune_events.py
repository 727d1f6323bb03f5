from django.conf import settings
from django.core.management.base import BaseCommand

from events.models import Event, UnreadTemplate


class Command(BaseCommand):
    help = (
        "Delete usage events older than EVENT_RETENTION_DAYS, and the unread log templates "
        "not seen for as long. Run daily by deploy/systemd/gateway-help-prune.timer."
    )

    def handle(self, *args, **options):
        days = settings.EVENT_RETENTION_DAYS
        events, _ = Event.objects.older_than_retention().delete()
        templates, _ = UnreadTemplate.objects.older_than_retention().delete()
        self.stdout.write(
            f"Deleted {events} event{'s' if events != 1 else ''} and {templates} unread "
            f"template{'s' if templates != 1 else ''} older than {days} days."
        )
