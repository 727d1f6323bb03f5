"""The WSGI application, for Gunicorn (deploy/gunicorn.conf.py) and `make serve`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

# Gunicorn imports this module once in its master (preload_app) and then forks the
# workers, so what is read here is read once for all of them, in shared memory,
# rather than by each worker on its first requests.
from portal.warm import warm_up  # noqa: E402

warm_up()
