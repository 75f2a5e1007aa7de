"""Loading and syncing a landlord's records from its housing management system (docs/onboarding.md).

`services.onboarding_load` is the entry point; `formats` reads and checks the files, `plan*` works out what would
change, `load` applies it through the services, `load_bulk` and `bulk` write a first load set-based."""
