from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Tools for developers and demonstrations, not for a landlord's service: the demo data (`seed_demo`, run by
    `make run`) and the benchmark dataset (`generate_dataset`, run by `make bench`). Both make their homes, people,
    tenancies and charges through the front door: the services of the screens, or the onboarding import.

    The top layer: it may import every app, and no app imports it. Production may leave it out of INSTALLED_APPS
    (nothing else needs it); it is installed by default so `make run` and `make bench` work out of the box."""

    name = "devtools"
    verbose_name = "Developer tools (demo data, benchmark dataset)"
