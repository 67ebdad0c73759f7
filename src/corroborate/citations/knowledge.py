"""Generic COI knowledge the citation layer may rely on (data, not rules).

Nothing here is specific to one report: country names (first-level government authors such as
`Peru, INEI`), intergovernmental parents (`OAS, IACHR`, `UN, ...`, `EU, Eurostat`), and the
well-known publishers every COI researcher meets (UN agencies, the big human-rights NGOs, think
tanks and wire services) with their web hosts. Sources not listed here are typed by mechanism
(URL host, author shape, vocabulary) in `registry.py`. Extend the lists, do not special-case.
"""

from __future__ import annotations

# English short names, common Spanish/French forms and the abbreviations used in EUAA/ACCORD style.
COUNTRIES: frozenset[str] = frozenset(
    s.casefold()
    for s in """
Afghanistan|Albania|Algeria|Andorra|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahamas|
Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia and Herzegovina|
Botswana|Brazil|Brasil|Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|Cape Verde|
Central African Republic|Chad|Chile|China|Colombia|Comoros|Congo|DRC|Costa Rica|Côte d'Ivoire|
Croatia|Cuba|Cyprus|Czechia|Czech Republic|Denmark|Djibouti|Dominica|Dominican Republic|Ecuador|
Egypt|El Salvador|Equatorial Guinea|Eritrea|Estonia|Eswatini|Ethiopia|Fiji|Finland|France|Gabon|
Gambia|Georgia|Germany|Ghana|Greece|Grenada|Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|
Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Jamaica|Japan|Jordan|Kazakhstan|
Kenya|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|Lithuania|
Luxembourg|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|Mauritania|Mauritius|Mexico|México|
Moldova|Monaco|Mongolia|Montenegro|Morocco|Mozambique|Myanmar|Namibia|Nepal|Netherlands|
New Zealand|Nicaragua|Niger|Nigeria|North Korea|North Macedonia|Norway|Oman|Pakistan|Palestine|
Panama|Panamá|Papua New Guinea|Paraguay|Peru|Perú|Philippines|Poland|Portugal|Qatar|Romania|Russia|
Russian Federation|Rwanda|Saudi Arabia|Senegal|Serbia|Sierra Leone|Singapore|Slovakia|Slovenia|
Somalia|South Africa|South Korea|South Sudan|Spain|España|Sri Lanka|Sudan|Suriname|Sweden|
Switzerland|Syria|Taiwan|Tajikistan|Tanzania|Thailand|Togo|Trinidad and Tobago|Tunisia|Turkey|
Türkiye|Turkmenistan|Uganda|Ukraine|United Arab Emirates|United Kingdom|UK|United States|US|USA|
Uruguay|Uzbekistan|Venezuela|Vietnam|Yemen|Zambia|Zimbabwe
""".replace("\n", "").split("|")
    if s
)

# Intergovernmental organisations that head two-level authors (`OAS, IACHR`).
IGO_PARENTS: frozenset[str] = frozenset(
    s.casefold()
    for s in [
        "UN", "United Nations", "ONU", "OAS", "OEA", "EU", "European Union", "UE", "AU",
        "African Union", "OSCE", "OECD", "OCDE", "Council of Europe", "CoE", "NATO", "ASEAN",
        "ECOWAS", "Mercosur", "CAN", "CARICOM", "SICA",
    ]
)

# (names and acronyms, type, web hosts): the publishers COI reports cite everywhere.
PUBLISHERS: list[tuple[tuple[str, ...], str, tuple[str, ...]]] = [
    (("Human Rights Watch", "HRW"), "ngo", ("hrw.org",)),
    (("Amnesty International", "AI", "Amnistía Internacional"), "ngo", ("amnesty.org",)),
    (("Freedom House",), "ngo", ("freedomhouse.org",)),
    (("International Crisis Group", "Crisis Group", "ICG"), "ngo", ("crisisgroup.org",)),
    (("Reporters Without Borders", "RSF", "Reporteros sin Fronteras"), "ngo", ("rsf.org",)),
    (("Committee to Protect Journalists", "CPJ"), "ngo", ("cpj.org",)),
    (("Front Line Defenders",), "ngo", ("frontlinedefenders.org",)),
    (("Global Witness",), "ngo", ("globalwitness.org",)),
    (("WOLA", "Washington Office on Latin America"), "ngo", ("wola.org",)),
    (("ACLED", "Armed Conflict Location & Event Data Project"), "academic", ("acleddata.com",)),
    (("Transparency International",), "ngo", ("transparency.org",)),
    (("Bertelsmann Stiftung", "BTI"), "academic", ("bti-project.org",)),
    (("InSight Crime",), "academic", ("insightcrime.org",)),
    (("Brookings", "Brookings Institution"), "academic", ("brookings.edu",)),
    (("Council on Foreign Relations", "CFR"), "academic", ("cfr.org",)),
    (("Wilson Center",), "academic", ("wilsoncenter.org",)),
    (("USDOS", "US Department of State", "United States Department of State"), "government",
     ("state.gov",)),
    (("UK Home Office", "Home Office"), "government", ("gov.uk",)),
    (("EUAA", "European Union Agency for Asylum", "EASO"), "igo", ("euaa.europa.eu",)),
    (("UNHCR", "UN High Commissioner for Refugees"), "igo", ("unhcr.org", "refworld.org")),
    (("UNODC", "UN Office on Drugs and Crime"), "igo", ("unodc.org",)),
    (("OHCHR", "UN Human Rights Office"), "igo", ("ohchr.org",)),
    (("UN Human Rights Committee", "UN Human Rights Council", "UN Committee against Torture",
      "CEDAW", "UN Security Council", "UN General Assembly", "UN Secretary-General"), "igo", ()),
    (("UNICEF",), "igo", ("unicef.org",)),
    (("UNDP", "PNUD"), "igo", ("undp.org",)),
    (("IOM", "OIM", "International Organization for Migration"), "igo", ("iom.int",)),
    (("ILO", "OIT"), "igo", ("ilo.org",)),
    (("WHO", "OMS", "PAHO", "OPS"), "igo", ("who.int", "paho.org")),
    (("World Bank", "The World Bank", "Banco Mundial"), "igo", ("worldbank.org", "bancomundial.org")),
    (("IMF", "International Monetary Fund"), "igo", ("imf.org",)),
    (("IACHR", "CIDH", "Inter-American Commission on Human Rights"), "igo", ("oas.org",)),
    (("Inter-American Court of Human Rights", "Corte IDH"), "igo", ("corteidh.or.cr",)),
    (("Eurostat",), "igo", ()),
    (("ICRC", "CICR", "International Committee of the Red Cross"), "igo", ("icrc.org",)),
    (("Reuters",), "media", ("reuters.com",)),
    (("AP", "Associated Press"), "media", ("apnews.com",)),
    (("AFP", "Agence France-Presse"), "media", ("afp.com",)),
    (("EFE", "Agencia EFE"), "media", ("efe.com",)),
    (("BBC", "BBC News", "BBC Mundo"), "media", ("bbc.com", "bbc.co.uk")),
    (("DW", "Deutsche Welle"), "media", ("dw.com",)),
    (("Al Jazeera",), "media", ("aljazeera.com",)),
    (("The Guardian",), "media", ("theguardian.com",)),
    (("The New York Times", "NYT"), "media", ("nytimes.com",)),
    (("The Washington Post",), "media", ("washingtonpost.com",)),
    (("Bloomberg",), "media", ("bloomberg.com",)),
    (("El País",), "media", ("elpais.com",)),
    (("France 24",), "media", ("france24.com",)),
    (("Euronews",), "media", ("euronews.com",)),
    (("Le Monde",), "media", ("lemonde.fr",)),
    (("VICE News",), "media", ("vice.com",)),
    (("Foreign Policy", "FP"), "media", ("foreignpolicy.com",)),
    (("IPS", "Inter Press Service"), "media", ("ipsnews.net",)),
]

# Vocabulary (English/Spanish) of names of public institutions: a second author level such as
# `Ministerio del Interior` or `Defensoría del Pueblo` starts with one of these.
INSTITUTION_WORDS: frozenset[str] = frozenset(
    w.casefold()
    for w in """Ministry Ministerio Department Departamento Office Oficina Defensoría Ombudsman
    Congress Congreso Parliament Parlamento Senate Senado Assembly Asamblea Court Corte Tribunal
    Poder Judiciary Fiscalía Prosecutor Procuraduría Policía Police Instituto Institute
    Superintendencia Superintendency Dirección Directorate Secretaría Secretariat Agency Agencia
    Commission Comisión Council Consejo Jurado Junta Registro Registry Servicio Service Banco
    Bank Presidencia Presidency Gobierno Government Municipalidad Municipality Committee Comité
    Centro Center Centre Embassy Embajada Army Ejército Navy Marina Unidad Unit Programa
    Observatorio Observatory Autoridad Authority Contraloría Secretariado Subsecretaría Viceministerio
    Gerencia Bureau Administration Administración Force Forces Fuerzas Guardia Guard Gendarmería
    Carabineros Intendencia Mission Misión Delegation Delegación Consulate Consulado Cabinet
    Cancillería Chancellery Ombudsperson Prefectura Gobernación Alcaldía Ayuntamiento Cámara Chamber""".split()
)

# Words that open the title of a document, not the name of an author.
DOCUMENT_WORDS: frozenset[str] = frozenset(
    w.casefold()
    for w in """Código Code Ley Law Act Decreto Decree Resolución Resolution Reglamento Regulation
    Constitución Constitution Informe Report Nota Note Manual Plan Guía Guide Boletín Bulletin
    Estudio Study Análisis Analysis Encuesta Survey Censo Census Anuario Yearbook Memoria
    Comunicado Statement Press Directiva Directive Ordenanza Protocolo Protocol Política Policy
    Estrategia Strategy Mapa Map Base Bases Sentencia Judgment Expediente Acuerdo Agreement""".split()
)

LEGISLATION_START = (
    r"(?:Código|Code|Constitución|Constitution|Ley|Law|Act|Decreto|Decree|Resolución|Resolution|"
    r"Reglamento|Regulation|Ordenanza|Ordinance|Directiva|Directive|Texto Único Ordenado|TUO)\b"
)

# Lower-case words allowed inside names (`Congreso de la República`, `Office of the ...`).
NAME_PARTICLES: frozenset[str] = frozenset(
    "de del la las los el y e of the for and on in to a al da do dos das du des von van der den "
    "et al. al & für".split()
)
