/** The OAuth scopes of this server: reading a subject's images and the rest, and changing them. */
export const SCOPE = { read: 'images:read', write: 'images:write' } as const;
/** Everything this server can grant; refresh tokens come with offline_access. */
export const SCOPES_SUPPORTED = [SCOPE.read, SCOPE.write, 'offline_access'];
