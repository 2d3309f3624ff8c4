/**
 * The D1 style library, one namespace per subject, seen through the built-ins: a subject's own style hides a
 * built-in of the same name. Another subject's style is never read, so it looks exactly like a missing one.
 */
import { AppError } from '../errors';
import { BUILT_IN_STYLES } from './built-in';
import { MAX_STYLES_PER_SUBJECT, type Style } from './model';

export type StyleDraft = Omit<Style, 'source' | 'created_at' | 'updated_at'>;

type Row = StyleDraft & { created_at: number; updated_at: number };

const saved = (row: Row): Style => ({ ...row, source: 'saved' });

export class StyleStore {
  constructor(private readonly db: D1Database) {}

  /** Creates or replaces the subject's style; refuses a new one past MAX_STYLES_PER_SUBJECT. */
  async save(subject: string, draft: StyleDraft, now: number): Promise<{ style: Style; created: boolean }> {
    const row = await this.db
      .prepare(
        `INSERT INTO styles (subject, name, description, template, negative_prompt, provider, model, width, height,
           aspect_ratio, created_at, updated_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11
         WHERE (SELECT COUNT(*) FROM styles WHERE subject = ?1) < ?12
            OR EXISTS (SELECT 1 FROM styles WHERE subject = ?1 AND name = ?2)
         ON CONFLICT (subject, name) DO UPDATE SET description = excluded.description, template = excluded.template,
           negative_prompt = excluded.negative_prompt, provider = excluded.provider, model = excluded.model,
           width = excluded.width, height = excluded.height, aspect_ratio = excluded.aspect_ratio,
           updated_at = excluded.updated_at
         RETURNING *`,
      )
      .bind(
        subject,
        draft.name,
        draft.description,
        draft.template,
        draft.negative_prompt,
        draft.provider,
        draft.model,
        draft.width,
        draft.height,
        draft.aspect_ratio,
        now,
        MAX_STYLES_PER_SUBJECT,
      )
      .first<Row & { subject: string }>();
    if (!row)
      throw new AppError(
        'bad_request',
        `You have ${MAX_STYLES_PER_SUBJECT} styles, the most one caller may keep; delete one with delete_style first.`,
      );
    const { subject: _, ...style } = row;
    return { style: saved(style), created: row.created_at === now && row.updated_at === now };
  }

  /** The subject's own style of that name, else the built-in one, else null. */
  async get(subject: string, name: string): Promise<Style | null> {
    const row = await this.db
      .prepare(
        `SELECT name, description, template, negative_prompt, provider, model, width, height, aspect_ratio,
           created_at, updated_at FROM styles WHERE subject = ? AND name = ?`,
      )
      .bind(subject, name)
      .first<Row>();
    return row ? saved(row) : (BUILT_IN_STYLES.get(name) ?? null);
  }

  /** Every style the subject can use, by name: their own, and the built-ins they have not replaced. */
  async list(subject: string): Promise<Style[]> {
    const { results } = await this.db
      .prepare(
        `SELECT name, description, template, negative_prompt, provider, model, width, height, aspect_ratio,
           created_at, updated_at FROM styles WHERE subject = ? ORDER BY name LIMIT ?`,
      )
      .bind(subject, MAX_STYLES_PER_SUBJECT)
      .all<Row>();
    const own = results.map(saved);
    const names = new Set(own.map((s) => s.name));
    const builtIns = [...BUILT_IN_STYLES.values()].filter((s) => !names.has(s.name));
    return [...own, ...builtIns].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Deletes the subject's own style; false when they have none of that name. */
  async delete(subject: string, name: string): Promise<boolean> {
    const result = await this.db.prepare('DELETE FROM styles WHERE subject = ? AND name = ?').bind(subject, name).run();
    return result.meta.changes > 0;
  }

  /** Style names the subject can use that start with `prefix`, for completions. */
  async names(subject: string, prefix: string): Promise<string[]> {
    const wanted = prefix.trim().toLowerCase();
    return (await this.list(subject)).map((s) => s.name).filter((n) => n.startsWith(wanted));
  }

  /** The style to apply, or a clear error naming the styles the subject has. */
  async resolve(subject: string, name: string): Promise<Style> {
    const style = await this.get(subject, name.trim().toLowerCase());
    if (style) return style;
    const names = (await this.list(subject)).map((s) => s.name);
    throw new AppError(
      'bad_request',
      `No style named "${name}". Your styles: ${names.join(', ')}. Save one with save_style, or see list_styles.`,
    );
  }
}
