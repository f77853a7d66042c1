from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "accord.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # In ready(): the models are loaded; registers the object checks of `accord verify-case`
        # and the cases' personal data for erasure.
        from accord.audit.erasure import register_personal_data
        from accord.cases import verification  # noqa: F401
        from accord.cases.services.erasure import CASES_PERSONAL_DATA
        from accord.cases.services.transfers import register_hooks

        register_personal_data(CASES_PERSONAL_DATA)
        # A pending transfer blocks assignment and is cancelled when the case ends.
        register_hooks()
