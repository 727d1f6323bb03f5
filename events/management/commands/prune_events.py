from django.conf import settings
from django.core.management.base import BaseCommand

from events.models import Event, EventDay, UnreadTemplate


class Command(BaseCommand):
    help = (
        "Count the days of usage events that are over for the staff dashboard, then delete "
        "events, counts and unread log templates older than EVENT_RETENTION_DAYS. Run daily "
        "by deploy/systemd/gateway-help-prune.timer."
    )

    def handle(self, *args, **options):
        days = settings.EVENT_RETENTION_DAYS
        counted = EventDay.objects.refresh()
        events, _ = Event.objects.older_than_retention().delete()
        EventDay.objects.older_than_retention().delete()
        templates, _ = UnreadTemplate.objects.older_than_retention().delete()
        self.stdout.write(
            f"Counted the past days of events in {counted} row{'s' if counted != 1 else ''}."
        )
        self.stdout.write(
            f"Deleted {events} event{'s' if events != 1 else ''} and {templates} unread "
            f"template{'s' if templates != 1 else ''} older than {days} days."
        )
