from django.urls import path

from . import views, views_policies, views_reviews
from .views import agreements as agreement_views
from .views import campaigns as campaign_views
from .views import messages as message_views
from .views import recovery as recovery_views

app_name = "arrears"

urlpatterns = [
    path("", views.index, name="index"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("cases/<int:pk>/agreements/", agreement_views.agreement_add, name="agreement_add"),
    path(
        "cases/<int:pk>/agreements/<int:agreement_pk>/change/",
        agreement_views.agreement_change,
        name="agreement_change",
    ),
    path(
        "cases/<int:pk>/agreements/<int:agreement_pk>/cancel/",
        agreement_views.agreement_cancel,
        name="agreement_cancel",
    ),
    path("cases/<int:pk>/pauses/", views.pause_add, name="pause_add"),
    path("cases/<int:pk>/breathing-space/", views.breathing_space_add, name="breathing_space_add"),
    path("cases/<int:pk>/breathing-space/end/", views.breathing_space_end, name="breathing_space_end"),
    path(
        "cases/<int:pk>/breathing-space/treatment-end/",
        views.breathing_space_treatment_end,
        name="breathing_space_treatment_end",
    ),
    path(
        "cases/<int:pk>/breathing-space/review-request/",
        views.breathing_space_review_request,
        name="breathing_space_review_request",
    ),
    path(
        "cases/<int:pk>/breathing-space/review-outcome/",
        views.breathing_space_review_outcome,
        name="breathing_space_review_outcome",
    ),
    path("cases/<int:pk>/breathing-space/agents/", views.breathing_space_agent_told, name="breathing_space_agent_told"),
    path("cases/<int:pk>/referrals/", views.referral_add, name="referral_add"),
    path("cases/<int:pk>/vulnerability-reviews/", views.vulnerability_review_add, name="vulnerability_review_add"),
    path("cases/<int:pk>/benefit-claims/", views.benefit_claim_save, name="benefit_claim_save"),
    path("cases/<int:pk>/direct-payments/", views.direct_payment_request_add, name="direct_payment_request_add"),
    path("cases/<int:pk>/letters/", views.letter_send_view, name="letter_send"),
    path("cases/<int:pk>/replies/read/", views.case_page.replies_read, name="replies_read"),
    path("cases/<int:pk>/messages/", message_views.message_send, name="message_send"),
    path("cases/<int:pk>/trace/", recovery_views.trace_add, name="trace_add"),
    path("cases/<int:pk>/debt-agency/", recovery_views.agency_refer, name="agency_refer"),
    path("cases/<int:pk>/money-claim/", recovery_views.money_claim_make, name="money_claim_make"),
    path("debt-agency/", recovery_views.agency_referrals, name="agency_referrals"),
    path("debt-agency/export/", recovery_views.agency_export, name="agency_export"),
    path("debt-agency/exports/<int:pk>/", recovery_views.agency_export_download, name="agency_export_download"),
    path("debt-agency/returns/", recovery_views.agency_return, name="agency_return"),
    path("debt-agency/returns/<int:pk>/", recovery_views.agency_return_detail, name="agency_return_detail"),
    path("reassign/", views.reassign, name="reassign"),
    path("campaigns/", campaign_views.campaigns, name="campaigns"),
    path("campaigns/new/", campaign_views.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaign_views.campaign, name="campaign"),
    path("tenancies/<str:payment_reference>/case/", views.worklist.tenancy_case, name="tenancy_case"),
    path("reviews/", views_reviews.reviews, name="reviews"),
    path("reviews/<int:pk>/", views_reviews.review_detail, name="review_detail"),
    path("reviews/<int:pk>/progress/", views_reviews.review_progress, name="review_progress"),
    path("reviews/progress/", views_reviews.review_runs_fragment, name="review_runs_progress"),
    path("reviews/preview/", views_reviews.review_preview_start, name="review_preview"),
    path("reviews/start/", views_reviews.review_start_view, name="review_start"),
    path("policies/upload/", views_reviews.policy_upload, name="policy_upload"),
    path("policies/versions/<int:pk>/publish/", views_reviews.policy_publish, name="policy_publish"),
    path("policies/versions/<int:pk>/download/", views_reviews.policy_download, name="policy_download"),
    path("policies/", views_policies.policies, name="policies"),
    path("policies/versions/<int:pk>/", views_policies.policy_version, name="policy_version"),
    path("policies/versions/<int:pk>/steps/<slug:key>/", views_policies.policy_step_edit, name="policy_step_edit"),
    path("policies/versions/<int:pk>/preview/", views_policies.policy_version_preview, name="policy_version_preview"),
    path(
        "policies/versions/<int:pk>/go-live/", views_policies.policy_version_publish_view, name="policy_version_publish"
    ),
]
