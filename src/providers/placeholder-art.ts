/**
 * Pixel art for the placeholder provider: a gradient with soft discs whose colours and layout come from a
 * hash of (prompt, seed), so the same request always yields the same picture and different prompts look
 * visibly different, with the prompt written on it.
 */
import { GLYPH_HEIGHT, GLYPH_WIDTH, type Rect, textRects } from '../images/fixed-font';
import { IndexedCanvas, type Rgb } from '../images/indexed-png';

/** FNV-1a, 32 bit. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hsl(h: number, s: number, l: number): Rgb {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

const mix = (from: Rgb, to: Rgb, t: number): Rgb => [
  Math.round(from[0] + (to[0] - from[0]) * t),
  Math.round(from[1] + (to[1] - from[1]) * t),
  Math.round(from[2] + (to[2] - from[2]) * t),
];

/** Shades of the background gradient: enough that neighbouring bands differ by about one level. */
const GRADIENT_LEVELS = 160;
/** Each disc is drawn as rings that blend further toward its colour inward: a soft edge in few colours. */
const RINGS = 4;

/** The pixel size of the caption's font for an image of this size, and the margin around the caption. */
export function captionScale(width: number, height: number): { scale: number; margin: number } {
  const scale = Math.max(1, Math.floor(Math.min(width, height) / 192));
  return { scale, margin: Math.max(2, scale * 4) };
}

/** The prompt's words wrapped to the lines that fit the image's width in the caption font. */
export function captionLines(text: string, width: number, height: number, maxLines: number): string[] {
  const { scale, margin } = captionScale(width, height);
  return wrapText(text, Math.max(4, Math.floor((width - 2 * margin) / (GLYPH_WIDTH * scale))), maxLines);
}

/**
 * Paints a caption at the top left: white letters on a black outline one glyph pixel wide (no box behind
 * the text, so the picture shows between the letters). `fill` paints one rectangle in one colour.
 */
export function paintCaption(
  lines: readonly string[],
  width: number,
  height: number,
  fill: (rect: Rect, colour: Rgb) => void,
): void {
  const { scale, margin } = captionScale(width, height);
  const lineHeight = (GLYPH_HEIGHT + 2) * scale;
  for (const colour of [OUTLINE, LETTERS]) {
    const grow = colour === OUTLINE ? Math.max(1, Math.round(scale / 2)) : 0;
    lines.forEach((line, i) => {
      for (const rect of textRects(line, margin, margin + i * lineHeight, scale, grow)) fill(rect, colour);
    });
  }
}

const OUTLINE: Rgb = [0, 0, 0];
const LETTERS: Rgb = [255, 255, 255];

/**
 * The placeholder's picture as a palette PNG: a vertical gradient with soft discs, whose colours and layout
 * come from the prompt and seed, and the prompt written on it. Drawn span by span, so its cost grows with
 * the image's height rather than its area (bench scenario 7).
 */
export function renderArt(prompt: string, seed: number, width: number, height: number): Uint8Array {
  const rand = prng(hash32(`${seed}:${prompt}`));
  const hue = rand() * 360;
  const top = hsl(hue, 0.55, 0.35);
  const bottom = hsl((hue + 60 + rand() * 120) % 360, 0.6, 0.55);
  const levels = Math.min(GRADIENT_LEVELS, height);
  const level = (y: number) => (height > 1 ? Math.round((y / (height - 1)) * (levels - 1)) : 0);
  const discs = Array.from({ length: 3 + Math.floor(rand() * 4) }, () => ({
    x: rand() * width,
    y: rand() * height,
    r: (0.08 + rand() * 0.25) * Math.min(width, height),
    colour: hsl((hue + rand() * 360) % 360, 0.7, 0.6),
  }));

  const canvas = new IndexedCanvas(width, height);
  const shades = Array.from({ length: levels }, (_, i) => canvas.colour(mix(top, bottom, i / Math.max(1, levels - 1))));
  const rings = discs.map((disc) => {
    // Blended over the gradient's shade at the disc's centre, as far as 60% toward the disc's colour.
    const under = mix(top, bottom, level(Math.round(disc.y)) / Math.max(1, levels - 1));
    return Array.from({ length: RINGS }, (_, k) => ({
      radius: disc.r * (1 - k / (2 * RINGS)),
      index: canvas.colour(mix(under, disc.colour, (0.6 * (k + 1)) / RINGS)),
    }));
  });
  for (let y = 0; y < height; y++) {
    canvas.span(y, 0, width, shades[level(y)] ?? 0);
    discs.forEach((disc, d) => {
      const dy = y + 0.5 - disc.y;
      for (const ring of rings[d] ?? []) {
        if (Math.abs(dy) >= ring.radius) break;
        const half = Math.sqrt(ring.radius * ring.radius - dy * dy);
        canvas.span(y, disc.x - half, disc.x + half, ring.index);
      }
    });
  }
  paintCaption(captionLines(prompt, width, height, 4), width, height, (rect, colour) =>
    canvas.rect(rect, canvas.colour(colour)),
  );
  return canvas.png();
}

/** Greedy word wrap to at most `maxLines` lines of `maxChars`, with an ellipsis when cut. */
export function wrapText(text: string, maxChars: number, maxLines: number): string[] {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= maxChars) {
      line = next;
      continue;
    }
    if (line) lines.push(line);
    line = word.length > maxChars ? `${word.slice(0, maxChars - 1)}…` : word;
    if (lines.length === maxLines) break;
  }
  if (line && lines.length < maxLines) lines.push(line);
  if (lines.length === maxLines && lines.join(' ').length < text.trim().length) {
    const last = lines[maxLines - 1] ?? '';
    lines[maxLines - 1] = `${last.slice(0, Math.max(0, maxChars - 1))}…`;
  }
  return lines;
}
