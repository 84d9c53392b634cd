/**
 * The words of the demo: street names of the Nancy area, fictitious citizens, and what
 * citizens and agents write about each kind of request. All people are invented; the
 * e-mail domains and phone numbers are the ranges reserved for examples and fiction.
 */

/** Postcode and a rough population weight (thousands of inhabitants) per INSEE code. */
export const COMMUNES: Record<string, { postcode: string; weight: number }> = {
  '54395': { postcode: '54000', weight: 104 }, // Nancy
  '54547': { postcode: '54500', weight: 30 }, // Vandœuvre-lès-Nancy
  '54578': { postcode: '54600', weight: 14 }, // Villers-lès-Nancy
  '54304': { postcode: '54520', weight: 14 }, // Laxou
  '54357': { postcode: '54320', weight: 10 }, // Maxéville
  '54482': { postcode: '54130', weight: 10 }, // Saint-Max
  '54274': { postcode: '54140', weight: 9 }, // Jarville-la-Malgrange
  '54526': { postcode: '54510', weight: 9 }, // Tomblaine
  '54184': { postcode: '54270', weight: 9 }, // Essey-lès-Nancy
  '54339': { postcode: '54220', weight: 8 }, // Malzéville
  '54300': { postcode: '54410', weight: 7 }, // Laneuveville-devant-Nancy
  '54328': { postcode: '54710', weight: 6 }, // Ludres
  '54257': { postcode: '54180', weight: 6 }, // Heillecourt
  '54498': { postcode: '54280', weight: 5 }, // Seichamps
  '54439': { postcode: '54425', weight: 5 }, // Pulnoy
  '54495': { postcode: '54420', weight: 4 }, // Saulxures-lès-Nancy
  '54197': { postcode: '54710', weight: 2.5 }, // Fléville-devant-Nancy
  '54265': { postcode: '54180', weight: 2.3 }, // Houdemont
  '54025': { postcode: '54510', weight: 1.5 }, // Art-sur-Meurthe
  '54165': { postcode: '54130', weight: 0.7 }, // Dommartemont
}

/** Streets of each commune (real names of the area; numbers are drawn at random). */
export const STREETS: Record<string, readonly string[]> = {
  '54395': [
    'rue Saint-Dizier',
    'rue Saint-Jean',
    'rue des Dominicains',
    'rue Stanislas',
    'place Stanislas',
    'rue Gambetta',
    'cours Léopold',
    'rue de la Hache',
    'rue Saint-Georges',
    'rue des Carmes',
    'rue Jeanne-d’Arc',
    'avenue Foch',
    'rue Raymond-Poincaré',
    'boulevard Lobau',
    'rue Charles-III',
    'rue de Metz',
    'avenue du Général-Leclerc',
    'boulevard d’Haussonville',
    'rue Victor-Hugo',
    'rue de la Commanderie',
    'rue Mon-Désert',
    'rue Isabey',
    'rue de Strasbourg',
    'rue du Sergent-Blandan',
    'quai Claude-le-Lorrain',
    'rue Oberlin',
    'rue des Jardiniers',
    'rue Henri-Poincaré',
    'place Carnot',
    'rue de Laxou',
    'boulevard Albert-Ier',
    'rue du Haut-Bourgeois',
    'rue de la Ravinelle',
    'avenue de Boufflers',
    'rue Pierre-Fourier',
    'rue Saint-Nicolas',
    'rue de Villers',
    'boulevard Jean-Jaurès',
  ],
  '54547': [
    'boulevard de l’Europe',
    'avenue Jeanne-d’Arc',
    'rue de Parme',
    'rue Gabriel-Péri',
    'avenue du Général-Leclerc',
    'rue de Rhodes',
    'rue de Norvège',
    'boulevard Jean-Jaurès',
    'rue d’Auvergne',
    'rue de la Gare',
  ],
  '54578': [
    'boulevard des Aiguillettes',
    'rue de Brabois',
    'avenue Paul-Muller',
    'rue Albert-Ier',
    'rue du Placieux',
  ],
  '54304': [
    'avenue de la Résistance',
    'rue de la Meuse',
    'avenue Paul-Déroulède',
    'rue Émile-Zola',
    'rue de la Forêt',
  ],
  '54357': ['rue Solvay', 'avenue Patton', 'rue du 15-Septembre-1944', 'rue de la Justice', 'rue Saint-Maur'],
  '54482': ['rue Gambetta', 'avenue Carnot', 'rue Gustave-Eiffel', 'rue de la République', 'rue Pasteur'],
  '54274': ['avenue de la République', 'rue de la Malgrange', 'rue Gabriel-Fauré', 'rue Jean-Jaurès'],
  '54526': ['avenue de la Paix', 'rue Jean-Moulin', 'avenue Jean-Jaurès', 'rue de l’Embanie'],
  '54184': ['avenue Foch', 'rue Roger-Salengro', 'rue de la Paix', 'rue de Mazagran', 'rue Pasteur'],
  '54339': ['rue du Général-Leclerc', 'rue Pasteur', 'avenue Victor-Claude', 'rue de la Douëra'],
  '54300': ['rue Gabriel-Péri', 'route de Lunéville', 'rue de la Gare', 'rue Jean-Jaurès'],
  '54328': ['rue Jean-Jaurès', 'rue de la Vierge', 'avenue de la Libération', 'rue du Château'],
  '54257': ['rue du Général-de-Gaulle', 'rue de la Bergerie', 'avenue des Erables'],
  '54498': ['rue Georges-Clemenceau', 'rue de la Justice', 'rue des Écoles'],
  '54439': ['rue de Seichamps', 'rue du Bois', 'rue de la Fontaine'],
  '54495': ['rue de la Grande-Fin', 'rue de Tomblaine', 'rue des Jardins'],
  '54197': ['rue de Nancy', 'rue du Château', 'rue des Tilleuls'],
  '54265': ['rue de la Forêt', 'rue du Général-Leclerc', 'rue de Nancy'],
  '54025': ['rue de la Meurthe', 'rue du Château', 'Grande Rue'],
  '54165': ['rue de la Source', 'chemin des Vignes', 'rue du Plateau'],
}

export const FIRST_NAMES = [
  'Camille',
  'Léa',
  'Manon',
  'Chloé',
  'Emma',
  'Inès',
  'Sarah',
  'Julie',
  'Laura',
  'Marion',
  'Élodie',
  'Anaïs',
  'Océane',
  'Mathilde',
  'Pauline',
  'Céline',
  'Nathalie',
  'Isabelle',
  'Sophie',
  'Hélène',
  'Françoise',
  'Monique',
  'Thomas',
  'Lucas',
  'Hugo',
  'Nicolas',
  'Julien',
  'Maxime',
  'Antoine',
  'Alexandre',
  'Quentin',
  'Romain',
  'Jérôme',
  'Stéphane',
  'Sébastien',
  'Olivier',
  'Philippe',
  'Christophe',
  'François',
  'Bernard',
  'Gérard',
  'Mehdi',
  'Karim',
  'Yasmine',
  'Amine',
  'Fatima',
  'Mamadou',
  'Aïssatou',
  'Nguyen',
  'Chloé',
  'Théo',
  'Noémie',
] as const

export const LAST_NAMES = [
  'Martin',
  'Bernard',
  'Thomas',
  'Petit',
  'Robert',
  'Richard',
  'Durand',
  'Dubois',
  'Moreau',
  'Laurent',
  'Simon',
  'Michel',
  'Lefèvre',
  'Leroy',
  'Roux',
  'David',
  'Bertrand',
  'Morel',
  'Fournier',
  'Girard',
  'Colin',
  'Mathieu',
  'Henry',
  'Masson',
  'Marchal',
  'Thiriet',
  'Claudel',
  'Jacquot',
  'Humbert',
  'Didier',
  'Georges',
  'Gérardin',
  'Mangin',
  'Perrin',
  'Poirson',
  'Vautrin',
  'Pierson',
  'Guillaume',
  'François',
  'Antoine',
  'Benali',
  'Haddad',
  'Diallo',
  'Nguyen',
  'Lambert',
  'Muller',
  'Schmitt',
  'Klein',
  'Weber',
  'Hoffmann',
] as const

/** Domains reserved for examples (RFC 2606) and French fiction phone numbers (ARCEP: 06 39 98 xx xx). */
export const EMAIL_DOMAINS = ['example.fr', 'example.org', 'example.com'] as const
export const FICTION_MOBILE_PREFIX = '06 39 98'

/** Where something is, in the citizen's words: `{street}`, `{num}` are filled in. */
const PLACE = [
  'devant le {num} {street}',
  'au niveau du {num} {street}',
  'à l’angle du {num} {street}',
  '{street}, près du n° {num}',
]

/** What citizens write, per category: a title and a description. `{where}`, `{days}`, `{sub}` are filled in. */
export const TEXTS: Record<string, { titles: readonly string[]; descriptions: readonly string[] }> = {
  voirie: {
    titles: [
      '{sub} {street}',
      'Chaussée abîmée {street}',
      'Trou dangereux sur la chaussée',
      'Trottoir impraticable',
    ],
    descriptions: [
      'Un nid-de-poule profond s’est formé {where}. Plusieurs cyclistes ont failli chuter.',
      'Le trottoir est défoncé {where}, impossible de passer avec une poussette ou un fauteuil roulant.',
      'Le panneau stop {where} est couché au sol depuis {days} jours.',
      'Le marquage du passage piéton {where} a complètement disparu, c’est dangereux aux heures d’école.',
      'Des pavés se sont descellés {where}. Quelqu’un risque de se blesser.',
      'Potelet arraché {where}, les voitures se garent désormais sur le trottoir.',
    ],
  },
  'eclairage-public': {
    titles: [
      '{sub} {street}',
      'Lampadaire en panne',
      'Rue plongée dans le noir',
      'Éclairage défaillant {street}',
    ],
    descriptions: [
      'Le lampadaire {where} est éteint depuis {days} jours, la rue est très sombre le soir.',
      'L’éclairage public clignote toute la nuit {where}, c’est gênant pour les riverains.',
      'Plusieurs lampadaires sont éteints {where}. Le trottoir n’est plus éclairé du tout.',
      'Le candélabre {where} a été percuté par un véhicule et penche dangereusement.',
      'L’éclairage reste allumé en plein jour {where}, quel gaspillage d’énergie.',
      'Lampadaire éteint {where} : les enfants rentrent de l’école dans le noir.',
    ],
  },
  'depot-sauvage': {
    titles: [
      'Dépôt sauvage {street}',
      '{sub} abandonnés sur le trottoir',
      'Encombrants déposés illégalement',
    ],
    descriptions: [
      'Un dépôt sauvage d’encombrants (matelas, meubles) {where} depuis {days} jours.',
      'Des sacs d’ordures ont été abandonnés {where}, les rats commencent à venir.',
      'Gravats et plaques de plâtre déposés {where}, sans doute un chantier voisin.',
      'Des déchets verts ont été déversés {where}, au pied des arbres.',
      'Réfrigérateur et machine à laver abandonnés {where}.',
    ],
  },
  proprete: {
    titles: ['Propreté {street}', '{sub}', 'Trottoir sale {street}'],
    descriptions: [
      'La corbeille {where} déborde depuis {days} jours.',
      'Beaucoup de déjections canines {where}, le trottoir est très sale.',
      'Des feuilles mortes rendent le trottoir glissant {where}.',
      'Du verre brisé {where}, dangereux pour les enfants et les chiens.',
    ],
  },
  tags: {
    titles: ['Tags {street}', 'Graffitis sur {sub}', 'Façade taguée'],
    descriptions: [
      'Des tags ont été peints sur la façade {where} pendant la nuit.',
      'Graffitis injurieux sur l’abribus {where}, à enlever rapidement.',
      'Le mur de l’école {where} est couvert de tags.',
      'Tags sur les boîtiers électriques {where}.',
    ],
  },
  'espaces-verts': {
    titles: ['Espaces verts {street}', '{sub}', 'Entretien du square'],
    descriptions: [
      'Une grosse branche menace de tomber {where}, il faudrait élaguer l’arbre.',
      'L’herbe n’a pas été tondue depuis des semaines dans le square {where}.',
      'Un jeu de l’aire de jeux {where} est cassé, les enfants peuvent se blesser.',
      'La haie {where} déborde sur le trottoir et gêne le passage.',
      'Arbre penché après la tempête {where}.',
    ],
  },
  'collecte-dechets': {
    titles: ['{sub}', 'Poubelles non ramassées {street}', 'Problème de bac'],
    descriptions: [
      'Le bac jaune n’a pas été collecté {where} mardi dernier.',
      'Notre bac à ordures ménagères a été cassé lors de la collecte {where}.',
      'Nous venons d’emménager {where} et n’avons pas de bac.',
      'Quels sont les jours de collecte des déchets recyclables {where} ?',
      'Les bacs ne sont plus ramassés depuis {days} jours {where}.',
    ],
  },
  bruit: {
    titles: ['Nuisances sonores {street}', 'Bruit : {sub}', 'Bruit la nuit'],
    descriptions: [
      'Le chantier {where} commence avant 7 heures tous les matins.',
      'Musique très forte tous les soirs {where}, impossible de dormir.',
      'Le bar {where} laisse ses clients dans la rue jusqu’à 2 heures.',
      'Une alarme sonne sans arrêt {where} depuis ce matin.',
    ],
  },
  stationnement: {
    titles: ['Stationnement gênant {street}', '{sub}', 'Voiture sur le trottoir'],
    descriptions: [
      'Un véhicule est stationné sur le passage piéton {where} tous les jours.',
      'Une voiture semble abandonnée {where} depuis {days} jours, pneus à plat.',
      'Des camionnettes se garent sur la piste cyclable {where}.',
      'Véhicule épave sans plaques {where}.',
    ],
  },
  'etat-civil': {
    titles: ['Demande : {sub}', 'Copie d’acte', 'Question sur un acte d’état civil'],
    descriptions: [
      'Bonjour, je souhaite obtenir une copie intégrale de mon acte de naissance pour un dossier de passeport.',
      'Nous avons besoin d’un extrait d’acte de mariage avec filiation pour notre notaire.',
      'Mon livret de famille a été perdu lors d’un déménagement : comment en obtenir un duplicata ?',
      'Je dois déclarer un décès survenu à domicile, quelles pièces dois-je apporter ?',
    ],
  },
  creche: {
    titles: ['Crèche : {sub}', 'Place en crèche', 'Question petite enfance'],
    descriptions: [
      'Nous souhaitons inscrire notre fille à la crèche municipale à partir de septembre.',
      'Où en est notre demande de place en multi-accueil déposée il y a {days} jours ?',
      'La facture du mois dernier de la crèche comporte des heures en trop.',
      'Quels documents faut-il fournir pour l’inscription en crèche ?',
    ],
  },
  piscines: {
    titles: ['Piscine : {sub}', 'Question sur la piscine', 'Réclamation piscine'],
    descriptions: [
      'Quels sont les horaires d’ouverture de la piscine pendant les vacances scolaires ?',
      'J’ai oublié un sac de sport au vestiaire de la piscine samedi dernier.',
      'Le tarif réduit s’applique-t-il aux étudiants pour l’abonnement annuel ?',
      'L’eau du bassin était froide et les douches ne fonctionnaient pas dimanche.',
    ],
  },
}

export function placeText(street: string, num: number, pick: (items: readonly string[]) => string): string {
  return pick(PLACE).replace('{street}', street).replace('{num}', String(num))
}

/** Internal notes and public replies agents write. */
export const INTERNAL_NOTES = [
  'Vu sur place, l’intervention nécessite une nacelle.',
  'Le riverain a rappelé ce matin, il attend une réponse.',
  'Transmis au prestataire, passage prévu cette semaine.',
  'Même signalement reçu la semaine dernière pour la même adresse.',
  'Attention : accès difficile, rue en travaux.',
  'Demande de devis envoyée.',
] as const

export const PUBLIC_REPLIES = [
  'Bonjour, votre demande a bien été prise en compte par nos services. Cordialement.',
  'Bonjour, une équipe interviendra dans les prochains jours. Merci de votre signalement.',
  'Bonjour, l’intervention a été réalisée. N’hésitez pas à nous recontacter si le problème persiste.',
  'Bonjour, pourriez-vous nous préciser l’emplacement exact ? Merci.',
] as const

export const REJECT_REASONS = [
  'Hors compétence de la métropole : domaine privé.',
  'Relève du gestionnaire du réseau (concessionnaire).',
  'Signalement trop imprécis, aucun élément trouvé sur place.',
] as const

export const RESOLUTION_NOTES = [
  'Intervention réalisée, problème résolu.',
  'Réparation effectuée par l’équipe de secteur.',
  'Réponse apportée à l’usager par courrier électronique.',
  'Remplacement effectué, contrôle réalisé le lendemain.',
] as const

export const HOLD_REASONS = [
  'Merci de nous indiquer l’adresse exacte.',
  'Pièce justificative manquante.',
  'Photo demandée pour évaluer l’urgence.',
] as const
