from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "accord.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from accord.cases import verification  # noqa: F401  (registers object checks)
