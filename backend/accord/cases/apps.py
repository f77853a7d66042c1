from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "accord.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # In ready(): the models are loaded; registers the object checks of `accord verify-case`.
        from accord.cases import verification  # noqa: F401
