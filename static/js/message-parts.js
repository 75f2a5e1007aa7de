// The live part counter for text messages: progressive enhancement only (the page always shows the count the server
// worked out). The same rule as messaging/parts.py: 160 characters is 1 part, then 153 a part (306, 459); a
// character outside the GSM 7-bit alphabet makes it UCS-2: 70 for 1 part, then 67 a part (134, 201).
const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§" +
    "¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM_EXTENSION = new Set("^{}\\[~]|€\f");

export function partLimits(text) {
  let length = 0;
  let unicode = false;
  for (const character of text) {
    if (GSM_BASIC.has(character)) length += 1;
    else if (GSM_EXTENSION.has(character)) length += 2;
    else {
      unicode = true;
      break;
    }
  }
  if (unicode) length = [...text].length;
  const [single, each] = unicode ? [70, 67] : [160, 153];
  const parts = length <= single ? 1 : Math.ceil(length / each);
  return { characters: length, parts, unicode };
}

function describe({ characters, parts, unicode }) {
  const kind = unicode
    ? "It has a character outside the basic text alphabet, so each part is 70 characters (134 for 2, 201 for 3)."
    : "160 characters is 1 part, 306 is 2, 459 is 3.";
  return `${characters} character${characters === 1 ? "" : "s"}: ${parts} part${parts === 1 ? "" : "s"}. ${kind}`;
}

for (const textarea of document.querySelectorAll('textarea[data-module="message-parts"]')) {
  const output = document.getElementById(textarea.dataset.partsOutput || `${textarea.id}-parts`);
  if (!output) continue;
  const update = () => {
    output.textContent = describe(partLimits(textarea.value));
  };
  textarea.addEventListener("input", update);
}
