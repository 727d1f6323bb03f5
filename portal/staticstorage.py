"""The static files' storage in production: WhiteNoise's compressed manifest, with each
file's address remembered.

Every page names the same five files (style sheets, scripts, the icon), and working
each address out again from the manifest (cleaning the name, looking it up, joining
and quoting the URL) was a twentieth of an uncached article page's time. The manifest
only changes with `collectstatic`, which a deploy follows with a restart, so an address
found once holds for the life of the process.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force=True)
        address = self._addresses.get(name)
        if address is None:
            address = self._addresses[name] = super().url(name)
        return address
