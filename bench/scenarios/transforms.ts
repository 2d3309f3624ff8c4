/** Scenario 4: photon vs sharp on the transform route, which does not exist yet; reported as pending, not faked. */
import type { ScenarioResult } from '../report.ts';

export function transforms(): ScenarioResult {
  return {
    id: 4,
    title: 'Transforms (photon vs sharp)',
    status: 'pending',
    figures: [],
    notes: ['transform route not implemented yet'],
  };
}
