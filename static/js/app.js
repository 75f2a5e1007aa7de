// Marks the page as able to run GOV.UK Frontend's JavaScript, then starts its components.
// Loaded as a module at the end of <body>, so no inline script is needed (the Content Security Policy forbids it).
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
