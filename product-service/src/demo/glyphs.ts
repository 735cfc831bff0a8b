/**
 * Simple line drawings for the demo images: SVG elements drawn with a white stroke, centred on
 * (0, 0) and about 120 units across.
 */
export const GLYPHS = {
  headphones:
    '<path d="M-45 20v-15a45 45 0 0 1 90 0v15"/><rect x="-57" y="10" width="22" height="40" rx="9"/><rect x="35" y="10" width="22" height="40" rx="9"/>',
  speaker:
    '<rect x="-36" y="-56" width="72" height="112" rx="14"/><circle cy="16" r="21"/><circle cy="-30" r="8"/>',
  disc: '<circle r="56"/><circle r="15"/><path d="M28 -38a46 46 0 0 1 12 14"/>',
  mic: '<rect x="-18" y="-58" width="36" height="66" rx="18"/><path d="M-34 -6a34 34 0 0 0 68 0M0 28v24M-22 54h44"/>',
  laptop: '<rect x="-50" y="-42" width="100" height="66" rx="6"/><path d="M-66 40h132"/>',
  keyboard:
    '<rect x="-62" y="-32" width="124" height="64" rx="9"/><path d="M-42 -12h0M-21 -12h0M0 -12h0M21 -12h0M42 -12h0M-42 8h0M42 8h0M-20 10h40"/>',
  mouse: '<rect x="-30" y="-52" width="60" height="104" rx="30"/><path d="M0 -52v34"/>',
  monitor: '<rect x="-62" y="-46" width="124" height="78" rx="6"/><path d="M0 32v18M-28 52h56"/>',
  bolt: '<path d="M10 -58l-40 66h30l-10 50 40-66H0z"/>',
  camera:
    '<rect x="-60" y="-30" width="120" height="80" rx="10"/><circle cy="10" r="24"/><path d="M-25 -30l8-16h34l8 16"/>',
  drive: '<rect x="-40" y="-56" width="80" height="112" rx="12"/><path d="M-20 34h40"/>',
  phone: '<rect x="-30" y="-58" width="60" height="116" rx="11"/><path d="M-9 42h18"/>',
  watch: '<circle r="32"/><path d="M0 -16V0l12 8M-18 -30l4-28h28l4 28M-18 30l4 28h28l4-28"/>',
  tablet:
    '<rect x="-44" y="-58" width="88" height="116" rx="10"/><path d="M-22 -30h44M-22 -12h44M-22 6h30"/>',
  mug: '<path d="M-42 -34h62v54a20 20 0 0 1-20 20h-22a20 20 0 0 1-20-20zM20 -18h12a14 14 0 0 1 0 28H20M-22 -50c-4-6 4-10 0-16M0 -50c-4-6 4-10 0-16"/>',
  knife: '<path d="M-62 22l96-56c18-10 30 4 16 16l-60 44zM-62 22l-6 14"/>',
  pillow:
    '<rect x="-62" y="-36" width="124" height="72" rx="24"/><path d="M-30 -8c20 12 40 12 60 0"/>',
  lamp: '<path d="M-32 -18l16-38h32l16 38zM0 -18v58M-26 44h52"/>',
  plant:
    '<path d="M-30 16h60l-8 40h-44zM0 16v-34M0 -18c-6-26-36-32-42-22 6 20 30 26 42 22M0 -2c6-30 36-36 42-26-6 20-30 28-42 26"/>',
  pan: '<path d="M-54 -12h84v30a22 22 0 0 1-22 22h-40a22 22 0 0 1-22-22zM30 0h36M-30 -26h36"/>',
  candle:
    '<rect x="-26" y="-8" width="52" height="64" rx="6"/><path d="M0 -8v-12M0 -28c-10-12-4-22 0-30 4 8 10 18 0 30z"/>',
  book: '<path d="M0 -36c-20-13-46-13-62-5v86c16-8 42-8 62 5 20-13 46-13 62-5v-86c-16-8-42-8-62 5zM0 -36v86"/>',
  notebook:
    '<rect x="-42" y="-56" width="84" height="112" rx="8"/><path d="M-24 -56v112M-6 -30h30M-6 -12h30"/>',
  globe: '<circle r="54"/><path d="M-54 0h108M0 -54c-26 28-26 80 0 108M0 -54c26 28 26 80 0 108"/>',
  tent: '<path d="M-66 46L0 -50l66 96zM0 -50v96M-18 46L0 12l18 34"/>',
  'sleeping-bag':
    '<path d="M-30 -56h60c16 0 16 26 10 56l-8 56h-64l-8-56c-6-30-6-56 10-56zM-20 -38h40"/>',
  flame: '<path d="M0 -58c30 33 40 58 30 83-8 20-52 20-60 0-10-25 10-40 20-60 5 15 15 20 10-23z"/>',
  sun: '<circle r="22"/><path d="M0 -54v14M0 40v14M-54 0h14M40 0h14M-38 -38l10 10M28 28l10 10M-38 38l10-10M28 -28l10-10"/>',
  hammock: '<path d="M-62 -34v86M62 -34v86M-62 -22c32 56 92 56 124 0"/>',
  chair: '<path d="M-34 -52v62h68v-62M-34 10l-12 46M34 10l12 46M-34 10l68 46M34 10l-68 46"/>',
  mountain: '<path d="M-66 46l44-70 24 34 20-26 44 62z"/><circle cx="36" cy="-40" r="10"/>',
  backpack:
    '<rect x="-38" y="-36" width="76" height="92" rx="18"/><path d="M-15 -36v-10a15 15 0 0 1 30 0v10M-22 14h44v26h-44z"/>',
  bottle: '<path d="M-12 -58h24v18l10 12v78a8 8 0 0 1-8 8h-28a8 8 0 0 1-8-8v-78l10-12z"/>',
  jacket:
    '<path d="M-24 -50l-42 26 16 30 12-8v52h76v-52l12 8 16-30-42-26c-10 14-38 14-48 0zM0 -42v92"/>',
  binoculars:
    '<circle cx="-30" cy="18" r="26"/><circle cx="30" cy="18" r="26"/><path d="M-42 -6l10-40h20l6 40M42 -6l-10-40h-20l-6 40M-6 4h12"/>',
} as const;

export type GlyphName = keyof typeof GLYPHS;
