"""The data load upload: a zip of the onboarding CSV files (or one of them), checked only or loaded."""

from crispy_forms_gds.choices import Choice
from django import forms

from incomeapp.forms import GdsFormMixin

# A zip of 250,000 tenancies' files is about 25 MB; a folder loaded by the command has no such limit.
MAX_LOAD_BYTES = 100 * 1024 * 1024
CHECK_ONLY = "check"
LOAD = "load"


class TenancyLoadForm(GdsFormMixin, forms.Form):
    submit_label = "Upload and start"

    files = forms.FileField(
        label="Onboarding files",
        help_text="A zip of the CSV files (providers.csv, schemes.csv, properties.csv, people.csv, tenancies.csv and "
        "the rest), or one of those CSV files on its own. Up to 100 MB.",
        error_messages={
            "required": "Choose the zip of your onboarding files, or one CSV file",
            "empty": "The file you chose is empty",
        },
    )
    mode = forms.ChoiceField(
        label="What should happen?",
        choices=[
            Choice(
                CHECK_ONLY,
                "Check only (dry run)",
                hint="Every row is checked and you see what would be created or changed. Nothing is loaded.",
            ),
            Choice(
                LOAD,
                "Load",
                hint="Every row is checked first. If there is no error, everything is loaded; if there is any error, "
                "nothing is.",
            ),
        ],
        widget=forms.RadioSelect,
        initial=CHECK_ONLY,
        error_messages={"required": "Choose whether to check the files only or to load them"},
    )

    def clean_files(self):
        upload = self.cleaned_data["files"]
        if upload.size > MAX_LOAD_BYTES:
            raise forms.ValidationError(
                "The file is larger than 100 MB. Load it with the import_tenancies command, or split it into smaller "
                "zips (each file's rows may refer to rows already loaded)."
            )
        name = upload.name.lower()
        if not name.endswith((".zip", ".csv")):
            raise forms.ValidationError("Choose a .zip file of the onboarding CSV files, or one .csv file.")
        return upload

    @property
    def dry_run(self) -> bool:
        return self.cleaned_data["mode"] == CHECK_ONLY
