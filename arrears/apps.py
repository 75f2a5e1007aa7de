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

        from messaging.guards import register as messaging_guard_register

        from .messaging_guard import breathing_space_guard

        messaging_guard_register(breathing_space_guard)

        from messaging.signals import message_status_changed, reply_received

        from .receivers_messaging import diary_outcome_from_message, reply_to_diary

        message_status_changed.connect(diary_outcome_from_message, dispatch_uid="arrears-diary-outcome-from-message")
        reply_received.connect(reply_to_diary, dispatch_uid="arrears-reply-to-diary")
