"""Every notice in its prescribed form (legal-spec R-SEC-02, R-AST-04, R-AST-05, R-INT-02, R-LIC-01, R-LIC-02): a served
notice's PDF reproduces, in order, every section of the version of its form in force on the date of service (the
prescribed notes word for word), with the particulars filled in; Form 3 and Form 3A change over on 1 May 2026 for
landlords that are not social; the licence notice to quit shows the day it takes effect and the prescribed
information; the excluded licence letter never says a court order is needed."""

import io
import re
from datetime import date

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courts.constants import NoticeType, Sector
from courts.models import PrescribedForm
from courts.prescribed import (
    NTQ_PRESCRIBED_1,
    NTQ_PRESCRIBED_2,
    prescribed_form_for,
    prescribed_forms_install,
    section_fragments,
)
from courts.services import notice_serve
from documents.models import Document
from incomeapp.constants import Jurisdiction, Role
from tenancies.constants import LandlordType, TenureType
from tests.factories import (
    PersonFactory,
    PropertyFactory,
    ProviderFactory,
    SchemeFactory,
    TenancyFactory,
    rent_debited_weekly,
    user_with_role,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("law")]

RRA_PHASE_1 = date(2026, 5, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _owing(tenure, *, landlord=LandlordType.LOCAL_AUTHORITY, served_on=None, weeks=6, reference="RW960001"):
    """A weekly tenancy (from Monday 1 April 2024) owing `weeks` weeks' rent of £100 on the date of service."""
    served_on = served_on or timezone.localdate()
    provider = ProviderFactory(
        name="Northgate Homes", landlord_type=landlord, jurisdiction=Jurisdiction.ENGLAND,
        address="1 Civic Way\nNorthgate\nNG1 1AA", phone="0300 123 4567",
    )  # fmt: skip
    tenancy = TenancyFactory(
        payment_reference=reference,
        tenure_type=tenure,
        lead_tenant=PersonFactory(first_name="Ada", last_name="Lead"),
        property=PropertyFactory(scheme=SchemeFactory(provider=provider)),
    )
    rent_debited_weekly(tenancy, weeks_ago=range(weeks), back_from=served_on)
    return tenancy


def _serve(tenancy, code, served_on=None):
    return notice_serve(
        tenancy=tenancy,
        notice_code=code,
        served_on=served_on or timezone.localdate(),
        method="hand",
        signatory="Priya Shah, Income Manager",
        proof_of_service="Handed to Ada Lead at the door at 10:15 by Olivia Okafor.",
        served_by=user_with_role(Role.INCOME_OFFICER),
    )


def _pdf_text(notice) -> str:
    document = Document.objects.filter(subject_key__startswith=f"notice:{notice.pk}:").order_by("id").first()
    reader = pypdf.PdfReader(io.BytesIO(document.pdf.read()))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = re.sub(r"Page \d+ of \d+|Your payment reference: \w+", " ", text)  # page furniture at a page break
    return " ".join(text.split())


def _assert_form_in_order(text: str, form: PrescribedForm) -> int:
    """Every heading and every fixed word of every section, in the form's order; returns how many prescribed
    fragments were checked."""
    position, prescribed = 0, 0
    for section in form.sections:
        expected = ([" ".join(section["heading"].split())] if section["heading"] else []) + section_fragments(
            section["text"]
        )
        for fragment in expected:
            found = text.find(fragment, position)
            assert found >= 0, f"{form.code} section {section['key']!r}: {fragment!r} missing or out of order"
            position = found + len(fragment)
            prescribed += section["prescribed"]
    return prescribed


def test_r_sec_02_a_secure_nosp_is_in_the_prescribed_form_with_its_notes_word_for_word():
    notice = _serve(_owing(TenureType.SECURE), "secure-nosp")
    assert notice.prescribed_form.code == "secure-nosp"
    text = _pdf_text(notice)
    assert _assert_form_in_order(text, notice.prescribed_form) >= 10
    for expected in (
        "This Notice is the first step towards requiring you to give up possession of your dwelling.",
        "1. To Ada Lead",
        "2. The Northgate Homes intends to apply to the Court for an order requiring you to give up possession of:",
        "3. Possession will be sought on Ground(s) 1 of Schedule 2 to the Housing Act 1985",
        "Rent lawfully due from the tenant has not been paid or an obligation of the tenancy has been broken",
        "4. Particulars of each Ground are as follows:",
        "£600.00",
        f"5. Court proceedings will not begin until after {notice.earliest_proceedings_on:%A %-d %B %Y}.",
        "On behalf of: Northgate Homes Address: 1 Civic Way, Northgate, NG1 1AA Telephone: 0300 123 4567",
    ):
        assert expected in text, expected


def test_r_ast_04_a_social_landlords_section_8_notice_uses_form_3_which_has_no_end_date():
    notice = _serve(_owing(TenureType.ASSURED, landlord=LandlordType.PRIVATE_REGISTERED_PROVIDER), "assured-s8")
    form = notice.prescribed_form
    assert (form.code, form.effective_to) == ("form-3-social", None)
    text = _pdf_text(notice)
    _assert_form_in_order(text, form)
    assert "Notice Seeking Possession of a Property Let on an Assured Tenancy or an Assured Agricultural" in text
    assert "Ground(s) 8 and 10 and 11 in Schedule 2 to the Housing Act 1988" in text


def test_r_ast_04_another_landlords_notice_uses_form_3_on_30_april_2026_and_form_3a_on_1_may_2026():
    before = _serve(_owing(TenureType.ASSURED, landlord=LandlordType.OTHER, served_on=date(2026, 4, 30)),
                    "assured-s8", served_on=date(2026, 4, 30))  # fmt: skip
    after = _serve(
        _owing(TenureType.ASSURED, landlord=LandlordType.OTHER, served_on=RRA_PHASE_1, reference="RW960002"),
        "assured-s8",
        served_on=RRA_PHASE_1,
    )
    assert (before.prescribed_form.code, before.prescribed_form.effective_to) == ("form-3", date(2026, 4, 30))
    assert (after.prescribed_form.code, after.prescribed_form.effective_from) == ("form-3a", RRA_PHASE_1)
    before_text, after_text = _pdf_text(before), _pdf_text(after)
    _assert_form_in_order(before_text, before.prescribed_form)
    _assert_form_in_order(after_text, after.prescribed_form)
    assert "Form 3A" in after_text and "Form 3A" not in before_text
    assert "Renters' Rights Act 2025" in after_text


def test_r_ast_05_a_section_21_notice_is_on_form_6a_with_its_notes_word_for_word():
    notice = _serve(_owing(TenureType.AST, landlord=LandlordType.PRIVATE_REGISTERED_PROVIDER), "s21")
    assert notice.prescribed_form.code == "form-6a-social"
    text = _pdf_text(notice)
    assert _assert_form_in_order(text, notice.prescribed_form) >= 5
    assert f"You are required to leave the below address after {notice.earliest_proceedings_on:%A %-d %B %Y}." in text
    assert "What to do if this notice is served on you" in text


def test_r_int_02_an_introductory_notice_gives_every_required_item_and_the_review_date():
    notice = _serve(_owing(TenureType.INTRO), "intro-s128")
    assert notice.prescribed_form.code == "s128"
    text = _pdf_text(notice)
    _assert_form_in_order(text, notice.prescribed_form)
    assert f"your request must reach us by {notice.review_by:%A %-d %B %Y}" in text
    assert f"will not be begun before {notice.earliest_proceedings_on:%A %-d %B %Y}" in text


def test_r_lic_01_a_licence_notice_to_quit_shows_the_day_it_takes_effect_and_the_prescribed_information():
    notice = _serve(_owing(TenureType.LICENCE, landlord=LandlordType.PRIVATE_REGISTERED_PROVIDER), "licence-ntq")
    assert notice.prescribed_form.code == "licence-ntq"
    text = _pdf_text(notice)
    _assert_form_in_order(text, notice.prescribed_form)
    takes_effect = notice.earliest_proceedings_on
    assert f"This notice takes effect on {takes_effect:%A %-d %B %Y}" in text
    assert (takes_effect - notice.served_on).days >= 28  # at least four weeks
    assert takes_effect.weekday() == notice.tenancy.start_date.weekday()  # the first day of a weekly period
    assert text.find(NTQ_PRESCRIBED_1) < text.find(NTQ_PRESCRIBED_2) and text.find(NTQ_PRESCRIBED_1) >= 0


def test_r_lic_02_an_excluded_licence_letter_gives_reasonable_notice_and_never_says_a_court_order_is_needed():
    notice = _serve(
        _owing(TenureType.EXCL_LICENCE, landlord=LandlordType.PRIVATE_REGISTERED_PROVIDER), "excluded-licence"
    )
    form = notice.prescribed_form
    assert form.code == "excluded-licence-letter" and not any(s["prescribed"] for s in form.sections)
    text = _pdf_text(notice)
    _assert_form_in_order(text, form)
    assert "court order" not in text.lower() and "order for possession" not in text.lower()
    days = (notice.earliest_proceedings_on - notice.served_on).days
    assert days >= 28 and f"which gives you {days} days' notice" in text


def test_r_ast_04_no_form_held_is_refused_in_plain_english_and_the_install_is_safe_to_repeat():
    with pytest.raises(
        ValidationError, match=r"No prescribed form is held .*can be struck out.*Admin > Prescribed forms"
    ):
        prescribed_form_for(notice_type=NoticeType.ASSURED_S8, sector=Sector.SOCIAL, on=date(2021, 9, 30))
    with pytest.raises(ValidationError, match="No prescribed form is held"):
        prescribed_form_for(notice_type=NoticeType.WALES_BREACH, sector=Sector.ANY, on=date(2026, 11, 22))
    with pytest.raises(ValidationError, match="No prescribed form is held"):
        prescribed_form_for(notice_type=NoticeType.S21, sector=Sector.NON_SOCIAL, on=RRA_PHASE_1)
    count = PrescribedForm.objects.count()
    assert prescribed_forms_install() == 0 and PrescribedForm.objects.count() == count == 9
