import { Rng, WeightedPicker, zipfWeights } from './random.ts';

/**
 * Words shared by the whole catalog. Search needs a realistic spread of document frequencies:
 * the sentence frames put a few words ("the", "and", "with", "quality") in nearly every product,
 * root vocabularies make mid-frequency words, and invented line names and model numbers drawn
 * Zipf-like from thousands make the long tail of rare words.
 */

const ONSETS = [
  'b',
  'br',
  'c',
  'cl',
  'd',
  'f',
  'fl',
  'g',
  'gr',
  'h',
  'k',
  'l',
  'm',
  'n',
  'p',
  'qu',
  'r',
  's',
  'st',
  't',
  'tr',
  'v',
  'w',
  'z',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'a', 'e', 'io', 'ea'];
const CODAS = ['', '', '', 'n', 'r', 'l', 's', 'x', 'nd', 'm'];

function syllable(rng: Rng): string {
  return rng.pick(ONSETS) + rng.pick(VOWELS) + rng.pick(CODAS);
}

function inventWords(count: number, seed: number): string[] {
  const rng = new Rng(seed);
  const words = new Set<string>();
  while (words.size < count) {
    const word = syllable(rng) + syllable(rng) + (rng.chance(0.25) ? syllable(rng) : '');
    if (word.length >= 5 && word.length <= 10) words.add(word[0]!.toUpperCase() + word.slice(1));
  }
  return [...words];
}

/** Invented proper names (product lines, collections, places), most of them rare. */
export const RARE_NAMES: readonly string[] = inventWords(8000, 0x5eed);
const rareNamePicker = new WeightedPicker(zipfWeights(RARE_NAMES.length, 1.05));

export function rareName(rng: Rng): string {
  return RARE_NAMES[rareNamePicker.draw(rng.next())]!;
}

const CODE_LETTERS = 'ABCDEFGHJKLMNPRSTVXZ';

/** A model code such as "KX-4821": letters from 400 pairs, numbers from thousands. */
export function modelCode(rng: Rng): string {
  const letters =
    CODE_LETTERS[rng.int(CODE_LETTERS.length)]! + CODE_LETTERS[rng.int(CODE_LETTERS.length)]!;
  const digits = rng.chance(0.5) ? rng.between(100, 999) : rng.between(1000, 9999);
  return `${letters}-${digits}`;
}

export const CITIES: readonly string[] = [
  'Lisbon',
  'Porto',
  'Madrid',
  'Valencia',
  'Barcelona',
  'Lyon',
  'Paris',
  'Bordeaux',
  'Brussels',
  'Ghent',
  'Antwerp',
  'Amsterdam',
  'Utrecht',
  'Rotterdam',
  'Hamburg',
  'Berlin',
  'Leipzig',
  'Munich',
  'Cologne',
  'Vienna',
  'Graz',
  'Zurich',
  'Basel',
  'Milan',
  'Turin',
  'Bologna',
  'Florence',
  'Naples',
  'Ljubljana',
  'Zagreb',
  'Prague',
  'Brno',
  'Krakow',
  'Warsaw',
  'Gdansk',
  'Vilnius',
  'Riga',
  'Tallinn',
  'Helsinki',
  'Tampere',
  'Stockholm',
  'Gothenburg',
  'Malmo',
  'Copenhagen',
  'Aarhus',
  'Oslo',
  'Bergen',
  'Dublin',
  'Cork',
  'Galway',
];

export const COMMON_QUALITIES: readonly string[] = [
  'quality',
  'comfort',
  'design',
  'durability',
  'finish',
  'price',
  'feel',
  'look',
  'performance',
  'value',
];

export const OCCASIONS: readonly string[] = [
  'birthdays',
  'holidays',
  'housewarmings',
  'anniversaries',
  'everyday use',
  'a special treat',
  'Christmas',
];

export const TESTS: readonly string[] = [
  'daily use',
  'hard wear',
  'safety',
  'comfort',
  'long life',
  'all seasons',
  'heavy loads',
];
