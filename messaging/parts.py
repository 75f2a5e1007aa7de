"""How many parts a text message is charged as. A text in the GSM 7-bit alphabet is one part up to 160 characters,
then 153 a part (306 for two, 459 for three); a text with any other character (an emoji, a curly quote, many Welsh
accents) is sent as UCS-2: one part up to 70, then 67 a part. The extension characters (^ { } [ ] ~ | € and \\) take
two places in the 7-bit alphabet. GOV.UK Notify charges by these same parts."""

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")


def gsm_length(text: str) -> int | None:
    """Places the text takes in the GSM 7-bit alphabet, or None when it needs UCS-2."""
    length = 0
    for character in text:
        if character in GSM_BASIC:
            length += 1
        elif character in GSM_EXTENSION:
            length += 2
        else:
            return None
    return length


def text_parts(text: str) -> int:
    """The number of parts `text` is sent (and charged) as; 1 for an empty text."""
    length = gsm_length(text)
    if length is not None:
        single, each = 160, 153
    else:
        length, single, each = len(text), 70, 67
    if length <= single:
        return 1
    return -(-length // each)


def part_limits(text: str) -> dict:
    """What the part counter on a form shows: characters used, the parts, and whether it is 7-bit or UCS-2."""
    length = gsm_length(text)
    return {
        "characters": length if length is not None else len(text),
        "parts": text_parts(text),
        "unicode": length is None,
    }
