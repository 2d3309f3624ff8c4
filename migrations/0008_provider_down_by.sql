-- Why a provider is marked down: 'probe' (its API refused our credentials, or cannot run here) or 'generation'
-- (a job's generation failed because of the provider). Calls that name a provider down by a generation are
-- still attempted; the next success clears the mark (src/providers/status.ts).
ALTER TABLE provider_status ADD COLUMN down_by TEXT;
