"""An import-linter contract of our own: only an app's read and write APIs cross its boundary.

When a module of one domain app imports a module of another, the module imported must be one of the other app's
public modules: its `selectors` and `services` (a module or a package, at any depth: `rentaccounts.imports.services`
is the import part's write API), its `constants` (choices and shared figures), its `models` (the schema: relation
targets, types and the custom managers and querysets that are read APIs, such as `Charge.objects.in_effect(on)`), its
`signals` (the events it publishes to the apps above) and the modules the contract names as `published` (pure rules
and registries, each with its reason in docs/architecture.md). Views, forms, URLs, admin, tasks, receivers and the
internals of a part never cross. `incomeapp` is the shared core (anything in it may be used) and `devtools` is not
shipped (its benchmarks time the parts themselves), so neither is checked as an importer of the other apps'
internals. `ignore_imports` lists what is still to be moved, each line an import written `importer -> imported`.

Run by `lint-imports` (and so by `make test` and CI) through `contract_types` in pyproject.toml.
"""

from importlinter import Contract, ContractCheck, fields, output

PUBLIC = {"selectors", "services", "constants", "models", "signals"}


def _public(module: str, published: set[str]) -> bool:
    if module in published or any(module.startswith(f"{name}.") for name in published):
        return True
    parts = module.split(".")[1:]
    if not parts:
        return False  # the app's package itself: import a named module instead
    return any(part in PUBLIC or part.startswith(("selectors_", "services_")) for part in parts)


class AppBoundaryContract(Contract):
    apps = fields.ListField(subfield=fields.StringField())
    unchecked_importers = fields.ListField(subfield=fields.StringField(), required=False)
    published = fields.ListField(subfield=fields.StringField(), required=False)
    ignore_imports = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        apps = set(self.apps)
        unchecked = set(self.unchecked_importers or [])
        published = set(self.published or [])
        ignored = {tuple(part.strip() for part in line.split("->")) for line in self.ignore_imports or []}
        broken, used = [], set()
        for importer in sorted(graph.modules):
            importer_app = importer.split(".")[0]
            if importer_app not in apps or importer_app in unchecked or ".migrations" in importer:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                imported_app = imported.split(".")[0]
                if imported_app not in apps or imported_app == importer_app or _public(imported, published):
                    continue
                if (importer, imported) in ignored:
                    used.add((importer, imported))
                    continue
                lines = graph.get_import_details(importer=importer, imported=imported)
                broken.append((importer, imported, [line["line_number"] for line in lines]))
        stale = sorted(ignored - used)
        return ContractCheck(kept=not broken and not stale, metadata={"broken": broken, "stale": stale})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, line_numbers in check.metadata["broken"]:
            where = ", ".join(f"l.{n}" for n in line_numbers)
            output.print_error(
                f"{importer} -> {imported} ({where}): use its selectors or services (docs/architecture.md).",
                bold=False,
            )
        for importer, imported in check.metadata["stale"]:
            output.print_error(
                f"ignore_imports lists {importer} -> {imported}, which no longer happens: take it off the list.",
                bold=False,
            )
