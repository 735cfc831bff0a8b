import { createHash } from 'node:crypto';
import { GLYPHS, type GlyphName } from './glyphs.ts';

export interface DemoImageSpec {
  slug: string;
  title: string;
  label: string;
  glyph: GlyphName;
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** HSL (degrees, percent, percent) to #rrggbb. */
function hsl(hue: number, saturation: number, lightness: number): string {
  const s = saturation / 100;
  const l = lightness / 100;
  const channel = (n: number): string => {
    const k = (n + hue / 30) % 12;
    const value = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** A hue that is the same for a slug on every run, so regenerated files do not churn. */
function hueOf(slug: string): number {
  return createHash('sha1').update(slug).digest().readUInt16BE(0) % 360;
}

/** A 400x300 card: diagonal gradient, a line glyph, the product's short name. */
export function renderDemoImage(spec: DemoImageSpec): string {
  const hue = hueOf(spec.slug);
  const from = hsl(hue, 65, 52);
  const to = hsl((hue + 40) % 360, 65, 33);
  const fontSize = spec.label.length > 14 ? 24 : 28;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300" role="img" aria-label="${escapeXml(spec.title)}">`,
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>`,
    '<rect width="400" height="300" fill="url(#bg)"/>',
    '<circle cx="340" cy="40" r="110" fill="#fff" opacity="0.08"/>',
    '<circle cx="40" cy="290" r="80" fill="#000" opacity="0.06"/>',
    `<g transform="translate(200 122)" fill="none" stroke="#fff" stroke-width="7" stroke-linecap="round" stroke-linejoin="round">${GLYPHS[spec.glyph]}</g>`,
    `<text x="200" y="252" text-anchor="middle" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif" font-size="${fontSize}" font-weight="600" fill="#fff">${escapeXml(spec.label)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
