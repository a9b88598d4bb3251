"""Word lists for a synthetic French customer base: names, places, streets, mail domains.

Every list is small and fixed: rows are drawn from them by index with numpy, never built one by one.
The people are fictional; the places, mail providers and name frequencies are real so that the data looks like a
French CRM export.
"""

from __future__ import annotations

import unicodedata

FEMALE_FIRST_NAMES = (
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Valérie", "Christine", "Sandrine",
    "Stéphanie", "Céline", "Sophie", "Véronique", "Anne", "Julie", "Aurélie", "Émilie", "Laetitia", "Caroline",
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Laura", "Pauline", "Mathilde", "Océane",
    "Clémence", "Lucie", "Hélène", "Martine", "Monique", "Nicole", "Brigitte", "Josiane", "Danielle", "Chantal",
    "Élodie", "Audrey", "Amandine", "Marion", "Charlotte", "Margaux", "Juliette", "Alice", "Louise", "Jade",
    "Anaïs", "Justine", "Agnès", "Florence", "Patricia", "Corinne", "Karine", "Delphine", "Virginie", "Nadia",
    "Fatima", "Yasmine", "Amira", "Mélanie", "Zoé",
)
MALE_FIRST_NAMES = (
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Christophe", "Patrick", "Laurent", "Frédéric",
    "Stéphane", "David", "Olivier", "Éric", "Julien", "Sébastien", "Thomas", "Alexandre", "Antoine", "Maxime",
    "Lucas", "Hugo", "Louis", "Théo", "Nathan", "Léo", "Gabriel", "Raphaël", "Arthur", "Paul", "Mathieu",
    "Guillaume", "Romain", "Vincent", "François", "Bernard", "Jacques", "Daniel", "Gérard", "Claude", "Thierry",
    "Pascal", "Bruno", "Didier", "Yves", "Benoît", "Damien", "Jérôme", "Cédric", "Mehdi", "Karim", "Samir",
    "Youssef", "Adrien", "Baptiste", "Clément", "Florian", "Quentin", "Kevin", "Enzo", "Noah", "Jules",
)
# First names given to people of either gender, used for contacts whose gender is recorded as X.
UNISEX_FIRST_NAMES = (
    "Camille", "Dominique", "Claude", "Alex", "Charlie", "Sacha", "Morgan", "Eden", "Lou", "Noa", "Andréa",
    "Maxime", "Ange", "Yael", "Loïs",
)
LAST_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon",
    "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont",
    "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc",
    "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin",
    "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval",
    "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud",
    "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche",
    "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert",
    "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey",
    "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot",
    "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur",
    "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier", "Marty", "Aubry",
    "Guyot", "Carré", "Charles", "Renault", "Charpentier", "Ménard", "Maillard", "Baron", "Bertin", "Bailly",
    "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet", "Léger", "Bouvier", "Julien", "Prévost", "Millet",
    "Perrot", "Daniel", "Le Roux", "Cousin", "Germain", "Breton", "Besson", "Langlois", "Rémy", "Le Goff",
    "Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun", "Marchal", "Weber", "Mallet", "Hamon",
    "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Guichard", "Gillet", "Étienne", "Grondin", "Poulain",
    "Tessier", "Chevallier", "Collin", "Chauvin", "Da Silva", "Bouchet", "Gay", "Lemaître", "Bénard", "Maréchal",
    "Humbert", "Reynaud", "Antoine", "Hoarau", "Perret", "Barthélemy", "Cordier", "Pichon", "Lejeune", "Gilbert",
    "Lamy", "Delaunay", "Pasquier", "Carlier", "Laporte", "Benali", "Haddad", "Nguyen", "Diallo", "Traoré",
)
STREETS = (
    "rue de la République", "rue Victor Hugo", "avenue Jean Jaurès", "rue Pasteur", "boulevard Gambetta",
    "rue Nationale", "place de la Mairie", "rue du Général de Gaulle", "avenue de la Gare", "rue des Écoles",
    "chemin des Vignes", "rue du Moulin", "allée des Tilleuls", "rue Jules Ferry", "rue de l'Église",
    "avenue Foch", "rue Carnot", "rue Émile Zola", "impasse des Lilas", "rue de la Paix", "boulevard Voltaire",
    "rue Saint-Michel", "rue des Acacias", "avenue du Maréchal Leclerc", "rue Anatole France", "quai de la Loire",
    "rue du Château", "route de Paris", "rue des Jardins", "rue Marcel Pagnol", "rue de Verdun", "cours Lafayette",
    "rue Paul Bert", "avenue des Champs", "rue du Stade", "rue de la Liberté", "rue Jean Moulin", "rue Pierre Curie",
    "rue des Roses", "place du Marché",
)
# Fictional small businesses (professional and generic recipients): "{kind}-{surname}.fr".
BUSINESS_KINDS = (
    "atelier", "cabinet", "boulangerie", "studio", "agence", "librairie", "fleurs", "garage", "hotel",
    "restaurant", "immobilier", "conseil", "architecture", "design", "menuiserie", "traiteur", "epicerie",
    "coiffure", "bijouterie", "decoration",
)
GENERIC_MAILBOXES = ("contact", "info", "bonjour", "commandes", "accueil")

# (domain, weight): domains reserved for examples (RFC 2606), so no synthetic address can be a real person's.
PERSONAL_MAIL_DOMAINS = (("example.com", 50), ("example.org", 30), ("example.net", 20))
BUSINESS_MAIL_TLD = ".example"

# (region, city, first postcode, number of consecutive postcodes (arrondissements), weight in the customer base).
FRENCH_CITIES = (
    ("Île-de-France", "Paris", 75001, 20, 80), ("Île-de-France", "Boulogne-Billancourt", 92100, 1, 12),
    ("Île-de-France", "Saint-Denis", 93200, 1, 10), ("Île-de-France", "Versailles", 78000, 1, 9),
    ("Île-de-France", "Créteil", 94000, 1, 8), ("Île-de-France", "Argenteuil", 95100, 1, 8),
    ("Île-de-France", "Nanterre", 92000, 1, 8), ("Île-de-France", "Évry-Courcouronnes", 91000, 1, 6),
    ("Île-de-France", "Meaux", 77100, 1, 5),
    ("Auvergne-Rhône-Alpes", "Lyon", 69001, 9, 40), ("Auvergne-Rhône-Alpes", "Grenoble", 38000, 1, 14),
    ("Auvergne-Rhône-Alpes", "Saint-Étienne", 42000, 1, 12), ("Auvergne-Rhône-Alpes", "Clermont-Ferrand", 63000, 1, 12),
    ("Auvergne-Rhône-Alpes", "Annecy", 74000, 1, 9), ("Auvergne-Rhône-Alpes", "Villeurbanne", 69100, 1, 10),
    ("Auvergne-Rhône-Alpes", "Valence", 26000, 1, 7), ("Auvergne-Rhône-Alpes", "Chambéry", 73000, 1, 6),
    ("Auvergne-Rhône-Alpes", "Bourg-en-Bresse", 1000, 1, 5),
    ("Hauts-de-France", "Lille", 59000, 1, 30), ("Hauts-de-France", "Amiens", 80000, 1, 12),
    ("Hauts-de-France", "Roubaix", 59100, 1, 10), ("Hauts-de-France", "Tourcoing", 59200, 1, 9),
    ("Hauts-de-France", "Dunkerque", 59140, 1, 8), ("Hauts-de-France", "Calais", 62100, 1, 7),
    ("Hauts-de-France", "Beauvais", 60000, 1, 6), ("Hauts-de-France", "Arras", 62000, 1, 6),
    ("Nouvelle-Aquitaine", "Bordeaux", 33000, 1, 35), ("Nouvelle-Aquitaine", "Limoges", 87000, 1, 12),
    ("Nouvelle-Aquitaine", "Poitiers", 86000, 1, 10), ("Nouvelle-Aquitaine", "Pau", 64000, 1, 9),
    ("Nouvelle-Aquitaine", "La Rochelle", 17000, 1, 9), ("Nouvelle-Aquitaine", "Mérignac", 33700, 1, 8),
    ("Nouvelle-Aquitaine", "Bayonne", 64100, 1, 7), ("Nouvelle-Aquitaine", "Angoulême", 16000, 1, 6),
    ("Occitanie", "Toulouse", 31000, 1, 40), ("Occitanie", "Montpellier", 34000, 1, 25),
    ("Occitanie", "Nîmes", 30000, 1, 12), ("Occitanie", "Perpignan", 66000, 1, 10),
    ("Occitanie", "Béziers", 34500, 1, 7), ("Occitanie", "Albi", 81000, 1, 5), ("Occitanie", "Tarbes", 65000, 1, 5),
    ("Grand Est", "Strasbourg", 67000, 1, 30), ("Grand Est", "Reims", 51100, 1, 15),
    ("Grand Est", "Metz", 57000, 1, 14), ("Grand Est", "Nancy", 54000, 1, 13), ("Grand Est", "Mulhouse", 68100, 1, 11),
    ("Grand Est", "Colmar", 68000, 1, 6), ("Grand Est", "Troyes", 10000, 1, 6),
    ("Provence-Alpes-Côte d'Azur", "Marseille", 13001, 16, 40), ("Provence-Alpes-Côte d'Azur", "Nice", 6000, 1, 20),
    ("Provence-Alpes-Côte d'Azur", "Toulon", 83000, 1, 12), ("Provence-Alpes-Côte d'Azur", "Aix-en-Provence", 13100, 1, 10),
    ("Provence-Alpes-Côte d'Azur", "Avignon", 84000, 1, 8), ("Provence-Alpes-Côte d'Azur", "Cannes", 6400, 1, 6),
    ("Pays de la Loire", "Nantes", 44000, 1, 30), ("Pays de la Loire", "Angers", 49000, 1, 14),
    ("Pays de la Loire", "Le Mans", 72000, 1, 12), ("Pays de la Loire", "Saint-Nazaire", 44600, 1, 6),
    ("Pays de la Loire", "La Roche-sur-Yon", 85000, 1, 6), ("Pays de la Loire", "Laval", 53000, 1, 5),
    ("Bretagne", "Rennes", 35000, 1, 25), ("Bretagne", "Brest", 29200, 1, 13), ("Bretagne", "Quimper", 29000, 1, 8),
    ("Bretagne", "Vannes", 56000, 1, 8), ("Bretagne", "Lorient", 56100, 1, 7), ("Bretagne", "Saint-Brieuc", 22000, 1, 6),
    ("Normandie", "Rouen", 76000, 1, 20), ("Normandie", "Caen", 14000, 1, 18), ("Normandie", "Le Havre", 76600, 1, 15),
    ("Normandie", "Cherbourg-en-Cotentin", 50100, 1, 6), ("Normandie", "Évreux", 27000, 1, 6),
    ("Bourgogne-Franche-Comté", "Dijon", 21000, 1, 18), ("Bourgogne-Franche-Comté", "Besançon", 25000, 1, 14),
    ("Bourgogne-Franche-Comté", "Chalon-sur-Saône", 71100, 1, 6), ("Bourgogne-Franche-Comté", "Belfort", 90000, 1, 5),
    ("Bourgogne-Franche-Comté", "Auxerre", 89000, 1, 5),
    ("Centre-Val de Loire", "Tours", 37000, 1, 16), ("Centre-Val de Loire", "Orléans", 45000, 1, 15),
    ("Centre-Val de Loire", "Bourges", 18000, 1, 7), ("Centre-Val de Loire", "Blois", 41000, 1, 6),
    ("Centre-Val de Loire", "Chartres", 28000, 1, 6),
    ("Corse", "Ajaccio", 20000, 1, 3), ("Corse", "Bastia", 20200, 1, 3),
)
# Contacts living abroad (the shop delivers to neighbouring countries): (country, city, postcode, postcode width).
FOREIGN_CITIES = (
    ("BE", "Bruxelles", 1000, 4, 35), ("BE", "Liège", 4000, 4, 15), ("BE", "Namur", 5000, 4, 10),
    ("DE", "Berlin", 10115, 5, 10), ("DE", "Köln", 50667, 5, 8), ("DE", "Saarbrücken", 66111, 5, 8),
    ("ES", "Madrid", 28001, 5, 12), ("ES", "Barcelona", 8001, 5, 12),
    ("IT", "Milano", 20121, 5, 10), ("IT", "Torino", 10121, 5, 8),
)
FOREIGN_STREETS = {
    "BE": ("Rue Neuve", "Avenue Louise", "Chaussée de Waterloo", "Rue de Namur"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schillerstraße"),
    "ES": ("Calle Mayor", "Gran Vía", "Calle de Alcalá", "Passeig de Gràcia"),
    "IT": ("Via Roma", "Corso Italia", "Via Garibaldi", "Via Dante"),
}
REGION_ABROAD = "Hors France"
PHONE_PREFIXES = {"FR": "+33 ", "BE": "+32 ", "DE": "+49 ", "ES": "+34 ", "IT": "+39 "}

# Harmless CRM notes (no personal data, nothing sensitive): what a shop assistant types in a notes field.
HARMLESS_NOTES = (
    "Préfère les offres en magasin",
    "A demandé le catalogue papier",
    "Carte fidélité remplacée en boutique",
    "Livraison en point relais de préférence",
    "Intéressé(e) par la collection maison",
    "Retour produit traité, client satisfait",
    "Souhaite être informé(e) des ventes privées",
    "Commande groupée pour une association",
    "Préfère être contacté(e) en fin de journée",
    "Cliente de la boutique depuis l'ouverture",
)


def ascii_lower(word: str) -> str:
    """'Hélène' -> 'helene', 'Le Goff' -> 'legoff': how a name appears in an email address."""
    folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode("ascii")
    return folded.lower().replace(" ", "").replace("'", "")
