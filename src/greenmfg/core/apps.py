from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "greenmfg.core"
    label = "core"

    def ready(self) -> None:
        # imported once the apps are loaded: settings and the checks module need the app registry
        from django.conf import settings  # noqa: PLC0415
        from PIL import Image  # noqa: PLC0415

        from . import checks  # noqa: F401, PLC0415  (registers the production checks)

        # Pillow refuses to open images beyond this many pixels (greenmfg.core.images checks the header)
        Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
