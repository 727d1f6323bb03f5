from django.core.management.base import BaseCommand

from tickets import mail


class Command(BaseCommand):
    help = (
        "Send ticket emails waiting in the outbox (mail server down or refusing, or "
        "TICKET_MAIL=outbox). Once, as the one-minute timer runs it; or with --watch, "
        "as the sender the service starts beside Gunicorn."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--watch",
            action="store_true",
            help="Keep running, sending what arrives within --interval seconds.",
        )
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(self, *args, **options):
        if options["watch"]:
            self.stdout.write(f"Sending queued ticket emails every {options['interval']} s")
            mail.watch(options["interval"])
            return
        sent, failed = mail.send_pending()
        self.stdout.write(f"{sent} sent, {failed} still failing")
