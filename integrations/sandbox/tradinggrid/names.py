"""The seed's raw material: communities, partner companies, people's names, request wording."""

from __future__ import annotations

# (name, description, regions, tiers)
COMMUNITIES = (
    (
        "North America Distributors",
        "Stocking distributors in the United States and Canada.",
        ["NA"],
        ["platinum", "gold", "silver", "registered"],
    ),
    (
        "EMEA Resellers",
        "Value-added resellers across the UK, Ireland, France, Italy, Iberia and Benelux.",
        ["EMEA"],
        ["gold", "silver", "registered"],
    ),
    (
        "DACH Partners",
        "Distribution and service partners in Germany, Austria and Switzerland.",
        ["EMEA"],
        ["platinum", "gold", "silver"],
    ),
    (
        "Nordics Channel",
        "Resellers in Sweden, Norway, Denmark and Finland.",
        ["EMEA"],
        ["gold", "silver", "registered"],
    ),
    (
        "APAC Distributors",
        "Distributors across South-East Asia, Australia, New Zealand and India.",
        ["APAC"],
        ["platinum", "gold", "silver", "registered"],
    ),
    (
        "Japan Resellers",
        "Authorised resellers in Japan.",
        ["APAC"],
        ["gold", "silver", "registered"],
    ),
    (
        "LATAM Partners",
        "Distributors and resellers in Mexico, Central and South America.",
        ["LATAM"],
        ["gold", "silver", "registered"],
    ),
    (
        "Global Service Partners",
        "Certified installation and maintenance partners working across regions.",
        ["NA", "EMEA", "APAC", "LATAM"],
        ["platinum", "gold"],
    ),
)

# Per community (same order): (company, language, contact locale, e-mail domain suffix).
COMPANIES = (
    (
        ("Northwind Industrial Supply Inc.", "en", "en-US", "com"),
        ("Great Lakes Fluid Systems LLC", "en", "en-US", "com"),
        ("Lone Star Pump & Valve Co.", "en", "en-US", "com"),
        ("Cascade Process Equipment Inc.", "en", "en-US", "com"),
        ("Keystone Controls Distribution LLC", "en", "en-US", "com"),
        ("Bayview Technical Sales Corp.", "en", "en-US", "com"),
        ("Prairie Flow Solutions Ltd.", "en", "en-CA", "ca"),
        ("Distribution Laurentide Inc.", "fr", "fr-CA", "ca"),
        ("Redwood Automation Supply Inc.", "en", "en-US", "com"),
        ("Atlantic Mechanical Resources Ltd.", "en", "en-CA", "ca"),
        ("Granite State Controls Inc.", "en", "en-US", "com"),
    ),
    (
        ("Thames Valley Components Ltd", "en", "en-GB", "co.uk"),
        ("Pennine Process Solutions Ltd", "en", "en-GB", "co.uk"),
        ("Dublin Industrial Supplies Ltd", "en", "en-IE", "ie"),
        ("Distribution Lumière SARL", "fr", "fr-FR", "fr"),
        ("Hydro-Services Rhône SAS", "fr", "fr-FR", "fr"),
        ("Rivoli Forniture Industriali S.p.A.", "it", "it-IT", "it"),
        ("Tecnoflussi Milano S.r.l.", "it", "it-IT", "it"),
        ("Suministros Iberia S.L.", "es", "es-ES", "es"),
        ("Benelux Flow Partners B.V.", "en", "en-GB", "nl"),
        ("Gulf Industrial Trading LLC", "en", "en-GB", "ae"),
    ),
    (
        ("Rheinwerk Handels GmbH", "de", "de-DE", "de"),
        ("Alpenfluss Technik AG", "de", "de-CH", "ch"),
        ("Donau Industrievertrieb GmbH", "de", "de-AT", "at"),
        ("Schwarzwald Pumpen & Armaturen GmbH", "de", "de-DE", "de"),
        ("Hanse Prozesstechnik GmbH & Co. KG", "de", "de-DE", "de"),
        ("Bodensee Antriebe GmbH", "de", "de-DE", "de"),
        ("Wiener Anlagenbau Service GmbH", "de", "de-AT", "at"),
    ),
    (
        ("Fjordline Teknik AB", "sv", "sv-SE", "se"),
        ("Göta Industrihandel AB", "sv", "sv-SE", "se"),
        ("Nordkapp Flow AS", "en", "en-GB", "no"),
        ("Øresund Process ApS", "en", "en-GB", "dk"),
        ("Saimaa Technical Oy", "en", "en-GB", "fi"),
    ),
    (
        ("Pacific Rim Distribution Pte Ltd", "en", "en-SG", "sg"),
        ("Southern Cross Industrial Pty Ltd", "en", "en-AU", "com.au"),
        ("Kiwi Process Supplies Ltd", "en", "en-NZ", "co.nz"),
        ("Straits Engineering Supply Sdn Bhd", "en", "en-MY", "my"),
        ("Lotus Flow Technologies Co., Ltd.", "en", "en-GB", "co.th"),
        ("Harbour City Equipment Ltd", "en", "en-HK", "hk"),
        ("Deccan Industrial Solutions Pvt Ltd", "en", "en-IN", "in"),
        ("Taipei Precision Flow Co., Ltd.", "en", "en-GB", "com.tw"),
    ),
    (
        ("Sakura Trading K.K.", "ja", "ja-JP", "co.jp"),
        ("Fujimoto Kiki Hanbai Co., Ltd.", "ja", "ja-JP", "co.jp"),
        ("Kansai Flow Engineering Co., Ltd.", "ja", "ja-JP", "co.jp"),
        ("Tohoku Sangyo Shoji K.K.", "ja", "ja-JP", "co.jp"),
        ("Nagoya Process Systems Co., Ltd.", "ja", "ja-JP", "co.jp"),
        ("Hokuriku Technical Service K.K.", "ja", "ja-JP", "co.jp"),
    ),
    (
        ("Andes Distribuciones S.A.", "es", "es-CL", "cl"),
        ("Suministros Industriales del Bajío S.A. de C.V.", "es", "es-MX", "com.mx"),
        ("Flujo Pampeano S.R.L.", "es", "es-AR", "com.ar"),
        ("Caribe Técnica S.A.S.", "es", "es-CO", "com.co"),
        ("Bomba Forte Comércio Ltda.", "pt", "pt-BR", "com.br"),
        ("Paulista Equipamentos Industriais Ltda.", "pt", "pt-BR", "com.br"),
        ("Rio Grande Soluções Técnicas S.A.", "pt", "pt-BR", "com.br"),
        ("Inca Process Solutions S.A.C.", "es", "es-PE", "pe"),
    ),
    (
        ("Meridian Field Services Group", "en", "en-US", "com"),
        ("Orbis Maintenance International", "en", "en-GB", "com"),
        ("Compass Industrial Services Ltd", "en", "en-GB", "com"),
    ),
)

# Regions of the Global Service Partners' own members, in COMPANIES order.
GLOBAL_REGIONS = (["NA", "EMEA"], ["EMEA", "APAC"], ["LATAM", "NA"])

# fmt: off
FIRST_NAMES = {
    "en": ("James", "Emily", "Michael", "Sarah", "David", "Olivia", "Daniel", "Grace", "Ryan",
           "Hannah", "Chris", "Megan", "Priya", "Wei", "Aroha", "Liam"),
    "de": ("Lukas", "Anna", "Jonas", "Lea", "Felix", "Sophie", "Matthias", "Katrin", "Stefan",
           "Julia"),
    "fr": ("Camille", "Julien", "Élodie", "Nicolas", "Manon", "Thomas", "Chloé", "Antoine"),
    "es": ("Lucía", "Javier", "Sofía", "Diego", "Valentina", "Mateo", "Camila", "Alejandro"),
    "pt": ("João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Rafael", "Larissa"),
    "it": ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Martina", "Davide"),
    "sv": ("Erik", "Anna", "Lars", "Karin", "Johan", "Maria", "Oskar", "Elin"),
    "ja": ("Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Takumi", "Yuna", "Kenji", "Akiko"),
}
LAST_NAMES = {
    "en": ("Carter", "Nguyen", "Brooks", "Patel", "Morgan", "Hughes", "Walsh", "Reid", "Foster",
           "Campbell", "Tan", "Singh", "O'Connor", "Bennett"),
    "de": ("Müller", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Schulz",
           "Huber", "Keller"),
    "fr": ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux"),
    "es": ("García", "Martínez", "López", "Fernández", "Rodríguez", "Sánchez", "Pérez", "Gómez"),
    "pt": ("Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Carvalho"),
    "it": ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"),
    "sv": ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
           "Persson"),
    "ja": ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"),
}
# fmt: on

PARTNER_TAGS = ("stocking", "service", "e-commerce", "certified-installer", "oem", "rental")
PRODUCT_FAMILIES = ("pump", "valve", "compressor", "mixer", "controller", "sensor", "filter")

# (type, category, status, Canto categories an asset reference is drawn from)
REQUEST_PLAN = (
    ("asset_request", None, "new", ("Brand asset",)),
    ("asset_request", None, "open", ("Product image",)),
    ("asset_request", None, "pending_internal", ("Safety data sheet",)),
    ("asset_request", None, "resolved", ("Product sheet",)),
    ("localization", None, "new", ("Product sheet", "Training")),
    ("localization", None, "open", ("Training",)),
    ("localization", None, "pending_partner", ("Product sheet",)),
    ("content_issue", "missing", "new", ()),
    ("content_issue", "outdated", "open", ("Product sheet", "Safety data sheet")),
    ("content_issue", "hard_to_find", "new", ("Brand asset", "Campaign")),
    ("content_issue", "outdated", "resolved", ("Warranty", "Product claim")),
    ("question", None, "new", ()),
    ("question", None, "pending_internal", ("Campaign",)),
    ("question", None, "open", ()),
)

ASSET_SUBJECTS = {
    "Brand asset": "Updated logo pack for co-branded flyers",
    "Product image": "High-resolution images of the {family} range",
    "Safety data sheet": "Current safety data sheet for the {family} series",
    "Product sheet": "Product sheet for the new {family} models",
}
SUBJECTS = {
    "localization": (
        "{language} version of the {family} installation guide",
        "{language} product sheet for the {family} series",
        "{language} subtitles for the {family} training video",
    ),
    "missing": ("Warranty terms for our region are missing", "No datasheet for the {family} X200"),
    "outdated": (
        "Product sheet still lists a discontinued {family}",
        "Safety sheet shows last year's revision",
    ),
    "hard_to_find": ("Hard to find the brand guidelines", "Cannot find the campaign banners"),
    "question": (
        "May we use the campaign banners on marketplace listings?",
        "Which {family} safety sheet revision is current?",
        "Is there a price-free version of the {family} brochure?",
    ),
}
DESCRIPTIONS = {
    "asset_request": "We are preparing material for a regional trade show and need this by "
    "the end of the month. Print quality, please.",
    "localization": "Our customers ask for documentation in their own language; the English "
    "version is attached as reference.",
    "missing": "Our sales team looked in every community folder and could not find it.",
    "outdated": "The file we see does not match the current product; customers noticed.",
    "hard_to_find": "Searched for 'brand book', 'logo usage' and 'guidelines' without results.",
    "question": "Please advise before we go ahead.",
}
LANGUAGE_NAMES = {
    "de-DE": "German",
    "fr-FR": "French",
    "es-MX": "Spanish",
    "pt-BR": "Portuguese",
    "ja-JP": "Japanese",
    "it-IT": "Italian",
    "sv-SE": "Swedish",
}
PARTNER_FOLLOW_UPS = (
    "Any update on this? Our customer is waiting.",
    "Adding a screenshot of what we see in the portal.",
    "Thanks — a PDF would be ideal.",
)
TEAM_REPLIES = (
    "Thanks for flagging this, we are checking with the product team.",
    "The updated file is in review; we expect to publish it this week.",
    "Could you tell us which model numbers you need?",
)
INTERNAL_NOTES = ("Linked to the Q3 refresh of the product sheets.", "Needs legal sign-off.")
