"""ISO 3166-1 alpha-2 country codes, for checking the ``country`` of seeded players."""

from __future__ import annotations

_ASSIGNED = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""

#: The 249 officially assigned codes, plus XK (Kosovo), which geolocation services report.
COUNTRY_CODES: frozenset[str] = frozenset(_ASSIGNED.split()) | {"XK"}

#: Codes people write that ISO 3166 does not assign, with the code they mean.
_COMMON_MISTAKES = {"UK": "GB", "EL": "GR"}


def country_problem(value: str) -> str | None:
    """Why ``value`` is not an ISO 3166-1 alpha-2 code, or None when it is one."""
    if len(value) != 2 or not value.isascii() or not value.isalpha():
        return f"country must be two letters (ISO 3166-1 alpha-2, like 'PT'), not {value!r}"
    if value != value.upper():
        return f"country must be in capitals: {value.upper()!r}, not {value!r}"
    if value in _COMMON_MISTAKES:
        return f"{value!r} is not an ISO 3166-1 code; did you mean {_COMMON_MISTAKES[value]!r}?"
    if value not in COUNTRY_CODES:
        return f"{value!r} is not an assigned ISO 3166-1 alpha-2 country code"
    return None
