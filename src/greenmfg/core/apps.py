from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "greenmfg.core"
    label = "core"

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        from . import checks  # noqa: F401  (registers the production checks)

        # Pillow refuses to open images beyond this many pixels (greenmfg.core.images checks the header)
        Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
