from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """Data generators at the top of the import graph: the sandbox seed and the production-size dataset.

    This app may import every other app; nothing imports it.
    """

    name = "sandbox"
    verbose_name = "Sandbox and scale data"
