"""The demo in French and Spanish: its content's versions, translated by the wenevents project.

These are not the CITES Secretariat's translations; the meeting's disclaimer says so in each
language (``NOTE``), and the site shows the disclaimer on the meeting, schedule, session and
materials pages. Terms follow docs/glossary.csv (a WEN is a « réseau de lutte contre la
fraude liée aux espèces sauvages » and a « red de observancia y aplicación de la normativa
sobre vida silvestre », keeping the acronym; a session is a « séance » and a « sesión », an
item a « point » and a « tema »…). A body's official French or Spanish name is used where it
has one (COMIFAC, EUROPOL, ASEAN, the WCO's RILOs, ROAVIS as the network writes it itself);
the others are translated descriptively.

``TEXTS`` maps an English text of the demo (wenevents/demo/__init__.py) to its versions, so
an organiser's later edit of the English text leaves the demo's translation unused rather
than wrong. Applying them (``translate``) only fills what is missing: a version an organiser
has written or changed stays, and a second load changes nothing.
"""

from wenevents.languages import TRANSLATED, set_translation, translation
from wenevents.uploads.models import Document

NBSP = "\u00a0"  # before the French « : »

NOTE = {
    "fr": "Traduction assurée par le projet wenevents, non officielle.",
    "es": "Traducción no oficial, realizada por el proyecto wenevents.",
}

_FOURTH_DESCRIPTION_FR = (
    "Le Secrétariat de la Convention sur le commerce international des espèces de faune et de "
    "flore sauvages menacées d'extinction (CITES), en coopération avec ses partenaires du "
    "Consortium international de lutte contre la criminalité liée aux espèces sauvages (ICCWC) "
    "et grâce au généreux soutien financier des États-Unis d'Amérique, a convoqué la quatrième "
    "Réunion mondiale des réseaux de lutte contre la fraude liée aux espèces sauvages les 21 et "
    "22 novembre 2023, en marge de la 19e session de la Conférence des Parties à la CITES "
    "(CoP19), au Panama.\n\n"
    "La réunion a offert un cadre pour renforcer encore les synergies entre les initiatives "
    "existantes et les organismes régionaux de lutte contre la fraude, consolider la "
    "coopération aux niveaux régional et mondial, et examiner les activités qui pourraient être "
    "menées afin de renforcer davantage la riposte à la criminalité liée aux espèces sauvages."
)
_FOURTH_DESCRIPTION_ES = (
    "La Secretaría de la Convención sobre el Comercio Internacional de Especies Amenazadas de "
    "Fauna y Flora Silvestres (CITES), en cooperación con sus asociados del Consorcio "
    "Internacional para Combatir los Delitos contra la Vida Silvestre (ICCWC) y con el generoso "
    "apoyo financiero de los Estados Unidos de América, convocó la cuarta Reunión mundial de "
    "redes de observancia y aplicación de la normativa sobre vida silvestre los días 21 y 22 de "
    "noviembre de 2023, paralelamente a la 19.ª reunión de la Conferencia de las Partes en la "
    "CITES (CoP19), en Panamá.\n\n"
    "La reunión ofreció una plataforma para seguir potenciando las sinergias entre las "
    "iniciativas existentes y los órganos regionales de observancia, fortalecer la cooperación "
    "en los planos regional y mundial, y estudiar las actividades que podrían emprenderse con "
    "el fin de seguir reforzando la respuesta a los delitos contra la vida silvestre."
)

# English text: {"fr": …, "es": …}
TEXTS = {
    # The series.
    "Global Meeting of Wildlife Enforcement Networks": {
        "fr": "Réunion mondiale des réseaux de lutte contre la fraude liée aux espèces sauvages",
        "es": "Reunión mundial de redes de observancia y aplicación de la normativa sobre vida "
        "silvestre",
    },
    (
        "The CITES Secretariat and its partners in the International Consortium on Combating "
        "Wildlife Crime (ICCWC) convene the wildlife enforcement networks of the world in the "
        "margins of the meetings of the Conference of the Parties to CITES."
    ): {
        "fr": "Le Secrétariat CITES et ses partenaires du Consortium international de lutte "
        "contre la criminalité liée aux espèces sauvages (ICCWC) réunissent les réseaux de lutte "
        "contre la fraude liée aux espèces sauvages du monde entier en marge des sessions de la "
        "Conférence des Parties à la CITES.",
        "es": "La Secretaría CITES y sus asociados del Consorcio Internacional para Combatir los "
        "Delitos contra la Vida Silvestre (ICCWC) reúnen a las redes de observancia y aplicación "
        "de la normativa sobre vida silvestre de todo el mundo al margen de las reuniones de la "
        "Conferencia de las Partes en la CITES.",
    },
    # The meetings.
    "First Global Meeting of Wildlife Enforcement Networks": {
        "fr": "Première Réunion mondiale des réseaux de lutte contre la fraude liée aux espèces "
        "sauvages",
        "es": "Primera Reunión mundial de redes de observancia y aplicación de la normativa "
        "sobre vida silvestre",
    },
    "Second Global Meeting of Wildlife Enforcement Networks": {
        "fr": "Deuxième Réunion mondiale des réseaux de lutte contre la fraude liée aux espèces "
        "sauvages",
        "es": "Segunda Reunión mundial de redes de observancia y aplicación de la normativa "
        "sobre vida silvestre",
    },
    "Third Global Meeting of Wildlife Enforcement Networks": {
        "fr": "Troisième Réunion mondiale des réseaux de lutte contre la fraude liée aux espèces "
        "sauvages",
        "es": "Tercera Reunión mundial de redes de observancia y aplicación de la normativa "
        "sobre vida silvestre",
    },
    "4th Global Meeting of Wildlife Enforcement Networks": {
        "fr": "Quatrième Réunion mondiale des réseaux de lutte contre la fraude liée aux espèces "
        "sauvages",
        "es": "Cuarta Reunión mundial de redes de observancia y aplicación de la normativa "
        "sobre vida silvestre",
    },
    (
        "The Secretariat of the Convention on International Trade in Endangered Species of Wild "
        "Fauna and Flora (CITES), in cooperation with its partners from the International "
        "Consortium on Combating Wildlife Crime (ICCWC) and with generous funding support from "
        "the United States of America convened the Fourth Global Meeting of Wildlife Enforcement "
        "Networks on 21 to 22 November 2023, alongside the 19th meeting of the Conference of the "
        "Parties to CITES (CoP19), in Panama.\n\n"
        "The meeting provided a platform for further enhancing synergies between existing "
        "initiatives and regional enforcement bodies, strengthening cooperation at regional and "
        "global levels, and exploring potential activities to be pursued with the aim of further "
        "strengthening responses to wildlife crime."
    ): {"fr": _FOURTH_DESCRIPTION_FR, "es": _FOURTH_DESCRIPTION_ES},
    "Panama Convention Center": {
        "fr": "Centre des congrès de Panama",
        "es": "Centro de Convenciones de Panamá",
    },
    (
        "All content and materials included in the presentations is the sole responsibility of "
        "the respective presenters."
    ): {
        "fr": "Le contenu des exposés et les documents qui y sont présentés relèvent de la seule "
        "responsabilité de leurs auteurs respectifs. " + NOTE["fr"],
        "es": "Todo el contenido y los materiales incluidos en las presentaciones son "
        "responsabilidad exclusiva de sus respectivos presentadores. " + NOTE["es"],
    },
    # The sessions (4 and 7 share their title).
    "Outcomes from the 3rd Global meeting of WENs and activities undertaken in this regard": {
        "fr": "Résultats de la 3e Réunion mondiale des WEN et activités menées à cet égard",
        "es": "Resultados de la 3.ª Reunión mundial de las WEN y actividades realizadas al "
        "respecto",
    },
    "Increased collaboration and communication, both within and between networks": {
        "fr": "Renforcement de la collaboration et de la communication, au sein des réseaux et "
        "entre eux",
        "es": "Mayor colaboración y comunicación, tanto dentro de las redes como entre ellas",
    },
    "Exploring opportunities to further enhance synergies and collaboration": {
        "fr": "Étude des possibilités de renforcer encore les synergies et la collaboration",
        "es": "Exploración de oportunidades para seguir potenciando las sinergias y la "
        "colaboración",
    },
    "Closed session for network representatives": {
        "fr": "Séance à huis clos réservée aux représentants des réseaux",
        "es": "Sesión a puerta cerrada para los representantes de las redes",
    },
    "Promoting the use of existing tools and services": {
        "fr": "Promotion de l'utilisation des outils et services existants",
        "es": "Promoción del uso de las herramientas y los servicios existentes",
    },
    "Operational support and opportunities for WEN engagement": {
        "fr": "Appui opérationnel et possibilités de participation des WEN",
        "es": "Apoyo operativo y oportunidades de participación de las WEN",
    },
    (
        "Identification of key wildlife crime trends and associated matters and engagement in "
        "operational activities at global/regional level"
    ): {
        "fr": "Identification des principales tendances de la criminalité liée aux espèces "
        "sauvages et des questions connexes, et participation aux activités opérationnelles aux "
        "niveaux mondial et régional",
        "es": "Identificación de las principales tendencias de los delitos contra la vida "
        "silvestre y cuestiones conexas, y participación en actividades operativas a nivel "
        "mundial y regional",
    },
    # The items: discussions and breaks…
    "Welcome and opening remarks": {
        "fr": "Accueil et allocutions d'ouverture",
        "es": "Bienvenida y palabras de apertura",
    },
    "Questions and discussion": {"fr": "Questions et débat", "es": "Preguntas y debate"},
    "Coffee break": {"fr": "Pause-café", "es": "Pausa para el café"},
    "Panel discussion on synergies between networks": {
        "fr": "Table ronde sur les synergies entre les réseaux",
        "es": "Mesa redonda sobre las sinergias entre las redes",
    },
    "Exchange on ongoing cases": {
        "fr": "Échange sur les affaires en cours",
        "es": "Intercambio sobre los casos en curso",
    },
    "Operational planning": {"fr": "Planification opérationnelle", "es": "Planificación operativa"},
    "Conclusions and closing remarks": {
        "fr": "Conclusions et allocutions de clôture",
        "es": "Conclusiones y palabras de clausura",
    },
    # …and the networks' presentations.
    "Activities since the 3rd Global Meeting": {
        "fr": "Activités menées depuis la 3e Réunion mondiale",
        "es": "Actividades realizadas desde la 3.ª Reunión mundial",
    },
    "Communication within the network and with its neighbours": {
        "fr": "Communication au sein du réseau et avec les réseaux voisins",
        "es": "Comunicación dentro de la red y con las redes vecinas",
    },
    "Synergies with regional partners": {
        "fr": "Synergies avec les partenaires régionaux",
        "es": "Sinergias con los asociados regionales",
    },
    "Tools and services the network uses": {
        "fr": "Outils et services utilisés par le réseau",
        "es": "Herramientas y servicios que utiliza la red",
    },
    "Operational support: needs and offers": {
        "fr": f"Appui opérationnel{NBSP}: besoins et offres",
        "es": "Apoyo operativo: necesidades y ofertas",
    },
    "Wildlife crime trends in the region": {
        "fr": "Tendances de la criminalité liée aux espèces sauvages dans la région",
        "es": "Tendencias de los delitos contra la vida silvestre en la región",
    },
    # The networks, by their names on the seed page.
    (
        "Association of Southeast Asian Nations Working Group on CITES and Wildlife Enforcement "
        "(ASEAN CITES and WE)"
    ): {
        "fr": "Groupe de travail de l'Association des nations de l'Asie du Sud-Est sur la CITES "
        "et la lutte contre la fraude liée aux espèces sauvages (ASEAN CITES and WE)",
        "es": "Grupo de Trabajo de la Asociación de Naciones de Asia Sudoriental sobre la CITES "
        "y la Observancia de la Normativa sobre Vida Silvestre (ASEAN CITES and WE)",
    },
    "China National Inter-agencies CITES Enforcement Coordination Group": {
        "fr": "Groupe national interinstitutions de coordination de la lutte contre la fraude "
        "CITES (Chine)",
        "es": "Grupo Nacional Interinstitucional de Coordinación de la Observancia de la CITES "
        "(China)",
    },
    "Commission of Central African Forests / Central Africa WEN": {
        "fr": "Commission des forêts d'Afrique centrale / WEN d'Afrique centrale",
        "es": "Comisión de Bosques de África Central / WEN de África Central",
    },
    "European Commission Enforcement Working Group": {
        "fr": "Groupe de travail de la Commission européenne sur la lutte contre la fraude",
        "es": "Grupo de Trabajo de la Comisión Europea sobre Observancia",
    },
    "European Union Agency for Law Enforcement Cooperation": {
        "fr": "Agence de l'Union européenne pour la coopération des services répressifs",
        "es": "Agencia de la Unión Europea para la Cooperación Policial",
    },
    "Horn of Africa Wildlife Enforcement Network": {
        "fr": "Réseau de lutte contre la fraude liée aux espèces sauvages de la Corne de l'Afrique",
        "es": "Red de observancia y aplicación de la normativa sobre vida silvestre del Cuerno "
        "de África",
    },
    (
        "Latin American Environmental Prosecutors Network / South America Wildlife Enforcement "
        "Network"
    ): {
        "fr": "Réseau latino-américain des procureurs de l'environnement / Réseau sud-américain "
        "de lutte contre la fraude liée aux espèces sauvages",
        "es": "Red Latinoamericana de Fiscales Ambientales / Red sudamericana de observancia y "
        "aplicación de la normativa sobre vida silvestre",
    },
    "Lusaka Agreement Taskforce": {
        "fr": "Équipe spéciale de l'Accord de Lusaka",
        "es": "Equipo de Tareas del Acuerdo de Lusaka",
    },
    "North America Wildlife Enforcement Group": {
        "fr": "Groupe nord-américain de lutte contre la fraude liée aux espèces sauvages",
        "es": "Grupo de observancia y aplicación de la normativa sobre vida silvestre de América "
        "del Norte",
    },
    # The seed page writes ROAVIS's name in Spanish already, a little shortened: its Spanish
    # version is the name the network uses itself.
    (
        "Red de Observancia y Aplicación de la Normativa Silvestre para Centroamérica y República "
        "Dominicana / Central America WEN"
    ): {
        "fr": "Réseau de lutte contre la fraude liée aux espèces sauvages d'Amérique centrale et "
        "de la République dominicaine / WEN d'Amérique centrale",
        "es": "Red de Observancia y Aplicación de la Normativa de Vida Silvestre de Centroamérica "
        "y República Dominicana",
    },
    "Rhino and Elephant Security Group": {
        "fr": "Groupe pour la sécurité des rhinocéros et des éléphants",
        "es": "Grupo de Seguridad de Rinocerontes y Elefantes",
    },
    "South Asia Wildlife Enforcement Network": {
        "fr": "Réseau de lutte contre la fraude liée aux espèces sauvages d'Asie du Sud",
        "es": "Red de observancia y aplicación de la normativa sobre vida silvestre de Asia "
        "Meridional",
    },
    "World Customs Organization (WCO) Regional Intelligence Liaison Office for Central Africa": {
        "fr": "Organisation mondiale des douanes (OMD), Bureau régional de liaison chargé du "
        "renseignement pour l'Afrique centrale",
        "es": "Organización Mundial de Aduanas (OMA), Oficina Regional de Enlace de Inteligencia "
        "para África Central",
    },
    "World Customs Organization (WCO) Regional Intelligence Liaison Office for West Africa": {
        "fr": "Organisation mondiale des douanes (OMD), Bureau régional de liaison chargé du "
        "renseignement pour l'Afrique de l'Ouest",
        "es": "Organización Mundial de Aduanas (OMA), Oficina Regional de Enlace de Inteligencia "
        "para África Occidental",
    },
    # The meeting's documents (the information sheets' and slides' titles are made from the
    # network's name and the presentation's title, below).
    "Report of the meeting": {"fr": "Rapport de la réunion", "es": "Informe de la reunión"},
    "Agenda of the meeting": {"fr": "Ordre du jour de la réunion", "es": "Programa de la reunión"},
    "Press release": {"fr": "Communiqué de presse", "es": "Comunicado de prensa"},
}

# How the demo names a network's information sheet, in each language.
INFORMATION_SHEET = {
    "en": "Information sheet: {name}",
    "fr": "Fiche d'information" + NBSP + ": {name}",
    "es": "Ficha informativa: {name}",
}


def version(english, language):
    """The demo's ``language`` version of ``english`` ("" when it has none)."""
    return (TEXTS.get(english) or {}).get(language, "")


def translate(obj):
    """Give ``obj`` the demo's versions its translated fields lack; return how many."""
    added = 0
    for field in obj.translated_fields:
        for language in TRANSLATED:
            if translation(obj, field, language).strip():
                continue
            text = version(getattr(obj, field) or "", language) or _made_up(obj, field, language)
            if text:
                set_translation(obj, field, language, text)
                added += 1
    return added


def _made_up(document, field, language):
    """A title the demo makes from another text: a network's information sheet (from the
    network's name) and a presentation's slides (from the presentation's title)."""
    if field != "title" or not isinstance(document, Document):
        return ""
    network, item = document.network, document.agenda_item
    if network is not None and document.title == INFORMATION_SHEET["en"].format(name=network.name):
        name = translation(network, "name", language) or version(network.name, language)
        return INFORMATION_SHEET[language].format(name=name) if name else ""
    slides = item is not None and item.network is not None
    if slides and document.title == f"{item.title} ({item.network.acronym})":
        title = translation(item, "title", language) or version(item.title, language)
        return f"{title} ({item.network.acronym})" if title else ""
    return ""
