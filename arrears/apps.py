from django.apps import AppConfig


class ArrearsConfig(AppConfig):
    name = "arrears"
    verbose_name = "Arrears"

    def ready(self):
        from rentaccounts.signals import invoice_raised, ledger_changed, payments_imported

        from .receivers import invoice_letter_to_diary, re_review_after_import, re_review_after_posting

        payments_imported.connect(re_review_after_import, dispatch_uid="arrears-re-review-after-import")
        ledger_changed.connect(re_review_after_posting, dispatch_uid="arrears-re-review-after-posting")
        invoice_raised.connect(invoice_letter_to_diary, dispatch_uid="arrears-invoice-letter-to-diary")

        from documents.preview import provider_register

        from .selectors import case_letter_preview

        provider_register(case_letter_preview)

        from tenancies.selectors import weeks_basis_provider_register

        from .selectors import tenancy_weeks_basis

        weeks_basis_provider_register(tenancy_weeks_basis)
