"""Regenerate src/corroborate/data/countries.tsv: ISO 3166-1 alpha-2 codes with their English and
Spanish names (from the `pycountry` package, a build-time tool only, not a run-time dependency)
plus the hand-written short names and demonyms below.

    pip install pycountry && python scripts/make_country_table.py

Columns: alpha-2, names (| separated), demonyms (| separated). Names that would stand for two
countries ("Korea", "Congo") are dropped, so a match is never ambiguous.
"""

from __future__ import annotations

import gettext
from collections import Counter
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parent.parent / "src" / "corroborate" / "data" / "countries.tsv"

# Names a report uses that ISO does not (short forms, older names, Spanish variants).
ALIASES = {
    "BO": ["Bolivia"], "VE": ["Venezuela"], "IR": ["Iran"], "SY": ["Syria"], "RU": ["Russia", "Rusia"],
    "TZ": ["Tanzania"], "VN": ["Vietnam", "Viet Nam"], "LA": ["Laos"], "MD": ["Moldova", "Moldavia"],
    "KR": ["South Korea", "Corea del Sur"], "KP": ["North Korea", "Corea del Norte"],
    "CD": ["DRC", "Democratic Republic of the Congo", "RDC"], "CG": ["Republic of the Congo"],
    "CI": ["Ivory Coast", "Côte d'Ivoire", "Costa de Marfil"], "TR": ["Turkey", "Türkiye", "Turquía"],
    "GB": ["United Kingdom", "UK", "Britain", "Great Britain", "Reino Unido"],
    "US": ["United States", "USA", "United States of America", "Estados Unidos", "EEUU", "EE.UU."],
    "PS": ["Palestine", "Palestina", "Gaza", "West Bank"], "MM": ["Myanmar", "Burma"],
    "MK": ["North Macedonia", "Macedonia"], "CZ": ["Czech Republic", "Czechia", "República Checa"],
    "SZ": ["Eswatini", "Swaziland"], "CV": ["Cape Verde", "Cabo Verde"], "TW": ["Taiwan"],
    "BR": ["Brasil"], "MX": ["México", "Méjico"], "PE": ["Perú"], "HT": ["Haití"], "PA": ["Panamá"],
    "DO": ["Dominican Republic", "República Dominicana"], "XK": ["Kosovo"],
}
# Demonyms (English, then Spanish masculine singular; other Spanish forms are derived).
DEMONYMS = {
    "AF": "Afghan|afgano", "AL": "Albanian|albanés", "DZ": "Algerian|argelino", "AO": "Angolan|angoleño",
    "AR": "Argentine|Argentinian|argentino", "AM": "Armenian|armenio", "AZ": "Azerbaijani|azerbaiyano",
    "BD": "Bangladeshi|bangladesí", "BY": "Belarusian|bielorruso", "BO": "Bolivian|boliviano",
    "BA": "Bosnian|bosnio", "BR": "Brazilian|brasileño", "BI": "Burundian|burundés",
    "CM": "Cameroonian|camerunés", "CL": "Chilean|chileno", "CN": "Chinese|chino", "CO": "Colombian|colombiano",
    "CR": "Costa Rican|costarricense", "CU": "Cuban|cubano", "EC": "Ecuadorian|ecuatoriano",
    "EG": "Egyptian|egipcio", "SV": "Salvadoran|Salvadorian|salvadoreño", "ER": "Eritrean|eritreo",
    "ET": "Ethiopian|etíope", "GM": "Gambian|gambiano", "GE": "Georgian|georgiano", "GH": "Ghanaian|ghanés",
    "GT": "Guatemalan|guatemalteco", "GN": "Guinean|guineano", "HT": "Haitian|haitiano",
    "HN": "Honduran|hondureño", "IN": "Indian|indio", "IR": "Iranian|iraní", "IQ": "Iraqi|iraquí",
    "JM": "Jamaican|jamaicano", "KZ": "Kazakh|kazajo", "KE": "Kenyan|keniano", "XK": "Kosovan|Kosovar|kosovar",
    "KG": "Kyrgyz|kirguís", "LB": "Lebanese|libanés", "LY": "Libyan|libio", "ML": "Malian|maliense",
    "MX": "Mexican|mexicano", "MD": "Moldovan|moldavo", "MA": "Moroccan|marroquí", "MM": "Burmese|birmano",
    "NP": "Nepalese|Nepali|nepalí", "NI": "Nicaraguan|nicaragüense", "NG": "Nigerian|nigeriano",
    "PK": "Pakistani|pakistaní", "PS": "Palestinian|palestino", "PA": "Panamanian|panameño",
    "PY": "Paraguayan|paraguayo", "PE": "Peruvian|peruano", "PH": "Filipino|filipino", "RU": "Russian|ruso",
    "RW": "Rwandan|ruandés", "SN": "Senegalese|senegalés", "RS": "Serbian|serbio", "SL": "Sierra Leonean",
    "SO": "Somali|somalí", "LK": "Sri Lankan|esrilanqués", "SD": "Sudanese|sudanés",
    "SS": "South Sudanese|sursudanés", "SY": "Syrian|sirio", "TJ": "Tajik|tayiko", "TR": "Turkish|turco",
    "TM": "Turkmen|turkmeno", "UG": "Ugandan|ugandés", "UA": "Ukrainian|ucraniano", "UY": "Uruguayan|uruguayo",
    "UZ": "Uzbek|uzbeko", "VE": "Venezuelan|venezolano", "VN": "Vietnamese|vietnamita", "YE": "Yemeni|yemení",
    "ZW": "Zimbabwean|zimbabuense", "DO": "Dominican|dominicano", "GB": "British|británico",
    "US": "American|estadounidense", "CD": "Congolese|congoleño",
}
# Demonyms shared by two countries name neither.
AMBIGUOUS_DEMONYMS = {"Congolese", "congoleño", "Guinean", "guineano", "Dominican", "dominicano",
                      "American", "Indian", "indio"}


def main() -> None:
    es = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    names: dict[str, list[str]] = {}
    for c in pycountry.countries:
        forms = [c.name, getattr(c, "common_name", None), es.gettext(c.name)]
        forms += [f.split(",")[0] for f in list(forms) if f and "," in f]
        forms += ALIASES.get(c.alpha_2, [])
        seen: list[str] = []
        for f in forms:
            if f and "," not in f and f not in seen:
                seen.append(f)
        names[c.alpha_2] = seen
    for code, extra in ALIASES.items():
        names.setdefault(code, list(extra))
    counts = Counter(n.casefold() for forms in names.values() for n in set(forms))
    lines = []
    for code in sorted(names):
        forms = [n for n in names[code] if counts[n.casefold()] == 1]
        dem = [d for d in DEMONYMS.get(code, "").split("|") if d and d not in AMBIGUOUS_DEMONYMS]
        lines.append(f"{code}\t{'|'.join(forms)}\t{'|'.join(dem)}")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(lines)} countries)")


if __name__ == "__main__":
    main()
