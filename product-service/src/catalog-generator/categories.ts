/**
 * The generated catalog's category tree: the demo tree plus a richer one around it (8 roots, 44
 * leaves). Each root carries the vocabulary its products are written in; each leaf its nouns,
 * price level, attributes, the demo images that suit it, and its share of the catalog.
 */

/** Attribute names a leaf can carry (values in ATTRIBUTE_VALUES; `brand` is the product's). */
export type AttributeName =
  | 'brand'
  | 'colour'
  | 'size'
  | 'shoe_size'
  | 'material'
  | 'connectivity'
  | 'storage'
  | 'format'
  | 'language'
  | 'warranty'
  | 'capacity'
  | 'age'
  | 'players'
  | 'skin_type'
  | 'volume'
  | 'frame_size';

export const ATTRIBUTE_VALUES: Readonly<
  Record<Exclude<AttributeName, 'brand'>, readonly string[]>
> = {
  colour: [
    'black',
    'white',
    'grey',
    'navy',
    'blue',
    'red',
    'green',
    'beige',
    'brown',
    'pink',
    'yellow',
    'silver',
    'olive',
    'orange',
  ],
  size: ['XS', 'S', 'M', 'L', 'XL', 'XXL'],
  shoe_size: ['36', '37', '38', '39', '40', '41', '42', '43', '44', '45', '46'],
  material: [
    'cotton',
    'organic cotton',
    'linen',
    'wool',
    'merino wool',
    'polyester',
    'recycled polyester',
    'leather',
    'denim',
    'silk',
    'nylon',
  ],
  connectivity: ['Bluetooth', 'Wi-Fi', 'USB-C', 'wired', 'Bluetooth + Wi-Fi'],
  storage: ['64 GB', '128 GB', '256 GB', '512 GB', '1 TB', '2 TB'],
  format: ['paperback', 'hardcover', 'ebook', 'audiobook'],
  language: ['English', 'German', 'French', 'Spanish', 'Italian', 'Dutch'],
  warranty: ['1 year', '2 years', '3 years', '5 years'],
  capacity: ['0.5 l', '1 l', '1.5 l', '2 l', '3 l', '5 l'],
  age: ['3+', '6+', '8+', '10+', '12+', '14+', 'adult'],
  players: ['1', '1-2', '2', '2-4', '2-6', '3-8'],
  skin_type: ['all', 'dry', 'oily', 'sensitive', 'combination'],
  volume: ['30 ml', '50 ml', '100 ml', '200 ml', '250 ml', '500 ml'],
  frame_size: ['XS', 'S', 'M', 'L', 'XL'],
};

export interface LeafSpec {
  slug: string;
  name: string;
  parent: string;
  /** Relative share of products (the skew: phones outsell fishing). */
  weight: number;
  nouns: readonly string[];
  /** Median price in euros and the spread (sigma of the log-normal). */
  medianEur: number;
  sigma: number;
  attributes: readonly AttributeName[];
  /** Slugs of demo products whose picture (`/demo/<slug>.webp`) suits this leaf. */
  images: readonly string[];
  /** Book-like titles ("The Salt Orchard") instead of brand + adjective + noun + model. */
  titled?: boolean;
}

// One leaf a line: a table to read down, not 1,000 lines of wrapped literals.
// prettier-ignore
export const LEAVES: readonly LeafSpec[] = [
  { slug: 'audio', name: 'Audio', parent: 'electronics', weight: 7, nouns: ['Headphones', 'Earbuds', 'Speaker', 'Soundbar', 'Turntable', 'Microphone', 'Amplifier'], medianEur: 89, sigma: 0.8, attributes: ['brand', 'colour', 'connectivity', 'warranty'], images: ['aurora-anc-headphones', 'pulse-mini-speaker', 'echo-wireless-earbuds', 'sm50-studio-headphones', 'carousel-turntable', 'orbit-usb-microphone'] },
  { slug: 'computers', name: 'Computers & Accessories', parent: 'electronics', weight: 8, nouns: ['Laptop', 'Keyboard', 'Mouse', 'Monitor', 'USB-C Hub', 'Webcam', 'Portable SSD', 'Docking Station'], medianEur: 120, sigma: 1.1, attributes: ['brand', 'colour', 'connectivity', 'storage', 'warranty'], images: ['slate-13-ultrabook', 'keystone-mechanical-keyboard', 'glide-wireless-mouse', 'harbor-usb-c-hub', 'clarity-1080p-webcam', 'rapid-portable-ssd-1tb'] },
  { slug: 'phones-tablets', name: 'Phones & Tablets', parent: 'electronics', weight: 9, nouns: ['Smartphone', 'Tablet', 'Phone Case', 'Screen Protector', 'Charger', 'Power Bank'], medianEur: 60, sigma: 1.4, attributes: ['brand', 'colour', 'storage', 'warranty'], images: ['nova-6-smartphone', 'paperlight-e-reader'] },
  { slug: 'cameras', name: 'Cameras & Photo', parent: 'electronics', weight: 3, nouns: ['Instant Camera', 'Action Camera', 'Tripod', 'Camera Bag', 'Lens', 'Memory Card'], medianEur: 110, sigma: 1.1, attributes: ['brand', 'colour', 'warranty'], images: ['snap-instant-camera', 'clarity-1080p-webcam'] },
  { slug: 'wearables', name: 'Wearables', parent: 'electronics', weight: 4, nouns: ['Fitness Watch', 'Smartwatch', 'Fitness Tracker', 'Watch Strap', 'Smart Ring'], medianEur: 140, sigma: 0.8, attributes: ['brand', 'colour', 'connectivity', 'warranty'], images: ['stride-fitness-watch'] },
  { slug: 'tv-home-cinema', name: 'TV & Home Cinema', parent: 'electronics', weight: 3, nouns: ['Projector', 'Streaming Stick', 'TV Mount', 'Media Player', 'Universal Remote'], medianEur: 180, sigma: 1.2, attributes: ['brand', 'connectivity', 'warranty'], images: ['hearth-smart-speaker', 'pulse-mini-speaker'] },
  { slug: 'smart-home', name: 'Smart Home', parent: 'electronics', weight: 3, nouns: ['Smart Speaker', 'Smart Plug', 'Video Doorbell', 'Thermostat', 'Smart Bulb', 'Security Camera'], medianEur: 45, sigma: 0.9, attributes: ['brand', 'colour', 'connectivity'], images: ['hearth-smart-speaker', 'arc-led-desk-lamp'] },
  { slug: 'cookware', name: 'Cookware', parent: 'home-kitchen', weight: 5, nouns: ['Skillet', 'Dutch Oven', 'Saucepan', 'Wok', 'Stockpot', 'Roasting Tin', 'Chef Knife'], medianEur: 45, sigma: 0.8, attributes: ['brand', 'material', 'capacity'], images: ['forge-cast-iron-skillet', 'hearth-dutch-oven', 'kiri-chef-knife'] },
  { slug: 'kitchen-appliances', name: 'Kitchen Appliances', parent: 'home-kitchen', weight: 4, nouns: ['Blender', 'Kettle', 'Toaster', 'Stand Mixer', 'Air Fryer', 'Food Processor'], medianEur: 79, sigma: 0.8, attributes: ['brand', 'colour', 'capacity', 'warranty'], images: ['alto-french-press', 'hearth-dutch-oven'] },
  { slug: 'coffee-tea', name: 'Coffee & Tea', parent: 'home-kitchen', weight: 3, nouns: ['French Press', 'Pour-Over Set', 'Coffee Grinder', 'Teapot', 'Milk Frother', 'Espresso Cups'], medianEur: 35, sigma: 0.7, attributes: ['brand', 'material', 'capacity'], images: ['alto-french-press', 'ember-pour-over-set'] },
  { slug: 'bedding', name: 'Bedding', parent: 'home-kitchen', weight: 3, nouns: ['Duvet Set', 'Pillow', 'Fitted Sheet', 'Throw', 'Weighted Blanket', 'Mattress Topper'], medianEur: 55, sigma: 0.7, attributes: ['brand', 'colour', 'material', 'size'], images: ['linen-duvet-set', 'chunky-knit-throw'] },
  { slug: 'furniture', name: 'Furniture', parent: 'home-kitchen', weight: 3, nouns: ['Side Table', 'Bookshelf', 'Desk', 'Armchair', 'Bar Stool', 'Shoe Rack'], medianEur: 160, sigma: 0.9, attributes: ['brand', 'colour', 'material'], images: ['arc-led-desk-lamp', 'chunky-knit-throw'] },
  { slug: 'lighting', name: 'Lighting', parent: 'home-kitchen', weight: 2, nouns: ['Desk Lamp', 'Floor Lamp', 'Pendant Light', 'String Lights', 'Wall Light'], medianEur: 49, sigma: 0.8, attributes: ['brand', 'colour', 'material'], images: ['arc-led-desk-lamp'] },
  { slug: 'decor', name: 'Home Decor', parent: 'home-kitchen', weight: 3, nouns: ['Scented Candle', 'Vase', 'Picture Frame', 'Cushion', 'Wall Clock', 'Mirror'], medianEur: 25, sigma: 0.8, attributes: ['brand', 'colour', 'material'], images: ['cedar-fig-candle', 'chunky-knit-throw', 'monstera-plant'] },
  { slug: 'garden', name: 'Garden & Plants', parent: 'home-kitchen', weight: 2, nouns: ['Monstera', 'Planter', 'Watering Can', 'Herb Kit', 'Garden Shears', 'Seed Set'], medianEur: 22, sigma: 0.8, attributes: ['brand', 'material'], images: ['monstera-plant'] },
  { slug: 'fiction', name: 'Fiction', parent: 'books', weight: 5, nouns: ['Novel', 'Mystery', 'Thriller', 'Saga', 'Short Stories', 'Romance'], medianEur: 14, sigma: 0.4, attributes: ['format', 'language'], images: ['pride-and-prejudice', 'moby-dick', 'frankenstein-1818'], titled: true },
  { slug: 'non-fiction', name: 'Non-Fiction', parent: 'books', weight: 4, nouns: ['History', 'Memoir', 'Field Guide', 'Biography', 'Essays', 'Handbook'], medianEur: 19, sigma: 0.4, attributes: ['format', 'language'], images: ['meditations', 'field-guide-european-birds', 'designing-reliable-services', 'type-safe-systems'], titled: true },
  { slug: 'childrens-books', name: "Children's Books", parent: 'books', weight: 2, nouns: ['Picture Book', 'Atlas', 'Bedtime Stories', 'Activity Book', 'Fairy Tales'], medianEur: 11, sigma: 0.4, attributes: ['format', 'language', 'age'], images: ['childrens-world-atlas'], titled: true },
  { slug: 'cookbooks', name: 'Cookbooks', parent: 'books', weight: 1, nouns: ['Cookbook', 'Baking Book', 'Recipes', 'Kitchen Companion'], medianEur: 24, sigma: 0.35, attributes: ['format', 'language'], images: ['the-slow-loaf'], titled: true },
  { slug: 'stationery', name: 'Stationery', parent: 'books', weight: 2, nouns: ['Notebook', 'Journal', 'Planner', 'Fountain Pen', 'Sketchbook', 'Pencil Set'], medianEur: 12, sigma: 0.6, attributes: ['brand', 'colour', 'size'], images: ['dot-grid-notebook-a5', 'art-of-war-illustrated'] },
  { slug: 'camping', name: 'Camping', parent: 'outdoor', weight: 4, nouns: ['Tent', 'Sleeping Bag', 'Camp Stove', 'Headlamp', 'Hammock', 'Camp Chair', 'Sleeping Mat'], medianEur: 70, sigma: 0.9, attributes: ['brand', 'colour', 'material', 'warranty'], images: ['trailhead-2-tent', 'summit-sleeping-bag', 'blaze-camp-stove', 'beacon-400-headlamp', 'drift-camping-hammock', 'lite-folding-camp-chair'] },
  { slug: 'hiking', name: 'Hiking', parent: 'outdoor', weight: 4, nouns: ['Backpack', 'Trekking Poles', 'Rain Jacket', 'Insulated Bottle', 'Binoculars', 'Base Layer'], medianEur: 65, sigma: 0.8, attributes: ['brand', 'colour', 'size', 'material'], images: ['ascent-38-backpack', 'ridge-carbon-trekking-poles', 'storm-shell-rain-jacket', 'canyon-insulated-bottle', 'horizon-10x42-binoculars', 'merino-base-layer'] },
  { slug: 'cycling', name: 'Cycling', parent: 'outdoor', weight: 2, nouns: ['Bike Light', 'Helmet', 'Saddle Bag', 'Bike Lock', 'Cycling Jersey', 'Mini Pump'], medianEur: 45, sigma: 1.0, attributes: ['brand', 'colour', 'frame_size'], images: ['beacon-400-headlamp', 'canyon-insulated-bottle'] },
  { slug: 'fishing', name: 'Fishing', parent: 'outdoor', weight: 1, nouns: ['Fishing Rod', 'Reel', 'Tackle Box', 'Landing Net', 'Waders'], medianEur: 55, sigma: 0.9, attributes: ['brand', 'material'], images: ['drift-camping-hammock', 'lite-folding-camp-chair'] },
  { slug: 'climbing', name: 'Climbing', parent: 'outdoor', weight: 1, nouns: ['Harness', 'Chalk Bag', 'Carabiner Set', 'Climbing Rope', 'Belay Device'], medianEur: 50, sigma: 0.8, attributes: ['brand', 'colour', 'size'], images: ['ridge-carbon-trekking-poles', 'ascent-38-backpack'] },
  { slug: 'womens-clothing', name: "Women's Clothing", parent: 'fashion', weight: 7, nouns: ['Dress', 'Blouse', 'Jeans', 'Cardigan', 'Coat', 'Skirt', 'T-Shirt', 'Jumper'], medianEur: 39, sigma: 0.7, attributes: ['brand', 'colour', 'size', 'material'], images: ['merino-base-layer', 'storm-shell-rain-jacket', 'chunky-knit-throw'] },
  { slug: 'mens-clothing', name: "Men's Clothing", parent: 'fashion', weight: 6, nouns: ['Shirt', 'Chinos', 'Hoodie', 'Jacket', 'Jeans', 'Polo Shirt', 'Jumper'], medianEur: 42, sigma: 0.7, attributes: ['brand', 'colour', 'size', 'material'], images: ['merino-base-layer', 'storm-shell-rain-jacket'] },
  { slug: 'shoes', name: 'Shoes', parent: 'fashion', weight: 5, nouns: ['Sneakers', 'Boots', 'Loafers', 'Sandals', 'Running Shoes', 'Slippers'], medianEur: 69, sigma: 0.6, attributes: ['brand', 'colour', 'shoe_size', 'material'], images: ['ascent-38-backpack', 'merino-base-layer'] },
  { slug: 'bags', name: 'Bags & Luggage', parent: 'fashion', weight: 3, nouns: ['Tote Bag', 'Backpack', 'Suitcase', 'Crossbody Bag', 'Weekender', 'Wallet'], medianEur: 55, sigma: 0.8, attributes: ['brand', 'colour', 'material'], images: ['ascent-38-backpack'] },
  { slug: 'jewellery', name: 'Jewellery', parent: 'fashion', weight: 2, nouns: ['Necklace', 'Earrings', 'Bracelet', 'Ring', 'Pendant'], medianEur: 35, sigma: 1.1, attributes: ['brand', 'colour', 'material'], images: ['cedar-fig-candle', 'stride-fitness-watch'] },
  { slug: 'watches', name: 'Watches', parent: 'fashion', weight: 2, nouns: ['Wristwatch', 'Chronograph', 'Dive Watch', 'Pocket Watch'], medianEur: 120, sigma: 1.0, attributes: ['brand', 'colour', 'material', 'warranty'], images: ['stride-fitness-watch'] },
  { slug: 'fitness', name: 'Fitness Equipment', parent: 'sports', weight: 3, nouns: ['Dumbbell Set', 'Kettlebell', 'Resistance Bands', 'Pull-Up Bar', 'Exercise Bike', 'Foam Roller'], medianEur: 40, sigma: 1.0, attributes: ['brand', 'colour', 'warranty'], images: ['stride-fitness-watch', 'canyon-insulated-bottle'] },
  { slug: 'running', name: 'Running', parent: 'sports', weight: 3, nouns: ['Running Shoes', 'Running Vest', 'Running Shorts', 'Armband', 'Hydration Belt'], medianEur: 45, sigma: 0.7, attributes: ['brand', 'colour', 'size'], images: ['stride-fitness-watch', 'merino-base-layer'] },
  { slug: 'team-sports', name: 'Team Sports', parent: 'sports', weight: 2, nouns: ['Football', 'Basketball', 'Shin Guards', 'Goalkeeper Gloves', 'Volleyball', 'Training Cones'], medianEur: 25, sigma: 0.7, attributes: ['brand', 'colour', 'size'], images: ['stride-fitness-watch'] },
  { slug: 'yoga', name: 'Yoga', parent: 'sports', weight: 2, nouns: ['Yoga Mat', 'Yoga Block', 'Meditation Cushion', 'Yoga Strap', 'Leggings'], medianEur: 30, sigma: 0.6, attributes: ['brand', 'colour', 'material'], images: ['chunky-knit-throw', 'merino-base-layer'] },
  { slug: 'swimming', name: 'Swimming', parent: 'sports', weight: 1, nouns: ['Swim Goggles', 'Swimsuit', 'Swim Cap', 'Kickboard', 'Dry Robe'], medianEur: 22, sigma: 0.7, attributes: ['brand', 'colour', 'size'], images: ['canyon-insulated-bottle', 'storm-shell-rain-jacket'] },
  { slug: 'board-games', name: 'Board Games', parent: 'toys-games', weight: 3, nouns: ['Board Game', 'Card Game', 'Strategy Game', 'Party Game', 'Chess Set', 'Dice Set'], medianEur: 32, sigma: 0.6, attributes: ['brand', 'players', 'age'], images: ['art-of-war-illustrated', 'childrens-world-atlas'] },
  { slug: 'building-toys', name: 'Building Toys', parent: 'toys-games', weight: 2, nouns: ['Building Set', 'Marble Run', 'Construction Kit', 'Brick Set', 'Robot Kit'], medianEur: 40, sigma: 0.8, attributes: ['brand', 'age'], images: ['childrens-world-atlas'] },
  { slug: 'puzzles', name: 'Puzzles', parent: 'toys-games', weight: 2, nouns: ['Jigsaw Puzzle', 'Puzzle Cube', 'Brain Teaser', '3D Puzzle'], medianEur: 18, sigma: 0.5, attributes: ['brand', 'age'], images: ['childrens-world-atlas', 'field-guide-european-birds'] },
  { slug: 'dolls-figures', name: 'Dolls & Figures', parent: 'toys-games', weight: 1, nouns: ['Plush Toy', 'Action Figure', 'Doll', 'Puppet', 'Dollhouse'], medianEur: 24, sigma: 0.7, attributes: ['brand', 'colour', 'age'], images: ['childrens-world-atlas'] },
  { slug: 'skincare', name: 'Skincare', parent: 'beauty-health', weight: 3, nouns: ['Face Cream', 'Serum', 'Cleanser', 'Face Mask', 'Sunscreen', 'Eye Cream'], medianEur: 24, sigma: 0.7, attributes: ['brand', 'skin_type', 'volume'], images: ['cedar-fig-candle', 'monstera-plant'] },
  { slug: 'haircare', name: 'Haircare', parent: 'beauty-health', weight: 2, nouns: ['Shampoo', 'Conditioner', 'Hair Oil', 'Hair Dryer', 'Hairbrush'], medianEur: 18, sigma: 0.8, attributes: ['brand', 'volume'], images: ['cedar-fig-candle'] },
  { slug: 'fragrance', name: 'Fragrance', parent: 'beauty-health', weight: 1, nouns: ['Eau de Parfum', 'Eau de Toilette', 'Body Mist', 'Perfume Oil'], medianEur: 55, sigma: 0.7, attributes: ['brand', 'volume'], images: ['cedar-fig-candle'] },
  { slug: 'personal-care', name: 'Personal Care', parent: 'beauty-health', weight: 2, nouns: ['Electric Toothbrush', 'Razor', 'Body Wash', 'Hand Cream', 'Massage Gun'], medianEur: 28, sigma: 0.9, attributes: ['brand', 'volume', 'warranty'], images: ['cedar-fig-candle', 'canyon-insulated-bottle'] },
];
