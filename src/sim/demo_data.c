/* demo_data.c — the demo chain's word lists and catalogue (see demo_data.h). */
#include "sim/demo_data.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define WORDS(a) {(a), (uint32_t)COUNT(a)}

/* The arrays with a count in demo_data.h are defined without one here: a
 * row too many or too few is then a conflicting type, not silent zeros. */

/* ---- the chain --------------------------------------------------------- */

const struct demo_store demo_chain[] = {
    {"AMS01", "Warenhuis Amsterdam Kalverstraat", "Amsterdam", "amsterdam", 16},
    {"RTM01", "Warenhuis Rotterdam Lijnbaan", "Rotterdam", "rotterdam", 13},
    {"UTR01", "Warenhuis Utrecht Hoog Catharijne", "Utrecht", "utrecht", 12},
    {"DHG01", "Warenhuis Den Haag Grote Marktstraat", "Den Haag", "denhaag", 11},
    {"EIN01", "Warenhuis Eindhoven Piazza", "Eindhoven", "eindhoven", 9},
    {"GRO01", "Warenhuis Groningen Herestraat", "Groningen", "groningen", 7},
    {"NIJ01", "Warenhuis Nijmegen Broerstraat", "Nijmegen", "nijmegen", 6},
    {"ARN01", "Warenhuis Arnhem Ketelstraat", "Arnhem", "arnhem", 6},
    {"HLM01", "Warenhuis Haarlem Grote Houtstraat", "Haarlem", "haarlem", 5},
    {"MST01", "Warenhuis Maastricht Entre Deux", "Maastricht", "maastricht", 5},
    {"ZWO01", "Warenhuis Zwolle Diezerstraat", "Zwolle", "zwolle", 5},
    {"BRD01", "Warenhuis Breda Ginnekenstraat", "Breda", "breda", 5},
};

/* ---- names, common first ----------------------------------------------- */

static const char *const first_common[] = {
    "Sanne", "Jan", "Emma", "Daan", "Lotte", "Peter", "Julia", "Sem", "Anna", "Kees", "Sophie", "Bas",
    "Eva", "Thijs", "Iris", "Henk", "Fleur", "Lucas", "Anouk", "Willem", "Marieke", "Ruben", "Femke",
    "Jeroen", "Noor", "Bram", "Linda", "Johan", "Esther", "Mark", "Ingrid", "Maarten", "Petra", "Gerrit",
    "Monique", "Tim", "Yvonne", "Niels", "Wilma", "Joris", "Tess", "Stijn", "Maud", "Wouter", "Lisa",
    "Ruud", "Ilse", "Jesse", "Saar", "Milan", "Evi", "Finn", "Annemieke", "Levi", "Gerda", "Dennis",
    "Karin", "Luuk", "Mees", "Hanneke", "Sjoerd", "Marco", "Roos", "Pieter", "Lieke", "Hans", "Nina",
    "Jasper", "Bart", "Astrid", "Freek", "Miriam", "Koen", "Vera", "Dirk", "Mirjam", "Rik", "Ellen",
};

static const char *const first_rare[] = {
    "José", "Zoë", "Chloë", "Noël", "Anaïs", "Joël", "Joëlle", "Renée", "André", "René", "Hélène",
    "Inès", "Maëlle", "Loïs", "Michaël", "Raphaël", "Ömer", "Ayşe", "Çağla", "Gülşen", "Agnès",
    "François", "Jürgen", "Søren", "Björn", "Mehmet", "Fatma", "Mohamed", "Fatima", "Youssef",
    "Nadia", "Yasmina", "Priya", "Amélie", "Océane", "Thérèse", "Żaneta", "Małgorzata", "Łukasz",
    "Zoltán", "Ángel", "Dóra", "Siân", "Aoife", "Pierre-Yves", "Anne-Marie", "Jean-Paul",
};

static const char *const last_common[] = {
    "de Vries", "Jansen", "de Jong", "van den Berg", "Bakker", "van Dijk", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer",
    "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen",
    "van den Broek", "de Bruijn", "de Bruin", "van der Heijden", "Schouten", "van Beek", "Willems",
    "van Vliet", "van de Ven", "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam", "van der Wal",
    "Prins", "Blom", "Huisman", "Peeters", "de Jonge", "Kuipers", "van Veen", "Post", "Kuiper",
    "Veenstra", "Kramer", "van den Brink", "Scholten", "van Wijk", "Postma", "Martens", "Vink",
    "de Ruiter", "Timmermans", "Groen", "Gerritsen", "Jonker", "van Loon", "Boer", "van der Velde",
    "Willemsen", "Smeets", "de Lange", "de Vos", "Bosch", "van Dongen", "Schipper", "de Koning",
    "van der Laan", "Koning", "Driessen", "van Doorn", "Hermans", "Evers", "van den Bosch",
    "van der Meulen", "Hofman", "Bosman", "Wolters", "Sanders", "van der Horst", "Mol", "Kuijpers",
    "Molenaar", "van de Pol", "de Leeuw", "Verbeek", "Dijkman", "Brinkman", "Wijnands",
};

static const char *const last_rare[] = {
    "Müller", "van 't Hek", "Çelik", "Yılmaz", "Şahin", "Öztürk", "Kaya", "Demir", "El Amrani",
    "Bouzid", "Ouali", "Kowalski", "Nowak", "Wiśniewski", "Dvořák", "Janković", "Schröder",
    "Bäcker", "Faßbender", "Lefèvre", "Gómez", "Peña", "García", "Fernández", "'t Hooft",
    "d'Ancona", "van 't Zand", "ter Horst", "in 't Veld", "op den Akker", "Ündemir", "Jiménez",
    "Łopatka", "Nørgaard", "Göksu", "Sánchez", "Doğan", "Kılıç", "Aydın", "Özdemir",
};

static const char *const mail_domains[] = {
    "gmail.com", "gmail.com", "gmail.com", "hotmail.com", "hotmail.com", "outlook.com", "ziggo.nl",
    "ziggo.nl", "kpnmail.nl", "live.nl", "icloud.com", "xs4all.nl", "planet.nl", "home.nl",
    "yahoo.com", "hotmail.nl", "upcmail.nl", "telfort.nl",
};

/* ---- the catalogue ----------------------------------------------------- */

const struct demo_ptype demo_ptypes[] = {
    {"dames", "Jurk", 40, 140, "Esprit|Vero Moda|Part Two|Summum|Atelier Oranje", "zwart|marine|bordeaux|groen|bloemenprint", 9},
    {"dames", "Gebreide trui", 35, 120, "Esprit|Part Two|Selected Femme|Atelier Oranje", "camel|grijs|ecru|oudroze", 8},
    {"dames", "Vest merinowol", 45, 130, "Part Two|Atelier Oranje|Gaastra", "antraciet|camel|marine", 5},
    {"dames", "Blouse", 30, 90, "Esprit|Vero Moda|Summum", "wit|lichtblauw|zwart|print", 6},
    {"dames", "Jeans slim fit", 50, 110, "Levi's|Only|Mexx", "blue denim|black denim|light wash", 7},
    {"dames", "Winterjas", 120, 300, "Gaastra|Esprit|Atelier Oranje", "zwart|camel|olijf", 3},
    {"dames", "Sjaal wol", 20, 60, "Atelier Oranje|Esprit", "grijs|bordeaux|ruit", 3},
    {"heren", "Overhemd", 40, 110, "Tommy Hilfiger|Van Gils|Atelier Oranje", "wit|lichtblauw|streep", 7},
    {"heren", "Gebreide trui", 50, 150, "Tommy Hilfiger|Gaastra|Scotch & Soda|Atelier Oranje", "marine|grijs|groen", 6},
    {"heren", "Chino", 50, 100, "Scotch & Soda|Tommy Hilfiger|Mexx", "beige|navy|olijf", 5},
    {"heren", "Colbert", 150, 350, "Van Gils|Atelier Oranje", "antraciet|navy|bruin", 2},
    {"heren", "Jeans regular", 60, 120, "Levi's|Jack & Jones", "blue denim|black denim", 6},
    {"heren", "Sokken 3-pack", 10, 20, "Björn Borg|Atelier Oranje", "zwart|mix", 5},
    {"kinderen", "Kinderjas", 35, 90, "Name it|Atelier Oranje Kids", "rood|blauw|geel", 4},
    {"kinderen", "Rompertje 2-pack", 12, 25, "Name it|Noppies", "wit|grijs|print", 4},
    {"kinderen", "Pyjama", 15, 35, "Name it|Atelier Oranje Kids", "dino|sterren|streep", 4},
    {"kinderen", "Sneakers kids", 30, 70, "Vingino|Nike", "wit|zwart|roze", 3},
    {"wonen", "Dekbedovertrek", 40, 120, "Ambiante|Essenza|Beddinghouse", "wit|grijs|oud groen", 4},
    {"wonen", "Plaid", 30, 90, "Essenza|Ambiante", "oker|grijs|ecru", 3},
    {"wonen", "Vaas", 15, 70, "Riviera Maison|Atelier Oranje Home", "glas|keramiek", 3},
    {"wonen", "Hoofdkussen", 25, 80, "Ambiante|Beddinghouse", "synthetisch|dons", 3},
    {"keuken", "Keukenweegschaal digitaal", 15, 45, "Salter|Soehnle|Brabantia", "rvs|zwart|wit", 3},
    {"keuken", "Koekenpan 28 cm", 30, 120, "Tefal|BK|Le Creuset", "inductie|gas", 4},
    {"keuken", "Koffiezetapparaat", 40, 150, "Philips|Moccamaster|Bosch", "zwart|rvs", 3},
    {"keuken", "Waterkoker", 25, 80, "Philips|Bosch|Smeg", "zwart|wit|rood", 3},
    {"keuken", "Messenset", 40, 180, "WMF|Zwilling", "3-delig|5-delig", 2},
    {"keuken", "Vershoudbakjes set", 10, 30, "Brabantia|Tupperware", "5-delig|10-delig", 3},
    {"elektra", "Steelstofzuiger", 150, 500, "Dyson|Philips|Bosch", "draadloos|met accu", 2},
    {"elektra", "Stofzuiger met zak", 90, 300, "Miele|Philips|Bosch", "EcoLine|Complete", 2},
    {"elektra", "Elektrische tandenborstel", 30, 180, "Philips|Oral-B", "wit|zwart", 3},
    {"elektra", "Föhn", 25, 120, "Philips|Remington|BaByliss", "zwart|roze", 2},
    {"elektra", "Koptelefoon", 50, 300, "Sony|JBL|Bose", "zwart|wit", 2},
    {"beauty", "Eau de parfum 50 ml", 40, 120, "Chanel|Dior|Lancôme|Hugo Boss", "dames|heren", 3},
    {"beauty", "Dagcrème", 15, 60, "Nivea|Clinique|L'Oréal", "normale huid|droge huid", 3},
    {"sport", "Hardloopschoenen", 80, 160, "Asics|Nike|Adidas", "dames|heren", 3},
    {"sport", "Sportlegging", 25, 60, "Nike|Adidas|Björn Borg", "zwart|marine", 3},
};

const char *const demo_categories[] = {"dames", "heren", "kinderen", "wonen", "keuken", "elektra", "beauty", "sport"};

/* Goods not sold here: the first ones are brought back for credit, the last
 * ones come in defective for repair (brands the chain does not carry). */
const struct demo_goods demo_not_ours[] = {
    {"Mango", "Gouden jurk"}, {"Zara", "Blazer"}, {"COS", "Wollen jas"}, {"Massimo Dutti", "Zijden blouse"},
    {"Hunkemöller", "Badjas"}, {"Vorwerk", "Stofzuiger Kobold"}, {"Nespresso", "Koffiemachine"},
};

static const char *const case_words[] = {
    "Past niet goed.", "Toch niet de goede kleur.", "Dubbel gekregen.", "Kassabon kwijt, wel met klantenpas gekocht.",
    "Gekregen als cadeau, maar ik heb het al.", "Werkt niet meer.", "Niet bij jullie gekocht, maar ik hoop dat het kan.",
    "Niet tevreden over de kwaliteit.", "Een keer gedragen, valt toch anders.", "",
};

const size_t demo_nptypes = COUNT(demo_ptypes);
const struct demo_words demo_first_common = WORDS(first_common), demo_first_rare = WORDS(first_rare),
                        demo_last_common = WORDS(last_common), demo_last_rare = WORDS(last_rare),
                        demo_mail_domains = WORDS(mail_domains), demo_case_words = WORDS(case_words);
