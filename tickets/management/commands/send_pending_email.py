from django.core.management.base import BaseCommand

from tickets import mail


class Command(BaseCommand):
    help = (
        "Send ticket emails that could not be sent when the ticket was opened (mail server "
        "down or refusing). Run it from cron, e.g. every five minutes."
    )

    def handle(self, *args, **options):
        sent, failed = mail.send_pending()
        self.stdout.write(f"{sent} sent, {failed} still failing")
