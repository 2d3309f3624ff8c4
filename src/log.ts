/** Structured JSON logs (Workers observability indexes the fields). Callers pass ids, never secrets. */
type Fields = Record<string, unknown>;

function emit(level: 'info' | 'warn' | 'error', message: string, fields: Fields): void {
  console[level](JSON.stringify({ level, message, ...fields }));
}

export const log = {
  info: (message: string, fields: Fields = {}) => emit('info', message, fields),
  warn: (message: string, fields: Fields = {}) => emit('warn', message, fields),
  error: (message: string, fields: Fields = {}) => emit('error', message, fields),
};
