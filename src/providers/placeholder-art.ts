/**
 * Pure pixel art for the placeholder provider: a gradient with soft discs whose colours and layout come
 * from a hash of (prompt, seed), so the same request always yields the same picture and different
 * prompts look visibly different.
 */

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

type Rgb = [number, number, number];

function hsl(h: number, s: number, l: number): Rgb {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

/** RGBA pixels, row-major, `width * height * 4` bytes. */
export function renderArt(prompt: string, seed: number, width: number, height: number): Uint8Array {
  const rand = prng(hash32(`${seed}:${prompt}`));
  const hue = rand() * 360;
  const top = hsl(hue, 0.55, 0.35);
  const bottom = hsl((hue + 60 + rand() * 120) % 360, 0.6, 0.55);
  const discs = Array.from({ length: 3 + Math.floor(rand() * 4) }, () => ({
    x: rand() * width,
    y: rand() * height,
    r: (0.08 + rand() * 0.25) * Math.min(width, height),
    color: hsl((hue + rand() * 360) % 360, 0.7, 0.6),
  }));

  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const t = height > 1 ? y / (height - 1) : 0;
    const row: Rgb = [0, 1, 2].map((c) => top[c]! + (bottom[c]! - top[c]!) * t) as Rgb;
    for (let x = 0; x < width; x++) {
      let r = row[0];
      let g = row[1];
      let b = row[2];
      for (const d of discs) {
        const dx = x - d.x;
        const dy = y - d.y;
        const inside = 1 - Math.sqrt(dx * dx + dy * dy) / d.r;
        if (inside > 0) {
          const w = Math.min(1, inside * 2) * 0.6;
          r += (d.color[0] - r) * w;
          g += (d.color[1] - g) * w;
          b += (d.color[2] - b) * w;
        }
      }
      const i = (y * width + x) * 4;
      pixels[i] = r;
      pixels[i + 1] = g;
      pixels[i + 2] = b;
      pixels[i + 3] = 255;
    }
  }
  return pixels;
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
