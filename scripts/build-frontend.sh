#!/usr/bin/env bash
# Rebuilds the vendored front-end assets from the npm packages pinned in package.json / package-lock.json.
# The output under static/ (and the axe copy under tests/) is committed, so running the product needs no npm.
# Run after changing package.json:  npm ci && npm run build
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules/govuk-frontend ] || npm ci --no-audit --no-fund

govuk=node_modules/govuk-frontend/dist/govuk
vendor=static/vendor/govuk-frontend
rm -rf "$vendor"
mkdir -p "$vendor" static/css tests/browser

# Only the JavaScript and the manifest: the fonts (GDS Transport) and images (crown, crest) belong to GOV.UK.
cp "$govuk/govuk-frontend.min.js" "$vendor/"
cp node_modules/govuk-frontend/package.json node_modules/govuk-frontend/README.md "$vendor/"

npx sass --no-source-map --style=compressed --quiet-deps --silence-deprecation=import \
  --load-path=node_modules --load-path=. frontend/app.scss static/css/app.css

# MOJ Frontend: its CSS is compiled into app.css above; only its icons are copied (not the crest or logos, which
# belong to the Ministry of Justice). No MOJ JavaScript: sorting and filtering are done on the server.
moj=node_modules/@ministryofjustice/frontend
rm -rf static/vendor/moj-frontend
mkdir -p static/vendor/moj-frontend/images
cp "$moj"/moj/assets/images/icon-*.svg static/vendor/moj-frontend/images/
cp "$moj"/package.json "$moj"/README.md static/vendor/moj-frontend/

# htmx: progress fragments poll the server (hx-trigger="every 2s"); pages work without it.
rm -rf static/vendor/htmx
mkdir -p static/vendor/htmx
cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx.org/LICENSE static/vendor/htmx/

mkdir -p static/vendor/chart.js
cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md static/vendor/chart.js/

# The npm builds end with a `//# sourceMappingURL=` comment naming a .map file that is not vendored: a browser's
# developer tools would ask for it, and collectstatic's manifest storage (production settings) refuses a reference
# to a missing file. Strip the comment; the minified code is otherwise as published.
sed -i -E 's@//# sourceMappingURL=[^[:space:]]*[[:space:]]*$@@' \
  "$vendor/govuk-frontend.min.js" static/vendor/chart.js/chart.umd.min.js static/vendor/htmx/htmx.min.js

cp node_modules/axe-core/axe.min.js tests/browser/axe.min.js
echo "Built static/css/app.css, $vendor/ and tests/browser/axe.min.js"
