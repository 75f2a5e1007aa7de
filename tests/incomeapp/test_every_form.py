"""Every form in the URL conf, posted empty and with bad input, shows its errors the GOV.UK way (issue 22, item 6).

The test walks `get_resolver()`: each URL (Django's admin left out) is filled in from records made here, fetched as a
superuser (or signed out, for the sign-in and password pages), and every `<form method="post">` on the page is posted
twice with its own CSRF token, hidden inputs and submit button: once with every field empty, once with bad input
(letters in number and money fields, 31 2 2026 in date fields). Each answer must be:

- never a server error;
- a redirect only for a form with nothing to fill in (a button) or one listed in NOTHING_REQUIRED;
- otherwise the page again, with a GOV.UK error summary whose links lead to ids on the page, "Error:" at the start of
  the <title>, and what was typed still in the fields.

All the failures are gathered and shown together. A page another area owns that still fails is listed in
KNOWN_FAILURES (to be emptied, never added to without an issue).
"""

import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pypdf
import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import PersonFactory, TenancyFactory, UserFactory

pytestmark = [pytest.mark.long, pytest.mark.django_db]

# Forms, as "page's url name: submit button's name", whose every field may be left empty (an optional note): posted
# empty they may do their thing (a redirect, a download) rather than show errors.
NOTHING_REQUIRED = {
    "privacy:export: make_export",  # the note on a subject access export is optional
    "homes:scheme_rent_free_weeks: submit",  # a scheme may have no rent-free weeks
    "arrears:reviews: preview",  # a preview need not be compared with an earlier run
}

# Forms of other areas that still fail, as "page's url name: submit button's name" (the lead empties this list as
# they are fixed; nothing is added to it without an issue).
KNOWN_FAILURES: set[str] = set()

# Pages that only exist after something has happened, with no form of their own: their GET may answer 404 here.
AFTER_THE_FACT = {
    "lifecycle:moved": "the confirmation of a transfer or exchange",
    "lifecycle:sign_up_done": "the confirmation of a sign-up",
}

# Pages a signed-in user is sent away from; they are walked signed out.
SIGNED_OUT = {"login", "password_reset", "password_reset_confirm"}

BAD_DATE = {"_0": "31", "_1": "2", "_2": "2026"}
BAD_NUMBER = "twelve"
BAD_TEXT = "Typed text 42"


# --- Reading a page ------------------------------------------------------------------------------------------------


@dataclass
class Field:
    tag: str
    name: str
    type: str = "text"
    value: str = ""
    checked: bool = False
    inputmode: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (name, value)
    enctype: str = ""

    @property
    def visible(self) -> list[Field]:
        return [f for f in self.fields if f.type not in ("hidden", "submit", "button", "reset", "image")]

    def key(self, page_name: str) -> str:
        return f"{page_name}: {(self.buttons[0][0] if self.buttons else '') or '-'}"

    def label(self) -> str:
        button = self.buttons[0][0] if self.buttons else "-"
        names = list(dict.fromkeys(f.name for f in self.visible))
        return f"form to {self.action or 'this page'} (button {button!r}, fields {names})"


class Page(HTMLParser):
    """The forms, ids, title and error summary links of a page, and the values its fields show."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.ids: set[str] = set()
        self.title = ""
        self.summary_links: list[str] = []
        self.has_summary = False
        self.values: dict[str, list[str]] = {}
        self._form: Form | None = None
        self._in_title = False
        self._in_summary = 0
        self._textarea: str | None = None
        self._select: Field | None = None
        self._depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "title":
            self._in_title = True
        classes = a.get("class", "").split()
        if "govuk-error-summary" in classes:
            self.has_summary = True
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a" and a.get("href", "").startswith("#"):
            self.summary_links.append(a["href"][1:])
        if tag == "form":
            self._form = (
                Form(action=a.get("action", ""), enctype=a.get("enctype", ""))
                if (a.get("method", "get").lower() == "post")
                else None
            )
            if self._form is not None:
                self.forms.append(self._form)
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind != "submit":
                value = a.get("value", "")
                if kind not in ("checkbox", "radio") or "checked" in a:
                    self.values.setdefault(a["name"], []).append(value)
            if self._form is not None:
                if kind in ("submit", "image"):
                    self._form.buttons.append((a["name"], a.get("value", "")))
                else:
                    self._form.fields.append(
                        Field("input", a["name"], kind, a.get("value", ""), "checked" in a, a.get("inputmode", ""))
                    )
        elif tag == "button" and self._form is not None and a.get("type", "submit") == "submit":
            self._form.buttons.append((a.get("name", ""), a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.values.setdefault(a["name"], []).append("")
            if self._form is not None:
                self._form.fields.append(Field("textarea", a["name"], "textarea"))
        elif tag == "select" and a.get("name"):
            self._select = Field("select", a["name"], "select")
            if self._form is not None:
                self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "div" and self._in_summary:
            self._in_summary -= 1

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        if self._textarea is not None:
            # The HTML parser drops a newline just after <textarea>; html.parser does not.
            shown = self.values[self._textarea]
            shown[-1] = (shown[-1] + data).removeprefix("\n") if not shown[-1] else shown[-1] + data


# --- The records the URLs are filled in from ----------------------------------------------------------------------


@pytest.fixture
def world(law, settings, tmp_path):
    from arrears.models import ArrearsCase, ArrearsPolicyVersion, ReviewRun
    from arrears.services import SHIPPED_POLICIES, policy_import, policy_version_publish
    from courts.claims import legal_case_open
    from courts.services import notice_serve
    from documents.models import Document, LetterTemplate, PrintBatch
    from documents.services import templates_install_shipped
    from incomeapp.constants import StaffChangeKind
    from incomeapp.models import StaffChangeRequest
    from incomeapp.roles import roles_setup
    from lifecycle.constants import RentChangeBasis
    from lifecycle.models import RentChangeRun, TenancyLoad
    from rentaccounts.constants import CheckKind, RequestKind, TransactionType
    from rentaccounts.models import AccountCheck, AdjustmentRequest, DirectDebitMandate, ImportBatch, SuspenseItem
    from rentaccounts.services import Posting, account_get_or_create, transactions_post

    roles_setup()
    settings.MEDIA_ROOT = tmp_path
    policy = policy_version_publish(
        version=policy_import(text=(SHIPPED_POLICIES / "rentwise-default.yaml").read_text())[0]
    )
    type(policy.policy).objects.filter(pk=policy.policy_id).update(is_default=True)
    today = timezone.localdate()
    admin = UserFactory(is_superuser=True, is_staff=True)
    other = UserFactory()
    tenancy = TenancyFactory(tenure_type="SECURE")
    account = account_get_or_create(tenancy=tenancy)
    transactions_post(
        postings=[Posting(account.pk, TransactionType.RENT_DEBIT, Decimal("900.00"), today - timedelta(days=3), "r")]
    )
    case = ArrearsCase.objects.create(account=account, opened_on=today, officer=admin)
    notice = notice_serve(
        tenancy=tenancy,
        notice_code="secure-nosp",
        served_on=today,
        method="hand",
        signatory="Priya Shah, Income Manager",
        proof_of_service="Handed to the tenant.",
        served_by=admin,
    )
    legal_case = legal_case_open(notice=notice, opened_by=admin)
    batch = ImportBatch.objects.create(file_name="bank.csv", sha256="a" * 64, format="bank_csv", content=b"x")
    suspense = SuspenseItem.objects.create(batch=batch, row_number=2, raw={"amount": "10.00"}, reason="No match")
    request_ = AdjustmentRequest.objects.create(
        kind=RequestKind.ADJUSTMENT, account=account, reason="Test", requested_by=other, amount=Decimal("10.00")
    )
    check = AccountCheck.objects.create(
        kind=CheckKind.DUPLICATE_PAYMENT, account=account, fingerprint="f", detail="Two payments"
    )
    mandate = DirectDebitMandate.objects.create(
        tenancy=tenancy, reference="DD1", collection_day=1, start_date=today, amount=Decimal("100.00")
    )
    rent_change = RentChangeRun.objects.create(
        name="April", effective_from=today + timedelta(days=60), basis=RentChangeBasis.PERCENTAGE, prepared_by=other
    )
    load = TenancyLoad.objects.create(file_name="t.csv", sha256="b" * 64, content=b"x")
    templates_install_shipped()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf = buffer.getvalue()
    document = Document(
        kind="letter",
        reference=tenancy.payment_reference,
        subject_key=f"case:{case.pk}",
        recipient_name="A Tenant",
        title="Letter",
        sha256="c" * 64,
        created_at=timezone.now(),
    )
    document.pdf.save("letter.pdf", ContentFile(pdf), save=False)
    document.save()
    print_batch = PrintBatch(run_label="run", documents_count=1, pages=1, created_at=timezone.now())
    print_batch.pdf.save("batch.pdf", ContentFile(pdf), save=False)
    print_batch.save()
    review = ReviewRun.objects.create(as_of=today)
    change = StaffChangeRequest.objects.create(
        kind=StaffChangeKind.ROLES, target=other, reason="New job", requested_by=admin, needs_approval=True
    )
    from arrears.constants import AgreementFrequency
    from arrears.models import Agreement
    from arrears.policy_steps import steps
    from dashboards.models import KpiRebuild
    from rentaccounts.models import StatementRun

    agreement = Agreement.objects.create(
        case=case,
        frequency=AgreementFrequency.WEEKLY,
        amount=Decimal("10.00"),
        starts_on=today,
        starting_balance=Decimal("900.00"),
    )
    statement_run = StatementRun.objects.create(period_end=today, started_by=admin)
    rebuild = KpiRebuild.objects.create(requested_by=admin, week_ending=today)
    from arrears.models import DebtAgencyExport, DebtAgencyReturn

    agency_export = DebtAgencyExport.objects.create(agency="Agency", file_name="x.csv", content=b"x", made_by=admin)
    from rentaccounts.constants import RequestKind, RequestStatus, WriteOffReason
    from rentaccounts.models import WriteOffRun

    write_off = AdjustmentRequest.objects.create(
        kind=RequestKind.WRITE_OFF,
        account=request_.account,
        amount=Decimal("-5.00"),
        reason="Gone away",
        write_off_reason=WriteOffReason.GONE_AWAY,
        evidence="Trace report",
        requested_by=other,
        status=RequestStatus.APPROVED,
        decided_by=admin,
        decided_at=timezone.now(),
    )
    write_off_run = WriteOffRun.objects.create(
        balance_under=Decimal("10.00"), ended_months=6, account_kinds=["rent"], as_of=today, proposed_by=other
    )
    agency_return = DebtAgencyReturn.objects.create(agency="Agency", file_name="r.csv", sha256="d" * 64, content=b"x")
    second = PersonFactory()
    home = tenancy.property
    return {
        "user": admin,
        "other": other,
        "tenancy": tenancy,
        "objects": {
            "approvals:detail": request_,
            "approvals:decide": request_,
            "approvals:check_detail": check,
            "approvals:write_on": write_off,
            "approvals:write_off_run": write_off_run,
            "arrears:": case,
            "arrears:review_": review,
            "arrears:policy_": ArrearsPolicyVersion.objects.order_by("pk").last(),
            "lifecycle:rent_change": rent_change,
            "lifecycle:load": load,
            "homes:property": home,
            "homes:scheme": home.scheme,
            "homes:patch": home.patch,
            "homes:provider": home.scheme.provider,
            "people:": tenancy.tenancy_tenants.get().person,
            "direct_debits:": mandate,
            "rentaccounts:import": batch,
            "rentaccounts:suspense": suspense,
            "courts:notice": notice,
            "courts:legal_case_start": notice,
            "courts:legal_case": legal_case,
            "courts:hearing_costs": legal_case,
            "documents:download": document,
            "documents:print_batch": print_batch,
            "privacy:": tenancy.tenancy_tenants.get().person,
            "staff:change": change,
            "rentaccounts:statement_run": statement_run,
            "dashboards:rebuild": rebuild,
            "arrears:agency_export": agency_export,
            "arrears:agency_return": agency_return,
            "debts:acknowledgment_add": account,
            "debts:order_add": tenancy.tenancy_tenants.get().person,
            "debts:order_discharge": _insolvency_order(tenancy.tenancy_tenants.get().person),
            "staff:": other,
            "rentaccounts:hb_overpayment": _hb_overpayment(tenancy, admin),
            "complaints:": _complaint(tenancy, admin),
            "complaints:record_person": tenancy.tenancy_tenants.get().person,
            "arrears:campaign": _campaign(admin),
            "api_client": _api_client(admin),
        },
        "hearing": _hearing(legal_case, admin),
        "second_person": second,
        "agreement": agreement,
        "policy_step": steps(policy.document)[0]["key"],
        "template_key": LetterTemplate.objects.order_by("key").values_list("key", flat=True).first(),
    }


def _hb_overpayment(tenancy, user):
    from rentaccounts.models import HousingBenefitOverpayment

    today = timezone.localdate()
    return HousingBenefitOverpayment.objects.create(
        tenancy=tenancy, council="Bristol City Council", period_start=today, period_end=today,
        amount=Decimal("40.00"), recovery_method="invoice", liability="recoverable", recorded_by=user,
    )  # fmt: skip


def _campaign(user):
    from messaging.models import Campaign, MessageTemplate

    template = MessageTemplate.objects.create(key="campaign_world", title="Bank holiday")
    version = template.versions.create(number=1, body="Hello {{ tenant_name }}", published_at=timezone.now())
    return Campaign.objects.create(
        title="Bank holiday", template_version=version, audience="Everyone", audience_count=0, created_by=user
    )


def _complaint(tenancy, user):
    from complaints.services import complaint_record

    return complaint_record(
        person=tenancy.tenancy_tenants.get().person, tenancy=tenancy, about="arrears_action", summary="Too many calls",
        received_on=timezone.localdate(), by=user,
    )  # fmt: skip


def _api_client(user):
    from api.services_clients import api_client_create

    return api_client_create(by=user, name="Housing management", scopes=["tenancies:read"]).client


def _hearing(legal_case, user):
    from courts.models import Hearing

    return Hearing.objects.create(legal_case=legal_case, hearing_on=timezone.localdate(), recorded_by=user)


def _insolvency_order(person):
    from rentaccounts.models import InsolvencyOrder

    return InsolvencyOrder.objects.create(person=person, kind="bankruptcy", made_on=timezone.localdate())


def _kwargs_for(name: str, route: str, world) -> dict | str:
    """The URL's arguments from the records made, or why none could be found."""
    kwargs = {}
    for param in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if param == "pk":
            match = max((key for key in world["objects"] if name.startswith(key)), key=len, default=None)
            if match is None or world["objects"][match] is None:
                return f"no test record for {name}: add one to `world` in this test"
            kwargs["pk"] = world["objects"][match].pk
        elif param == "payment_reference":
            kwargs[param] = world["tenancy"].payment_reference
        elif param == "first":
            kwargs[param] = world["tenancy"].tenancy_tenants.get().person.pk
        elif param == "second":
            kwargs[param] = world["second_person"].pk
        elif param == "kind":
            kwargs[param] = "rent"
        elif param == "year":
            kwargs[param] = timezone.localdate().year
        elif param == "number":
            kwargs[param] = 1
        elif param == "hearing_id":
            kwargs[param] = world["hearing"].pk
        elif param == "agreement_pk":
            kwargs[param] = world["agreement"].pk
        elif param == "key":
            kwargs[param] = (
                world["policy_step"]
                if name.startswith("arrears:")
                else "campaign_world"  # the message template `_campaign` makes
                if name.startswith("messaging:")
                else world["template_key"]
            )
        elif param == "uidb64":
            kwargs[param] = urlsafe_base64_encode(force_bytes(world["user"].pk))
        elif param == "token":
            kwargs[param] = default_token_generator.make_token(world["user"])
        elif param in ("kpi", "table", "slug"):
            return f"{param} is not a form page"
        else:
            return f"no value for <{param}> in {name}: teach _kwargs_for about it"
    return kwargs


def _urls():
    """(name, route) of every named URL but Django's admin and the REST API (JSON, no forms: tests/api)."""

    def walk(resolver, prefix, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                if ns in ("admin", "api"):
                    continue
                inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
                yield from walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), prefix + str(pattern.pattern)

    return list(walk(get_resolver(), "", ""))


# --- Posting -------------------------------------------------------------------------------------------------------


def _payload(form: Form, bad: bool) -> tuple[dict, dict]:
    """What to post, and what a bad post typed (name -> value) that must be shown again."""
    data: dict = {}
    typed: dict = {}
    for f in form.fields:
        if f.type == "hidden":
            data.setdefault(f.name, []).append(f.value)
        elif f.type in ("checkbox", "radio", "password") or f.tag == "select":
            continue  # left unticked / unchosen
        elif f.type == "file":
            if bad:
                data[f.name] = ContentFile(b"not what was asked for\x00", name="wrong.csv")
        elif bad:
            suffix = f.name[-2:]
            if re.search(r"_[012]$", f.name):
                value = BAD_DATE[suffix]
            elif f.inputmode in ("decimal", "numeric") or f.type == "number":
                value = BAD_NUMBER
            elif f.type == "email":
                value = "not an email address"
            else:
                value = BAD_TEXT
            data[f.name] = value
            typed[f.name] = value
        else:
            data[f.name] = ""
    if form.buttons:
        name, value = form.buttons[0]
        if name:
            data[name] = value
    return data, typed


def _check_answer(response, form: Form, typed: dict, case: str, key: str = "") -> list[str]:
    if response.status_code >= 500:
        return [f"{case}: server error {response.status_code}"]
    if response.status_code in (301, 302, 303):
        if not form.visible or key in NOTHING_REQUIRED:
            return []
        if typed and all(value == BAD_TEXT for value in typed.values()):
            return []  # only free text was typed, which a form may rightly accept
        return [f"{case}: redirected to {response.get('Location')} instead of showing what is wrong"]
    if response.status_code == 403 or response.status_code == 404:
        return [f"{case}: answered {response.status_code}"]
    if "text/html" not in response.get("Content-Type", ""):
        if key in NOTHING_REQUIRED:
            return []
        return [f"{case}: answered {response.get('Content-Type')} rather than the page with errors"]
    page = Page(response.content.decode())
    problems = []
    if not page.has_summary:
        problems.append(f"{case}: no GOV.UK error summary (govuk-error-summary) at the top")
    if not page.title.strip().startswith("Error:"):
        problems.append(f"{case}: <title> {page.title.strip()!r} does not start with 'Error:'")
    missing = [link for link in page.summary_links if link not in page.ids]
    if missing:
        problems.append(f"{case}: error summary links to ids not on the page: {missing}")
    if page.has_summary and not page.summary_links:
        problems.append(f"{case}: error summary has no links to the fields")
    for name, value in typed.items():
        if value not in page.values.get(name, []):
            problems.append(f"{case}: field {name!r} lost what was typed ({value!r}; shows {page.values.get(name)})")
    return problems


def _walk_page(client: Client, name: str, url: str, seen: set) -> tuple[list[str], int]:
    failures: list[str] = []
    response = client.get(url, follow=True)
    if response.status_code == 405:
        return [], 0  # a URL only posted to: its forms are on the pages that link to it
    if (response.status_code == 404 and name in AFTER_THE_FACT) or f"{name}: GET" in KNOWN_FAILURES:
        return [], 0
    if response.status_code != 200:
        return [f"{name} {url}: GET answered {response.status_code}"], 0
    if "text/html" not in response.get("Content-Type", ""):
        return [], 0
    final = response.request["PATH_INFO"]
    page = Page(response.content.decode())
    posted = 0
    for form in page.forms:
        action = urljoin(final, form.action) if form.action else final
        if urlsplit(action).path == reverse("logout"):
            continue
        signature = (urlsplit(action).path, tuple(sorted(f.name for f in form.fields)), tuple(form.buttons[:1]))
        if signature in seen:
            continue
        seen.add(signature)
        for bad in (False, True):
            data, typed = _payload(form, bad)
            case = f"{name} {url} {form.label()} posted {'with bad input' if bad else 'empty'}"
            if form.key(name) in KNOWN_FAILURES:
                continue
            with transaction.atomic():
                try:
                    answer = client.post(action, data)
                except Exception as error:
                    failures.append(f"{case}: raised {type(error).__name__}: {error}")
                else:
                    failures += _check_answer(answer, form, typed, case, form.key(name))
                transaction.set_rollback(True)
            posted += 1
    return failures, posted


def test_every_form_shows_its_errors_the_govuk_way(world):
    signed_in = Client(raise_request_exception=True)
    signed_in.force_login(world["user"])
    signed_out = Client(raise_request_exception=True)
    failures: list[str] = []
    seen: set = set()
    posted = 0
    for name, route in _urls():
        kwargs = _kwargs_for(name, route, world)
        if isinstance(kwargs, str):
            if "is not a form page" not in kwargs:
                failures.append(f"{name}: {kwargs}")
            continue
        url = reverse(name, kwargs=kwargs)
        client = signed_out if name in SIGNED_OUT else signed_in
        with transaction.atomic():
            try:
                found, count = _walk_page(client, name, url, seen)
            except Exception as error:
                found, count = [f"{name} {url}: GET raised {type(error).__name__}: {error}"], 0
            transaction.set_rollback(True)
        failures += found
        posted += count
    assert posted > 50, f"only {posted} posts were made: the walk is not reaching the forms"
    assert not failures, f"{len(failures)} problem(s):\n" + "\n".join(failures)


def test_the_page_reader_sees_an_error_summary_and_typed_values():
    """The checks can fail: a page without a summary, with a dead link and a lost value is caught."""
    form = Form(action="/x/", fields=[Field("input", "amount", inputmode="decimal")], buttons=[("submit", "Go")])

    class Answer(dict):
        status_code = 200
        content = (
            b"<title>Pay</title><div class='govuk-error-summary'><div><a href='#id_nothing'>Enter</a></div></div>"
            b"<input name='amount' id='id_amount' value=''>"
        )

    answer = Answer({"Content-Type": "text/html"})
    problems = _check_answer(answer, form, {"amount": BAD_NUMBER}, "case")
    assert len(problems) == 3, problems
