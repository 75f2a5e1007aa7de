"""Settings are split: `base` (everything, read from the environment), `test` and `prod` build on it."""
