from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Tools for developers and demonstrations, not for a landlord's service: the demo users (`create_demo_users`) and
    demo data (`seed_demo`, both run by `make run`), the benchmark dataset (`generate_dataset`, run by `make bench`),
    the benchmarks and load test, and the import contract `lint-imports` runs. The data is made through the front
    door: the services of the screens, or the onboarding import.

    The top layer: it may import every app, and no app imports it. Production settings leave it out of
    INSTALLED_APPS (nothing else needs it); the base settings install it so `make run` and `make bench` work."""

    name = "devtools"
    verbose_name = "Developer tools (demo data, benchmark dataset)"
